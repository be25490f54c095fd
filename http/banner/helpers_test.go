package banner_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// custosServer is a whole Custos (the API handler built as the server
// builds it) on a fresh SQLite store, behind an httptest server.
type custosServer struct {
	url   string
	svc   *wire.Services
	clock *custos.FixedClock
}

func startCustos(t *testing.T) *custosServer {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "custos.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	master, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	// The handler needs the server's address (for links and receipts)
	// before the server exists, so the server calls through h.
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	clock := &custos.FixedClock{T: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := wire.Options{Policy: wire.Policy{Actor: "system"}, Store: s, Master: master, Clock: clock, BaseURL: srv.URL, Logger: quiet}
	svc, err := wire.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	h = api.NewHandler(svc.APIDeps(quiet, srv.URL, 5))
	return &custosServer{url: srv.URL, svc: svc, clock: clock}
}

// publishNewVersion puts a new policy version in force now: an editorial
// change is enough, since the banner asks again on any new version.
func (c *custosServer) publishNewVersion(t *testing.T) int64 {
	t.Helper()
	src := strings.Replace(string(policy.Bundled()), `last_updated: "2020-10-29"`, `last_updated: "2026-06-01"`, 1)
	pub, err := c.svc.Policies.Publish(context.Background(), "test", "v2.yaml", []byte(src), c.clock.Now(), true)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if pub.Unchanged {
		t.Fatal("the new version was not stored")
	}
	return pub.Version.Version
}

// ledger returns what the consent ledger holds for a device.
func (c *custosServer) ledger(t *testing.T, deviceID string) consent.State {
	t.Helper()
	st, err := c.svc.Consent.StateOf(context.Background(), "test", custos.SubjectRef{}, deviceID)
	if err != nil {
		t.Fatalf("ledger of %s: %v", deviceID, err)
	}
	return st
}

// current maps a ledger's current choices by scope.
func current(st consent.State) map[string]consent.Current {
	out := map[string]consent.Current{}
	for _, c := range st.Current {
		out[c.Scope] = c
	}
	return out
}

// receipts counts the distinct receipts in a ledger's history.
func receipts(st consent.State) map[string]bool {
	out := map[string]bool{}
	for _, h := range st.History {
		out[h.ReceiptID] = true
	}
	return out
}
