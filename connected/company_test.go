package connected_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/connector/sqlconn"
	"github.com/custos-privacy/custos/connector/webhook"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/store"
)

// shopDataset describes the company database company() makes: the shared
// shop, with addresses, orders and employees. Ana and Bob share address 1
// (customer.address_id); Ana's order ships to address 2, hers alone. The
// employee table is reached only by an identity no request here gives.
var shopDataset = sqltest.ShopDatasetWith(`          - name: address_id
            data_categories: [system.operations]
            fides_meta:
              references:
                - {dataset: shop, field: address.id, direction: to}
`, `      - name: address
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true, data_type: integer}
          - name: street
            data_categories: [user.contact.address.street]
          - name: city
            data_categories: [user.contact.address.city]
      - name: orders
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true, data_type: integer}
          - name: customer_id
            data_categories: [user.unique_id]
            fides_meta:
              references:
                - {dataset: shop, field: customer.id, direction: from}
          - name: ship_to
            data_categories: [system.operations]
            fides_meta:
              references:
                - {dataset: shop, field: address.id, direction: to}
          - name: note
            data_categories: [user.content]
      - name: employee
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true}
          - name: badge
            data_categories: [user.unique_id]
            fides_meta: {identity: badge_number}
`)

// company makes the shop's SQLite database (sqltest.Shop, with Ana given
// five logins, ids 1, 2 and 4 to 6; Bob's one is 3) and returns its path.
// Every update of login is logged in write_log, so a row written twice
// shows.
func company(t testing.TB) string {
	t.Helper()
	return sqltest.SQLiteFile(t, append(sqltest.Shop(),
		`CREATE TABLE address (id INTEGER PRIMARY KEY, street TEXT, city TEXT)`,
		`ALTER TABLE customer ADD COLUMN address_id INTEGER REFERENCES address(id)`,
		`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id), ship_to INTEGER REFERENCES address(id), note TEXT)`,
		`CREATE TABLE employee (id INTEGER PRIMARY KEY, badge TEXT)`,
		`CREATE TABLE write_log (tbl TEXT NOT NULL, id INTEGER NOT NULL)`,
		`CREATE TRIGGER login_written AFTER UPDATE ON login BEGIN INSERT INTO write_log VALUES ('login', NEW.id); END`,
		`INSERT INTO address VALUES (1, '1 Shared Street', 'Lisbon'), (2, '2 Own Road', 'Porto'), (3, '3 Bob Lane', 'Faro')`,
		`UPDATE customer SET address_id = 1`,
		`INSERT INTO orders VALUES (10, 1, 2, 'leave at the door'), (11, 2, 3, 'ring twice')`,
		`INSERT INTO login VALUES (4, 1, 'ana-tablet'), (5, 1, 'ana-watch'), (6, 1, 'ana-tv')`,
		`INSERT INTO employee VALUES (1, 'B-1')`,
	)...)
}

// query runs a query on the company database and returns the rows as
// "a|b|c" strings.
func query(t testing.TB, path, q string, args ...any) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

func exec(t testing.TB, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// build is services() with a batch size and the base URL callbacks go to.
func build(t testing.TB, baseURL string, batch int) *wire.Services {
	t.Helper()
	return wiretest.New(t, wiretest.Options{UnsignedAudit: true, BaseURL: baseURL, Batch: batch, Policy: wire.Policy{Actor: "test"}}).Services
}

// connectShop imports the shop dataset and connects it to the database at
// path.
func connectShop(t testing.TB, svc *wire.Services, path string, readOnly bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(shopDataset)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: "sqlite:" + path, ReadOnly: readOnly}); err != nil {
		t.Fatal(err)
	}
}

func ana() map[string][]string { return map[string][]string{"email": {"ana@example.com"}} }

func keptFor(out connected.Outcome, what string) string {
	for _, k := range out.Kept {
		if k.What == what {
			return k.Why
		}
	}
	return ""
}

func task(t testing.TB, svc *wire.Services, req, phase, coll string) store.Task {
	t.Helper()
	ts, err := svc.DSR.Progress(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Phase == phase && x.Collection == coll {
			return x
		}
	}
	t.Fatalf("no %s task for %s in %+v", phase, coll, ts)
	return store.Task{}
}

