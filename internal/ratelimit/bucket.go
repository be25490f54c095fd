package ratelimit

import (
	"container/list"
	"math"
	"sync"
	"time"

	"github.com/custos-privacy/custos"
)

// Bucket is a token bucket per key: n tokens, refilled at n per per, one
// taken per use. Unlike Limiter's fixed windows, a use frees again after
// per/n rather than at a window's end, which suits a steady stream such as
// banner choices. Memory is bounded like Limiter's: buckets are kept in the
// order they were last used, refilled ones are forgotten from the front
// without a scan of every key (a full bucket is what a new key starts
// with), and past MaxKeys the least recently used is forgotten first.
// The zero value is not usable: use NewBucket.
type Bucket struct {
	mu      sync.Mutex
	clock   custos.Clock
	rate    float64 // tokens per second
	burst   float64
	maxKeys int
	keys    map[string]*list.Element
	lru     list.List // of *bucket, least recently used first
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time
}

// NewBucket returns a Bucket of n uses per key per per, refilled steadily.
func NewBucket(clock custos.Clock, n int, per time.Duration) *Bucket {
	return &Bucket{clock: clock, rate: float64(n) / per.Seconds(), burst: float64(n), maxKeys: DefaultMaxKeys, keys: map[string]*list.Element{}}
}

// WithMaxKeys sets how many keys the bucket holds before it forgets the
// least recently used (at least 1), and returns b.
func (b *Bucket) WithMaxKeys(n int) *Bucket {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.maxKeys = max(1, n)
	return b
}

// Allow takes a token for key, or says how long until one is free.
func (b *Bucket) Allow(key string) (ok bool, retryAfter time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.prune(now)
	e := b.keys[key]
	if e == nil {
		for b.lru.Len() >= b.maxKeys {
			b.forget(b.lru.Front())
		}
		e = b.lru.PushBack(&bucket{key: key, tokens: b.burst, at: now})
		b.keys[key] = e
	} else {
		b.lru.MoveToBack(e)
	}
	k := e.Value.(*bucket)
	k.tokens = b.level(k, now)
	k.at = now
	if k.tokens < 1 {
		return false, time.Duration(math.Round((1 - k.tokens) / b.rate * float64(time.Second)))
	}
	k.tokens--
	return true, 0
}

// Len returns how many keys the bucket holds.
func (b *Bucket) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.keys)
}

// level is k's tokens at now.
func (b *Bucket) level(k *bucket, now time.Time) float64 {
	if d := now.Sub(k.at).Seconds(); d > 0 {
		return math.Min(b.burst, k.tokens+d*b.rate)
	}
	return k.tokens
}

// prune forgets refilled buckets from the least recently used end; it
// stops at the first not yet full, so its cost is what it forgets.
func (b *Bucket) prune(now time.Time) {
	for e := b.lru.Front(); e != nil; e = b.lru.Front() {
		if b.level(e.Value.(*bucket), now) < b.burst {
			return
		}
		b.forget(e)
	}
}

func (b *Bucket) forget(e *list.Element) {
	delete(b.keys, e.Value.(*bucket).key)
	b.lru.Remove(e)
}
