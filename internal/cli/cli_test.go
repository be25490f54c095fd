package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	_ "modernc.org/sqlite"

	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// run executes the CLI in-process with the given environment.
func run(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errb.String()
}

// dataDir returns the environment of a fresh installation in a temp dir.
func dataDir(t *testing.T) (string, map[string]string) {
	dir := t.TempDir()
	return dir, map[string]string{
		"CUSTOS_DB":       "sqlite:" + filepath.Join(dir, "custos.db"),
		"CUSTOS_KEY_FILE": filepath.Join(dir, "master.key"),
		"CUSTOS_MAIL_DIR": filepath.Join(dir, "mail"),
		"CUSTOS_ADDR":     "127.0.0.1:0",
	}
}

// initDB creates and migrates the database of vars, as serve's first start
// does, without a key file: the commands other than serve need one.
func initDB(t *testing.T, vars map[string]string) {
	t.Helper()
	s, err := store.Open(context.Background(), vars["CUSTOS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestNewcomerPath is the README tour: serve on a fresh data directory, read
// the notice, create a token, call the API, stop, verify the audit chain,
// and see tampering caught.
func TestNewcomerPath(t *testing.T) {
	t.Parallel()
	dir, vars := dataDir(t)
	base, logs, stop := serveNewcomer(t, vars)

	status, page := get(t, base+"/privacy-policy", "")
	if status != 200 || !strings.Contains(string(page), "<html lang=") || !strings.Contains(string(page), "October 29, 2020") {
		t.Fatalf("privacy-policy: %d", status)
	}
	if status, b := get(t, base+"/healthz", ""); status != 200 || !strings.Contains(string(b), `"ok"`) {
		t.Fatalf("healthz: %d %s", status, b)
	}

	admin := bootstrapToken(t, dir, logs)

	code, out, errs := run(t, vars, "token", "create", "--role", "privacy_officer", "--name", "dpo")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "cst_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create: %d %q %s", code, out, errs)
	}
	status, b := get(t, base+"/api/v1/policy", token)
	if status != 200 || !strings.Contains(string(b), `"last_updated":"2020-10-29"`) || !strings.Contains(string(b), `"version":1`) {
		t.Fatalf("policy: %d %.200s", status, b)
	}
	if status, _ := get(t, base+"/api/v1/tokens", token); status != 403 {
		t.Fatalf("privacy officer listing tokens: %d", status)
	}
	if status, _ := get(t, base+"/api/v1/tokens", admin); status != 200 {
		t.Fatalf("admin listing tokens: %d", status)
	}

	stop()

	code, out, _ = run(t, vars, "audit", "verify")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// the cutover to keyed entries, policy publish, bootstrap admin token, dpo token
	if code != 0 || lines[len(lines)-1] != "ok 4 entries" {
		t.Fatalf("audit verify: %d %q", code, out)
	}

	// A second start keeps the store's policy and mints no new admin token.
	// Then tamper with an entry: verify names it and exits 1.
	db, err := sql.Open("sqlite", filepath.Join(dir, "custos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_log SET action = 'token.revoke' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, vars, "audit", "verify")
	if code != 1 || !strings.Contains(out, "entry 2") {
		t.Fatalf("audit verify after tampering: %d %q", code, out)
	}
}

// serveNewcomer starts serve as a newcomer would, and returns its URL, its
// logs and a stop that cancels it and checks it stopped in order.
func serveNewcomer(t *testing.T, vars map[string]string) (string, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() {
		done <- Main(ctx, []string{"serve"}, Env{Stdout: io.Discard, Stderr: logs,
			Getenv: func(k string) string { return vars[k] }, Ready: func(a string) { addrc <- a }})
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, logs.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	stop := func() {
		t.Helper()
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("serve exited %d after cancel: %s", code, logs.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop within 15 s")
		}
		if !strings.Contains(logs.String(), "stopped") {
			t.Fatalf("no orderly stop in logs: %s", logs.String())
		}
	}
	return base, logs, stop
}

// bootstrapToken reads the bootstrap admin token, which is in a private
// file, not in the logs.
func bootstrapToken(t *testing.T, dir string, logs *syncBuffer) string {
	t.Helper()
	adminTok, err := os.ReadFile(filepath.Join(dir, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(adminTok))
	if fi, _ := os.Stat(filepath.Join(dir, "admin.token")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin.token mode %v", fi.Mode().Perm())
	}
	if strings.Contains(logs.String(), admin) {
		t.Fatal("the admin token was logged")
	}
	return admin
}

// syncBuffer collects the server's logs, written from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPolicyCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, policy.Bundled(), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	badSrc := strings.Replace(string(policy.Bundled()), "key: user.contact.email", "key: user.contact.emial", 1)
	badSrc = strings.Replace(badSrc, "\nchildren:\n", "\nchildrens:\n", 1)
	if err := os.WriteFile(bad, []byte(badSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.yaml")
	if err := os.WriteFile(newer, []byte(strings.Replace(string(policy.Bundled()), "age_threshold: 18", "age_threshold: 16", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	checkValidate(t, dir, good, bad)
	checkDiffAndRender(t, good, newer)
}

// checkValidate: policy validate passes a good manifest, and names each
// problem of a bad one, a too-deep one and a missing file as
// FILE:LINE:COL.
func checkValidate(t *testing.T, dir, good, bad string) {
	t.Helper()
	code, out, errs := run(t, nil, "policy", "validate", good)
	if code != 0 || !strings.Contains(out, "good.yaml: ok") || errs != "" {
		t.Fatalf("validate good: %d %q %q", code, out, errs)
	}
	code, _, errs = run(t, nil, "policy", "validate", bad)
	if code != 1 {
		t.Fatalf("validate bad: exit %d", code)
	}
	for _, line := range strings.Split(strings.TrimSpace(errs), "\n") {
		if !strings.HasPrefix(line, bad+":") || strings.Count(line, ":") < 3 {
			t.Fatalf("not FILE:LINE:COL: %q", line)
		}
	}
	if !strings.Contains(errs, `"user.contact.emial" is not a fideslang data category`) || !strings.Contains(errs, `unknown key "childrens"`) {
		t.Fatalf("validate bad: %s", errs)
	}
	// A manifest nested too deep is refused before it is parsed, with
	// where the limit was crossed.
	deep := filepath.Join(dir, "deep.yaml")
	if err := os.WriteFile(deep, []byte("a: "+strings.Repeat("[", 100_000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, nil, "policy", "validate", deep); code != 1 || out != "" || errs != deep+":1:67: YAML: nesting deeper than 64 levels\n" {
		t.Fatalf("validate deep: %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, nil, "policy", "validate", filepath.Join(dir, "none.yaml")); code != 1 || !strings.Contains(errs, "none.yaml") {
		t.Fatalf("validate missing file: %d %s", code, errs)
	}
}

// checkDiffAndRender: policy diff, render and schema.
func checkDiffAndRender(t *testing.T, good, newer string) {
	t.Helper()
	code, out, _ := run(t, nil, "policy", "diff", good, newer)
	if code != 0 || !strings.Contains(out, "material: children age_threshold: 18 → 16") || !strings.HasSuffix(out, "1 changes, 1 material\n") {
		t.Fatalf("diff: %d %q", code, out)
	}
	if code, _, _ := run(t, nil, "policy", "diff", "--exit-code", good, newer); code != 3 {
		t.Fatalf("diff --exit-code: %d", code)
	}

	for _, f := range []string{"md", "html"} {
		code, out, errs := run(t, nil, "policy", "render", "--format", f)
		if code != 0 || !strings.Contains(out, "support@clientwiseportal.com") {
			t.Fatalf("render %s: %d %s", f, code, errs)
		}
	}
	if code, _, errs := run(t, nil, "policy", "render", "--format", "pdf"); code != 2 || !strings.Contains(errs, "md or html") {
		t.Fatalf("render pdf: %d %s", code, errs)
	}
	// --lang renders Custos' words in a language; without it, and with
	// --lang en, the notice is the English one as published.
	_, english, _ := run(t, nil, "policy", "render", "--format", "html")
	if code, out, errs := run(t, nil, "policy", "render", "--format", "html", "--lang", "en"); code != 0 || out != english {
		t.Fatalf("render --lang en differs from render: %d %s", code, errs)
	}
	if code, out, errs := run(t, nil, "policy", "render", "--lang", "DE"); code != 0 || !strings.Contains(out, "## Personenbezogene Daten, die wir erheben") ||
		strings.Contains(out, "## Personal Information We Obtain") || !strings.Contains(out, "support@clientwiseportal.com") {
		t.Fatalf("render --lang de: %d %s %.300s", code, errs, out)
	}
	if code, _, errs := run(t, nil, "policy", "render", "--lang", "pt"); code != 2 || !strings.Contains(errs, "en, es, fr, de") {
		t.Fatalf("render --lang pt: %d %s", code, errs)
	}
	if code, out, _ := run(t, nil, "policy", "schema"); code != 0 || !json.Valid([]byte(out)) {
		t.Fatalf("schema: %d", code)
	}
}

func TestPublishCommand(t *testing.T) {
	t.Parallel()
	dir, vars := dataDir(t)
	initDB(t, vars)
	newer := filepath.Join(dir, "newer.yaml")
	if err := os.WriteFile(newer, []byte(strings.Replace(string(policy.Bundled()), "age_threshold: 18", "age_threshold: 16", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, policy.Bundled(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, vars, "policy", "publish", good); code != 0 || !strings.Contains(out, "published version 1") {
		t.Fatalf("publish: %d %q %s", code, out, errs)
	}
	code, out, errs := run(t, vars, "policy", "publish", newer, "--effective", "2099-01-01")
	if code != 0 || !strings.Contains(out, "published version 2, in force from 2099-01-01") || !strings.Contains(out, "material: children") {
		t.Fatalf("publish newer: %d %q %s", code, out, errs)
	}
	if code, out, _ := run(t, vars, "policy", "publish", newer); code != 0 || !strings.Contains(out, "unchanged") {
		t.Fatalf("republish: %d %q", code, out)
	}
	if code, _, errs := run(t, vars, "policy", "publish", newer, "--effective", "soon"); code != 2 || !strings.Contains(errs, "RFC 3339") {
		t.Fatalf("bad date: %d %s", code, errs)
	}
}

func TestUsageAndErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"token", "create"}, 2, "--role is required (see custos token create --help)"},
		{[]string{"token", "create", "--role", "root"}, 2, "Unknown role"},
		{[]string{"token", "create", "--role", "admin", "--db", "mysql://x"}, 1, "sqlite:PATH or postgres://"},
		{[]string{"token", "create", "--role", "admin", "--db", "postgres://127.0.0.1:1/x?connect_timeout=2"}, 1, "Cannot reach PostgreSQL at 127.0.0.1:1"},
		{[]string{"serve", "--log-format", "xml"}, 2, "--log-format"},
		{[]string{"serve", "--nope"}, 2, "unknown flag"},
		{[]string{"policy", "diff", "a"}, 2, "two manifest files"},
		{[]string{"token", "revoke", "x"}, 2, "not a number"},
	}
	for _, c := range cases {
		code, _, errs := run(t, map[string]string{"CUSTOS_KEY_FILE": filepath.Join(t.TempDir(), "k")}, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}

// TestHelpEverywhere: every command answers --help.
func TestHelpEverywhere(t *testing.T) {
	t.Parallel()
	env := &Env{Getenv: func(string) string { return "" }}
	var walk func(c *cobra.Command, path []string)
	var paths [][]string
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(newRoot(env), nil)
	if len(paths) < 15 {
		t.Fatalf("only %d commands found", len(paths))
	}
	for _, p := range paths {
		code, out, _ := run(t, nil, append(p, "--help")...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("%v --help: %d %q", p, code, out)
		}
	}
}

// openServices opens the data directory of vars as the commands do and
// builds the services on it with the bundled policy.
func openServices(t *testing.T, vars map[string]string) (*app, *wire.Services) {
	t.Helper()
	return openServicesAt(t, vars, "")
}
