package policy

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/custos-privacy/custos/internal/yamlpos"
	"github.com/custos-privacy/custos/taxonomy"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema of the manifest format, for editors.
func Schema() []byte { return bytes.Clone(schemaJSON) }

// Problem is one thing wrong with a manifest, at a place in its file; its
// String is the FILE:LINE:COL: path: message form editors and CI understand.
// It is the one YAML Problem type, shared with datasets.
type Problem = yamlpos.Problem

// Problems is every problem found in a manifest; it is the error Parse
// returns for an invalid one.
type Problems = yamlpos.Problems

// MaxBytes bounds a manifest; the bundled one is under 40 kB.
const MaxBytes = 1 << 20

// limits bound a manifest before it is parsed. The bundled manifest nests 6
// deep and has about 2,000 nodes.
func limits() yamlpos.Limits {
	return yamlpos.Limits{Bytes: MaxBytes, Depth: 64, Aliases: 1000, Nodes: 200_000}
}

// Loader parses and validates manifests. Make one and reuse it: it holds
// the compiled schema and the taxonomy.
type Loader struct {
	tax    *taxonomy.Taxonomy
	schema *jsonschema.Schema
	print  *message.Printer
}

// NewLoader compiles the schema and loads the taxonomy.
func NewLoader() (*Loader, error) {
	tax, err := taxonomy.Load()
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("policy: schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("policy-v1.json", doc); err != nil {
		return nil, fmt.Errorf("policy: schema: %w", err)
	}
	sch, err := c.Compile("policy-v1.json")
	if err != nil {
		return nil, fmt.Errorf("policy: schema: %w", err)
	}
	return &Loader{tax: tax, schema: sch, print: message.NewPrinter(language.English)}, nil
}

// Taxonomy is the vocabulary the loader checks keys against.
func (l *Loader) Taxonomy() *taxonomy.Taxonomy { return l.tax }

// Policy is a validated manifest together with its source.
type Policy struct {
	*Manifest
	Source []byte // the YAML exactly as given
	Digest string // hex SHA-256 of Source
}

// Parse reads and validates a manifest. file names it in problems. The
// error, when not nil, is Problems listing everything found.
func (l *Loader) Parse(file string, data []byte) (p *Policy, err error) {
	v := &validation{file: file}
	// The YAML library can panic on some malformed input (found by
	// FuzzParse); a manifest is input, so that is a problem, not a crash.
	defer func() {
		if r := recover(); r != nil {
			p = nil
			v.at(nil, "", fmt.Sprintf("YAML: the document cannot be read (%v)", r))
			err = v.sorted()
		}
	}()
	// The guard runs before the parser: the parser's memory grows with
	// the square of the nesting, and aliases could make a small file
	// expand into an enormous one ("billion laughs") once decoded.
	f, err := yamlpos.Parse(file, data, limits())
	var refused *yamlpos.Refusal
	if errors.As(err, &refused) {
		return nil, refused
	}
	if err != nil {
		v.yamlError(err)
		return nil, v.problems
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		v.at(nil, "", "the manifest is empty")
		return nil, v.problems
	}
	if len(f.Docs) > 1 {
		v.at(f.Docs[1].Body, "", "a manifest is one YAML document; found more")
		return nil, v.problems
	}
	v.root = f.Docs[0].Body

	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		v.yamlError(err)
		return nil, v.problems
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		v.at(nil, "", "the manifest cannot be read as data: "+err.Error())
		return nil, v.problems
	}
	if err := l.schema.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			l.schemaProblems(v, ve)
		} else {
			v.at(nil, "", err.Error())
		}
	}
	var m Manifest
	if err := yaml.UnmarshalWithOptions(data, &m); err != nil {
		// The schema has already said why; add the decoder's view only
		// when it found nothing.
		if len(v.problems) == 0 {
			v.yamlError(err)
		}
		return nil, v.sorted()
	}
	// Semantic checks run even when the schema found problems, so one run
	// reports everything; a position the schema already flagged is not
	// flagged twice.
	schemaFound := len(v.problems)
	l.check(v, &m)
	v.dedupe(schemaFound)
	if len(v.problems) > 0 {
		return nil, v.sorted()
	}
	sum := sha256.Sum256(data)
	return &Policy{Manifest: &m, Source: bytes.Clone(data), Digest: hex.EncodeToString(sum[:])}, nil
}

// validation collects problems with their positions.
type validation struct {
	file     string
	root     ast.Node
	problems Problems
}

func (v *validation) sorted() Problems {
	sort.SliceStable(v.problems, func(i, j int) bool {
		a, b := v.problems[i], v.problems[j]
		return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
	})
	return v.problems
}

