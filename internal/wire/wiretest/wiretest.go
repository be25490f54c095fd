// Package wiretest builds the whole service graph for tests, the way the
// server does (wire.New), on a test store: one fixture for every package's
// tests instead of a hand-built graph in each. What differs between them
// (the store, the clock, the policy, mail, the job queue) is an option.
package wiretest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

// Options are what differs between the tests' service graphs. The zero
// value is Custos on a fresh SQLite store with the bundled policy, the
// wall clock, a fresh master key and no mail sender.
type Options struct {
	// Store is the store to build on; nil opens a fresh SQLite one
	// (storetest.OpenSQLite). Tests that run on both databases pass the
	// one storetest.Each gives them (PostgreSQL from its pooled schemas).
	Store *store.Store
	// Master is the master key; nil makes a fresh one in a temporary
	// directory.
	Master *vault.Master
	// Clock defaults to the wall clock; tests that move time pass a
	// *custos.FixedClock and keep it.
	Clock custos.Clock
	// Audit is the log to append to; nil is the instance's signed, keyed
	// log, as the server has. UnsignedAudit builds a plain one
	// (audit.New without keys) instead.
	Audit         *audit.Log
	UnsignedAudit bool
	// BaseURL is Custos' public address.
	BaseURL string
	// Mail delivers mail into a Maildir in a temporary directory
	// (Env.MailDir); without it mail stays in the outbox.
	Mail bool
	// Policy is the manifest to have in force (wire.Policy); zero is the
	// bundled one.
	Policy wire.Policy
	// Jobs tunes the job queue; StartQueue starts it, and the test's
	// cleanup stops it.
	Jobs       jobs.Options
	StartQueue bool
	// Batch is how many rows an erasure statement touches.
	Batch int
	// Logger defaults to one that writes nothing.
	Logger *slog.Logger
	// Wrap, if set, wraps the API handler StartServer serves (the API
	// tests hold every answer to openapi.json with it).
	Wrap func(http.Handler) http.Handler
}

// Env is the service graph a test works with.
type Env struct {
	*wire.Services
	// MailDir is where mail is delivered (Options.Mail); "" otherwise.
	MailDir string
	Logger  *slog.Logger
	// BaseURL is Custos' public address as built.
	BaseURL string
}

// Quiet is a logger that writes nothing.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// New builds the services. Whatever it opens is closed when the test ends.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	ctx := context.Background()
	if o.Store == nil {
		o.Store = storetest.OpenSQLite(t)
	}
	if o.Master == nil {
		m, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		o.Master = m
	}
	if o.Clock == nil {
		o.Clock = custos.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = Quiet()
	}
	if o.UnsignedAudit && o.Audit == nil {
		o.Audit = audit.New(nil, "", o.Clock)
	}
	e := &Env{Logger: o.Logger, BaseURL: o.BaseURL}
	var sender mail.Sender
	if o.Mail {
		e.MailDir = filepath.Join(t.TempDir(), "mail")
		md, err := mail.NewMaildir(e.MailDir, "")
		if err != nil {
			t.Fatal(err)
		}
		sender = md
	}
	svc, err := wire.New(ctx, wire.Options{Store: o.Store, Master: o.Master, Audit: o.Audit, Clock: o.Clock, BaseURL: o.BaseURL,
		Sender: sender, Logger: o.Logger, Jobs: o.Jobs, Batch: o.Batch, Policy: o.Policy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	e.Services = svc
	if o.StartQueue {
		e.StartQueue(t)
	}
	return e
}

// StartQueue starts the job queue's workers; the test's cleanup stops them.
func (e *Env) StartQueue(t testing.TB) {
	t.Helper()
	qctx, cancel := context.WithCancel(context.Background())
	if err := e.Queue.Start(qctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		_ = e.Queue.Stop(sctx)
		cancel()
	})
}

// Tokens creates one operator token for each role and returns their
// secrets.
func (e *Env) Tokens(t testing.TB) map[custos.Role]string {
	t.Helper()
	out := map[custos.Role]string{}
	for _, r := range custos.Roles() {
		secret, _, err := e.Auth.Create(context.Background(), "test", r, "")
		if err != nil {
			t.Fatal(err)
		}
		out[r] = secret
	}
	return out
}

// MinCell is the smallest aggregate cell the test servers report.
const MinCell = 5

// Server is Custos behind an httptest server, its handler built as the
// server builds it (api.NewHandler over wire.Services.APIDeps).
type Server struct {
	*Env
	URL string
	// Server is the running test server; the test's cleanup closes it.
	Server *httptest.Server
}

// StartServer starts a test server and builds Custos behind it. The server
// exists first, so that an empty o.BaseURL can be its own URL (webhook
// callbacks and links reach it); until the handler is built it answers
// 503. tweak, if not nil, adjusts the handler's Deps first (single
// sign-on, a limit).
func StartServer(t testing.TB, o Options, tweak func(*api.Deps)) *Server {
	t.Helper()
	var h atomic.Pointer[http.Handler]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := h.Load()
		if p == nil {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		(*p).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	if o.BaseURL == "" {
		o.BaseURL = srv.URL
	}
	e := New(t, o)
	deps := e.APIDeps(e.Logger, o.BaseURL, MinCell)
	if tweak != nil {
		tweak(&deps)
	}
	handler := api.NewHandler(deps)
	if o.Wrap != nil {
		handler = o.Wrap(handler)
	}
	h.Store(&handler)
	return &Server{Env: e, URL: srv.URL, Server: srv}
}
