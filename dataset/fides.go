package dataset

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// The loader of Fides' format: a top-level "dataset:" list, fields nested
// under fields, and what the traversal needs under fides_meta (identities,
// references, after, masking overrides). Fides' files are read unchanged;
// keys Fides knows and Custos does not use are accepted and ignored. It
// reads through the shared YAML layer in yaml.go (internal/yamlpos' guard
// and Problem underneath), as the Custos loader in custos.go does.

// fidesResource names the kind of Fides file a top-level key belongs to, or
// "" when it is none of Fides'.
func fidesResource(key string) string {
	switch key {
	case "data_category", "data_use", "data_subject", "data_qualifier":
		return "fideslang taxonomy file"
	case "system", "organization", "policy", "registry", "evaluation":
		return "Fides " + key + " file"
	}
	return ""
}

func (d *decoder) fidesDatasets(n ast.Node, path string) []*Dataset {
	var out []*Dataset
	for i, item := range d.list(n, path) {
		if ds := d.fidesDataset(item, fmt.Sprintf("%s[%d]", path, i)); ds != nil {
			out = append(out, ds)
		}
	}
	return out
}

func (d *decoder) fidesDataset(n ast.Node, path string) *Dataset {
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
		case "fides_key":
			ds.Key = d.str(e.value, p)
		case "name":
			ds.Name = d.str(e.value, p)
		case "description":
			ds.Description = d.str(e.value, p)
		case "collections":
			haveCollections = true
			for i, c := range d.list(e.value, p) {
				if coll := d.fidesCollection(c, fmt.Sprintf("%s[%d]", p, i)); coll != nil {
					ds.Collections = append(ds.Collections, coll)
				}
			}
		case "fides_meta", "fidesops_meta", "fidesctl_meta":
			d.fidesDatasetMeta(e.value, p, ds)
		case "organization_fides_key", "tags", "meta", "data_categories", "data_qualifier",
			"data_qualifiers", "data_subjects", "retention", "third_country_transfers", "joint_controller":
			// Fides-legal, and nothing Custos acts on.
		default:
			d.unknownKey(e, path)
		}
	}
	if ds.Key == "" {
		d.problem(at, path, "missing fides_key")
	}
	if !haveCollections {
		d.problem(at, path, "missing collections")
	}
	return ds
}

func (d *decoder) fidesDatasetMeta(n ast.Node, path string, ds *Dataset) {
	es, _ := d.entries(n, path)
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "after":
			ds.After, _ = d.strList(e.value, p)
		case "resource_id", "namespace":
		default:
			d.unknownKey(e, path)
		}
	}
}

func (d *decoder) fidesCollection(n ast.Node, path string) *Collection {
	es, ok := d.entries(n, path)
	if !ok {
		return nil
	}
	at := posOf(n)
	c := &Collection{Line: at.line, Col: at.col}
	haveName, haveFields := false, false
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "name":
			haveName = true
			c.Name = d.str(e.value, p)
		case "fields":
			haveFields = true
			c.Fields = d.fidesFields(d.list(e.value, p), p, "", inherited{}, 0)
		case "fides_meta", "fidesops_meta":
			d.fidesCollectionMeta(e.value, p, c)
		case "description", "data_categories", "data_qualifier", "data_qualifiers", "data_subjects", "retention", "tags":
		default:
			d.unknownKey(e, path)
		}
	}
	if !haveName || c.Name == "" {
		d.problem(at, path, "missing name")
	}
	if !haveFields {
		d.problem(at, path, "missing fields")
	}
	return c
}

func (d *decoder) fidesCollectionMeta(n ast.Node, path string, c *Collection) {
	es, _ := d.entries(n, path)
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "after":
			c.After, c.afterAt = d.addresses(e.value, p, false)
		case "erase_after":
			c.EraseAfter, c.eraseAfterAt = d.addresses(e.value, p, false)
		case "skip_processing":
			c.SkipProcessing = d.boolean(e.value, p)
		case "masking_strategy_override":
			c.Masking = d.fidesMasking(e.value, p)
		case "partitioning":
			// BigQuery partitioning in Fides; Custos reads tables whole.
		default:
			d.unknownKey(e, path)
		}
	}
}

