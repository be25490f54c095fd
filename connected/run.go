package connected

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// Request kinds a run serves.
const (
	KindAccess     = "access"
	KindErasure    = "erasure"
	KindCorrection = "correction"
)

// Phases of a run; every run starts with access, which finds the rows.
const (
	PhaseAccess     = "access"
	PhaseErasure    = "erasure"
	PhaseCorrection = "correction"
)

// Job is one request to run against the connected systems.
type Job struct {
	RequestID string
	Kind      string
	// Identities are what the person is known by, by Fides identity name:
	// "email", "phone_number", "loyalty_id"…
	Identities map[string][]string
	// Corrections maps a data category to its corrected value.
	Corrections map[string]string
	// Leave, when set, names the collections ("dataset:collection") an
	// erasure or correction must not write, with the reason it reports:
	// their rows are found and kept. Nil leaves none.
	Leave func(collection string) (why string)
	// Plan, when set, is the digest of the plan an officer approved
	// (Preview): an erasure runs only while the plan in force has it, and
	// fails with plan_changed, writing nothing, once it does not.
	Plan string
}

// Outcome is what a finished run found and did.
type Outcome struct {
	// Collections holds the rows found, "dataset:collection" to rows, with
	// only personal fields and the fields that link rows.
	Collections map[string][]connector.Row
	// Described says what the rows of Collections are, by collection: the
	// system (dataset) they come from and their fields' categories, for
	// an answer the person can read.
	Described map[string]Described
	Erased    map[string]int64
	Corrected map[string]int64
	// CorrectedCategories are the categories of Job.Corrections that
	// corrected a field somewhere.
	CorrectedCategories []string
	Kept                []Kept
	// Retained lists, per collection erased, the fields the policy's
	// erasure rules kept, on which ground and until when.
	Retained []Retention
	// Pending is true while an asynchronous system has yet to answer; the
	// run is repeated when it does.
	Pending bool
}

// Described is what a collection's rows are.
type Described struct {
	Dataset           string // its key
	System            string // the dataset's name, or its key
	SystemDescription string
	Fields            []FieldCategories // in the dataset's order, as shown (visible)
}

// FieldCategories is a field shown to the person and its data categories.
type FieldCategories struct {
	Name       string
	Categories []string
}

// Kept is something found and not erased or corrected, with the reason.
type Kept struct {
	What string
	Why  string
}

// Failure is returned when a collection's task failed; the run can be
// retried, and the task keeps its error for the operator.
type Failure struct {
	Collection string
	Err        error
}

func (f *Failure) Error() string { return "collection " + f.Collection + ": " + f.Err.Error() }
func (f *Failure) Unwrap() error { return f.Err }

// ErrYield is returned when a run used up its time slice (WithSlice): its
// progress is checkpointed and the next Run continues from there. Jobs are
// sliced so that one that runs long is told apart from one lost to a crash.
var ErrYield = errors.New("dsr: time slice used; the run continues from its checkpoint")

type sliceKey struct{}

// WithSlice asks runs under ctx to stop at the first checkpoint after until.
func WithSlice(ctx context.Context, until time.Time) context.Context {
	return context.WithValue(ctx, sliceKey{}, until)
}

func sliceUsed(ctx context.Context) bool {
	until, ok := ctx.Value(sliceKey{}).(time.Time)
	return ok && time.Now().After(until)
}

// run is the state of one Run call.
type run struct {
	s     *Service
	job   Job
	cat   *Catalog
	plan  *dataset.Plan
	sets  map[string]*dataset.Dataset
	tasks map[string]*store.Task // phase/collection
	// pending is progress queued by later; flushed is when it was last written.
	pending []*store.Task
	created []*store.Task // made in memory, not yet written
	flushed time.Time
	found   map[dataset.Address][]connector.Row
	// unsealed are rows found whose task's checkpoint is yet to hold them.
	unsealed map[*store.Task][]connector.Row
	// manifest is the policy in force for an erasure (its erasure rules),
	// at when the run read it; nil erases every personal field.
	manifest *policy.Manifest
	at       time.Time
	// dry runs write nothing, neither to the company's systems nor to
	// Custos' store (Preview); others then counts, per collection, the rows
	// of other people's records that refer to the person's rows, by
	// referencing collection.
	dry    bool
	others map[dataset.Address]map[string]int
}

