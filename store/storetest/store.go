package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func storeCases() []suiteCase {
	return []suiteCase{
		{"RollbackOnError", testRollback},
		{"MigrateTwice", testMigrateTwice},
		{"Handles", testHandles},
		{"TxSQL", testTxSQL},
	}
}

func testRollback(t *testing.T, s *store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.InsertToken(ctx, custos.Token{Name: "x", Role: custos.RoleAgent, Hash: []byte("r"), CreatedAt: t0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if _, err := s.TokenByHash(ctx, []byte("r")); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("rolled-back token visible: %v", err)
	}
}

func testMigrateTwice(t *testing.T, s *store.Store) {
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

// testHandles: the raw handles the job queue and the benchmarks use match
// the dialect, and the store's name carries no password.
func testHandles(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if err := s.DB().PingContext(ctx); err != nil {
		t.Fatalf("DB: %v", err)
	}
	switch s.Dialect() {
	case store.SQLite:
		if s.Pool() != nil || !strings.HasPrefix(s.String(), "sqlite:") {
			t.Fatalf("SQLite store: Pool = %v, String = %q", s.Pool(), s.String())
		}
	case store.Postgres:
		if s.Pool() == nil {
			t.Fatal("PostgreSQL store without its pool")
		}
		if err := s.Pool().Ping(ctx); err != nil {
			t.Fatalf("Pool: %v", err)
		}
		if !strings.HasPrefix(s.String(), "postgres") {
			t.Fatalf("String = %q", s.String())
		}
	default:
		t.Fatalf("Dialect = %q", s.Dialect())
	}
}

// testTxSQL: what is written through a transaction's raw handle (the job
// queue's insert) commits and rolls back with the store's own writes.
func testTxSQL(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for _, fail := range []bool{false, true} {
		name := fmt.Sprintf("raw-%v", fail)
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.SQL().ExecContext(ctx, `UPDATE tokens SET name = 'before-'||name`); err != nil {
				return err
			}
			if _, err := tx.InsertToken(ctx, custos.Token{Name: name, Role: custos.RoleAgent, Hash: []byte(name), CreatedAt: t0}); err != nil {
				return err
			}
			if fail {
				return errors.New("boom")
			}
			return nil
		})
		if fail != (err != nil) {
			t.Fatalf("InTx (fail %v) = %v", fail, err)
		}
		tok, err := s.TokenByHash(ctx, []byte("raw-false"))
		if err != nil || tok.Name != "raw-false" {
			// The second, rolled-back, raw update would have renamed it.
			t.Fatalf("after fail=%v: %+v, %v", fail, tok, err)
		}
	}
}
