package retention_test

import (
	"context"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// What a deletion kept on a legal ground is erased by the sweep once its
// retention ends, not before, and a dry run erases none of it.
func TestSweepErasesRetainedRecords(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		v := "complaint about invoice 12"
		now := e.clock.Now()
		if _, err := e.records.Record(ctx, "test", records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "claim@example.com"},
			Category: "user.content.private", Source: "online_channels", Purpose: "essential.legal_obligation", Value: &v, OccurredAt: &now}); err != nil {
			t.Fatal(err)
		}
		sid, _ := e.records.FindSubject(ctx, custos.SubjectRef{Email: "claim@example.com"})
		erased, err := e.records.Erase(ctx, "test", sid, "deletion request")
		if err != nil || len(erased.Retained) != 1 {
			t.Fatalf("erase = %+v, %v", erased, err)
		}
		end := now.AddDate(3, 0, 0)
		for _, c := range []struct {
			at   int // days from the end of retention
			dry  bool
			want int64
		}{{-1, false, 0}, {0, true, 0}, {0, false, 1}, {1, false, 0}} {
			rep, err := e.svc.Sweep(ctx, "test", end.AddDate(0, 0, c.at), c.dry)
			if err != nil || rep.RetainedErased != c.want {
				t.Fatalf("sweep %+v: %+v, %v", c, rep, err)
			}
		}
		if _, err := e.records.RetainedRecords(ctx, "officer", "claims", sid); err == nil {
			t.Fatal("retained records outlived their retention")
		}
	})
}
