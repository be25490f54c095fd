package requests_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func count(t *testing.T, s *store.Store, query string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUnverifiedIntakeOnlyRestricts: before its code is entered a request
// proves nothing about who sent it, so it creates no subject and writes no
// one's consent. It may only restrict: an opt-out (or GPC) and an
// objection are kept by the address's blind index and apply to whoever has
// the address, now or later; a GPC signal with another request is the
// browser's, recorded for its device id alone.
func TestUnverifiedIntakeOnlyRestricts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		const device = "dev_0123456789abcdefgh"
		decide := func(email, purpose string) string {
			t.Helper()
			d, err := e.consent.DecideFor(custos.SubjectRef{Email: email}, "", purpose, "", "US")
			if err != nil {
				t.Fatal(err)
			}
			return d.Reason
		}
		// A known person with a consent of their own.
		e.seed("known@example.com", collected("user.name", "Known"))
		e.seed("known2@example.com", collected("user.name", "Known"))
		cases := []struct {
			name    string
			in      requests.Intake
			gpc     bool
			known   bool
			scopes  string // suppressions kept by the address, sorted
			devices int    // consent entries for the device
			// decisions for third_party_sharing and marketing.communications
			// once the person is (or becomes) known
			sale, marketing string
		}{
			{"GPC with an access request, no device", requests.Intake{Type: "access", Email: "stranger1@example.com"}, true, false, "", 0, "not_opted_out", "legitimate_interests"},
			{"GPC with a deletion request, a device", requests.Intake{Type: "deletion", Email: "stranger2@example.com", DeviceID: device}, true, false, "", 1, "not_opted_out", "legitimate_interests"},
			{"opt-out by a stranger", requests.Intake{Type: "opt_out", Email: "stranger3@example.com"}, false, false, "sale_sharing", 0, "opted_out", "legitimate_interests"},
			{"objection with GPC", requests.Intake{Type: "objection", Email: "stranger4@example.com"}, true, false, "direct_marketing,sale_sharing", 0, "opted_out", "opted_out"},
			{"opt-out for a known person", requests.Intake{Type: "opt_out", Email: "known@example.com"}, false, true, "sale_sharing", 0, "opted_out", "legitimate_interests"},
			{"GPC with access for a known person", requests.Intake{Type: "access", Email: "known2@example.com"}, true, true, "", 0, "not_opted_out", "legitimate_interests"},
		}
		for _, c := range cases {
			c.in.Jurisdiction = "US-CA"
			subjects := count(t, s, `SELECT COUNT(*) FROM subjects`)
			ledger := count(t, s, `SELECT COUNT(*) FROM consent_events WHERE principal NOT LIKE 'device:%'`)
			devices := count(t, s, `SELECT COUNT(*) FROM consent_events WHERE principal = 'device:`+device+`'`)
			if _, err := e.svc.Submit(ctx, c.in, "192.0.2.10", c.gpc); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := count(t, s, `SELECT COUNT(*) FROM subjects`); got != subjects {
				t.Errorf("%s: intake created %d subjects", c.name, got-subjects)
			}
			if got := count(t, s, `SELECT COUNT(*) FROM consent_events WHERE principal NOT LIKE 'device:%'`); got != ledger {
				t.Errorf("%s: intake wrote %d entries in a person's ledger", c.name, got-ledger)
			}
			if got := count(t, s, `SELECT COUNT(*) FROM consent_events WHERE principal = 'device:`+device+`'`) - devices; got != c.devices {
				t.Errorf("%s: %d entries for the device, want %d", c.name, got, c.devices)
			}
			blind := e.records.Blind(custos.IdentityEmail, c.in.Email)
			rows, err := s.DB().QueryContext(ctx, `SELECT scope FROM suppressions WHERE blind = $1 ORDER BY scope`, blind)
			if err != nil {
				t.Fatal(err)
			}
			var scopes []string
			for rows.Next() {
				var sc string
				_ = rows.Scan(&sc)
				scopes = append(scopes, sc)
			}
			rows.Close()
			if got := strings.Join(scopes, ","); got != c.scopes {
				t.Errorf("%s: suppressions %q, want %q", c.name, got, c.scopes)
			}
			if !c.known {
				// The person turns up later, by an event of the company's.
				e.seed(c.in.Email, collected("user.name", "Later"))
			} else if st, err := e.consent.StateOf(ctx, "test", custos.SubjectRef{Email: c.in.Email}, ""); err != nil || len(st.History) != 0 {
				t.Errorf("%s: the person's ledger = %+v, %v", c.name, st.History, err)
			}
			if got := decide(c.in.Email, "third_party_sharing"); got != c.sale {
				t.Errorf("%s: sale decision %s, want %s", c.name, got, c.sale)
			}
			if got := decide(c.in.Email, "marketing.communications"); got != c.marketing {
				t.Errorf("%s: marketing decision %s, want %s", c.name, got, c.marketing)
			}
		}
		d, err := e.consent.DecideFor(custos.SubjectRef{}, device, "third_party_sharing", "", "US")
		if err != nil || d.Reason != "opted_out" {
			t.Fatalf("the device's GPC: %+v, %v", d, err)
		}
		if _, err := e.svc.Submit(ctx, requests.Intake{Type: "access", Email: "x@example.com", Jurisdiction: "US", DeviceID: "no"}, "192.0.2.10", true); custos.AsError(err).Field != "device_id" {
			t.Fatalf("a malformed device id: %v", err)
		}
	})
}

