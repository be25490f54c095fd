// Package ratelimit counts uses per key in fixed windows, in memory: enough
// to stop a script from mailing codes to strangers, filling a ledger or
// guessing at scale. Several servers each keep their own, which only
// multiplies the allowance by the number of servers.
//
// One Limiter is one rule ("n uses per key per window"): a per-client limit
// keys on the client's address, a global one uses a single key (""), an
// attempt limit keys on what is attempted. Memory is bounded: windows are
// forgotten in the order they started once they are over, without a scan
// of every key, and past MaxKeys the oldest window is forgotten first.
package ratelimit

import (
	"slices"
	"sync"
	"time"

	"github.com/custos-privacy/custos"
)

// DefaultMaxKeys bounds the keys a Limiter holds unless told otherwise.
const DefaultMaxKeys = 100_000

// Limiter allows n uses of each key within a window of per, starting at a
// key's first use. The zero value is not usable: use New.
type Limiter struct {
	mu      sync.Mutex
	clock   custos.Clock
	n       int
	per     time.Duration
	maxKeys int
	windows map[string]*window
	refs    map[string]*window // a use that may be refunded → the window it counted in
	// started lists windows in the order they started, which is the order
	// they end in: pruning pops from the front until it meets one still
	// running. Entries of windows replaced meanwhile are skipped.
	started []*window
	head    int
}

type window struct {
	key   string
	start time.Time
	n     int
	refs  []string
}

// New returns a Limiter of n uses per key per window of per.
func New(clock custos.Clock, n int, per time.Duration) *Limiter {
	return &Limiter{clock: clock, n: n, per: per, maxKeys: DefaultMaxKeys, windows: map[string]*window{}, refs: map[string]*window{}}
}

// WithMaxKeys sets how many keys the limiter holds before it forgets the
// oldest window (at least 1), and returns l.
func (l *Limiter) WithMaxKeys(n int) *Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maxKeys = max(1, n)
	return l
}

// Allow counts one use of key. Past the limit it counts nothing and says
// how long until key's window ends.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	return l.Take(key, "")
}

// Take is Allow for a use that may be refunded later by its ref (unique
// per use, e.g. the id of what was attempted): see Refund. An empty ref is
// not kept.
func (l *Limiter) Take(key, ref string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	l.prune(now)
	w := l.windows[key]
	if w != nil && l.over(w, now) {
		l.forget(w)
		w = nil
	}
	if w == nil {
		for len(l.windows) >= l.maxKeys {
			l.forget(l.started[l.head])
			l.pop()
		}
		w = &window{key: key, start: now}
		l.windows[key] = w
		l.started = append(l.started, w)
	}
	if w.n >= l.n {
		return false, w.start.Add(l.per).Sub(now)
	}
	w.n++
	if ref != "" {
		w.refs = append(w.refs, ref)
		l.refs[ref] = w
	}
	return true, 0
}

// Refund takes the use ref back off its key's count, if the window it
// counted in is still running: the use proved harmless (an address proven
// by its code must not be held back by the attempts that proved it).
func (l *Limiter) Refund(ref string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.refs[ref]
	if !ok {
		return
	}
	delete(l.refs, ref)
	w.refs = slices.DeleteFunc(w.refs, func(r string) bool { return r == ref })
	if l.windows[w.key] == w && !l.over(w, l.clock.Now()) && w.n > 0 {
		w.n--
	}
}

// Len returns how many keys the limiter holds.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.windows)
}

// over reports whether w has ended at now.
func (l *Limiter) over(w *window, now time.Time) bool { return now.Sub(w.start) > l.per }

// prune forgets the windows over at now, oldest first; it stops at the
// first still running, so its cost is the number of windows it forgets.
func (l *Limiter) prune(now time.Time) {
	for l.head < len(l.started) {
		w := l.started[l.head]
		if l.windows[w.key] == w && !l.over(w, now) {
			return
		}
		l.forget(w)
		l.pop()
	}
}

// forget drops w and its refunds, if w is still key's window.
func (l *Limiter) forget(w *window) {
	if l.windows[w.key] != w {
		return
	}
	delete(l.windows, w.key)
	for _, r := range w.refs {
		if l.refs[r] == w {
			delete(l.refs, r)
		}
	}
	w.refs = nil
}

// pop drops the front of started, compacting the slice when half of it is
// spent so memory follows the windows held.
func (l *Limiter) pop() {
	l.started[l.head] = nil
	l.head++
	if l.head > len(l.started)/2 {
		l.started = append(l.started[:0], l.started[l.head:]...)
		l.head = 0
	}
}
