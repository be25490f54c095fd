package requests_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// publishLaws puts the bundled manifest with a laws: section in force now.
func (e *env) publishLaws(laws string) {
	e.t.Helper()
	src := strings.Replace(string(policy.Bundled()), `last_updated: "2020-10-29"`, `last_updated: "2026-03-06"`, 1) + "\nlaws:\n" + laws
	if _, err := e.wired.Policies.Publish(context.Background(), "test", "laws.yaml", []byte(src), e.clock.Now(), true); err != nil {
		e.t.Fatal(err)
	}
}

func lawEvents(t *testing.T, s *store.Store, id string) []store.RequestEvent {
	t.Helper()
	evs, err := s.RequestEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.RequestEvent
	for _, ev := range evs {
		if ev.Action == "law_recomputed" {
			out = append(out, ev)
		}
	}
	return out
}

func TestRecompute(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		// Received Friday 6 March 2026: GDPR 1 month (6 April), extended
		// to 3 months from receipt (6 June).
		de := e.submitAndVerify(requests.Intake{Type: requests.TypeAccess, Email: "dora@example.com", Jurisdiction: "DE"})
		if _, err := e.svc.Extend(ctx, "officer", de.ID, "Your records are in three archived systems."); err != nil {
			t.Fatal(err)
		}
		// An Oregonian whose row predates digests and whose deadline is as
		// the table gives it now.
		or := e.submitAndVerify(requests.Intake{Type: requests.TypeDeletion, Email: "otto@example.com", Jurisdiction: "US-OR"})
		// A Swiss request computed under an older table (45 days).
		ch := e.submitAndVerify(requests.Intake{Type: requests.TypeAccess, Email: "clara@example.com", Jurisdiction: "CH"})
		// A closed request is left alone.
		closed := e.submitAndVerify(requests.Intake{Type: requests.TypeAccess, Email: "cleo@example.com", Jurisdiction: "CH"})
		if _, err := e.svc.Deny(ctx, "officer", closed.ID, requests.DenyOther, "We hold no data about you at all."); err != nil {
			t.Fatal(err)
		}
		received := e.clock.Now().UTC().Truncate(time.Microsecond)
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			for id, due := range map[string]time.Time{or.ID: received.AddDate(0, 0, 45), ch.ID: received.AddDate(0, 0, 45), closed.ID: received.AddDate(0, 0, 45)} {
				r, err := tx.RequestForUpdate(ctx, id)
				if err != nil {
					return err
				}
				r.LawDigest, r.DueAt = "", due
				if err := tx.UpdateRequest(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		n, err := e.svc.Recompute(ctx)
		// The German request's digest is current; the other two are not.
		if err != nil || n.Checked != 3 || n.Changed != 2 || n.Earlier != 1 {
			t.Fatalf("first pass %+v, %v", n, err)
		}
		if r, _ := s.Request(ctx, ch.ID); !r.DueAt.Equal(received.AddDate(0, 0, 30)) || !strings.Contains(r.LawFlag, "moved earlier") ||
			len(lawEvents(t, s, ch.ID)) != 1 {
			t.Fatalf("Swiss request %+v", r)
		}
		if r, _ := s.Request(ctx, or.ID); r.LawDigest == "" || r.LawFlag != "" || len(lawEvents(t, s, or.ID)) != 0 {
			t.Fatalf("Oregon request %+v %v", r, lawEvents(t, s, or.ID))
		}
		if r, _ := s.Request(ctx, closed.ID); r.LawDigest != "" || !r.DueAt.Equal(received.AddDate(0, 0, 45)) {
			t.Fatalf("closed request changed %+v", r)
		}
		// Once: nothing left to do.
		if n, err := e.svc.Recompute(ctx); err != nil || n.Changed != 0 {
			t.Fatalf("second pass %+v, %v", n, err)
		}

		// Counsel allows one month of extension in the EEA: the extended
		// date moves earlier, to 2 months from receipt.
		e.publishLaws("  EEA:\n    - rule: extension\n      value: 1 month\n      reason: Counsel allows one further month only.\n")
		n, err = e.svc.Recompute(ctx)
		if err != nil || n.Changed != 1 || n.Earlier != 1 { // the German request only
			t.Fatalf("pass after the override %+v, %v", n, err)
		}
		r, _ := s.Request(ctx, de.ID)
		if r.ExtendedUntil == nil || !r.ExtendedUntil.Equal(time.Date(2026, 5, 6, 15, 0, 0, 0, time.UTC)) ||
			!r.DueAt.Equal(time.Date(2026, 4, 6, 15, 0, 0, 0, time.UTC)) || !strings.Contains(r.LawFlag, "from 6 June 2026 to 6 May 2026") {
			t.Fatalf("German request %+v", r)
		}
		evs := lawEvents(t, s, de.ID)
		if len(evs) != 1 || !strings.Contains(evs[0].Note, "overridden by the manifest: Counsel allows one further month only.") {
			t.Fatalf("history %+v", evs)
		}
		// Lifting the override would give back 3 months: the person keeps
		// the date they were told.
		e.publishLaws("  US-TX:\n    - rule: deadline\n      value: 40 days\n      reason: Counsel wants answers sooner in Texas.\n")
		if _, err := e.svc.Recompute(ctx); err != nil {
			t.Fatal(err)
		}
		r, _ = s.Request(ctx, de.ID)
		if !r.ExtendedUntil.Equal(time.Date(2026, 5, 6, 15, 0, 0, 0, time.UTC)) || len(lawEvents(t, s, de.ID)) != 2 {
			t.Fatalf("German request after the override was lifted %+v", r)
		}
	})
}
