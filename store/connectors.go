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

// DatasetRow is an imported dataset: its key and the file it came from.
type DatasetRow struct {
	Key        string
	FileName   string
	Source     []byte
	Digest     string
	ImportedAt time.Time
	ImportedBy string
}

// PutDataset stores a dataset, replacing an earlier import of the same key.
func (tx *Tx) PutDataset(ctx context.Context, d DatasetRow) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO datasets (key, file_name, source, digest, imported_at, imported_by)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET file_name = excluded.file_name, source = excluded.source,
			digest = excluded.digest, imported_at = excluded.imported_at, imported_by = excluded.imported_by`,
		d.Key, d.FileName, d.Source, d.Digest, micros(d.ImportedAt), d.ImportedBy)
	return err
}

// DeleteDataset removes a dataset; it reports whether one was there.
func (tx *Tx) DeleteDataset(ctx context.Context, key string) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM datasets WHERE key = $1`, key)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Datasets lists every imported dataset by key.
func (q *queries) Datasets(ctx context.Context) ([]DatasetRow, error) {
	return q.datasets(ctx, `SELECT key, file_name, source, digest, imported_at, imported_by FROM datasets`, "")
}

// DatasetIndex lists the imported datasets by key as Datasets does, without
// their source: what a run checks its cached catalog against.
func (q *queries) DatasetIndex(ctx context.Context) ([]DatasetRow, error) {
	return q.datasets(ctx, `SELECT key, file_name, NULL, digest, imported_at, imported_by FROM datasets`, "")
}

// Dataset returns one imported dataset with its source.
func (q *queries) Dataset(ctx context.Context, key string) (DatasetRow, error) {
	ds, err := q.datasets(ctx, `SELECT key, file_name, source, digest, imported_at, imported_by FROM datasets WHERE key = $1`, key)
	if err == nil && len(ds) == 0 {
		err = custos.Errorf(custos.KindNotFound, "unknown_dataset", "No dataset %q is imported.", key)
	}
	if err != nil {
		return DatasetRow{}, err
	}
	return ds[0], nil
}

