package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/store"
)

// storetestUses parses the conformance suite and returns the names of the
// methods it calls (x.M(…)) or hands on as method expressions
// ((*store.Tx).M). Names, not types: the suite calls nothing but the
// store's methods by these names, and a type-checked scan would need
// golang.org/x/tools, which the module does not otherwise use.
func storetestUses(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("storetest", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("storetest sources: %v, %v", files, err)
	}
	used := map[string]bool{}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					used[sel.Sel.Name] = true
				}
			case *ast.SelectorExpr:
				if p, ok := n.X.(*ast.ParenExpr); ok {
					if _, ok := p.X.(*ast.StarExpr); ok {
						used[n.Sel.Name] = true
					}
				}
			}
			return true
		})
	}
	return used
}

// TestSuiteCallsEveryMethod fails when a method of Store or Tx is never
// called by the conformance suite: a method the suite does not run is not
// known to work on both engines.
func TestSuiteCallsEveryMethod(t *testing.T) {
	t.Parallel()
	used := storetestUses(t)
	for _, v := range []any{&store.Store{}, &store.Tx{}} {
		typ := reflect.TypeOf(v)
		if typ.NumMethod() < 20 {
			t.Fatalf("%s has only %d methods: the reflection is wrong", typ, typ.NumMethod())
		}
		for m := range typ.Methods() {
			if !used[m.Name] {
				t.Errorf("(%s).%s is never called in store/storetest", typ, m.Name)
			}
		}
	}
}

// TestSuiteMirrorsStore: each file of the store has its storetest file of
// the same name, which holds the cases for its methods, and storetest has
// no other files but its helpers (storetest.go, suite.go, pool.go).
func TestSuiteMirrorsStore(t *testing.T) {
	t.Parallel()
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
				out = append(out, n)
			}
		}
		return out
	}
	// rebind.go holds no methods of Store or Tx, only the SQLite
	// placeholder rewriter, tested by rebind_test.go.
	storeFiles, suiteFiles := names("."), names("storetest")
	for _, f := range storeFiles {
		if f != "rebind.go" && !slices.Contains(suiteFiles, f) {
			t.Errorf("store/%s has no store/storetest/%s", f, f)
		}
	}
	for _, f := range suiteFiles {
		if !slices.Contains(storeFiles, f) && !slices.Contains([]string{"storetest.go", "suite.go", "pool.go"}, f) {
			t.Errorf("store/storetest/%s mirrors no file of the store", f)
		}
	}
}
