package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestNoDatabaseIsCreated: a command other than serve, run where there is
// no Custos database, says so and creates nothing — no file, no schema.
func TestNoDatabaseIsCreated(t *testing.T) {
	t.Parallel()
	want := "— start `custos serve` once, or pass --db"
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir, vars := dataDir(t)
		db := filepath.Join(dir, "custos.db")
		for _, args := range [][]string{{"token", "list"}, {"token", "create", "--role", "admin"}, {"hold", "list"}, {"request", "list"}, {"audit", "verify"}} {
			code, out, errs := run(t, vars, args...)
			if code != 1 || out != "" || !strings.Contains(errs, "no Custos database at sqlite:"+db+" "+want) {
				t.Errorf("%v: exit %d, out %q, stderr %q", args, code, out, errs)
			}
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Fatalf("a command created %s: %v", db, err)
		}
		if _, err := os.Stat(vars["CUSTOS_KEY_FILE"]); !os.IsNotExist(err) {
			t.Fatalf("a command created the key file: %v", err)
		}
		// An empty file (no schema) is no Custos database either.
		if err := os.WriteFile(db, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := run(t, vars, "token", "list"); code != 1 || !strings.Contains(errs, "no Custos database at sqlite:"+db) {
			t.Fatalf("empty file: %d %s", code, errs)
		}
		if n := sqliteTables(t, db); n != 0 {
			t.Fatalf("token list migrated an empty file: %d tables", n)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := storetest.PostgresSchemaDSN(t)
		code, _, errs := run(t, map[string]string{"CUSTOS_DB": dsn}, "token", "list")
		if code != 1 || !strings.Contains(errs, "no Custos schema in ") || !strings.Contains(errs, want) {
			t.Fatalf("token list: %d %s", code, errs)
		}
		if n := tables(t, dsn); n != 0 {
			t.Fatalf("token list migrated the schema: %d tables", n)
		}
	})
}

// TestVerboseNamesDatabase: with -v a command names the database it opened.
func TestVerboseNamesDatabase(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	initDB(t, vars)
	code, _, errs := run(t, vars, "-v", "token", "list")
	if code != 0 || !strings.Contains(errs, "custos: database "+vars["CUSTOS_DB"]+"\n") {
		t.Fatalf("-v token list: %d %q", code, errs)
	}
	if code, _, errs := run(t, vars, "token", "list"); code != 0 || errs != "" {
		t.Fatalf("token list without -v: %d %q", code, errs)
	}
}

// TestNotFoundNamesWhat: "not found" says what was not found.
func TestNotFoundNamesWhat(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	a, svc := openServices(t, vars)
	svc.Close()
	a.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"token", "revoke", "999"}, "custos: no token 999\n"},
		{[]string{"request", "run", "nope"}, "custos: no request nope\n"},
		{[]string{"request", "show", "nope"}, "custos: no request nope\n"},
		{[]string{"request", "approve", "nope"}, "custos: no request nope\n"},
		{[]string{"request", "extend", "nope", "--reason", "We need to search the archive."}, "custos: no request nope\n"},
	}
	for _, c := range cases {
		if code, _, errs := run(t, vars, c.args...); code != 1 || errs != c.want {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, code, errs, c.want)
		}
	}
}

// TestHelpHidesAndMarks: flags that do not apply are hidden from help (and
// still accepted); required ones are marked.
func TestHelpHidesAndMarks(t *testing.T) {
	t.Parallel()
	for _, p := range [][]string{{"dataset", "list"}, {"dataset", "import"}, {"connection", "list"}, {"request", "list"}, {"request", "show"}, {"hold", "list"}} {
		_, out, _ := run(t, nil, append(p, "--help")...)
		if strings.Contains(out, "--mail-dir") || strings.Contains(out, "--base-url") && p[0] != "hold" {
			t.Errorf("%v --help shows a flag that does not apply:\n%s", p, out)
		}
	}
	for _, p := range [][]string{{"request", "run"}, {"request", "approve"}} {
		if _, out, _ := run(t, nil, append(p, "--help")...); !strings.Contains(out, "--mail-dir") {
			t.Errorf("%v --help lacks --mail-dir:\n%s", p, out)
		}
	}
	_, vars := dataDir(t)
	initDB(t, vars)
	// Hidden, not removed (CONTRACT): still accepted.
	if code, _, errs := run(t, vars, "dataset", "list", "--mail-dir", t.TempDir(), "--base-url", "http://x"); code != 0 {
		t.Fatalf("dataset list with hidden flags: %d %s", code, errs)
	}
	_, out, _ := run(t, nil, "connection", "add", "--help")
	for _, f := range []string{"--name", "--url", "--dataset"} {
		if !strings.Contains(lineOf(out, f+" string"), "(required)") {
			t.Errorf("connection add --help: %s not marked required:\n%s", f, out)
		}
	}
	code, _, errs := run(t, vars, "connection", "add", "--name", "x")
	if code != 2 || !strings.Contains(errs, "--dataset and --url are required (see custos connection add --help)") {
		t.Fatalf("connection add without --url --dataset: %d %q", code, errs)
	}
}

