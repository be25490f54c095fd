package dataset

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/custos-privacy/custos/internal/yamlpos"
)

// This file reads goccy/go-yaml's syntax tree directly instead of
// unmarshalling into structs: walking the tree is what gives every value, and
// every unknown key, its line and column.

// MaxBytes bounds a dataset file.
const MaxBytes = 4 << 20

// limits bound a dataset file before it is parsed. A Fides dataset with
// thousands of fields stays far below the node count (the largest of Fides'
// SaaS datasets has under 8,000 and nests 18 deep); a "billion laughs" file
// does not.
func limits() yamlpos.Limits {
	return yamlpos.Limits{Bytes: MaxBytes, Depth: 100, Aliases: 10_000, Nodes: 1_000_000}
}

// maxDepth bounds the walks over the tree (aliases, merge keys, Fides'
// nested fields), which the guard's bound on nesting already keeps small.
const maxDepth = 200

// decoder collects problems while it turns a YAML tree into datasets.
type decoder struct {
	file     string
	problems Problems
	// alias maps every alias to the value of the anchor it names at that
	// point of the document (anchors may be redefined further down).
	alias map[*ast.AliasNode]ast.Node
}

func (d *decoder) problem(at pos, path, msg string) {
	if at.line < 1 {
		at = pos{1, 1}
	}
	if at.col < 1 {
		at.col = 1
	}
	d.problems = append(d.problems, Problem{File: d.file, Line: at.line, Column: at.col, Path: path, Message: msg})
}

func (d *decoder) yamlError(err error) {
	var ye yaml.Error
	at := pos{1, 1}
	msg := err.Error()
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			at = pos{tk.Position.Line, tk.Position.Column}
		}
	}
	d.problem(at, "", "YAML: "+msg)
}

// posOf is where a person looks for a node: a mapping's own token is its
// first ':', so a mapping is placed at its first key.
func posOf(n ast.Node) pos {
	switch t := n.(type) {
	case nil:
		return pos{}
	case *ast.MappingNode:
		if t == nil {
			return pos{}
		}
		for _, mv := range t.Values {
			if mv != nil && mv.Key != nil {
				return posOf(mv.Key)
			}
		}
	case *ast.MappingValueNode:
		if t == nil {
			return pos{}
		}
		if t.Key != nil {
			return posOf(t.Key)
		}
	case *ast.LiteralNode:
		if t == nil {
			return pos{}
		}
		if t.Start != nil && t.Start.Position != nil {
			return pos{t.Start.Position.Line, t.Start.Position.Column}
		}
		return pos{}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 {
		return pos{}
	}
	return pos{tk.Position.Line, max(tk.Position.Column, 1)}
}

// resolve looks through anchors, tags and aliases to the value itself.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range maxDepth {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		case *ast.AliasNode:
			n = d.alias[t]
		case *ast.CommentGroupNode:
			return nil
		default:
			return n
		}
	}
	return nil
}

// bindAliases walks the document in order, recording which anchor value each
// alias stands for. An anchor is bound only once its value is complete, so
// no alias can lead back into itself and the tree stays acyclic.
func (d *decoder) bindAliases(n ast.Node, anchors map[string]ast.Node, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	switch t := n.(type) {
	case *ast.AnchorNode:
		d.bindAliases(t.Value, anchors, depth+1)
		if name := anchorName(t.Name); name != "" {
			anchors[name] = t.Value
		}
	case *ast.AliasNode:
		name := anchorName(t.Value)
		if v, ok := anchors[name]; ok {
			d.alias[t] = v
		} else {
			d.problem(posOf(t), "", fmt.Sprintf("YAML: alias *%s names no anchor defined before it", name))
		}
	case *ast.TagNode:
		d.bindAliases(t.Value, anchors, depth+1)
	case *ast.MappingNode:
		for _, mv := range t.Values {
			if mv != nil {
				d.bindAliases(mv, anchors, depth+1)
			}
		}
	case *ast.MappingValueNode:
		if t.Key != nil {
			d.bindAliases(t.Key, anchors, depth+1)
		}
		d.bindAliases(t.Value, anchors, depth+1)
	case *ast.MappingKeyNode:
		d.bindAliases(t.Value, anchors, depth+1)
	case *ast.SequenceNode:
		for _, v := range t.Values {
			d.bindAliases(v, anchors, depth+1)
		}
	}
}

