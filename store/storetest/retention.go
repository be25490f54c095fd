package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func retentionCases() []suiteCase {
	return []suiteCase{
		{"LegalHolds", testLegalHolds},
		{"ExpirySelection", testExpirySelection},
		{"DeleteExpiredWindows", testDeleteExpired},
		{"DeleteExpiredRange", testDeleteExpiredRange},
		{"Sweeps", testSweeps},
	}
}

const day = 24 * time.Hour

// seedRetention makes four subjects: a with an old and a recent user.name
// event, b and c with one old user.name event each (b's for another
// purpose), d with one old user.contact event.
func seedRetention(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		var subs []store.NewSubject
		for _, id := range []string{"a", "b", "c", "d"} {
			subs = append(subs, store.NewSubject{ID: id, WrappedKey: []byte("k" + id), CreatedAt: t0})
		}
		if err := tx.InsertSubjects(ctx, subs); err != nil {
			return err
		}
		return tx.InsertEvents(ctx, []store.EventRow{
			event("a", custos.EventCollection, "user.name", "p1", "web", t0, nil),
			event("a", custos.EventCollection, "user.name", "p1", "web", t0.Add(10*day), nil),
			event("b", custos.EventCollection, "user.name", "p2", "web", t0, nil),
			event("c", custos.EventCollection, "user.name", "p1", "web", t0, nil),
			event("d", custos.EventCollection, "user.contact", "p1", "web", t0, nil),
		})
	})
}

func testLegalHolds(t *testing.T, s *store.Store) {
	ctx := context.Background()
	seedRetention(t, s)
	if held, err := s.HeldSubjects(ctx); err != nil || len(held) != 0 {
		t.Fatalf("HeldSubjects before any hold = %v, %v", held, err)
	}
	var id1, id2 int64
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if id1, err = tx.AddHold(ctx, store.Hold{SubjectID: "c", ReasonSealed: []byte("litigation"), CreatedAt: t0, CreatedBy: "cli"}); err != nil {
			return err
		}
		id2, err = tx.AddHold(ctx, store.Hold{SubjectID: "c", ReasonSealed: []byte("audit"), CreatedAt: t0.Add(time.Hour), CreatedBy: "api"})
		return err
	})
	if id1 == 0 || id2 == id1 {
		t.Fatalf("hold ids %d, %d", id1, id2)
	}
	for subject, want := range map[string]bool{"c": true, "a": false, "none": false} {
		if got, err := s.Held(ctx, subject); err != nil || got != want {
			t.Fatalf("Held(%s) = %v, %v; want %v", subject, got, err, want)
		}
	}
	// Two holds on one subject: it is listed once.
	if held, err := s.HeldSubjects(ctx); err != nil || !slices.Equal(held, []string{"c"}) {
		t.Fatalf("HeldSubjects = %v, %v", held, err)
	}
	standing, err := s.Holds(ctx, false)
	if err != nil || len(standing) != 2 || standing[0].ID != id1 || string(standing[0].ReasonSealed) != "litigation" ||
		standing[0].CreatedBy != "cli" || !standing[0].CreatedAt.Equal(t0) || standing[0].ReleasedAt != nil || standing[1].CreatedBy != "api" {
		t.Fatalf("Holds(standing) = %+v, %v", standing, err)
	}
	at := t0.Add(2 * time.Hour)
	var released, again int64
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if released, err = tx.ReleaseHolds(ctx, "c", "dpo", at); err != nil {
			return err
		}
		again, err = tx.ReleaseHolds(ctx, "c", "dpo", at.Add(time.Hour))
		return err
	})
	if released != 2 || again != 0 {
		t.Fatalf("ReleaseHolds = %d, then %d; want 2, then 0", released, again)
	}
	if got, err := s.Held(ctx, "c"); err != nil || got {
		t.Fatalf("Held after release = %v, %v", got, err)
	}
	if standing, err := s.Holds(ctx, false); err != nil || len(standing) != 0 {
		t.Fatalf("Holds(standing) after release = %+v, %v", standing, err)
	}
	all, err := s.Holds(ctx, true)
	if err != nil || len(all) != 2 {
		t.Fatalf("Holds(all) = %+v, %v", all, err)
	}
	for _, h := range all {
		if h.ReleasedAt == nil || !h.ReleasedAt.Equal(at) || h.ReleasedBy != "dpo" {
			t.Fatalf("released hold = %+v", h)
		}
	}
}

