package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

// TestServeChecksConfigBeforeSideEffects: a bad flag, manifest or key
// file stops serve before it creates anything: no database file, no key,
// no mail directory, and in PostgreSQL no table (no migration, so no
// policy version either).
func TestServeChecksConfigBeforeSideEffects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		exposed bool // the key file exists, readable by others
		code    int
		want    string
	}{
		{"result days", []string{"--result-days", "0"}, false, exitUsage, "--result-days must be at least 1"},
		{"banner limit", []string{"--banner-global-per-minute", "0"}, false, exitUsage, "--banner-global-per-minute must be at least 1"},
		{"auto-approve", []string{"--auto-approve", "opt_out,everything"}, false, exitUsage, `--auto-approve: "everything" is not a request type`},
		{"min cell", []string{"--min-cell", "1"}, false, exitUsage, "--min-cell must be at least 2"},
		{"smtp", []string{"--smtp", "http://mail.example"}, false, exitUsage, "--smtp must look like"},
		{"log level", []string{"--log-level", "loud"}, false, exitUsage, "--log-level"},
		{"log format", []string{"--log-format", "xml"}, false, exitUsage, "--log-format"},
		{"oidc without client", []string{"--oidc-issuer", "https://sso.example"}, false, exitUsage, "--oidc-issuer needs --oidc-client-id"},
		{"oidc roles", []string{"--oidc-issuer", "https://sso.example", "--oidc-client-id", "custos", "--oidc-roles", "staff"}, false, exitUsage,
			"--oidc-roles"},
		{"missing manifest", []string{"--policy", "no-such-policy.yml"}, false, exitFailure, "no-such-policy.yml"},
		{"exposed key file", nil, true, exitFailure, "can be read by other users"},
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, c := range cases {
			t.Run(dialect+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				data, keys := t.TempDir(), t.TempDir()
				keyFile := filepath.Join(keys, "master.key")
				if c.exposed {
					if _, _, err := vault.LoadOrCreateMaster(keyFile); err != nil {
						t.Fatal(err)
					}
					if err := os.Chmod(keyFile, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				dsn := "sqlite:" + filepath.Join(data, "custos.db")
				if dialect == "postgres" {
					dsn = storetest.PostgresSchemaDSN(t)
				}
				vars := map[string]string{"CUSTOS_DB": dsn, "CUSTOS_KEY_FILE": keyFile, "CUSTOS_ADDR": "127.0.0.1:0",
					"CUSTOS_MAIL_DIR": filepath.Join(data, "mail")}
				var stderr strings.Builder
				env := Env{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return vars[k] }}
				if code := Main(context.Background(), append([]string{"serve"}, c.args...), env); code != c.code {
					t.Fatalf("exit %d, want %d: %s", code, c.code, stderr.String())
				}
				if !strings.Contains(stderr.String(), c.want) {
					t.Errorf("stderr %q does not say %q", stderr.String(), c.want)
				}
				if left, _ := os.ReadDir(data); len(left) != 0 {
					t.Errorf("serve created %v before refusing", left)
				}
				if left, _ := os.ReadDir(keys); !c.exposed && len(left) != 0 {
					t.Errorf("serve created %v in the key directory before refusing", left)
				}
				if dialect == "postgres" {
					if n := tables(t, dsn); n != 0 {
						t.Errorf("serve created %d tables before refusing", n)
					}
				}
			})
		}
	}
}

// tables counts the tables in the schema a PostgreSQL DSN's search_path
// names.
func tables(t *testing.T, dsn string) int {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1`,
		u.Query().Get("search_path")).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServeMainStopsAndJoins: the server's background work runs under one
// group; when its context ends, Close drains HTTP, joins every goroutine,
// closes both listeners and the store, and may be called again.
func TestServeMainStopsAndJoins(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			m, cancel := runServeMain(t, dialect)
			// HTTP, metrics, outbox, key watcher, tickers; LISTEN on
			// PostgreSQL.
			want := int32(5)
			if dialect == "postgres" {
				want = 6
			}
			if n := m.running.Load(); n != want {
				t.Fatalf("%d background functions running, want %d", n, want)
			}
			resp, err := http.Get("http://" + m.ln.Addr().String() + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("healthz = %d", resp.StatusCode)
			}
			cancel()
			m.Wait()
			if err := m.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			if n := m.running.Load(); n != 0 {
				t.Fatalf("%d background functions still running after Close", n)
			}
			if err := m.app.store.DB().PingContext(context.Background()); err == nil {
				t.Fatal("the store is still open after Close")
			}
			for _, ln := range []net.Listener{m.ln, m.mln} {
				if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
					c.Close()
					t.Fatalf("%s still accepts connections after Close", ln.Addr())
				}
			}
			if err := m.Close(); err != nil {
				t.Fatalf("second close: %v", err)
			}
		})
	}
}

// TestServeMainPartFailing: when one background part fails (the listener
// goes away under the server), the group stops the rest without a signal,
// and Close reports that failure.
func TestServeMainPartFailing(t *testing.T) {
	t.Parallel()
	m, _ := runServeMain(t, "sqlite")
	_ = m.ln.Close()
	m.Wait() // returns without the context ending
	err := m.Close()
	if err == nil || !strings.Contains(err.Error(), "server stopped") {
		t.Fatalf("close = %v; want the server's failure", err)
	}
	if n := m.running.Load(); n != 0 {
		t.Fatalf("%d background functions still running after Close", n)
	}
}

// runServeMain runs a server on a fresh store of the dialect, with the
// metrics listener on; the test closes it.
func runServeMain(t *testing.T, dialect string) (*serveMain, context.CancelFunc) {
	t.Helper()
	dir := t.TempDir()
	c := serveConfig{addr: "127.0.0.1:0", dsn: "sqlite:" + filepath.Join(dir, "custos.db"), mailDir: filepath.Join(dir, "mail"),
		keyFile: filepath.Join(dir, "master.key"), logFormat: "text", logLevel: "error", minCell: 5, autoApprove: "opt_out",
		resultDays: 30, bannerGlobal: 100, metricsAddr: "127.0.0.1:0"}
	if dialect == "postgres" {
		c.dsn = storetest.PostgresSchemaDSN(t)
	}
	env := &Env{Stderr: io.Discard, Getenv: func(string) string { return "" }, Clock: custos.SystemClock{}}
	m, err := newServeMain(env, c, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); _ = m.Close() })
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return m, cancel
}
