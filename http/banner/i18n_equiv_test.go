package banner

import (
	"maps"
	"testing"

	"github.com/custos-privacy/custos/internal/i18n"
)

// TestCatalogueEquivalence: the one catalogue's banner texts are the old
// ones, in every language.
func TestCatalogueEquivalence(t *testing.T) {
	t.Parallel()
	for l, want := range texts {
		if got := i18n.Namespace(l, "banner."); !maps.Equal(got, want) {
			t.Errorf("%s: old %v\nnew %v", l, want, got)
		}
	}
}
