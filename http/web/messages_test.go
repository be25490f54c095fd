package web

import (
	"regexp"
	"slices"
	"testing"
)

// placeholders finds a message's fmt verbs, in order: a translation must
// take the same arguments as the English one.
var placeholders = regexp.MustCompile(`%[a-z%]`)

// TestMissingTranslations checks every key exists in every language and
// takes the same placeholders there as in English.
func TestMissingTranslations(t *testing.T) {
	t.Parallel()
	for lang, msgs := range catalog {
		for key, en := range catalog["en"] {
			msg, ok := msgs[key]
			if !ok {
				t.Errorf("%s: key %q missing", lang, key)
				continue
			}
			if a, b := placeholders.FindAllString(en, -1), placeholders.FindAllString(msg, -1); !slices.Equal(a, b) {
				t.Errorf("%s: key %q has placeholders %v, English %v", lang, key, b, a)
			}
		}
		for key := range msgs {
			if _, ok := catalog["en"][key]; !ok {
				t.Errorf("%s: key %q not in English", lang, key)
			}
		}
	}
	for lang := range months {
		if _, ok := catalog[lang]; !ok {
			t.Errorf("months for %s, a language without a catalogue", lang)
		}
	}
}
