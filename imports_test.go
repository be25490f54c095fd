package custos_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportBoundaries: the root package knows nothing of storage or HTTP
// (the status table is in http/httperr), and the runner of requests in
// connected systems knows no connector concretely (the webhook's answers
// come in through connected.Answers) nor HTTP (callbacks arrive as bytes).
func TestImportBoundaries(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to list imports with")
	}
	cases := []struct {
		pkg    string
		banned []string
		needed []string // shows the listing sees imports at all
	}{
		{".", []string{"net/http", "database/sql", "github.com/custos-privacy/custos/store"}, []string{"errors"}},
		{"./connected", []string{"net/http", "github.com/custos-privacy/custos/connector/webhook"}, []string{"github.com/custos-privacy/custos/connector"}},
		{"./http/httperr", nil, []string{"net/http", "github.com/custos-privacy/custos"}},
	}
	for _, c := range cases {
		out, err := exec.Command(goTool, "list", "-deps", c.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", c.pkg, err)
		}
		deps := strings.Fields(string(out))
		for _, b := range c.banned {
			if slices.Contains(deps, b) {
				t.Errorf("%s imports %s", c.pkg, b)
			}
		}
		for _, n := range c.needed {
			if !slices.Contains(deps, n) {
				t.Errorf("go list -deps %s lacks %s", c.pkg, n)
			}
		}
	}
}
