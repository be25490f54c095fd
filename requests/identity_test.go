package requests_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func strongerManifest(t *testing.T) []byte {
	t.Helper()
	const at = "  metrics_scope: all_individuals\n"
	src := string(policy.Bundled())
	if !strings.Contains(src, at) {
		t.Fatal("no metrics_scope line in the bundled policy")
	}
	return []byte(strings.Replace(src, at, at+"  stronger_verification:\n    requests: [access, deletion]\n    categories: [user.name]\n    data_points: 1\n", 1))
}

// TestIdentityCheckLeftUndone: a code entered but a stronger identity
// check never completed is closed when the law's period runs out as the
// check fails — a request for specific pieces goes on as one for
// categories (11 CCR §7024(a)), a deletion is denied unverifiable — not
// with the "code never entered" text; an operator's intake needs no check.
func TestIdentityCheckLeftUndone(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnvWith(t, s, strongerManifest(t))
		ctx := context.Background()
		access := e.submitAndVerify(requests.Intake{Type: "access", Email: "ana@example.com", Jurisdiction: "US-CA"})
		deletion := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "bo@example.com", Jurisdiction: "US-CA"})
		for _, v := range []requests.Verified{access, deletion} {
			if v.Status != requests.StatusAwaitingVerification || v.IdentityCheck == nil || v.IdentityCheck.DataPoints != 1 {
				t.Fatalf("after the code %+v", v)
			}
		}
		e.clock.T = e.clock.T.AddDate(0, 0, 46)
		if n, err := e.svc.CloseUnverified(ctx); err != nil || n != 2 {
			t.Fatalf("closed %d, %v", n, err)
		}
		a, err := e.svc.Get(ctx, access.ID)
		if err != nil || a.Type != requests.TypeCategories || a.Status != requests.StatusPendingReview {
			t.Fatalf("access after the period: %+v, %v", a, err)
		}
		d, err := e.svc.Get(ctx, deletion.ID)
		if err != nil || d.Status != requests.StatusDenied || d.Decision == nil || d.Decision.Code != requests.DenyUnverifiable ||
			!strings.Contains(d.Decision.Text, "could not verify your identity") {
			t.Fatalf("deletion after the period: %+v, %v", d, err)
		}
	})
}