// Run does what the job asks, resuming from the checkpoints of an earlier
// attempt. It is safe to call again after any error or crash: finished
// collections are not queried again, and erasure continues from its cursor.
func (s *Service) Run(ctx context.Context, job Job) (Outcome, error) {
	out := Outcome{Collections: map[string][]connector.Row{}, Erased: map[string]int64{}, Corrected: map[string]int64{}}
	cat, err := s.Catalog(ctx)
	if err != nil || len(cat.Connections) == 0 {
		return out, err
	}
	r := s.newRun(job, cat)
	defer r.close()
	if r.plan, err = s.PlanFor(cat, job.Identities); err != nil {
		return out, err
	}
	if job.Plan != "" && job.Kind != KindAccess {
		shape, err := r.shape(ctx)
		if err != nil {
			return out, err
		}
		if d := shape.Digest(); d != job.Plan {
			return out, PlanChanged(job.Plan, shape, s.previewed(job.Plan))
		}
	}
	if err := r.loadTasks(ctx); err != nil {
		return out, err
	}
	pending, err := r.access(ctx)
	if err != nil || pending {
		out.Pending = pending
		return out, err
	}
	switch job.Kind {
	case KindAccess:
		out.Described = map[string]Described{}
		for a, rows := range r.found {
			if len(rows) > 0 {
				out.Collections[a.String()] = r.visible(a, rows)
				out.Described[a.String()] = r.described(a)
			}
		}
	case KindErasure, KindCorrection:
		if pending, err = r.write(ctx, &out); err != nil || pending {
			out.Pending = pending
			return out, err
		}
	default:
		return out, fmt.Errorf("dsr: unknown job kind %q", job.Kind)
	}
	r.keptNotes(&out)
	return out, nil
}

func (s *Service) newRun(job Job, cat *Catalog) *run {
	r := &run{s: s, job: job, cat: cat, sets: map[string]*dataset.Dataset{}, tasks: map[string]*store.Task{},
		found: map[dataset.Address][]connector.Row{}, unsealed: map[*store.Task][]connector.Row{}}
	for _, d := range cat.Datasets {
		r.sets[d.Key] = d
	}
	return r
}

