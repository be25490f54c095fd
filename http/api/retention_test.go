package api_test

import (
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func TestHoldsMinorsAndSweeps(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ev := func(email, category, value, at string) {
			t.Helper()
			if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, `{"kind":"collection","subject":{"email":"`+email+`"},
				"category":"`+category+`","source":"online_channels","purpose":"essential.service","value":"`+value+`","occurred_at":"`+at+`"}`); status != 201 {
				t.Fatalf("event %d %s", status, b)
			}
		}
		ev("held@example.com", "user.location.precise", "51.5,-0.1", "2026-01-01T00:00:00Z")
		ev("free@example.com", "user.location.precise", "48.8,2.3", "2026-01-01T00:00:00Z")
		if status, _, b := f.do(t, "POST", "/api/v1/holds", custos.RoleIngest, `{"subject":{"email":"held@example.com"},"reason":"Case 1"}`); status != 403 {
			t.Fatalf("ingest placing a hold: %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/holds", custos.RolePrivacyOfficer, `{"subject":{"email":"held@example.com"},"reason":"Case 1"}`); status != 201 {
			t.Fatalf("hold %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/holds", custos.RolePrivacyOfficer, `{"subject":{"email":"nobody@example.com"},"reason":"Case 2"}`); status != 404 {
			t.Fatalf("hold on nobody %d %s", status, b)
		}
		status, _, b := f.do(t, "GET", "/api/v1/holds", custos.RoleAuditor, "")
		if status != 200 || !strings.Contains(string(b), `"reason":"Case 1"`) {
			t.Fatalf("holds %d %s", status, b)
		}
		// Precise location is kept 30 days: a dry run counts, the sweep erases all but the held.
		status, _, b = f.do(t, "POST", "/api/v1/retention/sweep", custos.RolePrivacyOfficer, `{"dry_run":true}`)
		if status != 200 || !strings.Contains(string(b), `"dry_run":true`) || !strings.Contains(string(b), `"events_erased":0`) {
			t.Fatalf("dry run %d %s", status, b)
		}
		status, _, b = f.do(t, "POST", "/api/v1/retention/sweep", custos.RolePrivacyOfficer, `{}`)
		if status != 200 || !strings.Contains(string(b), `"events_erased":1`) {
			t.Fatalf("sweep %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=free@example.com", custos.RoleAgent, ""); status != 404 {
			t.Fatalf("swept person still found: %d", status)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=held@example.com", custos.RoleAgent, ""); status != 200 {
			t.Fatalf("held person gone: %d", status)
		}
		status, _, b = f.do(t, "GET", "/api/v1/reports/retention", custos.RoleAuditor, "")
		if status != 200 || !strings.Contains(string(b), `"sweeps_by_month"`) || !strings.Contains(string(b), `"events_erased":1`) {
			t.Fatalf("retention report %d %s", status, b)
		}
		// A minor's report deletes at once; the deletion request is on record.
		ev("kid@example.com", "user.name", "Kid", "2026-05-01T00:00:00Z")
		status, _, b = f.do(t, "POST", "/api/v1/subjects/minor", custos.RolePrivacyOfficer, `{"subject":{"email":"kid@example.com"},"jurisdiction":"US-CA"}`)
		if status != 201 || !strings.Contains(string(b), `"deletion_request":"req_`) {
			t.Fatalf("minor %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=kid@example.com", custos.RoleAgent, ""); status != 404 {
			t.Fatalf("minor's data kept: %d", status)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/holds/release", custos.RolePrivacyOfficer, `{"subject":{"email":"held@example.com"}}`); status != 200 || !strings.Contains(string(b), `"released":1`) {
			t.Fatalf("release %d %s", status, b)
		}
	})
}