// addresses reads a list of collection addresses. Fides writes
// "dataset.collection"; Custos also takes "dataset:collection" and, with
// local, a bare collection of the same dataset (filled in later).
func (d *decoder) addresses(n ast.Node, path string, local bool) ([]Address, []pos) {
	strs, at := d.strList(n, path)
	var out []Address
	var outAt []pos
	for i, s := range strs {
		a, ok := ParseAddress(s)
		if !ok && local && !strings.ContainsAny(s, ":.") {
			a, ok = Address{Collection: s}, true
		}
		if !ok {
			want := "dataset.collection"
			if local {
				want = "dataset:collection or collection"
			}
			d.problem(at[i], fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%q is not %s", s, want))
			continue
		}
		out = append(out, a)
		outAt = append(outAt, at[i])
	}
	return out, outAt
}

// inherited is what an object field hands down to its sub-fields.
type inherited struct {
	categories []string
	readOnly   bool
}

// fidesFields reads a Fides field list. Fides nests the fields of an object
// (a document database's sub-document, a JSON column) under its parent's
// "fields:"; Custos flattens them into dotted names, "parent.child", because
// connectors address a value by that path and the planner only needs the
// leaves. The parent itself is not a field: its categories and read_only
// pass down to sub-fields that set none of their own.
func (d *decoder) fidesFields(items []ast.Node, path, prefix string, up inherited, depth int) []*Field {
	var out []*Field
	for i, item := range items {
		fp := fmt.Sprintf("%s[%d]", path, i)
		es, ok := d.entries(item, fp)
		if !ok {
			continue
		}
		at := posOf(item)
		f := &Field{Line: at.line, Col: at.col}
		var sub []ast.Node
		subPath := ""
		for _, e := range es {
			p := fp + "." + e.key
			switch e.key {
			case "name":
				f.Name = d.str(e.value, p)
			case "data_categories":
				f.Categories, _ = d.strList(e.value, p)
			case "fides_meta", "fidesops_meta":
				d.fidesFieldMeta(e.value, p, f)
			case "fields":
				sub, subPath = d.list(e.value, p), p
			case "description", "data_qualifier", "data_qualifiers", "data_subjects", "retention", "tags":
			default:
				d.unknownKey(e, fp)
			}
		}
		if f.Name == "" {
			d.problem(at, fp, "missing name")
			continue
		}
		if len(sub) > 0 {
			if depth >= maxDepth/4 {
				d.problem(at, fp, "fields nest too deep")
				continue
			}
			for _, c := range []struct {
				what string
				set  bool
			}{
				{"identity", f.Identity != ""}, {"primary_key", f.PrimaryKey}, {"references", len(f.References) > 0},
				{"masking_strategy_override", f.Masking != nil}, {"length", f.Length > 0},
			} {
				if c.set {
					d.problem(at, fp, c.what+" on a field with sub-fields: put it on the sub-field that holds the value")
				}
			}
			down := inherited{categories: f.Categories, readOnly: f.ReadOnly || up.readOnly}
			if len(down.categories) == 0 {
				down.categories = up.categories
			}
			out = append(out, d.fidesFields(sub, subPath, prefix+f.Name+".", down, depth+1)...)
			continue
		}
		f.Name = prefix + f.Name
		if len(f.Categories) == 0 && len(up.categories) > 0 {
			f.Categories = append([]string(nil), up.categories...)
		}
		f.ReadOnly = f.ReadOnly || up.readOnly
		out = append(out, f)
	}
	return out
}

func (d *decoder) fidesFieldMeta(n ast.Node, path string, f *Field) {
	es, _ := d.entries(n, path)
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
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
		case "references":
			for i, r := range d.list(e.value, p) {
				if ref, ok := d.fidesReference(r, fmt.Sprintf("%s[%d]", p, i)); ok {
					f.References = append(f.References, ref)
				}
			}
		case "masking_strategy_override":
			f.Masking = d.fidesMasking(e.value, p)
		case "return_all_elements", "custom_request_field":
			// Array handling of document stores and SaaS request
			// plumbing in Fides; nothing Custos acts on.
		default:
			d.unknownKey(e, path)
		}
	}
}

func (d *decoder) fidesReference(n ast.Node, path string) (Reference, bool) {
	es, ok := d.entries(n, path)
	if !ok {
		return Reference{}, false
	}
	at := posOf(n)
	var r Reference
	var field string
	fieldAt := at
	bad := false
	for _, e := range es {
		p := path + "." + e.key
		switch e.key {
		case "dataset":
			r.Dataset = d.str(e.value, p)
		case "field":
			field = d.str(e.value, p)
			fieldAt = orPos(posOf(e.value), e.at)
		case "direction":
			r.Direction = d.str(e.value, p)
			if r.Direction != "" && r.Direction != "to" && r.Direction != "from" {
				d.problem(posOf(e.value), p, fmt.Sprintf("direction must be to or from, not %q", r.Direction))
				bad = true
			}
		default:
			d.unknownKey(e, path)
		}
	}
	if r.Dataset == "" {
		d.problem(at, path, "missing dataset")
		bad = true
	}
	coll, fld, ok := strings.Cut(field, ".")
	if !ok || coll == "" || fld == "" {
		d.problem(fieldAt, path+".field", fmt.Sprintf("field must be collection.field, not %q", field))
		bad = true
	}
	if bad {
		return Reference{}, false
	}
	r.Collection, r.Field = coll, fld
	r.Line, r.Col = fieldAt.line, fieldAt.col
	return r, true
}

// fidesMasking reads {strategy, configuration}. Of the configuration,
// rewrite_value, format_preservation.suffix and length are what Custos'
// strategies use; algorithm is Fides' choice of hash, and Custos always
// uses HMAC-SHA256.
func (d *decoder) fidesMasking(n ast.Node, path string) *Masking {
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
		case "configuration":
			ces, _ := d.entries(e.value, p)
			for _, ce := range ces {
				cp := p + "." + ce.key
				switch ce.key {
				case "rewrite_value":
					m.Value = d.str(ce.value, cp)
				case "length":
					m.Length = d.length(ce.value, cp)
				case "format_preservation":
					fes, _ := d.entries(ce.value, cp)
					for _, fe := range fes {
						if fe.key == "suffix" {
							m.Suffix = d.str(fe.value, cp+".suffix")
						} else {
							d.unknownKey(fe, cp)
						}
					}
				case "algorithm":
				default:
					d.unknownKey(ce, p)
				}
			}
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
