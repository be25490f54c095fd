package dataset

import (
	"fmt"
	"sort"
)

// index finds datasets and collections of a set by key. When a key is
// used twice the first one wins; Validate reports the second.
type index struct {
	sets     []*Dataset
	datasets map[string]*Dataset
	colls    map[Address]*Collection
}

func newIndex(sets []*Dataset) (*index, Problems) {
	ix := &index{datasets: map[string]*Dataset{}, colls: map[Address]*Collection{}}
	var ps Problems
	for _, ds := range sets {
		if ds == nil {
			continue
		}
		ix.sets = append(ix.sets, ds)
		dsAt := pos{ds.Line, ds.Col}
		if first, dup := ix.datasets[ds.Key]; dup {
			ps = append(ps, problemAt(ds.File, dsAt, ds.Key, fmt.Sprintf("dataset key %s is already used at %s:%d", ds.Key, first.File, first.Line)))
			continue
		}
		ix.datasets[ds.Key] = ds
		for _, c := range ds.Collections {
			if c == nil {
				continue
			}
			a := Address{Dataset: ds.Key, Collection: c.Name}
			if first, dup := ix.colls[a]; dup {
				ps = append(ps, problemAt(ds.File, orPos(pos{c.Line, c.Col}, dsAt), a.String(),
					fmt.Sprintf("collection %s appears twice in dataset %s (first at line %d)", c.Name, ds.Key, first.Line)))
				continue
			}
			ix.colls[a] = c
		}
	}
	return ix, ps
}

func problemAt(file string, at pos, path, msg string) Problem {
	return Problem{File: file, Line: at.line, Column: at.col, Path: path, Message: msg}
}

// where places a collection's problems.
func collPos(ds *Dataset, c *Collection) pos {
	return orPos(pos{c.Line, c.Col}, pos{ds.Line, ds.Col})
}

func fieldPos(ds *Dataset, c *Collection, f *Field) pos {
	return orPos(pos{f.Line, f.Col}, collPos(ds, c))
}

// links checks that every reference, after and erase_after names something
// that exists: the planner cannot work without that.
func (ix *index) links() Problems {
	var ps Problems
	for _, ds := range ix.sets {
		if ix.datasets[ds.Key] != ds {
			continue // a duplicate, already reported
		}
		for _, other := range ds.After {
			if ix.datasets[other] == nil {
				ps = append(ps, problemAt(ds.File, pos{ds.Line, ds.Col}, ds.Key, fmt.Sprintf("after names unknown dataset %s", other)))
			}
		}
		for _, c := range ds.Collections {
			if c == nil {
				continue
			}
			self := Address{Dataset: ds.Key, Collection: c.Name}
			for _, list := range []struct {
				name  string
				addrs []Address
				at    []pos
			}{{"after", c.After, c.afterAt}, {"erase_after", c.EraseAfter, c.eraseAfterAt}} {
				for i, a := range list.addrs {
					at := collPos(ds, c)
					if i < len(list.at) {
						at = orPos(list.at[i], at)
					}
					path := fmt.Sprintf("%s.%s[%d]", self, list.name, i)
					switch {
					case a == self:
						ps = append(ps, problemAt(ds.File, at, path, list.name+" names the collection itself"))
					case ix.datasets[a.Dataset] == nil:
						ps = append(ps, problemAt(ds.File, at, path, fmt.Sprintf("%s names %s, but there is no dataset %s", list.name, a, a.Dataset)))
					case ix.colls[a] == nil:
						ps = append(ps, problemAt(ds.File, at, path, fmt.Sprintf("%s names %s, but dataset %s has no collection %s", list.name, a, a.Dataset, a.Collection)))
					}
				}
			}
			for _, f := range c.Fields {
				if f == nil {
					continue
				}
				for i, r := range f.References {
					at := orPos(pos{r.Line, r.Col}, fieldPos(ds, c, f))
					path := fmt.Sprintf("%s.%s.references[%d]", self, f.Name, i)
					target := r.Target()
					tc := ix.colls[target]
					switch {
					case r.Direction != "" && r.Direction != "to" && r.Direction != "from":
						ps = append(ps, problemAt(ds.File, at, path, fmt.Sprintf("direction must be to or from, not %q", r.Direction)))
					case ix.datasets[r.Dataset] == nil:
						ps = append(ps, problemAt(ds.File, at, path, fmt.Sprintf("reference to unknown dataset %s", r.Dataset)))
					case tc == nil:
						ps = append(ps, problemAt(ds.File, at, path, fmt.Sprintf("reference to unknown collection %s: dataset %s has no collection %s", target, r.Dataset, r.Collection)))
					case tc.Field(r.Field) == nil:
						ps = append(ps, problemAt(ds.File, at, path, fmt.Sprintf("reference to unknown field %s.%s: collection %s has no field %s", target, r.Field, target, r.Field)))
					}
				}
			}
		}
	}
	return ps
}

// graph is the collections that take part in requests (not
// skip_processing) with the edges along which values flow.
type graph struct {
	nodes   []*gnode // by dataset key, then collection name
	byAddr  map[Address]*gnode
	skipped []Address
}

type gnode struct {
	addr Address
	ds   *Dataset
	c    *Collection
	rank int
	out  []gedge // by target rank, then fields
	in   []gedge
}

