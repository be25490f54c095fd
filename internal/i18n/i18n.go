// Package i18n is the one catalogue of the words Custos writes for people
// to read: the public pages (keys web.*), the public notice's own words
// (notice.*), the cookie banner (banner.*), the mails (mail.*), the
// sentences of a person's answer (answer.*) and the names of the months
// (date.*), in English, Spanish, French and German. Each language is one
// embedded file, messages/<lang>.json, so that a translator works in one
// place and a test (TestMissingTranslations) can hold every language to
// English's keys and placeholders.
//
// Messages name their placeholders, {org}, {date}, {count}: a translation
// can put them in the order its grammar wants, and a caller says what it
// fills in rather than relying on the order of fmt verbs. The banner's
// texts go to the browser as they are, and its script fills {org} itself.
//
// The package knows no domain: it is strings, languages and dates.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// English is the fallback language: every key exists in it, and a message
// another language lacks is taken from it.
const English = "en"

// languages in the order the public pages offer them.
var languages = []string{English, "es", "fr", "de"}

// Languages returns the tags Custos writes in: en, es, fr, de.
func Languages() []string { return slices.Clone(languages) }

// Supported returns the tag of a supported language, matched without
// regard to case ("DE" is "de"), and whether it is one.
func Supported(s string) (string, bool) {
	for _, l := range languages {
		if strings.EqualFold(s, l) {
			return l, true
		}
	}
	return "", false
}

// file is one language's messages/<lang>.json. Messages are keyed by an
// identifier; Terms translate names Custos' law table gives in English
// (laws, authorities, where to complain), keyed by that English text, so
// English has none.
type file struct {
	Messages map[string]string `json:"messages"`
	Terms    map[string]string `json:"terms"`
}

//go:embed messages/*.json
var messageFS embed.FS

// catalogue is read once from the files embedded at build time and never
// changed: it is data, not state.
var catalogue = mustLoad()

func mustLoad() map[string]file {
	out := make(map[string]file, len(languages))
	for _, l := range languages {
		b, err := messageFS.ReadFile("messages/" + l + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", l, err)) // embedded at build time: a missing file is a build mistake
		}
		var f file
		if err := json.Unmarshal(b, &f); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", l, err))
		}
		out[l] = f
	}
	return out
}

// Lookup returns the message key in the language, falling back to
// English, and whether either has it. Its placeholders are left as they
// are.
func Lookup(lang, key string) (string, bool) {
	if msg, ok := catalogue[lang].Messages[key]; ok {
		return msg, true
	}
	msg, ok := catalogue[English].Messages[key]
	return msg, ok
}

// T returns the message key in the language with its placeholders filled
// from args, which come in pairs: T("fr", "web.prefs.since", "date", d).
// A value is written as fmt's %v writes it. A key no language has is
// returned as it is, so that a page shows something rather than failing
// on a person; the tests of each caller check that every key it uses
// exists. A placeholder no pair fills is left as it is.
func T(lang, key string, args ...any) string {
	msg, ok := Lookup(lang, key)
	if !ok {
		return key
	}
	if len(args) < 2 || !strings.Contains(msg, "{") {
		return msg
	}
	return fill(msg, args)
}

// fill replaces each {name} in msg by the value args pair with it.
func fill(msg string, args []any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			b.WriteString(msg)
			return b.String()
		}
		name := msg[i+1 : i+j]
		b.WriteString(msg[:i])
		if v, ok := arg(args, name); ok {
			fmt.Fprint(&b, v)
		} else {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
}

func arg(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if n, ok := args[i].(string); ok && n == name {
			return args[i+1], true
		}
	}
	return nil, false
}

// Namespace returns every message under prefix (e.g. "banner.") in the
// language, keyed without the prefix and with English filling any gap,
// placeholders unfilled: for a caller that hands a whole set on, as the
// banner hands its texts to its script.
func Namespace(lang, prefix string) map[string]string {
	out := map[string]string{}
	for k := range catalogue[English].Messages {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest], _ = Lookup(lang, k)
		}
	}
	return out
}

// Keys returns every key, sorted: English holds them all.
func Keys() []string {
	out := make([]string, 0, len(catalogue[English].Messages))
	for k := range catalogue[English].Messages {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// HasPrefix reports whether some key begins with prefix: for a caller
// that builds keys ("web.status." + a status), to check the stem exists.
func HasPrefix(prefix string) bool {
	for k := range catalogue[English].Messages {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// Term translates a name the law table gives in English (a law, an
// authority, where to complain). A name the catalogue does not hold, such
// as one the company's manifest sets, is returned as it is: it is the
// company's own wording, and a guess would be worse than the original.
func Term(lang, english string) string {
	if t, ok := catalogue[lang].Terms[english]; ok {
		return t
	}
	return english
}

// HasTerm reports whether the language translates english; English
// "translates" everything.
func HasTerm(lang, english string) bool {
	if lang == English {
		return true
	}
	_, ok := catalogue[lang].Terms[english]
	return ok
}

// Month is the name of a month in the language, as running text writes
// it ("janvier", "Januar").
func Month(lang string, m time.Month) string {
	return T(lang, fmt.Sprintf("date.month.%02d", int(m)))
}

// Date writes a day in running text the way the language does: "2 January
// 2006", "2 de enero de 2006", "2 janvier 2006" (the first of the month
// "1er janvier"), "2. Januar 2006". Month names are written out so that
// the date cannot be misread in any country. An unsupported language is
// written as English.
func Date(lang string, t time.Time) string {
	if _, ok := catalogue[lang]; !ok {
		lang = English
	}
	month := Month(lang, t.Month())
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

// Number writes a whole number the way the language groups its digits:
// "12,345" in English, "12.345" in Spanish and German, "12 345" in French
// (a narrow no-break space, as the Imprimerie nationale sets it). Spanish
// leaves four digits ungrouped ("2500"), as the RAE recommends.
func Number(lang string, n int64) string {
	digits := fmt.Sprint(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	sep := ","
	switch lang {
	case "es", "de":
		sep = "."
	case "fr":
		sep = "\u202f"
	}
	if len(digits) <= 3 || lang == "es" && len(digits) == 4 {
		return sign + digits
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}

// Plural names the form a count takes in the language: "one" or "other".
// French treats zero as singular ("0 enregistrement"); English, Spanish
// and German use the singular for exactly one.
func Plural(lang string, n int64) string {
	if n == 1 || lang == "fr" && n == 0 {
		return "one"
	}
	return "other"
}
