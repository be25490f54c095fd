package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestStmtCache: statements that come again are prepared once and found
// again; one that cannot be prepared yet (its table is not there) is tried
// again later; one met inside a transaction is prepared outside it.
func TestStmtCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cached := func(q string) bool {
		s.stmts.mu.Lock()
		defer s.stmts.mu.Unlock()
		b := s.stmts.m[q]
		return b != nil && b.st != nil
	}
	const sel = `SELECT v FROM kv WHERE k = $1`
	if _, err := s.q.QueryContext(ctx, `SELECT v FROM kv WHERE k = $1`, "a"); err == nil {
		t.Fatal("a query of a missing table passed")
	}
	if cached(sel) {
		t.Fatal("a statement that failed to prepare was kept")
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO kv (k, v) VALUES ($1, $2)`
	if _, err := s.q.ExecContext(ctx, ins, "a", "1"); err != nil {
		t.Fatal(err)
	}
	if cached(ins) {
		t.Fatal("a statement run once was prepared")
	}
	if _, err := s.q.ExecContext(ctx, ins, "b", "2"); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := s.q.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = $1`, "a").Scan(&v); err != nil || v != "1" {
		t.Fatalf("read back %q, %v", v, err)
	}
	if !cached(sel) || !cached(ins) {
		t.Fatal("statements run again were not prepared")
	}

	const upd = `UPDATE kv SET v = $1 WHERE k = $2`
	for range 2 {
		err = s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.q.ExecContext(ctx, upd, "2", "a")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); !cached(upd); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a statement met in a transaction was never prepared")
		}
	}
	// Now prepared, it serves transactions too.
	err = s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `UPDATE kv SET v = $1 WHERE k = $2`, "3", "a")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.q.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = $1`, "a").Scan(&v); err != nil || v != "3" {
		t.Fatalf("after the transactions: %q, %v", v, err)
	}
}
