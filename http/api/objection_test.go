package api_test

import (
	"encoding/json"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestObjectionThroughAPI: a general objection recorded through the API
// (scope "objection", GDPR Art. 21(1)) stops purposes on legitimate
// interests without compelling grounds, and decisions say "objected"; a
// purpose with compelling grounds in the manifest goes on.
func TestObjectionThroughAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		decide := func(purpose string) map[string]any {
			t.Helper()
			status, _, b := f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest,
				`{"subject":{"email":"eva@example.com"},"purpose":"`+purpose+`","jurisdiction":"DE"}`)
			var out map[string]any
			if status != 200 || json.Unmarshal(b, &out) != nil {
				t.Fatalf("decision %d %s", status, b)
			}
			return out
		}
		if d := decide("analytics.reporting"); d["allowed"] != true || d["reason"] != "legitimate_interests" {
			t.Fatalf("before the objection: %v", d)
		}
		status, _, b := f.do(t, "POST", "/api/v1/consents", custos.RoleIngest,
			`{"subject":{"email":"eva@example.com"},"purpose":"objection","granted":false,"jurisdiction":"DE","method":"web_form"}`)
		if status != 201 {
			t.Fatalf("objection %d %s", status, b)
		}
		if d := decide("analytics.reporting"); d["allowed"] != false || d["reason"] != "objected" || d["basis"] != "legitimate_interests" {
			t.Fatalf("after the objection: %v", d)
		}
		if d := decide("essential.fraud_detection"); d["allowed"] != true || d["reason"] != "legitimate_interests" {
			t.Fatalf("compelling grounds: %v", d)
		}
	})
}
