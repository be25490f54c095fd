package requests_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// shopDataset is the shared shop with the customer's plan, which is not
// personal data.
var shopDataset = sqltest.ShopDatasetWith(`          - name: plan
            data_categories: [system.operations]
`, "")

// shop makes the company database (sqltest.Shop, each customer given a
// plan): Ana with three logins (ids 1 to 3), Bob with one (id 4, moved up
// to make room for Ana's third).
func shop(t *testing.T) string {
	t.Helper()
	return sqltest.SQLiteFile(t, append(sqltest.Shop(),
		`ALTER TABLE customer ADD COLUMN plan TEXT`,
		`UPDATE customer SET plan = CASE id WHEN 1 THEN 'gold' ELSE 'basic' END`,
		`UPDATE login SET id = 4 WHERE device = 'bob-phone'`,
		`INSERT INTO login VALUES (3, 1, 'ana-tablet')`,
	)...)
}

func shopRows(t *testing.T, path, q string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, b sql.NullString
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s|%s", a.String, b.String))
	}
	return out
}

// connectedEnv is env with the whole service graph kept, the job queue
// running, and (unless path is "") the shop's database connected.
type connectedEnv struct {
	*env
	services *wire.Services
}

func newConnectedEnv(t *testing.T, s *store.Store, path string, readOnly, startQueue bool) *connectedEnv {
	t.Helper()
	return newConnectedEnvWith(t, s, path, readOnly, startQueue, nil)
}

// newConnectedEnvWith is newConnectedEnv under the policy yml (the bundled
// one where nil).
func newConnectedEnvWith(t *testing.T, s *store.Store, path string, readOnly, startQueue bool, yml []byte) *connectedEnv {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, store: s, clock: &custos.FixedClock{T: time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)}}
	pol := wire.Policy{Actor: "test"}
	if yml != nil {
		pol.Name, pol.Source = policy.BundledName, yml
	}
	w := wiretest.New(t, wiretest.Options{Store: s, Clock: e.clock, UnsignedAudit: true, BaseURL: "https://custos.example", Mail: true,
		Policy: pol, Jobs: jobs.Options{Poll: 100 * time.Millisecond, Wait: 200 * time.Millisecond}})
	svc := w.Services
	e.maildir = w.MailDir
	e.records, e.consent, e.outbox, e.svc = svc.Records, svc.Consent, svc.Outbox, svc.Requests
	if path != "" {
		if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(shopDataset)); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: "sqlite:" + path, ReadOnly: readOnly}); err != nil {
			t.Fatal(err)
		}
	}
	if startQueue {
		w.StartQueue(t)
	}
	return &connectedEnv{env: e, services: svc}
}

