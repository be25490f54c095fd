package connected

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/internal/i18n"
)

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// TestNotesUseKnownKeys reads this package's code for calls of note: each
// key must be in the catalogue in every language (a counted one with its
// .one and .other forms) and be given exactly the placeholders its English
// message has, so that no answer is sealed with a note the page cannot
// write. A key built from a stem and a phase's verb must exist for both
// verbs.
func TestNotesUseKnownKeys(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
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
			if !ok {
				return true
			}
			if id, ok := c.Fun.(*ast.Ident); !ok || id.Name != "note" || len(c.Args) == 0 {
				return true
			}
			calls++
			at := fset.Position(c.Pos())
			var names []string
			for i := 1; i < len(c.Args); i += 2 {
				lit, ok := c.Args[i].(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: argument %d of note is no placeholder name", at, i)
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
					t.Errorf("%s: note builds a key that does not start with a literal", at)
					return true
				}
				stem, _ := strconv.Unquote(lit.Value)
				for _, phase := range []string{PhaseErasure, PhaseCorrection} {
					keys = append(keys, stem+verbOf(phase))
				}
			default:
				t.Errorf("%s: note's key is neither a literal nor built from one", at)
				return true
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
						want := placeholderRE.FindAllString(msg, -1)
						slices.Sort(want)
						if want = slices.Compact(want); !slices.Equal(names, want) {
							t.Errorf("%s: note(%q) fills %v, the %s message has %v", at, form, names, want, lang)
						}
					}
				}
			}
			return true
		})
	}
	if calls < 8 {
		t.Errorf("found %d calls of note: the scan is wrong", calls)
	}
}

// A note of two sentences is one message of both, as the English notes are
// joined; it survives the task's column as it was made, and a task from
// before messages has none.
func TestMessageJoinAndStore(t *testing.T) {
	t.Parallel()
	shared := note("answer.system.shared.kept", "count", 2)
	kept := note("answer.system.retained", "fields", "time")
	cases := []struct {
		name string
		m    Message
		want Message
	}{
		{"nothing and a note", (Message{}).and(kept), kept},
		{"a note and nothing", kept.and(Message{}), kept},
		{"two notes", shared.and(kept), Message{Parts: []Message{shared, kept}}},
		{"three notes stay flat", shared.and(kept).and(shared), Message{Parts: []Message{shared, kept, shared}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !reflect.DeepEqual(c.m, c.want) {
				t.Fatalf("got %+v, want %+v", c.m, c.want)
			}
			if got := decodeMessage(c.m.encode()); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("stored and read back %+v, want %+v", got, c.want)
			}
		})
	}
	if (Message{}).encode() != "" || !decodeMessage("").zero() || !decodeMessage("{not json").zero() {
		t.Fatal("an empty or unreadable message is not none")
	}
	var asJSON map[string]any
	if err := json.Unmarshal([]byte(shared.encode()), &asJSON); err != nil || asJSON["key"] != "answer.system.shared.kept" {
		t.Fatalf("stored as %s (%v)", shared.encode(), err)
	}
}
