package dataset

import (
	"fmt"
	"strings"
)

// Validate checks a whole set of datasets together, since references may
// cross datasets: keys used twice, references, after and erase_after that
// name nothing, fields without data categories, masking strategies that are
// unknown or do not fit, Redis key templates, and collections that no
// identity can ever reach. The error, when not nil, is Problems. Things
// worth fixing that Fides itself accepts are not errors: see Warnings.
func Validate(sets []*Dataset) error {
	ix, ps := newIndex(sets)
	ps = append(ps, ix.links()...)
	for _, ds := range ix.sets {
		if ix.datasets[ds.Key] != ds {
			continue
		}
		for _, c := range ds.Collections {
			if c == nil || ix.colls[Address{ds.Key, c.Name}] != c {
				continue
			}
			ps = append(ps, checkCollection(ds, c)...)
		}
	}
	ps = append(ps, entryPoints(ix)...)
	if len(ps) == 0 {
		return nil
	}
	return sortProblems(ps)
}

func checkCollection(ds *Dataset, c *Collection) Problems {
	v := &collectionCheck{ds: ds, c: c, self: Address{ds.Key, c.Name}, at: collPos(ds, c)}
	v.masking()
	firstAt := map[string]int{}
	for _, f := range c.Fields {
		if f == nil {
			continue
		}
		if line, dup := firstAt[f.Name]; dup {
			v.add(fieldPos(ds, c, f), v.self.String()+"."+f.Name, fmt.Sprintf("field %s appears twice in %s (first at line %d)", f.Name, v.self, line))
			continue
		}
		firstAt[f.Name] = f.Line
		v.field(f)
	}
	if c.CollectedAt != "" && c.Field(c.CollectedAt) == nil {
		v.add(v.at, v.self.String()+".collected_at", fmt.Sprintf("collected_at names %s, which is not a field of %s", c.CollectedAt, v.self))
	}
	v.redis()
	return v.ps
}

// collectionCheck gathers the problems of one collection.
type collectionCheck struct {
	ds   *Dataset
	c    *Collection
	self Address
	at   pos
	ps   Problems
}

func (v *collectionCheck) add(at pos, path, msg string) {
	v.ps = append(v.ps, problemAt(v.ds.File, at, path, msg))
}

// masking checks the collection's own masking: only delete removes rows.
func (v *collectionCheck) masking() {
	m := v.c.Masking
	if m == nil {
		return
	}
	mat := orPos(pos{m.Line, m.Col}, v.at)
	switch {
	case m.Strategy == MaskDelete:
	case knownStrategy(m.Strategy):
		v.add(mat, v.self.String()+".masking", fmt.Sprintf("a collection can only be masked with delete; set %s on its fields", m.Strategy))
	default:
		v.add(mat, v.self.String()+".masking", unknownStrategy(m.Strategy, true))
	}
}

// field checks one field: its categories, type, length and masking.
func (v *collectionCheck) field(f *Field) {
	fat := fieldPos(v.ds, v.c, f)
	path := v.self.String() + "." + f.Name
	if len(f.Categories) == 0 {
		v.add(fat, path, "no data categories: say what the field holds (for example user.contact.email, or system.operations for bookkeeping)")
	}
	for i, cat := range f.Categories {
		if strings.TrimSpace(cat) == "" {
			v.add(fat, fmt.Sprintf("%s.categories[%d]", path, i), "empty data category")
		}
	}
	if f.DataType != "" && !knownDataType(f.DataType) {
		v.add(fat, path, fmt.Sprintf("unknown data_type %q (string, integer, float, boolean, object_id, object or no_op, with [] for a list)", f.DataType))
	}
	if f.Length < 0 {
		v.add(fat, path, "length must not be negative")
	}
	m := f.Masking
	if m == nil {
		return
	}
	mat := orPos(pos{m.Line, m.Col}, fat)
	mpath := path + ".masking"
	switch {
	case m.Strategy == MaskDelete:
		v.add(mat, mpath, "delete removes whole rows: set it on the collection, not on a field")
	case !knownStrategy(m.Strategy):
		v.add(mat, mpath, unknownStrategy(m.Strategy, false))
	case m.Strategy != MaskNull && nonText(f.DataType):
		v.add(mat, mpath, fmt.Sprintf("%s writes text, but the field holds %s; use null_rewrite", m.Strategy, f.DataType))
	case m.Length < 0:
		v.add(mat, mpath, "length must not be negative")
	}
}

// redis checks a Redis collection's kind and key template.
func (v *collectionCheck) redis() {
	c := v.c
	switch c.Kind {
	case "", "hash", "string":
	default:
		v.add(v.at, v.self.String()+".kind", fmt.Sprintf("kind must be hash or string, not %q", c.Kind))
	}
	if c.Kind != "" && c.Key == "" {
		v.add(v.at, v.self.String()+".kind", "kind is for Redis collections: give the key template too")
	}
	if c.Key == "" {
		return
	}
	names, err := keyFields(c.Key)
	if err != nil {
		v.add(v.at, v.self.String()+".key", err.Error())
	}
	for _, name := range names {
		if c.Field(name) == nil {
			v.add(v.at, v.self.String()+".key", fmt.Sprintf("key template %q names {%s}, which is not a field of %s", c.Key, name, v.self))
		}
	}
}

