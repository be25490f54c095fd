package sqlconn_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/connectortest"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/connector/sqlconn"
	"github.com/custos-privacy/custos/dataset"
)

var dialects = [...]string{sqltest.Postgres, sqltest.MySQL, sqltest.SQLite}

// each runs fn once per dialect, in parallel.
func each(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

func TestOpenURLs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url     string
		wantErr string // "" when Open must succeed (it does not connect)
	}{
		{"postgres://u:pw@127.0.0.1:5432/db?sslmode=disable", ""},
		{"postgresql://u@localhost/db", ""},
		{"mysql://u:pw@127.0.0.1:3306/db?tls=false", ""},
		{"mariadb://u:pw@db.internal/shop", ""},
		{"mysql://u@localhost/db?socket=/run/mysqld/mysqld.sock", ""},
		{"sqlite:/tmp/shop.db", ""},
		{"sqlite:///tmp/shop.db", ""},
		{"oracle://u:s3cret@host/db", "not understood"},
		{"sqlite:", "needs a file path"},
		{"sqlite:/tmp/a.db?mode=memory", "must not contain"},
		{"postgres://u:s3cret@host:notaport/db", "not a valid PostgreSQL URL"},
		{"mysql://u:s3cret@host/db?timeout=soon", "parameters the MySQL driver refuses"},
	} {
		c, err := sqlconn.Open(context.Background(), tc.url, connector.Options{})
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("Open(%q): %v", tc.url, err)
		case tc.wantErr != "" && err == nil:
			t.Errorf("Open(%q) succeeded, want an error containing %q", tc.url, tc.wantErr)
		case err != nil && !strings.Contains(err.Error(), tc.wantErr):
			t.Errorf("Open(%q) = %v, want an error containing %q", tc.url, err, tc.wantErr)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("Open(%q) error shows the password: %v", tc.url, err)
		}
		if c != nil {
			if s := fmt.Sprint(c); strings.Contains(s, "pw") {
				t.Errorf("connector for %q prints as %q, with the password", tc.url, s)
			}
			c.Close()
		}
	}
}

// TestUnreachable checks the failure a person sees when the server is not
// there, and that it does not show the password.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	d, _ := connectortest.Fixture()
	for _, u := range []string{
		"postgres://postgres:s3cret@127.0.0.1:1/test?sslmode=disable&connect_timeout=5",
		"mysql://root:s3cret@127.0.0.1:1/test",
		"sqlite:" + t.TempDir() + "/missing.db",
	} {
		c, err := sqlconn.Open(t.Context(), u, connector.Options{})
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		defer c.Close()
		err = c.Test(t.Context(), d)
		if err == nil {
			t.Errorf("Test on %q succeeded", u)
			continue
		}
		if !strings.Contains(err.Error(), "cannot connect") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Test on %q = %v, want a 'cannot connect' error without the password", u, err)
		}
	}
}

