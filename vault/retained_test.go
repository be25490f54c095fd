package vault_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

// A retention key is wrapped apart from data keys (neither unwraps as the
// other) and is re-wrapped under a rotated master key with what it seals
// still opening.
func TestRetentionKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		rk, wrapped, err := m.NewRetentionKey("s1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.OpenSubjectKey("s1", wrapped); err == nil {
			t.Fatal("a retention key unwrapped as a data key")
		}
		_, dataWrapped, _ := m.NewSubjectKey("s1")
		if _, err := m.OpenRetentionKey("s1", dataWrapped); err == nil {
			t.Fatal("a data key unwrapped as a retention key")
		}
		if _, err := m.OpenRetentionKey("s2", wrapped); err == nil {
			t.Fatal("a retention key unwrapped for another subject")
		}
		ct, err := rk.Seal([]byte("order 1"), "retained:user.behavior.purchase_history")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertSubject(ctx, "s1", dataWrapped, at); err != nil {
				return err
			}
			_, err := tx.EraseSubjectRetaining(ctx, "s1", at, wrapped, []store.RetainedRow{{Category: "user.behavior.purchase_history",
				Purpose: "essential.service", Sealed: ct, OccurredAt: at, Until: at.AddDate(7, 0, 0), Ground: "legal_obligation"}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := m.Rotate(); err != nil {
			t.Fatal(err)
		}
		n, err := vault.RewrapRetentionKeys(ctx, s, m)
		if err != nil || n != 1 {
			t.Fatalf("rewrapped %d, %v", n, err)
		}
		stored, err := s.RetentionKey(ctx, "s1")
		if err != nil || bytes.Equal(stored, wrapped) {
			t.Fatalf("stored key unchanged (%v)", err)
		}
		k2, err := m.OpenRetentionKey("s1", stored)
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := k2.Open(ct, "retained:user.behavior.purchase_history"); err != nil || string(pt) != "order 1" {
			t.Fatalf("after rewrap: %q, %v", pt, err)
		}
	})
}