func countExpired(t *testing.T, s *store.Store, e store.Expiry) (events, subjects int64) {
	t.Helper()
	events, subjects, err := s.CountExpired(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	found, err := s.AnyExpired(context.Background(), e)
	if err != nil || found != (events > 0) {
		t.Fatalf("AnyExpired(%+v) = %v, %v; CountExpired found %d", e, found, err, events)
	}
	return events, subjects
}

func testExpirySelection(t *testing.T, s *store.Store) {
	ctx := context.Background()
	seedRetention(t, s)
	cut := t0.Add(day)
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.SetLifecycle(ctx, "b", store.LifecycleAccountClosed, &t0); err != nil {
			return err
		}
		ended := t0.Add(2 * day)
		return tx.SetLifecycle(ctx, "a", store.LifecycleRelationshipEnded, &ended)
	})
	err := s.InTx(ctx, func(tx *store.Tx) error { return tx.SetLifecycle(ctx, "none", store.LifecycleAccountClosed, &t0) })
	if !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("SetLifecycle of an unknown subject = %v", err)
	}
	cases := []struct {
		name             string
		e                store.Expiry
		events, subjects int64
		who              []string
	}{
		{"collected", store.Expiry{Category: "user.name", Trigger: "collected", Cutoff: cut}, 3, 3, []string{"a", "b", "c"}},
		{"collected, held", store.Expiry{Category: "user.name", Trigger: "collected", Cutoff: cut, Held: []string{"c"}}, 2, 2, []string{"a", "b"}},
		{"one purpose", store.Expiry{Category: "user.name", Purpose: "p1", Trigger: "collected", Cutoff: cut}, 2, 2, []string{"a", "c"}},
		{"before the cutoff only", store.Expiry{Category: "user.name", Trigger: "collected", Cutoff: t0}, 0, 0, nil},
		{"everything", store.Expiry{Category: "user.name", Trigger: "collected", Cutoff: t0.Add(11 * day)}, 4, 3, []string{"a", "b", "c"}},
		// a was active after the cutoff: none of its events expire.
		{"last activity", store.Expiry{Category: "user.name", Trigger: "last_activity", Cutoff: cut}, 2, 2, []string{"b", "c"}},
		{"account closed", store.Expiry{Category: "user.name", Trigger: "account_closed", Cutoff: cut}, 1, 1, []string{"b"}},
		{"relationship not yet ended", store.Expiry{Category: "user.name", Trigger: "relationship_ended", Cutoff: cut}, 0, 0, nil},
		{"relationship ended", store.Expiry{Category: "user.name", Trigger: "relationship_ended", Cutoff: t0.Add(3 * day)}, 2, 1, []string{"a"}},
		{"other category", store.Expiry{Category: "user.contact", Trigger: "collected", Cutoff: cut}, 1, 1, []string{"d"}},
		{"empty category", store.Expiry{Category: "user.none", Trigger: "collected", Cutoff: cut}, 0, 0, nil},
	}
	for _, c := range cases {
		events, subjects := countExpired(t, s, c.e)
		if events != c.events || subjects != c.subjects {
			t.Errorf("%s: CountExpired = %d events, %d subjects; want %d, %d", c.name, events, subjects, c.events, c.subjects)
		}
		who, err := s.ExpiredSubjects(ctx, c.e)
		slices.Sort(who)
		if err != nil || !slices.Equal(who, c.who) {
			t.Errorf("%s: ExpiredSubjects = %v, %v; want %v", c.name, who, err, c.who)
		}
	}
	// Cleared, the moment no longer counts.
	mustTx(t, s, func(tx *store.Tx) error { return tx.SetLifecycle(ctx, "a", store.LifecycleRelationshipEnded, nil) })
	if events, _ := countExpired(t, s, store.Expiry{Category: "user.name", Trigger: "relationship_ended", Cutoff: t0.Add(3 * day)}); events != 0 {
		t.Fatalf("relationship_ended after clearing: %d events", events)
	}
}

