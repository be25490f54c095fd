package requests_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestPurgeRecordsAfterRecordKeeping: 11 CCR §7101(a) keeps records of
// requests "for at least 24 months"; the bundled policy keeps them 24
// months from the answer, says so in the deletion answer, and the daily
// purge then deletes the request and its history — not a day before.
func TestPurgeRecordsAfterRecordKeeping(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		e.seed("keep@example.com", collected("user.name", "K"))
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "keep@example.com", Jurisdiction: "US-CA"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		p, _ := e.svc.Result(ctx, v.ID, v.AccessToken)
		if !strings.Contains(p.Kept[len(p.Kept)-1].Why, "for 24 months") {
			t.Fatalf("the deletion answer does not say how long the record is kept: %+v", p.Kept)
		}
		open := e.submitAndVerify(requests.Intake{Type: "access", Email: "open@example.com", Jurisdiction: "US-CA"})
		answered := e.clock.Now()
		if n, err := e.svc.PurgeRecords(ctx, answered.AddDate(2, 0, -1)); err != nil || n != 0 {
			t.Fatalf("purge a day before 24 months: %d, %v", n, err)
		}
		if _, err := s.Request(ctx, v.ID); err != nil {
			t.Fatalf("the record is gone before 24 months: %v", err)
		}
		n, err := e.svc.PurgeRecords(ctx, answered.AddDate(2, 0, 1))
		if err != nil || n != 1 {
			t.Fatalf("purge after 24 months: %d, %v", n, err)
		}
		if _, err := s.Request(ctx, v.ID); !errors.Is(err, custos.ErrNotFound) {
			t.Fatalf("the record outlived the record-keeping period: %v", err)
		}
		if evs, _ := s.RequestEvents(ctx, v.ID); len(evs) != 0 {
			t.Fatalf("its history outlived it: %d events", len(evs))
		}
		if _, err := s.Request(ctx, open.ID); err != nil {
			t.Fatalf("an open request was purged: %v", err)
		}
	})
}
