package mail

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Mails to a person are written in the language they used: English,
// Spanish, French or German, the languages of the public pages. Each
// language has its own templates (templates/<lang>/) and its own
// catalogue (text/<lang>.json) of the sentences callers put into the
// templates' data: request types, the law a request is handled under, the
// appeal and complaint routes. Legal citations ("Cal. Civ. Code
// §1798.100", "Regulation (EU) 2016/679") are left as they are in every
// language, so that the provision can be looked up.

// LanguageEnglish is the language of a mail when none is asked for.
const LanguageEnglish = "en"

// languages in the order the public pages offer them.
var languages = []string{LanguageEnglish, "es", "fr", "de"}

// Languages returns the tags mails are written in: en, es, fr, de.
func Languages() []string { return slices.Clone(languages) }

// SupportedLanguage returns the tag of a supported language, matched
// without regard to case ("DE" is "de"), and whether it is one.
func SupportedLanguage(s string) (string, bool) {
	for _, l := range languages {
		if strings.EqualFold(s, l) {
			return l, true
		}
	}
	return "", false
}

// catalogue is one language's text/<lang>.json. Phrases are keyed by an
// identifier and may hold fmt verbs; Terms translate names Custos' law
// table gives in English (laws, authorities, where to complain), keyed by
// that English text.
type catalogue struct {
	Phrases map[string]string `json:"phrases"`
	Terms   map[string]string `json:"terms"`
	Months  []string          `json:"months"`
}

//go:embed text/*.json
var textFS embed.FS

var catalogues = mustLoadCatalogues()

func mustLoadCatalogues() map[string]catalogue {
	out := make(map[string]catalogue, len(languages))
	for _, l := range languages {
		b, err := textFS.ReadFile("text/" + l + ".json")
		if err != nil {
			panic(fmt.Sprintf("mail: catalogue %s: %v", l, err)) // embedded at build time: a missing file is a build mistake
		}
		var c catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("mail: catalogue %s: %v", l, err))
		}
		if len(c.Months) != 12 {
			panic(fmt.Sprintf("mail: catalogue %s: %d month names, want 12", l, len(c.Months)))
		}
		out[l] = c
	}
	return out
}

// Text returns the phrase key in the language, its fmt verbs filled with
// args; a phrase the language lacks falls back to English, and an unknown
// key to the key itself (TestMissingMailTranslations keeps both from
// happening).
func Text(lang, key string, args ...any) string {
	msg, ok := catalogues[lang].Phrases[key]
	if !ok {
		msg, ok = catalogues[LanguageEnglish].Phrases[key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Term translates a name the law table gives in English (a law, an
// authority, where to complain). A name the catalogue does not hold, such
// as one the company's manifest sets, is returned as it is: it is the
// company's own wording, and a guess would be worse than the original.
func Term(lang, english string) string {
	if t, ok := catalogues[lang].Terms[english]; ok {
		return t
	}
	return english
}

// HasTerm reports whether the language's catalogue translates english.
func HasTerm(lang, english string) bool {
	if lang == LanguageEnglish {
		return true
	}
	_, ok := catalogues[lang].Terms[english]
	return ok
}

// FormatDate writes a day in running text the way the language does:
// "2 January 2006", "2 de enero de 2006", "2 janvier 2006" (the first of
// the month "1er janvier"), "2. Januar 2006". Month names are written out
// so that the date cannot be misread in any country.
func FormatDate(lang string, t time.Time) string {
	c, ok := catalogues[lang]
	if !ok {
		c, lang = catalogues[LanguageEnglish], LanguageEnglish
	}
	month := c.Months[t.Month()-1]
	switch lang {
	case "es":
		return fmt.Sprintf("%d de %s de %d", t.Day(), month, t.Year())
	case "fr":
		if t.Day() == 1 {
			return fmt.Sprintf("1er %s %d", month, t.Year())
		}
	case "de":
		return fmt.Sprintf("%d. %s %d", t.Day(), month, t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), month, t.Year())
}
