package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// ConsentEvent is one entry of the consent ledger.
type ConsentEvent struct {
	ID            int64
	Principal     string
	Scope         string
	Granted       bool
	Jurisdiction  string
	Method        string
	GPC           bool
	PolicyVersion int64
	ReceiptID     string
	At            time.Time
}

// AppendConsent adds an entry to the ledger.
func (tx *Tx) AppendConsent(ctx context.Context, e ConsentEvent) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO consent_events (principal, scope, granted, jurisdiction, method, gpc, policy_version, receipt_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		e.Principal, e.Scope, e.Granted, e.Jurisdiction, e.Method, e.GPC, e.PolicyVersion, e.ReceiptID, micros(e.At)).Scan(&id)
	return id, err
}

const consentSelect = `SELECT id, principal, scope, granted, jurisdiction, method, gpc, policy_version, receipt_id, at FROM consent_events`

// ConsentHistory lists the ledger entries of some principals (a subject and
// those merged into it), oldest first.
func (q *queries) ConsentHistory(ctx context.Context, principals ...string) ([]ConsentEvent, error) {
	if len(principals) == 0 {
		return nil, nil
	}
	args := make([]any, len(principals))
	for i, p := range principals {
		args[i] = p
	}
	return q.consents(ctx, consentSelect+` WHERE principal IN (`+placeholders(1, len(args))+`) ORDER BY id`, args...)
}

// MergedInto lists the subjects that were merged into id.
func (q *queries) MergedInto(ctx context.Context, id string) ([]string, error) {
	return q.strings(ctx, `SELECT id FROM subjects WHERE merged_into = $1 ORDER BY id`, id)
}

// ConsentsAfter lists ledger entries with id greater than after, in order,
// at most limit: how the decision index loads and catches up.
func (q *queries) ConsentsAfter(ctx context.Context, after int64, limit int) ([]ConsentEvent, error) {
	return q.consents(ctx, consentSelect+` WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
}

func (q *queries) consents(ctx context.Context, query string, args ...any) ([]ConsentEvent, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConsentEvent
	for rows.Next() {
		var (
			e  ConsentEvent
			at int64
		)
		if err := rows.Scan(&e.ID, &e.Principal, &e.Scope, &e.Granted, &e.Jurisdiction, &e.Method, &e.GPC, &e.PolicyVersion, &e.ReceiptID, &at); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// InsertReceipt stores a signed receipt.
func (tx *Tx) InsertReceipt(ctx context.Context, id, principal, jws string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO receipts (id, principal, jws, created_at) VALUES ($1, $2, $3, $4)`, id, principal, jws, micros(at))
	return err
}

// Receipt returns a receipt's JWS.
func (q *queries) Receipt(ctx context.Context, id string) (string, error) {
	var jws string
	err := q.q.QueryRowContext(ctx, `SELECT jws FROM receipts WHERE id = $1`, id).Scan(&jws)
	if errors.Is(err, sql.ErrNoRows) {
		return "", custos.ErrNotFound
	}
	return jws, err
}

// Suppress records an opt-out by blind index; repeating it is harmless.
func (tx *Tx) Suppress(ctx context.Context, blind []byte, scope string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO suppressions (blind, scope, created_at) VALUES ($1, $2, $3) ON CONFLICT (blind, scope) DO NOTHING`, blind, scope, micros(at))
	return err
}

// Unsuppress lifts an opt-out (the person opted back in).
func (tx *Tx) Unsuppress(ctx context.Context, blind []byte, scope string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM suppressions WHERE blind = $1 AND scope = $2`, blind, scope)
	return err
}

// ScopeMinor is the suppression scope of a person known to be a minor
// whose data was erased: no collection, sale, sharing or marketing.
const ScopeMinor = "minor"

// MinorBlinds returns which of blinds are kept as a minor's.
func (q *queries) MinorBlinds(ctx context.Context, blinds [][]byte) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(blinds, func(chunk [][]byte) error {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, ScopeMinor)
		for _, b := range chunk {
			args = append(args, b)
		}
		rows, err := q.q.QueryContext(ctx, `SELECT blind FROM suppressions WHERE scope = $1 AND blind IN (`+placeholders(2, len(chunk))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			out[string(b)] = true
		}
		return rows.Err()
	})
	return out, err
}

