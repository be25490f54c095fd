package requests

import (
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/ratelimit"
)

// limits are the rate limits of intake: enough to stop a script from
// mailing codes to strangers or guessing at scale.
//
// Attempts for an address are counted per address and client together,
// and only while unproven: a code entered rightly refunds its attempt. So
// no one can lock a person out by asking for their address from elsewhere,
// and a person who proves the address is never held back by the attempts
// they made.
type limits struct {
	perClient  *ratelimit.Limiter // codes mailed per client address ("ip:" keys)
	perAddress *ratelimit.Limiter // unproven attempts per address and client (addressKey)
	perTicket  *ratelimit.Limiter // codes tried against one preferences ticket
	// perIdentity counts stronger identity checks per client address
	// ("ip:" keys), beside the five a request allows (identity.go).
	perIdentity *ratelimit.Limiter
}

func newLimits(clock custos.Clock) *limits {
	return &limits{
		perClient:   ratelimit.New(clock, 30, time.Hour),
		perAddress:  ratelimit.New(clock, 5, time.Hour),
		perTicket:   ratelimit.New(clock, MaxAttempts, PreferencesTTL),
		perIdentity: ratelimit.New(clock, 20, time.Hour),
	}
}

func errRateLimited() error {
	return custos.Errorf(custos.KindTooMany, "rate_limited", "Too many requests. Please try again later.")
}

// allow counts one use of key against l.
func allow(l *ratelimit.Limiter, key string) error {
	if ok, _ := l.Allow(key); !ok {
		return errRateLimited()
	}
	return nil
}

// attempt counts an unproven attempt ref against an address key; proven
// refunds it.
func (l *limits) attempt(key, ref string) error {
	if ok, _ := l.perAddress.Take(key, ref); !ok {
		return errRateLimited()
	}
	return nil
}

// proven refunds the attempt ref: the address is proven.
func (l *limits) proven(ref string) { l.perAddress.Refund(ref) }

// addressKey is the key of attempts for an address from a client.
func addressKey(kind string, blind []byte, clientIP string) string {
	return kind + ":" + string(blind) + "\x00" + clientIP
}
