package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/custos-privacy/custos"
)

// AuditHead locks the audit chain for this transaction and returns its last
// entry's sequence number and hash (0 and nil for an empty chain). Appends
// are serialised by this lock: on SQLite every write transaction already
// holds the database lock; on PostgreSQL a transaction-scoped advisory lock
// does it across servers.
func (tx *Tx) AuditHead(ctx context.Context) (int64, []byte, error) {
	if tx.dialect == Postgres {
		if _, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7100542)`); err != nil {
			return 0, nil, err
		}
	}
	var (
		seq  int64
		hash []byte
	)
	err := tx.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	return seq, hash, err
}

// InsertAuditEntry appends an entry whose hash the caller computed.
func (tx *Tx) InsertAuditEntry(ctx context.Context, e custos.AuditEntry) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.Seq, micros(e.At), e.Actor, e.Action, e.Object, e.Detail, e.PrevHash, e.Hash)
	return err
}

// AuditEntries returns up to limit entries with seq greater than after, in order.
func (q *queries) AuditEntries(ctx context.Context, after int64, limit int) ([]custos.AuditEntry, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT seq, at, actor, action, object, detail, prev_hash, hash
		FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []custos.AuditEntry
	for rows.Next() {
		var (
			e  custos.AuditEntry
			at int64
		)
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountAuditEntries counts the entries of the chain.
func (q *queries) CountAuditEntries(ctx context.Context) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n)
	return n, err
}

// InsertAuditCheckpoint stores a signed checkpoint; one per sequence number.
func (tx *Tx) InsertAuditCheckpoint(ctx context.Context, c custos.AuditCheckpoint) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING`,
		c.Seq, c.Hash, micros(c.At), c.KeyID, c.Signature)
	return err
}

// AuditCheckpoints lists every checkpoint in sequence order.
func (q *queries) AuditCheckpoints(ctx context.Context) ([]custos.AuditCheckpoint, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []custos.AuditCheckpoint
	for rows.Next() {
		var (
			c  custos.AuditCheckpoint
			at int64
		)
		if err := rows.Scan(&c.Seq, &c.Hash, &at, &c.KeyID, &c.Signature); err != nil {
			return nil, err
		}
		c.At = fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AuditKeyedFrom returns the sequence number of the first entry that marks
// where keyed entries begin (action "audit.keyed"), or 0 when none does.
// The action is a literal so the partial index serves it on both dialects.
func (q *queries) AuditKeyedFrom(ctx context.Context) (int64, error) {
	var seq int64
	err := q.q.QueryRowContext(ctx, `SELECT seq FROM audit_log WHERE action = 'audit.keyed' ORDER BY seq LIMIT 1`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}
