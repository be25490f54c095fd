package vault_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	// Through a rename, as an operator's copy tool or a rotation does.
	tmp := to + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}

// TestStaleKeyFileRefusesToSeal: a server with its own copy of the key file
// that a rotation elsewhere left behind refuses to seal, with the fix in the
// message, still opens what it can, and recovers on reload (what SIGHUP
// does) once the rotated file is copied to it.
func TestStaleKeyFileRefusesToSeal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		dir := t.TempDir()
		here, there := filepath.Join(dir, "here.key"), filepath.Join(dir, "there.key")
		rotating, _, err := vault.LoadOrCreateMaster(here)
		if err != nil {
			t.Fatal(err)
		}
		copyFile(t, here, there)
		stale, err := vault.LoadMaster(there)
		if err != nil {
			t.Fatal(err)
		}
		// Both start on the same keyset; the first records its primary.
		for _, m := range []*vault.Master{rotating, stale} {
			if err := vault.SyncPrimary(ctx, s, m, now); err != nil {
				t.Fatal(err)
			}
		}
		old, err := stale.Seal([]byte("before"), "c")
		if err != nil {
			t.Fatal(err)
		}

		if err := rotating.Rotate(); err != nil {
			t.Fatal(err)
		}
		if err := vault.RecordPrimary(ctx, s, rotating, now); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Setting(ctx, "master_primary"); v != strconv.FormatUint(uint64(rotating.Primary()), 10) {
			t.Fatalf("recorded primary %q, want %d", v, rotating.Primary())
		}
		fresh, err := rotating.Seal([]byte("after"), "c")
		if err != nil {
			t.Fatal(err)
		}

		err = vault.SyncPrimary(ctx, s, stale, now)
		want := "does not hold the current primary key " + strconv.FormatUint(uint64(rotating.Primary()), 10) +
			": copy the rotated key file here and send SIGHUP"
		if custos.ErrorCode(err) != "key_outdated" || !strings.Contains(err.Error(), want) {
			t.Fatalf("sync with a stale key file = %v", err)
		}
		if _, err := stale.Seal([]byte("x"), "c"); custos.ErrorCode(err) != "key_outdated" || !strings.Contains(err.Error(), there) {
			t.Fatalf("seal with a stale key file = %v", err)
		}
		if pt, err := stale.Open(old, "c"); err != nil || string(pt) != "before" {
			t.Fatalf("open with a stale key file = %q, %v", pt, err)
		}

		copyFile(t, here, there)
		if err := stale.Reload(); err != nil {
			t.Fatal(err)
		}
		if err := vault.SyncPrimary(ctx, s, stale, now); err != nil {
			t.Fatalf("sync after reload = %v", err)
		}
		ct, err := stale.Seal([]byte("now"), "c")
		if err != nil {
			t.Fatal(err)
		}
		if string(ct[:5]) != string(fresh[:5]) {
			t.Fatal("the reloaded server does not seal under the new primary")
		}
		for _, c := range [][]byte{old, fresh} {
			if _, err := stale.Open(c, "c"); err != nil {
				t.Fatalf("open after reload = %v", err)
			}
		}
	})
}

// TestSharedKeyFileFollowsRotation: a Master on the same key file as the
// rotating process opens what is sealed under the new key at once (the
// unknown key id makes it reload), and seals under it once the database
// says it is current; concurrent use during the swap is safe.
func TestSharedKeyFileFollowsRotation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		path := filepath.Join(t.TempDir(), "master.key")
		server, _, err := vault.LoadOrCreateMaster(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := vault.SyncPrimary(ctx, s, server, now); err != nil {
			t.Fatal(err)
		}
		cli, err := vault.LoadMaster(path)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					ct, err := server.Seal([]byte("busy"), "c")
					if err == nil {
						_, err = server.Open(ct, "c")
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		if err := cli.Rotate(); err != nil {
			t.Fatal(err)
		}
		if err := vault.RecordPrimary(ctx, s, cli, now); err != nil {
			t.Fatal(err)
		}
		sealed, err := cli.Seal([]byte("rotated"), "c")
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := server.Open(sealed, "c"); err != nil || string(pt) != "rotated" {
			t.Fatalf("open under the new key without a restart = %q, %v", pt, err)
		}
		if err := vault.SyncPrimary(ctx, s, server, now); err != nil {
			t.Fatal(err)
		}
		close(stop)
		wg.Wait()
		ct, err := server.Seal([]byte("x"), "c")
		if err != nil || string(ct[:5]) != string(sealed[:5]) || server.KeyCount() != 2 {
			t.Fatalf("seal after the rotation is seen: %v, %d keys", err, server.KeyCount())
		}
	})
}
