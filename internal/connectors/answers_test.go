package connectors_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector/webhook"
	"github.com/custos-privacy/custos/internal/connectors"
)

// TestAnswersOpen: only a body signed with the connection's secret, within
// the skew, opens; what it says comes through whole.
func TestAnswersOpen(t *testing.T) {
	t.Parallel()
	secret := []byte("s3cret")
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"task":"t1","request_id":"r1","rows":[{"id":7,"email":"ana@example.com"}],"affected":2}`)
	signed := func(key []byte, at time.Time) connected.SignedAnswer {
		h := http.Header{}
		ts, sig := webhook.Sign(key, body, at)
		h.Set(webhook.HeaderTimestamp, ts)
		h.Set(webhook.HeaderSignature, sig)
		return connected.SignedAnswer{Body: body, Header: h.Get}
	}
	cases := []struct {
		name string
		a    connected.SignedAnswer
		want error
	}{
		{"signed", signed(secret, now), nil},
		{"other secret", signed([]byte("guess"), now), webhook.ErrBadSignature},
		{"too old", signed(secret, now.Add(-10*time.Minute)), webhook.ErrStale},
		{"no headers", connected.SignedAnswer{Body: body}, webhook.ErrUnsigned},
	}
	for _, c := range cases {
		got, err := connectors.Answers{}.Open(c.a, secret, 5*time.Minute, now)
		if c.want != nil {
			if !errors.Is(err, c.want) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Task != "t1" || got.RequestID != "r1" || got.Affected != 2 || len(got.Rows) != 1 || got.Rows[0]["id"] != int64(7) ||
			got.Rows[0]["email"] != "ana@example.com" {
			t.Errorf("%s: answer = %+v", c.name, got)
		}
	}
}
