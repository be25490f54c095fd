package cli

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadBuildInfo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want []string
	}{
		{"no build info", nil, false, []string{"custos (devel)", "commit  unknown", "date    unknown"}},
		{"installed at a version", &debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "v0.3.0"}},
			true, []string{"custos v0.3.0", "go      go1.25.0"}},
		{"built in a checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-02T18:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}, true, []string{"custos (devel)", "commit  0123abcd (with uncommitted changes)", "date    2026-12-02T18:00:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := readBuildInfo(c.bi, c.ok).String()
			for _, w := range c.want {
				if !strings.Contains(got, w+"\n") {
					t.Errorf("version output lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// The version command answers without a database or key file, and creates
// neither.
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	dir, vars := dataDir(t)
	code, out, errOut := run(t, vars, "version")
	if code != 0 || !strings.HasPrefix(out, "custos ") || !strings.Contains(out, "\ncommit  ") {
		t.Fatalf("version: exit %d, out %q, err %q", code, out, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("version created files: %v", entries)
	}
}
