package storetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func auditCases() []suiteCase {
	return []suiteCase{
		{"AuditAppendAndRead", testAudit},
		{"AuditConcurrentAppends", testAuditConcurrent},
		{"AuditCheckpoints", testCheckpoints},
		{"AuditKeyedFrom", testAuditKeyedFrom},
	}
}

func appendEntry(ctx context.Context, tx *store.Tx, action string) (custos.AuditEntry, error) {
	seq, prev, err := tx.AuditHead(ctx)
	if err != nil {
		return custos.AuditEntry{}, err
	}
	e := custos.AuditEntry{Seq: seq + 1, At: t0, Actor: "cli", Action: action, Object: "x:1", Detail: `{}`,
		PrevHash: append([]byte{}, prev...), Hash: []byte{byte(seq + 1)}}
	if e.PrevHash == nil {
		e.PrevHash = []byte{}
	}
	return e, tx.InsertAuditEntry(ctx, e)
}

func testAudit(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := s.InTx(ctx, func(tx *store.Tx) error { _, err := appendEntry(ctx, tx, "a"); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.CountAuditEntries(ctx); err != nil || n != 5 {
		t.Fatalf("count = %d, %v", n, err)
	}
	page, err := s.AuditEntries(ctx, 2, 2)
	if err != nil || len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
		t.Fatalf("page = %+v, %v", page, err)
	}
	if !bytes.Equal(page[0].PrevHash, []byte{2}) || !bytes.Equal(page[0].Hash, []byte{3}) || !page[0].At.Equal(t0) ||
		page[0].Action != "a" || page[0].Detail != "{}" {
		t.Fatalf("entry = %+v", page[0])
	}
	// A rolled-back append leaves no trace.
	_ = s.InTx(ctx, func(tx *store.Tx) error {
		if _, err := appendEntry(ctx, tx, "b"); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if n, _ := s.CountAuditEntries(ctx); n != 5 {
		t.Fatalf("count after rollback = %d", n)
	}
	// Duplicate sequence numbers are refused by the schema.
	err = s.InTx(ctx, func(tx *store.Tx) error {
		return tx.InsertAuditEntry(ctx, custos.AuditEntry{Seq: 3, At: t0, Detail: "{}", PrevHash: []byte{}, Hash: []byte{}})
	})
	if err == nil {
		t.Fatal("duplicate seq accepted")
	}
}

func testAuditConcurrent(t *testing.T, s *store.Store) {
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.InTx(ctx, func(tx *store.Tx) error { _, err := appendEntry(ctx, tx, "c"); return err })
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AuditEntries(ctx, 0, 100)
	if err != nil || len(all) != n {
		t.Fatalf("entries = %d, %v", len(all), err)
	}
	for i, e := range all {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		if i > 0 && !bytes.Equal(e.PrevHash, all[i-1].Hash) {
			t.Fatalf("entry %d does not link to its predecessor", e.Seq)
		}
	}
}

func testCheckpoints(t *testing.T, s *store.Store) {
	ctx := context.Background()
	cp := custos.AuditCheckpoint{Seq: 10, Hash: []byte("h"), At: t0, KeyID: "k1", Signature: []byte("sig")}
	for i := 0; i < 2; i++ { // the second insert of the same seq is ignored
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertAuditCheckpoint(ctx, cp) }); err != nil {
			t.Fatal(err)
		}
	}
	cp2 := cp
	cp2.Seq = 5
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertAuditCheckpoint(ctx, cp2) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditCheckpoints(ctx)
	if err != nil || len(got) != 2 || got[0].Seq != 5 || got[1].Seq != 10 || got[1].KeyID != "k1" ||
		!bytes.Equal(got[1].Signature, []byte("sig")) || !got[1].At.Equal(t0) {
		t.Fatalf("checkpoints = %+v, %v", got, err)
	}
}

func testAuditKeyedFrom(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if n, err := s.AuditKeyedFrom(ctx); err != nil || n != 0 {
		t.Fatalf("empty chain: %d, %v", n, err)
	}
	err := s.InTx(ctx, func(tx *store.Tx) error {
		for i, action := range []string{"token.create", "audit.keyed", "token.create", "audit.keyed"} {
			e := custos.AuditEntry{Seq: int64(i + 1), At: t0, Actor: "a", Action: action, Object: "o", Detail: "{}", PrevHash: []byte{}, Hash: []byte{1}}
			if err := tx.InsertAuditEntry(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.AuditKeyedFrom(ctx); err != nil || n != 2 {
		t.Fatalf("AuditKeyedFrom = %d, %v; want the first marker, 2", n, err)
	}
}