func sqliteTables(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func lineOf(text, needle string) string {
	for l := range strings.SplitSeq(text, "\n") {
		if strings.Contains(l, needle) {
			return l
		}
	}
	return ""
}

// TestRequestCommands: an officer's day from the command line — list,
// show, approve, deny, extend — recorded as the CLI user.
func TestRequestCommands(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	vars["USER"] = "dana"
	a, svc := openServices(t, vars)
	ctx := context.Background()
	submit := func(kind, email string) string {
		v, err := svc.Requests.SubmitOnBehalf(ctx, "token:1", requests.Intake{Type: kind, Email: email, Jurisdiction: "DE", Channel: "phone"})
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != requests.StatusPendingReview {
			t.Fatalf("%s request is %s, want pending_review", kind, v.Status)
		}
		return v.ID
	}
	del := submit(requests.TypeDeletion, "ana@example.com")
	deny := submit(requests.TypeDeletion, "ben@example.com")
	ext := submit(requests.TypeDeletion, "cem@example.com")
	svc.Close()
	a.Close()

	code, out, errs := run(t, vars, "request", "list")
	if code != 0 || !strings.HasPrefix(out, "ID") || !strings.Contains(lineOf(out, "ID "), "STATUS") {
		t.Fatalf("request list: %d %q %s", code, out, errs)
	}
	for _, id := range []string{del, deny, ext} {
		if l := lineOf(out, id); !strings.Contains(l, "deletion") || !strings.Contains(l, "pending_review") || !strings.Contains(l, "DE") {
			t.Errorf("request list row of %s: %q", id, l)
		}
	}
	code, out, _ = run(t, vars, "request", "list", "--json", "--status", "pending_review")
	var vs []requests.View
	if code != 0 || json.Unmarshal([]byte(out), &vs) != nil || len(vs) != 3 {
		t.Fatalf("request list --json: %d %q", code, out)
	}
	if code, _, errs := run(t, vars, "request", "list", "--status", "nope"); code != 1 || !strings.Contains(errs, "status must be one of") {
		t.Fatalf("bad status: %d %s", code, errs)
	}

	if code, out, errs := run(t, vars, "request", "approve", del); code != 0 || !strings.HasPrefix(out, "request "+del+" is ") || strings.Contains(out, "pending_review") {
		t.Fatalf("approve: %d %q %s", code, out, errs)
	}
	if code, _, errs := run(t, vars, "request", "approve", del); code != 1 || !strings.Contains(errs, "Only a request pending review can be approved") {
		t.Fatalf("approve twice: %d %s", code, errs)
	}

	if code, _, errs := run(t, vars, "request", "deny", deny, "--reason", "We hold nothing about this address."); code != 2 || !strings.Contains(errs, "--reason-code is required") {
		t.Fatalf("deny without code: %d %s", code, errs)
	}
	if code, _, errs := run(t, vars, "request", "deny", deny, "--reason-code", "exempt"); code != 2 || !strings.Contains(errs, "--reason is required") {
		t.Fatalf("deny without reason: %d %s", code, errs)
	}
	if code, _, errs := run(t, vars, "request", "deny", deny, "--reason-code", "nope", "--reason", "We hold nothing about this address."); code != 1 || !strings.Contains(errs, "reason_code must be one of") {
		t.Fatalf("deny with a bad code: %d %s", code, errs)
	}
	if code, out, errs := run(t, vars, "request", "deny", deny, "--code", "not_applicable", "--reason", "We hold nothing about this address."); code != 0 || !strings.Contains(out, " is denied") {
		t.Fatalf("deny: %d %q %s", code, out, errs)
	}

	if code, out, errs := run(t, vars, "request", "extend", ext, "--reason", "The archive must be searched by hand."); code != 0 || !strings.Contains(out, "(extended)") {
		t.Fatalf("extend: %d %q %s", code, out, errs)
	}

	code, out, errs = run(t, vars, "request", "show", deny)
	host, _ := os.Hostname()
	actor := "cli:dana@" + host
	if code != 0 || !strings.Contains(lineOf(out, "Status"), "denied") || !strings.Contains(lineOf(out, "Decision"), "not_applicable by "+actor+": We hold nothing") {
		t.Fatalf("show: %d %q %s", code, out, errs)
	}
	if l := lineOf(out, "denied  "); !strings.Contains(out, "ACTOR") || !strings.Contains(lineOf(out, " denied "), actor) {
		t.Fatalf("show history lacks the CLI actor: %q\n%s", l, out)
	}
	code, out, _ = run(t, vars, "request", "show", ext, "--json")
	var v requests.View
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.ExtendedUntil == nil || v.ID != ext {
		t.Fatalf("show --json: %d %q", code, out)
	}
}
