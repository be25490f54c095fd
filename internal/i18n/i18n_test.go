package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// placeholderRE finds a message's {name} placeholders.
var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

func placeholders(msg string) []string {
	out := placeholderRE.FindAllString(msg, -1)
	slices.Sort(out)
	return slices.Compact(out)
}

// namespaces are the callers' prefixes: a key outside them is a typo.
var namespaces = []string{"web.", "banner.", "mail.", "answer.", "date.", "notice."}

// TestMissingTranslations (after miniflux's): every language has exactly
// English's keys, none empty or left as a placeholder, each with the same
// set of {placeholders} as English; every key is in a caller's namespace;
// every language but English translates the same names, keeping their web
// addresses; and no message holds a stray brace or a fmt verb, which
// would be the other syntax creeping back.
func TestMissingTranslations(t *testing.T) {
	t.Parallel()
	en := catalogue[English].Messages
	if len(en) < 100 {
		t.Fatalf("English has %d messages: the catalogue did not load", len(en))
	}
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	urlRE := regexp.MustCompile(`https?://[^)\s]+`)
	for _, l := range Languages() {
		t.Run(l, func(t *testing.T) {
			t.Parallel()
			msgs := catalogue[l].Messages
			for key, want := range en {
				got, ok := msgs[key]
				if !ok || strings.TrimSpace(got) == "" {
					t.Errorf("%s lacks %q", l, key)
					continue
				}
				if a, b := placeholders(got), placeholders(want); !slices.Equal(a, b) {
					t.Errorf("%s %q has placeholders %v, English %v", l, key, a, b)
				}
			}
			for key, msg := range msgs {
				if _, ok := en[key]; !ok {
					t.Errorf("%s has %q, which English lacks", l, key)
				}
				if !slices.ContainsFunc(namespaces, func(ns string) bool { return strings.HasPrefix(key, ns) }) {
					t.Errorf("%s key %q is in none of the namespaces %v", l, key, namespaces)
				}
				if strings.Contains(msg, "TODO") { // upper case only: "todo" is Spanish for "all"
					t.Errorf("%s %q is a placeholder: %q", l, key, msg)
				}
				if v := verb.FindString(msg); v != "" {
					t.Errorf("%s %q holds the fmt verb %s: placeholders are {name}", l, key, v)
				}
				if strings.Count(msg, "{") != len(placeholderRE.FindAllString(msg, -1)) || strings.Count(msg, "}") != strings.Count(msg, "{") {
					t.Errorf("%s %q has a brace that is no {placeholder}: %q", l, key, msg)
				}
			}
			for english, tr := range catalogue[l].Terms {
				// A term keeps every web address of the English: it is
				// where the person complains.
				for _, u := range urlRE.FindAllString(english, -1) {
					if !strings.Contains(tr, u) {
						t.Errorf("%s term for %q drops %s: %q", l, english, u, tr)
					}
				}
			}
		})
	}
	if n := len(catalogue[English].Terms); n != 0 {
		t.Errorf("English translates %d names: its names are the law table's own", n)
	}
	want := slices.Sorted(mapKeys(catalogue["es"].Terms))
	if len(want) == 0 {
		t.Error("Spanish translates no names")
	}
	for _, l := range Languages()[1:] {
		if got := slices.Sorted(mapKeys(catalogue[l].Terms)); !slices.Equal(got, want) {
			t.Errorf("%s translates %d names, es %d: they differ", l, len(got), len(want))
		}
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestT(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, lang, key string
		args            []any
		want            string
	}{
		{"plain", "en", "web.code.label", nil, "Code"},
		{"translated", "de", "web.code.label", nil, "Code"},
		{"one placeholder", "en", "web.result.disclosed_to", []any{"recipient", "Acme"}, "Disclosed to Acme"},
		{"two placeholders", "en", "web.identity.intro", []any{"org", "Shop", "count", 2},
			"This request needs more than the code. Give at least 2 of these details, as you gave them to Shop: we compare them with what we hold, and keep none of them."},
		{"pairs in any order", "es", "mail.period.and", []any{"second", "B", "first", "A"}, "A y B"},
		{"unfilled stays", "en", "web.result.disclosed_to", []any{"other", "x"}, "Disclosed to {recipient}"},
		{"no args", "en", "web.result.disclosed_to", nil, "Disclosed to {recipient}"},
		{"odd pair ignored", "en", "web.result.disclosed_to", []any{"recipient"}, "Disclosed to {recipient}"},
		{"unknown language falls back", "pt", "web.code.confirm", nil, "Confirm"},
		{"unknown key is itself", "fr", "web.no.such.key", nil, "web.no.such.key"},
		{"value is not parsed again", "en", "web.result.disclosed_to", []any{"recipient", "{recipient}"}, "Disclosed to {recipient}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := T(c.lang, c.key, c.args...); got != c.want {
				t.Errorf("T(%q, %q, %v) = %q, want %q", c.lang, c.key, c.args, got, c.want)
			}
		})
	}
}

