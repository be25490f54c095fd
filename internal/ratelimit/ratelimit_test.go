package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/ratelimit"
)

var t0 = time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)

func TestAllow(t *testing.T) {
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
		{"n per window, then refused until it ends", 2, time.Hour, []step{
			{0, "a", true, 0}, {time.Minute, "a", true, 0}, {2 * time.Minute, "a", false, 58 * time.Minute},
			{time.Hour, "a", false, 0}, // the window includes its last instant
			{time.Hour + time.Second, "a", true, 0},
		}},
		{"keys are counted apart", 1, time.Hour, []step{
			{0, "a", true, 0}, {0, "b", true, 0}, {time.Second, "a", false, time.Hour - time.Second}, {time.Second, "b", false, time.Hour - time.Second},
		}},
		{"a global limit is one key", 3, time.Minute, []step{
			{0, "", true, 0}, {0, "", true, 0}, {0, "", true, 0}, {30 * time.Second, "", false, 30 * time.Second},
			{61 * time.Second, "", true, 0},
		}},
		{"a refused use does not count", 1, time.Minute, []step{
			{0, "a", true, 0}, {10 * time.Second, "a", false, 50 * time.Second}, {20 * time.Second, "a", false, 40 * time.Second},
			{61 * time.Second, "a", true, 0}, {62 * time.Second, "a", false, 59 * time.Second},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := &custos.FixedClock{T: t0}
			l := ratelimit.New(clock, c.n, c.per)
			for i, s := range c.steps {
				clock.T = t0.Add(s.at)
				ok, retry := l.Allow(s.key)
				if ok != s.ok || retry != s.retry {
					t.Fatalf("step %d (%s at +%v): got %v %v, want %v %v", i, s.key, s.at, ok, retry, s.ok, s.retry)
				}
			}
		})
	}
}

func TestRefund(t *testing.T) {
	t.Parallel()
	clock := &custos.FixedClock{T: t0}
	l := ratelimit.New(clock, 2, time.Hour)
	for _, ref := range []string{"r1", "r2"} {
		if ok, _ := l.Take("k", ref); !ok {
			t.Fatalf("take %s refused", ref)
		}
	}
	if ok, _ := l.Take("k", "r3"); ok {
		t.Fatal("a third use within the window was allowed")
	}
	l.Refund("r1")
	l.Refund("r1") // twice is once
	l.Refund("unknown")
	if ok, _ := l.Take("k", "r4"); !ok {
		t.Fatal("a refunded use still counted")
	}
	if ok, _ := l.Take("k", "r5"); ok {
		t.Fatal("a refund was counted twice")
	}
	// A refund after the window ended takes nothing off the next one.
	clock.T = t0.Add(time.Hour + time.Second)
	if ok, _ := l.Take("k", "n1"); !ok {
		t.Fatal("a new window refused")
	}
	if ok, _ := l.Take("k", "n2"); !ok {
		t.Fatal("a new window refused its second use")
	}
	l.Refund("r2")
	if ok, _ := l.Take("k", "n3"); ok {
		t.Fatal("a refund of the old window freed a use in the new one")
	}
}

func TestMemoryBounded(t *testing.T) {
	t.Parallel()
	t.Run("windows over are forgotten", func(t *testing.T) {
		t.Parallel()
		clock := &custos.FixedClock{T: t0}
		l := ratelimit.New(clock, 1, time.Minute)
		for i := range 1000 {
			clock.T = t0.Add(time.Duration(i) * time.Second)
			l.Take(fmt.Sprint("k", i), fmt.Sprint("ref", i))
		}
		// At +999s the windows started after +938s are running: 61 keys.
		if got := l.Len(); got != 61 {
			t.Fatalf("held %d keys, want 61", got)
		}
		clock.T = t0.Add(time.Hour)
		l.Allow("late")
		if got := l.Len(); got != 1 {
			t.Fatalf("held %d keys after every window ended, want 1", got)
		}
	})
	t.Run("past MaxKeys the oldest window goes first", func(t *testing.T) {
		t.Parallel()
		clock := &custos.FixedClock{T: t0}
		l := ratelimit.New(clock, 1, time.Hour).WithMaxKeys(3)
		for i, k := range []string{"a", "b", "c", "d"} {
			clock.T = t0.Add(time.Duration(i) * time.Second)
			if ok, _ := l.Allow(k); !ok {
				t.Fatalf("%s refused", k)
			}
		}
		if got := l.Len(); got != 3 {
			t.Fatalf("held %d keys, want 3", got)
		}
		if ok, _ := l.Allow("d"); ok {
			t.Fatal("the newest window was forgotten")
		}
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("the oldest window was kept past MaxKeys")
		}
		if ok, _ := l.Allow("c"); ok {
			t.Fatal("c's window was forgotten before b's")
		}
	})
}
