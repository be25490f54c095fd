package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a signed call, in both directions.
const (
	HeaderTimestamp = "Custos-Timestamp"
	HeaderSignature = "Custos-Signature"
)

// DefaultMaxSkew is how far a signed timestamp may be from the receiver's
// clock when Verify is given no window of its own.
const DefaultMaxSkew = 5 * time.Minute

// signatureVersion prefixes each signature, so the scheme can change
// without breaking receivers that know only this one.
const signatureVersion = "v1="

var (
	// ErrUnsigned: the request has no timestamp or no signature header.
	ErrUnsigned = errors.New("webhook: the request is not signed")
	// ErrBadSignature: no signature in the header matches the body.
	ErrBadSignature = errors.New("webhook: the signature does not match")
	// ErrStale: the signed timestamp is outside the replay window.
	ErrStale = errors.New("webhook: the signed timestamp is too old or too far in the future")
)

// Sign returns the Custos-Timestamp and Custos-Signature header values for
// body sent at now: signature is "v1=" and the hex HMAC-SHA256, under
// secret, of the timestamp, a dot and the body.
func Sign(secret, body []byte, now time.Time) (timestamp, signature string) {
	timestamp = strconv.FormatInt(now.Unix(), 10)
	return timestamp, signatureVersion + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks that body, received with r's headers, was signed with
// secret no more than maxSkew (DefaultMaxSkew when 0) away from now. The
// signature header may hold several comma-separated "v1=" signatures (a
// sender rotating its secret signs with both); one matching is enough.
//
// The timestamp is signed with the body, so a captured call cannot be
// re-dated; within the window it can be replayed, which the protocol makes
// harmless (updates and deletes applied twice change nothing more) and
// which a receiver can rule out entirely by remembering request_id and task.
func Verify(secret []byte, r *http.Request, body []byte, maxSkew time.Duration, now time.Time) error {
	return VerifyHeader(secret, r.Header.Get, body, maxSkew, now)
}

// VerifyHeader is Verify with the headers as a lookup, for a receiver that
// has read the request already.
func VerifyHeader(secret []byte, header func(string) string, body []byte, maxSkew time.Duration, now time.Time) error {
	if len(secret) == 0 {
		// An empty key would make every signature trivially forgeable.
		return fmt.Errorf("webhook: no secret to verify with: %w", ErrBadSignature)
	}
	ts, sig := header(HeaderTimestamp), header(HeaderSignature)
	if ts == "" || sig == "" {
		return ErrUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: the %s header is not a number of seconds: %w", HeaderTimestamp, ErrBadSignature)
	}
	want := mac(secret, ts, body)
	ok := false
	for _, part := range strings.Split(sig, ",") {
		part = strings.TrimSpace(part)
		if !strings.HasPrefix(part, signatureVersion) {
			continue
		}
		got, err := hex.DecodeString(part[len(signatureVersion):])
		if err == nil && hmac.Equal(got, want) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return ErrStale
	}
	return nil
}
