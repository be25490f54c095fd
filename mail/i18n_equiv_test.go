package mail

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/custos-privacy/custos/internal/i18n"
)

// TestCatalogueEquivalence compares the old mail catalogue with the one
// catalogue, phrase by phrase, term by term and date by date.
func TestCatalogueEquivalence(t *testing.T) {
	t.Parallel()
	verb := regexp.MustCompile(`%[sd]`)
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, l := range Languages() {
		for key, msg := range catalogues[LanguageEnglish].Phrases {
			en, _ := i18n.Lookup("en", "mail."+key)
			names := ph.FindAllString(en, -1)
			var pos, pairs []any
			for i, v := range verb.FindAllString(msg, -1) {
				var val any = fmt.Sprintf("v%d", i)
				if v == "%d" {
					val = 3 + i
				}
				pos = append(pos, val)
				pairs = append(pairs, names[i][1:len(names[i])-1], val)
			}
			if old, got := Text(l, key, pos...), i18n.T(l, "mail."+key, pairs...); old != got {
				t.Errorf("%s %s: old %q, new %q", l, key, old, got)
			}
		}
		for english := range catalogues["es"].Terms {
			if old, got := Term(l, english), i18n.Term(l, english); old != got || HasTerm(l, english) != i18n.HasTerm(l, english) {
				t.Errorf("%s term %q: old %q, new %q", l, english, old, got)
			}
		}
		if Term(l, "Acme law") != i18n.Term(l, "Acme law") || HasTerm(l, "Acme law") != i18n.HasTerm(l, "Acme law") {
			t.Errorf("%s: unknown term differs", l)
		}
		for m := time.January; m <= time.December; m++ {
			for _, d := range []int{1, 2, 31} {
				day := time.Date(2026, m, d, 0, 0, 0, 0, time.UTC)
				if old, got := FormatDate(l, day), i18n.Date(l, day); old != got {
					t.Errorf("%s %s: old %q, new %q", l, day, old, got)
				}
			}
		}
	}
}
