package banner

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/internal/i18n"
)

// TestBannerKeysExist: every text the scripts ask for (t('title'),
// t(optIn ? 'desc_in' : 'desc_out')) is a banner.* message of the one
// catalogue, and every banner message is asked for. That every language
// has every message with English's placeholders is internal/i18n's
// TestMissingTranslations.
func TestBannerKeysExist(t *testing.T) {
	t.Parallel()
	for _, tag := range textLanguages {
		b, _ := tag.Base()
		if _, ok := i18n.Supported(b.String()); !ok {
			t.Errorf("the banner offers %s, which the catalogue does not have", b)
		}
	}
	call := regexp.MustCompile(`\bt\(([^()]*)\)`)
	quoted := regexp.MustCompile(`'([a-z_]+)'`)
	var used []string
	for _, js := range [][]byte{scriptSource, iabSource} {
		for _, c := range call.FindAllStringSubmatch(string(js), -1) {
			for _, q := range quoted.FindAllStringSubmatch(c[1], -1) {
				used = append(used, q[1])
			}
		}
	}
	slices.Sort(used)
	used = slices.Compact(used)
	if len(used) < 15 {
		t.Fatalf("found %d texts in the scripts: the scan is wrong", len(used))
	}
	var have []string
	for _, k := range i18n.Keys() {
		if rest, ok := strings.CutPrefix(k, "banner."); ok {
			have = append(have, rest)
		}
	}
	for _, k := range used {
		if !slices.Contains(have, k) {
			t.Errorf("the script asks for %q, which is not in the catalogue", "banner."+k)
		}
	}
	for _, k := range have {
		if !slices.Contains(used, k) {
			t.Errorf("banner.%s is in the catalogue but no script asks for it", k)
		}
	}
}
