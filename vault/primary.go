package vault

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// The key file is each server's own copy; the database says which key of
// the master keyset is the current primary, so every server seals under the
// same one and a server whose copy is older knows it.
const primarySetting = "master_primary"

// RecordPrimary records m's primary key as the current one, after Rotate.
func RecordPrimary(ctx context.Context, s *store.Store, m *Master, now time.Time) error {
	id := m.Primary()
	if err := s.InTx(ctx, func(tx *store.Tx) error {
		return tx.PutSetting(ctx, primarySetting, strconv.FormatUint(uint64(id), 10), now)
	}); err != nil {
		return fmt.Errorf("vault: record primary key: %w", err)
	}
	return m.require(id)
}

// SyncPrimary makes m seal under the primary the database records,
// reloading the key file when it lacks that key and the file changed. When
// none is recorded yet (a store older than this), m's own is recorded. It
// returns the key_outdated error when m cannot seal under the current
// primary; m still opens what its keys open.
func SyncPrimary(ctx context.Context, s *store.Store, m *Master, now time.Time) error {
	v, err := s.Setting(ctx, primarySetting)
	if errors.Is(err, custos.ErrNotFound) {
		return RecordPrimary(ctx, s, m, now)
	}
	if err != nil {
		return err
	}
	id, err := strconv.ParseUint(v, 10, 32)
	if err != nil || id == 0 {
		return fmt.Errorf("vault: the recorded primary key %q is not a key id", v)
	}
	return m.require(uint32(id))
}

// require makes m seal under key id from now on, or refuse to seal when its
// key file lacks it; the refusal is returned too.
func (m *Master) require(id uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.want.Swap(id) != id || !m.st.Load().ids[id] {
		if !m.st.Load().ids[id] {
			// Perhaps the rotated file is here already.
			_ = m.reloadLocked(true)
		}
		m.refreshSealer()
	}
	return m.sealer.Load().err
}
