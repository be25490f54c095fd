package banner_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/internal/openapicheck"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/policy"
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
	clock := &custos.FixedClock{T: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	srv := wiretest.StartServer(t, wiretest.Options{Clock: clock, Wrap: func(h http.Handler) http.Handler { return checked(t, h) }}, nil)
	return &custosServer{url: srv.URL, svc: srv.Services, clock: clock}
}

// checked holds every response the banner's tests receive to the API's
// openapi.json, as the API's own tests are held: its status documented
// for the operation, its body matching the documented schema. The
// banner's script and config are public endpoints of the same document.
func checked(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	return openapicheck.Wrap(t, "../api/openapi.json", h)
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
