package yamlpos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
)

// limits are the strictest of the product's (the manifest's).
var testLimits = Limits{Bytes: 4 << 20, Depth: 64, Aliases: 1000, Nodes: 200_000}

func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// blockNest nests n mappings by indentation.
func blockNest(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat(" ", i), i)
	}
	return b.String()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	brackets := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	tests := []struct {
		name      string
		src       string
		lim       Limits
		reason    Reason // 0: passes
		line, col int
	}{
		{"deep flow", strings.Repeat("[", 100_000), testLimits, TooDeep, 1, 65},
		{"deep flow mappings", "a: " + strings.Repeat("{b: ", 70), testLimits, TooDeep, 1, 4 + 63*4},
		{"deep flow in a block value", "top:\n  key: " + strings.Repeat("[", 70), testLimits, TooDeep, 2, 8 + 62},
		{"deep block", blockNest(70), testLimits, TooDeep, 65, 65},
		{"deep compact sequences", strings.Repeat("- ", 70) + "x\n", testLimits, TooDeep, 1, 129},
		{"flow and block add up", blockNest(40) + strings.Repeat(" ", 40) + "k: " + strings.Repeat("[", 30), testLimits, TooDeep, 41, 44 + 23},
		{"depth at the limit", strings.Repeat("[", 64) + strings.Repeat("]", 64), testLimits, 0, 0, 0},
		{"brackets in a double-quoted string", "a: \"" + brackets + "\"\n", testLimits, 0, 0, 0},
		{"brackets in a single-quoted string", "a: '" + brackets + " it''s'\n", testLimits, 0, 0, 0},
		{"brackets in a multi-line quoted string", "a: \"x\n  " + brackets + "\n  \\\" " + brackets + "\"\nb: 1\n", testLimits, 0, 0, 0},
		{"brackets in a quoted key", "\"" + brackets + "\": 1\n", testLimits, 0, 0, 0},
		{"brackets in a comment", "# " + brackets + "\na: 1 # " + brackets + "\nb: [1, 2] #" + brackets + "\n", testLimits, 0, 0, 0},
		{"brackets in a literal block scalar", "a: |\n  " + brackets + "\n\n  " + brackets + "\nb: 1\n", testLimits, 0, 0, 0},
		{"brackets in a folded block scalar", "- >-\n  " + brackets + "\n- x\n", testLimits, 0, 0, 0},
		{"brackets in a plain scalar", "a: text " + brackets + "\n", testLimits, 0, 0, 0},
		{"brackets after a block scalar count", "a: |\n  " + brackets + "\nb: " + strings.Repeat("[", 65), testLimits, TooDeep, 3, 4 + 63},
		{"a quote inside a plain scalar is text", "a: it's\nb: " + strings.Repeat("[", 65) + "\nc: 'x'\n", testLimits, TooDeep, 2, 4 + 63},
		{"alias bomb", laughs(9), testLimits, TooManyNodes, 6, 10},
		{"modest aliases", laughs(3), testLimits, 0, 0, 0},
		{"too many aliases", "a: &a x\nb: [" + strings.Repeat("*a, ", 1001) + "]\n", testLimits, TooManyAliases, 2, 5 + 1000*4},
		{"too large", "a: 1\nb: 22\n", Limits{Bytes: 8}, TooLarge, 2, 4},
		{"no limits", strings.Repeat("[", 1000), Limits{}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Check("f.yaml", []byte(tt.src), tt.lim)
			if tt.reason == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var r *Refusal
			if !errors.As(err, &r) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if r.Reason != tt.reason || r.Problem.Line != tt.line || r.Problem.Column != tt.col || r.Problem.File != "f.yaml" {
				t.Errorf("refusal %v (reason %d), want reason %d at %d:%d", r, r.Reason, tt.reason, tt.line, tt.col)
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 || ps[0] != r.Problem {
				t.Errorf("as Problems: %v", ps)
			}
		})
	}
}

// TestCheckRefusesBeforeParsing shows the parser is never handed a document
// the guard refuses, and is handed one it accepts.
func TestCheckRefusesBeforeParsing(t *testing.T) {
	t.Parallel()
	calls := 0
	counting := func([]byte) (*ast.File, error) {
		calls++
		return &ast.File{}, nil
	}
	if _, err := parse("f.yaml", []byte(strings.Repeat("[", 100_000)), testLimits, counting); err == nil || calls != 0 {
		t.Fatalf("deep: err = %v, parser called %d times", err, calls)
	}
	if _, err := parse("f.yaml", []byte(laughs(9)), testLimits, counting); err == nil || calls != 0 {
		t.Fatalf("laughs: err = %v, parser called %d times", err, calls)
	}
	if _, err := parse("f.yaml", []byte("a: [1]\n"), testLimits, counting); err != nil || calls != 1 {
		t.Fatalf("valid: err = %v, parser called %d times", err, calls)
	}
	if _, err := parse("f.yaml", []byte("a: 1"), testLimits, func([]byte) (*ast.File, error) { panic("boom") }); err == nil {
		t.Fatal("a parser panic is not an error")
	}
}

// corpus is every YAML file of the repository and of the directories in
// CUSTOS_YAML_CORPUS (a list like PATH): real documents the guard must pass.
func corpus(t testing.TB) []string {
	t.Helper()
	roots := []string{filepath.Join("..", "..")}
	if extra := os.Getenv("CUSTOS_YAML_CORPUS"); extra != "" {
		roots = append(roots, filepath.SplitList(extra)...)
	}
	var files []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if ext := filepath.Ext(p); !d.IsDir() && (ext == ".yml" || ext == ".yaml") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func TestRealDocumentsPass(t *testing.T) {
	t.Parallel()
	files := corpus(t)
	if len(files) < 5 {
		t.Fatalf("only %d YAML files found", len(files))
	}
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(p, src, testLimits); err != nil {
			t.Errorf("%v", err)
		}
	}
}
