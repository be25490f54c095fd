package connected

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/store"
)

// Expiry is a retention rule as connected systems apply it: a field of
// this category in a row collected before Cutoff has expired.
type Expiry struct {
	Category string
	Cutoff   time.Time
	Rule     string // in words, for reports: "13 months after collection"
}

// SweepLine is what a sweep did (or would do) in one collection.
type SweepLine struct {
	Collection string    `json:"collection"`
	Fields     []string  `json:"fields,omitempty"`
	Cutoff     time.Time `json:"cutoff"`
	Rule       string    `json:"rule"`
	Rows       int64     `json:"rows"`
	Deleted    bool      `json:"deleted,omitempty"`
	Kept       int64     `json:"kept_for_holds,omitempty"`
	Note       string    `json:"note,omitempty"`
}

// sweepPage is how many rows one page of a sweep reads and writes.
const sweepPage = 1000

// Sweep erases, in every connected collection whose dataset names the
// field that holds when a row was collected, the personal fields whose
// category a rule has expired (or the whole row, where the collection is
// erased by deletion). Rows of people under a legal hold are kept: held
// lists each held person's identities, and their rows are found the way a
// request would find them. With dryRun it counts and writes nothing.
func (s *Service) Sweep(ctx context.Context, actor string, exps []Expiry, held []map[string][]string, dryRun bool) ([]SweepLine, error) {
	cat, err := s.Catalog(ctx)
	if err != nil || len(cat.Connections) == 0 {
		return nil, err
	}
	keep, err := s.heldRows(ctx, cat, held)
	if err != nil {
		return nil, err
	}
	var out []SweepLine
	for _, d := range cat.Datasets {
		c, ok := cat.Connections[d.Key]
		if !ok {
			continue
		}
		for _, coll := range d.Collections {
			if coll.CollectedAt == "" || coll.SkipProcessing {
				continue
			}
			lines, err := s.sweepCollection(ctx, c, d, coll, exps, keep[dataset.Address{Dataset: d.Key, Collection: coll.Name}], dryRun)
			if err != nil {
				return out, fmt.Errorf("dsr: sweep %s:%s: %w", d.Key, coll.Name, err)
			}
			out = append(out, lines...)
		}
	}
	var rows int64
	for _, l := range out {
		rows += l.Rows
	}
	err = s.Store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.Audit.Append(ctx, tx, audit.Record{Actor: actor, Action: "retention.sweep_connected", Object: "connections",
			Detail: map[string]any{"dry_run": dryRun, "collections": len(out), "rows": rows}})
		return err
	})
	return out, err
}

// rule finds the expiry for a category: its own, else the nearest broader
// category's.
func rule(exps []Expiry, category string) (Expiry, bool) {
	for c := category; c != ""; {
		for _, e := range exps {
			if e.Category == c {
				return e, true
			}
		}
		i := strings.LastIndexByte(c, '.')
		if i < 0 {
			break
		}
		c = c[:i]
	}
	return Expiry{}, false
}

// sweepGroup is the personal fields of a collection that expire at one
// cutoff, under the rule that names it.
type sweepGroup struct {
	cutoff time.Time
	rule   string
	fields []*dataset.Field
}

// groupByCutoff groups the personal fields of coll by cutoff: a field with
// several categories is kept as long as the longest of their rules says. It
// returns the groups, oldest cutoff first, and the oldest rule (nil when
// no field has one).
func groupByCutoff(coll *dataset.Collection, exps []Expiry) ([]*sweepGroup, *Expiry) {
	groups := map[time.Time]*sweepGroup{}
	var oldest *Expiry
	for _, f := range coll.Fields {
		if !f.Personal() || f.Linking() || f.ReadOnly || f.Name == coll.CollectedAt {
			continue
		}
		var (
			best  Expiry
			found bool
		)
		for _, cat := range f.Categories {
			if e, ok := rule(exps, cat); ok && (!found || e.Cutoff.Before(best.Cutoff)) {
				best, found = e, true
			}
		}
		if !found {
			continue // no rule: kept, as the policy says nothing of it
		}
		g := groups[best.Cutoff]
		if g == nil {
			g = &sweepGroup{cutoff: best.Cutoff, rule: best.Rule}
			groups[best.Cutoff] = g
		}
		g.fields = append(g.fields, f)
		if oldest == nil || best.Cutoff.Before(oldest.Cutoff) {
			b := best
			oldest = &b
		}
	}
	out := make([]*sweepGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cutoff.Before(out[j].cutoff) })
	return out, oldest
}