// KeyFields lists the {field} placeholders of a Redis key template such as
// "customer:{email}", in order.
func KeyFields(template string) ([]string, error) { return keyFields(template) }

func keyFields(template string) ([]string, error) {
	var names []string
	rest := template
	for {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			return names, nil
		}
		if rest[open] == '}' {
			return names, fmt.Errorf("key template %q has a } without {", template)
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return names, fmt.Errorf("key template %q has a { without }", template)
		}
		name := rest[open+1 : open+1+end]
		if name == "" {
			return names, fmt.Errorf("key template %q has an empty {}", template)
		}
		names = append(names, name)
		rest = rest[open+1+end+1:]
	}
}

func knownStrategy(s string) bool {
	switch s {
	case MaskNull, MaskString, MaskRandomString, MaskHMAC, MaskHash:
		return true
	}
	return false
}

func unknownStrategy(s string, collection bool) string {
	if collection {
		return fmt.Sprintf("unknown masking strategy %q: a collection can only be masked with delete", s)
	}
	return fmt.Sprintf("unknown masking strategy %q (null_rewrite, string_rewrite, random_string_rewrite, hmac or hash)", s)
}

// knownDataType accepts Fides' data types, with "[]" for arrays.
func knownDataType(t string) bool {
	switch strings.TrimSuffix(t, "[]") {
	case "string", "integer", "float", "boolean", "object_id", "object", "no_op":
		return true
	}
	return false
}

// nonText reports a data type a text mask cannot be written into.
func nonText(t string) bool {
	switch strings.TrimSuffix(t, "[]") {
	case "integer", "float", "boolean":
		return true
	}
	return false
}

// entryPoints finds collections that no identity declared anywhere in the
// set can reach: no request could ever find their rows, which is almost
// always a missing identity or reference. Collections cut off together are
// reported as one problem, at the first of them.
func entryPoints(ix *index) Problems {
	g := ix.graph()
	reached := map[*gnode]bool{}
	for _, n := range g.discover(nil) {
		reached[n] = true
	}
	var ps Problems
	done := map[*gnode]bool{}
	for _, n := range g.nodes {
		if reached[n] || done[n] {
			continue
		}
		// The group is everything unreached that n is tied to by a
		// reference in either direction.
		group := []*gnode{n}
		done[n] = true
		for i := 0; i < len(group); i++ {
			for _, edges := range [][]gedge{group[i].out, group[i].in} {
				for _, e := range edges {
					for _, m := range []*gnode{e.from, e.to} {
						if !reached[m] && !done[m] {
							done[m] = true
							group = append(group, m)
						}
					}
				}
			}
		}
		first := group[0]
		for _, m := range group[1:] {
			if m.rank < first.rank {
				first = m
			}
		}
		var msg string
		if len(group) == 1 {
			msg = "no identity entry point: the collection has no identity field, and no reference leads here from a collection an identity reaches"
		} else {
			names := make([]string, len(group))
			for i, m := range group {
				names[i] = m.addr.String()
			}
			msg = fmt.Sprintf("no identity entry point for %s: none has an identity field, and no reference leads to them from a collection an identity reaches", strings.Join(names, ", "))
		}
		ps = append(ps, problemAt(first.ds.File, collPos(first.ds, first.c), first.addr.String(), msg))
	}
	return ps
}

// Warnings lists what is legal (Fides accepts it) but likely to bite:
// collections with personal data, no primary key and nothing that selects
// a person's rows alone — no identity field, no reference to a primary
// key — whose rows an erasure can only report; and masking overrides on
// primary keys or references, which are never masked. A collection
// without a primary key that an identity or such a reference selects is
// erased by those values (dsr), so it is no warning.
func Warnings(sets []*Dataset) []Problem {
	ix, _ := newIndex(sets)
	var ps Problems
	for _, ds := range ix.sets {
		if ix.datasets[ds.Key] != ds {
			continue
		}
		for _, c := range ds.Collections {
			if c == nil || c.SkipProcessing {
				continue
			}
			self := Address{ds.Key, c.Name}
			personal := false
			for _, f := range c.Fields {
				if f == nil {
					continue
				}
				personal = personal || f.Personal()
				if f.Masking != nil && f.Linking() {
					ps = append(ps, problemAt(ds.File, orPos(pos{f.Masking.Line, f.Masking.Col}, fieldPos(ds, c, f)), self.String()+"."+f.Name+".masking",
						"primary keys and references are never masked, so that erasure cannot break links; this override has no effect"))
				}
			}
			if personal && len(c.PrimaryKey()) == 0 && !ix.selectable(c) {
				ps = append(ps, problemAt(ds.File, collPos(ds, c), self.String(),
					"no primary key, and neither an identity nor a reference to a primary key selects its rows: an erasure cannot tell a person's rows from others' and only reports them"))
			}
		}
	}
	return sortProblems(ps)
}

// selectable reports whether a collection's rows can be selected by values
// that are one person's alone: an identity field, or a reference to (or
// from) a primary key.
func (ix *index) selectable(c *Collection) bool {
	for _, f := range c.Fields {
		if f == nil {
			continue
		}
		if f.Identity != "" {
			return true
		}
		for _, r := range f.References {
			d := ix.datasets[r.Dataset]
			if d == nil {
				continue
			}
			if t := d.Collection(r.Collection); t != nil {
				if g := t.Field(r.Field); g != nil && g.PrimaryKey {
					return true
				}
			}
		}
	}
	return false
}
