package policy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite the notice goldens in testdata/golden")

// goldenCases are the notices whose English rendering is kept byte for
// byte in testdata/golden: the words moved into the catalogue, and a page
// in another language may not change the English one by a character.
func goldenCases(t *testing.T) []struct {
	name string
	m    *Manifest
	opts RenderOptions
} {
	t.Helper()
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	acme, err := l.Parse("acme.yaml", []byte(acmeManifest))
	if err != nil {
		t.Fatal(err)
	}
	directed, err := l.Parse("acme.yaml", []byte(strings.NewReplacer(
		"directed_to_children: false", "directed_to_children: true",
		"fee: none", "fee: permitted_by_law\n  verify_identity: true\n  complaint: true\n  unsubscribe: true",
	).Replace(acmeManifest)))
	if err != nil {
		t.Fatal(err)
	}
	full := RenderOptions{
		Version: 3, Center: "/privacy-center", Preferences: "/privacy-center/preferences",
		Upcoming: []Upcoming{{EffectiveAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Changes: []string{"Who we share it with — Sponsors: new recipient"}}},
	}
	return []struct {
		name string
		m    *Manifest
		opts RenderOptions
	}{
		{"bundled", bundledPolicy(t).Manifest, RenderOptions{}},
		{"bundled-center", bundledPolicy(t).Manifest, full},
		{"acme", acme.Manifest, RenderOptions{}},
		{"acme-center", acme.Manifest, RenderOptions{Center: "https://acme.example/privacy-center"}},
		{"acme-directed", directed.Manifest, full},
	}
}

func TestRenderEnglishGolden(t *testing.T) {
	t.Parallel()
	for _, c := range goldenCases(t) {
		for _, format := range formats {
			path := filepath.Join("testdata", "golden", c.name+".en."+format)
			got := render(t, c.m, format, c.opts)
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s: the English notice changed:\n%s", path, firstDifference(string(want), got))
			}
		}
	}
}

// firstDifference shows where two renderings part, with a little context.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-80)
	return "want …" + want[from:min(len(want), i+80)] + "…\ngot  …" + got[from:min(len(got), i+80)] + "…"
}
