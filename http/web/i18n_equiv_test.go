package web

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/custos-privacy/custos/internal/i18n"
)

// TestCatalogueEquivalence compares the old fmt catalogue with the one
// catalogue, key by key, in every language, with arguments filled.
func TestCatalogueEquivalence(t *testing.T) {
	t.Parallel()
	verb := regexp.MustCompile(`%[sd]`)
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for l, msgs := range catalog {
		for key := range catalog["en"] {
			en, _ := i18n.Lookup("en", "web."+key)
			names := ph.FindAllString(en, -1)
			var pos, pairs []any
			for i, v := range verb.FindAllString(catalog["en"][key], -1) {
				var val any = fmt.Sprintf("v%d", i)
				if v == "%d" {
					val = 3 + i
				}
				pos = append(pos, val)
				pairs = append(pairs, names[i][1:len(names[i])-1], val)
			}
			_ = msgs
			if old, got := translator(l)(key, pos...), i18n.T(l, "web."+key, pairs...); old != got {
				t.Errorf("%s %s: old %q, new %q", l, key, old, got)
			}
		}
		for m := time.January; m <= time.December; m++ {
			for _, d := range []int{1, 2, 31} {
				day := time.Date(2026, m, d, 0, 0, 0, 0, time.UTC)
				if old, got := date(l, day), newDate(l, day); old != got {
					t.Errorf("%s %s: old %q, new %q", l, day, old, got)
				}
			}
		}
	}
}
