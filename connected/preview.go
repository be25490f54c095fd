package connected

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/policy"
)

// Preview is what an erasure would do, worked out by the run's own code
// (decide) from the rows the systems hold now, without writing anything.
type Preview struct {
	// Plan is the digest of the plan (PlanShape): approving with it runs
	// that plan or nothing.
	Plan        string              `json:"plan"`
	Collections []CollectionPreview `json:"collections"`
	// Pending is true when a system answers only later (by callback):
	// its collections are not counted.
	Pending bool `json:"pending,omitempty"`
}

// CollectionPreview is one collection of a preview: counts and field
// names, never a personal value.
type CollectionPreview struct {
	System     string `json:"system,omitempty"` // the connection's name
	Collection string `json:"collection"`       // dataset:collection
	// Action is delete, mask, none (nothing personal to write), or skip
	// (read-only, no connection, not reachable: Note says why).
	Action   string         `json:"action"`
	ReadOnly bool           `json:"read_only,omitempty"`
	Fields   []MaskedField  `json:"fields,omitempty"`
	Found    int            `json:"found"`
	Written  int            `json:"written"` // rows deleted or masked, shared ones included
	Shared   int            `json:"shared,omitempty"`
	SharedTo string         `json:"shared_rows,omitempty"` // keep or mask, where rows are shared
	Others   []OthersRows   `json:"others,omitempty"`      // whose rows point at the shared ones
	Retained []RetainedRule `json:"retained"`
	Note     string         `json:"note,omitempty"`
}

// MaskedField is a field an erasure writes and how.
type MaskedField struct {
	Name     string `json:"name"`
	Strategy string `json:"strategy"`
}

// OthersRows counts other people's rows of a collection that refer to the
// person's rows.
type OthersRows struct {
	Collection string `json:"collection"`
	Rows       int    `json:"rows"`
}

// RetainedRule is a field kept by an erasure rule of the manifest, with
// its legal ground and how long (as the rule says, e.g. "P10Y").
type RetainedRule struct {
	Field  string `json:"field"`
	Ground string `json:"ground"`
	Until  string `json:"until"`
}

// PlanShape is what a plan digest covers: for every collection the plan
// reaches, in erasure order, what an erasure does there — by the datasets,
// connections and manifest in force, not by the rows found — and the
// collections it cannot reach. Two shapes with one digest run the same.
type PlanShape struct {
	Identities  []string         `json:"identities"`
	Collections []CollectionRule `json:"collections"`
	Unreachable []string         `json:"unreachable,omitempty"`
}

// CollectionRule is one collection of a plan shape.
type CollectionRule struct {
	Collection string         `json:"collection"`
	System     string         `json:"system,omitempty"`
	Action     string         `json:"action"`
	Fields     []MaskedField  `json:"fields,omitempty"`
	Select     []string       `json:"select,omitempty"`      // fields that select rows where no key is declared
	SharedRows string         `json:"shared_rows,omitempty"` // keep or mask, where others may refer to rows
	Retained   []RetainedRule `json:"retained,omitempty"`
	Note       string         `json:"note,omitempty"`
	// readOnly says the connection cannot write: the preview says so
	// whatever the note's words.
	readOnly bool
}

