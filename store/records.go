package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
)

// SubjectRow is a subject with its wrapped data key (nil once erased).
type SubjectRow struct {
	custos.Subject
	WrappedKey []byte
}

// Identity is one identity of a subject as stored: found by Blind, its
// value sealed under the subject's key.
type Identity struct {
	Kind      string
	Blind     []byte
	SubjectID string
	Sealed    []byte
	CreatedAt time.Time
}

// EventRow is an event as stored, its value sealed.
type EventRow struct {
	custos.Event
	Sealed []byte
}

// InsertSubject creates a subject with its wrapped data key.
func (tx *Tx) InsertSubject(ctx context.Context, id string, wrappedKey []byte, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO subjects (id, wrapped_key, created_at) VALUES ($1, $2, $3)`, id, wrappedKey, micros(at))
	return err
}

// NewSubject is a subject to create with its wrapped data key.
type NewSubject struct {
	ID         string
	WrappedKey []byte
	CreatedAt  time.Time
}

// InsertSubjects creates many subjects with multi-row INSERTs.
func (tx *Tx) InsertSubjects(ctx context.Context, subs []NewSubject) error {
	return insertRows(ctx, tx, `INSERT INTO subjects (id, wrapped_key, created_at) VALUES `, 3, len(subs), func(i int) []any {
		return []any{subs[i].ID, subs[i].WrappedKey, micros(subs[i].CreatedAt)}
	})
}

// InsertIdentities adds many identities with multi-row INSERTs; a blind
// index already taken is a conflict error, and nothing is added.
func (tx *Tx) InsertIdentities(ctx context.Context, ids []Identity) error {
	return conflict(insertRows(ctx, tx, `INSERT INTO identities (kind, blind, subject_id, sealed, created_at) VALUES `, 5, len(ids), func(i int) []any {
		return []any{ids[i].Kind, ids[i].Blind, ids[i].SubjectID, ids[i].Sealed, micros(ids[i].CreatedAt)}
	}))
}

// RowsPerStatement is how many rows one multi-row INSERT carries: 13,000
// parameters for events, within both engines' limits, and few round trips.
const RowsPerStatement = 1000

// insertRows runs head followed by n rows of cols values each, in
// statements of RowsPerStatement rows.
func insertRows(ctx context.Context, tx *Tx, head string, cols, n int, row func(int) []any) error {
	for start := 0; start < n; start += RowsPerStatement {
		end := min(start+RowsPerStatement, n)
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString("(" + placeholders((i-start)*cols+1, cols) + ")")
			args = append(args, row(i)...)
		}
		if _, err := tx.q.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// Subject returns one subject.
func (q *queries) Subject(ctx context.Context, id string) (SubjectRow, error) {
	rows, err := q.Subjects(ctx, []string{id})
	if err != nil {
		return SubjectRow{}, err
	}
	r, ok := rows[id]
	if !ok {
		return SubjectRow{}, custos.ErrNotFound
	}
	return r, nil
}

// Subjects returns the subjects with these ids, by id; unknown ids are absent.
func (q *queries) Subjects(ctx context.Context, ids []string) (map[string]SubjectRow, error) {
	out := make(map[string]SubjectRow, len(ids))
	err := inChunks(ids, func(chunk []string) error {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.q.QueryContext(ctx, `SELECT id, wrapped_key, created_at, erased_at, merged_into FROM subjects WHERE id IN (`+placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				r       SubjectRow
				created int64
				erased  sql.NullInt64
				merged  sql.NullString
			)
			if err := rows.Scan(&r.ID, &r.WrappedKey, &created, &erased, &merged); err != nil {
				return err
			}
			r.CreatedAt, r.ErasedAt, r.MergedInto = fromMicros(created), fromNullMicros(erased), merged.String
			out[r.ID] = r
		}
		return rows.Err()
	})
	return out, err
}

// SubjectsPage lists subjects with live keys after id, in id order, for
// re-wrapping keys in batches.
func (q *queries) SubjectsPage(ctx context.Context, after string, limit int) ([]SubjectRow, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, wrapped_key, created_at FROM subjects
		WHERE id > $1 AND wrapped_key IS NOT NULL ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SubjectRow
	for rows.Next() {
		var (
			r       SubjectRow
			created int64
		)
		if err := rows.Scan(&r.ID, &r.WrappedKey, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = fromMicros(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RewrapSubjectKey replaces a subject's wrapped key (master key rotation).
func (tx *Tx) RewrapSubjectKey(ctx context.Context, id string, wrapped []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE subjects SET wrapped_key = $1 WHERE id = $2 AND wrapped_key IS NOT NULL`, wrapped, id)
	return err
}

