// Package i18ntest holds a package's own message-building calls to the
// catalogue, for tests: the packages that seal a message to be written
// later in another language (requests' say, connected's note) check with
// it that no call names a key the catalogue lacks or fills other
// placeholders than the message has.
package i18ntest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/internal/i18n"
)

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// Placeholders lists a message's {placeholders}, sorted, each once.
func Placeholders(msg string) []string {
	p := placeholderRE.FindAllString(msg, -1)
	slices.Sort(p)
	return slices.Compact(p)
}

// CheckCalls reads the Go files of dir (tests left out) for calls of the
// package's own function fn(key, "name", value, …) and fails t for each
// that does not hold: its key (a counted one with its .one and .other
// forms) is in the catalogue in every language, and is given, by name,
// exactly the placeholders each language's message has. A key built from
// a literal stem ("answer.ground."+g) is checked for every end ends gives
// the stem; ends answers false for a stem it does not know. It returns
// the number of calls it read, so that a caller can tell a broken scan.
func CheckCalls(t testing.TB, dir, fn string, ends func(stem string) ([]string, bool)) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) == 0 {
				return true
			}
			if id, ok := c.Fun.(*ast.Ident); !ok || id.Name != fn {
				return true
			}
			calls++
			checkCall(t, fset.Position(c.Pos()).String(), fn, c, ends)
			return true
		})
	}
	return calls
}

func checkCall(t testing.TB, at, fn string, c *ast.CallExpr, ends func(string) ([]string, bool)) {
	t.Helper()
	var names []string
	for i := 1; i < len(c.Args); i += 2 {
		lit, ok := c.Args[i].(*ast.BasicLit)
		if !ok {
			t.Errorf("%s: argument %d of %s is no placeholder name", at, i, fn)
			continue
		}
		s, _ := strconv.Unquote(lit.Value)
		names = append(names, "{"+s+"}")
	}
	slices.Sort(names)
	var keys []string
	switch k := c.Args[0].(type) {
	case *ast.BasicLit:
		key, _ := strconv.Unquote(k.Value)
		keys = []string{key}
	case *ast.BinaryExpr:
		lit, ok := k.X.(*ast.BasicLit)
		if !ok {
			t.Errorf("%s: %s builds a key that does not start with a literal", at, fn)
			return
		}
		stem, _ := strconv.Unquote(lit.Value)
		es, ok := ends(stem)
		if !ok {
			t.Errorf("%s: %s builds a key from %q, which the test does not know", at, fn, stem)
		}
		for _, e := range es {
			keys = append(keys, stem+e)
		}
	default:
		t.Errorf("%s: %s's key is neither a literal nor built from one", at, fn)
		return
	}
	for _, key := range keys {
		forms := []string{key}
		if _, ok := i18n.Lookup(i18n.English, key+".other"); ok {
			forms = []string{key + ".one", key + ".other"}
		}
		for _, form := range forms {
			for _, lang := range i18n.Languages() {
				msg, ok := i18n.Lookup(lang, form)
				if !ok {
					t.Errorf("%s: key %q is not in the %s catalogue", at, form, lang)
					continue
				}
				if want := Placeholders(msg); !slices.Equal(names, want) {
					t.Errorf("%s: %s(%q) fills %v, the %s message has %v", at, fn, form, names, lang, want)
				}
			}
		}
	}
}
