package yamlpos

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// FuzzGuard checks the guard against the parser it protects: whatever the
// guard lets through with small limits, the parser builds no deeper and,
// aliases expanded, no larger than those limits. A document the guard
// under-counts would be one that gets past it to exhaust memory.
func FuzzGuard(f *testing.F) {
	for _, p := range corpus(f) {
		if src, err := os.ReadFile(p); err == nil && len(src) < 8<<10 {
			f.Add(src)
		}
	}
	for _, s := range []string{
		"a: [1, {b: &x c}, *x]\n", laughs(2), blockNest(9), strings.Repeat("- ", 9) + "x\n",
		"a: \"[[[\"\nb: '[[' # [[\nc: |\n  [[[\n[[[[[[[[[\n", "a: &a\n  b: [x, x]\nc: [*a, *a, *a]\n",
		"- &a k: v\n  j: [w, w]\n- *a\n", "? [a, [b]]\n: [c]\n", "a: b\n  [c\n", "{a: [b, {c: d}], e: f}\n",
		"--- |\n  [[\n--- [[[]]]\n...\n[[[]]]\n", "a: !t [x]\nb: !!str [y]\n", "%YAML 1.2\n---\na: 1\n",
		"a: >2\n   [[\n  [[\nb: 1\n", "x: |-\n [\n[[[[[[[[[\n", "\"k\": [[\"v\"]]\n", "<<: *a\n",
	} {
		f.Add([]byte(s))
	}
	lim := Limits{Depth: 8, Aliases: 50, Nodes: 500}
	f.Fuzz(func(t *testing.T, src []byte) {
		err := Check("fuzz.yaml", src, lim)
		if err != nil {
			var r *Refusal
			if !errors.As(err, &r) || r.Problem.Line < 1 || r.Problem.Column < 1 || r.Problem.Message == "" {
				t.Fatalf("not a refusal with a position: %v", err)
			}
			return
		}
		file, perr := parseQuietly(src)
		if perr != nil || file == nil {
			return
		}
		anchors := map[string]int{}
		for _, doc := range file.Docs {
			if doc == nil || doc.Body == nil {
				continue
			}
			if d := depth(doc.Body, false); d > lim.Depth {
				t.Fatalf("guard passed a document %d deep (limit %d)", d, lim.Depth)
			}
			if n := expanded(doc.Body, anchors); n > lim.Nodes {
				t.Fatalf("guard passed a document of %d nodes expanded (limit %d)", n, lim.Nodes)
			}
		}
	})
}

func parseQuietly(src []byte) (f *ast.File, err error) {
	defer func() {
		if recover() != nil {
			f, err = nil, errors.New("panic")
		}
	}()
	return parser.ParseBytes(src, 0)
}

// depth is how many collections nest in the parser's tree. A mapping of one
// entry is a bare MappingValueNode.
func depth(n ast.Node, inMapping bool) int {
	switch t := n.(type) {
	case nil:
		return 0
	case *ast.AnchorNode:
		return depth(t.Value, false)
	case *ast.TagNode:
		return depth(t.Value, false)
	case *ast.MappingKeyNode:
		return depth(t.Value, false)
	case *ast.MappingNode:
		d := 0
		for _, v := range t.Values {
			d = max(d, depth(v, true))
		}
		return 1 + d
	case *ast.MappingValueNode:
		d := max(depth(t.Key, false), depth(t.Value, false))
		if inMapping {
			return d
		}
		return 1 + d
	case *ast.SequenceNode:
		d := 0
		for _, v := range t.Values {
			d = max(d, depth(v, false))
		}
		return 1 + d
	default:
		return 0
	}
}

// expanded counts nodes with every alias replaced by its anchor's value,
// the way the loaders counted before the guard.
func expanded(n ast.Node, anchors map[string]int) int {
	switch t := n.(type) {
	case nil:
		return 0
	case *ast.AnchorNode:
		size := expanded(t.Value, anchors)
		if t.Name != nil {
			anchors[t.Name.String()] = size
		}
		return size
	case *ast.AliasNode:
		if t.Value != nil {
			return anchors[t.Value.String()]
		}
		return 1
	case *ast.TagNode:
		return expanded(t.Value, anchors)
	case *ast.MappingKeyNode:
		return 1 + expanded(t.Value, anchors)
	case *ast.MappingNode:
		total := 1
		for _, mv := range t.Values {
			total += expanded(mv, anchors)
		}
		return total
	case *ast.MappingValueNode:
		return 1 + expanded(t.Key, anchors) + expanded(t.Value, anchors)
	case *ast.SequenceNode:
		total := 1
		for _, c := range t.Values {
			total += expanded(c, anchors)
		}
		return total
	default:
		return 1
	}
}

// TestCheckCountsWhatTheParserNests: the parser nests some documents that
// are not YAML by the letter (a value at its key's column after a bare
// "- ", "? " or tag, a key on the line before its ':'); repeated, each such
// unit nests one level deeper, so the guard must count them as the parser
// builds them. These units were found by comparing the two.
func TestCheckCountsWhatTheParserNests(t *testing.T) {
	t.Parallel()
	for _, unit := range []string{
		"<<: !t \n", "yy<<: !t \n", "\r\n<<: !t # ", "? &a ---\n- \n", "!t !t : !t \r\n",
		"-\n*a\r\n: \n", "!t \r\n*b\"---\n: ",
	} {
		src := []byte(strings.Repeat(unit, 100))
		file, err := parseQuietly(src)
		if err != nil {
			t.Fatalf("%q: the parser refuses it: %v", unit, err)
		}
		d := 0
		for _, doc := range file.Docs {
			if doc != nil {
				d = max(d, depth(doc.Body, false))
			}
		}
		if d < 50 {
			t.Fatalf("%q: the parser nests only %d deep", unit, d)
		}
		lim := Limits{Depth: d - 1}
		var r *Refusal
		if err := Check("f.yaml", src, lim); !errors.As(err, &r) || r.Reason != TooDeep {
			t.Errorf("%q: the parser nests %d deep, the guard (limit %d) says %v", unit, d, lim.Depth, err)
		}
	}
}