// IdentitiesByBlind finds identities by blind index, keyed by string(blind).
func (q *queries) IdentitiesByBlind(ctx context.Context, blinds [][]byte) (map[string]Identity, error) {
	out := make(map[string]Identity, len(blinds))
	err := inChunks(blinds, func(chunk [][]byte) error {
		args := make([]any, len(chunk))
		for i, b := range chunk {
			args[i] = b
		}
		rows, err := q.q.QueryContext(ctx, `SELECT kind, blind, subject_id, sealed, created_at FROM identities WHERE blind IN (`+placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			id, err := scanIdentity(rows)
			if err != nil {
				return err
			}
			out[string(id.Blind)] = id
		}
		return rows.Err()
	})
	return out, err
}

// SubjectIdentities lists a subject's identities.
func (q *queries) SubjectIdentities(ctx context.Context, subjectID string) ([]Identity, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT kind, blind, subject_id, sealed, created_at FROM identities WHERE subject_id = $1 ORDER BY created_at, kind`, subjectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		id, err := scanIdentity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func scanIdentity(r rowScanner) (Identity, error) {
	var (
		id Identity
		at int64
	)
	err := r.Scan(&id.Kind, &id.Blind, &id.SubjectID, &id.Sealed, &at)
	id.CreatedAt = fromMicros(at)
	return id, err
}

// InsertIdentity adds an identity. A blind index already taken is a
// conflict error (another writer linked it first).
func (tx *Tx) InsertIdentity(ctx context.Context, id Identity) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO identities (kind, blind, subject_id, sealed, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id.Kind, id.Blind, id.SubjectID, id.Sealed, micros(id.CreatedAt))
	return conflict(err)
}

// ReassignIdentity moves an identity to another subject (a merge), with its
// value re-sealed under that subject's key.
func (tx *Tx) ReassignIdentity(ctx context.Context, kind string, blind []byte, subjectID string, sealed []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE identities SET subject_id = $1, sealed = $2 WHERE blind = $3 AND kind = $4`, subjectID, sealed, blind, kind)
	return err
}

