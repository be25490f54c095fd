package web

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
)

// The person's answer, readable: the same package as the JSON download, but
// with every source, purpose, recipient and choice in the words of the
// policy manifest (the JSON keeps the keys, for machines), and the page's
// own text in the person's language.

// Its tables scroll inside their own box on a narrow screen (table.css), so
// the page itself never scrolls sideways.
var resultPage = pageTemplate(resultFuncs(), "result.html.tmpl", "brand.html.tmpl", "public.css", "table.css")

// resultFuncs are placeholders for parsing; RenderResult installs the
// request's language and the manifest's words.
func resultFuncs() template.FuncMap {
	f := pageFuncs()
	f["source"], f["purpose"] = func(string) string { return "" }, func(string) string { return "" }
	f["recipient"], f["scope"] = func(string) string { return "" }, func(string) string { return "" }
	f["day"] = func(any) string { return "" }
	f["sealed"] = func(_, _, s string) string { return s }
	return f
}

// RenderResult writes the readable form of an answer package in the
// page's language (?lang=, the language cookie, the language the person
// asked in, or Accept-Language), naming sources, purposes, recipients and
// choices as the manifest m words them. m may be nil: then the keys are
// shown. The answer's own sentences are written from their messages in
// that language; a package sealed before it had messages shows the
// English it was sealed with.
func RenderResult(w io.Writer, r *http.Request, p requests.Package, m *policy.Manifest, b Branding) error {
	l := readLang(r, p.Request.Language)
	t, err := resultPage.Clone()
	if err != nil {
		return err
	}
	n := namesOf(inLanguage(m, l))
	tr := translator(l)
	t.Funcs(template.FuncMap{
		"t": tr, "lang": func() string { return l },
		"source":    func(k string) string { return n.word(n.sources, k) },
		"purpose":   func(k string) string { return n.word(n.purposes, k) },
		"recipient": func(k string) string { return n.word(n.recipients, k) },
		"scope":     func(k string) string { return scopeWords(tr, n, k) },
		"day":       func(v any) string { return dayOf(l, v) },
		"sealed":    func(kind, key, s string) string { return sealedWord(m, l, kind, key, s) },
	})
	// The same answer as CSV files, behind the same token the person holds.
	var csv string
	if tok := r.URL.Query().Get("token"); tok != "" {
		csv = "?" + url.Values{"format": {"csv"}, "token": {tok}}.Encode()
	}
	return t.Execute(w, map[string]any{"Lang": l, "P": p, "Brand": b, "CSV": csv, "Words": answerWords(l, p)})
}

// words are the answer's own sentences in the page's language.
type words struct {
	Summary, Period string
	Actions         []string
	Kept            []keptWords
}

type keptWords struct {
	What, Why, Ground, Until string
	Citations                []string
}

func answerWords(l string, p requests.Package) words {
	w := words{Summary: requests.Say(l, p.Summary, p.SummaryMessage), Period: requests.Say(l, p.Request.Period, p.Request.PeriodMessage)}
	for i := range p.Actions {
		w.Actions = append(w.Actions, p.ActionText(l, i))
	}
	for _, k := range p.Kept {
		kw := keptWords{What: requests.Say(l, k.What, k.WhatMessage), Why: requests.Say(l, k.Why, k.WhyMessage),
			Ground: requests.Say(l, k.Ground, k.GroundMessage), Citations: k.Citations, Until: k.Until}
		if d, err := time.Parse(time.DateOnly, k.Until); err == nil {
			// Sealed as YYYY-MM-DD (old packages too): written as the
			// language writes a day.
			kw.Until = date(l, d)
		}
		w.Kept = append(w.Kept, kw)
	}
	return w
}

// readLang is lang without remembering: the answer page is served by the
// API and sets no cookie. The person's own choice (?lang=, the cookie)
// comes first, then the language they asked in (asked, empty in a package
// sealed before it was kept), then their browser's.
func readLang(r *http.Request, asked string) string {
	if l, ok := supported(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := supported(c.Value); ok {
			return l
		}
	}
	if l, ok := supported(asked); ok {
		return l
	}
	return Deps{}.langFromHeader(r)
}

// names are a manifest's plain words for its keys.
type names struct {
	sources, purposes, recipients, categories map[string]string
}

func namesOf(m *policy.Manifest) names {
	n := names{sources: map[string]string{}, purposes: map[string]string{}, recipients: map[string]string{}, categories: map[string]string{}}
	if m == nil {
		return n
	}
	for _, s := range m.Sources {
		n.sources[s.Key] = first(s.Name, s.Description)
	}
	for _, p := range m.Purposes {
		n.purposes[p.Key] = p.Name
	}
	for _, r := range m.Recipients {
		n.recipients[r.Key] = first(r.Name, r.Description)
	}
	for _, c := range m.Categories {
		n.categories[c.Key] = c.Description
	}
	return n
}

func first(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// word is the manifest's word for key; a key the manifest no longer has
// (the policy changed since) is shown as a readable phrase, never blank.
func (n names) word(m map[string]string, key string) string {
	if w := m[key]; w != "" {
		return w
	}
	return keyWords(key)
}

// keyWords turns "marketing.communications.email" into "marketing
// communications email": the last resort when no description exists.
func keyWords(key string) string {
	s := strings.NewReplacer(".", " ", "_", " ").Replace(key)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// scopeWords names a consent scope: the two scopes Custos itself defines
// in the page's language, a purpose by the manifest's name for it.
func scopeWords(t func(string, ...any) string, n names, scope string) string {
	switch scope {
	case "sale_sharing", "direct_marketing":
		return t("scope." + scope)
	}
	return n.word(n.purposes, scope)
}

func dayOf(l string, v any) string {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	if t.IsZero() {
		return "—"
	}
	return date(l, t.UTC())
}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, true
	case *time.Time:
		if t != nil {
			return *t, true
		}
	}
	return time.Time{}, false
}
