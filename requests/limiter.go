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
type limiter struct {
	mu    sync.Mutex
	clock custos.Clock
	seen  map[string]window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(clock custos.Clock) *limiter {
	return &limiter{clock: clock, seen: map[string]window{}}
}

// allow counts one use of key and refuses past n within per.
func (l *limiter) allow(key string, n int, per time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if len(l.seen) > 100_000 { // forget old windows rather than grow without bound
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
		return custos.Errorf(custos.KindTooMany, "rate_limited", "Too many requests. Please try again later.")
	}
	w.n++
	l.seen[key] = w
	return nil
}
