// Package storetest is the store conformance suite and the helpers that give
// any test a fresh, migrated store on both dialects: a SQLite file in a temp
// directory, and a schema of its own in the PostgreSQL server named by
// CUSTOS_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test),
// taken from a pool of migrated schemas that are emptied between tests.
//
// Its files mirror the store's: the cases for the methods of store/X.go are
// in X.go here, and TestSuiteCallsEveryMethod fails for a method no case
// calls.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/store"
)

// PostgresDSN is the server the PostgreSQL half of every store test runs on.
func PostgresDSN() string {
	if dsn := os.Getenv("CUSTOS_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// OpenSQLite returns a migrated store on a new SQLite file, closed at cleanup.
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "custos.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return s
}

// PostgresSchemaDSN creates an empty schema of its own on the test server and
// returns a DSN whose search_path points at it; the schema is dropped at
// cleanup.
func PostgresSchemaDSN(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin, err := store.Open(ctx, PostgresDSN())
	if err != nil {
		t.Fatalf("PostgreSQL for tests (set CUSTOS_TEST_POSTGRES to change): %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "custos_test_" + hex.EncodeToString(b)
	if _, err := admin.DB().ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := store.Open(context.Background(), PostgresDSN())
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close()
		if _, err := admin.DB().ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	dsn, err := schemaDSN(schema)
	if err != nil {
		t.Fatalf("CUSTOS_TEST_POSTGRES: %v", err)
	}
	return dsn
}

// OpenPostgres returns a migrated, empty store in a schema no other test
// uses while this one runs. The schema comes from the process' pool (see
// pool.go): migrated once, emptied after each test and handed to the next.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	schema, fresh, err := schemas.take(ctx)
	if err != nil {
		t.Fatalf("PostgreSQL for tests (set CUSTOS_TEST_POSTGRES to change): %v", err)
	}
	dsn, err := schemaDSN(schema)
	if err != nil {
		t.Fatalf("CUSTOS_TEST_POSTGRES: %v", err)
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		schemas.discard(ctx, schema)
		t.Fatalf("open postgres: %v", err)
	}
	if fresh {
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			schemas.discard(ctx, schema)
			t.Fatalf("migrate postgres: %v", err)
		}
		if err := schemas.learn(ctx, schema); err != nil {
			s.Close()
			schemas.discard(ctx, schema)
			t.Fatalf("list tables: %v", err)
		}
	}
	// Registered first, so it runs last: after the test's own cleanups have
	// stopped whatever still used the store.
	t.Cleanup(func() {
		s.Close()
		if err := schemas.give(context.Background(), schema); err != nil {
			t.Errorf("return schema %s to the pool: %v", schema, err)
		}
	})
	return s
}

// schemaDSN is the test server's DSN with its search_path set to schema.
func schemaDSN(schema string) (string, error) {
	u, err := url.Parse(PostgresDSN())
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Each runs fn once per dialect, as parallel subtests named for the dialect.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", OpenSQLite}, {"postgres", OpenPostgres}} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			fn(t, d.open(t))
		})
	}
}

// OpenSQLiteIn is OpenSQLite with the database file in dir, for tests that
// read the files afterwards.
func OpenSQLiteIn(t testing.TB, dir string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "custos.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return s
}

// NoPlaintext fails the test if any of the SQLite files in dir (the
// database, its WAL and shared memory) holds a secret in the clear, in any
// case, or a phone number without its plus sign.
func NoPlaintext(t testing.TB, dir string, secrets ...string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "custos.db*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range secrets {
			for _, form := range []string{sec, strings.ToLower(sec), strings.TrimPrefix(sec, "+")} {
				if bytes.Contains(b, []byte(form)) {
					t.Errorf("%s holds %q in the clear", filepath.Base(f), form)
				}
			}
		}
	}
}
