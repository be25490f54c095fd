package dataset

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Plan is the order in which a request for one person queries the
// collections of a set of datasets.
type Plan struct {
	// Identities the plan was made for, sorted.
	Identities []string
	// Steps in an order where every step comes after the steps it takes
	// values from (and after those its collection's after names).
	Steps []Step
	// Unreachable collections: none of the person's identities leads to
	// them, so the request cannot find their rows.
	Unreachable []Unreachable
	// Skipped collections (skip_processing), by address.
	Skipped []Address
	// UnusedIdentities are identities given that no collection takes.
	UnusedIdentities []string
	// Notes explain choices the planner had to make, such as an after
	// that contradicts the flow of values and was set aside.
	Notes []string
}

// Step is one query: the rows of one collection where any input matches.
// Every input of a step is ORed into that one query.
type Step struct {
	Address    Address
	Dataset    *Dataset
	Collection *Collection
	Inputs     []Input
	// Needs lists the steps that must finish before this one, in plan
	// order: those its reference inputs come from, and its after.
	Needs []Address
}

// Input is one way a step finds rows: Field holds the person's identity
// (Identity set), or one of the values FromField held in the rows of From
// found by an earlier step.
type Input struct {
	Field     string
	Identity  string
	From      Address
	FromField string
}

// IsIdentity reports an identity input.
func (in Input) IsIdentity() bool { return in.Identity != "" }

// Unreachable is a collection the plan leaves out, and why.
type Unreachable struct {
	Address Address
	Reason  string
}

// NewPlan plans a request for a person known by the given identity kinds
// (e.g. "email", "loyalty_id").
//
// Collections are nodes; the person's identities are a root that leads to
// every collection with a field holding one of them; a reference from A.f
// to B.g leads from A to B ("to"), from B to A ("from"), or both ways (no
// direction). A breadth-first search from the root, visiting collections by
// dataset key then collection name, fixes the order in which collections are
// first reached. Within a cycle of references, values flow only from the
// collection reached first to the one reached later, as Fides traverses each
// edge in the direction first reached; edges that are on no cycle are all
// kept, so a table referenced by several others waits for all of them
// instead of missing the rows only a later one leads to. The steps are then
// ordered by Kahn's algorithm, earliest reached first among those ready.
//
// The error is for bad input only (no identities, references or after
// naming nothing, dataset keys used twice); unreachable collections are
// listed in the plan, not errors.
func NewPlan(sets []*Dataset, identities []string) (*Plan, error) {
	p := &Plan{}
	known, err := p.setIdentities(identities)
	if err != nil {
		return nil, err
	}
	ix, ps := newIndex(sets)
	ps = append(ps, ix.links()...)
	if len(ps) > 0 {
		return nil, fmt.Errorf("dataset: plan: %w", sortProblems(ps))
	}
	g := ix.graph()
	p.Skipped = g.skipped
	p.UnusedIdentities = unusedIdentities(g, p.Identities)

	fl := newFlow(g, known)
	sorted, notes, err := fl.sort()
	if err != nil {
		return nil, err
	}
	p.Notes = notes
	p.Steps = fl.steps(sorted, known)
	p.Unreachable = fl.unreachable()
	return p, nil
}

// setIdentities keeps the distinct identity kinds, sorted, and returns them
// as a set; a blank kind or none at all is bad input.
func (p *Plan) setIdentities(identities []string) (map[string]bool, error) {
	known := map[string]bool{}
	for _, id := range identities {
		if strings.TrimSpace(id) == "" {
			return nil, errors.New("dataset: plan: an identity kind is empty")
		}
		if !known[id] {
			known[id] = true
			p.Identities = append(p.Identities, id)
		}
	}
	if len(known) == 0 {
		return nil, errors.New("dataset: plan: no identities: a request needs at least one (such as email)")
	}
	sort.Strings(p.Identities)
	return known, nil
}

// unusedIdentities lists the identities (in their order) that no collection
// of the graph has a field for.
func unusedIdentities(g *graph, identities []string) []string {
	taken := map[string]bool{}
	for _, n := range g.nodes {
		for _, f := range identityFields(n.c, nil) {
			taken[f.Identity] = true
		}
	}
	var unused []string
	for _, id := range identities {
		if !taken[id] {
			unused = append(unused, id)
		}
	}
	return unused
}

// unreachableReason says in words why no identity leads to n.
func unreachableReason(n *gnode) string {
	var ids []string
	seen := map[string]bool{}
	for _, f := range identityFields(n.c, nil) {
		if !seen[f.Identity] {
			seen[f.Identity] = true
			ids = append(ids, f.Identity)
		}
	}
	var from []string
	seenFrom := map[Address]bool{}
	for _, e := range n.in {
		if !seenFrom[e.from.addr] {
			seenFrom[e.from.addr] = true
			from = append(from, e.from.addr.String())
		}
	}
	var reason string
	switch {
	case len(ids) > 0:
		reason = fmt.Sprintf("needs identity %s, which this person has not given", strings.Join(ids, " or "))
		if len(from) > 0 {
			reason += fmt.Sprintf(", and the collections that lead here (%s) are not reachable either", strings.Join(from, ", "))
		}
	case len(from) > 0:
		reason = fmt.Sprintf("only %s lead here, and they are not reachable", strings.Join(from, ", "))
		if len(from) == 1 {
			reason = fmt.Sprintf("only %s leads here, and it is not reachable", from[0])
		}
	default:
		reason = "no reference or identity leads here"
	}
	return reason
}

