package web

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/custos-privacy/custos/internal/i18n"
)

// The public pages speak English, Spanish, French and German: the language
// is taken from ?lang= (remembered in a cookie, so a person who switches
// stays switched), else from the browser's Accept-Language. Operators' pages
// stay in English.

const langCookie = "custos_lang"

// languages in the order offered; the first is the fallback.
var languages = []language.Tag{language.English, language.Spanish, language.French, language.German}

var langMatcher = language.NewMatcher(languages)

// lang picks the page language for a request and remembers an explicit
// choice.
func (d Deps) lang(w http.ResponseWriter, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, ok := supported(q); ok {
			d.setCookie(w, langCookie, l, "/", http.SameSiteLaxMode, 365*24*3600)
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := supported(c.Value); ok {
			return l
		}
	}
	return acceptLang(r)
}

func acceptLang(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := langMatcher.Match(tags...)
	return base(languages[i])
}

func base(t language.Tag) string {
	b, _ := t.Base()
	return b.String()
}

func supported(s string) (string, bool) {
	for _, t := range languages {
		if b := base(t); strings.EqualFold(s, b) {
			return b, true
		}
	}
	return "", false
}

// translator returns the template function t for a language: t "key"
// looks up the page message web.key in the one catalogue (internal/i18n),
// falling back to English, then to the key itself; further arguments come
// in pairs naming the message's placeholders: t "result.until" "date" .Day.
// The keys stay short in templates and handlers because some travel in the
// page as they are (data-custos-state on the preferences page).
//
// A text that is no key is shown as it is, without the web. prefix: the
// preferences page passes the manifest's own purpose names and
// descriptions through t, and they must read as the company wrote them.
func translator(l string) func(key string, args ...any) string {
	return func(key string, args ...any) string {
		if _, ok := i18n.Lookup(l, "web."+key); !ok {
			return key
		}
		return i18n.T(l, "web."+key, args...)
	}
}

func pageFuncs() template.FuncMap {
	// Placeholders for parsing; each render installs the request's language.
	return template.FuncMap{"t": translator("en"), "lang": func() string { return "en" }}
}

// languageLinks is the switcher shown on every public page.
type languageLink struct {
	Code, Name string
	Current    bool
}

func languageLinks(current string) []languageLink {
	names := map[string]string{"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch"}
	out := make([]languageLink, 0, len(languages))
	for _, t := range languages {
		b := base(t)
		out = append(out, languageLink{Code: b, Name: names[b], Current: b == current})
	}
	return out
}

// errorKeys translate the coded errors a person can meet on the public
// pages; others keep the service's English message.
var errorKeys = map[string]string{
	"form_expired": "err.form_expired", "session_expired": "err.session_expired",
	"invalid_code": "err.invalid_code", "code_expired": "err.code_expired", "locked": "err.locked",
	"rate_limited": "err.rate_limited", "too_many_requests": "err.rate_limited",
	"invalid_email": "err.email", "identity_not_verified": "err.identity",
}

func errorText(l, code, fallback string) string {
	if key, ok := errorKeys[code]; ok {
		return translator(l)(key)
	}
	if code == "invalid_request" && strings.Contains(fallback, "e-mail address") {
		return translator(l)("err.email")
	}
	return fallback
}

// date writes a day in running text the way the language does, as the
// mails do (i18n.Date) except that the pages write the first of a French
// month "1 janvier", not "1er janvier", as they always have.
func date(l string, t time.Time) string {
	if l == "fr" {
		return fmt.Sprintf("%d %s %d", t.Day(), i18n.Month(l, t.Month()), t.Year())
	}
	return i18n.Date(l, t)
}

// render executes a public page's template in the request's language.
func render(w io.Writer, tmpl *template.Template, l string, data map[string]any) error {
	t, err := tmpl.Clone()
	if err != nil {
		return err
	}
	data["Lang"], data["Languages"] = l, languageLinks(l)
	return t.Funcs(template.FuncMap{"t": translator(l), "lang": func() string { return l }}).Execute(w, data)
}
