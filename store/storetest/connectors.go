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

func connectorCases() []suiteCase {
	return []suiteCase{
		{"Datasets", testDatasets},
		{"Connections", testConnections},
		{"ConnectionNameTaken", testConnectionNameTaken},
	}
}

func testDatasets(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if ds, err := s.Datasets(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("Datasets on an empty store = %v, %v", ds, err)
	}
	// Binary-safe source: a file is kept byte for byte as imported.
	src := []byte("dataset:\n  - fides_key: shop\x00\xff")
	shop := store.DatasetRow{Key: "shop", FileName: "shop.yml", Source: src, Digest: "d1", ImportedAt: t0, ImportedBy: "cli"}
	crm := store.DatasetRow{Key: "crm", FileName: "crm.yml", Source: []byte("crm"), Digest: "d2", ImportedAt: t0.Add(time.Hour), ImportedBy: "token:3"}
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.PutDataset(ctx, shop); err != nil {
			return err
		}
		return tx.PutDataset(ctx, crm)
	})
	checkDatasetsListed(t, s, src)
	checkDatasetLookups(t, s, src)
	checkDatasetReimport(t, s)
	checkDatasetDelete(t, s)
	// A rolled-back import leaves nothing.
	_ = s.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutDataset(ctx, shop); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if ds, _ := s.Datasets(ctx); len(ds) != 1 {
		t.Fatalf("rolled-back import visible: %+v", ds)
	}
}

// checkDatasetsListed: the datasets crm and shop (with source src) are
// listed as imported, whole, ordered by key.
func checkDatasetsListed(t *testing.T, s *store.Store, src []byte) {
	ctx := context.Background()
	ds, err := s.Datasets(ctx)
	if err != nil || len(ds) != 2 {
		t.Fatalf("Datasets = %+v, %v", ds, err)
	}
	// Ordered by key.
	if ds[0].Key != "crm" || ds[1].Key != "shop" {
		t.Fatalf("order: %s, %s", ds[0].Key, ds[1].Key)
	}
	got := ds[1]
	if got.FileName != "shop.yml" || !bytes.Equal(got.Source, src) || got.Digest != "d1" || !got.ImportedAt.Equal(t0) || got.ImportedBy != "cli" {
		t.Fatalf("shop = %+v", got)
	}
}

// checkDatasetLookups: the index is the list without sources, one dataset
// comes with its source (src for shop), and an unknown one is not found.
func checkDatasetLookups(t *testing.T, s *store.Store, src []byte) {
	ctx := context.Background()
	// The index is the same list without the sources; one dataset comes
	// with its source.
	idx, err := s.DatasetIndex(ctx)
	if err != nil || len(idx) != 2 || idx[0].Key != "crm" || idx[1].Source != nil || idx[1].Digest != "d1" ||
		idx[1].FileName != "shop.yml" || !idx[1].ImportedAt.Equal(t0) || idx[1].ImportedBy != "cli" {
		t.Fatalf("DatasetIndex = %+v, %v", idx, err)
	}
	if one, err := s.Dataset(ctx, "shop"); err != nil || !bytes.Equal(one.Source, src) || one.Digest != "d1" || !one.ImportedAt.Equal(t0) {
		t.Fatalf("Dataset(shop) = %+v, %v", one, err)
	}
	if _, err := s.Dataset(ctx, "nope"); err == nil || custos.AsError(err).Kind != custos.KindNotFound || custos.ErrorCode(err) != "unknown_dataset" {
		t.Fatalf("Dataset(nope) = %v, want not found", err)
	}
}

// checkDatasetReimport: a new import of the same key replaces the old one,
// whole.
func checkDatasetReimport(t *testing.T, s *store.Store) {
	ctx := context.Background()
	again := store.DatasetRow{Key: "shop", FileName: "shop-v2.yml", Source: []byte("v2"), Digest: "d3", ImportedAt: t0.Add(2 * time.Hour), ImportedBy: "api"}
	mustTx(t, s, func(tx *store.Tx) error { return tx.PutDataset(ctx, again) })
	ds, _ := s.Datasets(ctx)
	if len(ds) != 2 || ds[1].FileName != "shop-v2.yml" || string(ds[1].Source) != "v2" || ds[1].Digest != "d3" ||
		!ds[1].ImportedAt.Equal(t0.Add(2*time.Hour)) || ds[1].ImportedBy != "api" {
		t.Fatalf("after re-import: %+v", ds)
	}
}

// checkDatasetDelete: deleting shop reports it gone once, and leaves crm.
func checkDatasetDelete(t *testing.T, s *store.Store) {
	ctx := context.Background()
	gone, twice := deleteTwice(t, s, (*store.Tx).DeleteDataset, "shop")
	if !gone || twice {
		t.Fatalf("DeleteDataset = %v then %v; want true then false", gone, twice)
	}
	if ds, _ := s.Datasets(ctx); len(ds) != 1 || ds[0].Key != "crm" {
		t.Fatalf("after delete: %+v", ds)
	}
}

