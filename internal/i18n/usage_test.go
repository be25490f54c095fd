package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCallsUseKnownKeys reads every Go file of the module for calls of
// i18n.T: a literal key must be in the catalogue and be given, by name,
// exactly the placeholders its English message has; a built key
// ("mail.type."+t) must have its stem. The pages' templates and the
// banner's script, which do not call T directly, are checked by their own
// packages' tests (http/web, http/banner).
func TestCallsUseKnownKeys(t *testing.T) {
	t.Parallel()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || !isCall(c, "i18n", "T") && !(isCall(c, "", "T") && f.Name.Name == "i18n") || len(c.Args) < 2 {
				return true
			}
			calls++
			at := fset.Position(c.Pos())
			switch k := c.Args[1].(type) {
			case *ast.BasicLit:
				key, _ := strconv.Unquote(k.Value)
				en, ok := Lookup(English, key)
				if !ok {
					t.Errorf("%s: key %q is not in the catalogue", at, key)
					return true
				}
				if c.Ellipsis.IsValid() {
					return true
				}
				var names []string
				for i := 2; i < len(c.Args); i += 2 {
					lit, ok := c.Args[i].(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: argument %d of T(%q) is no placeholder name", at, i, key)
						continue
					}
					s, _ := strconv.Unquote(lit.Value)
					names = append(names, "{"+s+"}")
				}
				slices.Sort(names)
				if want := placeholders(en); !slices.Equal(names, want) {
					t.Errorf("%s: T(%q) fills %v, the message has %v", at, key, names, want)
				}
			case *ast.BinaryExpr:
				lit, ok := k.X.(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: T builds a key that does not start with a literal", at)
					return true
				}
				stem, _ := strconv.Unquote(lit.Value)
				if !HasPrefix(stem) {
					t.Errorf("%s: T builds a key from %q, which no key starts with", at, stem)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 15 {
		t.Errorf("found %d calls of i18n.T: the scan is wrong", calls)
	}
}

func isCall(c *ast.CallExpr, pkg, name string) bool {
	switch f := c.Fun.(type) {
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == pkg && f.Sel.Name == name
	case *ast.Ident:
		return pkg == "" && f.Name == name
	}
	return false
}

// moduleRoot is the directory of the go.mod above the test's directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