// TestValueTypes reads the column types the fixture leaves out and checks
// each comes back as connector.Row documents.
func TestValueTypes(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 1, 12, 30, 45, 0, time.UTC)
	for _, tc := range []struct {
		dialect string
		ddl     string
		insert  string
		want    connector.Row
	}{
		{
			sqltest.Postgres,
			`CREATE TABLE kinds (id int4 PRIMARY KEY, small int2, big int8, ratio float8, real4 float4, flag boolean, price numeric(10,2),
				cash money, at timestamptz, plain timestamp, day date, raw bytea, doc jsonb, uid uuid, note text, nothing text)`,
			`INSERT INTO kinds VALUES (1, 2, 9007199254740993, 0.5, 0.1, true, 12.50, 3.20, '2024-03-01 13:30:45+01', '2024-03-01 12:30:45',
				'2024-03-01', '\x6869', '{"a": 1}', '6f1c5a52-1a2b-4c3d-8e9f-0a1b2c3d4e5f', 'text', NULL)`,
			connector.Row{"id": int64(1), "small": int64(2), "big": int64(9007199254740993), "ratio": 0.5, "real4": 0.1, "flag": true,
				"price": "12.50", "cash": "$3.20", "at": at, "plain": at, "day": time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "raw": "hi",
				"doc": `{"a": 1}`, "uid": "6f1c5a52-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "note": "text", "nothing": nil},
		},
		{
			sqltest.MySQL,
			"CREATE TABLE kinds (id INT PRIMARY KEY, small SMALLINT, big BIGINT, ratio DOUBLE, real4 FLOAT, flag BOOLEAN, price DECIMAL(10,2), " +
				"unsig INT UNSIGNED, at DATETIME, day DATE, raw BLOB, note VARCHAR(20), nothing TEXT)",
			"INSERT INTO kinds VALUES (1, 2, 9007199254740993, 0.5, 0.1, TRUE, 12.50, 4000000000, '2024-03-01 12:30:45', '2024-03-01', 'hi', 'text', NULL)",
			connector.Row{"id": int64(1), "small": int64(2), "big": int64(9007199254740993), "ratio": 0.5, "real4": 0.1, "flag": true,
				"price": "12.50", "unsig": int64(4000000000), "at": at, "day": time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "raw": "hi",
				"note": "text", "nothing": nil},
		},
		{
			sqltest.SQLite,
			"CREATE TABLE kinds (id INTEGER PRIMARY KEY, big INTEGER, ratio REAL, flag BOOLEAN, at DATETIME, raw BLOB, note TEXT, empty TEXT)",
			"INSERT INTO kinds VALUES (1, 9007199254740993, 0.5, 1, '2024-03-01 12:30:45', x'6869', 'text', NULL)",
			connector.Row{"id": int64(1), "big": int64(9007199254740993), "ratio": 0.5, "flag": true, "at": at, "raw": "hi", "note": "text", "empty": nil},
		},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			t.Parallel()
			u := sqltest.NewURL(t, tc.dialect)
			sqltest.Exec(t, u, tc.ddl, tc.insert)
			col := &dataset.Collection{Name: "kinds"}
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for k := range tc.want {
					if !yield(k) {
						return
					}
				}
			}) {
				f := &dataset.Field{Name: name, PrimaryKey: name == "id"}
				if name == "flag" {
					f.DataType = "boolean" // MySQL and SQLite store it as an integer
				}
				col.Fields = append(col.Fields, f)
			}
			c := sqltest.Open(t, u, true)
			rows, err := c.Retrieve(t.Context(), col, map[string][]any{"id": {int64(1)}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}
			// A batch answers exactly as Retrieve does (on PostgreSQL it
			// reads the values itself, not through database/sql).
			b, ok := c.(connector.Batcher)
			if !ok {
				t.Fatal("sqlconn is no Batcher")
			}
			lookup := connector.Lookup{Collection: col, Where: map[string][]any{"id": {int64(1)}}}
			none := connector.Lookup{Collection: col, Where: map[string][]any{"id": {int64(99)}}}
			batched, err := b.RetrieveBatch(t.Context(), []connector.Lookup{lookup, none, lookup})
			if err != nil {
				t.Fatal(err)
			}
			if len(batched) != 3 || !reflect.DeepEqual(batched[0], rows) || len(batched[1]) != 0 || !reflect.DeepEqual(batched[2], rows) {
				t.Fatalf("RetrieveBatch = %#v\nRetrieve = %#v", batched, rows)
			}
			missing := connector.Lookup{Collection: &dataset.Collection{Name: "nowhere", Fields: []*dataset.Field{{Name: "id"}}},
				Where: map[string][]any{"id": {int64(1)}}}
			if _, err := b.RetrieveBatch(t.Context(), []connector.Lookup{lookup, missing}); err == nil {
				t.Fatal("a batch with a missing table passed")
			}
			// The connection is still good after the failed batch.
			if again, err := b.RetrieveBatch(t.Context(), []connector.Lookup{lookup, lookup}); err != nil || !reflect.DeepEqual(again[1], rows) {
				t.Fatalf("after a failed batch: %v, %v", again, err)
			}
			for k, want := range tc.want {
				got := rows[0][k]
				if wt, ok := want.(time.Time); ok {
					if gt, ok := got.(time.Time); !ok || !gt.Equal(wt) || gt.Location() != time.UTC {
						t.Errorf("%s = %#v, want %v in UTC", k, got, wt)
					}
					continue
				}
				if got != want {
					t.Errorf("%s = %#v (%T), want %#v (%T)", k, got, got, want, want)
				}
			}
		})
	}
}

