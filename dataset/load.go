package dataset

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/custos-privacy/custos/internal/yamlpos"
)

// Load reads the datasets of one file, in Fides' format (a top-level
// "dataset:" list) or Custos' own (a top-level "datasets:" list); JSON of
// the same shape reads too. file names the file in problems. The error, when
// not nil, is Problems listing everything found, and no datasets are
// returned. Load checks each file on its own; Validate checks a whole set.
func Load(file string, src []byte) ([]*Dataset, error) {
	d := &decoder{file: file, alias: map[*ast.AliasNode]ast.Node{}}
	// The guard bounds size, nesting and alias expansion before the
	// parser runs (its memory grows with the square of the nesting) and
	// before anything expands an alias.
	f, perr := yamlpos.Parse(file, src, limits())
	var refused *yamlpos.Refusal
	if errors.As(perr, &refused) {
		return nil, refused
	}
	if perr != nil {
		d.yamlError(perr)
		return nil, d.problems
	}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			if _, comment := doc.Body.(*ast.CommentGroupNode); !comment {
				bodies = append(bodies, doc.Body)
			}
		}
	}
	if len(bodies) == 0 {
		d.problem(pos{1, 1}, "", "the file is empty: a dataset file has a top-level dataset: list (Fides) or datasets: list (Custos)")
		return nil, d.problems
	}
	anchors := map[string]ast.Node{}
	for _, body := range bodies {
		d.bindAliases(body, anchors, 0)
	}
	if len(d.problems) > 0 {
		return nil, sortProblems(d.problems)
	}
	// Several YAML documents in one file are read as if they were several
	// files.
	var sets []*Dataset
	for _, body := range bodies {
		sets = append(sets, d.document(body)...)
	}
	if len(d.problems) > 0 {
		return nil, sortProblems(d.problems)
	}
	return sets, nil
}

// LoadFile reads one dataset file.
func LoadFile(path string) ([]*Dataset, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return Load(path, src)
}

// LoadFiles reads several dataset files and returns every problem of every
// file at once, so that one run shows everything to fix.
func LoadFiles(paths ...string) ([]*Dataset, error) {
	var sets []*Dataset
	var all Problems
	for _, p := range paths {
		s, err := LoadFile(p)
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) {
				return nil, err
			}
			all = append(all, ps...)
			continue
		}
		sets = append(sets, s...)
	}
	if len(all) > 0 {
		return nil, sortProblems(all)
	}
	return sets, nil
}

// document reads one YAML document and decides which format it is in.
func (d *decoder) document(body ast.Node) []*Dataset {
	switch d.resolve(body).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
	case nil, *ast.NullNode:
		d.problem(posOf(body), "", "the document is empty: a dataset file has a top-level dataset: list (Fides) or datasets: list (Custos)")
		return nil
	default:
		d.problem(posOf(body), "", "not a dataset file: expected a mapping with a top-level dataset: list (Fides) or datasets: list (Custos), found "+d.kind(body))
		return nil
	}
	es, _ := d.entries(body, "")
	var fides, custos *entry
	for i := range es {
		switch es[i].key {
		case "dataset":
			fides = &es[i]
		case "datasets":
			custos = &es[i]
		}
	}
	switch {
	case fides != nil && custos != nil:
		d.problem(custos.at, "", "a file is either Fides (dataset:) or Custos (datasets:), not both")
		return nil
	case fides != nil:
		for _, e := range es {
			// A Fides manifest may hold other resources next to its
			// datasets; they are Fides' business, not ours.
			if e.key != "dataset" && fidesResource(e.key) == "" {
				d.unknownKey(e, "")
			}
		}
		return d.fidesDatasets(fides.value, "dataset")
	case custos != nil:
		for _, e := range es {
			switch e.key {
			case "datasets":
			case "custos":
				if v := d.str(e.value, "custos"); v != FormatVersion {
					d.problem(posOf(e.value), "custos", fmt.Sprintf("must be %q", FormatVersion))
				}
			default:
				d.unknownKey(e, "")
			}
		}
		return d.custosDatasets(custos.value, "datasets")
	}
	msg := "not a dataset file: expected a top-level dataset: list (Fides) or datasets: list (Custos)"
	var keys []string
	for _, e := range es {
		keys = append(keys, e.key)
		if what := fidesResource(e.key); what != "" {
			msg = fmt.Sprintf("this is a %s (%s:), not a dataset file: a dataset file has a top-level dataset: list (Fides) or datasets: list (Custos)", what, e.key)
			break
		}
	}
	if !strings.HasPrefix(msg, "this is") && len(keys) > 0 {
		msg += "; found " + strings.Join(keys, ", ")
	}
	d.problem(posOf(body), "", msg)
	return nil
}

// FormatVersion is the optional "custos:" marker of Custos' own format.
const FormatVersion = "dataset/v1"

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

// ---- Fides' format ----

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

// ---- Custos' format ----

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
