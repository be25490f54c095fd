package webhook_test

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"testing"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/connectortest"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/connector/webhook"
	"github.com/custos-privacy/custos/dataset"
)

func newSecret(t *testing.T) []byte {
	t.Helper()
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// serve puts backend behind a Handler on a loopback test server and returns
// its URL.
func serve(t *testing.T, backend connector.Connector, d *dataset.Dataset, secret []byte, async bool) string {
	t.Helper()
	srv := httptest.NewServer(webhook.Handler(backend, d, secret, async))
	t.Cleanup(srv.Close)
	return srv.URL
}

func openWebhook(t *testing.T, url string, secret []byte, readOnly bool) connector.Connector {
	t.Helper()
	c, err := webhook.Open(context.Background(), url, connector.Options{Secret: secret, ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestConformance runs the shared suite through the webhook, against the
// reference Handler in front of SQLite: once read-only by Options, once
// with the read-only side being a read-only database behind the webhook,
// whose refusals must come back as connector.ErrReadOnly.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		remoteRefuse bool
	}{
		{"webhook-sqlite", false},
		{"webhook-sqlite-remote-read-only", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			connectortest.Run(t, connectortest.Harness{
				Name: tc.name,
				Load: func(t *testing.T, d *dataset.Dataset, rows map[string][]connector.Row) (rw, ro connector.Connector) {
					backRW, backRO := sqltest.Load(t, sqltest.SQLite, d, rows)
					secret := newSecret(t)
					rw = openWebhook(t, serve(t, backRW, d, secret, false), secret, false)
					if tc.remoteRefuse {
						return rw, openWebhook(t, serve(t, backRO, d, secret, false), secret, false)
					}
					return rw, openWebhook(t, serve(t, backRW, d, secret, false), secret, true)
				},
			})
		})
	}
}
