package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/ratelimit"
)

func TestBucketAllow(t *testing.T) {
	t.Parallel()
	type step struct {
		at    time.Duration // after t0
		key   string
		ok    bool
		retry time.Duration
	}
	cases := []struct {
		name  string
		n     int
		per   time.Duration
		steps []step
	}{
		{"n at once, then one per per/n", 2, time.Minute, []step{
			{0, "a", true, 0}, {0, "a", true, 0}, {0, "a", false, 30 * time.Second},
			{29 * time.Second, "a", false, time.Second},
			{30 * time.Second, "a", true, 0}, {30 * time.Second, "a", false, 30 * time.Second},
		}},
		{"keys are counted apart", 1, time.Minute, []step{
			{0, "a", true, 0}, {0, "b", true, 0}, {time.Second, "a", false, 59 * time.Second}, {time.Second, "b", false, 59 * time.Second},
		}},
		{"refill stops at n", 2, time.Minute, []step{
			{0, "", true, 0}, {time.Hour, "", true, 0}, {time.Hour, "", true, 0}, {time.Hour, "", false, 30 * time.Second},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := &custos.FixedClock{T: t0}
			b := ratelimit.NewBucket(clock, c.n, c.per)
			for i, s := range c.steps {
				clock.T = t0.Add(s.at)
				ok, retry := b.Allow(s.key)
				if ok != s.ok || retry != s.retry {
					t.Fatalf("step %d (%v, %q): got %v %v, want %v %v", i, s.at, s.key, ok, retry, s.ok, s.retry)
				}
			}
		})
	}
}

func TestBucketMemoryBounded(t *testing.T) {
	t.Parallel()
	clock := &custos.FixedClock{T: t0}
	b := ratelimit.NewBucket(clock, 1, time.Minute).WithMaxKeys(3)
	for i := range 5 {
		b.Allow(fmt.Sprint(i))
	}
	if b.Len() != 3 {
		t.Fatalf("held %d keys, want 3", b.Len())
	}
	// The least recently used were forgotten: "4" is still refused.
	if ok, _ := b.Allow("4"); ok {
		t.Fatal("the most recent key was forgotten")
	}
	// Refilled buckets are forgotten without waiting for the bound.
	clock.T = t0.Add(time.Minute)
	b.Allow("x")
	if b.Len() != 1 {
		t.Fatalf("held %d keys after refill, want 1", b.Len())
	}
}