// TestLooseComparisons asks in ways a database would answer too broadly or
// refuse: the answer is exactly the rows holding the values given.
func TestLooseComparisons(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, dialect string) {
		u := sqltest.NewURL(t, dialect)
		col := &dataset.Collection{Name: "things", Fields: []*dataset.Field{
			{Name: "id", DataType: "integer", PrimaryKey: true},
			{Name: "code"}, // no data type: the values decide
			{Name: "ref", DataType: "string"},
			{Name: "n", DataType: "integer"},
		}}
		sqltest.CreateTables(t, u, &dataset.Dataset{Collections: []*dataset.Collection{col}}, map[string][]connector.Row{"things": {
			{"id": int64(1), "code": "abc", "ref": "7", "n": int64(0)},
			{"id": int64(2), "code": "0", "ref": "07", "n": int64(7)},
			{"id": int64(3), "code": "Abc ", "ref": "x", "n": int64(3)},
		}})
		c := sqltest.Open(t, u, false)
		for _, tc := range []struct {
			name  string
			where map[string][]any
			ids   []int64
		}{
			{"string exactly", map[string][]any{"code": {"abc"}}, []int64{1}},
			{"number given for a text column", map[string][]any{"ref": {int64(7)}}, []int64{1}},
			{"text given for an integer column", map[string][]any{"n": {"7", "not a number"}}, []int64{2}},
			{"integer given as text", map[string][]any{"id": {"3"}}, []int64{3}},
			{"nil is no value", map[string][]any{"code": {nil}}, nil},
			{"mixed types, coerced to the data type", map[string][]any{"id": {int64(1), "2", 3.0}}, []int64{1, 2, 3}},
			{"mixed types, no data type", map[string][]any{"code": {"abc", 0.5, true}}, []int64{1}},
		} {
			rows, err := c.Retrieve(t.Context(), col, tc.where)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r["id"].(int64))
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tc.ids) {
				t.Errorf("%s: ids %v, want %v", tc.name, ids, tc.ids)
			}
		}
		// An untyped column asked with a number: MySQL would compare 'abc'
		// and '0' both equal to 0.
		rows, err := c.Retrieve(t.Context(), col, map[string][]any{"code": {int64(0)}})
		if err != nil {
			if dialect != sqltest.Postgres {
				t.Errorf("number for an untyped text column: %v", err)
			}
			// PostgreSQL refuses to compare text with a number; the error
			// must not quote the value.
		} else if len(rows) != 1 || rows[0]["id"] != int64(2) {
			t.Errorf("number for an untyped text column: %v, want row 2 only", rows)
		}
	})
}

