package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, storetest.OpenSQLite)
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, storetest.OpenPostgres)
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dsn, code, mention string
	}{
		{"mysql://x", "invalid_dsn", "sqlite:PATH or postgres://"},
		{"", "invalid_dsn", "not understood"},
		{"sqlite:", "invalid_dsn", "needs a file path"},
		{"sqlite:/tmp/a?b", "invalid_dsn", "must not contain"},
		{"postgres://u:secret@127.0.0.1:notaport/db", "invalid_dsn", "not a valid PostgreSQL URL"},
		{"postgres://u:secret@127.0.0.1:1/db?connect_timeout=2", "database_unreachable", "Cannot reach PostgreSQL at 127.0.0.1:1"},
	}
	for _, c := range cases {
		t.Run(c.dsn, func(t *testing.T) {
			t.Parallel()
			s, err := store.Open(context.Background(), c.dsn)
			if err == nil {
				s.Close()
				t.Fatal("no error")
			}
			e := custos.AsError(err)
			if e.Code != c.code || !strings.Contains(e.Message, c.mention) {
				t.Fatalf("got %s %q", e.Code, e.Message)
			}
			if strings.Contains(e.Message, "secret") {
				t.Fatalf("message leaks the password: %q", e.Message)
			}
		})
	}
}
