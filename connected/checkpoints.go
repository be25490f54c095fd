package connected

// Checkpoints: a task's progress and the rows it found, sealed, so that a
// run resumes after a crash without asking a system twice.

import (
	"context"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/store"
)

// checkpointContext binds a sealed checkpoint to its task. It keeps the
// package's former name, dsr: checkpoints written before the rename must
// still open.
func checkpointContext(t *store.Task) string {
	return "custos/dsr/" + t.RequestID + "/" + t.Phase + "/" + t.Collection
}

// save writes a task's progress at once, with whatever is queued.
func (r *run) save(ctx context.Context, t *store.Task) error {
	t.UpdatedAt = r.s.Clock.Now()
	r.queue(t)
	return r.flush(ctx)
}

// later queues progress that a crash may lose without harm — rows read
// (they are read again), a collection skipped (it is skipped again) — to be
// written with the next flush, so that a request over many small
// collections costs one write, not one per collection. Progress after a
// write to a company's system is never queued: it is saved at once.
func (r *run) later(ctx context.Context, t *store.Task) error {
	t.UpdatedAt = r.s.Clock.Now()
	r.queue(t)
	if time.Since(r.flushed) > time.Second {
		return r.flush(ctx)
	}
	return nil
}

func (r *run) queue(t *store.Task) {
	for _, p := range r.pending {
		if p == t {
			return
		}
	}
	r.pending = append(r.pending, t)
}

// flush writes the new tasks and the queued progress in one statement.
func (r *run) flush(ctx context.Context) error { return r.flushRows(ctx, true) }

// flushRows is flush; seal says whether the rows found go into the
// checkpoints too. They need not when an access request has found them
// all: the answer is made from them at once, and a task done without its
// rows is asked again (accessWave), so they never rest in Custos' store.
func (r *run) flushRows(ctx context.Context, seal bool) error {
	r.flushed = time.Now()
	if r.dry {
		r.pending, r.created = r.pending[:0], r.created[:0]
		return nil
	}
	if len(r.pending) == 0 && len(r.created) == 0 {
		return nil
	}
	ts := make([]store.Task, 0, len(r.created)+len(r.pending))
	seen := make(map[*store.Task]bool, cap(ts))
	for _, t := range append(r.created, r.pending...) {
		if seen[t] {
			continue
		}
		seen[t] = true
		if rows, ok := r.unsealed[t]; ok && seal {
			if err := r.seal(t, rows); err != nil {
				return err
			}
			delete(r.unsealed, t)
		}
		ts = append(ts, *t)
	}
	err := r.s.Store.PutTasks(ctx, ts)
	if err == nil {
		r.pending, r.created = r.pending[:0], r.created[:0]
	}
	return err
}

// seal puts the rows found into the task's sealed checkpoint and marks the
// task done.
func (r *run) seal(t *store.Task, rows []connector.Row) error {
	b, err := encodeRows(rows)
	if err != nil {
		return err
	}
	if t.Checkpoint, err = r.s.Master.Seal(b, checkpointContext(t)); err != nil {
		return err
	}
	t.Status, t.Found, t.Error = store.TaskDone, int64(len(rows)), ""
	return nil
}

// finishAccess records a collection's rows at once (an asynchronous
// system's answer, which is not asked for twice).
func (r *run) finishAccess(ctx context.Context, t *store.Task, rows []connector.Row) error {
	if err := r.seal(t, rows); err != nil {
		return err
	}
	return r.save(ctx, t)
}

func (r *run) rows(t *store.Task) ([]connector.Row, error) {
	if len(t.Checkpoint) == 0 {
		return nil, nil
	}
	b, err := r.s.Master.Open(t.Checkpoint, checkpointContext(t))
	if err != nil {
		return nil, err
	}
	return decodeRows(b)
}
