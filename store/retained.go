package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// RetainedRow is a record a deletion kept on a legal ground, its value
// sealed under the person's retention key (not their data key, which the
// deletion destroyed).
type RetainedRow struct {
	ID         int64
	SubjectID  string
	Category   string
	Purpose    string
	Source     string
	Sealed     []byte
	OccurredAt time.Time
	RetainedAt time.Time
	Until      time.Time
	Ground     string
	Reason     string
}

// EraseSubjectRetaining erases a subject as EraseSubject does, keeping the
// given records (already re-sealed under the retention key wrapped as
// wrappedKey) in the same transaction: a crash leaves either the person
// whole or erased with exactly these records kept. wrappedKey is nil when
// the subject already has a retention key (an earlier deletion of part of
// their records kept some) and the records are sealed under it.
func (tx *Tx) EraseSubjectRetaining(ctx context.Context, id string, at time.Time, wrappedKey []byte, kept []RetainedRow) (events int64, err error) {
	if err := tx.RetainRecords(ctx, id, at, wrappedKey, kept); err != nil {
		return 0, err
	}
	return tx.EraseSubject(ctx, id, at)
}

// RetainRecords stores records a deletion keeps, sealed under the
// subject's retention key: wrappedKey, stored with them, when it is new;
// nil when the subject has one already. The caller deletes the events
// they came from in the same transaction.
func (tx *Tx) RetainRecords(ctx context.Context, id string, at time.Time, wrappedKey []byte, kept []RetainedRow) error {
	if len(kept) == 0 {
		return nil
	}
	if wrappedKey != nil {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO retention_keys (subject_id, wrapped_key, created_at) VALUES ($1, $2, $3)`,
			id, wrappedKey, micros(at)); err != nil {
			return conflict(err)
		}
	}
	return insertRows(ctx, tx, `INSERT INTO retained_records (subject_id, category, purpose, source, value_sealed, occurred_at, retained_at, until_at, ground, reason) VALUES `,
		10, len(kept), func(i int) []any {
			r := kept[i]
			var sealed any
			if r.Sealed != nil {
				sealed = r.Sealed
			}
			return []any{id, r.Category, r.Purpose, r.Source, sealed, micros(r.OccurredAt), micros(at), micros(r.Until), r.Ground, r.Reason}
		})
}

// RetentionKey returns a subject's wrapped retention key; ErrNotFound when
// nothing of them is retained (or no longer).
func (q *queries) RetentionKey(ctx context.Context, subjectID string) ([]byte, error) {
	var k []byte
	err := q.q.QueryRowContext(ctx, `SELECT wrapped_key FROM retention_keys WHERE subject_id = $1`, subjectID).Scan(&k)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, custos.ErrNotFound
	}
	return k, err
}

// RetainedRecords lists what is retained of a subject, oldest first.
func (q *queries) RetainedRecords(ctx context.Context, subjectID string) ([]RetainedRow, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, subject_id, category, purpose, source, value_sealed, occurred_at, retained_at, until_at, ground, reason
		FROM retained_records WHERE subject_id = $1 ORDER BY occurred_at, id`, subjectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RetainedRow
	for rows.Next() {
		var (
			r                       RetainedRow
			occurred, kept, untilAt int64
		)
		if err := rows.Scan(&r.ID, &r.SubjectID, &r.Category, &r.Purpose, &r.Source, &r.Sealed, &occurred, &kept, &untilAt, &r.Ground, &r.Reason); err != nil {
			return nil, err
		}
		r.OccurredAt, r.RetainedAt, r.Until = fromMicros(occurred), fromMicros(kept), fromMicros(untilAt)
		out = append(out, r)
	}
	return out, rows.Err()
}

// EraseRetained deletes the retained records whose retention ended by
// asOf, except those of subjects under a legal hold, then destroys the retention keys left with nothing to open, and
// returns the subjects whose last retained record went. Both happen in
// the caller's transaction.
func (tx *Tx) EraseRetained(ctx context.Context, asOf time.Time) (records int64, emptied []string, err error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM retained_records WHERE until_at <= $1
		AND subject_id NOT IN (SELECT subject_id FROM legal_holds WHERE released_at IS NULL)`, micros(asOf))
	if err != nil {
		return 0, nil, err
	}
	records, _ = res.RowsAffected()
	emptied, err = tx.strings(ctx, `SELECT subject_id FROM retention_keys k
		WHERE NOT EXISTS (SELECT 1 FROM retained_records r WHERE r.subject_id = k.subject_id) ORDER BY subject_id`)
	if err != nil || len(emptied) == 0 {
		return records, emptied, err
	}
	_, err = tx.q.ExecContext(ctx, `DELETE FROM retention_keys
		WHERE NOT EXISTS (SELECT 1 FROM retained_records r WHERE r.subject_id = retention_keys.subject_id)`)
	return records, emptied, err
}

// RetentionKeysPage returns up to limit wrapped retention keys of subjects
// after `after`, by subject id, for re-wrapping after a key rotation.
func (q *queries) RetentionKeysPage(ctx context.Context, after string, limit int) (map[string][]byte, []string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT subject_id, wrapped_key FROM retention_keys WHERE subject_id > $1 ORDER BY subject_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	keys := map[string][]byte{}
	var order []string
	for rows.Next() {
		var (
			id string
			k  []byte
		)
		if err := rows.Scan(&id, &k); err != nil {
			return nil, nil, err
		}
		keys[id] = k
		order = append(order, id)
	}
	return keys, order, rows.Err()
}

// RewrapRetentionKey stores a re-wrapped retention key.
func (tx *Tx) RewrapRetentionKey(ctx context.Context, subjectID string, wrapped []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE retention_keys SET wrapped_key = $1 WHERE subject_id = $2`, wrapped, subjectID)
	return err
}
