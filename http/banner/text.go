package banner

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// The banner speaks the visitor's language: the script passes the page's
// own language (<html lang>), else the browser's Accept-Language decides.
// The texts travel in the config, so the script stays small: they are the
// one catalogue's banner.* messages (internal/i18n), placeholders unfilled,
// and the script fills {org} with the company's name.

var textLanguages = []language.Tag{language.English, language.Spanish, language.French, language.German}

var textMatcher = language.NewMatcher(textLanguages)

// textLanguage picks the banner's language for a config request.
func textLanguage(r *http.Request) string {
	var tags []language.Tag
	if q := strings.TrimSpace(r.URL.Query().Get("lang")); q != "" {
		if t, err := language.Parse(q); err == nil {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		tags, _, _ = language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	_, i, _ := textMatcher.Match(tags...)
	b, _ := textLanguages[i].Base()
	return b.String()
}