// TestErrorsHoldNoValues provokes errors whose driver text quotes the
// offending value.
func TestErrorsHoldNoValues(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, dialect string) {
		d, rows := connectortest.Fixture()
		u := sqltest.NewURL(t, dialect)
		sqltest.CreateTables(t, u, d, rows)
		sqltest.Exec(t, u, "CREATE UNIQUE INDEX customer_name ON customer (name"+map[bool]string{true: "(100)"}[dialect == sqltest.MySQL]+")")
		c := sqltest.Open(t, u, false)
		ctx := t.Context()
		cust := d.Collection("customer")
		var errs []error
		_, err := c.Update(ctx, cust, []connector.Change{{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"name": "Alice Archer"}}})
		errs = append(errs, err)
		_, err = c.Update(ctx, cust, []connector.Change{
			{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"name": "Alice Archer"}},
			{Key: connector.Row{"id": int64(3)}, Set: connector.Row{"name": "Alice Archer"}},
		})
		errs = append(errs, err)
		// Rows of values of their own (one statement each, pipelined on
		// PostgreSQL), the second one refused: the first is rolled back.
		_, err = c.Update(ctx, cust, []connector.Change{
			{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"name": "Zed Zimmer"}},
			{Key: connector.Row{"id": int64(3)}, Set: connector.Row{"name": "Alice Archer"}},
		})
		errs = append(errs, err)
		untyped := &dataset.Collection{Name: "customer", Fields: []*dataset.Field{{Name: "id", PrimaryKey: true}, {Name: "email"}}}
		_, err = c.Retrieve(ctx, untyped, map[string][]any{"id": {"secret-value@example.com"}})
		if dialect == sqltest.Postgres {
			errs = append(errs, err) // invalid input syntax for type bigint: "…"
		}
		logins := &dataset.Collection{Name: "login", Fields: []*dataset.Field{{Name: "id", PrimaryKey: true}, {Name: "time"}}}
		_, err = c.Update(ctx, logins, []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"time": "secret-value@example.com"}}})
		if dialect != sqltest.SQLite { // SQLite stores text in an integer column
			errs = append(errs, err) // Incorrect integer value: '…'
		}
		for i, err := range errs {
			if err == nil {
				t.Errorf("case %d: no error", i)
				continue
			}
			t.Logf("case %d: %v", i, err)
			for _, v := range []string{"Alice Archer", "secret-value@example.com"} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("case %d: error quotes %q: %v", i, v, err)
				}
			}
		}
		// Nothing changed: each failing Update ran in a transaction.
		got, err := c.Retrieve(ctx, cust, map[string][]any{"id": {int64(2), int64(3)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if r["name"] == "Alice Archer" || r["name"] == "Zed Zimmer" {
				t.Errorf("customer %v took the name %v despite the error", r["id"], r["name"])
			}
		}
	})
}

// TestRefusedChanges covers changes the connector refuses before touching
// the database.
func TestRefusedChanges(t *testing.T) {
	t.Parallel()
	d, rows := connectortest.Fixture()
	u := sqltest.NewURL(t, sqltest.SQLite)
	sqltest.CreateTables(t, u, d, rows)
	c := sqltest.Open(t, u, false)
	cust := sqltestClone(d.Collection("customer"))
	cust.Field("name").ReadOnly = true
	for _, tc := range []struct {
		name    string
		changes []connector.Change
		want    string
	}{
		{"primary key", []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"id": int64(9)}}}, "primary key"},
		{"read-only field", []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"name": "x"}}}, "read-only"},
		{"undeclared field", []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"nickname": "x"}}}, "does not declare"},
		{"incomplete key", []connector.Change{{Key: connector.Row{}, Set: connector.Row{"email": "x"}}}, `no value for primary key field "id"`},
		{"key beyond the primary key", []connector.Change{{Key: connector.Row{"id": int64(1), "email": "x"}, Set: connector.Row{"email": "y"}}}, "not part of the primary key"},
		{"conflicting changes", []connector.Change{
			{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"email": "a"}},
			{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"email": "b"}},
		}, "another value"},
		{"unsupported type", []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"email": struct{}{}}}}, "not supported"},
	} {
		_, err := c.Update(t.Context(), cust, tc.changes)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := c.Retrieve(t.Context(), cust, map[string][]any{"nickname": {"x"}}); err == nil || !strings.Contains(err.Error(), "nickname") {
		t.Errorf("Retrieve by an undeclared field: %v", err)
	}
	noPK := &dataset.Collection{Name: "customer", Fields: []*dataset.Field{{Name: "id"}, {Name: "email"}}}
	if _, err := c.Delete(t.Context(), noPK, []connector.Row{{"id": int64(1)}}); err == nil || !strings.Contains(err.Error(), "primary_key") {
		t.Errorf("Delete without a primary key: %v", err)
	}
	// Merged changes of one row count once.
	n, err := c.Update(t.Context(), d.Collection("customer"), []connector.Change{
		{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"email": "a"}},
		{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"name": "b"}},
	})
	if err != nil || n != 1 {
		t.Errorf("two changes of one row = %d, %v; want 1", n, err)
	}
}

