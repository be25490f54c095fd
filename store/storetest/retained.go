package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func retainedCases() []suiteCase {
	return []suiteCase{{"EraseSubjectRetaining", testEraseSubjectRetaining}}
}

// testEraseSubjectRetaining: a deletion keeps exactly the given records
// and the retention key beside the tombstone; the sweep erases them when
// their retention ends (not under a hold) and then the key; rewrapping
// replaces the key.
func testEraseSubjectRetaining(t *testing.T, s *store.Store) {
	at := t0.Add(time.Hour)
	short, long := at.AddDate(1, 0, 0), at.AddDate(7, 0, 0)
	eraseRetaining(t, s, at, short, long)
	sweepRetained(t, s, at, short, long)
	rewrapRetentionKeys(t, s)
}

// eraseRetaining erases three people: billed and held keep two records
// each (one until short, one until long) and a retention key, plain keeps
// nothing.
func eraseRetaining(t *testing.T, s *store.Store, at, short, long time.Time) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		for _, id := range []string{"billed", "held", "plain"} {
			if err := tx.InsertSubject(ctx, id, []byte("k-"+id), t0); err != nil {
				return err
			}
			if err := tx.InsertEvents(ctx, []store.EventRow{
				event(id, custos.EventCollection, "user.name", "essential.service", "online_channels", t0, []byte("v")),
			}); err != nil {
				return err
			}
		}
		return nil
	})
	kept := func(id string) []store.RetainedRow {
		return []store.RetainedRow{
			{Category: "user.behavior.purchase_history", Purpose: "essential.service", Source: "online_channels", Sealed: []byte("r1"), OccurredAt: t0, Until: long, Ground: "legal_obligation", Reason: "tax"},
			{Category: "user.sensor", Purpose: "essential.service.security", Sealed: nil, OccurredAt: t0, Until: short, Ground: "security_fraud"},
		}
	}
	var n int64
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if n, err = tx.EraseSubjectRetaining(ctx, "billed", at, []byte("rk-billed"), kept("billed")); err != nil {
			return err
		}
		if _, err = tx.EraseSubjectRetaining(ctx, "held", at, []byte("rk-held"), kept("held")); err != nil {
			return err
		}
		_, err = tx.EraseSubjectRetaining(ctx, "plain", at, nil, nil)
		return err
	})
	if n != 1 {
		t.Fatalf("erased %d events", n)
	}
	checkRetained(t, s, at, long)
	// A second retention key for the same person is a conflict.
	if err := s.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.EraseSubjectRetaining(ctx, "billed", at, []byte("again"), kept("billed"))
		return err
	}); custos.ErrorCode(err) != custos.CodeConflict {
		t.Fatalf("second retention key = %v", err)
	}
}

// checkRetained reads back what the erasures kept.
func checkRetained(t *testing.T, s *store.Store, at, long time.Time) {
	ctx := context.Background()
	if row, _ := s.Subject(ctx, "billed"); row.WrappedKey != nil || row.ErasedAt == nil {
		t.Fatalf("tombstone %+v", row)
	}
	rows, err := s.RetainedRecords(ctx, "billed")
	if err != nil || len(rows) != 2 {
		t.Fatalf("retained = %+v, %v", rows, err)
	}
	r := rows[0]
	if r.Category != "user.behavior.purchase_history" || r.SubjectID != "billed" || !bytes.Equal(r.Sealed, []byte("r1")) || !r.Until.Equal(long) ||
		!r.RetainedAt.Equal(at) || !r.OccurredAt.Equal(t0) || r.Ground != "legal_obligation" || r.Reason != "tax" || r.Source != "online_channels" {
		t.Fatalf("retained row %+v", r)
	}
	if rows[1].Sealed != nil {
		t.Fatalf("a record without a value came back with one: %+v", rows[1])
	}
	if k, err := s.RetentionKey(ctx, "billed"); err != nil || string(k) != "rk-billed" {
		t.Fatalf("retention key = %q, %v", k, err)
	}
	if _, err := s.RetentionKey(ctx, "plain"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("a deletion that kept nothing has a retention key: %v", err)
	}
}

// sweepRetained: the sweep erases each record when its retention ends,
// then the retention key, except under a hold.
func sweepRetained(t *testing.T, s *store.Store, at, short, long time.Time) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		_, err := tx.AddHold(ctx, store.Hold{SubjectID: "held", ReasonSealed: []byte("h"), CreatedAt: at, CreatedBy: "officer"})
		return err
	})
	sweep := func(asOf time.Time) (int64, []string) {
		var (
			n       int64
			emptied []string
		)
		mustTx(t, s, func(tx *store.Tx) error {
			var err error
			n, emptied, err = tx.EraseRetained(ctx, asOf)
			return err
		})
		return n, emptied
	}
	if n, emptied := sweep(short.Add(-time.Second)); n != 0 || len(emptied) != 0 {
		t.Fatalf("early sweep = %d, %v", n, emptied)
	}
	if n, emptied := sweep(short); n != 1 || len(emptied) != 0 {
		t.Fatalf("sweep at the short end = %d, %v", n, emptied)
	}
	if rows, _ := s.RetainedRecords(ctx, "billed"); len(rows) != 1 || rows[0].Category != "user.behavior.purchase_history" {
		t.Fatalf("after the short end: %+v", rows)
	}
	if n, emptied := sweep(long); n != 1 || len(emptied) != 1 || emptied[0] != "billed" {
		t.Fatalf("sweep at the long end = %d, %v", n, emptied)
	}
	if _, err := s.RetentionKey(ctx, "billed"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("retention key outlived its records: %v", err)
	}
	if rows, _ := s.RetainedRecords(ctx, "held"); len(rows) != 2 {
		t.Fatalf("a hold did not keep the retained records: %+v", rows)
	}
}

// rewrapRetentionKeys pages through the retention keys left and rewraps
// one.
func rewrapRetentionKeys(t *testing.T, s *store.Store) {
	ctx := context.Background()
	keys, order, err := s.RetentionKeysPage(ctx, "", 10)
	if err != nil || len(order) != 1 || order[0] != "held" || string(keys["held"]) != "rk-held" {
		t.Fatalf("page = %v %v, %v", keys, order, err)
	}
	mustTx(t, s, func(tx *store.Tx) error {
		if _, err := tx.RetentionKey(ctx, "held"); err != nil {
			return err
		}
		if _, err := tx.RetainedRecords(ctx, "held"); err != nil {
			return err
		}
		if _, _, err := tx.RetentionKeysPage(ctx, "", 1); err != nil {
			return err
		}
		return tx.RewrapRetentionKey(ctx, "held", []byte("rk-held-2"))
	})
	if k, _ := s.RetentionKey(ctx, "held"); string(k) != "rk-held-2" {
		t.Fatalf("rewrapped key = %q", k)
	}
	if _, order, _ := s.RetentionKeysPage(ctx, "held", 10); len(order) != 0 {
		t.Fatalf("page after the last = %v", order)
	}
}
