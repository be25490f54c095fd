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

func tokenCases() []suiteCase {
	return []suiteCase{
		{"Tokens", testTokens},
		{"TokenNotFound", testTokenNotFound},
	}
}

func testTokens(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var id1, id2 int64
	err := s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if id1, err = tx.InsertToken(ctx, custos.Token{Name: "ops", Role: custos.RoleAdmin, Hash: []byte("h1"), CreatedAt: t0}); err != nil {
			return err
		}
		id2, err = tx.InsertToken(ctx, custos.Token{Name: "ingest", Role: custos.RoleIngest, Hash: []byte("h2"), CreatedAt: t0.Add(time.Second)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if id1 == id2 || id1 == 0 {
		t.Fatalf("ids %d, %d", id1, id2)
	}
	got, err := s.TokenByHash(ctx, []byte("h2"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id2 || got.Name != "ingest" || got.Role != custos.RoleIngest || !got.CreatedAt.Equal(t0.Add(time.Second)) ||
		got.RevokedAt != nil || got.LastUsed != nil {
		t.Fatalf("TokenByHash = %+v", got)
	}
	if byID, err := s.TokenByID(ctx, id1); err != nil || !bytes.Equal(byID.Hash, []byte("h1")) {
		t.Fatalf("TokenByID = %+v, %v", byID, err)
	}
	if n, err := s.CountActiveTokens(ctx); err != nil || n != 2 {
		t.Fatalf("CountActiveTokens = %d, %v", n, err)
	}
	// The same secret hash cannot be stored twice.
	err = s.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertToken(ctx, custos.Token{Name: "dup", Role: custos.RoleAgent, Hash: []byte("h1"), CreatedAt: t0})
		return err
	})
	if err == nil {
		t.Fatal("duplicate hash accepted")
	}
	if err := s.TouchToken(ctx, id1, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A second touch within the minute does not write.
	if err := s.TouchToken(ctx, id1, t0.Add(time.Hour+time.Second)); err != nil {
		t.Fatal(err)
	}
	revokeAt := t0.Add(2 * time.Hour)
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id1, revokeAt) }); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id1, revokeAt.Add(time.Hour)) }); err != nil {
		t.Fatal(err)
	}
	all, err := s.Tokens(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Tokens = %v, %v", all, err)
	}
	if all[0].ID != id1 || all[0].RevokedAt == nil || !all[0].RevokedAt.Equal(revokeAt) ||
		all[0].LastUsed == nil || !all[0].LastUsed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("revoked token = %+v", all[0])
	}
	if n, _ := s.CountActiveTokens(ctx); n != 1 {
		t.Fatalf("CountActiveTokens after revoke = %d", n)
	}
	err = s.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, 99999, revokeAt) })
	if !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("revoke unknown = %v", err)
	}
}

func testTokenNotFound(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if _, err := s.TokenByHash(ctx, []byte("nope")); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("TokenByHash = %v", err)
	}
	if _, err := s.TokenByID(ctx, 42); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("TokenByID = %v", err)
	}
	if toks, err := s.Tokens(ctx); err != nil || len(toks) != 0 {
		t.Fatalf("Tokens = %v, %v", toks, err)
	}
}