// TestCompanyRuns runs each kind of request against the shop and checks the
// database afterwards, row by row.
func TestCompanyRuns(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		job      connected.Job
		readOnly bool
		check    func(t *testing.T, path string, out connected.Outcome)
	}{
		{"access finds the person's rows only", connected.Job{Kind: connected.KindAccess, Identities: ana()}, false,
			func(t *testing.T, path string, out connected.Outcome) {
				got := map[string]int{}
				for k, rows := range out.Collections {
					got[k] = len(rows)
				}
				want := map[string]int{"shop:customer": 1, "shop:address": 2, "shop:orders": 1, "shop:login": 5}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("found %v, want %v", got, want)
				}
				for _, row := range out.Collections["shop:login"] {
					if !strings.HasPrefix(fmt.Sprint(row["device"]), "ana-") {
						t.Fatalf("someone else's login: %v", row)
					}
				}
				if c := out.Collections["shop:customer"][0]; c["name"] != "Ana Lima" || c["id"] != int64(1) {
					t.Fatalf("customer row %v", c)
				}
				if len(out.Kept) != 0 {
					t.Fatalf("an access answer lists unreachable collections: %+v", out.Kept)
				}
			}},
		{"erasure keeps shared rows and says so", connected.Job{Kind: connected.KindErasure, Identities: ana()}, false,
			func(t *testing.T, path string, out connected.Outcome) {
				want := map[string]int64{"shop:customer": 1, "shop:address": 1, "shop:orders": 1, "shop:login": 5}
				if fmt.Sprint(out.Erased) != fmt.Sprint(want) {
					t.Fatalf("erased %v, want %v", out.Erased, want)
				}
				if why := keptFor(out, "shop:address"); !strings.Contains(why, "1 rows kept: other people's records refer to them") {
					t.Fatalf("kept %+v", out.Kept)
				}
				if why := keptFor(out, "shop:employee"); why != "" {
					t.Fatalf("an erasure answer lists a collection no identity reached: %q", why)
				}
				if got := query(t, path, `SELECT id, street, city FROM address ORDER BY id`); !slices.Equal(got,
					[]string{"1|1 Shared Street|Lisbon", "2|<nil>|<nil>", "3|3 Bob Lane|Faro"}) {
					t.Fatalf("addresses %v", got)
				}
				if got := query(t, path, `SELECT id, email, name, address_id FROM customer ORDER BY id`); !slices.Equal(got,
					[]string{"1|<nil>|<nil>|1", "2|bob@example.com|Bob Stone|1"}) {
					t.Fatalf("customers %v", got)
				}
				if got := query(t, path, `SELECT id, device FROM login WHERE device IS NOT NULL`); !slices.Equal(got, []string{"3|bob-phone"}) {
					t.Fatalf("logins left %v", got)
				}
				if got := query(t, path, `SELECT note FROM orders ORDER BY id`); !slices.Equal(got, []string{"<nil>", "ring twice"}) {
					t.Fatalf("orders %v", got)
				}
			}},
		{"correction matches a broader category and spares shared rows", connected.Job{Kind: connected.KindCorrection, Identities: ana(),
			Corrections: map[string]string{"user.contact.address": "9 New Street", "user.name": "Ana Maria Lima"}}, false,
			func(t *testing.T, path string, out connected.Outcome) {
				want := map[string]int64{"shop:customer": 1, "shop:address": 1}
				if fmt.Sprint(out.Corrected) != fmt.Sprint(want) {
					t.Fatalf("corrected %v, want %v", out.Corrected, want)
				}
				slices.Sort(out.CorrectedCategories)
				if !slices.Equal(out.CorrectedCategories, []string{"user.contact.address", "user.name"}) {
					t.Fatalf("corrected categories %v", out.CorrectedCategories)
				}
				if got := query(t, path, `SELECT id, street, city FROM address ORDER BY id`); !slices.Equal(got,
					[]string{"1|1 Shared Street|Lisbon", "2|9 New Street|9 New Street", "3|3 Bob Lane|Faro"}) {
					t.Fatalf("addresses %v", got)
				}
				if why := keptFor(out, "shop:address"); !strings.Contains(why, "1 rows not corrected") {
					t.Fatalf("kept %+v", out.Kept)
				}
				if got := query(t, path, `SELECT name, email FROM customer ORDER BY id`); !slices.Equal(got,
					[]string{"Ana Maria Lima|ana@example.com", "Bob Stone|bob@example.com"}) {
					t.Fatalf("customers %v", got)
				}
				if n := query(t, path, `SELECT COUNT(*) FROM write_log`); n[0] != "0" {
					t.Fatalf("a correction of name and address wrote logins: %v", n)
				}
			}},
		{"read-only connection changes nothing and reports", connected.Job{Kind: connected.KindErasure, Identities: ana()}, true,
			func(t *testing.T, path string, out connected.Outcome) {
				if len(out.Erased) != 0 {
					t.Fatalf("erased %v through a read-only connection", out.Erased)
				}
				for _, c := range []string{"shop:customer", "shop:login", "shop:orders", "shop:address"} {
					if why := keptFor(out, c); !strings.Contains(why, "read-only") {
						t.Fatalf("%s kept for %q; all %+v", c, why, out.Kept)
					}
				}
				if why := keptFor(out, "shop:login"); !strings.Contains(why, "5 rows found") {
					t.Fatalf("login kept for %q", why)
				}
				if got := query(t, path, `SELECT COUNT(*) FROM customer WHERE email IS NOT NULL`); got[0] != "2" {
					t.Fatalf("customers with email: %v", got)
				}
			}},
		{"nobody found", connected.Job{Kind: connected.KindErasure, Identities: map[string][]string{"email": {"nobody@example.com"}}}, false,
			func(t *testing.T, path string, out connected.Outcome) {
				if len(out.Erased) != 0 || len(out.Kept) != 0 || len(out.Collections) != 0 {
					t.Fatalf("outcome for a stranger: %+v", out)
				}
			}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := company(t)
			svc := build(t, "http://127.0.0.1:1", 2)
			connectShop(t, svc, path, c.readOnly)
			job := c.job
			job.RequestID = fmt.Sprintf("req-%d", i)
			out, err := svc.DSR.Run(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, path, out)
			// Running again finds everything done and changes nothing.
			before := query(t, path, `SELECT * FROM customer UNION ALL SELECT id, street, city, NULL FROM address`)
			again, err := svc.DSR.Run(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(again.Erased, again.Corrected) != fmt.Sprint(out.Erased, out.Corrected) {
				t.Fatalf("second run: %v %v; first %v %v", again.Erased, again.Corrected, out.Erased, out.Corrected)
			}
			if after := query(t, path, `SELECT * FROM customer UNION ALL SELECT id, street, city, NULL FROM address`); !slices.Equal(before, after) {
				t.Fatalf("a repeated run changed rows: %v -> %v", before, after)
			}
		})
	}
}

