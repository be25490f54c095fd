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

// Lifecycle moments of a subject that retention rules count from.
const (
	LifecycleAccountClosed     = "account_closed"
	LifecycleRelationshipEnded = "relationship_ended"
)

// SetLifecycle records (or with nil clears) when a subject's account closed
// or relationship ended.
func (tx *Tx) SetLifecycle(ctx context.Context, subjectID, moment string, at *time.Time) error {
	column := "account_closed_at"
	if moment == LifecycleRelationshipEnded {
		column = "relationship_ended_at"
	}
	return tx.setFlag(ctx, column, subjectID, at)
}

// Expiry selects the events a retention rule has expired at a moment.
type Expiry struct {
	Category string
	Purpose  string // "" for any
	Trigger  string // collected, last_activity, account_closed, relationship_ended
	Cutoff   time.Time
	// Held lists the subjects under a legal hold, whose events are never
	// selected. DeleteExpired reads it afresh in its own transaction.
	Held []string
}

// where is the SQL condition and arguments selecting an expiry's events,
// never those of subjects under a legal hold.
func (e Expiry) where() (string, []any) {
	cond := `category = $1`
	args := []any{e.Category}
	if e.Purpose != "" {
		cond += ` AND purpose = $2`
		args = append(args, e.Purpose)
	} else {
		cond += ` AND $2 = ''`
		args = append(args, "")
	}
	cut := micros(e.Cutoff)
	switch e.Trigger {
	case "last_activity":
		// No event of the subject at or after the cutoff: an anti-join by
		// subject that costs nothing when the category has no rows, where
		// a GROUP BY of every subject's last event read the whole table.
		cond += ` AND NOT EXISTS (SELECT 1 FROM events later WHERE later.subject_id = events.subject_id AND later.occurred_at >= $3)`
	case "account_closed":
		cond += ` AND subject_id IN (SELECT id FROM subjects WHERE account_closed_at IS NOT NULL AND account_closed_at < $3)`
	case "relationship_ended":
		cond += ` AND subject_id IN (SELECT id FROM subjects WHERE relationship_ended_at IS NOT NULL AND relationship_ended_at < $3)`
	default: // collected
		cond += ` AND occurred_at < $3`
	}
	args = append(args, cut)
	// Held subjects are few and listed: an anti-join against the holds
	// table cost PostgreSQL a nested loop per expired row whenever its
	// statistics lagged a bulk load, twice the delete itself.
	if len(e.Held) > 0 {
		cond += ` AND subject_id NOT IN (` + placeholders(4, len(e.Held)) + `)`
		for _, h := range e.Held {
			args = append(args, h)
		}
	}
	return cond, args
}

// HeldSubjects lists the subjects under a standing legal hold.
func (q *queries) HeldSubjects(ctx context.Context) ([]string, error) {
	return q.strings(ctx, `SELECT DISTINCT subject_id FROM legal_holds WHERE released_at IS NULL ORDER BY subject_id`)
}

// CountExpired counts the events and distinct subjects an expiry selects.
func (q *queries) CountExpired(ctx context.Context, e Expiry) (events, subjects int64, err error) {
	cond, args := e.where()
	err = q.q.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT subject_id) FROM events WHERE `+cond, args...).Scan(&events, &subjects)
	return events, subjects, err
}

// MaxEventID is the highest event id, where a sweep's walk ends.
func (q *queries) MaxEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT MAX(id) FROM events`).Scan(&id)
	return id.Int64, err
}