// Digest names a shape: a hash of its canonical JSON.
func (p PlanShape) Digest() string {
	b, _ := json.Marshal(p) // plain strings and slices: cannot fail
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// Changes names what differs from an earlier shape, for an officer.
func (p PlanShape) Changes(old PlanShape) []string {
	var out []string
	was := map[string]CollectionRule{}
	for _, c := range old.Collections {
		was[c.Collection] = c
	}
	now := map[string]bool{}
	for _, c := range p.Collections {
		now[c.Collection] = true
		o, ok := was[c.Collection]
		switch {
		case !ok:
			out = append(out, c.Collection+" is new in the plan ("+c.Action+")")
		case o.Action != c.Action:
			out = append(out, fmt.Sprintf("%s: %s, was %s", c.Collection, c.Action, o.Action))
		case !slices.Equal(o.Fields, c.Fields) || !slices.Equal(o.Select, c.Select):
			out = append(out, c.Collection+": the fields written changed (its dataset was imported again)")
		case o.SharedRows != c.SharedRows:
			out = append(out, fmt.Sprintf("%s: shared rows %s, was %s", c.Collection, c.SharedRows, o.SharedRows))
		case !slices.Equal(o.Retained, c.Retained):
			out = append(out, c.Collection+": the erasure rules that retain fields changed")
		case o.System != c.System || o.Note != c.Note:
			out = append(out, c.Collection+": its connection changed")
		}
	}
	for _, c := range old.Collections {
		if !now[c.Collection] {
			out = append(out, c.Collection+" is no longer in the plan")
		}
	}
	if !slices.Equal(p.Identities, old.Identities) {
		out = append(out, "the person's identities changed")
	}
	if !slices.Equal(p.Unreachable, old.Unreachable) && len(out) == 0 {
		out = append(out, "the collections the plan cannot reach changed")
	}
	return out
}

// CodePlanChanged is the error code of an approval or run whose previewed
// plan is no longer the plan in force.
const CodePlanChanged = "plan_changed"

// PlanChanged is the error for a plan digest that is not the plan in
// force, naming what changed when the previewed shape is known (old).
func PlanChanged(digest string, now PlanShape, old *PlanShape) error {
	what := "Preview it again."
	if old != nil {
		if ch := now.Changes(*old); len(ch) > 0 {
			what = strings.Join(ch, "; ") + ". Preview it again."
		}
	}
	return custos.Errorf(custos.KindConflict, CodePlanChanged, "The erasure plan changed since the preview (%s, now %s): %s", digest, now.Digest(), what)
}

// PlanDigest checks a digest against the erasure plan in force for these
// identities: nil when it is that plan, else PlanChanged.
func (s *Service) PlanDigest(ctx context.Context, ids map[string][]string, digest string) error {
	shape, err := s.PlanShape(ctx, ids)
	if err != nil {
		return err
	}
	if shape.Digest() != digest {
		return PlanChanged(digest, shape, s.previewed(digest))
	}
	return nil
}

// Preview works out what an erasure of job's person would do. It reads
// the connected systems as the run's access phase does, and writes
// nothing: no row, no task, no checkpoint.
func (s *Service) Preview(ctx context.Context, job Job) (Preview, error) {
	job.Kind = KindErasure
	out := Preview{Collections: []CollectionPreview{}}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return out, err
	}
	r := s.newRun(job, cat)
	r.dry, r.others = true, map[dataset.Address]map[string]int{}
	shape, err := r.shape(ctx)
	if err != nil || r.plan == nil {
		return out, err
	}
	out.Plan = shape.Digest()
	s.remember(shape)
	if err := r.loadTasks(ctx); err != nil {
		return out, err
	}
	if out.Pending, err = r.access(ctx); err != nil {
		return out, err
	}
	for _, rule := range shape.Collections {
		a, _ := dataset.ParseAddress(rule.Collection)
		cp := CollectionPreview{System: rule.System, Collection: rule.Collection, Action: rule.Action,
			Fields: rule.Fields, Found: len(r.found[a]), Retained: rule.Retained, Note: rule.Note}
		if cp.Retained == nil {
			cp.Retained = []RetainedRule{}
		}
		cp.ReadOnly = rule.readOnly
		if t := r.tasks[taskKey(PhaseAccess, a)]; t != nil && t.Note != "" && cp.Found == 0 {
			cp.Note = t.Note
		}
		if cp.Found > 0 && !out.Pending {
			w, err := r.decide(ctx, PhaseErasure, a)
			if err != nil {
				return out, &Failure{Collection: rule.Collection, Err: fmt.Errorf("%s", scrub(err, w.url))}
			}
			if !w.skip {
				cp.Written = len(w.rows)
			}
			if w.note != "" {
				cp.Note = w.note
			}
			cp.Shared = w.shared
			if w.shared > 0 {
				cp.SharedTo = policy.SharedKeep
				if w.maskShared {
					cp.SharedTo = policy.SharedMask
				}
				for from, n := range r.others[a] {
					cp.Others = append(cp.Others, OthersRows{Collection: from, Rows: n})
				}
				sort.Slice(cp.Others, func(i, j int) bool { return cp.Others[i].Collection < cp.Others[j].Collection })
			}
		}
		out.Collections = append(out.Collections, cp)
	}
	for _, u := range r.plan.Unreachable {
		out.Collections = append(out.Collections, CollectionPreview{System: r.cat.Connections[u.Address.Dataset].Name,
			Collection: u.Address.String(), Action: "skip", Retained: []RetainedRule{}, Note: u.Reason})
	}
	return out, nil
}

