package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/custos-privacy/custos/store"
)

func connectedRetainedCases() []suiteCase {
	return []suiteCase{{"ConnectedRetained", testConnectedRetained}}
}

// testConnectedRetained: what an erasure left in a connected system is
// recorded once per request, collection and day (a resumed run records it
// again to no effect), listed when due, narrowed to the rows still held,
// then deleted; RetainRecords adds records under an existing key.
func testConnectedRetained(t *testing.T, s *store.Store) {
	ctx := context.Background()
	day := t0.AddDate(1, 0, 0)
	e := store.ConnectedRetained{RequestID: "req-1", Collection: "shop:login", Fields: []string{"time", "ip"}, KeysSealed: []byte("sealed"),
		DeleteRows: true, Until: day, CreatedAt: t0}
	mustTx(t, s, func(tx *store.Tx) error { return tx.PutConnectedRetained(ctx, []store.ConnectedRetained{e}) })
	if err := s.PutConnectedRetained(ctx, []store.ConnectedRetained{e, {RequestID: "req-1", Collection: "shop:address", Fields: []string{"city"},
		KeysSealed: []byte("other"), Until: day.AddDate(6, 0, 0), CreatedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	if due, err := s.ConnectedRetainedDue(ctx, day.Add(-time.Second)); err != nil || len(due) != 0 {
		t.Fatalf("due early = %+v, %v", due, err)
	}
	due, err := s.ConnectedRetainedDue(ctx, day)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %+v, %v", due, err)
	}
	got := due[0]
	if got.RequestID != "req-1" || got.Collection != "shop:login" || len(got.Fields) != 2 || got.Fields[1] != "ip" || !got.DeleteRows ||
		!got.Until.Equal(day) || !bytes.Equal(got.KeysSealed, []byte("sealed")) {
		t.Fatalf("entry = %+v", got)
	}
	if err := s.FinishConnectedRetained(ctx, got.ID, []byte("held rows")); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.ConnectedRetainedDue(ctx, day); len(due) != 1 || !bytes.Equal(due[0].KeysSealed, []byte("held rows")) {
		t.Fatalf("after narrowing = %+v", due)
	}
	if err := s.FinishConnectedRetained(ctx, got.ID, nil); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.ConnectedRetainedDue(ctx, day); len(due) != 0 {
		t.Fatalf("after finishing = %+v", due)
	}

	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertSubject(ctx, "partly", []byte("k"), t0); err != nil {
			return err
		}
		row := store.RetainedRow{Category: "user.name", Purpose: "p", Sealed: []byte("x"), OccurredAt: t0, Until: day, Ground: "legal_obligation"}
		if err := tx.RetainRecords(ctx, "partly", t0, []byte("rk"), []store.RetainedRow{row}); err != nil {
			return err
		}
		return tx.RetainRecords(ctx, "partly", t0, nil, []store.RetainedRow{row})
	})
	if rows, err := s.RetainedRecords(ctx, "partly"); err != nil || len(rows) != 2 {
		t.Fatalf("retained = %d, %v", len(rows), err)
	}
	if k, err := s.RetentionKey(ctx, "partly"); err != nil || !bytes.Equal(k, []byte("rk")) {
		t.Fatalf("retention key = %q, %v", k, err)
	}
}
