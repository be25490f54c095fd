package demo_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/internal/demo"
)

// TestEmbeddedAnchors: the embedded files are the Fides anchors the
// conformance tests use, byte for byte, so the demo shows what those tests
// prove.
func TestEmbeddedAnchors(t *testing.T) {
	t.Parallel()
	for embedded, anchor := range map[string]string{
		"fides/postgres_example_test_dataset.yml": "../../dataset/testdata/fides/postgres_example_test_dataset.yml",
	} {
		a, err := os.ReadFile(embedded)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(anchor)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s", embedded, anchor)
		}
	}
}

// TestShop: the translated sample builds an SQLite database holding
// Fides' rows, with every column the dataset describes; a second run
// refuses to write over it.
func TestShop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), demo.ShopFile)
	if err := demo.CreateShop(ctx, path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts := []struct {
		table string
		want  int
	}{{"customer", 3}, {"orders", 5}, {"payment_card", 3}, {"login", 8}, {"visit", 2}, {"service_request", 4}, {"product", 6}}
	for _, c := range counts {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + c.table).Scan(&n); err != nil || n != c.want {
			t.Errorf("%s: %d rows (%v), want %d", c.table, n, err, c.want)
		}
	}
	var name string
	if err := db.QueryRow(`SELECT name FROM customer WHERE email = 'customer-1@example.com'`).Scan(&name); err != nil || name != "John Customer" {
		t.Errorf("customer-1: %q %v", name, err)
	}
	sets, err := dataset.Load(demo.DatasetName, demo.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range sets {
		for _, coll := range ds.Collections {
			for _, f := range coll.Fields {
				if _, err := db.Exec(`SELECT "` + f.Name + `" FROM "` + coll.Name + `" LIMIT 0`); err != nil {
					t.Errorf("dataset field %s.%s: %v", coll.Name, f.Name, err)
				}
			}
		}
	}
	err = demo.CreateShop(ctx, path)
	var ce *custos.Error
	if !errors.As(err, &ce) || ce.Kind != custos.KindConflict {
		t.Fatalf("second CreateShop: %v", err)
	}
}

// TestPeopleAreShopCustomers: every demo person is a customer row, so a
// request for them finds data in the company database.
func TestPeopleAreShopCustomers(t *testing.T) {
	t.Parallel()
	var sql bytes.Buffer
	for _, s := range demo.Statements() {
		sql.WriteString(s)
	}
	for _, p := range demo.People() {
		if !bytes.Contains(sql.Bytes(), []byte("'"+p.Email+"', '"+p.Name+"'")) {
			t.Errorf("%s <%s> is not a customer in the sample", p.Name, p.Email)
		}
		if len(p.Events) == 0 || len(p.Consents) == 0 {
			t.Errorf("%s: no events or consents", p.Email)
		}
	}
}