// ReassignEvent moves an event to another subject (a merge).
func (tx *Tx) ReassignEvent(ctx context.Context, id int64, subjectID string, sealed []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE events SET subject_id = $1, value_sealed = $2 WHERE id = $3`, subjectID, sealed, id)
	return err
}

// MarkMerged records that a subject became part of another; its key is
// dropped since everything it sealed was re-sealed. What stood on it —
// legal holds, and the minor, restricted, account-closed and
// relationship-ended marks — now stands on the subject it joined.
func (tx *Tx) MarkMerged(ctx context.Context, id, into string) error {
	if _, err := tx.q.ExecContext(ctx, `UPDATE legal_holds SET subject_id = $1 WHERE subject_id = $2`, into, id); err != nil {
		return err
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE subjects SET
		minor_at = COALESCE(minor_at, (SELECT minor_at FROM subjects f WHERE f.id = $2)),
		restricted_at = COALESCE(restricted_at, (SELECT restricted_at FROM subjects f WHERE f.id = $2)),
		account_closed_at = COALESCE(account_closed_at, (SELECT account_closed_at FROM subjects f WHERE f.id = $2)),
		relationship_ended_at = COALESCE(relationship_ended_at, (SELECT relationship_ended_at FROM subjects f WHERE f.id = $2))
		WHERE id = $1`, into, id); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE subjects SET wrapped_key = NULL, merged_into = $1 WHERE id = $2`, into, id)
	return err
}

// EraseSubject crypto-shreds a subject: its key, identities and events go;
// the subject row stays as a tombstone for the audit trail.
func (tx *Tx) EraseSubject(ctx context.Context, id string, at time.Time) (events int64, err error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE subjects SET wrapped_key = NULL, erased_at = COALESCE(erased_at, $1) WHERE id = $2`, micros(at), id)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, custos.ErrNotFound
	}
	// A minor stays protected after their data is gone: the blind index
	// (a keyed hash) of each identity stays in the suppression list with
	// the minor mark, in the same transaction, until an officer records
	// that the person is of age (LiftMinor).
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO suppressions (blind, scope, created_at)
		SELECT blind, $2, $3 FROM identities
		WHERE subject_id = $1 AND EXISTS (SELECT 1 FROM subjects s WHERE s.id = $1 AND s.minor_at IS NOT NULL)
		ON CONFLICT (blind, scope) DO NOTHING`, id, ScopeMinor, micros(at)); err != nil {
		return 0, err
	}
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM identities WHERE subject_id = $1`, id); err != nil {
		return 0, err
	}
	res, err = tx.q.ExecContext(ctx, `DELETE FROM events WHERE subject_id = $1`, id)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteControllerEvents deletes a subject's events processed for
// controller (” for the company's own), leaving its key, identities and
// other events: a deletion of the company's own data must not shred the
// data it holds for a controller, which only that controller decides on.
func (tx *Tx) DeleteControllerEvents(ctx context.Context, subjectID, controller string) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM events WHERE subject_id = $1 AND controller = $2`, subjectID, controller)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

const eventColumns = `subject_id, kind, category, purpose, source, recipient, legal_ground, vendor, value_sealed, occurred_at, recorded_at, policy_version, no_contract, controller`

func eventArgs(e EventRow) []any {
	var sealed any
	if e.Sealed != nil {
		sealed = e.Sealed
	}
	return []any{e.SubjectID, e.Kind, e.Category, e.Purpose, e.Source, e.Recipient, e.LegalGround, e.Vendor, sealed,
		micros(e.OccurredAt), micros(e.RecordedAt), e.PolicyVersion, e.NoContract, e.Controller}
}

// InsertEvent stores one event and returns its id.
func (tx *Tx) InsertEvent(ctx context.Context, e EventRow) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO events (`+eventColumns+`) VALUES (`+placeholders(1, 14)+`) RETURNING id`, eventArgs(e)...).Scan(&id)
	return id, err
}

// InsertEvents stores many events with multi-row INSERTs.
func (tx *Tx) InsertEvents(ctx context.Context, evs []EventRow) error {
	return insertRows(ctx, tx, `INSERT INTO events (`+eventColumns+`) VALUES `, 14, len(evs), func(i int) []any {
		return eventArgs(evs[i])
	})
}

