package connected

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
	// Only, when set, scopes the run to the collections it accepts
	// ("dataset:collection"): every collection is still read, since the
	// person is reached through the others, but only these are written
	// and answered for. A controller's instruction runs so over the
	// collections held for it, under a run id of its own, so the tasks of
	// the person's first run do not make it a no-op. Nil takes all.
	Only func(collection string) bool
	// From, when set, names an earlier run of the same person (the
	// request's own) whose access checkpoints this run starts from: an
	// erasure that ran since blanked the identities that reached the rows
	// (the email on a customer row), so asking again would find nothing.
	// Collections whose rows it no longer holds are asked as usual.
	From string
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
	// WhyMessage is Why as a catalogue message, for the person's answer in
	// their language; zero where there is none (a task noted before
	// messages existed, or the caller's own words).
	WhyMessage Message
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
	if err := r.startFrom(ctx); err != nil {
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
			if len(rows) > 0 && r.takes(a) {
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

// startFrom seeds the access tasks not yet done with the rows the run
// Job.From found, sealed anew under this run's tasks.
func (r *run) startFrom(ctx context.Context) error {
	if r.job.From == "" || r.dry {
		return nil
	}
	ts, err := r.s.Store.Tasks(ctx, r.job.From)
	if err != nil {
		return err
	}
	for i := range ts {
		from := &ts[i]
		if from.Phase != PhaseAccess || from.Status != store.TaskDone || len(from.Checkpoint) == 0 {
			continue
		}
		a, ok := dataset.ParseAddress(from.Collection)
		t := r.tasks[taskKey(PhaseAccess, a)]
		if !ok || t == nil || t.Status != store.TaskPending {
			continue
		}
		rows, err := r.rows(from)
		if err != nil {
			return fmt.Errorf("dsr: the rows of run %s: %w", r.job.From, err)
		}
		if err := r.seal(t, rows); err != nil {
			return err
		}
		r.queue(t)
	}
	return r.flush(ctx)
}

// takes says whether a is in the run's scope (Job.Only).
func (r *run) takes(a dataset.Address) bool {
	return r.job.Only == nil || r.job.Only(a.String())
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