// PlanFor plans a run for a person known by these identities.
func (s *Service) PlanFor(cat *Catalog, ids map[string][]string) (*dataset.Plan, error) {
	kinds := make([]string, 0, len(ids))
	for k, v := range ids {
		if len(v) > 0 {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	if len(kinds) == 0 {
		return nil, custos.Errorf(custos.KindInvalid, "no_identity", "A run needs at least one identity of the person.")
	}
	return cat.plan(kinds)
}

// close ends a run. Its connectors stay open in the service's cache for the
// next run.
func (r *run) close() {}

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

func (r *run) collection(a dataset.Address) *dataset.Collection {
	if d := r.sets[a.Dataset]; d != nil {
		return d.Collection(a.Collection)
	}
	return nil
}

// conn opens (once per run) the connector of a dataset; nil with a reason
// when the dataset has no connection.
func (r *run) conn(ctx context.Context, ds string) (connector.Connector, *Connection, error) {
	c, ok := r.cat.Connections[ds]
	if !ok {
		return nil, nil, nil
	}
	cn, err := r.s.connector(ctx, c)
	if err != nil {
		return nil, &c, err
	}
	return cn, &c, nil
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

// maxParallel bounds the queries a run has in flight at once; a SQL
// connection's pool is as small (sqlconn's maxConns).
const maxParallel = 4

// access runs the plan's queries, each collection once with every key its
// inputs found. Steps whose inputs are all known form a wave, and a wave's
// queries run together: each waits on a round trip to its database, not on
// the others. Results are recorded in plan order, as if run one by one.
func (r *run) access(ctx context.Context) (pending bool, err error) {
	r.flushed = time.Now()
	defer func() {
		done := err == nil && !pending && r.job.Kind == KindAccess
		if ferr := r.flushRows(ctx, !done); err == nil {
			err = ferr
		}
	}()
	finished := map[dataset.Address]bool{}
	left := r.plan.Steps
	for len(left) > 0 {
		var wave, later []dataset.Step
		for _, st := range left {
			ready := true
			for _, a := range st.Needs {
				ready = ready && finished[a]
			}
			if ready {
				wave = append(wave, st)
			} else {
				later = append(later, st)
			}
		}
		if len(wave) == 0 {
			return false, fmt.Errorf("dsr: the plan's steps wait on each other: %v", later[0].Address)
		}
		if pending, err := r.accessWave(ctx, wave); err != nil || pending {
			return pending, err
		}
		for _, st := range wave {
			finished[st.Address] = true
		}
		left = later
	}
	return false, nil
}

// parallel calls do(0) … do(n-1), at most maxParallel at once, and returns
// when all have.
func parallel(n int, do func(i int)) {
	if n == 1 {
		do(0)
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallel)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			do(i)
		}()
	}
	wg.Wait()
}

// ask is one lookup of a collection, and its answer.
type ask struct {
	ctx  context.Context // with the call it serves
	conn connector.Connector
	l    connector.Lookup
	rows []connector.Row
	err  error
}

// askAll answers lookups: those through one connector that batches
// (connector.Batcher) in one exchange, the others one by one; at most
// maxParallel exchanges at once.
func askAll(ctx context.Context, as []*ask) {
	var units [][]*ask
	batches := map[connector.Connector]int{}
	for _, a := range as {
		if _, ok := a.conn.(connector.Batcher); ok {
			if i, ok := batches[a.conn]; ok {
				units[i] = append(units[i], a)
				continue
			}
			batches[a.conn] = len(units)
		}
		units = append(units, []*ask{a})
	}
	parallel(len(units), func(i int) {
		u := units[i]
		if len(u) > 1 {
			ls := make([]connector.Lookup, len(u))
			for j, a := range u {
				ls[j] = a.l
			}
			if rows, err := u[0].conn.(connector.Batcher).RetrieveBatch(ctx, ls); err == nil {
				for j, a := range u {
					a.rows = rows[j]
				}
				return
			}
			// Which lookup failed? Asked one by one, each answers for
			// itself.
		}
		for _, a := range u {
			a.rows, a.err = a.conn.Retrieve(a.ctx, a.l.Collection, a.l.Where)
		}
	})
}

// query is one lookup of a wave, its task, and its answer.
type query struct {
	ask
	t   *store.Task
	a   dataset.Address
	url string
}

// accessWave settles the steps of one wave: those already done, skipped or
// without keys at once, the others by querying them together.
func (r *run) accessWave(ctx context.Context, wave []dataset.Step) (pending bool, err error) {
	var qs []*query
	for _, st := range wave {
		a := st.Address
		t := r.tasks[taskKey(PhaseAccess, a)]
		if t == nil {
			return false, fmt.Errorf("dsr: no task for %s", a)
		}
		if t.Status == store.TaskDone && t.Found > 0 && len(t.Checkpoint) == 0 {
			// Done without its rows (flushRows): asked again.
			t.Status = store.TaskPending
		}
		r.askAgain(t)
		switch t.Status {
		case store.TaskDone:
			rows, err := r.rows(t)
			if err != nil {
				return false, err
			}
			r.found[a] = rows
			continue
		case store.TaskSkipped:
			continue
		case store.TaskWaiting:
			return true, nil
		}
		if sliceUsed(ctx) {
			return false, ErrYield
		}
		conn, c, err := r.conn(ctx, a.Dataset)
		if err != nil {
			return false, r.fail(ctx, t, c.URL, err)
		}
		if conn == nil {
			t.Status, t.Note = store.TaskSkipped, "Dataset "+a.Dataset+" has no connection."
			if err := r.later(ctx, t); err != nil {
				return false, err
			}
			continue
		}
		q := &query{t: t, a: a, url: c.URL, ask: ask{ctx: r.call(ctx, t), conn: conn,
			l: connector.Lookup{Collection: r.collection(a), Where: r.where(st)}}}
		if len(q.l.Where) == 0 {
			if err := r.found1(ctx, q); err != nil {
				return false, err
			}
			continue
		}
		if err := r.beforeCall(ctx, conn); err != nil {
			return false, err
		}
		qs = append(qs, q)
	}
	as := make([]*ask, len(qs))
	for i, q := range qs {
		as[i] = &q.ask
	}
	askAll(ctx, as)
	// Answers are recorded in plan order, every one that came; then the
	// first failure is returned.
	var failed *query
	for _, q := range qs {
		switch {
		case errors.Is(q.err, connector.ErrPending):
			q.t.Status = store.TaskWaiting
			if err := r.save(ctx, q.t); err != nil {
				return false, err
			}
			pending = true
		case q.err != nil:
			if failed == nil {
				failed = q
			}
		default:
			if err := r.found1(ctx, q); err != nil {
				return false, err
			}
		}
	}
	if failed != nil {
		return false, r.fail(ctx, failed.t, failed.url, failed.err)
	}
	return pending, nil
}

// askAgain turns a call that has waited too long for its callback back into
// one to send: the answer may have been lost on the way. Task ids name the
// call (and the batch), so a remote system can tell a repeat, and a late
// first answer is still taken.
func (r *run) askAgain(t *store.Task) {
	if t.Status != store.TaskWaiting || r.s.Clock.Now().Sub(t.UpdatedAt) < r.s.AskAgainAfter {
		return
	}
	t.Status, t.Attempts = store.TaskPending, t.Attempts+1
	t.Error = fmt.Sprintf("No answer came within %s; asked again.", r.s.AskAgainAfter)
}

// found1 records the rows one query found; they are sealed into its
// checkpoint when it is written.
func (r *run) found1(ctx context.Context, q *query) error {
	q.t.Status, q.t.Found, q.t.Error, q.t.Checkpoint = store.TaskDone, int64(len(q.rows)), "", nil
	r.unsealed[q.t] = q.rows
	if err := r.later(ctx, q.t); err != nil {
		return err
	}
	r.found[q.a] = q.rows
	return nil
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

// where gathers a step's keys: the person's identities, and the values of
// referenced fields in the rows found so far, deduplicated.
func (r *run) where(st dataset.Step) map[string][]any {
	where := map[string][]any{}
	seen := map[string]map[string]bool{}
	add := func(field string, v any) {
		if v == nil {
			return
		}
		if seen[field] == nil {
			seen[field] = map[string]bool{}
		}
		k := keyOf(v)
		if !seen[field][k] {
			seen[field][k] = true
			where[field] = append(where[field], v)
		}
	}
	for _, in := range st.Inputs {
		if in.IsIdentity() {
			for _, v := range r.job.Identities[in.Identity] {
				add(in.Field, v)
			}
			continue
		}
		for _, row := range r.found[in.From] {
			add(in.Field, row[in.FromField])
		}
	}
	return where
}

// visible keeps the fields a person is shown: personal ones, and those that
// link rows together.
func (r *run) visible(a dataset.Address, rows []connector.Row) []connector.Row {
	c := r.collection(a)
	if c == nil {
		return rows
	}
	keep := map[string]bool{}
	for _, f := range c.Fields {
		keep[f.Name] = f.Personal() || f.Linking()
	}
	out := make([]connector.Row, len(rows))
	for i, row := range rows {
		o := connector.Row{}
		for k, v := range row {
			if keep[k] {
				o[k] = v
			}
		}
		out[i] = o
	}
	return out
}

// described is what visible shows of a collection.
func (r *run) described(a dataset.Address) Described {
	d := Described{Dataset: a.Dataset, System: a.Dataset}
	if ds := r.sets[a.Dataset]; ds != nil {
		if ds.Name != "" {
			d.System = ds.Name
		}
		d.SystemDescription = ds.Description
	}
	if c := r.collection(a); c != nil {
		for _, f := range c.Fields {
			if f.Personal() || f.Linking() {
				d.Fields = append(d.Fields, FieldCategories{Name: f.Name, Categories: f.Categories})
			}
		}
	}
	return d
}

func (r *run) keptNotes(out *Outcome) {
	seen := map[string]bool{}
	for _, phase := range []string{PhaseAccess, PhaseErasure, PhaseCorrection} {
		var keys []string
		for k := range r.tasks {
			if strings.HasPrefix(k, phase+"/") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			t := r.tasks[k]
			if t.Note == "" || seen[t.Collection+t.Note] {
				continue
			}
			if phase == PhaseAccess && t.Status == store.TaskSkipped && t.Found == 0 {
				// Collections a person's identities cannot reach say
				// nothing about them, whatever the request; list them
				// only to operators (Progress).
				continue
			}
			seen[t.Collection+t.Note] = true
			out.Kept = append(out.Kept, Kept{What: t.Collection, Why: t.Note})
		}
	}
}

// Progress lists a request's tasks, for the CLI and the admin API.
func (s *Service) Progress(ctx context.Context, requestID string) ([]store.Task, error) {
	ts, err := s.Store.Tasks(ctx, requestID)
	for i := range ts {
		ts[i].Checkpoint = nil
	}
	return ts, err
}

// Forget drops the rows a finished request found.
func (s *Service) Forget(ctx context.Context, requestID string) error {
	return s.Store.DropCheckpoints(ctx, requestID)
}

func rowKey(row connector.Row, fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = keyOf(row[f])
	}
	return strings.Join(parts, "\x00")
}
