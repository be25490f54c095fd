package store_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// columns lists every table of the store's own schema with its columns,
// as "table.column", leaving out the migration tool's bookkeeping.
func columns(t *testing.T, s *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	if s.Dialect() == store.SQLite {
		q = `SELECT m.name || '.' || c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	}
	rows, err := s.DB().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c, "goose_db_version.") {
			set[c] = true
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(set))
}

// TestMigrationsAgree checks that the two migration sets build the same
// tables with the same columns: a column added to one dialect only would
// otherwise surface as a failing query on the other, in production.
func TestMigrationsAgree(t *testing.T) {
	t.Parallel()
	lite, pg := columns(t, storetest.OpenSQLite(t)), columns(t, storetest.OpenPostgres(t))
	if len(lite) < 50 {
		t.Fatalf("only %d columns found in SQLite: the query is wrong", len(lite))
	}
	for _, c := range lite {
		if !slices.Contains(pg, c) {
			t.Errorf("%s is in the SQLite schema only", c)
		}
	}
	for _, c := range pg {
		if !slices.Contains(lite, c) {
			t.Errorf("%s is in the PostgreSQL schema only", c)
		}
	}
}