func (e *connectedEnv) completed(id string) store.Request {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := e.store.Request(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		if r.Status == requests.StatusCompleted {
			return r
		}
		if time.Now().After(deadline) {
			ts, _ := e.services.DSR.Progress(context.Background(), id)
			e.t.Fatalf("request %s is still %s; tasks %+v", id, r.Status, ts)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func kept(p requests.Package, what string) string {
	for _, k := range p.Kept {
		if k.What == what {
			return k.Why
		}
	}
	return ""
}

// TestConnectedRequests runs requests end to end against a connected
// company database: verified, approved, run by the job queue, answered.
func TestConnectedRequests(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		intake   requests.Intake
		readOnly bool
		setup    func(t *testing.T, e *connectedEnv)
		check    func(t *testing.T, e *connectedEnv, path string, p requests.Package)
		postgres bool // also on PostgreSQL; the rest is the same on both
	}{
		{"access shows the person's rows only", requests.Intake{Type: "access"}, false, nil,
			checkConnectedAccess, false},
		{"deletion erases there and says so", requests.Intake{Type: "deletion"}, false, nil,
			checkConnectedDeletion, true},
		{"correction updates the corrected category", requests.Intake{Type: "correction", Corrections: map[string]string{"user.name": "Ana Maria Lima"}}, false,
			func(t *testing.T, e *connectedEnv) {
				// Custos holds something else about Ana, not her name.
				e.seed("ana@example.com", collected("user.contact.address", "1 Road"))
			},
			checkConnectedCorrection, false},
		{"read-only connection keeps the rows and lists them", requests.Intake{Type: "deletion"}, true, nil,
			checkConnectedReadOnly, false},
		{"a legal hold blocks erasure there too", requests.Intake{Type: "deletion"}, false,
			func(t *testing.T, e *connectedEnv) {
				e.seed("ana@example.com", collected("user.name", "Ana Lima"))
				if _, _, err := e.services.Retention.AddHold(context.Background(), "test", custos.SubjectRef{Email: "ana@example.com"}, "Case 26-1"); err != nil {
					t.Fatal(err)
				}
			},
			checkConnectedHold, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			each := func(t *testing.T, fn func(t *testing.T, s *store.Store)) { fn(t, storetest.OpenSQLite(t)) }
			if c.postgres {
				each = storetest.Each
			}
			each(t, func(t *testing.T, s *store.Store) { runConnected(t, s, c.intake, c.readOnly, c.setup, c.check) })
		})
	}
}

// runConnected verifies and approves one request against a connected shop
// database, waits for it, checks its answer, and that no rows are kept.
func runConnected(t *testing.T, s *store.Store, intake requests.Intake, readOnly bool, setup func(t *testing.T, e *connectedEnv),
	check func(t *testing.T, e *connectedEnv, path string, p requests.Package)) {
	ctx := context.Background()
	path := shop(t)
	e := newConnectedEnv(t, s, path, readOnly, true)
	if setup != nil {
		setup(t, e)
	}
	in := intake
	in.Email, in.Jurisdiction = "ana@example.com", "US-CA"
	v := e.submitAndVerify(in)
	view, err := e.svc.Approve(ctx, "token:1", v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if view.Status != requests.StatusInProgress && view.Status != requests.StatusCompleted {
		t.Fatalf("after approval: %s", view.Status)
	}
	e.completed(v.ID)
	p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	check(t, e, path, p)
	// The rows found are not kept once the request is done.
	ts, err := s.Tasks(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if len(x.Checkpoint) != 0 {
			t.Fatalf("task %s/%s keeps its rows after completion", x.Phase, x.Collection)
		}
	}
}

// checkConnectedAccess: the person's rows only, and the database unchanged.
func checkConnectedAccess(t *testing.T, e *connectedEnv, path string, p requests.Package) {
	cust, logins := p.Collections["shop:customer"], p.Collections["shop:login"]
	if len(cust) != 1 || cust[0]["email"] != "ana@example.com" || cust[0]["name"] != "Ana Lima" || len(logins) != 3 {
		t.Fatalf("collections %v", p.Collections)
	}
	if _, shown := cust[0]["plan"]; shown {
		t.Fatalf("a field that is not personal was shown: %v", cust[0])
	}
	var devices []string
	for _, l := range logins {
		devices = append(devices, fmt.Sprint(l["device"]))
	}
	slices.Sort(devices)
	if !slices.Equal(devices, []string{"ana-laptop", "ana-phone", "ana-tablet"}) {
		t.Fatalf("devices %v", devices)
	}
	if strings.Contains(p.Summary, "no personal information") {
		t.Fatalf("summary %q", p.Summary)
	}
	if got := shopRows(t, path, `SELECT email, name FROM customer ORDER BY id`); !slices.Equal(got, []string{"ana@example.com|Ana Lima", "bob@example.com|Bob Stone"}) {
		t.Fatalf("access changed the database: %v", got)
	}
}

// checkConnectedDeletion: erased there, and said so.
func checkConnectedDeletion(t *testing.T, e *connectedEnv, path string, p requests.Package) {
	if got := shopRows(t, path, `SELECT email, name FROM customer ORDER BY id`); !slices.Equal(got, []string{"|", "bob@example.com|Bob Stone"}) {
		t.Fatalf("customers %v", got)
	}
	if got := shopRows(t, path, `SELECT id, device FROM login WHERE device IS NOT NULL`); !slices.Equal(got, []string{"4|bob-phone"}) {
		t.Fatalf("logins %v", got)
	}
	acts := strings.Join(p.Actions, "\n")
	if !strings.Contains(acts, "3 records about you in shop:login were erased.") || !strings.Contains(acts, "1 record about you in shop:customer was erased.") {
		t.Fatalf("actions %q", acts)
	}
	if p.Summary != "Your personal information was deleted." {
		t.Fatalf("summary %q", p.Summary)
	}
}

// checkConnectedCorrection: the corrected category updated, and nothing said to be kept.
func checkConnectedCorrection(t *testing.T, e *connectedEnv, path string, p requests.Package) {
	if got := shopRows(t, path, `SELECT email, name FROM customer ORDER BY id`); !slices.Equal(got, []string{"ana@example.com|Ana Maria Lima", "bob@example.com|Bob Stone"}) {
		t.Fatalf("customers %v", got)
	}
	if !strings.Contains(strings.Join(p.Actions, "\n"), "1 record about you in shop:customer was corrected.") {
		t.Fatalf("actions %q", p.Actions)
	}
	// Corrected in the shop: the answer must not also say it holds
	// no such information.
	for _, k := range p.Kept {
		if strings.Contains(k.Why, "nothing to correct") {
			t.Fatalf("kept %+v contradicts the correction", k)
		}
	}
}

// checkConnectedReadOnly: the rows kept and listed.
func checkConnectedReadOnly(t *testing.T, e *connectedEnv, path string, p requests.Package) {
	if got := shopRows(t, path, `SELECT email, name FROM customer WHERE id = 1`); !slices.Equal(got, []string{"ana@example.com|Ana Lima"}) {
		t.Fatalf("customer %v", got)
	}
	if why := kept(p, "shop:customer"); !strings.Contains(why, "read-only") || !strings.Contains(kept(p, "shop:login"), "3 rows found") {
		t.Fatalf("kept %+v", p.Kept)
	}
	if strings.Contains(p.Summary, "was deleted") || !strings.Contains(p.Summary, "could not delete") {
		t.Fatalf("summary %q though nothing was deleted", p.Summary)
	}
}

// checkConnectedHold: nothing erased under a legal hold.
func checkConnectedHold(t *testing.T, e *connectedEnv, path string, p requests.Package) {
	if got := shopRows(t, path, `SELECT email, name FROM customer WHERE id = 1`); !slices.Equal(got, []string{"ana@example.com|Ana Lima"}) {
		t.Fatalf("customer %v erased under a hold", got)
	}
	if got := shopRows(t, path, `SELECT COUNT(*), '' FROM login WHERE device IS NULL`); got[0] != "0|" {
		t.Fatalf("logins erased under a hold: %v", got)
	}
	if !strings.Contains(p.Summary, "could not delete") || !strings.Contains(kept(p, "All the personal information we hold about you"), "legal hold") {
		t.Fatalf("package %+v", p)
	}
}

// TestInProcessWithoutConnections: without a connection nothing is queued
// (and no queue runs here): requests complete when approved, as before. With
// one, requests that never reach the company's systems complete at once too,
// and never touch it.
func TestInProcessWithoutConnections(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		connected bool
		intake    requests.Intake
	}{
		{"deletion, no connection", false, requests.Intake{Type: "deletion"}},
		{"access, no connection", false, requests.Intake{Type: "access"}},
		{"opt-out with a connection", true, requests.Intake{Type: "opt_out"}},
		{"restriction with a connection", true, requests.Intake{Type: "restriction"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := storetest.OpenSQLite(t)
			path := ""
			if c.connected {
				path = shop(t)
			}
			// No queue runs: anything queued would stay in progress.
			e := newConnectedEnv(t, s, path, false, false)
			e.seed("ana@example.com", collected("user.name", "Ana Lima"))
			in := c.intake
			in.Email, in.Jurisdiction = "ana@example.com", "DE"
			v := e.submitAndVerify(in)
			status := v.Status
			if status == requests.StatusPendingReview {
				view, err := e.svc.Approve(ctx, "token:1", v.ID)
				if err != nil {
					t.Fatal(err)
				}
				status = view.Status
			}
			if status != requests.StatusCompleted {
				t.Fatalf("%s is %s, want completed in process", c.intake.Type, status)
			}
			if ts, _ := s.Tasks(ctx, v.ID); len(ts) != 0 {
				t.Fatalf("tasks for a request that reached no system: %+v", ts)
			}
		})
	}
}
