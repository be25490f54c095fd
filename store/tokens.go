package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// InsertToken stores a new token and returns its id.
func (tx *Tx) InsertToken(ctx context.Context, t custos.Token) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx,
		`INSERT INTO tokens (name, role, hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.Name, string(t.Role), t.Hash, micros(t.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, err
	}
	return id, nil
}

// TokenByHash finds a token, revoked or not, by the hash of its secret.
func (q *queries) TokenByHash(ctx context.Context, hash []byte) (custos.Token, error) {
	return q.scanToken(q.q.QueryRowContext(ctx, tokenSelect+` WHERE hash = $1`, hash))
}

// TokenByID finds a token by id.
func (q *queries) TokenByID(ctx context.Context, id int64) (custos.Token, error) {
	return q.scanToken(q.q.QueryRowContext(ctx, tokenSelect+` WHERE id = $1`, id))
}

// Tokens lists every token, oldest first.
func (q *queries) Tokens(ctx context.Context) ([]custos.Token, error) {
	rows, err := q.q.QueryContext(ctx, tokenSelect+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []custos.Token
	for rows.Next() {
		t, err := q.scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CountActiveTokens counts tokens that are not revoked.
func (q *queries) CountActiveTokens(ctx context.Context) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL`).Scan(&n)
	return n, err
}

// RevokeToken marks a token revoked; revoking twice keeps the first time.
func (tx *Tx) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, micros(at), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return custos.ErrNotFound
	}
	return nil
}

// TouchToken records when a token was last used. It is called on every
// authenticated request, so it writes at most once a minute per token.
func (q *queries) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := q.q.ExecContext(ctx,
		`UPDATE tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
		micros(at), id, micros(at.Add(-time.Minute)))
	return err
}

const tokenSelect = `SELECT id, name, role, hash, created_at, revoked_at, last_used_at FROM tokens`

type rowScanner interface{ Scan(dest ...any) error }

func (q *queries) scanToken(r rowScanner) (custos.Token, error) {
	var (
		t                custos.Token
		role             string
		created          int64
		revoked, touched sql.NullInt64
	)
	if err := r.Scan(&t.ID, &t.Name, &role, &t.Hash, &created, &revoked, &touched); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return custos.Token{}, custos.ErrNotFound
		}
		return custos.Token{}, err
	}
	t.Role = custos.Role(role)
	t.CreatedAt = fromMicros(created)
	t.RevokedAt = fromNullMicros(revoked)
	t.LastUsed = fromNullMicros(touched)
	return t, nil
}
