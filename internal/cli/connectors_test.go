package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/requests"
)

// cliShop is the shop's dataset (sqltest.Shop).
const cliShop = sqltest.ShopDataset

// cliCompany makes the shop's SQLite database.
func cliCompany(t *testing.T) string {
	t.Helper()
	return sqltest.SQLiteFile(t, sqltest.Shop()...)
}

func writeFile(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDatasetCommands: import, list and plan.
func TestDatasetCommands(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	a, _ := openServices(t, vars)
	a.Close()
	good := writeFile(t, "shop.yml", cliShop)
	bad := writeFile(t, "bad.yml", "dataset:\n  - name: no key\n    collections: []\n  - fides_key: broken\n    collections:\n      - name: c\n        fields:\n          - name: f\n            data_categories: [user.name]\n            fides_meta:\n              identity: 7\n              references:\n                - {dataset: nowhere, field: x.y}\n")
	problem := regexp.MustCompile(`^` + regexp.QuoteMeta(bad) + `:\d+:\d+: `)
	deep := writeFile(t, "deep.yml", "dataset:\n  - "+strings.Repeat("[", 100_000)+"\n")
	cases := []cliCase{
		{"import a good file", []string{"dataset", "import", good}, 0, []string{"imported dataset shop from " + good}, nil, nil},
		{"import a bad file", []string{"dataset", "import", bad}, 1, nil, nil, func(t *testing.T, out, errs string) {
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if len(lines) < 1 || out != "" {
				t.Fatalf("problems on stderr: %q; stdout %q", errs, out)
			}
			for _, l := range lines {
				if !problem.MatchString(l) {
					t.Fatalf("%q is not FILE:LINE:COL: message", l)
				}
			}
		}},
		{"import a file nested too deep", []string{"dataset", "import", deep}, 1, nil,
			[]string{deep + ":2:103: YAML: nesting deeper than 100 levels\n"}, nil},
		{"import a missing file", []string{"dataset", "import", filepath.Join(t.TempDir(), "none.yml")}, 1, nil, []string{"cannot read"}, nil},
		{"list", []string{"dataset", "list"}, 0, []string{"DATASET", "shop", "2", "(none)"}, nil, nil},
		{"plan", []string{"dataset", "plan", "--email", "ana@example.com"}, 0,
			[]string{"Plan for email: 2 collections", "1. shop:customer  where email = identity email", "2. shop:login  where customer_id in customer.id",
				"Erasure order:", "dataset shop has no connection"}, nil, nil},
		{"plan needs an identity", []string{"dataset", "plan"}, 2, nil, []string{"give --email or --identity"}, nil},
		{"plan with a bad identity", []string{"dataset", "plan", "--identity", "loyalty_id"}, 2, nil, []string{"KIND=VALUE"}, nil},
	}
	// Sequential: later cases read what earlier ones imported.
	runCases(t, vars, cases)
}

// TestConnectionCommands: add, list, test and remove.
func TestConnectionCommands(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	a, _ := openServices(t, vars)
	a.Close()
	shop := cliCompany(t)
	crm := writeFile(t, "crm.yml", "dataset:\n  - fides_key: crm\n    collections:\n      - name: member\n        fields:\n          - name: card\n            data_categories: [user.unique_id]\n            fides_meta: {identity: loyalty_id, primary_key: true}\n")
	hooked := writeFile(t, "hooked.yml", "dataset:\n  - fides_key: hooked\n    collections:\n      - name: ticket\n        fields:\n          - name: id\n            data_categories: [system.operations]\n            fides_meta: {primary_key: true}\n          - name: email\n            data_categories: [user.contact.email]\n            fides_meta: {identity: email}\n")
	if code, out, errs := run(t, vars, "dataset", "import", writeFile(t, "shop.yml", cliShop), crm, hooked); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	var hookSecret string
	cases := []cliCase{
		{"add and test", []string{"connection", "add", "--name", "shop", "--url", "sqlite:" + shop, "--dataset", "shop"}, 0,
			[]string{"added connection shop to dataset shop (sqlite:" + shop + ")", "test passed"}, nil, nil},
		{"name taken", []string{"connection", "add", "--name", "shop", "--url", "sqlite:" + shop, "--dataset", "hooked", "--no-test"}, 1, nil, []string{`connection named "shop" exists`}, nil},
		{"add with a password", []string{"connection", "add", "--name", "crm", "--url", "postgres://custos:Sup3rS3cret@127.0.0.1:5432/crm?sslmode=disable", "--dataset", "crm", "--read-only", "--no-test"}, 0,
			[]string{"added connection crm to dataset crm (postgres://custos:xxxxx@127.0.0.1:5432/crm)"}, nil, func(t *testing.T, out, errs string) {
				if strings.Contains(out+errs, "Sup3rS3cret") {
					t.Fatalf("the password was printed: %s %s", out, errs)
				}
			}},
		{"add a webhook", []string{"connection", "add", "--name", "helpdesk", "--url", "https://helpdesk.example/custos", "--dataset", "hooked", "--no-test"}, 0,
			[]string{"webhook signing secret (shown once"}, nil, func(t *testing.T, out, errs string) {
				m := regexp.MustCompile(`configure it on the receiving side\): ([0-9a-f]+)\n`).FindStringSubmatch(out)
				if m == nil || len(m[1]) != 64 {
					t.Fatalf("secret line: %q", out)
				}
				hookSecret = m[1]
			}},
		{"dataset taken", []string{"connection", "add", "--name", "shop2", "--url", "sqlite:" + shop, "--dataset", "shop", "--no-test"}, 1, nil, []string{`already reached by connection "shop"`}, nil},
		{"unknown dataset", []string{"connection", "add", "--name", "x", "--url", "sqlite:" + shop, "--dataset", "nope"}, 1, nil, []string{"No dataset \"nope\""}, nil},
		{"bad scheme", []string{"connection", "add", "--name", "x", "--url", "ftp://user:Pa55@files/x", "--dataset", "crm"}, 1, nil, []string{"not one Custos can use"},
			func(t *testing.T, out, errs string) {
				if strings.Contains(errs, "Pa55") {
					t.Fatalf("the password was printed: %s", errs)
				}
			}},
		{"missing flag", []string{"connection", "add", "--name", "x", "--dataset", "crm"}, 2, nil, []string{"--url is required"}, nil},
		{"list", []string{"connection", "list"}, 0, []string{"NAME", "crm", "postgres://custos:xxxxx@127.0.0.1:5432/crm", "helpdesk", "https://helpdesk.example/custos", "shop", "sqlite:" + shop},
			nil, func(t *testing.T, out, errs string) {
				if strings.Contains(out, "Sup3rS3cret") || strings.Contains(out, "sslmode") || (hookSecret != "" && strings.Contains(out, hookSecret)) {
					t.Fatalf("the listing shows a secret: %s", out)
				}
				for _, l := range strings.Split(out, "\n") {
					if strings.HasPrefix(l, "crm ") && !strings.HasSuffix(strings.TrimSpace(l), "true") {
						t.Fatalf("crm is read-only: %q", l)
					}
				}
			}},
		{"test passes", []string{"connection", "test", "shop"}, 0, []string{"ok: connection shop answers"}, nil, nil},
		{"test of no connection", []string{"connection", "test", "nope"}, 1, nil, []string{`No connection is named "nope"`}, nil},
		{"remove", []string{"connection", "remove", "helpdesk"}, 0, []string{"removed connection helpdesk"}, nil, nil},
		{"remove again", []string{"connection", "remove", "helpdesk"}, 1, nil, []string{`No connection is named "helpdesk"`}, nil},
	}
	runCases(t, vars, cases)

	// The removed connection is gone.
	a, svc := openServices(t, vars)
	defer a.Close()
	cat, err := svc.DSR.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.Connections["hooked"]; ok {
		t.Fatal("the removed webhook is still connected")
	}

	checkMissingTable(t, vars, shop)
}

// checkMissingTable: a table the dataset describes goes missing; the
// connection test says which.
func checkMissingTable(t *testing.T, vars map[string]string, shop string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+shop)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ALTER TABLE login RENAME TO login_old`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errs := run(t, vars, "connection", "test", "shop")
	if code != 1 || out != "" || !strings.Contains(errs, `Connection "shop" (sqlite:`+shop+`) failed its test`) ||
		!strings.Contains(errs, "login") || !strings.Contains(errs, "does not exist") {
		t.Fatalf("test with a table missing: %d %q %q", code, out, errs)
	}
}

// cliCase is one command of a sequential table: its exit code, what its
// output must contain, and any further check.
type cliCase struct {
	name   string
	args   []string
	code   int
	stdout []string
	stderr []string
	check  func(t *testing.T, out, errs string)
}

// runCases runs the cases in order (later ones read what earlier ones
// stored) and stops at the first that fails.
func runCases(t *testing.T, vars map[string]string, cases []cliCase) {
	t.Helper()
	for _, c := range cases {
		code, out, errs := run(t, vars, c.args...)
		if code != c.code {
			t.Fatalf("%s: exit %d, want %d; stdout %q stderr %q", c.name, code, c.code, out, errs)
		}
		for _, want := range c.stdout {
			if !strings.Contains(out, want) {
				t.Fatalf("%s: stdout %q lacks %q", c.name, out, want)
			}
		}
		for _, want := range c.stderr {
			if !strings.Contains(errs, want) {
				t.Fatalf("%s: stderr %q lacks %q", c.name, errs, want)
			}
		}
		if c.check != nil {
			c.check(t, out, errs)
		}
	}
}

// TestWebhookSecretShown: the secret `connection add` prints is the key
// calls are signed with.
func TestWebhookSecretShown(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	a, _ := openServices(t, vars)
	a.Close()
	hooked := writeFile(t, "hooked.yml", "dataset:\n  - fides_key: hooked\n    collections:\n      - name: ticket\n        fields:\n          - name: id\n            data_categories: [system.operations]\n            fides_meta: {primary_key: true}\n          - name: email\n            data_categories: [user.contact.email]\n            fides_meta: {identity: email}\n")
	if code, out, errs := run(t, vars, "dataset", "import", hooked); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	code, out, errs := run(t, vars, "connection", "add", "--name", "helpdesk", "--url", "https://helpdesk.example/custos", "--dataset", "hooked", "--no-test")
	m := regexp.MustCompile(`\): (\S+)\n`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("add: %d %q %q", code, out, errs)
	}
	a, svc := openServices(t, vars)
	defer a.Close()
	cat, err := svc.DSR.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(cat.Connections["hooked"].Secret); got != m[1] {
		t.Fatalf("calls are signed with %q, but the operator was shown %q", got, m[1])
	}
}

// TestRequestRun: `custos request run` drives a request in progress to
// completed against the connected database, one progress line per task.
func TestRequestRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, vars := dataDir(t)
	a, _ := openServices(t, vars)
	a.Close()
	shop := cliCompany(t)
	if code, out, errs := run(t, vars, "dataset", "import", writeFile(t, "shop.yml", cliShop)); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	if code, out, errs := run(t, vars, "connection", "add", "--name", "shop", "--url", "sqlite:"+shop, "--dataset", "shop"); code != 0 {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	a, svc := openServicesAt(t, vars, "https://custos.example")
	v, err := svc.Requests.SubmitOnBehalf(ctx, "token:1", requests.Intake{Type: requests.TypeDeletion, Email: "ana@example.com", Jurisdiction: "US-CA", Channel: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status == requests.StatusPendingReview {
		// Approval queues the run; no worker runs here.
		if v, err = svc.Requests.Approve(ctx, "token:2", v.ID); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	if v.Status != requests.StatusInProgress {
		t.Fatalf("request is %s", v.Status)
	}

	code, out, errs := run(t, vars, "request", "run", v.ID)
	if code != 0 {
		t.Fatalf("request run: %d %q %q", code, out, errs)
	}
	if strings.Contains(out, "\x1b") {
		t.Fatalf("terminal escapes written to a pipe: %q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	progress := progressByTask(t, out, lines[:len(lines)-1])
	allDone(t, out, progress)
	if !strings.Contains(progress["erasure shop:login"], "2/2 rows") {
		t.Fatalf("login progress %q", progress["erasure shop:login"])
	}
	if last := lines[len(lines)-1]; last != "request "+v.ID+" is completed" {
		t.Fatalf("last line %q", last)
	}
	db, err := sql.Open("sqlite", "file:"+shop)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var left int
	if err := db.QueryRow(`SELECT COUNT(*) FROM login WHERE device LIKE 'ana-%'`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("Ana's logins left: %d, %v", left, err)
	}
	// A completed request is not run again.
	code, _, errs = run(t, vars, "request", "run", v.ID)
	if code != 1 || !strings.Contains(errs, "only a request in progress can be run") {
		t.Fatalf("run of a completed request: %d %q", code, errs)
	}
	if code, _, errs := run(t, vars, "request", "run", "req_nope"); code != 1 || errs == "" {
		t.Fatalf("run of no request: %d %q", code, errs)
	}
}

// progressByTask keys request run's progress lines by phase and
// collection; a task drawn twice is an error.
func progressByTask(t *testing.T, out string, lines []string) map[string]string {
	t.Helper()
	progress := map[string]string{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 4 {
			t.Fatalf("progress line %q", l)
		}
		key := f[0] + " " + f[1]
		if _, twice := progress[key]; twice {
			t.Fatalf("%s drawn twice in %q", key, out)
		}
		progress[key] = l
	}
	return progress
}

// allDone: every task of the shop's deletion is drawn done, its bar full.
func allDone(t *testing.T, out string, progress map[string]string) {
	t.Helper()
	want := map[string]string{
		"access shop:customer": "done", "access shop:login": "done",
		"erasure shop:customer": "done", "erasure shop:login": "done",
	}
	if len(progress) != len(want) {
		t.Fatalf("progress lines %q", out)
	}
	for k, status := range want {
		l := progress[k]
		if !strings.Contains(l, " "+status+" ") || !strings.Contains(l, strings.Repeat("█", 24)) {
			t.Fatalf("%s: %q", k, l)
		}
	}
}

// openServicesAt is openServices with a base URL, which mail needs.
func openServicesAt(t *testing.T, vars map[string]string, baseURL string) (*app, *wire.Services) {
	t.Helper()
	env := &Env{Getenv: func(k string) string { return vars[k] }, Clock: custos.SystemClock{}}
	a, _, err := openApp(context.Background(), env, vars["CUSTOS_DB"], vars["CUSTOS_KEY_FILE"], true)
	if err != nil {
		t.Fatal(err)
	}
	w := wiretest.New(t, wiretest.Options{Store: a.store, Master: a.master, Audit: a.audit, Clock: a.clock, BaseURL: baseURL,
		Policy: wire.Policy{Actor: "test"}})
	return a, w.Services
}