// dedupe drops problems after the first n that sit where one of the first
// n already does.
func (v *validation) dedupe(n int) {
	seen := map[[2]int]bool{}
	for _, p := range v.problems[:n] {
		seen[[2]int{p.Line, p.Column}] = true
	}
	out := v.problems[:n]
	for _, p := range v.problems[n:] {
		if !seen[[2]int{p.Line, p.Column}] {
			out = append(out, p)
		}
	}
	v.problems = out
}

// at records a problem at node (or 1:1 without one).
func (v *validation) at(node ast.Node, path, msg string) {
	line, col := 1, 1
	// A mapping's own token is its first ':'; people look for its first key.
	if m, ok := unwrap(node).(*ast.MappingNode); ok && len(m.Values) > 0 && m.Values[0].Key != nil {
		node = m.Values[0].Key
	}
	if node != nil {
		if tk := node.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
	}
	v.problems = append(v.problems, Problem{File: v.file, Line: line, Column: col, Path: path, Message: msg})
}

// atPath records a problem at the node the path reaches, or as near as it gets.
func (v *validation) atPath(path []string, msg string) {
	v.at(v.find(path), pathString(path), msg)
}

func (v *validation) yamlError(err error) {
	var ye yaml.Error
	line, col := 1, 1
	msg := err.Error()
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
	}
	v.problems = append(v.problems, Problem{File: v.file, Line: line, Column: col, Message: "YAML: " + msg})
}

// find walks the YAML tree along path (object keys and array indexes) and
// returns the deepest node it reaches.
func (v *validation) find(path []string) ast.Node {
	n := v.root
	for _, p := range path {
		next := child(n, p)
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// keyNode returns the key node of an object's entry, for "unknown key".
func (v *validation) keyNode(path []string, key string) ast.Node {
	if m, ok := unwrap(v.find(path)).(*ast.MappingNode); ok {
		for _, mv := range m.Values {
			if mv.Key != nil && keyString(mv.Key) == key {
				return mv.Key
			}
		}
	}
	return v.find(path)
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		default:
			return n
		}
	}
}

func child(n ast.Node, p string) ast.Node {
	switch t := unwrap(n).(type) {
	case *ast.MappingNode:
		for _, mv := range t.Values {
			if mv.Key != nil && keyString(mv.Key) == p {
				return mv.Value
			}
		}
	case *ast.MappingValueNode:
		if keyString(t.Key) == p {
			return t.Value
		}
	case *ast.SequenceNode:
		i, err := strconv.Atoi(p)
		if err == nil && i >= 0 && i < len(t.Values) {
			return t.Values[i]
		}
	}
	return nil
}

func keyString(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return strings.TrimSpace(k.String())
}

func pathString(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// schemaProblems turns the leaves of a schema validation error into problems
// worded for a person editing YAML.
func (l *Loader) schemaProblems(v *validation, ve *jsonschema.ValidationError) {
	l.schemaLeaves(v, ve, nil)
}

func (l *Loader) schemaLeaves(v *validation, ve *jsonschema.ValidationError, names *kind.PropertyNames) {
	if pn, ok := ve.ErrorKind.(*kind.PropertyNames); ok {
		names = pn
	}
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			l.schemaLeaves(v, c, names)
		}
		return
	}
	loc := ve.InstanceLocation
	if names != nil {
		// A map key is wrong (a jurisdiction code). The validator's location
		// for these is not reliable, so find the key in the tree.
		node, path := findKey(v.root, names.Property, nil)
		v.at(node, pathString(path), fmt.Sprintf("key %q is not in the expected form", names.Property))
		return
	}
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			v.at(v.keyNode(loc, p), pathString(loc), fmt.Sprintf("unknown key %q", p))
		}
	case *kind.Required:
		for _, p := range k.Missing {
			v.atPath(loc, fmt.Sprintf("missing required key %q", p))
		}
	case *kind.Const:
		v.atPath(loc, fmt.Sprintf("must be %q", fmt.Sprint(k.Want)))
	case *kind.Pattern:
		v.atPath(loc, fmt.Sprintf("%q is not in the expected form", k.Got))
	default:
		v.atPath(loc, ve.ErrorKind.LocalizedString(l.print))
	}
}

// findKey returns the first mapping key named name, depth first, and the
// path of the map holding it.
func findKey(n ast.Node, name string, path []string) (ast.Node, []string) {
	switch t := unwrap(n).(type) {
	case *ast.MappingNode:
		for _, mv := range t.Values {
			k := keyString(mv.Key)
			if k == name {
				return mv.Key, path
			}
			if found, p := findKey(mv.Value, name, append(path, k)); found != nil {
				return found, p
			}
		}
	case *ast.SequenceNode:
		for i, c := range t.Values {
			if found, p := findKey(c, name, append(path, strconv.Itoa(i))); found != nil {
				return found, p
			}
		}
	}
	return nil, nil
}
