package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/custos-privacy/custos"
)

// CodeNoDatabase is the code of OpenExisting's refusal when there is no
// Custos database (or schema) where the DSN points.
const CodeNoDatabase = "no_database"

// OpenExisting opens a database that serve has already created and
// migrated, and creates or migrates nothing: a command run from the wrong
// directory must say so, not start a second, empty installation whose
// tokens the real server does not know.
func OpenExisting(ctx context.Context, dsn string) (*Store, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok && path != "" && !strings.ContainsAny(path, "?#") {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, noDatabase("sqlite:" + path)
		}
	}
	s, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchema(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func noDatabase(display string) error {
	return custos.Errorf(custos.KindNotFound, CodeNoDatabase,
		"no Custos database at %s — start `custos serve` once, or pass --db", display)
}

// checkSchema refuses a database without the Custos schema, or with one
// older than this build (serve migrates it; other commands do not).
func (s *Store) checkSchema(ctx context.Context) error {
	var present bool
	var err error
	switch s.dialect {
	case Postgres:
		err = s.db.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&present)
	default:
		var n int
		err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&n)
		present = n > 0
	}
	if err != nil {
		return s.unavailable(err)
	}
	if !present {
		if s.dialect == Postgres {
			return custos.Errorf(custos.KindNotFound, CodeNoDatabase,
				"no Custos schema in %s — start `custos serve` once, or pass --db", s.display)
		}
		return noDatabase(s.display)
	}
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return fmt.Errorf("store: migrations for %s: %w", s.dialect, err)
	}
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, s.db, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return s.unavailable(err)
	}
	if pending {
		return custos.Errorf(custos.KindConflict, "schema_outdated",
			"The Custos schema in %s is older than this custos: start `custos serve` once to migrate it.", s.display)
	}
	return nil
}
