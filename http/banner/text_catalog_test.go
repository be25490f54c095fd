package banner

import (
	"regexp"
	"slices"
	"testing"

	"golang.org/x/text/language"
)

// textPlaceholders finds a banner text's {name} placeholders, in order.
var textPlaceholders = regexp.MustCompile(`\{[a-z_]+\}`)

// TestMissingTranslations checks every banner text exists in every
// language the banner offers and takes the same placeholders as English.
func TestMissingTranslations(t *testing.T) {
	t.Parallel()
	for _, tag := range textLanguages {
		b, _ := tag.Base()
		if _, ok := texts[b.String()]; !ok {
			t.Errorf("no texts for offered language %s", b)
		}
	}
	for lang, msgs := range texts {
		if _, err := language.ParseBase(lang); err != nil {
			t.Errorf("%s: not a language: %v", lang, err)
		}
		for key, en := range texts["en"] {
			msg, ok := msgs[key]
			if !ok {
				t.Errorf("%s: key %q missing", lang, key)
				continue
			}
			if a, b := textPlaceholders.FindAllString(en, -1), textPlaceholders.FindAllString(msg, -1); !slices.Equal(a, b) {
				t.Errorf("%s: key %q has placeholders %v, English %v", lang, key, b, a)
			}
		}
		for key := range msgs {
			if _, ok := texts["en"][key]; !ok {
				t.Errorf("%s: key %q not in English", lang, key)
			}
		}
	}
}