func (s *Service) sweepCollection(ctx context.Context, c Connection, d *dataset.Dataset, coll *dataset.Collection, exps []Expiry,
	keep map[string]bool, dryRun bool) ([]SweepLine, error) {
	addr := dataset.Address{Dataset: d.Key, Collection: coll.Name}.String()
	groups, oldest := groupByCutoff(coll, exps)
	if len(groups) == 0 {
		return nil, nil
	}
	conn, err := s.connector(ctx, c)
	if err != nil {
		return nil, err
	}
	ranger, ok := conn.(connector.Ranger)
	pk := coll.PrimaryKey()
	switch {
	case !ok:
		return []SweepLine{{Collection: addr, Note: "Not swept: this kind of connection cannot list rows by when they were collected."}}, nil
	case len(pk) == 0:
		return []SweepLine{{Collection: addr, Note: "Not swept: the dataset declares no primary key for this collection."}}, nil
	case c.ReadOnly && !dryRun:
		return []SweepLine{{Collection: addr, Note: "Not swept: the connection is read-only."}}, nil
	}
	if coll.Masking != nil && coll.Masking.Strategy == dataset.MaskDelete {
		// A row goes when its longest-kept field has expired.
		line := SweepLine{Collection: addr, Cutoff: oldest.Cutoff, Rule: oldest.Rule, Deleted: true}
		err := s.walk(ctx, ranger, coll, oldest.Cutoff, pk, keep, &line, func(rows []connector.Row) (int64, error) {
			if dryRun {
				return int64(len(rows)), nil
			}
			return conn.Delete(ctx, coll, keys(rows, pk))
		})
		return []SweepLine{line}, err
	}
	var out []SweepLine
	for _, g := range groups {
		line := SweepLine{Collection: addr, Cutoff: g.cutoff, Rule: g.rule}
		for _, f := range g.fields {
			line.Fields = append(line.Fields, f.Name)
		}
		err := s.walk(ctx, ranger, coll, g.cutoff, pk, keep, &line, func(rows []connector.Row) (int64, error) {
			changes, err := s.maskChanges(coll, g.fields, rows, pk)
			if err != nil {
				return 0, err
			}
			if dryRun || len(changes) == 0 {
				return int64(len(changes)), nil
			}
			return conn.Update(ctx, coll, changes)
		})
		if err != nil {
			return out, err
		}
		out = append(out, line)
	}
	return out, nil
}

// maskChanges are the updates that mask fields in rows. Only rows that
// still hold something to erase count: a rerun, or a row erased before,
// is not erased again.
func (s *Service) maskChanges(coll *dataset.Collection, fields []*dataset.Field, rows []connector.Row, pk []string) ([]connector.Change, error) {
	var changes []connector.Change
	for _, row := range rows {
		set := connector.Row{}
		for _, f := range fields {
			v, err := s.mask(strategy(coll, f), f, row[f.Name])
			if err != nil {
				return nil, err
			}
			if keyOf(v) != keyOf(row[f.Name]) && !(strategy(coll, f).Strategy == dataset.MaskRandomString && row[f.Name] == nil) {
				set[f.Name] = v
			}
		}
		if len(set) > 0 {
			changes = append(changes, connector.Change{Key: keys([]connector.Row{row}, pk)[0], Set: set})
		}
	}
	return changes, nil
}

// walk pages through the rows collected before cutoff and hands each page,
// less the rows of held people, to do.
func (s *Service) walk(ctx context.Context, r connector.Ranger, coll *dataset.Collection, cutoff time.Time, pk []string,
	keep map[string]bool, line *SweepLine, do func([]connector.Row) (int64, error)) error {
	var after connector.Row
	for {
		rows, err := r.Before(ctx, coll, coll.CollectedAt, cutoff, after, sweepPage)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		after = keys(rows[len(rows)-1:], pk)[0]
		var todo []connector.Row
		for _, row := range rows {
			if keep[rowKey(row, pk)] {
				line.Kept++
				continue
			}
			todo = append(todo, row)
		}
		if len(todo) > 0 {
			n, err := do(todo)
			if err != nil {
				return err
			}
			line.Rows += n
		}
		if len(rows) < sweepPage {
			return nil
		}
	}
}

func keys(rows []connector.Row, pk []string) []connector.Row {
	out := make([]connector.Row, len(rows))
	for i, row := range rows {
		k := connector.Row{}
		for _, f := range pk {
			k[f] = row[f]
		}
		out[i] = k
	}
	return out
}

// heldRows finds, for each held person, their rows in every connected
// collection, by the same traversal an access request makes, and returns
// their primary keys by collection.
func (s *Service) heldRows(ctx context.Context, cat *Catalog, held []map[string][]string) (map[dataset.Address]map[string]bool, error) {
	out := map[dataset.Address]map[string]bool{}
	for _, ids := range held {
		h := sha256.New()
		for _, k := range sortedIdentityKinds(ids) {
			fmt.Fprintf(h, "%s=%s;", k, strings.Join(ids[k], ","))
		}
		id := "hold-" + hex.EncodeToString(h.Sum(nil))[:24] + "-" + fmt.Sprint(s.Clock.Now().UnixNano())
		r := s.newRun(Job{RequestID: id, Kind: KindAccess, Identities: ids}, cat)
		plan, err := s.PlanFor(cat, ids)
		if err != nil {
			r.close()
			return nil, err
		}
		r.plan = plan
		err = r.loadTasks(ctx)
		if err == nil {
			_, err = r.access(ctx)
		}
		r.close()
		if derr := s.Store.DeleteTasks(ctx, id); err == nil {
			err = derr
		}
		if err != nil {
			return nil, err
		}
		for a, rows := range r.found {
			coll := r.collection(a)
			if coll == nil {
				continue
			}
			pk := coll.PrimaryKey()
			if out[a] == nil {
				out[a] = map[string]bool{}
			}
			for _, row := range rows {
				out[a][rowKey(row, pk)] = true
			}
		}
	}
	return out, nil
}

func sortedIdentityKinds(ids map[string][]string) []string {
	out := make([]string, 0, len(ids))
	for k := range ids {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
