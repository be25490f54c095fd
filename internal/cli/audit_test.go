package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// server is a `custos serve` running in-process on the data directory of
// vars, as an operator runs it.
type server struct {
	base  string
	admin string // the bootstrap admin token
	logs  *syncBuffer
	stop  func()
}

// startServe starts serve; each tweak may set more of its Env (hooks).
func startServe(t *testing.T, vars map[string]string, tweaks ...func(*Env)) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	logs := &syncBuffer{}
	env := Env{Stdout: io.Discard, Stderr: logs, Getenv: func(k string) string { return vars[k] }, Ready: func(a string) { addrc <- a }}
	for _, tw := range tweaks {
		tw(&env)
	}
	go func() { done <- Main(ctx, []string{"serve"}, env) }()
	s := &server{logs: logs}
	select {
	case a := <-addrc:
		s.base = "http://" + a
	case code := <-done:
		cancel()
		t.Fatalf("serve exited %d: %s", code, logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, logs.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	}
	t.Cleanup(s.stop)
	tok, err := os.ReadFile(filepath.Join(filepath.Dir(vars["CUSTOS_KEY_FILE"]), "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	s.admin = strings.TrimSpace(string(tok))
	return s
}

func (s *server) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`)

// consolePage signs in to the admin console with token and returns the
// page at path.
func consolePage(t *testing.T, base, token, path string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	read := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	m := csrfField.FindStringSubmatch(read(c.Get(base + "/admin")))
	if m == nil {
		t.Fatal("no sign-in form")
	}
	read(c.PostForm(base+"/admin/sign-in", url.Values{"csrf": {m[1]}, "token": {token}}))
	return read(c.Get(base + path))
}

// TestAuditVerdictsAgree: on a running server, after enough activity for
// signed checkpoints, GET /api/v1/audit/verify, the /admin/audit page and
// `custos audit verify` give the same verdict, on SQLite and PostgreSQL.
func TestAuditVerdictsAgree(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			_, vars := dataDir(t)
			if dialect == "postgres" {
				vars["CUSTOS_DB"] = storetest.PostgresSchemaDSN(t)
			}
			srv := startServe(t, vars)
			for range 40 {
				if status, b := srv.do(t, "POST", "/api/v1/tokens", `{"role":"agent","name":"desk"}`); status != 201 {
					t.Fatalf("token: %d %s", status, b)
				}
			}
			status, b := srv.do(t, "GET", "/api/v1/audit/verify", "")
			var rep struct {
				OK          bool   `json:"ok"`
				Entries     int64  `json:"entries"`
				Checkpoints int    `json:"checkpoints"`
				Problem     string `json:"problem"`
			}
			if status != 200 || json.Unmarshal(b, &rep) != nil || !rep.OK || rep.Checkpoints < 1 || rep.Entries < 40 {
				t.Fatalf("API verify: %d %s", status, b)
			}
			page := consolePage(t, srv.base, srv.admin, "/admin/audit")
			if !strings.Contains(page, `data-custos-audit="verified"`) {
				t.Fatalf("console audit page does not say verified: %.2000s", page[max(0, strings.Index(page, "<main>")):])
			}
			code, out, errs := run(t, vars, "audit", "verify")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "ok ") {
				t.Fatalf("audit verify: %d %q %s", code, out, errs)
			}
		})
	}
}

// TestCLIAppendsAreSigned: commands append to the chain as the server does
// — keyed, with every 32nd entry signed — even on a store no server has
// run on yet (migrated, no key file); without the key file they refuse to append, and verify says
// it cannot verify.
func TestCLIAppendsAreSigned(t *testing.T) {
	t.Parallel()
	dir, vars := dataDir(t)
	initDB(t, vars)
	for range 40 {
		if code, _, errs := run(t, vars, "token", "create", "--role", "agent"); code != 0 {
			t.Fatalf("token create: %d %s", code, errs)
		}
	}
	s, err := store.Open(context.Background(), vars["CUSTOS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cps, err := s.AuditCheckpoints(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	signed := map[int64]bool{}
	for _, c := range cps {
		signed[c.Seq] = true
	}
	if !signed[32] || !signed[41] {
		t.Fatalf("checkpoints at %v; want 32 (the schedule) and 41 (the head)", signed)
	}
	code, out, _ := run(t, vars, "audit", "verify")
	if code != 0 || !strings.HasSuffix(out, "ok 41 entries\n") {
		t.Fatalf("audit verify: %d %q", code, out)
	}

	checkWithoutKeyFile(t, dir, vars)
	checkChainRewriteCaught(t, dir, vars, s)
}

// checkWithoutKeyFile: without the key file commands refuse to append,
// no new key is made, and verify says it cannot verify.
func checkWithoutKeyFile(t *testing.T, dir string, vars map[string]string) {
	t.Helper()
	// Without the key file: no appending, and no "ok".
	moved := filepath.Join(dir, "elsewhere.key")
	if err := os.Rename(vars["CUSTOS_KEY_FILE"], moved); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, vars, "token", "create", "--role", "agent")
	if code != 1 || !strings.Contains(errs, "is needed") {
		t.Fatalf("token create without the key file: %d %s", code, errs)
	}
	if _, err := os.Stat(vars["CUSTOS_KEY_FILE"]); err == nil {
		t.Fatal("a command made a new key file for a store that has keys")
	}
	code, out, _ := run(t, vars, "audit", "verify")
	if code != exitUnverified || strings.Contains(out, "ok ") || !strings.Contains(out, "proves nothing against someone who can write the database") ||
		!strings.HasSuffix(out, "unverified 41 entries: run verify with the key file to verify the chain\n") {
		t.Fatalf("audit verify without the key file: %d %q", code, out)
	}

	if err := os.Rename(moved, vars["CUSTOS_KEY_FILE"]); err != nil {
		t.Fatal(err)
	}
}

// checkChainRewriteCaught: delete every checkpoint, edit an entry,
// recompute the chain without the chain key; with the key file, verify
// fails.
func checkChainRewriteCaught(t *testing.T, dir string, vars map[string]string, s *store.Store) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "custos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit_checkpoints`); err != nil {
		t.Fatal(err)
	}
	all, err := s.AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	prev := all[3].Hash
	for _, e := range all[4:] {
		if e.Seq == 5 {
			e.Object = "token:999"
		}
		e.PrevHash = prev
		e.Hash = audit.Hash(e)
		prev = e.Hash
		if _, err := db.Exec(`UPDATE audit_log SET object = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.Object, e.PrevHash, e.Hash, e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := run(t, vars, "audit", "verify")
	if code != 1 || !strings.Contains(out, "FAILED at entry 5") {
		t.Fatalf("audit verify after the rewrite: %d %q", code, out)
	}
}

// TestServeRefusesExposedKeyFile: a key file others can read stops serve,
// with the fix in the message.
func TestServeRefusesExposedKeyFile(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	initDB(t, vars)
	if code, _, errs := run(t, vars, "token", "create", "--role", "agent"); code != 0 {
		t.Fatalf("token create: %d %s", code, errs)
	}
	if err := os.Chmod(vars["CUSTOS_KEY_FILE"], 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, vars, "serve")
	if code != 1 || !strings.Contains(errs, "chmod 600 "+vars["CUSTOS_KEY_FILE"]) {
		t.Fatalf("serve with a readable key file: %d %s", code, errs)
	}
}
