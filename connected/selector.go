package connected

import (
	"fmt"
	"slices"
	"strings"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// selection is how the rows of a collection whose dataset declares no
// primary key are written: by the values that found them. Only values
// unique to the person select: their identity, or a reference from a
// primary key of a row of theirs. A row of someone else that holds one of
// those values is theirs as much, so anything else is kept and reported.
type selection struct {
	fields []string                   // selecting fields, in plan order
	values map[string]map[string]bool // field → keyOf(value) the person's rows were found by
	weak   []string                   // fields that found rows but are not unique to the person
}

// selector works out the selection of a's rows from the plan step that
// found them.
func (r *run) selector(a dataset.Address) selection {
	sel := selection{values: map[string]map[string]bool{}}
	for _, st := range r.plan.Steps {
		if st.Address != a {
			continue
		}
		where := r.where(st)
		for _, in := range st.Inputs {
			if !r.uniqueInput(in) {
				if !slices.Contains(sel.weak, in.Field) {
					sel.weak = append(sel.weak, in.Field)
				}
				continue
			}
			if sel.values[in.Field] == nil {
				sel.fields = append(sel.fields, in.Field)
				sel.values[in.Field] = map[string]bool{}
			}
			for _, v := range where[in.Field] {
				sel.values[in.Field][keyOf(v)] = true
			}
		}
	}
	return sel
}

// uniqueInput reports whether an input's values are the person's alone: an
// identity, or the primary key of a row found for them.
func (r *run) uniqueInput(in dataset.Input) bool {
	if in.IsIdentity() {
		return true
	}
	from := r.collection(in.From)
	if from == nil {
		return false
	}
	pk := from.PrimaryKey()
	return len(pk) == 1 && pk[0] == in.FromField
}

// key is the key that writes row: the first selecting field whose value in
// the row found it, and, for masks that differ per value (random strings,
// HMACs), the row's own value of each such field, so that each value gets
// its own mask. ok is false for a row no selecting field found.
func (sel selection) key(c *dataset.Collection, fields []*dataset.Field, row connector.Row, masks bool) (connector.Row, bool) {
	for _, name := range sel.fields {
		v := row[name]
		if v == nil || !sel.values[name][keyOf(v)] {
			continue
		}
		k := connector.Row{name: v}
		if masks {
			for _, f := range fields {
				if perValue(sel.strategy(c, f)) && row[f.Name] != nil {
					k[f.Name] = row[f.Name]
				}
			}
		}
		return k, true
	}
	return nil, false
}

// strategy is the masking of f in a selected collection: as anywhere,
// except that a selecting field left to the default (NULL) gets an HMAC.
// The value that selects the rows is often part of a key the database
// keeps NOT NULL and unique (Fides' visit: email and time); its HMAC under
// the instance's secret keeps both and is no longer the person's address.
func (sel selection) strategy(c *dataset.Collection, f *dataset.Field) dataset.Masking {
	m := strategy(c, f)
	if f.Masking == nil && m.Strategy == dataset.MaskNull && sel.values[f.Name] != nil {
		return dataset.Masking{Strategy: dataset.MaskHMAC}
	}
	return m
}

// perValue reports masks that give each value its own result.
func perValue(m dataset.Masking) bool {
	switch m.Strategy {
	case dataset.MaskRandomString, dataset.MaskHMAC, dataset.MaskHash:
		return true
	}
	return false
}

// selected splits the rows found into those a selection writes, with
// their keys, and the count it cannot reach.
func (sel selection) selected(c *dataset.Collection, fields []*dataset.Field, rows []connector.Row, masks bool) (keep []connector.Row, keys []connector.Row, unreached int) {
	for _, row := range rows {
		k, ok := sel.key(c, fields, row, masks)
		if !ok {
			unreached++
			continue
		}
		keep, keys = append(keep, row), append(keys, k)
	}
	return keep, keys, unreached
}

// unkeyedMasks drops from changes the per-value masks of fields a key does
// not name: the row's value was nil, so there is nothing to mask, and
// writing the nil to every row the key selects would undo the masks the
// other keys give.
func (sel selection) unkeyedMasks(c *dataset.Collection, changes []connector.Change) []connector.Change {
	out := changes[:0]
	for _, ch := range changes {
		for name := range ch.Set {
			if _, keyed := ch.Key[name]; !keyed && perValue(sel.strategy(c, c.Field(name))) {
				delete(ch.Set, name)
			}
		}
		if len(ch.Set) > 0 {
			out = append(out, ch)
		}
	}
	return out
}

// distinct keeps the first row of each key: rows a key cannot tell apart
// are one write (a random mask given twice to one key would contradict
// itself).
func distinct(rows, keys []connector.Row) ([]connector.Row, []connector.Row) {
	seen := map[string]bool{}
	var outRows, outKeys []connector.Row
	for i, k := range keys {
		names := make([]string, 0, len(k))
		for n := range k {
			names = append(names, n)
		}
		slices.Sort(names)
		var b strings.Builder
		for _, n := range names {
			b.WriteString(n + "\x00" + keyOf(k[n]) + "\x00")
		}
		if seen[b.String()] {
			continue
		}
		seen[b.String()] = true
		outRows, outKeys = append(outRows, rows[i]), append(outKeys, k)
	}
	return outRows, outKeys
}

// notUniqueNote explains rows kept because only values that are not the
// person's alone found them, in English and as a message.
func (sel selection) notUniqueNote(verb string, n int) (string, Message) {
	return fmt.Sprintf("%d rows not %s: the dataset declares no primary key for this collection, and they were found only by %s, which is not unique to the person.",
			n, verb, strings.Join(sel.weak, ", ")),
		note("answer.system.not_unique."+verb, "count", n, "fields", strings.Join(sel.weak, ", "))
}
