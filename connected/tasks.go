package connected

// The tasks of a run: one per collection and phase, written down before a
// call that may be answered by callback, and named in callbacks.

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/store"
)

func taskKey(phase string, a dataset.Address) string { return phase + "/" + a.String() }

func (r *run) loadTasks(ctx context.Context) error {
	// The tasks an earlier attempt left keep their progress; the missing
	// ones are made in memory and written with the first flush.
	if err := r.reload(ctx); err != nil {
		return err
	}
	for i, st := range r.plan.Steps {
		r.ensure(store.Task{Phase: PhaseAccess, Collection: st.Address.String(), Seq: int64(i), Status: store.TaskPending})
	}
	for i, u := range r.plan.Unreachable {
		r.ensure(store.Task{Phase: PhaseAccess, Collection: u.Address.String(), Seq: int64(len(r.plan.Steps) + i),
			Status: store.TaskSkipped, Note: u.Reason})
	}
	return nil
}

// beforeCall writes new tasks down before a call that may be answered
// later by callback: the answer must find its task.
func (r *run) beforeCall(ctx context.Context, conn connector.Connector) error {
	if len(r.created) == 0 {
		return nil
	}
	if s, ok := conn.(connector.Synchronous); ok && s.Synchronous() {
		return nil
	}
	return r.flush(ctx)
}

// ensure adds a task unless the run has it, to be written with the next
// flush.
func (r *run) ensure(t store.Task) {
	a, _ := dataset.ParseAddress(t.Collection)
	k := taskKey(t.Phase, a)
	if _, ok := r.tasks[k]; ok {
		return
	}
	t.RequestID, t.UpdatedAt = r.job.RequestID, r.s.Clock.Now()
	r.tasks[k] = &t
	r.created = append(r.created, &t)
}

func (r *run) reload(ctx context.Context) error {
	if r.dry {
		// A preview reads the systems as they are now, whatever an
		// earlier attempt found.
		return nil
	}
	ts, err := r.s.Store.Tasks(ctx, r.job.RequestID)
	if err != nil {
		return err
	}
	for i := range ts {
		t := ts[i]
		a, _ := dataset.ParseAddress(t.Collection)
		r.tasks[taskKey(t.Phase, a)] = &t
	}
	return nil
}

func (r *run) call(ctx context.Context, t *store.Task) context.Context {
	return r.callID(ctx, t, TaskID(t.RequestID, t.Phase, t.Collection))
}

// callBatch is call for one batch of an erasure or correction: the task id
// names the rows sent, so that a callback moves the cursor past exactly
// those, and a late or repeated callback of an earlier batch is told apart.
func (r *run) callBatch(ctx context.Context, t *store.Task, start, end int64) context.Context {
	return r.callID(ctx, t, BatchTaskID(t.RequestID, t.Phase, t.Collection, start, end))
}

func (r *run) callID(ctx context.Context, t *store.Task, id string) context.Context {
	cb := ""
	if r.s.CallbackURL != "" && !r.dry {
		cb = strings.TrimRight(r.s.CallbackURL, "/") + "/" + url.PathEscape(id)
	}
	return connector.WithCall(ctx, connector.Call{RequestID: t.RequestID, Task: id, CallbackURL: cb})
}

// TaskID names a task in callbacks.
func TaskID(requestID, phase, collection string) string {
	return requestID + "~" + phase + "~" + collection
}

// BatchTaskID names one batch of a write task, rows start to end of the
// rows the task writes, in callbacks.
func BatchTaskID(requestID, phase, collection string, start, end int64) string {
	return TaskID(requestID, phase, collection) + "~" + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end, 10)
}

// parseTaskID reads TaskID and BatchTaskID; start and end are -1 when the
// id names no batch.
func parseTaskID(id string) (requestID, phase string, a dataset.Address, start, end int64, ok bool) {
	parts := strings.SplitN(id, "~", 3)
	if len(parts) != 3 || parts[0] == "" {
		return "", "", dataset.Address{}, 0, 0, false
	}
	requestID, phase, coll := parts[0], parts[1], parts[2]
	start, end = -1, -1
	if phase != PhaseAccess {
		i := strings.LastIndexByte(coll, '~')
		if i < 0 {
			return "", "", dataset.Address{}, 0, 0, false
		}
		from, to, found := strings.Cut(coll[i+1:], "-")
		var err1, err2 error
		start, err1 = strconv.ParseInt(from, 10, 64)
		end, err2 = strconv.ParseInt(to, 10, 64)
		if !found || err1 != nil || err2 != nil || start < 0 || end <= start {
			return "", "", dataset.Address{}, 0, 0, false
		}
		coll = coll[:i]
	}
	switch phase {
	case PhaseAccess, PhaseErasure, PhaseCorrection:
	default:
		return "", "", dataset.Address{}, 0, 0, false
	}
	a, ok = dataset.ParseAddress(coll)
	return requestID, phase, a, start, end, ok
}

// fail records a task's error and returns it for the job to retry.
func (r *run) fail(ctx context.Context, t *store.Task, url string, err error) error {
	t.Attempts++
	t.Error = scrub(err, url)
	if serr := r.save(ctx, t); serr != nil {
		return serr
	}
	return &Failure{Collection: t.Collection, Err: errors.New(t.Error)}
}

// Task is one request's step in one collection of a connected system, as
// Progress reports it: the name callers outside the store (the HTTP layer)
// use for it.
type Task = store.Task

// Progress lists a request's tasks, for the CLI and the admin API.
func (s *Service) Progress(ctx context.Context, requestID string) ([]Task, error) {
	ts, err := s.Store.Tasks(ctx, requestID)
	for i := range ts {
		ts[i].Checkpoint = nil
	}
	return ts, err
}
