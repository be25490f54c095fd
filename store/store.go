// Package store keeps Custos' state in SQLite (embedded default) or
// PostgreSQL (production). One implementation serves both dialects: the
// queries are portable SQL with $N placeholders, which both engines accept,
// and only the schema migrations differ per dialect. Every method is covered
// by the conformance suite in store/storetest, run against both.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/custos-privacy/custos"
)

// Dialect names the SQL engine behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// querier is what both *sql.DB and *sql.Tx offer; the query methods are
// written once against it so they work inside and outside transactions.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries carries the methods shared by Store and Tx.
type queries struct {
	q       querier
	dialect Dialect
}

// Store is an open database.
type Store struct {
	queries
	db      *sql.DB
	pool    *pgxpool.Pool
	stmts   *stmtCache // SQLite's prepared statements
	display string     // the DSN without credentials, for messages
}

// Tx is a transaction. State changes and their audit entries are written in
// the same Tx so that a crash can never keep one without the other.
type Tx struct {
	queries
	tx *sql.Tx
}

// Open connects to the database named by dsn: "sqlite:PATH" or
// "postgres://…" (also "postgresql://…"). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	default:
		return nil, custos.Errorf(custos.KindInvalid, "invalid_dsn",
			"Database DSN %q is not understood: use sqlite:PATH or postgres://USER@HOST:PORT/DB.", redact(dsn))
	}
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, custos.Errorf(custos.KindInvalid, "invalid_dsn", "Database DSN sqlite: needs a file path, e.g. sqlite:./custos-data/custos.db.")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, custos.Errorf(custos.KindInvalid, "invalid_dsn", "SQLite path %q must not contain '?' or '#'.", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, custos.Wrap(err, custos.KindUnavailable, "database_unreachable",
				fmt.Sprintf("Cannot create the directory %s for the SQLite database.", dir))
		}
	}
	// WAL lets readers proceed during a write; immediate transactions take the
	// write lock up front, so two writers queue on busy_timeout instead of
	// failing with SQLITE_BUSY half-way through.
	conn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(15000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", conn)
	if err != nil {
		return nil, custos.Wrap(err, custos.KindInvalid, "invalid_dsn", "Cannot open the SQLite database "+path+".")
	}
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, custos.Wrap(err, custos.KindUnavailable, "database_unreachable", "Cannot open the SQLite database "+path+".")
	}
	// The database file holds encrypted personal data and hashes: keep it private.
	_ = os.Chmod(path, 0o600)
	cache := &stmtCache{}
	return &Store{queries: queries{q: positional{q: db, db: db, cache: cache}, dialect: SQLite}, db: db, stmts: cache, display: "sqlite:" + path}, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, custos.Wrap(err, custos.KindInvalid, "invalid_dsn",
			fmt.Sprintf("Database DSN %s is not a valid PostgreSQL URL: %s.", redact(dsn), firstLine(err)))
	}
	display := redact(dsn)
	where := net.JoinHostPort(cfg.ConnConfig.Host, fmt.Sprint(cfg.ConnConfig.Port))
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, custos.Wrap(err, custos.KindInvalid, "invalid_dsn", "Cannot use database DSN "+display+".")
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, custos.Wrap(err, custos.KindUnavailable, "database_unreachable",
			fmt.Sprintf("Cannot reach PostgreSQL at %s (%s): %s.", where, display, firstLine(err)))
	}
	db := stdlib.OpenDBFromPool(pool)
	return &Store{queries: queries{q: db, dialect: Postgres}, db: db, pool: pool, display: display}, nil
}

// Migrate brings the schema up to date. It is safe to run from several
// servers at once on PostgreSQL (a session lock serialises them).
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return fmt.Errorf("store: migrations for %s: %w", s.dialect, err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Servers migrating the same schema take turns; different schemas
		// (tenants, parallel tests) need not wait for each other.
		var schema string
		if err := s.db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return s.unavailable(err)
		}
		h := fnv.New64a()
		h.Write([]byte("custos-migrate:" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return custos.Wrap(err, custos.KindUnavailable, "migration_failed", "The database schema could not be migrated.")
	}
	return nil
}

// Dialect tells which engine this store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// String names the database without credentials.
func (s *Store) String() string { return s.display }

// DB exposes the database/sql handle for packages that need raw access (job
// queues, benchmarks).
func (s *Store) DB() *sql.DB { return s.db }

// Pool is the pgx pool on PostgreSQL, nil on SQLite.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close releases every connection.
func (s *Store) Close() error {
	s.stmts.close()
	err := s.db.Close()
	s.stmts.wait()
	if s.pool != nil {
		s.pool.Close()
	}
	return err
}

// SQL is the transaction itself, for a library that writes its own tables
// in the same database and must commit with Custos' change (the job
// queue's insert of the job a change calls for).
func (tx *Tx) SQL() *sql.Tx { return tx.tx }

// InTx runs fn in a transaction, committing when it returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.unavailable(err)
	}
	var q querier = sqlTx
	if s.dialect == SQLite {
		q = positional{q: sqlTx, db: s.db, tx: sqlTx, cache: s.stmts}
	}
	tx := &Tx{queries: queries{q: q, dialect: s.dialect}, tx: sqlTx}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return s.unavailable(err)
	}
	return nil
}

func (s *Store) unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return custos.Wrap(err, custos.KindUnavailable, custos.CodeUnavailable, "The database is not available.")
}

// micros and fromMicros convert between time.Time and the stored integers.
func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

func fromNullMicros(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

// redact removes a password from a URL-shaped DSN, even one that does not
// parse as a URL, and from a password=… keyword.
func redact(dsn string) string {
	dsn = urlPassword.ReplaceAllString(dsn, "${1}xxxxx@")
	return keywordPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

// Compiled once; read-only after init.
var (
	urlPassword     = regexp.MustCompile(`(://[^:/@]*:)[^@]*@`)
	keywordPassword = regexp.MustCompile(`((?:^|[\s&?])password=)[^\s&]*`)
)

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// strings runs a query of one text column and returns its values.
func (q *queries) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