// Suppression is one opt-out kept by blind index.
type Suppression struct {
	Blind []byte
	Scope string
}

// Suppressions lists every suppression.
func (q *queries) Suppressions(ctx context.Context) ([]Suppression, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT blind, scope FROM suppressions`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Suppression
	for rows.Next() {
		var s Suppression
		if err := rows.Scan(&s.Blind, &s.Scope); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetRestricted marks a subject restricted (Art. 18) or lifts it (nil).
func (tx *Tx) SetRestricted(ctx context.Context, subjectID string, at *time.Time) error {
	return tx.setFlag(ctx, `restricted_at`, subjectID, at)
}

// SetMinor marks a subject a minor (or clears it with nil).
func (tx *Tx) SetMinor(ctx context.Context, subjectID string, at *time.Time) error {
	return tx.setFlag(ctx, `minor_at`, subjectID, at)
}

func (tx *Tx) setFlag(ctx context.Context, column, subjectID string, at *time.Time) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE subjects SET `+column+` = $1 WHERE id = $2`, nullMicros(at), subjectID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return custos.ErrNotFound
	}
	return nil
}

// SubjectFlags is what decisions need to know of a subject besides consent.
type SubjectFlags struct {
	ID         string
	Erased     bool
	Restricted bool
	// RestrictedAt is when the restriction began (zero when none), so
	// consent given after it can be told from consent given before.
	RestrictedAt time.Time
	Minor        bool
	MergedInto   string
}

// SubjectFlagsAfter pages through subjects in id order.
func (q *queries) SubjectFlagsAfter(ctx context.Context, after string, limit int) ([]SubjectFlags, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, erased_at IS NOT NULL, restricted_at IS NOT NULL, COALESCE(restricted_at, 0), minor_at IS NOT NULL, COALESCE(merged_into, '')
		FROM subjects WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SubjectFlags
	for rows.Next() {
		var (
			f  SubjectFlags
			at int64
		)
		if err := rows.Scan(&f.ID, &f.Erased, &f.Restricted, &at, &f.Minor, &f.MergedInto); err != nil {
			return nil, err
		}
		if f.Restricted {
			f.RestrictedAt = fromMicros(at)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SubjectFlagsOf returns one subject's flags.
func (q *queries) SubjectFlagsOf(ctx context.Context, id string) (SubjectFlags, error) {
	var (
		f  SubjectFlags
		at int64
	)
	err := q.q.QueryRowContext(ctx, `SELECT id, erased_at IS NOT NULL, restricted_at IS NOT NULL, COALESCE(restricted_at, 0), minor_at IS NOT NULL, COALESCE(merged_into, '')
		FROM subjects WHERE id = $1`, id).Scan(&f.ID, &f.Erased, &f.Restricted, &at, &f.Minor, &f.MergedInto)
	if errors.Is(err, sql.ErrNoRows) {
		return f, custos.ErrNotFound
	}
	if f.Restricted {
		f.RestrictedAt = fromMicros(at)
	}
	return f, err
}

// IdentityBlindsAfter pages through (blind, subject) pairs in blind order.
func (q *queries) IdentityBlindsAfter(ctx context.Context, after []byte, limit int) ([]Identity, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT kind, blind, subject_id FROM identities WHERE blind > $1 ORDER BY blind LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		var id Identity
		if err := rows.Scan(&id.Kind, &id.Blind, &id.SubjectID); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Notify tells other servers sharing a PostgreSQL database that something
// of a subject changed, when the transaction commits. On SQLite, which has
// one server, it does nothing.
func (tx *Tx) Notify(ctx context.Context, payload string) error {
	if tx.dialect != Postgres {
		return nil
	}
	_, err := tx.q.ExecContext(ctx, `SELECT pg_notify('custos_changes', $1)`, payload)
	return err
}
