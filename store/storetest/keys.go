package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func keyCases() []suiteCase {
	return []suiteCase{
		{"InstanceKeys", testInstanceKeys},
		{"Settings", testSettings},
	}
}

func testInstanceKeys(t *testing.T, s *store.Store) {
	ctx := context.Background()
	k := store.InstanceKey{Name: "audit", Public: []byte("pub"), Sealed: []byte("sealed"), CreatedAt: t0}
	var first, second bool
	err := s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		first, err = tx.PutInstanceKey(ctx, k)
		if err != nil {
			return err
		}
		k2 := k
		k2.Public = []byte("other")
		second, err = tx.PutInstanceKey(ctx, k2)
		return err
	})
	if err != nil || !first || second {
		t.Fatalf("put = %v, %v, %v", first, second, err)
	}
	got, err := s.InstanceKey(ctx, "audit")
	if err != nil || string(got.Public) != "pub" || string(got.Sealed) != "sealed" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("InstanceKey = %+v, %v", got, err)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ResealInstanceKey(ctx, "audit", []byte("resealed")) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.InstanceKey(ctx, "audit"); string(got.Sealed) != "resealed" {
		t.Fatalf("after reseal = %q", got.Sealed)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ResealInstanceKey(ctx, "none", nil) }); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("reseal unknown = %v", err)
	}
	if _, err := s.InstanceKey(ctx, "none"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("unknown key = %v", err)
	}
	if names, err := s.InstanceKeyNames(ctx); err != nil || len(names) != 1 || names[0] != "audit" {
		t.Fatalf("InstanceKeyNames = %v, %v", names, err)
	}
}

func testSettings(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if _, err := s.Setting(ctx, "master_primary"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("unset setting = %v", err)
	}
	for _, v := range []string{"1", "2"} {
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.PutSetting(ctx, "master_primary", v, t0) }); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Setting(ctx, "master_primary"); err != nil || got != v {
			t.Fatalf("Setting = %q, %v; want %q", got, err, v)
		}
	}
}
