package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestYAMLGuardOnTheAPI: every route that reads YAML answers an over-large
// body 413 and an over-deep document 422 with its line and column, before
// the parser sees it; validating a manifest takes a privacy officer or an
// admin.
func TestYAMLGuardOnTheAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		manifest := func(src string) string {
			b, _ := json.Marshal(map[string]any{"manifest": src})
			return string(b)
		}
		deep := strings.Repeat("[", 100_000)
		type problemBody struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
			Problems []struct {
				Line   int `json:"line"`
				Column int `json:"column"`
			} `json:"problems"`
		}
		tests := []struct {
			name        string
			path        string
			role        custos.Role
			contentType string
			body        string
			status      int
			code        string
			line, col   int // of the problem, when there is one
		}{
			{"deep manifest on validate", "/api/v1/policy/validate", custos.RolePrivacyOfficer, "application/json", manifest(deep), 422, "too_deep", 1, 65},
			{"deep manifest on publish", "/api/v1/policy/versions", custos.RoleAdmin, "application/json", manifest("a: b\nc:\n  d: " + deep), 422, "too_deep", 3, 6 + 62},
			{"deep dataset", "/api/v1/datasets?name=deep.yml", custos.RoleAdmin, "application/yaml", "dataset:\n  - " + deep, 422, "too_deep", 2, 5 + 98},
			{"manifest over its limit", "/api/v1/policy/validate", custos.RoleAdmin, "application/json", manifest(strings.Repeat("#", policy.MaxBytes+1)), 413, "too_large", 1, policy.MaxBytes + 1},
			{"body over its limit on validate", "/api/v1/policy/validate", custos.RoleAdmin, "application/json", manifest(strings.Repeat("#", 2*policy.MaxBytes)), 413, "too_large", 0, 0},
			{"body over its limit on publish", "/api/v1/policy/versions", custos.RoleAdmin, "application/json", manifest(strings.Repeat("#", 2*policy.MaxBytes)), 413, "too_large", 0, 0},
			{"dataset over its limit", "/api/v1/datasets", custos.RoleAdmin, "application/yaml", strings.Repeat("#", dataset.MaxBytes+1), 413, "too_large", 0, 0},
			{"alias bomb", "/api/v1/policy/validate", custos.RoleAdmin, "application/json", manifest(laughs), 422, "too_many_nodes", 6, 10},
			{"agent may not validate", "/api/v1/policy/validate", custos.RoleAgent, "application/json", manifest("a: 1"), 403, "forbidden", 0, 0},
			{"ingest may not validate", "/api/v1/policy/validate", custos.RoleIngest, "application/json", manifest(deep), 403, "forbidden", 0, 0},
			{"auditor may not validate", "/api/v1/policy/validate", custos.RoleAuditor, "application/json", manifest("a: 1"), 403, "forbidden", 0, 0},
		}
		for _, tt := range tests {
			status, _, b := f.send(t, "POST", tt.path, tt.role, tt.contentType, tt.body)
			if status != tt.status || errorCode(t, b) != tt.code {
				t.Errorf("%s: %d %.300s", tt.name, status, b)
				continue
			}
			if tt.line == 0 {
				continue
			}
			var got problemBody
			if err := json.Unmarshal(b, &got); err != nil || len(got.Problems) != 1 ||
				got.Problems[0].Line != tt.line || got.Problems[0].Column != tt.col {
				t.Errorf("%s: problems %.300s", tt.name, b)
			}
		}
		// Within the limits, validation works for an officer as before.
		status, _, b := f.send(t, "POST", "/api/v1/policy/validate", custos.RolePrivacyOfficer, "application/json", manifest(string(policy.Bundled())))
		if status != http.StatusOK || !strings.Contains(string(b), `"valid":true`) {
			t.Fatalf("bundled manifest: %d %s", status, b)
		}
	})
}

const laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" +
	"a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n" +
	"a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\n" +
	"a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\n" +
	"a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\n" +
	"a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\n"