// TestLimitPerAddressAndClient: someone asking for a person's address five
// times from one client is stopped there, but does not lock the person out
// elsewhere; and a person who proves the address is not counted.
func TestLimitPerAddressAndClient(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		in := requests.Intake{Type: "access", Email: "victim@example.com", Jurisdiction: "US-CA"}
		const attacker, victim = "198.51.100.66", "203.0.113.7"
		for i := 0; i < 5; i++ {
			if _, err := e.svc.Submit(ctx, in, attacker, false); err != nil {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		if _, err := e.svc.Submit(ctx, in, attacker, false); custos.ErrorCode(err) != "rate_limited" {
			t.Fatalf("a sixth attempt from one client: %v", err)
		}
		// The victim, from their own client, asks and proves the address.
		id, err := e.svc.Submit(ctx, in, victim, false)
		if err != nil {
			t.Fatalf("the victim is locked out: %v", err)
		}
		v, err := e.svc.Verify(ctx, id, e.code(in.Email))
		if err != nil || v.Status != requests.StatusPendingReview {
			t.Fatalf("the victim's verification = %+v, %v", v, err)
		}
		// Proven attempts do not count: a person who verifies each request
		// is never stopped by the limit of unproven ones.
		other := requests.Intake{Type: "deletion", Email: "busy@example.com", Jurisdiction: "GB"}
		for i := 0; i < 7; i++ {
			id, err := e.svc.Submit(ctx, other, victim, false)
			if err != nil {
				t.Fatalf("verified attempt %d: %v", i+1, err)
			}
			if _, err := e.svc.Verify(ctx, id, e.code(other.Email)); err != nil {
				t.Fatalf("verify %d: %v", i+1, err)
			}
		}
		// The preferences page: the same rule.
		for i := 0; i < 5; i++ {
			if _, err := e.svc.SendPreferencesCode(ctx, "victim@example.com", attacker, ""); err != nil {
				t.Fatalf("preferences attempt %d: %v", i+1, err)
			}
		}
		if _, err := e.svc.SendPreferencesCode(ctx, "victim@example.com", attacker, ""); custos.ErrorCode(err) != "rate_limited" {
			t.Fatalf("a sixth preferences code from one client: %v", err)
		}
		ticket, err := e.svc.SendPreferencesCode(ctx, "victim@example.com", victim, "")
		if err != nil {
			t.Fatalf("the victim is locked out of preferences: %v", err)
		}
		if err := e.svc.CheckPreferencesCode("victim@example.com", ticket, e.code("victim@example.com")); err != nil {
			t.Fatalf("the victim's preferences code: %v", err)
		}
		for i := 0; i < 6; i++ {
			ticket, err := e.svc.SendPreferencesCode(ctx, "busy@example.com", victim, "")
			if err != nil {
				t.Fatalf("proven preferences attempt %d: %v", i+1, err)
			}
			if err := e.svc.CheckPreferencesCode("busy@example.com", ticket, e.code("busy@example.com")); err != nil {
				t.Fatalf("preferences code %d: %v", i+1, err)
			}
		}
	})
}