// PlanShape is the shape of the erasure plan for a person known by these
// identities (see PlanShape); zero without connected systems.
func (s *Service) PlanShape(ctx context.Context, ids map[string][]string) (PlanShape, error) {
	cat, err := s.Catalog(ctx)
	if err != nil {
		return PlanShape{}, err
	}
	r := s.newRun(Job{Kind: KindErasure, Identities: ids}, cat)
	r.dry = true
	return r.shape(ctx)
}

// shape plans the run (r.plan) and describes what its erasure does in
// each collection, whatever the rows.
func (r *run) shape(ctx context.Context) (PlanShape, error) {
	var p PlanShape
	if len(r.cat.Connections) == 0 {
		return p, nil
	}
	var err error
	if r.plan, err = r.s.PlanFor(r.cat, r.job.Identities); err != nil {
		return p, err
	}
	for k, v := range r.job.Identities {
		if len(v) > 0 {
			p.Identities = append(p.Identities, k)
		}
	}
	sort.Strings(p.Identities)
	var m *policy.Manifest
	if r.s.Policy != nil {
		if m, err = r.s.Policy(ctx); err != nil {
			return p, fmt.Errorf("dsr: the policy in force: %w", err)
		}
	}
	for _, a := range r.plan.ErasureOrder() {
		rule, err := r.rule(ctx, a, m)
		if err != nil {
			return p, err
		}
		p.Collections = append(p.Collections, rule)
	}
	for _, u := range r.plan.Unreachable {
		p.Unreachable = append(p.Unreachable, u.Address.String())
	}
	return p, nil
}

// rule is what decide does with a collection, as far as the rows found do
// not change it.
func (r *run) rule(ctx context.Context, a dataset.Address, m *policy.Manifest) (CollectionRule, error) {
	out := CollectionRule{Collection: a.String(), Action: "skip"}
	coll := r.collection(a)
	conn, c, err := r.conn(ctx, a.Dataset)
	if err != nil {
		return out, &Failure{Collection: a.String(), Err: fmt.Errorf("%s", scrub(err, c.URL))}
	}
	if c != nil {
		out.System = c.Name
	}
	switch {
	case conn == nil || coll == nil:
		out.Note = "No connection reaches this collection."
		return out, nil
	case c.ReadOnly:
		out.Note, out.readOnly = "Not erased: the connection is read-only.", true
		return out, nil
	}
	del := coll.Masking != nil && coll.Masking.Strategy == dataset.MaskDelete
	fields := r.targetFields(PhaseErasure, coll)
	// The manifest's erasure rules, as the run applies them (decide): a
	// row holding a retained field is masked, not deleted. The digest
	// covers the rule (its ground and how long), not the day it ends.
	if ret, ok := retentionOf(m, a, coll, time.Now()); ok {
		del = false
		for _, f := range ret.Fields {
			rr := RetainedRule{Field: f.Field, Ground: f.Ground}
			if rule, _, found := m.ErasureOf(f.Category, "", time.Now()); found {
				rr.Until = rule.For
			}
			out.Retained = append(out.Retained, rr)
		}
		if len(fields) == 0 {
			out.Action, out.Note = "none", fmt.Sprintf("Kept by the policy's erasure rules: %s.", retainedNames(ret))
			return out, nil
		}
	}
	if !del && len(fields) == 0 {
		out.Action = "none"
		return out, nil
	}
	strat := strategy
	if len(coll.PrimaryKey()) == 0 {
		if _, ok := conn.(connector.Selector); !ok {
			out.Note = "Not erased: the dataset declares no primary key for this collection, so its rows cannot be told apart."
			return out, nil
		}
		sel := r.selector(a)
		if len(sel.fields) == 0 {
			out.Note = "Not erased: the dataset declares no primary key for this collection, and its rows are found only by values not unique to the person."
			return out, nil
		}
		out.Select, strat = sel.fields, sel.strategy
	} else if len(r.incoming(a)) > 0 && len(fields) > 0 {
		out.SharedRows = policy.SharedKeep
		if m != nil {
			out.SharedRows = m.SharedRowsOf(a.String())
		}
	}
	out.Action = "mask"
	if del {
		out.Action = "delete"
	}
	for _, f := range fields {
		out.Fields = append(out.Fields, MaskedField{Name: f.Name, Strategy: strat(coll, f).Strategy})
	}
	return out, nil
}