func sqltestClone(c *dataset.Collection) *dataset.Collection {
	cc := *c
	cc.Fields = nil
	for _, f := range c.Fields {
		ff := *f
		cc.Fields = append(cc.Fields, &ff)
	}
	return &cc
}

// TestBulk writes more rows than one statement takes: counts add up across
// chunks, per-row values each land on their row.
func TestBulk(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, dialect string) {
		const n = 2500
		col := &dataset.Collection{Name: "event", Fields: []*dataset.Field{
			{Name: "source", DataType: "string", PrimaryKey: true},
			{Name: "seq", DataType: "integer", PrimaryKey: true},
			{Name: "payload", DataType: "string"},
		}}
		var rows []connector.Row
		var keys []connector.Row
		for i := range n {
			src := []string{"web", "app"}[i%2]
			rows = append(rows, connector.Row{"source": src, "seq": int64(i), "payload": "p"})
			keys = append(keys, connector.Row{"source": src, "seq": int64(i)})
		}
		u := sqltest.NewURL(t, dialect)
		sqltest.CreateTables(t, u, &dataset.Dataset{Collections: []*dataset.Collection{col}}, map[string][]connector.Row{"event": rows})
		c := sqltest.Open(t, u, false)
		ctx := t.Context()

		var same, own []connector.Change
		for i, k := range keys {
			same = append(same, connector.Change{Key: k, Set: connector.Row{"payload": "erased"}})
			if i < 300 {
				own = append(own, connector.Change{Key: k, Set: connector.Row{"payload": fmt.Sprintf("own-%d", i)}})
			}
		}
		if got, err := c.Update(ctx, col, same); err != nil || got != n {
			t.Errorf("grouped Update of %d rows = %d, %v", n, got, err)
		}
		if got, err := c.Update(ctx, col, own); err != nil || got != 300 {
			t.Errorf("per-row Update of 300 rows = %d, %v", got, err)
		}
		all, err := c.Retrieve(ctx, col, map[string][]any{"source": {"web", "app"}})
		if err != nil || len(all) != n {
			t.Fatalf("Retrieve = %d rows, %v", len(all), err)
		}
		for _, r := range all {
			want := "erased"
			if seq := r["seq"].(int64); seq < 300 {
				want = fmt.Sprintf("own-%d", seq)
			}
			if r["payload"] != want {
				t.Fatalf("row %v: payload %v, want %q", r["seq"], r["payload"], want)
			}
		}
		if got, err := c.Delete(ctx, col, keys); err != nil || got != n {
			t.Errorf("Delete of %d rows = %d, %v", n, got, err)
		}
	})
}

// TestSchemaQualified names tables as schema.table.
func TestSchemaQualified(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, dialect string) {
		d, rows := connectortest.Fixture()
		u := sqltest.NewURL(t, dialect)
		sqltest.CreateTables(t, u, d, rows)
		parsed, _ := url.Parse(u)
		schema := map[string]string{
			sqltest.Postgres: parsed.Query().Get("search_path"),
			sqltest.MySQL:    strings.TrimPrefix(parsed.Path, "/"),
			sqltest.SQLite:   "main",
		}[dialect]
		cust := sqltestClone(d.Collection("customer"))
		cust.Name = schema + ".customer"
		c := sqltest.Open(t, u, false)
		got, err := c.Retrieve(t.Context(), cust, map[string][]any{"email": {"bob@example.com"}})
		if err != nil || len(got) != 1 {
			t.Fatalf("Retrieve from %s = %v, %v", cust.Name, got, err)
		}
		if n, err := c.Update(t.Context(), cust, []connector.Change{{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"name": nil}}}); err != nil || n != 1 {
			t.Errorf("Update of %s = %d, %v", cust.Name, n, err)
		}
		if err := c.Test(t.Context(), &dataset.Dataset{Key: "shop", Collections: []*dataset.Collection{cust}}); err != nil {
			t.Errorf("Test: %v", err)
		}
	})
}

