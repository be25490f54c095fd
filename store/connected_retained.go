package store

import (
	"context"
	"strings"
	"time"
)

// ConnectedRetained is what an erasure left in one connected collection
// because the erasure rules retain some of its fields until a day: the
// person's rows (their primary keys, sealed) and the fields.
type ConnectedRetained struct {
	ID         int64
	RequestID  string
	Collection string // "dataset:collection"
	Fields     []string
	KeysSealed []byte
	// DeleteRows: the collection is erased by deleting rows, which were
	// kept only for the retained fields.
	DeleteRows bool
	Until      time.Time
	CreatedAt  time.Time
}

// PutConnectedRetained records what a run left; recording the same
// request, collection and day again (a resumed run) changes nothing.
func (q *queries) PutConnectedRetained(ctx context.Context, rs []ConnectedRetained) error {
	for _, r := range rs {
		del := 0
		if r.DeleteRows {
			del = 1
		}
		if _, err := q.q.ExecContext(ctx, `INSERT INTO connected_retained (request_id, collection, fields, keys_sealed, delete_rows, until_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id, collection, until_at) DO NOTHING`,
			r.RequestID, r.Collection, strings.Join(r.Fields, ","), r.KeysSealed, del, micros(r.Until), micros(r.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// ConnectedRetainedDue lists, oldest first, what was left in connected
// systems whose retention ended by asOf.
func (q *queries) ConnectedRetainedDue(ctx context.Context, asOf time.Time) ([]ConnectedRetained, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, request_id, collection, fields, keys_sealed, delete_rows, until_at, created_at
		FROM connected_retained WHERE until_at <= $1 ORDER BY until_at, id`, micros(asOf))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConnectedRetained
	for rows.Next() {
		var (
			r              ConnectedRetained
			fields         string
			del            int64
			until, created int64
		)
		if err := rows.Scan(&r.ID, &r.RequestID, &r.Collection, &fields, &r.KeysSealed, &del, &until, &created); err != nil {
			return nil, err
		}
		r.Fields = strings.Split(fields, ",")
		r.DeleteRows, r.Until, r.CreatedAt = del != 0, fromMicros(until), fromMicros(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// FinishConnectedRetained deletes an entry whose rows were erased, or, with
// keysSealed, keeps it for the rows still to erase (those of people under
// a legal hold).
func (q *queries) FinishConnectedRetained(ctx context.Context, id int64, keysSealed []byte) error {
	if keysSealed != nil {
		_, err := q.q.ExecContext(ctx, `UPDATE connected_retained SET keys_sealed = $1 WHERE id = $2`, keysSealed, id)
		return err
	}
	_, err := q.q.ExecContext(ctx, `DELETE FROM connected_retained WHERE id = $1`, id)
	return err
}
