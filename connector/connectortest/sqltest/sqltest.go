// Package sqltest gives tests real SQL databases to run connectors on: a
// private schema on the PostgreSQL server named by CUSTOS_TEST_POSTGRES
// (default postgres://postgres@127.0.0.1:5432/test), a private database on
// the MariaDB/MySQL server named by CUSTOS_TEST_MYSQL (default
// mysql://root@127.0.0.1:3306/test), or a SQLite file in a temporary
// directory; tables made from a dataset; and the connectortest harness for
// the sqlconn connector on each.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"net"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/connectortest"
	"github.com/custos-privacy/custos/connector/sqlconn"
	"github.com/custos-privacy/custos/dataset"
)

// The dialects Harness, NewURL and CreateTables know.
const (
	Postgres = "postgres"
	MySQL    = "mysql"
	SQLite   = "sqlite"
	// PostgresExec is PostgreSQL with statements sent unprepared, as a
	// URL asks for behind a pooler in transaction mode.
	PostgresExec = "postgres-exec"
)

// Harness is the conformance harness for sqlconn on dialect: every case
// gets a database of its own, so the cases run in parallel.
func Harness(dialect string) connectortest.Harness {
	return connectortest.Harness{
		Name: dialect,
		Load: func(t *testing.T, d *dataset.Dataset, rows map[string][]connector.Row) (rw, ro connector.Connector) {
			t.Helper()
			return Load(t, dialect, d, rows)
		},
	}
}

// Load creates a fresh database of dialect holding the tables of d filled
// with rows, and opens a read-write and a read-only connector on it. All
// are closed and removed at cleanup.
func Load(t testing.TB, dialect string, d *dataset.Dataset, rows map[string][]connector.Row) (rw, ro connector.Connector) {
	t.Helper()
	url := NewURL(t, dialect)
	CreateTables(t, url, d, rows)
	return Open(t, url, false), Open(t, url, true)
}