// datasets runs a query of the six columns of DatasetRow (source may be
// NULL), filtered by key when one is given.
func (q *queries) datasets(ctx context.Context, query, key string) ([]DatasetRow, error) {
	var args []any
	if key != "" {
		args = append(args, key)
	}
	rows, err := q.q.QueryContext(ctx, query+` ORDER BY key`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DatasetRow
	for rows.Next() {
		var (
			d  DatasetRow
			at int64
		)
		if err := rows.Scan(&d.Key, &d.FileName, &d.Source, &d.Digest, &at, &d.ImportedBy); err != nil {
			return nil, err
		}
		d.ImportedAt = fromMicros(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ConnectionRow is a stored connection; URL and secret stay sealed here.
type ConnectionRow struct {
	Name         string
	DatasetKey   string
	URLSealed    []byte
	SecretSealed []byte
	ReadOnly     bool
	CreatedAt    time.Time
	CreatedBy    string
}

// InsertConnection stores a new connection; a taken name is a conflict.
func (tx *Tx) InsertConnection(ctx context.Context, c ConnectionRow) error {
	res, err := tx.q.ExecContext(ctx, `INSERT INTO connections (name, dataset_key, url_sealed, secret_sealed, read_only, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
		c.Name, c.DatasetKey, c.URLSealed, c.SecretSealed, c.ReadOnly, micros(c.CreatedAt), c.CreatedBy)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return custos.Errorf(custos.KindConflict, "connection_exists", "A connection named %q exists; remove it first or pick another name.", c.Name)
	}
	return nil
}

// ResealConnection replaces a connection's sealed URL and secret (master key
// rotation). A connection that is not there is an error, as for instance
// keys: a rotation that silently skipped one would leave it sealed only by
// the old key.
func (tx *Tx) ResealConnection(ctx context.Context, name string, url, secret []byte) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE connections SET url_sealed = $1, secret_sealed = $2 WHERE name = $3`, url, secret, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return custos.Errorf(custos.KindNotFound, "connection_not_found", "No connection is named %q.", name)
	}
	return nil
}

// DeleteConnection removes a connection; it reports whether one was there.
func (tx *Tx) DeleteConnection(ctx context.Context, name string) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM connections WHERE name = $1`, name)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

const connectionSelect = `SELECT name, dataset_key, url_sealed, secret_sealed, read_only, created_at, created_by FROM connections`

// Connections lists every connection by name.
func (q *queries) Connections(ctx context.Context) ([]ConnectionRow, error) {
	rows, err := q.q.QueryContext(ctx, connectionSelect+` ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConnectionRow
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Connection finds one connection by name.
func (q *queries) Connection(ctx context.Context, name string) (ConnectionRow, error) {
	c, err := scanConnection(q.q.QueryRowContext(ctx, connectionSelect+` WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, custos.Errorf(custos.KindNotFound, "connection_not_found", "No connection is named %q.", name)
	}
	return c, err
}

func scanConnection(r interface{ Scan(...any) error }) (ConnectionRow, error) {
	var (
		c  ConnectionRow
		at int64
	)
	if err := r.Scan(&c.Name, &c.DatasetKey, &c.URLSealed, &c.SecretSealed, &c.ReadOnly, &at, &c.CreatedBy); err != nil {
		return c, err
	}
	c.CreatedAt = fromMicros(at)
	return c, nil
}

// Task states of a request run against connected systems.
const (
	TaskPending = "pending" // not started
	TaskWaiting = "waiting" // an asynchronous system will answer by callback
	TaskDone    = "done"
	TaskFailed  = "failed"  // kept failing: an operator must look
	TaskSkipped = "skipped" // unreachable, or nothing to do
)

// Task is the checkpoint of one collection of one request's run.
type Task struct {
	RequestID  string
	Phase      string // access, erasure, correction
	Collection string // dataset:collection
	Seq        int64
	Status     string
	Attempts   int64
	Found      int64 // rows found
	Done       int64 // rows erased or corrected so far: the resume cursor
	Checkpoint []byte
	Error      string // last error, in words, without personal data
	Note       string // why skipped or kept, in words
	// NoteMessage is Note as a catalogue message (JSON, "" for none), for
	// the person's answer in their language; the store keeps it as given.
	NoteMessage string
	UpdatedAt   time.Time
}

// EnsureTask creates a task unless it exists; existing tasks keep their
// progress, which is what makes a rerun resume instead of restart.
func (q *queries) EnsureTask(ctx context.Context, t Task) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO dsr_tasks (request_id, phase, collection, seq, status, note, note_message, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, phase, collection) DO NOTHING`,
		t.RequestID, t.Phase, t.Collection, t.Seq, t.Status, t.Note, t.NoteMessage, micros(t.UpdatedAt))
	return err
}

// SaveTask writes a task's progress.
func (q *queries) SaveTask(ctx context.Context, t Task) error {
	_, err := q.q.ExecContext(ctx, `UPDATE dsr_tasks SET status = $1, attempts = $2, found = $3, done = $4,
		checkpoint = $5, error = $6, note = $7, note_message = $8, updated_at = $9 WHERE request_id = $10 AND phase = $11 AND collection = $12`,
		t.Status, t.Attempts, t.Found, t.Done, t.Checkpoint, t.Error, t.Note, t.NoteMessage, micros(t.UpdatedAt), t.RequestID, t.Phase, t.Collection)
	return err
}

// PutTasks writes tasks as they are, creating the missing ones, in one
// statement per few hundred tasks: a run checkpoints many small collections
// at once, and on SQLite parsing a statement costs more than writing a row.
// An existing task keeps its seq.
func (q *queries) PutTasks(ctx context.Context, ts []Task) error {
	const cols = 13
	for len(ts) > 0 {
		n := min(len(ts), 400) // SQLite binds at most 32,766 parameters
		var b strings.Builder
		b.WriteString(`INSERT INTO dsr_tasks (request_id, phase, collection, seq, status, attempts, found, done,
		checkpoint, error, note, note_message, updated_at) VALUES `)
		args := make([]any, 0, n*cols)
		for i, t := range ts[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j := range cols {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(i*cols + j + 1))
			}
			b.WriteByte(')')
			args = append(args, t.RequestID, t.Phase, t.Collection, t.Seq, t.Status, t.Attempts, t.Found, t.Done,
				t.Checkpoint, t.Error, t.Note, t.NoteMessage, micros(t.UpdatedAt))
		}
		b.WriteString(` ON CONFLICT (request_id, phase, collection) DO UPDATE SET status = excluded.status,
		attempts = excluded.attempts, found = excluded.found, done = excluded.done, checkpoint = excluded.checkpoint,
		error = excluded.error, note = excluded.note, note_message = excluded.note_message, updated_at = excluded.updated_at`)
		if _, err := q.q.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		ts = ts[n:]
	}
	return nil
}

// Tasks lists a request's tasks in plan order, phase by phase.
func (q *queries) Tasks(ctx context.Context, requestID string) ([]Task, error) {
	return q.tasks(ctx, ` WHERE request_id = $1 ORDER BY phase, seq`, requestID)
}

// TasksByStatus lists every task in a state, oldest change first. It scans
// the table: it serves operators, and no index slows every checkpoint for it.
func (q *queries) TasksByStatus(ctx context.Context, status string) ([]Task, error) {
	return q.tasks(ctx, ` WHERE status = $1 ORDER BY updated_at, request_id, phase, seq`, status)
}

func (q *queries) tasks(ctx context.Context, where string, args ...any) ([]Task, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT request_id, phase, collection, seq, status, attempts, found, done,
		checkpoint, error, note, note_message, updated_at FROM dsr_tasks`+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var (
			t  Task
			at int64
		)
		if err := rows.Scan(&t.RequestID, &t.Phase, &t.Collection, &t.Seq, &t.Status, &t.Attempts, &t.Found, &t.Done,
			&t.Checkpoint, &t.Error, &t.Note, &t.NoteMessage, &at); err != nil {
			return nil, err
		}
		t.UpdatedAt = fromMicros(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DropCheckpoints forgets the rows a finished request found: once the answer
// is sealed into the result (or the rows are erased) they must not linger.
func (q *queries) DropCheckpoints(ctx context.Context, requestID string) error {
	_, err := q.q.ExecContext(ctx, `UPDATE dsr_tasks SET checkpoint = NULL WHERE request_id = $1`, requestID)
	return err
}

// DropCheckpointsExcept is DropCheckpoints but for the checkpoints of the
// tasks keep takes (by phase and collection): rows held for a controller wait for its
// instruction, which acts on them once the identities that reached them
// may have been erased.
func (q *queries) DropCheckpointsExcept(ctx context.Context, requestID string, keep func(phase, collection string) bool) error {
	ts, err := q.Tasks(ctx, requestID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if len(t.Checkpoint) == 0 || keep(t.Phase, t.Collection) {
			continue
		}
		if _, err := q.q.ExecContext(ctx, `UPDATE dsr_tasks SET checkpoint = NULL WHERE request_id = $1 AND phase = $2 AND collection = $3`,
			requestID, t.Phase, t.Collection); err != nil {
			return err
		}
	}
	return nil
}