// TestFailureResumes: a collection whose writes fail records the error on
// its task and returns a Failure; the next run resumes from the cursor, and
// no row is written twice.
func TestFailureResumes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// breakIt makes writes to login fail (reads still work), mend
		// before the last run.
		breakIt, mend []string
		wantErr       string
		doneBefore    int64 // login rows erased before the failure
	}{
		{"every write refused", []string{`CREATE TRIGGER login_locked BEFORE UPDATE ON login BEGIN SELECT RAISE(ABORT, 'login is locked'); END`},
			[]string{`DROP TRIGGER login_locked`}, "login is locked", 0},
		{"a row refuses part way", []string{`CREATE TRIGGER login_locked BEFORE UPDATE ON login WHEN OLD.id = 4 BEGIN SELECT RAISE(ABORT, 'row locked'); END`},
			[]string{`DROP TRIGGER login_locked`}, "row locked", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := company(t)
			svc := build(t, "http://127.0.0.1:1", 2)
			connectShop(t, svc, path, false)
			const req = "req-fail"
			exec(t, path, c.breakIt...)
			job := connected.Job{RequestID: req, Kind: connected.KindErasure, Identities: ana()}
			_, err := svc.DSR.Run(ctx, job)
			var f *connected.Failure
			if !errors.As(err, &f) || f.Collection != "shop:login" || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("run on a broken database = %v", err)
			}
			lt := task(t, svc, req, connected.PhaseErasure, "shop:login")
			if lt.Status != store.TaskPending || lt.Attempts != 1 || !strings.Contains(lt.Error, c.wantErr) || lt.Done != c.doneBefore || lt.Found != 5 {
				t.Fatalf("login task after the failure: %+v", lt)
			}
			// Nothing after the failing collection was touched.
			if got := query(t, path, `SELECT email FROM customer WHERE id = 1`); got[0] != "ana@example.com" {
				t.Fatalf("customer erased before its logins: %v", got)
			}
			// The same failure again counts another attempt.
			if _, err := svc.DSR.Run(ctx, job); err == nil {
				t.Fatal("the broken database passed")
			}
			if lt := task(t, svc, req, connected.PhaseErasure, "shop:login"); lt.Attempts != 2 {
				t.Fatalf("attempts %d", lt.Attempts)
			}
			exec(t, path, c.mend...)
			out, err := svc.DSR.Run(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			if out.Erased["shop:login"] != 5 || out.Erased["shop:customer"] != 1 {
				t.Fatalf("erased %v", out.Erased)
			}
			lt = task(t, svc, req, connected.PhaseErasure, "shop:login")
			if lt.Status != store.TaskDone || lt.Error != "" || lt.Done != 5 {
				t.Fatalf("login task after the resume: %+v", lt)
			}
			if got := query(t, path, `SELECT id, COUNT(*) FROM write_log GROUP BY id HAVING COUNT(*) > 1`); len(got) != 0 {
				t.Fatalf("rows written more than once: %v", got)
			}
			if got := query(t, path, `SELECT COUNT(*) FROM write_log`); got[0] != "5" {
				t.Fatalf("writes %v, want 5", got)
			}
		})
	}
}

