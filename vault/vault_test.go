package vault_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

func TestMasterLifecycle(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	m, created, err := vault.LoadOrCreateMaster(path)
	if err != nil || !created {
		t.Fatalf("create: %v, %v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || m.Exposed {
		t.Fatalf("key file mode %v, exposed %v, %v", fi.Mode().Perm(), m.Exposed, err)
	}
	ct, err := m.Seal([]byte("secret seed"), "ctx-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Open(ct, "ctx-b"); custos.ErrorCode(err) != "key_mismatch" {
		t.Fatalf("open under another context = %v", err)
	}
	again, created, err := vault.LoadOrCreateMaster(path)
	if err != nil || created {
		t.Fatalf("reload: %v, %v", created, err)
	}
	if pt, err := again.Open(ct, "ctx-a"); err != nil || string(pt) != "secret seed" {
		t.Fatalf("open after reload = %q, %v", pt, err)
	}
	if err := again.Rotate(); err != nil {
		t.Fatal(err)
	}
	rotated, err := vault.LoadMaster(path)
	if err != nil || rotated.KeyCount() != 2 {
		t.Fatalf("after rotate: %v keys, %v", rotated.KeyCount(), err)
	}
	if pt, err := rotated.Open(ct, "ctx-a"); err != nil || string(pt) != "secret seed" {
		t.Fatalf("old ciphertext after rotate = %q, %v", pt, err)
	}
	// A key file from another instance cannot open this one's data.
	other, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(ct, "ctx-a"); err == nil {
		t.Fatal("foreign key opened the ciphertext")
	}
}

func TestLoadMasterErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := vault.LoadMaster(filepath.Join(dir, "none.key"))
	if !errors.Is(err, fs.ErrNotExist) || custos.ErrorCode(err) != "key_file_missing" {
		t.Fatalf("missing = %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not a keyset"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.LoadMaster(bad); custos.ErrorCode(err) != "key_file_invalid" {
		t.Fatalf("invalid = %v", err)
	}
}

func TestExposedKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "master.key")
	if _, _, err := vault.LoadOrCreateMaster(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := vault.LoadMaster(path)
	if err != nil || !m.Exposed {
		t.Fatalf("exposed = %v, %v", m != nil && m.Exposed, err)
	}
}

func TestInstanceSigner(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		a, err := vault.InstanceSigner(ctx, s, m, "audit", now)
		if err != nil {
			t.Fatal(err)
		}
		b, err := vault.InstanceSigner(ctx, s, m, "audit", now)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Public().Equal(b.Public()) || a.ID != vault.KeyID(a.Public()) {
			t.Fatal("second call made a new key")
		}
		if !ed25519.Verify(b.Public(), []byte("m"), a.Sign([]byte("m"))) {
			t.Fatal("signature does not verify")
		}
		k, _ := s.InstanceKey(ctx, "audit")
		if string(k.Sealed) == string(a.Public()) || len(k.Sealed) < ed25519.SeedSize {
			t.Fatal("private key not sealed")
		}
		secret, err := vault.InstanceSecret(ctx, s, m, "some-secret", now)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.InstanceKey(ctx, "some-secret")
		// Rotation re-seals every instance key under the new primary; the keys stay the same.
		if err := m.Rotate(); err != nil {
			t.Fatal(err)
		}
		if err := vault.ResealInstanceKeys(ctx, s, m); err != nil {
			t.Fatal(err)
		}
		k2, _ := s.InstanceKey(ctx, "audit")
		if string(k2.Sealed) == string(k.Sealed) {
			t.Fatal("not re-sealed")
		}
		after, _ := s.InstanceKey(ctx, "some-secret")
		again, err := vault.InstanceSecret(ctx, s, m, "some-secret", now)
		if err != nil || string(after.Sealed) == string(before.Sealed) || string(again) != string(secret) {
			t.Fatalf("secret not re-sealed, or changed: %v", err)
		}
		c, err := vault.InstanceSigner(ctx, s, m, "audit", now)
		if err != nil || !c.Public().Equal(a.Public()) {
			t.Fatalf("after rotation: %v", err)
		}
		// Swapping the public key in the table is detected.
		if _, err := s.DB().ExecContext(ctx, `UPDATE instance_keys SET public = $1 WHERE name = 'audit'`, []byte("0123456789abcdef0123456789abcdef")); err != nil {
			t.Fatal(err)
		}
		if _, err := vault.InstanceSigner(ctx, s, m, "audit", now); custos.ErrorCode(err) != "key_mismatch" {
			t.Fatalf("swapped public key = %v", err)
		}
	})
}

func TestInstanceSecretAndBlindIndex(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		a, err := vault.InstanceBlindIndex(ctx, s, m, now)
		if err != nil {
			t.Fatal(err)
		}
		b, err := vault.InstanceBlindIndex(ctx, s, m, now)
		if err != nil {
			t.Fatal(err)
		}
		if string(a.Sum("email", "a@b.co")) != string(b.Sum("email", "a@b.co")) {
			t.Fatal("the blind index key changed between calls")
		}
		if string(a.Sum("email", "a@b.co")) == string(a.Sum("phone", "a@b.co")) {
			t.Fatal("the kind is not part of the blind index")
		}
		k, wrapped, err := m.NewSubjectKey("s1")
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := k.Seal([]byte("v"), "event:x")
		if _, err := k.Open(ct, "event:y"); err == nil {
			t.Fatal("a value opened as another field")
		}
		if err := m.Rotate(); err != nil {
			t.Fatal(err)
		}
		rewrapped, err := m.RewrapSubjectKey("s1", wrapped)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := m.OpenSubjectKey("s1", rewrapped)
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := k2.Open(ct, "event:x"); err != nil || string(pt) != "v" {
			t.Fatalf("after rewrap: %q, %v", pt, err)
		}
		if _, err := m.OpenSubjectKey("s2", rewrapped); err == nil {
			t.Fatal("a wrapped key opened for another subject")
		}
	})
}