// SubjectEvents lists a subject's events, oldest first.
func (q *queries) SubjectEvents(ctx context.Context, subjectID string) ([]EventRow, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, `+eventColumns+` FROM events WHERE subject_id = $1 ORDER BY occurred_at, id`, subjectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EventRow
	for rows.Next() {
		var (
			e                  EventRow
			occurred, recorded int64
		)
		if err := rows.Scan(&e.ID, &e.SubjectID, &e.Kind, &e.Category, &e.Purpose, &e.Source, &e.Recipient, &e.LegalGround,
			&e.Vendor, &e.Sealed, &occurred, &recorded, &e.PolicyVersion, &e.NoContract, &e.Controller); err != nil {
			return nil, err
		}
		e.OccurredAt, e.RecordedAt = fromMicros(occurred), fromMicros(recorded)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountEvents counts every stored event.
func (q *queries) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	return n, err
}

// InsertContract records a contract and returns its id.
func (tx *Tx) InsertContract(ctx context.Context, c custos.Contract) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO contracts (recipient, vendor, signed_at, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.Recipient, c.Vendor, micros(c.SignedAt), nullMicros(c.ExpiresAt), micros(c.CreatedAt)).Scan(&id)
	return id, err
}

// Contracts lists every contract on record.
func (q *queries) Contracts(ctx context.Context) ([]custos.Contract, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, recipient, vendor, signed_at, expires_at, created_at FROM contracts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []custos.Contract
	for rows.Next() {
		var (
			c               custos.Contract
			signed, created int64
			expires         sql.NullInt64
		)
		if err := rows.Scan(&c.ID, &c.Recipient, &c.Vendor, &signed, &expires, &created); err != nil {
			return nil, err
		}
		c.SignedAt, c.ExpiresAt, c.CreatedAt = fromMicros(signed), fromNullMicros(expires), fromMicros(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Fact is a group of events with the same kind, category, source, purpose
// and recipient: what reports are computed from.
type Fact struct {
	// Controller is who the events were processed for ('' is the
	// company's own processing, listed first).
	Controller                                 string
	Kind, Category, Source, Purpose, Recipient string
	Events                                     int64
	Subjects                                   int64 // distinct
	NoContract                                 int64 // events flagged for a missing contract
}

// EventFacts groups the events that occurred in [from, to).
func (q *queries) EventFacts(ctx context.Context, from, to time.Time) ([]Fact, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT controller, kind, category, source, purpose, recipient, COUNT(*), COUNT(DISTINCT subject_id),
		SUM(CASE WHEN no_contract THEN 1 ELSE 0 END)
		FROM events WHERE occurred_at >= $1 AND occurred_at < $2
		GROUP BY controller, kind, category, source, purpose, recipient
		ORDER BY controller, kind, category, source, purpose, recipient`, micros(from), micros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Fact
	for rows.Next() {
		var f Fact
		if err := rows.Scan(&f.Controller, &f.Kind, &f.Category, &f.Source, &f.Purpose, &f.Recipient, &f.Events, &f.Subjects, &f.NoContract); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Cell is a count of events and distinct subjects for one category,
// purpose and month (YYYY-MM, UTC), of the company's own processing
// (Controller "") or of what it processes on behalf of a controller.
type Cell struct {
	Controller               string
	Category, Purpose, Month string
	Events, Subjects         int64
}

// MonthlyCells counts events in [from, to) by controller, category,
// purpose and month.
func (q *queries) MonthlyCells(ctx context.Context, from, to time.Time) ([]Cell, error) {
	month := `strftime('%Y-%m', occurred_at / 1000000, 'unixepoch')`
	if q.dialect == Postgres {
		month = `to_char(to_timestamp(occurred_at / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM')`
	}
	rows, err := q.q.QueryContext(ctx, `SELECT controller, category, purpose, `+month+` AS month, COUNT(*), COUNT(DISTINCT subject_id)
		FROM events WHERE occurred_at >= $1 AND occurred_at < $2
		GROUP BY controller, category, purpose, month ORDER BY month, controller, category, purpose`, micros(from), micros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Cell
	for rows.Next() {
		var c Cell
		if err := rows.Scan(&c.Controller, &c.Category, &c.Purpose, &c.Month, &c.Events, &c.Subjects); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// placeholders returns "$from, $from+1, …" n times.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// inChunks calls fn on slices of at most RowsPerStatement elements.
func inChunks[T any](all []T, fn func([]T) error) error {
	for start := 0; start < len(all); start += RowsPerStatement {
		if err := fn(all[start:min(start+RowsPerStatement, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

// conflict turns a unique-constraint violation into a coded conflict, the
// same on both engines.
func conflict(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "duplicate key") {
		return custos.Wrap(err, custos.KindConflict, custos.CodeConflict, "The record exists already.")
	}
	return err
}

// IsConflict reports whether err is a conflict error.
func IsConflict(err error) bool {
	var e *custos.Error
	return errors.As(err, &e) && e.Kind == custos.KindConflict
}
