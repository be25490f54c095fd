package connected_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// services builds Custos on an SQLite store, as the server does.
func services(t testing.TB) *wire.Services {
	t.Helper()
	return servicesWith(t, policy.Bundled())
}

// servicesWith builds Custos with the policy src in force.
func servicesWith(t testing.TB, src []byte) *wire.Services {
	t.Helper()
	return wiretest.New(t, wiretest.Options{UnsignedAudit: true, BaseURL: "http://127.0.0.1:1",
		Policy: wire.Policy{Actor: "test", Name: policy.BundledName, Source: src}}).Services
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// fidesPostgres creates a database of its own, loads Fides' sample into it
// and returns its URL.
func fidesPostgres(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", storetest.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := randomName("custos_fides_")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	url := strings.Replace(storetest.PostgresDSN(), "/test", "/"+name, 1)
	t.Cleanup(func() {
		a, err := sql.Open("pgx", storetest.PostgresDSN())
		if err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seed, err := os.ReadFile("../internal/demo/fides/postgres_sample.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(seed)); err != nil {
		t.Fatalf("loading the Fides sample: %v", err)
	}
	return url
}

const mysqlRoot = "root@tcp(127.0.0.1:3306)/"

// fidesMySQL creates a MariaDB database with Fides' MySQL schema and the
// same people as the PostgreSQL sample (the upstream file has no rows).
func fidesMySQL(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("mysql", mysqlRoot)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := randomName("custos_fides_")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("mysql", mysqlRoot)
		if err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + name)
			a.Close()
		}
	})
	db, err := sql.Open("mysql", mysqlRoot+name+"?parseTime=true")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	schema, err := os.ReadFile("testdata/fides/mysql_example.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(string(schema), ";") {
		stmt = strings.TrimSpace(stmt)
		up := strings.ToUpper(stmt)
		// The upstream file makes its own user and database; here the
		// test's database stands in for both.
		if stmt == "" || strings.HasPrefix(up, "CREATE USER") || strings.HasPrefix(up, "GRANT") ||
			strings.HasPrefix(up, "FLUSH") || strings.HasPrefix(up, "CREATE DATABASE") || strings.HasPrefix(up, "USE ") {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("schema: %v\n%s", err, stmt)
		}
	}
	for _, stmt := range []string{
		`INSERT INTO product VALUES (1, 'The Choco Chip', 20.00), (2, 'The Almond Butter', 20.00), (3, 'The Dubbo Choco', 20.00), (4, 'The Oatmeal', 20.00)`,
		`INSERT INTO address VALUES (1, '123', 'Example Street', 'Exampletown', 'NY', '12345'), (2, '4', 'Example Lane', 'Exampletown', 'NY', '12321'),
			(3, '555', 'Example Ave', 'Example City', 'NY', '12000'), (4, '1111', 'Example Place', 'Example Mountain', 'TX', '54321')`,
		`INSERT INTO customer VALUES (1, 'customer-1@example.com', 'John Customer', '2020-04-01 11:47:42', 1),
			(2, 'customer-2@example.com', 'Jill Customer', '2020-04-01 11:47:42', 2), (3, 'jane@example.com', 'Jane Customer', '2020-04-01 11:47:42', 4)`,
		`INSERT INTO employee VALUES (1, 'employee-1@example.com', 'Jack Employee', 3), (2, 'employee-2@example.com', 'Jane Employee', 3)`,
		`INSERT INTO payment_card VALUES ('pay_aaa-aaa', 'Example Card 1', 123456789, 321, true, 1, 1),
			('pay_bbb-bbb', 'Example Card 2', 987654321, 123, false, 2, 1), ('pay_ccc-ccc', 'Example Card 3', 373719391, 222, false, 3, 4)`,
		`INSERT INTO orders VALUES ('ord_aaa-aaa', 1, 2, 'pay_aaa-aaa'), ('ord_bbb-bbb', 2, 1, 'pay_bbb-bbb'), ('ord_ccc-ccc', 1, 1, 'pay_aaa-aaa'),
			('ord_ddd-ddd', 1, 1, 'pay_bbb-bbb'), ('ord_ddd-eee', 3, 4, 'pay_ccc-ccc')`,
		`INSERT INTO order_item VALUES ('ord_aaa-aaa', 1, 1, 1), ('ord_bbb-bbb', 1, 1, 1), ('ord_ccc-ccc', 1, 1, 1), ('ord_ccc-ccc', 2, 2, 1),
			('ord_ddd-ddd', 1, 1, 1), ('ord_eee-eee', 3, 4, 3)`,
		`INSERT INTO visit VALUES ('customer-1@example.com', '2021-01-06 01:00:00'), ('customer-2@example.com', '2021-01-06 01:00:00')`,
		`INSERT INTO login VALUES (1, 1, '2021-01-01 01:00:00'), (2, 1, '2021-01-02 01:00:00'), (3, 1, '2021-01-03 01:00:00'), (4, 1, '2021-01-04 01:00:00'),
			(5, 1, '2021-01-05 01:00:00'), (6, 1, '2021-01-06 01:00:00'), (7, 2, '2021-01-06 01:00:00'), (8, 3, '2021-01-06 01:00:00')`,
		`INSERT INTO service_request VALUES ('ser_aaa-aaa', 'customer-1@example.com', 'customer-1-alt@example.com', '2021-01-01', '2021-01-03', 1),
			('ser_bbb-bbb', 'customer-2@example.com', null, '2021-01-04', null, 1), ('ser_ccc-ccc', 'customer-3@example.com', null, '2021-01-05', '2020-01-07', 1),
			('ser_ddd-ddd', 'customer-3@example.com', null, '2021-05-05', '2020-05-08', 2)`,
		`INSERT INTO report VALUES (1, 'admin-account@example.com', 'Monthly Report', 2021, 8, 100), (2, 'admin-account@example.com', 'Monthly Report', 2021, 9, 100)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("rows: %v\n%s", err, stmt)
		}
	}
	return "mysql://root@127.0.0.1:3306/" + name
}

// snapshot reads every row of the example tables, for comparing what an
// erasure changed.
func snapshot(t testing.TB, driver, dsn string) map[string][]string {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]string{}
	for _, table := range []string{"address", "customer", "employee", "login", "orders", "order_item", "payment_card", "product", "report", "service_request", "visit"} {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339)
				}
				parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		rows.Close()
		sort.Strings(out[table])
	}
	return out
}

func mysqlDSN(url string) string {
	return "root@tcp(127.0.0.1:3306)/" + url[strings.LastIndex(url, "/")+1:] + "?parseTime=true"
}

func TestFidesExamples(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, dataset, file string
		db                  func(testing.TB) string
		driver              func(url string) (string, string)
		// erased is how many of customer-1's rows each collection has
		// erased. Collections whose dataset declares no primary key (visit;
		// in MySQL's also login, payment_card and service_request) are
		// erased by the identity or the customer id that selected them.
		erased map[string]int64
	}{
		{"postgres", "postgres_example_test_dataset", "../dataset/testdata/fides/postgres_example_test_dataset.yml", fidesPostgres,
			func(url string) (string, string) { return "pgx", url },
			map[string]int64{"customer": 1, "login": 6, "payment_card": 1, "service_request": 1, "visit": 1}},
		// Fides' MySQL dataset declares primary keys only for address,
		// customer, employee and orders.
		{"mariadb", "mysql_example_test_dataset", "../dataset/testdata/fides/mysql_example_test_dataset.yml", fidesMySQL,
			func(url string) (string, string) { return "mysql", mysqlDSN(url) },
			map[string]int64{"customer": 1, "login": 6, "payment_card": 1, "service_request": 1, "visit": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := tc.db(t)
			svc := services(t)
			src, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DSR.Import(ctx, "test", filepath.Base(tc.file), src); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: tc.dataset, URL: url}); err != nil {
				t.Fatal(err)
			}
			if err := svc.DSR.TestConnection(ctx, "test", "shop"); err != nil {
				t.Fatal(err)
			}
			ds := tc.dataset + ":"
			snap := func() map[string][]string {
				driver, dsn := tc.driver(url)
				return snapshot(t, driver, dsn)
			}
			before := snap()

			// Access: Fides' test_postgres_access_request_task finds, for
			// customer-1, these rows in each collection.
			out, err := svc.DSR.Run(ctx, connected.Job{RequestID: "req-access", Kind: connected.KindAccess,
				Identities: map[string][]string{"email": {"customer-1@example.com"}}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"address": 2, "customer": 1, "login": 6, "orders": 3, "order_item": 4, "payment_card": 1,
				"product": 2, "service_request": 1, "visit": 1}
			got := map[string]int{}
			for k, rows := range out.Collections {
				got[strings.TrimPrefix(k, ds)] = len(rows)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("access found %v, want %v", got, want)
			}
			cust := out.Collections[ds+"customer"][0]
			if cust["name"] != "John Customer" || cust["email"] != "customer-1@example.com" || fmt.Sprint(cust["id"]) != "1" {
				t.Fatalf("customer row: %v", cust)
			}
			if _, shown := cust["created"]; shown {
				t.Fatalf("a system field that links nothing was shown: %v", cust)
			}
			if ids := ids(out.Collections[ds+"orders"], "id"); !slices.Equal(ids, []string{"ord_aaa-aaa", "ord_ccc-ccc", "ord_ddd-ddd"}) {
				t.Fatalf("orders: %v", ids)
			}
			if ids := ids(out.Collections[ds+"address"], "id"); !slices.Equal(ids, []string{"1", "2"}) {
				t.Fatalf("addresses: %v", ids)
			}
			if after := snap(); !reflect.DeepEqual(before, after) {
				t.Fatal("an access request changed the database")
			}

			// Erasure: customer-1's personal fields are masked; addresses
			// other customers' rows point at are kept and reported; visit,
			// without a primary key in the dataset, is erased by the email
			// that selected its row.
			job := connected.Job{RequestID: "req-erase", Kind: connected.KindErasure, Identities: map[string][]string{"email": {"customer-1@example.com"}}}
			out, err = svc.DSR.Run(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			wantErased := map[string]int64{}
			wantChanged := map[string]int{}
			for c, n := range tc.erased {
				wantErased[ds+c] = n
				wantChanged[c] = int(n)
			}
			if !reflect.DeepEqual(out.Erased, wantErased) {
				tasks, _ := svc.DSR.Progress(ctx, "req-erase")
				t.Fatalf("erased %v, want %v\n%+v", out.Erased, wantErased, tasks)
			}
			kept := map[string]string{}
			for _, k := range out.Kept {
				kept[strings.TrimPrefix(k.What, ds)] = k.Why
			}
			if !strings.Contains(kept["address"], "2 rows kept") {
				t.Fatalf("kept: %v", kept)
			}
			for c, why := range kept {
				if strings.Contains(why, "no primary key") {
					t.Fatalf("%s kept for %q: its rows are selected by the person's identity or customer id", c, why)
				}
			}
			after := snap()
			changed := diff(before, after)
			gotChanged := map[string]int{}
			for table, rows := range changed {
				gotChanged[table] = len(rows)
			}
			if !reflect.DeepEqual(gotChanged, wantChanged) {
				t.Fatalf("rows changed per table %v, want %v\n%v", gotChanged, wantChanged, changed)
			}
			for _, row := range after["customer"] {
				if strings.HasPrefix(row, "id=1 ") && (!strings.Contains(row, "email=<nil>") || !strings.Contains(row, "name=<nil>") || !strings.Contains(row, "address_id=1")) {
					t.Fatalf("customer 1 after erasure: %s", row)
				}
			}
			// visit's email is part of the table's key (NOT NULL): the
			// selecting field gets an HMAC, not NULL; customer-2's visit
			// is untouched.
			var visits []string
			for _, row := range after["visit"] {
				visits = append(visits, row)
				if strings.Contains(row, "customer-1@example.com") || strings.Contains(row, "email=<nil>") {
					t.Fatalf("visit after erasure: %s", row)
				}
			}
			if !slices.ContainsFunc(visits, func(r string) bool { return strings.Contains(r, "email=customer-2@example.com") }) || len(visits) != 2 {
				t.Fatalf("visits after erasure: %v", visits)
			}
			// email is system.operations in the dataset: kept. alt_email is
			// NULLed where the table has a key (PostgreSQL's dataset); in
			// MySQL's, which declares none, alt_email is one of the
			// identities selecting the row and gets its HMAC.
			altMasked := "alt_email=<nil>"
			if tc.name == "mariadb" {
				altMasked = "alt_email="
			}
			for _, row := range after["service_request"] {
				if strings.HasPrefix(row, "id=ser_aaa-aaa ") && (!strings.Contains(row, altMasked) || strings.Contains(row, "alt_email=customer-1") ||
					!strings.Contains(row, "email=customer-1@example.com")) {
					t.Fatalf("service request after erasure: %s", row)
				}
				if tc.name == "mariadb" && strings.HasPrefix(row, "id=ser_aaa-aaa ") && !regexp.MustCompile(`alt_email=[0-9a-f]{64} `).MatchString(row) {
					t.Fatalf("service request's alt_email is not an HMAC: %s", row)
				}
			}

			// Run again: everything is found done, nothing changes.
			again, err := svc.DSR.Run(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again.Erased, wantErased) {
				t.Fatalf("second run erased %v", again.Erased)
			}
			if final := snap(); !reflect.DeepEqual(after, final) {
				t.Fatalf("a repeated run changed rows: %v", diff(after, final))
			}
			tasks, err := svc.DSR.Progress(ctx, "req-erase")
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range tasks {
				if task.Status != "done" && task.Status != "skipped" {
					t.Fatalf("task %s/%s is %s", task.Phase, task.Collection, task.Status)
				}
			}
		})
	}
}

func ids(rows []connector.Row, field string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r[field]))
	}
	sort.Strings(out)
	return out
}

// diff lists, per table, the rows of after that were not in before.
func diff(before, after map[string][]string) map[string][]string {
	out := map[string][]string{}
	for table, rows := range after {
		for _, r := range rows {
			if !slices.Contains(before[table], r) {
				out[table] = append(out[table], r)
			}
		}
	}
	return out
}

var _ = store.TaskDone

// TestBatchFailureNamesItsCollection: on PostgreSQL a wave of collections is
// asked in one pipeline; when one of them fails, the run still says which,
// and keeps what the others found.
func TestBatchFailureNamesItsCollection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := fidesPostgres(t)
	svc := services(t)
	const file = "../dataset/testdata/fides/postgres_example_test_dataset.yml"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.Import(ctx, "test", filepath.Base(file), src); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "postgres_example_test_dataset", URL: url}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// report is asked together with customer, employee, service_request
	// and visit: all are found from the email.
	if _, err := db.Exec(`ALTER TABLE report RENAME TO report_moved`); err != nil {
		t.Fatal(err)
	}
	job := connected.Job{RequestID: "req-batch", Kind: connected.KindAccess, Identities: map[string][]string{"email": {"customer-1@example.com"}}}
	_, err = svc.DSR.Run(ctx, job)
	var f *connected.Failure
	if !errors.As(err, &f) || f.Collection != "postgres_example_test_dataset:report" || !strings.Contains(err.Error(), "report") {
		t.Fatalf("run with a missing table = %v", err)
	}
	ts, err := svc.DSR.Progress(ctx, job.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, x := range ts {
		status[strings.TrimPrefix(x.Collection, "postgres_example_test_dataset:")] = x.Status
	}
	if status["customer"] != store.TaskDone || status["visit"] != store.TaskDone || status["report"] != store.TaskPending {
		t.Fatalf("tasks after the failure: %v", status)
	}
	if _, err := db.Exec(`ALTER TABLE report_moved RENAME TO report`); err != nil {
		t.Fatal(err)
	}
	out, err := svc.DSR.Run(ctx, job)
	if err != nil || len(out.Collections) == 0 {
		t.Fatalf("run after the repair = %+v, %v", out, err)
	}
}

// TestSharedRowsMask: with erasure.shared_rows: mask for address in the
// manifest, customer-1's addresses, which other customers' rows point at,
// are masked (what Fides does) instead of kept; the references stay.
func TestSharedRowsMask(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, dataset, file string
		db                  func(testing.TB) string
		driver              func(url string) (string, string)
	}{
		{"postgres", "postgres_example_test_dataset", "../dataset/testdata/fides/postgres_example_test_dataset.yml", fidesPostgres,
			func(url string) (string, string) { return "pgx", url }},
		{"mariadb", "mysql_example_test_dataset", "../dataset/testdata/fides/mysql_example_test_dataset.yml", fidesMySQL,
			func(url string) (string, string) { return "mysql", mysqlDSN(url) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := tc.db(t)
			src := strings.Replace(string(policy.Bundled()), "\nerasure:\n", "\nerasure:\n  shared_rows:\n    "+tc.dataset+":address: mask\n", 1)
			svc := servicesWith(t, []byte(src))
			ds, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DSR.Import(ctx, "test", filepath.Base(tc.file), ds); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: tc.dataset, URL: url}); err != nil {
				t.Fatal(err)
			}
			driver, dsn := tc.driver(url)
			before := snapshot(t, driver, dsn)
			out, err := svc.DSR.Run(ctx, connected.Job{RequestID: "req-erase", Kind: connected.KindErasure, Identities: map[string][]string{"email": {"customer-1@example.com"}}})
			if err != nil {
				t.Fatal(err)
			}
			if out.Erased[tc.dataset+":address"] != 2 {
				t.Fatalf("erased %v", out.Erased)
			}
			var why string
			for _, k := range out.Kept {
				if k.What == tc.dataset+":address" {
					why = k.Why
				}
			}
			if !strings.Contains(why, "2 rows other people's records refer to were masked") {
				t.Fatalf("address reported %q", why)
			}
			after := snapshot(t, driver, dsn)
			changed := diff(before, after)["address"]
			if len(changed) != 2 {
				t.Fatalf("addresses changed: %v", changed)
			}
			for _, row := range changed {
				if !strings.Contains(row, "street=<nil>") || !strings.Contains(row, "city=<nil>") || !(strings.Contains(row, "id=1 ") || strings.Contains(row, "id=2 ")) {
					t.Fatalf("address after erasure: %s", row)
				}
			}
			// Other customers still point at them.
			if !reflect.DeepEqual(refsOf(before["customer"]), refsOf(after["customer"])) {
				t.Fatalf("customer references changed: %v -> %v", before["customer"], after["customer"])
			}
		})
	}
}

// refsOf keeps the address_id of each rendered row.
func refsOf(rows []string) []string {
	var out []string
	for _, r := range rows {
		for _, part := range strings.Fields(r) {
			if strings.HasPrefix(part, "address_id=") {
				out = append(out, part)
			}
		}
	}
	return out
}