// TestPermissions connects as a user who may read everything but write
// only customer.name, and expects Test to say which grants are missing.
func TestPermissions(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqltest.Postgres, sqltest.MySQL} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			d, rows := connectortest.Fixture()
			u := sqltest.NewURL(t, dialect)
			sqltest.CreateTables(t, u, d, rows)
			parsed, _ := url.Parse(u)
			user := "custos_reader_" + strings.ToLower(rand.Text()[:10])
			switch dialect {
			case sqltest.Postgres:
				schema := parsed.Query().Get("search_path")
				sqltest.Exec(t, u, "CREATE ROLE "+user+" LOGIN")
				t.Cleanup(func() { sqltest.Exec(t, u, "DROP OWNED BY "+user, "DROP ROLE "+user) })
				sqltest.Exec(t, u, "GRANT USAGE ON SCHEMA "+schema+" TO "+user,
					"GRANT SELECT ON ALL TABLES IN SCHEMA "+schema+" TO "+user,
					"GRANT UPDATE (name) ON customer TO "+user)
			case sqltest.MySQL:
				db := strings.TrimPrefix(parsed.Path, "/")
				sqltest.Exec(t, u, "CREATE USER '"+user+"'@'%'")
				t.Cleanup(func() { sqltest.Exec(t, u, "DROP USER '"+user+"'@'%'") })
				sqltest.Exec(t, u, "GRANT SELECT ON "+db+".* TO '"+user+"'@'%'",
					"GRANT UPDATE (name) ON "+db+".customer TO '"+user+"'@'%'")
			}
			parsed.User = url.User(user)
			limited := parsed.String()

			err := sqltest.Open(t, limited, false).Test(t.Context(), d)
			var ce *sqlconn.CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("Test as a reader = %v, want a *CheckError", err)
			}
			msg := err.Error()
			t.Log(msg)
			for _, want := range []string{
				`table "customer", column "email": permission denied for UPDATE`,
				`table "customer": permission denied for DELETE`,
				`table "address": permission denied for UPDATE and DELETE`,
				`table "order_item": permission denied for UPDATE and DELETE`,
			} {
				if !strings.Contains(msg, want) {
					t.Errorf("Test error lacks %q:\n%v", want, msg)
				}
			}
			if strings.Contains(msg, `column "name"`) {
				t.Errorf("Test error names customer.name, which may be updated:\n%v", msg)
			}
			if strings.Contains(msg, "SELECT") {
				t.Errorf("Test error complains of SELECT, which is granted:\n%v", msg)
			}
			// Read-only, the same user is fine.
			if err := sqltest.Open(t, limited, true).Test(t.Context(), d); err != nil {
				t.Errorf("read-only Test as a reader: %v", err)
			}
		})
	}
}