func anchorName(n ast.Node) string {
	switch t := n.(type) {
	case nil:
		return ""
	case *ast.StringNode:
		if t != nil {
			return t.Value
		}
		return ""
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// entry is one key of a mapping with its value.
type entry struct {
	key   string
	at    pos // of the key
	value ast.Node
}

// entries returns the keys of a mapping in document order, with merge keys
// (<<) expanded the YAML way: keys written out win over merged ones. A null
// is an empty mapping; anything else is a problem and ok is false.
func (d *decoder) entries(n ast.Node, path string) (es []entry, ok bool) {
	switch t := d.resolve(n).(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.MappingNode:
		return d.mappingEntries(t.Values, path, 0), true
	case *ast.MappingValueNode:
		return d.mappingEntries([]*ast.MappingValueNode{t}, path, 0), true
	default:
		d.problem(posOf(n), path, "must be a mapping (key: value), not "+d.kind(n))
		return nil, false
	}
}

func (d *decoder) mappingEntries(values []*ast.MappingValueNode, path string, depth int) []entry {
	var out, merged []entry
	seen := map[string]bool{}
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		if mv.Key.IsMergeKey() {
			if depth > 8 {
				d.problem(posOf(mv.Key), path, "YAML: merge keys (<<) nested too deep")
				continue
			}
			switch v := d.resolve(mv.Value).(type) {
			case *ast.MappingNode:
				merged = append(merged, d.mappingEntries(v.Values, path, depth+1)...)
			case *ast.SequenceNode:
				for _, item := range v.Values {
					if m, ok := d.resolve(item).(*ast.MappingNode); ok {
						merged = append(merged, d.mappingEntries(m.Values, path, depth+1)...)
					} else {
						d.problem(posOf(item), path, "YAML: << merges mappings only")
					}
				}
			default:
				d.problem(posOf(mv.Key), path, "YAML: << merges a mapping or a list of mappings")
			}
			continue
		}
		k := keyString(mv.Key)
		if seen[k] {
			d.problem(posOf(mv.Key), path, fmt.Sprintf("key %q appears twice", k))
			continue
		}
		seen[k] = true
		out = append(out, entry{key: k, at: posOf(mv.Key), value: mv.Value})
	}
	for _, e := range merged {
		if !seen[e.key] {
			seen[e.key] = true
			out = append(out, e)
		}
	}
	return out
}

func keyString(k ast.MapKeyNode) string {
	switch t := k.(type) {
	case *ast.StringNode:
		return t.Value
	case *ast.MappingKeyNode:
		if s, ok := t.Value.(*ast.StringNode); ok {
			return s.Value
		}
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// kind names what a node is, for messages.
func (d *decoder) kind(n ast.Node) string {
	switch d.resolve(n).(type) {
	case nil, *ast.NullNode:
		return "empty"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.BoolNode:
		return "true/false"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	default:
		return "text"
	}
}

// isNull reports an absent value: YAML null, ~ or nothing at all. Fides
// files write "key: null" for "not set", so null is absence everywhere.
func (d *decoder) isNull(n ast.Node) bool {
	switch d.resolve(n).(type) {
	case nil, *ast.NullNode:
		return true
	}
	return false
}

// str reads a scalar as text. Numbers and booleans are taken as written, so
// that a collection named 2024 or a rewrite value of 0 still reads.
func (d *decoder) str(n ast.Node, path string) string {
	switch t := d.resolve(n).(type) {
	case nil, *ast.NullNode:
		return ""
	case *ast.StringNode:
		return t.Value
	case *ast.LiteralNode:
		if t.Value != nil {
			return strings.TrimRight(t.Value.Value, "\n")
		}
		return ""
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := t.GetToken(); tk != nil {
			return tk.Value
		}
		return ""
	default:
		d.problem(posOf(n), path, "must be text, not "+d.kind(n))
		return ""
	}
}

func (d *decoder) boolean(n ast.Node, path string) bool {
	switch t := d.resolve(n).(type) {
	case nil, *ast.NullNode:
		return false
	case *ast.BoolNode:
		return t.Value
	default:
		d.problem(posOf(n), path, "must be true or false, not "+d.kind(n))
		return false
	}
}

// length reads a non-negative integer.
func (d *decoder) length(n ast.Node, path string) int {
	switch t := d.resolve(n).(type) {
	case nil, *ast.NullNode:
		return 0
	case *ast.IntegerNode:
		if tk := t.GetToken(); tk != nil {
			if v, err := strconv.ParseInt(strings.ReplaceAll(tk.Value, "_", ""), 0, 32); err == nil && v >= 0 {
				return int(v)
			}
		}
		d.problem(posOf(n), path, "must be a whole number from 0 to 2147483647")
		return 0
	default:
		d.problem(posOf(n), path, "must be a whole number, not "+d.kind(n))
		return 0
	}
}

// list reads a sequence; null is an empty one.
func (d *decoder) list(n ast.Node, path string) []ast.Node {
	switch t := d.resolve(n).(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.SequenceNode:
		return t.Values
	default:
		d.problem(posOf(n), path, "must be a list, not "+d.kind(n))
		return nil
	}
}

// strList reads a list of texts with the position of each.
func (d *decoder) strList(n ast.Node, path string) ([]string, []pos) {
	var out []string
	var at []pos
	for i, item := range d.list(n, path) {
		p := fmt.Sprintf("%s[%d]", path, i)
		s := d.str(item, p)
		if s == "" {
			// str has already complained about a mapping or list.
			if k := d.kind(item); k != "a mapping" && k != "a list" {
				d.problem(posOf(item), p, "is empty")
			}
			continue
		}
		out = append(out, s)
		at = append(at, posOf(item))
	}
	return out, at
}

func (d *decoder) unknownKey(e entry, path string) {
	d.problem(e.at, path, fmt.Sprintf("unknown key %q", e.key))
}
