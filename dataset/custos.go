package dataset

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// The loader of Custos' own format: a top-level "datasets:" list, the same
// model with plain keys and no fides_meta nesting, plus what only Custos
// uses (Redis key templates, collected_at). It reads through the shared
// YAML layer in yaml.go, as the Fides loader in fides.go does.

// FormatVersion is the optional "custos:" marker of Custos' own format.
const FormatVersion = "dataset/v1"

func (d *decoder) custosDatasets(n ast.Node, path string) []*Dataset {
	var out []*Dataset
	for i, item := range d.list(n, path) {
		if ds := d.custosDataset(item, fmt.Sprintf("%s[%d]", path, i)); ds != nil {
			out = append(out, ds)
		}
	}
	return out
}

func (d *decoder) custosDataset(n ast.Node, path string) *Dataset {
	es, ok := d.entries(n, path)
	if !ok {
		return nil
	}
	at := posOf(n)
	ds := &Dataset{File: d.file, Line: at.line, Col: at.col}
	haveCollections := false
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "key":
			ds.Key = d.str(e.value, p)
		case "name":
			ds.Name = d.str(e.value, p)
		case "description":
			ds.Description = d.str(e.value, p)
		case "after":
			ds.After, _ = d.strList(e.value, p)
		case "collections":
			haveCollections = true
			for i, c := range d.list(e.value, p) {
				if coll := d.custosCollection(c, fmt.Sprintf("%s[%d]", p, i)); coll != nil {
					ds.Collections = append(ds.Collections, coll)
				}
			}
		default:
			d.unknownKey(e, path)
		}
	}
	if ds.Key == "" {
		d.problem(at, path, "missing key")
	}
	if !haveCollections {
		d.problem(at, path, "missing collections")
	}
	// Same-dataset shorthands ("customer.id", "address") are filled in now
	// that the key is known, wherever it was written.
	for _, c := range ds.Collections {
		for i := range c.After {
			if c.After[i].Dataset == "" {
				c.After[i].Dataset = ds.Key
			}
		}
		for i := range c.EraseAfter {
			if c.EraseAfter[i].Dataset == "" {
				c.EraseAfter[i].Dataset = ds.Key
			}
		}
		for _, f := range c.Fields {
			for i := range f.References {
				if f.References[i].Dataset == "" {
					f.References[i].Dataset = ds.Key
				}
			}
		}
	}
	return ds
}

func (d *decoder) custosCollection(n ast.Node, path string) *Collection {
	es, ok := d.entries(n, path)
	if !ok {
		return nil
	}
	at := posOf(n)
	c := &Collection{Line: at.line, Col: at.col}
	haveFields := false
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "name":
			c.Name = d.str(e.value, p)
		case "after":
			c.After, c.afterAt = d.addresses(e.value, p, true)
		case "erase_after":
			c.EraseAfter, c.eraseAfterAt = d.addresses(e.value, p, true)
		case "skip_processing":
			c.SkipProcessing = d.boolean(e.value, p)
		case "masking":
			c.Masking = d.custosMasking(e.value, p)
		case "collected_at":
			c.CollectedAt = d.str(e.value, p)
		case "key":
			c.Key = d.str(e.value, p)
		case "kind":
			c.Kind = d.str(e.value, p)
		case "fields":
			haveFields = true
			for i, item := range d.list(e.value, p) {
				if f := d.custosField(item, fmt.Sprintf("%s[%d]", p, i)); f != nil {
					c.Fields = append(c.Fields, f)
				}
			}
		case "description":
		default:
			d.unknownKey(e, path)
		}
	}
	if c.Name == "" {
		d.problem(at, path, "missing name")
	}
	if !haveFields {
		d.problem(at, path, "missing fields")
	}
	return c
}

func (d *decoder) custosField(n ast.Node, path string) *Field {
	es, ok := d.entries(n, path)
	if !ok {
		return nil
	}
	at := posOf(n)
	f := &Field{Line: at.line, Col: at.col}
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "name":
			f.Name = d.str(e.value, p)
		case "categories":
			f.Categories, _ = d.strList(e.value, p)
		case "identity":
			f.Identity = d.str(e.value, p)
		case "primary_key":
			f.PrimaryKey = d.boolean(e.value, p)
		case "data_type":
			f.DataType = d.str(e.value, p)
		case "length":
			f.Length = d.length(e.value, p)
		case "read_only":
			f.ReadOnly = d.boolean(e.value, p)
		case "masking":
			f.Masking = d.custosMasking(e.value, p)
		case "references":
			for i, r := range d.list(e.value, p) {
				if ref, ok := d.custosReference(r, fmt.Sprintf("%s[%d]", p, i)); ok {
					f.References = append(f.References, ref)
				}
			}
		case "description":
		default:
			d.unknownKey(e, path)
		}
	}
	if f.Name == "" {
		d.problem(at, path, "missing name")
		return nil
	}
	return f
}

// custosReference reads {to: target}, {from: target} or {both: target},
// where target is "dataset:collection.field" or, within the same dataset,
// "collection.field".
func (d *decoder) custosReference(n ast.Node, path string) (Reference, bool) {
	es, ok := d.entries(n, path)
	if !ok {
		return Reference{}, false
	}
	if len(es) != 1 {
		d.problem(posOf(n), path, "a reference is one of to:, from: or both:, naming dataset:collection.field")
		return Reference{}, false
	}
	e := es[0]
	p := path + "." + e.key
	var r Reference
	switch e.key {
	case "to", "from":
		r.Direction = e.key
	case "both":
	default:
		d.unknownKey(e, path)
		return Reference{}, false
	}
	target := d.str(e.value, p)
	at := orPos(posOf(e.value), e.at)
	rest := target
	if ds, after, ok := strings.Cut(target, ":"); ok {
		r.Dataset, rest = ds, after
	}
	coll, fld, ok := strings.Cut(rest, ".")
	if !ok || coll == "" || fld == "" || strings.Contains(target, ":") && r.Dataset == "" {
		d.problem(at, p, fmt.Sprintf("%q is not dataset:collection.field or collection.field", target))
		return Reference{}, false
	}
	r.Collection, r.Field = coll, fld
	r.Line, r.Col = at.line, at.col
	return r, true
}

func (d *decoder) custosMasking(n ast.Node, path string) *Masking {
	if d.isNull(n) {
		return nil
	}
	es, ok := d.entries(n, path)
	if !ok {
		return nil
	}
	at := posOf(n)
	m := &Masking{Line: at.line, Col: at.col}
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "strategy":
			m.Strategy = d.str(e.value, p)
			if sat := posOf(e.value); sat.line > 0 {
				m.Line, m.Col = sat.line, sat.col
			}
		case "value":
			m.Value = d.str(e.value, p)
		case "suffix":
			m.Suffix = d.str(e.value, p)
		case "length":
			m.Length = d.length(e.value, p)
		default:
			d.unknownKey(e, path)
		}
	}
	if m.Strategy == "" {
		d.problem(at, path, "missing strategy")
		return nil
	}
	return m
}
