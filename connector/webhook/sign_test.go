package webhook_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connector/webhook"
)

// TestREADMEExample keeps the worked example of README.md true.
func TestREADMEExample(t *testing.T) {
	t.Parallel()
	ts, sig := webhook.Sign([]byte("example-secret"), []byte(`{"action":"test"}`), time.Unix(1767225600, 0))
	if ts != "1767225600" || sig != "v1=c214097ad4c89808f27a5f9e7deb9475a3c54a0d2cd0453c04b678faecea868c" {
		t.Errorf("Sign = %s, %s", ts, sig)
	}
}

func TestSignVerify(t *testing.T) {
	t.Parallel()
	secret := []byte("s3cret")
	body := []byte(`{"action":"retrieve","collection":"customer"}`)
	now := time.Unix(1_800_000_000, 0)
	ts, sig := webhook.Sign(secret, body, now)
	if ts != "1800000000" || !strings.HasPrefix(sig, "v1=") || len(sig) != 3+64 {
		t.Fatalf("Sign = %q, %q", ts, sig)
	}
	_, other := webhook.Sign([]byte("old secret"), body, now)

	tests := []struct {
		name    string
		secret  []byte
		ts, sig string
		body    []byte
		now     time.Time
		skew    time.Duration
		want    error // nil: valid
	}{
		{name: "good", ts: ts, sig: sig},
		{name: "good within window", ts: ts, sig: sig, now: now.Add(4 * time.Minute)},
		{name: "good, clock behind", ts: ts, sig: sig, now: now.Add(-4 * time.Minute)},
		{name: "rotation: one of two matches", ts: ts, sig: other + ", " + sig},
		{name: "stale", ts: ts, sig: sig, now: now.Add(6 * time.Minute), want: webhook.ErrStale},
		{name: "from the future", ts: ts, sig: sig, now: now.Add(-6 * time.Minute), want: webhook.ErrStale},
		{name: "own window", ts: ts, sig: sig, now: now.Add(20 * time.Second), skew: 10 * time.Second, want: webhook.ErrStale},
		{name: "wrong secret", secret: []byte("guess"), ts: ts, sig: sig, want: webhook.ErrBadSignature},
		{name: "tampered body", ts: ts, sig: sig, body: bytes.Replace(body, []byte("customer"), []byte("customers"), 1), want: webhook.ErrBadSignature},
		{name: "re-dated", ts: "1800000100", sig: sig, now: now.Add(100 * time.Second), want: webhook.ErrBadSignature},
		{name: "other version", ts: ts, sig: "v0=" + sig[3:], want: webhook.ErrBadSignature},
		{name: "not hex", ts: ts, sig: "v1=zz", want: webhook.ErrBadSignature},
		{name: "timestamp not a number", ts: "yesterday", sig: sig, want: webhook.ErrBadSignature},
		{name: "no signature", ts: ts, want: webhook.ErrUnsigned},
		{name: "no timestamp", sig: sig, want: webhook.ErrUnsigned},
		{name: "no secret configured", secret: []byte{}, ts: ts, sig: sig, want: webhook.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			if tt.ts != "" {
				r.Header.Set(webhook.HeaderTimestamp, tt.ts)
			}
			if tt.sig != "" {
				r.Header.Set(webhook.HeaderSignature, tt.sig)
			}
			sec, b, at := secret, body, now
			if tt.secret != nil {
				sec = tt.secret
			}
			if tt.body != nil {
				b = tt.body
			}
			if !tt.now.IsZero() {
				at = tt.now
			}
			err := webhook.Verify(sec, r, b, tt.skew, at)
			if tt.want == nil && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}
