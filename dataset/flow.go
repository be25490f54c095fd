package dataset

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// flow is the planner's working state for one request: the collections
// reached from the identities, the data edges kept between them, and the
// ordering links (data edges and afters) that the steps are sorted by.
type flow struct {
	g     *graph
	order []*gnode       // collections in the order first reached
	disc  map[*gnode]int // position in order; absent means unreachable
	comp  map[*gnode]int // strongly connected component of each reached node

	inputs map[*gnode][]gedge  // data edges kept, into each node
	succ   map[*gnode][]*gnode // ordering links out of each node
	needs  map[*gnode][]*gnode // ordering links into each node
	indeg  map[*gnode]int      // ordering links not yet satisfied
	dataIn map[*gnode]int      // of those, the data edges
	linked map[flowLink]bool   // every ordering link, once
	after  map[flowLink]bool   // the links that come from an after alone
}

type flowLink struct{ from, to *gnode }

// newFlow discovers what the identities reach and links the reached
// collections: first the data edges that survive the cycle rule, then the
// afters.
func newFlow(g *graph, known map[string]bool) *flow {
	fl := &flow{
		g:      g,
		order:  g.discover(known),
		inputs: map[*gnode][]gedge{},
		succ:   map[*gnode][]*gnode{},
		indeg:  map[*gnode]int{},
		dataIn: map[*gnode]int{},
		linked: map[flowLink]bool{},
		after:  map[flowLink]bool{},
	}
	fl.disc = make(map[*gnode]int, len(fl.order))
	for i, n := range fl.order {
		fl.disc[n] = i
	}
	fl.comp = components(fl.order)
	fl.keepDataEdges()
	fl.linkDataEdges()
	fl.linkAfters()
	fl.needs = map[*gnode][]*gnode{}
	for _, n := range fl.order {
		for _, m := range fl.succ[n] {
			fl.needs[m] = append(fl.needs[m], n)
		}
	}
	return fl
}

// reached reports whether the identities lead to n.
func (fl *flow) reached(n *gnode) bool {
	_, ok := fl.disc[n]
	return ok
}

// keepDataEdges keeps every edge between reached collections except,
// within a cycle, those against the direction first reached: Fides
// traverses each edge of a cycle one way only.
func (fl *flow) keepDataEdges() {
	for _, n := range fl.order {
		for _, e := range n.out {
			m := e.to
			if !fl.reached(m) {
				continue
			}
			if fl.comp[n] == fl.comp[m] && fl.disc[n] > fl.disc[m] {
				continue // against the direction first reached, within a cycle
			}
			fl.inputs[m] = append(fl.inputs[m], e)
		}
	}
}

// linkDataEdges makes each kept data edge one ordering link, however many
// field pairs it joins.
func (fl *flow) linkDataEdges() {
	for _, m := range fl.order {
		for _, e := range fl.inputs[m] {
			if l := (flowLink{e.from, m}); !fl.linked[l] {
				fl.linked[l] = true
				fl.succ[e.from] = append(fl.succ[e.from], m)
				fl.indeg[m]++
				fl.dataIn[m]++
			}
		}
	}
}

// linkAfters adds the collection and dataset afters as ordering links.
func (fl *flow) linkAfters() {
	for _, m := range fl.order {
		for _, a := range m.c.After {
			fl.addAfter(fl.g.byAddr[a], m)
		}
		for _, dsKey := range m.ds.After {
			for _, n := range fl.order {
				if n.addr.Dataset == dsKey {
					fl.addAfter(n, m)
				}
			}
		}
	}
}

// addAfter links from before to; an after only orders collections that are
// queried anyway, and adds nothing where a data edge already links them.
func (fl *flow) addAfter(from, to *gnode) {
	if from == nil || from == to {
		return
	}
	if !fl.reached(from) {
		return
	}
	if l := (flowLink{from, to}); !fl.linked[l] {
		fl.linked[l] = true
		fl.after[l] = true
		fl.succ[from] = append(fl.succ[from], to)
		fl.indeg[to]++
	}
}

// sort orders the reached collections by Kahn's algorithm, earliest reached
// first among the ready, and returns notes for the afters it had to set
// aside. It consumes indeg and dataIn.
func (fl *flow) sort() ([]*gnode, []string, error) {
	done := map[*gnode]bool{}
	var sorted []*gnode
	var notes []string
	for len(sorted) < len(fl.order) {
		pick := fl.firstWaiting(done, fl.indeg)
		if pick == nil {
			// Only an after can close a cycle (the kept data edges run
			// from earlier to later within a cycle, and the components
			// are acyclic among themselves), so some waiting collection
			// waits on afters alone; set those aside.
			pick = fl.firstWaiting(done, fl.dataIn)
			if pick == nil {
				return nil, nil, errors.New("dataset: plan: internal error: the flow of values has a cycle")
			}
			notes = append(notes, fl.afterSetAside(pick, done))
		}
		done[pick] = true
		sorted = append(sorted, pick)
		for _, m := range fl.succ[pick] {
			fl.indeg[m]--
			if !fl.after[flowLink{pick, m}] {
				fl.dataIn[m]--
			}
		}
	}
	return sorted, notes, nil
}

// firstWaiting is the earliest reached collection not yet done that waits
// on nothing by the count given, or nil.
func (fl *flow) firstWaiting(done map[*gnode]bool, waits map[*gnode]int) *gnode {
	for _, n := range fl.order {
		if !done[n] && waits[n] == 0 {
			return n
		}
	}
	return nil
}

// afterSetAside explains that pick goes before the collections its afters
// name that are not done yet.
func (fl *flow) afterSetAside(pick *gnode, done map[*gnode]bool) string {
	var set []string
	for _, from := range fl.needs[pick] {
		if !done[from] && fl.after[flowLink{from, pick}] {
			set = append(set, from.addr.String())
		}
	}
	return fmt.Sprintf("%s is queried before %s although after says otherwise: the afters and the flow of values form a cycle", pick.addr, strings.Join(set, ", "))
}

// steps makes one step of each sorted collection: its identity inputs,
// then its kept data edges, and the links into it that come earlier in the
// plan (a set-aside after comes later and is not a need).
func (fl *flow) steps(sorted []*gnode, known map[string]bool) []Step {
	stepAt := map[*gnode]int{}
	for i, n := range sorted {
		stepAt[n] = i
	}
	var steps []Step
	for _, n := range sorted {
		s := Step{Address: n.addr, Dataset: n.ds, Collection: n.c}
		for _, f := range identityFields(n.c, known) {
			s.Inputs = append(s.Inputs, Input{Field: f.Name, Identity: f.Identity})
		}
		for _, e := range fl.inputs[n] {
			s.Inputs = append(s.Inputs, Input{Field: e.toField, From: e.from.addr, FromField: e.fromField})
		}
		var ns []*gnode
		for _, m := range fl.needs[n] {
			if stepAt[m] < stepAt[n] {
				ns = append(ns, m)
			}
		}
		sort.Slice(ns, func(i, j int) bool { return stepAt[ns[i]] < stepAt[ns[j]] })
		for _, m := range ns {
			s.Needs = append(s.Needs, m.addr)
		}
		steps = append(steps, s)
	}
	return steps
}

// unreachable lists the collections of the graph the identities do not
// lead to, with the reason.
func (fl *flow) unreachable() []Unreachable {
	var out []Unreachable
	for _, n := range fl.g.nodes {
		if !fl.reached(n) {
			out = append(out, Unreachable{Address: n.addr, Reason: unreachableReason(n)})
		}
	}
	return out
}