// eventIDs are the ids of a subject's events, oldest first.
func eventIDs(t *testing.T, s *store.Store, subject string) []int64 {
	t.Helper()
	evs, err := s.SubjectEvents(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return ids
}

func testDeleteExpired(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if top, err := s.MaxEventID(ctx); err != nil || top != 0 {
		t.Fatalf("MaxEventID of no events = %d, %v", top, err)
	}
	seedRetention(t, s)
	top, err := s.MaxEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var all []int64
	for _, sub := range []string{"a", "b", "c", "d"} {
		all = append(all, eventIDs(t, s, sub)...)
	}
	if slices.Max(all) != top {
		t.Fatalf("MaxEventID = %d, the events' ids are %v", top, all)
	}
	mustTx(t, s, func(tx *store.Tx) error {
		_, err := tx.AddHold(ctx, store.Hold{SubjectID: "c", ReasonSealed: []byte("r"), CreatedAt: t0, CreatedBy: "cli"})
		return err
	})
	// The caller's list of holds is stale: DeleteExpired reads them afresh.
	e := store.Expiry{Category: "user.name", Trigger: "collected", Cutoff: t0.Add(day)}
	bID := eventIDs(t, s, "b")[0]
	del := func(after, upTo int64) int64 {
		t.Helper()
		var n int64
		mustTx(t, s, func(tx *store.Tx) error {
			var err error
			n, err = tx.DeleteExpired(ctx, e, after, upTo)
			return err
		})
		return n
	}
	// A window deletes only within (after, upTo].
	if n := del(bID, bID); n != 0 {
		t.Fatalf("empty window deleted %d", n)
	}
	if n := del(bID-1, bID); n != 1 {
		t.Fatalf("window of b's event deleted %d", n)
	}
	if n := del(0, top); n != 1 {
		t.Fatalf("the whole walk deleted %d; want a's old event only (b's is gone, c is held)", n)
	}
	if n := del(0, top); n != 0 {
		t.Fatalf("a second walk deleted %d", n)
	}
	if ids := eventIDs(t, s, "a"); len(ids) != 1 {
		t.Fatalf("a keeps %d events; want its recent one", len(ids))
	}
	if ids := eventIDs(t, s, "c"); len(ids) != 1 {
		t.Fatalf("held c keeps %d events", len(ids))
	}
	empty, err := s.SubjectsWithoutEvents(ctx, []string{"a", "b", "c", "d", "none"})
	if err != nil || !slices.Equal(empty, []string{"b"}) {
		t.Fatalf("SubjectsWithoutEvents = %v, %v", empty, err)
	}
}

func testDeleteExpiredRange(t *testing.T, s *store.Store) {
	ctx := context.Background()
	seedRetention(t, s)
	mustTx(t, s, func(tx *store.Tx) error {
		_, err := tx.AddHold(ctx, store.Hold{SubjectID: "c", ReasonSealed: []byte("r"), CreatedAt: t0, CreatedBy: "cli"})
		return err
	})
	top, err := s.MaxEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := store.Expiry{Category: "user.name", Trigger: "collected", Cutoff: t0.Add(day)}
	var (
		n    int64
		subs []string
	)
	err = s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		n, subs, err = tx.DeleteExpiredRange(ctx, e, 0, top)
		return err
	})
	if s.Dialect() == store.SQLite {
		// SQLite has no DELETE in a WITH clause: the sweep uses
		// DeleteExpired there, and this must fail rather than delete.
		if err == nil {
			t.Fatal("DeleteExpiredRange ran on SQLite")
		}
		if events, _ := countExpired(t, s, e); events != 3 {
			t.Fatalf("a failed DeleteExpiredRange left %d expired events; want 3", events)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(subs)
	if n != 2 || !slices.Equal(subs, []string{"a", "b"}) {
		t.Fatalf("DeleteExpiredRange = %d, %v; want 2, [a b]", n, subs)
	}
	err = s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		n, subs, err = tx.DeleteExpiredRange(ctx, e, 0, top)
		return err
	})
	if err != nil || n != 0 || len(subs) != 0 {
		t.Fatalf("second DeleteExpiredRange = %d, %v, %v", n, subs, err)
	}
	if empty, err := s.SubjectsWithoutEvents(ctx, []string{"a", "b", "c", "d"}); err != nil || !slices.Equal(empty, []string{"b"}) {
		t.Fatalf("SubjectsWithoutEvents = %v, %v", empty, err)
	}
}

func testSweeps(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var id1, id2 int64
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if id1, err = tx.StartSweep(ctx, store.Sweep{StartedAt: t0, AsOf: t0.Add(day), DryRun: true, Actor: "cli"}); err != nil {
			return err
		}
		id2, err = tx.StartSweep(ctx, store.Sweep{StartedAt: t0.Add(2 * time.Hour), AsOf: t0.Add(2 * time.Hour), Actor: "scheduler"})
		return err
	})
	if id1 == 0 || id2 == id1 {
		t.Fatalf("sweep ids %d, %d", id1, id2)
	}
	got, err := s.Sweeps(ctx, t0)
	if err != nil || len(got) != 2 || got[0].ID != id1 || !got[0].DryRun || got[0].Actor != "cli" || !got[0].StartedAt.Equal(t0) ||
		!got[0].AsOf.Equal(t0.Add(day)) || got[0].FinishedAt != nil || got[0].Erased != 0 || got[1].DryRun || got[1].Actor != "scheduler" {
		t.Fatalf("Sweeps = %+v, %v", got, err)
	}
	end := t0.Add(time.Minute)
	if err := s.FinishSweep(ctx, id1, 7, 3, end); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishSweep(ctx, id2+100, 1, 1, end); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("FinishSweep of an unknown sweep = %v", err)
	}
	got, err = s.Sweeps(ctx, t0)
	if err != nil || len(got) != 2 || got[0].FinishedAt == nil || !got[0].FinishedAt.Equal(end) || got[0].Erased != 7 ||
		got[0].Subjects != 3 || got[1].FinishedAt != nil {
		t.Fatalf("Sweeps after finish = %+v, %v", got, err)
	}
	// Since filters on the start.
	if later, err := s.Sweeps(ctx, t0.Add(time.Hour)); err != nil || len(later) != 1 || later[0].ID != id2 {
		t.Fatalf("Sweeps since t0+1h = %+v, %v", later, err)
	}
}