// TestBinaryKeyFromCheckpoint: a key that is not UTF-8 (a BINARY(16) id,
// say) survives the checkpoint, so a run resumed from it erases the row.
func TestBinaryKeyFromCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tokens.db")
	exec(t, path,
		`CREATE TABLE device (id TEXT PRIMARY KEY, email TEXT, token TEXT)`,
		`INSERT INTO device VALUES (CAST(X'C0FFEE00FF' AS TEXT), 'ana@example.com', 'tok-ana'), (CAST(X'C0FFEE00FE' AS TEXT), 'bob@example.com', 'tok-bob')`)
	svc := build(t, "http://127.0.0.1:1", 10)
	src := `dataset:
  - fides_key: tokens
    collections:
      - name: device
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true}
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email}
          - name: token
            data_categories: [user.device.device_id]
`
	if _, err := svc.DSR.Import(ctx, "test", "tokens.yml", []byte(src)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "tokens", Dataset: "tokens", URL: "sqlite:" + path}); err != nil {
		t.Fatal(err)
	}
	// The access phase is checkpointed by one run, the erasure works from
	// the checkpoint in the next.
	if _, err := svc.DSR.Run(ctx, connected.Job{RequestID: "r", Kind: connected.KindAccess, Identities: ana()}); err != nil {
		t.Fatal(err)
	}
	out, err := svc.DSR.Run(ctx, connected.Job{RequestID: "r", Kind: connected.KindErasure, Identities: ana()})
	if err != nil || out.Erased["tokens:device"] != 1 {
		t.Fatalf("erasure = %+v, %v", out, err)
	}
	if got := query(t, path, `SELECT hex(id), token FROM device ORDER BY id`); !slices.Equal(got, []string{"C0FFEE00FE|tok-bob", "C0FFEE00FF|<nil>"}) {
		t.Fatalf("devices after erasure: %v", got)
	}
}

// callbacks serves Custos' callback endpoint for a connected.Service, as the API
// does, and counts what it answered.
type callbacks struct {
	mu       sync.Mutex
	svc      *connected.Service
	statuses []int
}

func (cb *callbacks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cb.mu.Lock()
	svc := cb.svc
	cb.mu.Unlock()
	task := strings.TrimPrefix(r.URL.Path, "/api/v1/connector-callbacks/")
	status := http.StatusAccepted
	body, err := io.ReadAll(io.LimitReader(r.Body, connected.MaxAnswerBytes))
	if err == nil {
		_, err = svc.Callback(r.Context(), task, connected.SignedAnswer{Body: body, Header: r.Header.Get})
	}
	if err != nil {
		status = httperr.Of(err)
	}
	cb.mu.Lock()
	cb.statuses = append(cb.statuses, status)
	cb.mu.Unlock()
	w.WriteHeader(status)
}

