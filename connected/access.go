package connected

// The access phase: finding the person's rows in every collection the plan
// reaches, wave by wave, with the queries of a wave in flight together.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/store"
)

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
			out.Kept = append(out.Kept, Kept{What: t.Collection, Why: t.Note, WhyMessage: decodeMessage(t.NoteMessage)})
		}
	}
}

func rowKey(row connector.Row, fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = keyOf(row[f])
	}
	return strings.Join(parts, "\x00")
}
