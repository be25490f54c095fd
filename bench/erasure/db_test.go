package erasure

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/custos-privacy/custos/store/storetest"
)

const (
	seedFile    = "../../internal/demo/fides/postgres_sample.sql"
	datasetFile = "../../dataset/testdata/fides/postgres_example_test_dataset.yml"
	datasetKey  = "postgres_example_test_dataset"
	subject     = "customer-1@example.com"
)

// dbURL is the test server's URL for database name, reached at host
// ("" keeps the server's own address: the recorder in TestSameStatements
// puts itself in between).
func dbURL(tb testing.TB, name, host string) string {
	u, err := url.Parse(storetest.PostgresDSN())
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	if host != "" {
		u.Host = host
	}
	return u.String()
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// dropper drops, at the end, the databases it was given. A benchmark
// function runs once with b.N = 1, again with the real N, and again per
// -count, its Cleanup after each: databases that take a minute to build
// outlive them all and are dropped by TestMain.
type dropper struct {
	mu    sync.Mutex
	names []string
}

func (d *dropper) add(name string) {
	d.mu.Lock()
	d.names = append(d.names, name)
	d.mu.Unlock()
}

func (d *dropper) drop() {
	admin, err := sql.Open("pgx", storetest.PostgresDSN())
	if err != nil {
		return
	}
	defer admin.Close()
	for _, n := range d.names {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)")
	}
}

// fidesDB creates a database of its own, loads Fides' example into it
// and returns its name.
func fidesDB(tb testing.TB, drops *dropper) string {
	tb.Helper()
	admin, err := sql.Open("pgx", storetest.PostgresDSN())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	name := randomName("custos_erasure_")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("PostgreSQL for benchmarks (set CUSTOS_TEST_POSTGRES to change): %v", err)
	}
	drops.add(name)
	seed, err := os.ReadFile(seedFile)
	if err != nil {
		tb.Fatal(err)
	}
	db := open(tb, dbURL(tb, name, ""))
	defer db.Close()
	if _, err := db.Exec(string(seed)); err != nil {
		tb.Fatalf("loading the Fides example: %v", err)
	}
	return name
}

func open(tb testing.TB, url string) *sql.DB {
	db, err := sql.Open("pgx", url)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// others fill every table of the example up to $1 rows with other people,
// who share nothing with the subject: what the subject has stays what it
// was in the example, so every size asks the same questions and gets the
// same answers. Keys start at 1000, clear of the example's.
var others = []string{
	`INSERT INTO product (id, name, description, url, price)
		SELECT 1000 + i, 'Product ' || i, 'A product', 'https://shop.example.com/p/' || i, (i % 100)::numeric::money
		FROM generate_series(1, $1 - (SELECT count(*) FROM product)) i`,
	`INSERT INTO address (id, house, street, city, state, zip)
		SELECT 1000 + i, i % 10000, 'Street ' || (i / 100), 'Town ' || (i % 1000), 'NY', lpad((i % 100000)::text, 5, '0')
		FROM generate_series(1, $1 - (SELECT count(*) FROM address)) i`,
	`INSERT INTO customer (id, email, name, created, address_id)
		SELECT 1000 + i, 'person-' || i || '@example.com', 'Person ' || i, timestamp '2020-01-01' + i * interval '1 minute', 1000 + i
		FROM generate_series(1, $1 - (SELECT count(*) FROM customer)) i`,
	`INSERT INTO employee (id, email, name, address_id)
		SELECT 1000 + i, 'employee-' || i || '@example.net', 'Employee ' || i, 1000 + i
		FROM generate_series(1, $1 - (SELECT count(*) FROM employee)) i`,
	`INSERT INTO payment_card (id, name, ccn, code, preferred, customer_id, billing_address_id)
		SELECT 'pay_' || i, 'Card ' || i, 4000000000 + i, i % 1000, i % 2 = 0, 1000 + i, 1000 + i
		FROM generate_series(1, $1 - (SELECT count(*) FROM payment_card)) i`,
	`INSERT INTO orders (id, customer_id, shipping_address_id, payment_card_id)
		SELECT 'ord_' || i, 1000 + i, 1000 + i, 'pay_' || i
		FROM generate_series(1, $1 - (SELECT count(*) FROM orders)) i`,
	`INSERT INTO order_item (order_id, item_no, product_id, quantity)
		SELECT 'ord_' || i, 1, 1000 + i, 1 + i % 5
		FROM generate_series(1, $1 - (SELECT count(*) FROM order_item)) i`,
	`INSERT INTO visit (email, last_visit)
		SELECT 'person-' || i || '@example.com', timestamp '2021-01-01' + i * interval '1 second'
		FROM generate_series(1, $1 - (SELECT count(*) FROM visit)) i`,
	`INSERT INTO login (id, customer_id, time)
		SELECT 1000 + i, 1000 + i, timestamp '2021-01-01' + i * interval '1 second'
		FROM generate_series(1, $1 - (SELECT count(*) FROM login)) i`,
	`INSERT INTO service_request (id, email, alt_email, opened, closed, employee_id)
		SELECT 'ser_' || i, 'person-' || i || '@example.com', 'person-' || i || '-alt@example.com', date '2021-01-01' + (i % 365)::int, NULL, 1000 + i
		FROM generate_series(1, $1 - (SELECT count(*) FROM service_request)) i`,
	`INSERT INTO report (id, email, name, year, month, total_visits)
		SELECT 1000 + i, 'admin-' || i || '@example.com', 'Monthly Report', 2021, 1 + i % 12, i % 1000
		FROM generate_series(1, $1 - (SELECT count(*) FROM report)) i`,
}

// indexes are those a company has on the columns its people are found by
// and on its foreign keys. The first nine are the list; Custos also
// looks people up in employee by email, and before erasing an address asks
// whether anyone else's customer, employee, order or card points at it —
// foreign keys too, and without an index each of those is a full scan.
var indexes = []string{
	"customer (email)",
	"orders (customer_id)",
	"login (customer_id)",
	"payment_card (customer_id)",
	"service_request (email)",
	"service_request (alt_email)",
	"report (email)",
	"visit (email)",
	"order_item (order_id)",
	"employee (email)",
	"customer (address_id)",
	"employee (address_id)",
	"orders (shipping_address_id)",
	"payment_card (billing_address_id)",
}

// grow fills database name up to n rows a table, indexes it and gathers
// the planner's statistics. Tables are filled two at a time: the machines
// this runs on have two cores.
func grow(tb testing.TB, name string, n int) {
	tb.Helper()
	ctx := context.Background()
	db := open(tb, dbURL(tb, name, ""))
	defer db.Close()
	run := func(stmts []string, arg ...any) {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			first error
		)
		work := make(chan string)
		for range 2 {
			wg.Go(func() {
				for s := range work {
					if _, err := db.ExecContext(ctx, s, arg...); err != nil {
						mu.Lock()
						if first == nil {
							first = fmt.Errorf("%w\n%s", err, s)
						}
						mu.Unlock()
					}
				}
			})
		}
		for _, s := range stmts {
			work <- s
		}
		close(work)
		wg.Wait()
		if first != nil {
			tb.Fatal(first)
		}
	}
	run(others, n)
	var idx []string
	for _, on := range indexes {
		idx = append(idx, "CREATE INDEX ON "+on)
	}
	run(idx)
	run([]string{"ANALYZE"})
}