// TestAsyncWebhookBatches: an asynchronous system answers each batch of an
// erasure by callback; every batch is sent, and the cursor moves batch by
// batch, so no row is left out however many rows there are.
func TestAsyncWebhookBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := company(t)
	cb := &callbacks{}
	custosSrv := httptest.NewServer(cb)
	t.Cleanup(custosSrv.Close)
	svc := build(t, custosSrv.URL, 2)
	cb.mu.Lock()
	cb.svc = svc.DSR
	cb.mu.Unlock()

	sets, err := dataset.Load("shop.yml", []byte(shopDataset))
	if err != nil {
		t.Fatal(err)
	}
	backend, err := sqlconn.Open(ctx, "sqlite:"+path, connector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backend.Close() })
	secret := []byte("shared-secret-of-the-shop")
	remote := httptest.NewServer(webhook.Handler(backend, sets[0], secret, true))
	t.Cleanup(remote.Close)
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(shopDataset)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: remote.URL, Secret: secret}); err != nil {
		t.Fatal(err)
	}

	job := connected.Job{RequestID: "req-async", Kind: connected.KindErasure, Identities: ana()}
	var out connected.Outcome
	runs := 0
	deadline := time.Now().Add(20 * time.Second)
	for {
		runs++
		out, err = svc.DSR.Run(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if !out.Pending {
			break
		}
		// Wait for the callback to answer what waits.
		for {
			ts, _ := svc.DSR.Progress(ctx, job.RequestID)
			waiting := false
			for _, x := range ts {
				waiting = waiting || x.Status == store.TaskWaiting
			}
			if !waiting {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no callback: %+v", ts)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if out.Erased["shop:login"] != 5 || out.Erased["shop:customer"] != 1 {
		t.Fatalf("erased %v", out.Erased)
	}
	if got := query(t, path, `SELECT id, device FROM login WHERE device IS NOT NULL`); !slices.Equal(got, []string{"3|bob-phone"}) {
		t.Fatalf("logins left unerased: %v", got)
	}
	if got := query(t, path, `SELECT COUNT(*), COUNT(DISTINCT id) FROM write_log`); got[0] != "5|5" {
		t.Fatalf("login writes (all, distinct) = %v", got)
	}
	// Access of 5 collections (one unreachable) plus erasure batches: login
	// takes three (2+2+1).
	if runs < 8 {
		t.Fatalf("only %d runs: not every call went asynchronous", runs)
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	for _, st := range cb.statuses {
		if st != http.StatusAccepted && st != http.StatusConflict {
			t.Fatalf("callback answered %d", st)
		}
	}
}

// TestCallbackChecks: callbacks that are not signed, name no task, come
// late or come early change nothing.
func TestCallbackChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := build(t, "http://127.0.0.1:1", 2)
	secret := []byte("s3cret")
	// A remote that accepts every call and never answers: the test posts
	// the callbacks itself.
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(remote.Close)
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(shopDataset)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: remote.URL, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	const req = "req-cb"
	out, err := svc.DSR.Run(ctx, connected.Job{RequestID: req, Kind: connected.KindAccess, Identities: ana()})
	if err != nil || !out.Pending {
		t.Fatalf("first run = %+v, %v", out, err)
	}
	waitingID := connected.TaskID(req, connected.PhaseAccess, "shop:customer")
	named := func(task string) webhook.Result { return webhook.Result{Task: task, RequestID: req} }
	post := func(id string, key []byte, res webhook.Result) (string, error) {
		body := []byte(fmt.Sprintf(`{"task":%q,"request_id":%q,"rows":[{"id":1,"email":"ana@example.com","name":"Ana Lima","address_id":1}]}`,
			res.Task, res.RequestID))
		if res.Error != "" {
			body = []byte(fmt.Sprintf(`{"task":%q,"request_id":%q,"error":%q}`, res.Task, res.RequestID, res.Error))
		}
		h := http.Header{}
		ts, sig := webhook.Sign(key, body, time.Now())
		h.Set(webhook.HeaderTimestamp, ts)
		h.Set(webhook.HeaderSignature, sig)
		return svc.DSR.Callback(ctx, id, connected.SignedAnswer{Body: body, Header: h.Get})
	}
	cases := []struct {
		name string
		id   string
		key  []byte
		res  webhook.Result
		code string
	}{
		{"wrong secret", waitingID, []byte("guess"), named(waitingID), "bad_signature"},
		{"no such task", "nonsense", secret, webhook.Result{Task: "nonsense", RequestID: req}, "unknown_task"},
		{"other request", connected.TaskID("req-other", connected.PhaseAccess, "shop:customer"), secret,
			webhook.Result{Task: connected.TaskID("req-other", connected.PhaseAccess, "shop:customer"), RequestID: "req-other"}, "unknown_task"},
		{"body names another task", waitingID, secret, named(connected.TaskID(req, connected.PhaseAccess, "shop:login")), "task_mismatch"},
		// A signed answer to another request's call, replayed here.
		{"body names another request", waitingID, secret, webhook.Result{Task: waitingID, RequestID: "req-other"}, "task_mismatch"},
		{"body names no task", waitingID, secret, webhook.Result{RequestID: req}, "callback_unnamed"},
		{"body names no request", waitingID, secret, webhook.Result{Task: waitingID}, "callback_unnamed"},
		{"body names nothing", waitingID, secret, webhook.Result{}, "callback_unnamed"},
		{"not waiting yet", connected.TaskID(req, connected.PhaseAccess, "shop:login"), secret, named(connected.TaskID(req, connected.PhaseAccess, "shop:login")), "task_not_waiting"},
		{"collection of no dataset", connected.TaskID(req, connected.PhaseAccess, "crm:contact"), secret, named(connected.TaskID(req, connected.PhaseAccess, "crm:contact")), "unknown_task"},
	}
	for _, c := range cases {
		if _, err := post(c.id, c.key, c.res); custos.ErrorCode(err) != c.code {
			t.Errorf("%s: callback = %v; want %s", c.name, err, c.code)
		}
		if x := task(t, svc, req, connected.PhaseAccess, "shop:customer"); x.Status != store.TaskWaiting || x.Attempts != 0 {
			t.Fatalf("%s: the waiting task changed: %+v", c.name, x)
		}
	}
	// A failure answer sends the call again on the next run.
	if _, err := post(waitingID, secret, webhook.Result{Task: waitingID, RequestID: req, Error: "the CRM is down"}); err != nil {
		t.Fatal(err)
	}
	if x := task(t, svc, req, connected.PhaseAccess, "shop:customer"); x.Status != store.TaskPending || x.Attempts != 1 || x.Error != "the CRM is down" {
		t.Fatalf("after a failure callback: %+v", x)
	}
	if out, err := svc.DSR.Run(ctx, connected.Job{RequestID: req, Kind: connected.KindAccess, Identities: ana()}); err != nil || !out.Pending {
		t.Fatalf("rerun = %+v, %v", out, err)
	}
	// The answer, then the same answer again: the second changes nothing.
	for i := 0; i < 2; i++ {
		if id, err := post(waitingID, secret, named(waitingID)); err != nil || id != req {
			t.Fatalf("callback %d = %q, %v", i, id, err)
		}
	}
	x := task(t, svc, req, connected.PhaseAccess, "shop:customer")
	if x.Status != store.TaskDone || x.Found != 1 || x.Error != "" {
		t.Fatalf("answered task: %+v", x)
	}
	// The run goes on to the collections the customer leads to, asked
	// together.
	out, err = svc.DSR.Run(ctx, connected.Job{RequestID: req, Kind: connected.KindAccess, Identities: ana()})
	if err != nil || !out.Pending {
		t.Fatalf("run after the answer = %+v, %v", out, err)
	}
	ts, _ := svc.DSR.Progress(ctx, req)
	var waiting []string
	for _, x := range ts {
		if x.Status == store.TaskWaiting {
			waiting = append(waiting, x.Collection)
		}
	}
	if !slices.Equal(waiting, []string{"shop:login", "shop:orders"}) {
		t.Fatalf("waiting after the answer: %v", waiting)
	}
}

// TestCatalogFollowsChanges: the catalog a run loads is kept while nothing
// changed, and follows every import and connection change, made here or by
// another server sharing the store.
func TestCatalogFollowsChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := build(t, "http://127.0.0.1:1", 0)
	path := company(t)
	connectShop(t, svc, path, false)
	other := connected.New(svc.DSR.Config) // another server on the same store

	load := func(s *connected.Service) *connected.Catalog {
		t.Helper()
		c, err := s.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := load(svc.DSR)
	if again := load(svc.DSR); again != first {
		t.Fatal("an unchanged catalog was built again")
	}
	p1, err := svc.DSR.PlanFor(first, ana())
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := svc.DSR.PlanFor(first, ana()); p2 != p1 {
		t.Fatal("the same identities were planned again")
	}

	// Another server imports a dataset with one more field.
	changed := strings.Replace(shopDataset, "          - name: note\n", "          - name: gift_note\n            data_categories: [user.content]\n          - name: note\n", 1)
	if _, err := other.Import(ctx, "test", "shop.yml", []byte(changed)); err != nil {
		t.Fatal(err)
	}
	c := load(svc.DSR)
	if c == first || c.Datasets[0].Collection("orders").Field("gift_note") == nil {
		t.Fatal("the catalog missed a dataset imported by another server")
	}
	if p, _ := svc.DSR.PlanFor(c, ana()); p == p1 {
		t.Fatal("a plan outlived its catalog")
	}

	// The connection goes, then comes back read-only.
	if err := other.RemoveConnection(ctx, "test", "shop"); err != nil {
		t.Fatal(err)
	}
	if c := load(svc.DSR); len(c.Connections) != 0 {
		t.Fatalf("the catalog kept a removed connection: %+v", c.Connections)
	}
	if _, err := other.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: "sqlite:" + path, ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	if c := load(svc.DSR); !c.Connections["shop"].ReadOnly {
		t.Fatalf("the catalog missed a connection made read-only: %+v", c.Connections)
	}
}

// TestAccessLeavesNoRows: an access request that finds everything in one
// go answers from memory; its tasks keep the counts, not the rows. A later
// run of the same request asks again rather than trust an empty
// checkpoint.
func TestAccessLeavesNoRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := company(t)
	svc := build(t, "http://127.0.0.1:1", 0)
	connectShop(t, svc, path, false)
	const req = "req-norows"
	out, err := svc.DSR.Run(ctx, connected.Job{RequestID: req, Kind: connected.KindAccess, Identities: ana()})
	if err != nil || len(out.Collections["shop:login"]) != 5 {
		t.Fatalf("access = %+v, %v", out, err)
	}
	ts, err := svc.Store.Tasks(ctx, req)
	if err != nil || len(ts) == 0 {
		t.Fatalf("tasks = %+v, %v", ts, err)
	}
	for _, x := range ts {
		if len(x.Checkpoint) != 0 {
			t.Errorf("%s keeps its rows in the store", x.Collection)
		}
		if x.Collection == "shop:login" && (x.Status != store.TaskDone || x.Found != 5) {
			t.Errorf("login task = %+v", x)
		}
	}
	out, err = svc.DSR.Run(ctx, connected.Job{RequestID: req, Kind: connected.KindErasure, Identities: ana()})
	if err != nil || out.Erased["shop:login"] != 5 || out.Erased["shop:customer"] != 1 {
		t.Fatalf("erasure after the access = %+v, %v", out.Erased, err)
	}
}

// TestLostCallbackAskedAgain: a call answered 202 whose callback never
// comes is sent again once AskAgainAfter has passed, and not before.
func TestLostCallbackAskedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := build(t, "http://127.0.0.1:1", 0)
	var (
		mu    sync.Mutex
		tasks []string
	)
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Task string `json:"task"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		tasks = append(tasks, body.Task)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted) // and never calls back
	}))
	t.Cleanup(remote.Close)
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(shopDataset)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: remote.URL, Secret: []byte("s")}); err != nil {
		t.Fatal(err)
	}
	calls := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(tasks)
	}
	job := connected.Job{RequestID: "req-lost", Kind: connected.KindAccess, Identities: ana()}
	for range 2 {
		if out, err := svc.DSR.Run(ctx, job); err != nil || !out.Pending {
			t.Fatalf("run = %+v, %v", out, err)
		}
	}
	if got := calls(); len(got) != 1 {
		t.Fatalf("calls before the wait is over: %v", got)
	}
	svc.DSR.Clock = &custos.FixedClock{T: time.Now().Add(svc.DSR.AskAgainAfter + time.Minute)}
	if out, err := svc.DSR.Run(ctx, job); err != nil || !out.Pending {
		t.Fatalf("run after the wait = %+v, %v", out, err)
	}
	got := calls()
	if len(got) != 2 || got[0] != got[1] || got[0] != connected.TaskID(job.RequestID, connected.PhaseAccess, "shop:customer") {
		t.Fatalf("calls: %v; want the customer look-up twice, under one task id", got)
	}
	x := task(t, svc, job.RequestID, connected.PhaseAccess, "shop:customer")
	if x.Status != store.TaskWaiting || x.Attempts != 1 || !strings.Contains(x.Error, "asked again") {
		t.Fatalf("task after asking again: %+v", x)
	}
}
