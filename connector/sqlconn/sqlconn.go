// Package sqlconn is the connector for the company's SQL databases:
// PostgreSQL, MariaDB/MySQL and SQLite, through database/sql.
//
// Every statement names the collection's declared fields (never *), carries
// values only as placeholders, and batches: one SELECT per Retrieve, one
// UPDATE per group of identical changes, one DELETE per chunk of keys. See
// README.md for the statements issued and the permissions Test proves.
package sqlconn

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/custos-privacy/custos/connector"
)

// dialect is the SQL engine behind a connection.
type dialect int

const (
	postgres dialect = iota + 1
	mysql
	sqlite
)

func (d dialect) String() string {
	switch d {
	case postgres:
		return "PostgreSQL"
	case mysql:
		return "MySQL"
	case sqlite:
		return "SQLite"
	}
	return "SQL"
}

// maxParams bounds the placeholders of one statement. MySQL allows 65,535
// and SQLite 32,766, but long IN lists plan badly long before that; a
// thousand keeps statements small while one Retrieve of a typical request
// still needs a single statement.
const maxParams = 1000

// maxConns keeps Custos a polite guest on the company's database: privacy
// requests are few, and the database serves the company's own traffic first.
const maxConns = 4

// conn is one connection pool to one database.
type conn struct {
	db       *sql.DB
	dialect  dialect
	readOnly bool
	display  string // the URL without its password, for messages
	secret   string // the password, scrubbed from any message that echoes it
}

// Open prepares a connector for the database at url:
//
//	postgres://USER:PASS@HOST:PORT/DB?sslmode=…   (also postgresql://)
//	mysql://USER:PASS@HOST:PORT/DB?PARAMS         (also mariadb://)
//	sqlite:PATH
//
// Open does not connect: the pool connects on first use, so a database that
// is down when Custos starts does not stop it. Call Test to connect and check
// the dataset's tables.
func Open(ctx context.Context, url string, opts connector.Options) (connector.Connector, error) {
	_ = ctx // nothing to wait for: connecting is left to first use
	var (
		c   *conn
		err error
	)
	switch scheme, _, _ := strings.Cut(url, ":"); strings.ToLower(scheme) {
	case "postgres", "postgresql":
		c, err = openPostgres(url, opts.ReadOnly)
	case "mysql", "mariadb":
		c, err = openMySQL(url, opts.ReadOnly)
	case "sqlite":
		c, err = openSQLite(url, opts.ReadOnly)
	default:
		return nil, fmt.Errorf("sqlconn: the URL %q is not understood: use postgres://, mysql://, mariadb:// or sqlite:PATH", redact(url))
	}
	if err != nil {
		return nil, err
	}
	c.readOnly = opts.ReadOnly
	c.db.SetMaxOpenConns(maxConns)
	c.db.SetMaxIdleConns(maxConns)
	c.db.SetConnMaxIdleTime(5 * time.Minute)
	c.db.SetConnMaxLifetime(time.Hour)
	return c, nil
}

// String names the database without credentials.
func (c *conn) String() string { return c.display }

// Close releases every connection.
func (c *conn) Close() error {
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("sqlconn: close %s: %w", c.display, c.safe(err))
	}
	return nil
}

// inTx runs fn in one transaction, committed when fn returns nil.
func (c *conn) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return c.safe(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return c.safe(err)
	}
	return nil
}