func testConnections(t *testing.T, s *store.Store) {
	ctx := context.Background()
	db := store.ConnectionRow{Name: "shop-db", DatasetKey: "shop", URLSealed: []byte("u1"), SecretSealed: nil, ReadOnly: true, CreatedAt: t0, CreatedBy: "cli"}
	hook := store.ConnectionRow{Name: "crm-hook", DatasetKey: "crm", URLSealed: []byte("u2"), SecretSealed: []byte("s2"), CreatedAt: t0.Add(time.Minute), CreatedBy: "token:1"}
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertConnection(ctx, db); err != nil {
			return err
		}
		return tx.InsertConnection(ctx, hook)
	})
	checkConnectionsRead(t, s)
	checkConnectionReseal(t, s)

	gone, twice := deleteTwice(t, s, (*store.Tx).DeleteConnection, "shop-db")
	if !gone || twice {
		t.Fatalf("DeleteConnection = %v then %v; want true then false", gone, twice)
	}
	if cs, _ := s.Connections(ctx); len(cs) != 1 || cs[0].Name != "crm-hook" {
		t.Fatalf("after delete: %+v", cs)
	}
	// The name is free again.
	mustTx(t, s, func(tx *store.Tx) error { return tx.InsertConnection(ctx, db) })
}

// checkConnectionsRead: the connections shop-db and crm-hook read back as
// inserted, listed by name and one by one.
func checkConnectionsRead(t *testing.T, s *store.Store) {
	ctx := context.Background()
	cs, err := s.Connections(ctx)
	if err != nil || len(cs) != 2 || cs[0].Name != "crm-hook" || cs[1].Name != "shop-db" {
		t.Fatalf("Connections = %+v, %v", cs, err)
	}
	got, err := s.Connection(ctx, "shop-db")
	if err != nil || got.DatasetKey != "shop" || string(got.URLSealed) != "u1" || len(got.SecretSealed) != 0 || !got.ReadOnly ||
		!got.CreatedAt.Equal(t0) || got.CreatedBy != "cli" {
		t.Fatalf("Connection(shop-db) = %+v, %v", got, err)
	}
	if got, _ := s.Connection(ctx, "crm-hook"); got.ReadOnly || string(got.SecretSealed) != "s2" || !got.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Connection(crm-hook) = %+v", got)
	}
	if _, err := s.Connection(ctx, "nope"); err == nil || custos.AsError(err).Kind != custos.KindNotFound || custos.ErrorCode(err) != "connection_not_found" {
		t.Fatalf("Connection(nope) = %v", err)
	}
}

// checkConnectionReseal: master key rotation reseals both halves of one
// connection, and an unknown one is not found.
func checkConnectionReseal(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error { return tx.ResealConnection(ctx, "crm-hook", []byte("u2'"), []byte("s2'")) })
	if got, _ := s.Connection(ctx, "crm-hook"); string(got.URLSealed) != "u2'" || string(got.SecretSealed) != "s2'" {
		t.Fatalf("after reseal: %+v", got)
	}
	if got, _ := s.Connection(ctx, "shop-db"); string(got.URLSealed) != "u1" {
		t.Fatalf("reseal touched another connection: %+v", got)
	}
	err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ResealConnection(ctx, "nope", []byte("u"), nil) })
	if err == nil || custos.AsError(err).Kind != custos.KindNotFound {
		t.Fatalf("reseal of an unknown connection = %v", err)
	}
}

func testConnectionNameTaken(t *testing.T, s *store.Store) {
	ctx := context.Background()
	first := store.ConnectionRow{Name: "shop", DatasetKey: "shop", URLSealed: []byte("first"), CreatedAt: t0, CreatedBy: "cli"}
	mustTx(t, s, func(tx *store.Tx) error { return tx.InsertConnection(ctx, first) })
	cases := []struct {
		name string
		row  store.ConnectionRow
	}{
		{"same dataset", store.ConnectionRow{Name: "shop", DatasetKey: "shop", URLSealed: []byte("second"), CreatedAt: t0, CreatedBy: "cli"}},
		{"other dataset", store.ConnectionRow{Name: "shop", DatasetKey: "crm", URLSealed: []byte("third"), ReadOnly: true, CreatedAt: t0, CreatedBy: "api"}},
	}
	for _, c := range cases {
		err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertConnection(ctx, c.row) })
		if err == nil || custos.ErrorCode(err) != "connection_exists" || custos.AsError(err).Kind != custos.KindConflict {
			t.Fatalf("%s: insert of a taken name = %v", c.name, err)
		}
	}
	// The first one is untouched.
	got, err := s.Connection(ctx, "shop")
	if err != nil || string(got.URLSealed) != "first" || got.ReadOnly || got.DatasetKey != "shop" {
		t.Fatalf("after conflicts: %+v, %v", got, err)
	}
	// The conflict is reported without spoiling the transaction: what else
	// it did still commits when the caller chooses to go on.
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertConnection(ctx, cases[0].row); custos.ErrorCode(err) != "connection_exists" {
			t.Errorf("conflict in tx = %v", err)
		}
		return tx.InsertConnection(ctx, store.ConnectionRow{Name: "other", DatasetKey: "crm", URLSealed: []byte("u"), CreatedAt: t0, CreatedBy: "cli"})
	})
	if cs, _ := s.Connections(ctx); len(cs) != 2 {
		t.Fatalf("connections = %+v", cs)
	}
}

// deleteTwice deletes name twice in one transaction and reports whether
// each call found it: a delete says whether there was something to delete.
func deleteTwice(t *testing.T, s *store.Store, del func(*store.Tx, context.Context, string) (bool, error), name string) (gone, twice bool) {
	t.Helper()
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if gone, err = del(tx, ctx, name); err != nil {
			return err
		}
		twice, err = del(tx, ctx, name)
		return err
	})
	return gone, twice
}