// AnyExpired reports whether an expiry selects any event, cheaply.
func (q *queries) AnyExpired(ctx context.Context, e Expiry) (bool, error) {
	cond, args := e.where()
	var one int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM events WHERE `+cond+` LIMIT 1`, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ExpiredSubjects lists, once each, the subjects an expiry selects events of.
func (q *queries) ExpiredSubjects(ctx context.Context, e Expiry) ([]string, error) {
	cond, args := e.where()
	return q.strings(ctx, `SELECT DISTINCT subject_id FROM events WHERE `+cond, args...)
}

// DeleteExpired deletes an expiry's events among the ids (after, upTo] in
// one statement and returns how many went. A sweep walks the primary key in
// such windows: each statement is a bounded range both engines delete by
// index, never re-reading the rows earlier windows left dead, and a sweep
// stopped between two windows has left nothing half done. (RETURNING the
// subjects cost PostgreSQL more than the delete; ExpiredSubjects asks once.)
func (tx *Tx) DeleteExpired(ctx context.Context, e Expiry, after, upTo int64) (int64, error) {
	if tx.dialect == Postgres {
		// Plan each window for its own values: a cached generic plan cannot
		// know that a window is narrow or that a category is empty.
		if _, err := tx.q.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return 0, err
		}
	}
	// The holds as they stand now, in this transaction: one placed since
	// the sweep began still protects its subject.
	held, err := tx.HeldSubjects(ctx)
	if err != nil {
		return 0, err
	}
	e.Held = held
	cond, args := e.where()
	// The window's bounds are written into the statement, not bound: with
	// them as parameters PostgreSQL's generic plan walked the category index
	// through every expired row for each window. They are integers from
	// this code, never input.
	res, err := tx.q.ExecContext(ctx, `DELETE FROM events WHERE id > `+strconv.FormatInt(after, 10)+
		` AND id <= `+strconv.FormatInt(upTo, 10)+` AND `+cond, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteExpiredRange deletes an expiry's events among the ids (after, upTo]
// and returns how many went and whose they were. PostgreSQL only. The
// window is read through the primary key, in the table's physical order,
// as a plain DELETE reads its rows: the expiry's own conditions are written
// so that no index serves them (category || ”, occurred_at + 0), because
// a planner with statistics that lag a bulk load would otherwise intersect
// the whole category index with every window. The subjects come back from
// the delete itself, so no DISTINCT over the expired rows is needed.
func (tx *Tx) DeleteExpiredRange(ctx context.Context, e Expiry, after, upTo int64) (int64, []string, error) {
	held, err := tx.HeldSubjects(ctx)
	if err != nil {
		return 0, nil, err
	}
	e.Held = held
	cond, args := e.where()
	cond = strings.Replace(cond, "category = $1", "category || '' = $1", 1)
	cond = strings.Replace(cond, "occurred_at < $3", "occurred_at + 0 < $3", 1)
	rows, err := tx.q.QueryContext(ctx, `WITH d AS (DELETE FROM events WHERE id > `+strconv.FormatInt(after, 10)+
		` AND id <= `+strconv.FormatInt(upTo, 10)+` AND `+cond+` RETURNING subject_id)
		SELECT subject_id, COUNT(*) FROM d GROUP BY subject_id`, args...)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var (
		n        int64
		subjects []string
	)
	for rows.Next() {
		var (
			sid   string
			count int64
		)
		if err := rows.Scan(&sid, &count); err != nil {
			return 0, nil, err
		}
		n += count
		subjects = append(subjects, sid)
	}
	return n, subjects, rows.Err()
}

// SubjectsWithoutEvents returns which of ids have no events left.
func (q *queries) SubjectsWithoutEvents(ctx context.Context, ids []string) ([]string, error) {
	var out []string
	err := inChunks(ids, func(chunk []string) error {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		found, err := q.strings(ctx, `SELECT id FROM subjects s WHERE id IN (`+placeholders(1, len(chunk))+`)
			AND wrapped_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.subject_id = s.id)`, args...)
		out = append(out, found...)
		return err
	})
	return out, err
}

// Hold is a legal hold on a subject.
type Hold struct {
	ID           int64
	SubjectID    string
	ReasonSealed []byte
	CreatedAt    time.Time
	CreatedBy    string
	ReleasedAt   *time.Time
	ReleasedBy   string
}

// AddHold places a hold and returns its id.
func (tx *Tx) AddHold(ctx context.Context, h Hold) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO legal_holds (subject_id, reason_sealed, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
		h.SubjectID, h.ReasonSealed, micros(h.CreatedAt), h.CreatedBy).Scan(&id)
	return id, err
}

// ReleaseHolds releases every standing hold on a subject and returns how many.
func (tx *Tx) ReleaseHolds(ctx context.Context, subjectID, by string, at time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE legal_holds SET released_at = $1, released_by = $2 WHERE subject_id = $3 AND released_at IS NULL`,
		micros(at), by, subjectID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Held reports whether a hold stands on a subject.
func (q *queries) Held(ctx context.Context, subjectID string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM legal_holds WHERE subject_id = $1 AND released_at IS NULL`, subjectID).Scan(&n)
	return n > 0, err
}

// Holds lists holds, standing ones only unless all.
func (q *queries) Holds(ctx context.Context, all bool) ([]Hold, error) {
	query := `SELECT id, subject_id, reason_sealed, created_at, created_by, released_at, released_by FROM legal_holds`
	if !all {
		query += ` WHERE released_at IS NULL`
	}
	rows, err := q.q.QueryContext(ctx, query+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		var (
			h        Hold
			created  int64
			released sql.NullInt64
		)
		if err := rows.Scan(&h.ID, &h.SubjectID, &h.ReasonSealed, &created, &h.CreatedBy, &released, &h.ReleasedBy); err != nil {
			return nil, err
		}
		h.CreatedAt, h.ReleasedAt = fromMicros(created), fromNullMicros(released)
		out = append(out, h)
	}
	return out, rows.Err()
}

// Sweep is one run of the retention sweep.
type Sweep struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt *time.Time
	AsOf       time.Time
	DryRun     bool
	Erased     int64
	Subjects   int64
	Actor      string
}

// StartSweep records the start of a sweep.
func (tx *Tx) StartSweep(ctx context.Context, s Sweep) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO retention_sweeps (started_at, as_of, dry_run, actor) VALUES ($1, $2, $3, $4) RETURNING id`,
		micros(s.StartedAt), micros(s.AsOf), s.DryRun, s.Actor).Scan(&id)
	return id, err
}

// FinishSweep records how a sweep ended.
func (q *queries) FinishSweep(ctx context.Context, id, erased, subjects int64, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE retention_sweeps SET finished_at = $1, erased = $2, subjects = $3 WHERE id = $4`,
		micros(at), erased, subjects, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return custos.ErrNotFound
	}
	return nil
}

// Sweeps lists sweeps since a time, oldest first.
func (q *queries) Sweeps(ctx context.Context, since time.Time) ([]Sweep, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, started_at, finished_at, as_of, dry_run, erased, subjects, actor FROM retention_sweeps
		WHERE started_at >= $1 ORDER BY id`, micros(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Sweep
	for rows.Next() {
		var (
			s             Sweep
			started, asOf int64
			finished      sql.NullInt64
		)
		if err := rows.Scan(&s.ID, &started, &finished, &asOf, &s.DryRun, &s.Erased, &s.Subjects, &s.Actor); err != nil {
			return nil, err
		}
		s.StartedAt, s.FinishedAt, s.AsOf = fromMicros(started), fromNullMicros(finished), fromMicros(asOf)
		out = append(out, s)
	}
	return out, rows.Err()
}
