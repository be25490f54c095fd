package dataset

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/custos-privacy/custos/internal/yamlpos"
)

// The loading of dataset files is in three parts: this file's entry points,
// which guard and parse a file and tell its format; the Fides loader
// (fides.go) and the Custos loader (custos.go); and the YAML layer both read
// through (yaml.go: positions, problems, aliases, over internal/yamlpos).

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
