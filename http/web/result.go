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

var resultPage = template.Must(template.New("result").Funcs(pageFuncs()).Funcs(template.FuncMap{
	"source": func(string) string { return "" }, "purpose": func(string) string { return "" },
	"recipient": func(string) string { return "" }, "scope": func(string) string { return "" },
	"day": func(any) string { return "" },
}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t "result.title"}} — {{.P.Organisation.Name}}</title>
<style>` + publicCSS + `
body{max-width:48rem}` + tableCSS + `</style></head>
<body>{{template "brand" .}}<main>
<h1>{{t "result.title"}}</h1>
<p>{{.P.Summary}}</p>
<dl><dt>{{t "status.request"}}</dt><dd>{{.P.Request.ID}} ({{t (print "type." .P.Request.Type)}})</dd>
<dt>{{t "result.received"}}</dt><dd>{{day .P.Request.ReceivedAt}}</dd>
<dt>{{t "result.answered"}}</dt><dd>{{day .P.Request.CompletedAt}}</dd>{{with .P.Request.Period}}<dt>{{t "result.period"}}</dt><dd>{{.}}</dd>{{end}}</dl>
{{with .P.Identities}}<h2>{{t "result.identities"}}</h2><ul>{{range .}}<li>{{t (print "identity." .Kind)}}: {{.Value}}</li>{{end}}</ul>{{end}}
{{with .P.Pieces}}<div class="table-box" role="region" aria-label="{{t "result.pieces"}}" tabindex="0"><table data-custos-pieces><caption>{{t "result.pieces"}}</caption>
<thead><tr><th scope="col">{{t "result.what"}}</th><th scope="col">{{t "result.value"}}</th><th scope="col">{{t "result.from_to"}}</th><th scope="col">{{t "result.why"}}</th><th scope="col">{{t "result.when"}}</th></tr></thead><tbody>
{{range .}}<tr><td>{{.Description}}</td><td>{{if .Withheld}}{{t "result.withheld"}}{{else if .Value}}{{.Value}}{{else}}—{{end}}</td>
<td>{{if .Source}}{{source .Source}}{{else}}{{t "result.disclosed_to" (recipient .Recipient)}}{{end}}</td><td>{{purpose .Purpose}}</td><td class="nowrap">{{day .At}}</td></tr>{{end}}
</tbody></table></div>{{end}}
{{with .P.Categories}}<h2>{{t "result.categories"}}</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .P.Sources}}<h2>{{t "result.sources"}}</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .P.Purposes}}<h2>{{t "result.purposes"}}</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .P.Recipients}}<h2>{{t "result.recipients"}}</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .P.SoldShared}}<h2>{{t "result.sold_shared"}}</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .P.Consents}}<h2>{{t "result.consents"}}</h2><ul data-custos-consents>{{range .}}<li>{{scope .Scope}}: {{if .Granted}}{{t "result.granted"}}{{else}}{{t "result.refused"}}{{end}} ({{day .At}})</li>{{end}}</ul>{{end}}
{{with .P.Disclosures}}<h2>{{t "result.disclosures"}}</h2><ul>{{range .}}<li>{{.Name}}: {{range $i, $c := .Categories}}{{if $i}}, {{end}}{{$c}}{{end}}</li>{{end}}</ul>{{end}}
{{with .P.Connected}}<h2>{{t "result.connected"}}</h2>{{range .}}{{$c := .}}<div class="table-box" role="region" aria-label="{{or .SystemDescription .System}}: {{.Collection}}" tabindex="0"><table data-custos-connected><caption>{{or .SystemDescription .System}}: {{.Collection}}</caption>
<thead><tr>{{range .Fields}}<th scope="col">{{.Description}}</th>{{end}}</tr></thead><tbody>
{{range index $.P.Collections .Collection}}{{$row := .}}<tr>{{range $c.Fields}}<td>{{index $row .Name}}</td>{{end}}</tr>{{end}}
</tbody></table></div>{{end}}{{end}}
{{with .P.Actions}}<h2>{{t "result.actions"}}</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .P.Kept}}<h2>{{t "result.kept"}}</h2><ul>{{range .}}<li>{{.What}}: {{.Why}}{{with .Ground}} — {{.}}{{end}}{{with .Citations}} ({{range $i, $x := .}}{{if $i}}; {{end}}{{$x}}{{end}}){{end}}{{with .Until}}, {{t "result.until" .}}{{end}}</li>{{end}}</ul>{{end}}
{{with .CSV}}<p><a href="{{.}}" data-custos-csv>{{t "result.csv"}}</a></p>{{end}}
<h2>{{t "result.questions"}}</h2><p>{{t "result.contact" .P.Organisation.Name}} <a href="mailto:{{.P.Organisation.Email}}">{{.P.Organisation.Email}}</a>.
<a href="/privacy-center">{{t "result.center"}}</a></p>
</main></body></html>` + brandTemplate))

// tableCSS lets a wide table scroll inside its own box on a narrow screen,
// so the page itself never scrolls sideways.
const tableCSS = `table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #c4c4c4;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}caption{text-align:left;font-weight:600;padding-bottom:.5rem}.table-box{overflow-x:auto}td.nowrap{white-space:nowrap}`

// RenderResult writes the readable form of an answer package in the
// request's language (?lang=, the language cookie, or Accept-Language),
// naming sources, purposes, recipients and choices as the manifest m
// words them. m may be nil: then the keys are shown.
func RenderResult(w io.Writer, r *http.Request, p requests.Package, m *policy.Manifest, b Branding) error {
	l := readLang(r)
	t, err := resultPage.Clone()
	if err != nil {
		return err
	}
	n := namesOf(m)
	tr := translator(l)
	t.Funcs(template.FuncMap{
		"t": tr, "lang": func() string { return l },
		"source":    func(k string) string { return n.word(n.sources, k) },
		"purpose":   func(k string) string { return n.word(n.purposes, k) },
		"recipient": func(k string) string { return n.word(n.recipients, k) },
		"scope":     func(k string) string { return scopeWords(tr, n, k) },
		"day":       func(v any) string { return dayOf(l, v) },
	})
	// The same answer as CSV files, behind the same token the person holds.
	var csv string
	if tok := r.URL.Query().Get("token"); tok != "" {
		csv = "?" + url.Values{"format": {"csv"}, "token": {tok}}.Encode()
	}
	return t.Execute(w, map[string]any{"Lang": l, "P": p, "Brand": b, "CSV": csv})
}

// readLang is lang without remembering: the answer page is served by the
// API and sets no cookie.
func readLang(r *http.Request) string {
	if l, ok := supported(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := supported(c.Value); ok {
			return l
		}
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