// TestUntypedWrites writes through a dataset that declares no data types,
// with values whose Go type differs from the column's: each database takes
// them as its own type, as it would from a person typing them.
func TestUntypedWrites(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, dialect string) {
		d, rows := connectortest.Fixture()
		u := sqltest.NewURL(t, dialect)
		sqltest.CreateTables(t, u, d, rows)
		c := sqltest.Open(t, u, false)
		cust := &dataset.Collection{Name: "customer", Fields: []*dataset.Field{{Name: "id", PrimaryKey: true}, {Name: "email"}, {Name: "name"}}}
		n, err := c.Update(t.Context(), cust, []connector.Change{
			{Key: connector.Row{"id": "1"}, Set: connector.Row{"name": int64(42)}}, // per row
			{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"name": 4.5}},
			{Key: connector.Row{"id": int64(3)}, Set: connector.Row{"email": int64(0)}}, // grouped
			{Key: connector.Row{"id": int64(4)}, Set: connector.Row{"email": int64(0)}},
		})
		if err != nil || n != 4 {
			t.Fatalf("Update = %d, %v; want 4", n, err)
		}
		got, err := c.Retrieve(t.Context(), cust, map[string][]any{"email": {"0"}, "name": {"42", "4.5"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Errorf("Retrieve = %v, want the 4 customers", got)
		}
		if n, err := c.Delete(t.Context(), cust, []connector.Row{{"id": "1"}, {"id": int64(2)}}); err != nil || n != 2 {
			t.Errorf("Delete = %d, %v; want 2", n, err)
		}
	})
}

// TestAwkwardText looks rows up, and erases them, by text keys that an
// array literal or a quoted list must escape: each value finds its own row
// and no other.
func TestAwkwardText(t *testing.T) {
	t.Parallel()
	keys := []string{`a"b`, `back\slash`, `\"`, `with,comma`, `{brace}`, ` spaced `, `NULL`, ``, `ünï`, `it's`}
	for _, dialect := range []string{sqltest.Postgres, sqltest.PostgresExec, sqltest.MySQL, sqltest.SQLite} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			u := sqltest.NewURL(t, dialect)
			stmts := []string{"CREATE TABLE awk (k VARCHAR(20) PRIMARY KEY, note VARCHAR(20))"}
			for i, k := range keys {
				stmts = append(stmts, fmt.Sprintf("INSERT INTO awk VALUES ('%s', 'n%d')", strings.ReplaceAll(k, "'", "''"), i))
			}
			if dialect == sqltest.MySQL {
				// MySQL reads a backslash in a literal as an escape.
				for i, k := range keys {
					stmts[i+1] = fmt.Sprintf("INSERT INTO awk VALUES ('%s', 'n%d')",
						strings.ReplaceAll(strings.ReplaceAll(k, `\`, `\\`), "'", "''"), i)
				}
			}
			sqltest.Exec(t, u, stmts...)
			col := &dataset.Collection{Name: "awk", Fields: []*dataset.Field{
				{Name: "k", PrimaryKey: true, DataType: "string"}, {Name: "note", DataType: "string"}}}
			c := sqltest.Open(t, u, false)
			for i, k := range keys {
				rows, err := c.Retrieve(t.Context(), col, map[string][]any{"k": {k}})
				if err != nil || len(rows) != 1 || rows[0]["k"] != k || rows[0]["note"] != fmt.Sprint("n", i) {
					t.Errorf("Retrieve(%q) = %v, %v", k, rows, err)
				}
			}
			all := make([]any, len(keys))
			for i, k := range keys {
				all[i] = k
			}
			if rows, err := c.Retrieve(t.Context(), col, map[string][]any{"k": all}); err != nil || len(rows) != len(keys) {
				t.Fatalf("Retrieve(all) = %d rows, %v", len(rows), err)
			}
			// Erase every other one by key, in one call.
			var changes []connector.Change
			for i := 0; i < len(keys); i += 2 {
				changes = append(changes, connector.Change{Key: connector.Row{"k": keys[i]}, Set: connector.Row{"note": nil}})
			}
			if n, err := c.Update(t.Context(), col, changes); err != nil || n != int64(len(changes)) {
				t.Fatalf("Update = %d, %v", n, err)
			}
			rows, _ := c.Retrieve(t.Context(), col, map[string][]any{"k": all})
			for _, r := range rows {
				i := slices.Index(keys, r["k"].(string))
				if erased := r["note"] == nil; erased != (i%2 == 0) {
					t.Errorf("row %q: note %v", r["k"], r["note"])
				}
			}
		})
	}
}
