package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// InstanceKey is a key pair of this Custos instance (audit checkpoints,
// consent receipts). The private half is stored sealed by the master key.
type InstanceKey struct {
	Name      string
	Public    []byte
	Sealed    []byte
	CreatedAt time.Time
}

// PutInstanceKey stores a key unless one of that name exists; it reports
// whether it stored it, so racing servers agree on the first one written.
func (tx *Tx) PutInstanceKey(ctx context.Context, k InstanceKey) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `INSERT INTO instance_keys (name, public, sealed, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`, k.Name, k.Public, k.Sealed, micros(k.CreatedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ResealInstanceKey replaces the sealed private half (master key rotation).
func (tx *Tx) ResealInstanceKey(ctx context.Context, name string, sealed []byte) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE instance_keys SET sealed = $1 WHERE name = $2`, sealed, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return custos.ErrNotFound
	}
	return nil
}

// InstanceKey returns the key of that name.
func (q *queries) InstanceKey(ctx context.Context, name string) (InstanceKey, error) {
	var (
		k  InstanceKey
		at int64
	)
	err := q.q.QueryRowContext(ctx, `SELECT name, public, sealed, created_at FROM instance_keys WHERE name = $1`, name).
		Scan(&k.Name, &k.Public, &k.Sealed, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return InstanceKey{}, custos.ErrNotFound
	}
	if err != nil {
		return InstanceKey{}, err
	}
	k.CreatedAt = fromMicros(at)
	return k, nil
}

// InstanceKeyNames lists the names of every stored instance key.
func (q *queries) InstanceKeyNames(ctx context.Context) ([]string, error) {
	return q.strings(ctx, `SELECT name FROM instance_keys ORDER BY name`)
}

// Setting returns a named instance setting; custos.ErrNotFound when unset.
func (q *queries) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := q.q.QueryRowContext(ctx, `SELECT value FROM instance_settings WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", custos.ErrNotFound
	}
	return v, err
}

// PutSetting sets a named instance setting, replacing its value.
func (tx *Tx) PutSetting(ctx context.Context, name, value string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, micros(at))
	return err
}