func TestLookupNamespace(t *testing.T) {
	t.Parallel()
	if _, ok := Lookup("fr", "web.nope"); ok {
		t.Error("Lookup found a key that does not exist")
	}
	for _, l := range Languages() {
		ns := Namespace(l, "banner.")
		if len(ns) == 0 || ns["title"] == "" {
			t.Fatalf("%s banner namespace: %v", l, ns)
		}
		for k := range ns {
			if strings.Contains(k, ".") {
				t.Errorf("%s: key %q keeps its prefix", l, k)
			}
		}
		if got, want := len(ns), len(Namespace(English, "banner.")); got != want {
			t.Errorf("%s has %d banner texts, English %d", l, got, want)
		}
	}
	if !HasPrefix("web.status.") || HasPrefix("web.nope.") {
		t.Error("HasPrefix is wrong")
	}
	if l, ok := Supported("DE"); !ok || l != "de" {
		t.Errorf(`Supported("DE") = %q, %v`, l, ok)
	}
	if _, ok := Supported("pt"); ok {
		t.Error("pt is not supported")
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, time.March, 7, 0, 0, 0, 0, time.UTC)
	first := time.Date(2026, time.August, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		lang string
		t    time.Time
		want string
	}{
		{"en", day, "7 March 2026"}, {"es", day, "7 de marzo de 2026"}, {"fr", day, "7 mars 2026"},
		{"de", day, "7. März 2026"}, {"fr", first, "1er août 2026"}, {"en", first, "1 August 2026"},
		{"pt", day, "7 March 2026"},
		// The mails' cases (formerly mail.TestFormatDate).
		{"en", time.Date(2026, time.August, 7, 23, 0, 0, 0, time.UTC), "7 August 2026"},
		{"es", time.Date(2026, time.July, 1, 0, 0, 0, 0, time.UTC), "1 de julio de 2026"},
		{"fr", time.Date(2026, time.July, 1, 0, 0, 0, 0, time.UTC), "1er juillet 2026"},
		{"de", time.Date(2026, time.July, 1, 0, 0, 0, 0, time.UTC), "1. Juli 2026"},
		{"fr", time.Date(2026, time.August, 7, 0, 0, 0, 0, time.UTC), "7 août 2026"},
		{"xx", time.Date(2026, time.July, 1, 0, 0, 0, 0, time.UTC), "1 July 2026"},
	}
	for _, c := range cases {
		if got := Date(c.lang, c.t); got != c.want {
			t.Errorf("Date(%s, %s) = %q, want %q", c.lang, c.t.Format(time.DateOnly), got, c.want)
		}
	}
}

// Numbers are grouped as each language groups digits; Spanish leaves four
// digits alone.
func TestNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 7, "7"}, {"en", 1234, "1,234"}, {"en", 1234567, "1,234,567"}, {"en", -12345, "-12,345"},
		{"es", 2500, "2500"}, {"es", 12345, "12.345"},
		{"fr", 1234, "1\u202f234"}, {"de", 1234567, "1.234.567"}, {"xx", 1234, "1,234"},
	}
	for _, c := range cases {
		if got := Number(c.lang, c.n); got != c.want {
			t.Errorf("Number(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

// French counts zero as one; the others only one.
func TestPlural(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 0, "other"}, {"en", 1, "one"}, {"en", 2, "other"}, {"fr", 0, "one"}, {"fr", 1, "one"}, {"fr", 2, "other"},
		{"de", 1, "one"}, {"es", 0, "other"},
	}
	for _, c := range cases {
		if got := Plural(c.lang, c.n); got != c.want {
			t.Errorf("Plural(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