// Open opens a sqlconn connector on url, closed at cleanup.
func Open(t testing.TB, url string, readOnly bool) connector.Connector {
	t.Helper()
	c, err := sqlconn.Open(context.Background(), url, connector.Options{ReadOnly: readOnly})
	if err != nil {
		t.Fatalf("sqlconn.Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// NewURL returns the connection URL of a new, empty database of dialect,
// removed at cleanup.
func NewURL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case Postgres:
		return PostgresURL(t)
	case PostgresExec:
		return PostgresURL(t) + "&default_query_exec_mode=exec"
	case MySQL:
		return MySQLURL(t)
	case SQLite:
		return SQLiteURL(t)
	}
	t.Fatalf("sqltest: unknown dialect %q", dialect)
	return ""
}

// PostgresServer is the server PostgreSQL tests run on.
func PostgresServer() string {
	if u := os.Getenv("CUSTOS_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// MySQLServer is the server MariaDB/MySQL tests run on.
func MySQLServer() string {
	if u := os.Getenv("CUSTOS_TEST_MYSQL"); u != "" {
		return u
	}
	return "mysql://root@127.0.0.1:3306/test"
}

func suffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// PostgresURL creates a schema of its own on the test server and returns a
// URL whose search_path points at it; the schema is dropped at cleanup.
func PostgresURL(t testing.TB) string {
	t.Helper()
	schema := "custos_conn_" + suffix()
	Exec(t, PostgresServer(), `CREATE SCHEMA `+schema)
	t.Cleanup(func() { Exec(t, PostgresServer(), `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := neturl.Parse(PostgresServer())
	if err != nil {
		t.Fatalf("CUSTOS_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// MySQLURL creates a database of its own on the test server and returns
// its URL; the database is dropped at cleanup.
func MySQLURL(t testing.TB) string {
	t.Helper()
	db := "custos_conn_" + suffix()
	Exec(t, MySQLServer(), "CREATE DATABASE "+db)
	t.Cleanup(func() { Exec(t, MySQLServer(), "DROP DATABASE "+db) })
	u, err := neturl.Parse(MySQLServer())
	if err != nil {
		t.Fatalf("CUSTOS_TEST_MYSQL: %v", err)
	}
	u.Path = "/" + db
	return u.String()
}

// SQLiteURL returns the URL of a new, empty SQLite file in a temporary
// directory.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil { // creates the file
		t.Fatalf("create %s: %v", path, err)
	}
	return "sqlite:" + path
}

// SQLiteFile makes a SQLite database file in a temporary directory, runs
// statements on it and returns its path: the company database ("shop") a
// service test connects Custos to.
func SQLiteFile(t testing.TB, statements ...string) string {
	t.Helper()
	url := SQLiteURL(t)
	Exec(t, url, statements...)
	return strings.TrimPrefix(url, "sqlite:")
}

// ShopDataset describes the database Shop makes, as the company would
// import it: customer (id, email as the identity, name) and login (id,
// customer_id pointing at the customer, device).
const ShopDataset = shopCustomer + shopLogin

// ShopDatasetWith is ShopDataset with customerFields added to the
// customer collection and collections after login (YAML at the
// indentation of ShopDataset's own fields and collections): a test that
// adds its own columns and tables to Shop describes them on top of the
// one shop rather than writing the shop again.
func ShopDatasetWith(customerFields, collections string) string {
	return shopCustomer + customerFields + shopLogin + collections
}

const shopCustomer = `dataset:
  - fides_key: shop
    name: Shop
    collections:
      - name: customer
        fields:
          - name: id
            data_categories: [user.unique_id]
            fides_meta: {primary_key: true, data_type: integer}
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email, data_type: string}
          - name: name
            data_categories: [user.name]
`

const shopLogin = `      - name: login
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true, data_type: integer}
          - name: customer_id
            data_categories: [user.unique_id]
            fides_meta:
              references:
                - {dataset: shop, field: customer.id, direction: from}
          - name: device
            data_categories: [user.device.device_id]
`

// Shop is the company database of the API and CLI tests, for SQLiteFile:
// customers Ana (ana@example.com) with two logins and Bob
// (bob@example.com) with one. ShopDataset describes it.
func Shop() []string {
	return []string{
		`CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT, name TEXT)`,
		`CREATE TABLE login (id INTEGER PRIMARY KEY, customer_id INTEGER, device TEXT)`,
		`INSERT INTO customer VALUES (1, 'ana@example.com', 'Ana Lima'), (2, 'bob@example.com', 'Bob Stone')`,
		`INSERT INTO login VALUES (1, 1, 'ana-phone'), (2, 1, 'ana-laptop'), (3, 2, 'bob-phone')`,
	}
}

// DB opens url (postgres://, mysql:// or sqlite:) with plain database/sql,
// for setting up and inspecting test data behind a connector's back.
func DB(t testing.TB, url string) (*sql.DB, string) {
	t.Helper()
	var (
		db      *sql.DB
		err     error
		dialect string
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dialect = Postgres
		db, err = sql.Open("pgx", url)
	case strings.HasPrefix(url, "mysql://"), strings.HasPrefix(url, "mariadb://"):
		dialect = MySQL
		var cfg *mysqldriver.Config
		if cfg, err = mysqlConfig(url); err == nil {
			var cn driver.Connector
			if cn, err = mysqldriver.NewConnector(cfg); err == nil {
				db = sql.OpenDB(cn)
			}
		}
	case strings.HasPrefix(url, "sqlite:"):
		dialect = SQLite
		db, err = sql.Open("sqlite", strings.TrimPrefix(url, "sqlite:"))
	default:
		t.Fatalf("sqltest: unknown URL %q", url)
	}
	if err != nil {
		t.Fatalf("sqltest: open %s: %v", url, err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("sqltest: the test database at %s is not reachable (set CUSTOS_TEST_POSTGRES or CUSTOS_TEST_MYSQL to change it): %v", url, err)
	}
	return db, dialect
}

// Exec runs statements on url, failing the test on error.
func Exec(t testing.TB, url string, statements ...string) {
	t.Helper()
	db, _ := DB(t, url)
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("sqltest: %s: %v", s, err)
		}
	}
	db.Close()
}

func mysqlConfig(url string) (*mysqldriver.Config, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, err
	}
	cfg := mysqldriver.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	port := u.Port()
	if port == "" {
		port = "3306"
	}
	cfg.Addr = net.JoinHostPort(u.Hostname(), port)
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = true
	return cfg, nil
}

// CreateTables creates a table for every collection of d, with columns
// typed from the fields' data types (integer, float, boolean, else text)
// and a primary key of the fields marked so, and inserts rows.
func CreateTables(t testing.TB, url string, d *dataset.Dataset, rows map[string][]connector.Row) {
	t.Helper()
	db, dialect := DB(t, url)
	for _, c := range d.Collections {
		if _, err := db.Exec(CreateTable(dialect, c)); err != nil {
			t.Fatalf("sqltest: create table %s: %v", c.Name, err)
		}
		if len(rows[c.Name]) == 0 {
			continue
		}
		var (
			sb   strings.Builder
			args []any
		)
		cols := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			cols[i] = Quote(dialect, f.Name)
		}
		fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", QuoteTable(dialect, c.Name), strings.Join(cols, ", "))
		for i, r := range rows[c.Name] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for j, f := range c.Fields {
				if j > 0 {
					sb.WriteString(", ")
				}
				args = append(args, r[f.Name])
				if dialect == Postgres {
					sb.WriteString("$" + strconv.Itoa(len(args)))
				} else {
					sb.WriteString("?")
				}
			}
			sb.WriteString(")")
		}
		if _, err := db.Exec(sb.String(), args...); err != nil {
			t.Fatalf("sqltest: insert into %s: %v", c.Name, err)
		}
	}
}

// CreateTable is the CREATE TABLE statement for collection c.
func CreateTable(dialect string, c *dataset.Collection) string {
	var defs, pk []string
	for _, f := range c.Fields {
		defs = append(defs, Quote(dialect, f.Name)+" "+ColumnType(dialect, f))
		if f.PrimaryKey {
			pk = append(pk, Quote(dialect, f.Name))
		}
	}
	if len(pk) > 0 {
		defs = append(defs, "PRIMARY KEY ("+strings.Join(pk, ", ")+")")
	}
	return "CREATE TABLE " + QuoteTable(dialect, c.Name) + " (" + strings.Join(defs, ", ") + ")"
}

// ColumnType chooses a column type from the field's data type.
func ColumnType(dialect string, f *dataset.Field) string {
	switch f.DataType {
	case "integer":
		return "BIGINT"
	case "float":
		switch dialect {
		case Postgres:
			return "DOUBLE PRECISION"
		case MySQL:
			return "DOUBLE"
		}
		return "REAL"
	case "boolean":
		return "BOOLEAN"
	}
	if dialect == MySQL && f.PrimaryKey {
		return "VARCHAR(255)" // MySQL keys need a length
	}
	return "TEXT"
}

// Quote quotes an identifier for dialect.
func Quote(dialect, name string) string {
	q := `"`
	if dialect == MySQL {
		q = "`"
	}
	return q + strings.ReplaceAll(name, q, q+q) + q
}

// QuoteTable quotes a table name, "schema.table" as two parts.
func QuoteTable(dialect, name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = Quote(dialect, p)
	}
	return strings.Join(parts, ".")
}