// Step finds the step of a collection, or nil when the plan does not query
// it.
func (p *Plan) Step(a Address) *Step {
	for i := range p.Steps {
		if p.Steps[i].Address == a {
			return &p.Steps[i]
		}
	}
	return nil
}

// ErasureOrder is the order in which to erase the planned collections so
// that foreign keys hold: a collection whose field references another's
// primary key (in either direction) is a child and goes before its parent,
// and erase_after puts a collection after the ones it names. A cycle is
// broken at the collection planned earliest, so the order is always
// complete and always the same for the same plan.
func (p *Plan) ErasureOrder() []Address {
	idx := map[Address]int{}
	for i, s := range p.Steps {
		idx[s.Address] = i
	}
	n := len(p.Steps)
	el := &erasureLinks{succ: make([]map[int]bool, n), indeg: make([]int, n)}
	for i, s := range p.Steps {
		c := s.Collection
		if c == nil {
			continue
		}
		for _, f := range c.Fields {
			if f != nil {
				p.linkReferences(el, idx, i, f)
			}
		}
		for _, a := range c.EraseAfter {
			if j, ok := idx[a]; ok {
				el.link(j, i)
			}
		}
	}
	out := make([]Address, 0, n)
	for _, i := range el.order() {
		out = append(out, p.Steps[i].Address)
	}
	return out
}

// linkReferences links step i, whose field f it is, with the planned steps
// f references: the side that holds the other's primary key goes first.
func (p *Plan) linkReferences(el *erasureLinks, idx map[Address]int, i int, f *Field) {
	for _, r := range f.References {
		j, ok := idx[r.Target()]
		if !ok {
			continue
		}
		target := p.Steps[j].Collection
		if target == nil {
			continue
		}
		g := target.Field(r.Field)
		switch {
		case g != nil && g.PrimaryKey:
			el.link(i, j) // this row points at the target's key: child first
		case f.PrimaryKey:
			el.link(j, i) // the target points at this key
		}
	}
}

// erasureLinks are the "erase before" links between steps, by index.
type erasureLinks struct {
	succ  []map[int]bool
	indeg []int
}

// link says step from is erased before step to; each link counts once.
func (el *erasureLinks) link(from, to int) {
	if from == to {
		return
	}
	if el.succ[from] == nil {
		el.succ[from] = map[int]bool{}
	}
	if !el.succ[from][to] {
		el.succ[from][to] = true
		el.indeg[to]++
	}
}

// order sorts the steps by Kahn's algorithm, lowest index first among the
// ready; when a cycle leaves none ready, the lowest index not done goes
// next, so the order is always complete. It consumes indeg.
func (el *erasureLinks) order() []int {
	n := len(el.indeg)
	done := make([]bool, n)
	out := make([]int, 0, n)
	for len(out) < n {
		pick := -1
		for i := range n {
			if !done[i] && el.indeg[i] == 0 {
				pick = i
				break
			}
		}
		if pick < 0 {
			for i := range n {
				if !done[i] {
					pick = i
					break
				}
			}
		}
		done[pick] = true
		out = append(out, pick)
		for j := range el.succ[pick] {
			el.indeg[j]--
		}
	}
	return out
}

// Format prints the plan for people: numbered steps with their inputs,
// then what cannot be reached and why, then the erasure order.
func (p *Plan) Format(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan for %s: %d %s\n", strings.Join(p.Identities, ", "), len(p.Steps), plural(len(p.Steps), "collection", "collections"))
	width := len(fmt.Sprint(len(p.Steps)))
	for i, s := range p.Steps {
		var ins []string
		for _, in := range s.Inputs {
			if in.IsIdentity() {
				ins = append(ins, fmt.Sprintf("%s = identity %s", in.Field, in.Identity))
				continue
			}
			from := in.From.String()
			if in.From.Dataset == s.Address.Dataset {
				from = in.From.Collection
			}
			ins = append(ins, fmt.Sprintf("%s in %s.%s", in.Field, from, in.FromField))
		}
		fmt.Fprintf(&b, "%*d. %s  where %s\n", width, i+1, s.Address, strings.Join(ins, " or "))
	}
	if len(p.Unreachable) > 0 {
		fmt.Fprintf(&b, "\nUnreachable:\n")
		for _, u := range p.Unreachable {
			fmt.Fprintf(&b, "  %s: %s\n", u.Address, u.Reason)
		}
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(&b, "\nSkipped (skip_processing):\n")
		for _, a := range p.Skipped {
			fmt.Fprintf(&b, "  %s\n", a)
		}
	}
	if len(p.UnusedIdentities) > 0 {
		fmt.Fprintf(&b, "\nNo collection takes identity %s.\n", strings.Join(p.UnusedIdentities, ", "))
	}
	for _, note := range p.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", note)
	}
	if order := p.ErasureOrder(); len(order) > 0 {
		fmt.Fprintf(&b, "\nErasure order:\n")
		for i, a := range order {
			fmt.Fprintf(&b, "%*d. %s\n", width, i+1, a)
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("dataset: printing the plan: %w", err)
	}
	return nil
}

// String is the plan as Format prints it.
func (p *Plan) String() string {
	var b strings.Builder
	_ = p.Format(&b) // a strings.Builder does not fail
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
