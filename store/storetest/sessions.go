package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// sessionCases cover what the pages and the banner keep: console sessions and
// banner device claims.
func sessionCases() []suiteCase {
	return []suiteCase{
		{"ConsoleSessions", testConsoleSessions},
		{"BannerDeviceClaims", testBannerDeviceClaims},
	}
}

func testConsoleSessions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var tok int64
	err := s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		tok, err = tx.InsertToken(ctx, custos.Token{Name: "ops", Role: custos.RoleAdmin, Hash: []byte("h"), CreatedAt: t0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b := []byte("session-a-hash"), []byte("session-b-hash")
	if err := s.InsertConsoleSession(ctx, a, tok, t0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertConsoleSession(ctx, b, tok, t0, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertConsoleSession(ctx, a, tok, t0, t0.Add(time.Hour)); err == nil {
		t.Fatal("the same session id was stored twice")
	}
	if id, err := s.ConsoleSession(ctx, a, t0.Add(time.Minute)); err != nil || id != tok {
		t.Fatalf("ConsoleSession = %d, %v", id, err)
	}
	// Past its end a session is gone, even before it is pruned.
	if _, err := s.ConsoleSession(ctx, a, t0.Add(time.Hour)); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("an ended session: %v", err)
	}
	if _, err := s.ConsoleSession(ctx, []byte("never"), t0); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("an unknown session: %v", err)
	}
	// Signing out ends one session, not the token's others.
	if err := s.DeleteConsoleSession(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConsoleSession(ctx, b); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
	if _, err := s.ConsoleSession(ctx, b, t0); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("a deleted session: %v", err)
	}
	if _, err := s.ConsoleSession(ctx, a, t0); err != nil {
		t.Fatalf("the other session ended too: %v", err)
	}
	if err := s.InsertConsoleSession(ctx, b, tok, t0, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneConsoleSessions(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("PruneConsoleSessions = %d, %v; want 1", n, err)
	}
	if _, err := s.ConsoleSession(ctx, b, t0.Add(time.Hour)); err != nil {
		t.Fatalf("pruning took a live session: %v", err)
	}
}

func testBannerDeviceClaims(t *testing.T, s *store.Store) {
	ctx := context.Background()
	const dev = "AAAAAAAAAAAAAAAAAAAAAA"
	if ok, err := s.BannerDeviceClaimed(ctx, dev); err != nil || ok {
		t.Fatalf("claimed before any claim: %v, %v", ok, err)
	}
	// Many claims at once: exactly one wins.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimBannerDevice(ctx, dev, t0)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d claims won, want 1", wins)
	}
	if ok, err := s.BannerDeviceClaimed(ctx, dev); err != nil || !ok {
		t.Fatalf("not claimed after a claim: %v, %v", ok, err)
	}
	if ok, err := s.BannerDeviceClaimed(ctx, "BBBBBBBBBBBBBBBBBBBBBB"); err != nil || ok {
		t.Fatalf("another device claimed: %v, %v", ok, err)
	}
	if err := s.ReleaseBannerDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimBannerDevice(ctx, dev, t0); err != nil || !ok {
		t.Fatalf("claim after release = %v, %v", ok, err)
	}
}