// touched lists the subject's rows that an erasure may write, with the key
// that finds them again.
var touched = []struct{ table, key, where string }{
	{"customer", "id", "id = 1"},
	{"login", "id", "customer_id = 1"},
	{"payment_card", "id", "customer_id = 1"},
	{"service_request", "id", "id = 'ser_aaa-aaa'"},
	{"address", "id", "id IN (1, 2)"},
}

// keepPristine copies the subject's rows into a schema of their own and
// returns the statements that put them back: a handful of UPDATEs, which
// cost the same whatever the size of the tables.
func keepPristine(tb testing.TB, db *sql.DB) []string {
	tb.Helper()
	if _, err := db.Exec("CREATE SCHEMA pristine"); err != nil {
		tb.Fatal(err)
	}
	var restore []string
	for _, t := range touched {
		if _, err := db.Exec(fmt.Sprintf("CREATE TABLE pristine.%s AS SELECT * FROM public.%s WHERE %s", t.table, t.table, t.where)); err != nil {
			tb.Fatal(err)
		}
		rows, err := db.Query(`SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 AND column_name <> $2 ORDER BY ordinal_position`, t.table, t.key)
		if err != nil {
			tb.Fatal(err)
		}
		var cols, vals []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				tb.Fatal(err)
			}
			cols = append(cols, `"`+c+`"`)
			vals = append(vals, `p."`+c+`"`)
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
		restore = append(restore, fmt.Sprintf(`UPDATE public.%s t SET (%s) = ROW(%s) FROM pristine.%s p WHERE t.%s = p.%s`,
			t.table, strings.Join(cols, ", "), strings.Join(vals, ", "), t.table, t.key, t.key))
	}
	// The subject's visit has no key the erasure leaves alone (its email
	// becomes an HMAC): the masked row goes, the pristine one comes back.
	if _, err := db.Exec(`CREATE TABLE pristine.visit AS SELECT * FROM public.visit WHERE email = 'customer-1@example.com'`); err != nil {
		tb.Fatal(err)
	}
	// The first restore comes before any erasure, when the pristine row is
	// still there (the table's own key would refuse a second copy).
	restore = append(restore, `DELETE FROM public.visit WHERE email !~ '@' OR email = 'customer-1@example.com'`, `INSERT INTO public.visit SELECT * FROM pristine.visit`)
	return restore
}
