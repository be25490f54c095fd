package storetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func existingCases() []suiteCase {
	return []suiteCase{
		{"OpenExisting", testOpenExisting},
		{"OpenExistingRefusesNone", testOpenExistingRefusesNone},
	}
}

// testOpenExisting: a migrated database opens as it is.
func testOpenExisting(t *testing.T, s *store.Store) {
	dsn := s.String()
	if strings.Contains(dsn, "xxxxx") {
		t.Skip("the test DSN carries a password, which String redacts")
	}
	e, err := store.OpenExisting(context.Background(), dsn)
	if err != nil {
		t.Fatalf("OpenExisting(%s) = %v", dsn, err)
	}
	defer e.Close()
	if _, err := e.Tokens(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// testOpenExistingRefusesNone: where there is no Custos database (no file,
// an empty file, an empty schema), OpenExisting says so and creates
// nothing.
func testOpenExistingRefusesNone(t *testing.T, s *store.Store) {
	ctx := context.Background()
	refused := func(dsn, want string) {
		t.Helper()
		e, err := store.OpenExisting(ctx, dsn)
		if err == nil {
			e.Close()
			t.Fatalf("OpenExisting(%s) opened it", dsn)
		}
		var ce *custos.Error
		if !errors.As(err, &ce) || ce.Code != store.CodeNoDatabase || !strings.Contains(ce.Message, want) {
			t.Fatalf("OpenExisting(%s) = %v; want %s naming %q", dsn, err, store.CodeNoDatabase, want)
		}
	}
	if s.Dialect() == store.Postgres {
		dsn := PostgresSchemaDSN(t)
		refused(dsn, "no Custos schema in ")
		e, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		var n int
		if err := e.DB().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the empty schema has %d tables after OpenExisting (%v)", n, err)
		}
		return
	}
	path := filepath.Join(t.TempDir(), "sub", "custos.db")
	refused("sqlite:"+path, "no Custos database at sqlite:"+path+" — start `custos serve` once, or pass --db")
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("OpenExisting created %s: %v", filepath.Dir(path), err)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	refused("sqlite:"+empty, "no Custos database at sqlite:"+empty)
}
