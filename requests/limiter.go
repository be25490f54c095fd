package requests

import (
	"sync"
	"time"

	"github.com/custos-privacy/custos"
)

// limiter is a fixed-window counter per key, in memory: enough to stop a
// script from mailing codes to strangers or guessing at scale. Several
// servers each keep their own, which only multiplies the allowance by the
// number of servers.
//
// Attempts for an address are counted per address and client together,
// and only while unproven: a code entered rightly takes its attempt off
// the count. So no one can lock a person out by asking for their address
// from elsewhere, and a person who proves the address is never held back
// by the attempts they made.
type limiter struct {
	mu      sync.Mutex
	clock   custos.Clock
	seen    map[string]window
	pending map[string]attempt // attempt id → what it counted against
}

type window struct {
	start time.Time
	n     int
}

type attempt struct {
	key   string
	start time.Time // the window it counted in
}

// maxKeys bounds the memory the limiter may hold before it forgets old
// windows.
const maxKeys = 100_000

func newLimiter(clock custos.Clock) *limiter {
	return &limiter{clock: clock, seen: map[string]window{}, pending: map[string]attempt{}}
}

func errRateLimited() error {
	return custos.Errorf(custos.KindTooMany, "rate_limited", "Too many requests. Please try again later.")
}

// allow counts one use of key and refuses past n within per.
func (l *limiter) allow(key string, n int, per time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.count(key, n, per)
	return err
}

// attempt counts an unproven attempt id against key, like allow; proven
// takes it off again.
func (l *limiter) attempt(key, id string, n int, per time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	start, err := l.count(key, n, per)
	if err != nil {
		return err
	}
	if len(l.pending) > maxKeys {
		now := l.clock.Now()
		for k, a := range l.pending {
			if now.Sub(a.start) > per {
				delete(l.pending, k)
			}
		}
	}
	l.pending[id] = attempt{key: key, start: start}
	return nil
}

// proven takes the attempt id off its key's count: the address is proven.
func (l *limiter) proven(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.pending[id]
	if !ok {
		return
	}
	delete(l.pending, id)
	if w, ok := l.seen[a.key]; ok && w.start.Equal(a.start) && w.n > 0 {
		w.n--
		l.seen[a.key] = w
	}
}

// count must be called with mu held; it returns the window's start.
func (l *limiter) count(key string, n int, per time.Duration) (time.Time, error) {
	now := l.clock.Now()
	if len(l.seen) > maxKeys { // forget old windows rather than grow without bound
		for k, w := range l.seen {
			if now.Sub(w.start) > per {
				delete(l.seen, k)
			}
		}
	}
	w := l.seen[key]
	if now.Sub(w.start) > per {
		w = window{start: now}
	}
	if w.n >= n {
		return time.Time{}, errRateLimited()
	}
	w.n++
	l.seen[key] = w
	return w.start, nil
}

// addressKey is the key of attempts for an address from a client.
func addressKey(kind string, blind []byte, clientIP string) string {
	return kind + ":" + string(blind) + "\x00" + clientIP
}