// gedge says: values of from.fromField find rows of to where toField holds
// one of them.
type gedge struct {
	from, to           *gnode
	fromField, toField string
}

// newGraph builds the flow graph. References that do not resolve are left
// out (links reports them), as are references to or from skipped
// collections and from a collection to itself, which find nothing new.
func (ix *index) graph() *graph {
	g := &graph{byAddr: map[Address]*gnode{}}
	for _, ds := range ix.sets {
		if ix.datasets[ds.Key] != ds {
			continue
		}
		for _, c := range ds.Collections {
			if c == nil {
				continue
			}
			a := Address{Dataset: ds.Key, Collection: c.Name}
			if ix.colls[a] != c {
				continue
			}
			if c.SkipProcessing {
				g.skipped = append(g.skipped, a)
				continue
			}
			n := &gnode{addr: a, ds: ds, c: c}
			g.nodes = append(g.nodes, n)
			g.byAddr[a] = n
		}
	}
	sort.Slice(g.nodes, func(i, j int) bool { return addrLess(g.nodes[i].addr, g.nodes[j].addr) })
	sort.Slice(g.skipped, func(i, j int) bool { return addrLess(g.skipped[i], g.skipped[j]) })
	for i, n := range g.nodes {
		n.rank = i
	}
	seen := map[gedge]bool{}
	add := func(e gedge) {
		if e.from == e.to || seen[e] {
			return
		}
		seen[e] = true
		e.from.out = append(e.from.out, e)
		e.to.in = append(e.to.in, e)
	}
	for _, n := range g.nodes {
		for _, f := range n.c.Fields {
			if f == nil {
				continue
			}
			for _, r := range f.References {
				m := g.byAddr[r.Target()]
				if m == nil || m.c.Field(r.Field) == nil {
					continue
				}
				if r.Direction != "from" {
					add(gedge{from: n, to: m, fromField: f.Name, toField: r.Field})
				}
				if r.Direction != "to" {
					add(gedge{from: m, to: n, fromField: r.Field, toField: f.Name})
				}
			}
		}
	}
	for _, n := range g.nodes {
		sort.Slice(n.out, func(i, j int) bool { return edgeLess(n.out[i], n.out[j]) })
		sort.Slice(n.in, func(i, j int) bool { return edgeLess(n.in[i], n.in[j]) })
	}
	return g
}

func addrLess(a, b Address) bool {
	if a.Dataset != b.Dataset {
		return a.Dataset < b.Dataset
	}
	return a.Collection < b.Collection
}

func edgeLess(a, b gedge) bool {
	switch {
	case a.from.rank != b.from.rank:
		return a.from.rank < b.from.rank
	case a.to.rank != b.to.rank:
		return a.to.rank < b.to.rank
	case a.fromField != b.fromField:
		return a.fromField < b.fromField
	default:
		return a.toField < b.toField
	}
}

// identityFields lists a collection's fields that hold an identity the
// request knows (all identities when known is nil).
func identityFields(c *Collection, known map[string]bool) []*Field {
	var out []*Field
	for _, f := range c.Fields {
		if f != nil && f.Identity != "" && (known == nil || known[f.Identity]) {
			out = append(out, f)
		}
	}
	return out
}

// discover runs a breadth-first search from the identities: collections
// with a known identity first, by rank, then along value flows. It returns
// the collections reached in the order reached.
func (g *graph) discover(known map[string]bool) []*gnode {
	reached := map[*gnode]bool{}
	var order []*gnode
	for _, n := range g.nodes {
		if len(identityFields(n.c, known)) > 0 {
			reached[n] = true
			order = append(order, n)
		}
	}
	for i := 0; i < len(order); i++ {
		for _, e := range order[i].out {
			if !reached[e.to] {
				reached[e.to] = true
				order = append(order, e.to)
			}
		}
	}
	return order
}

// components labels the strongly connected components of the nodes in
// order (Tarjan's algorithm, iterative so that a long chain of collections
// cannot exhaust the stack), following only edges between those nodes.
func components(order []*gnode) map[*gnode]int {
	in := map[*gnode]bool{}
	for _, n := range order {
		in[n] = true
	}
	index := map[*gnode]int{}
	low := map[*gnode]int{}
	onStack := map[*gnode]bool{}
	comp := map[*gnode]int{}
	var stack []*gnode
	next, ncomp := 0, 0
	type frame struct {
		n *gnode
		i int // next out edge to look at
	}
	for _, root := range order {
		if _, done := index[root]; done {
			continue
		}
		calls := []frame{{n: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			n := top.n
			if top.i < len(n.out) {
				m := n.out[top.i].to
				top.i++
				if !in[m] {
					continue
				}
				if _, seen := index[m]; !seen {
					index[m], low[m] = next, next
					next++
					stack = append(stack, m)
					onStack[m] = true
					calls = append(calls, frame{n: m})
				} else if onStack[m] {
					low[n] = min(low[n], index[m])
				}
				continue
			}
			if low[n] == index[n] {
				for {
					m := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[m] = false
					comp[m] = ncomp
					if m == n {
						break
					}
				}
				ncomp++
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				parent := calls[len(calls)-1].n
				low[parent] = min(low[parent], low[n])
			}
		}
	}
	return comp
}
