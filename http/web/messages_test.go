package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/requests"
)

// The catalogue itself (every key in every language, the same
// placeholders) is checked by internal/i18n's TestMissingTranslations;
// these tests check that every key the pages use is in it, so that no page
// shows a key where a person reads words.

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// placeholdersOf lists a web message's placeholder names, sorted.
func placeholdersOf(t *testing.T, key string) []string {
	t.Helper()
	msg, ok := i18n.Lookup(i18n.English, "web."+key)
	if !ok {
		t.Errorf("key web.%s is used but not in the catalogue", key)
		return nil
	}
	var out []string
	for _, p := range placeholderRE.FindAllString(msg, -1) {
		out = append(out, p[1:len(p)-1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestTemplateKeysExist walks every public page's template for calls of
// t: a literal key must exist and be given exactly its placeholders by
// name; a built key (print "status." .Status) must have its stem.
func TestTemplateKeysExist(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(templateFS, "templates/*.html.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	literal, built := 0, 0
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		tr := parse.New(f)
		tr.Mode = parse.SkipFuncCheck
		trees := map[string]*parse.Tree{}
		if _, err := tr.Parse(string(b), "", "", trees); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tree := range trees {
			walk(tree.Root, func(c *parse.CommandNode) {
				if id, ok := c.Args[0].(*parse.IdentifierNode); !ok || id.Ident != "t" || len(c.Args) < 2 {
					return
				}
				var names []string
				for i := 2; i < len(c.Args); i += 2 {
					s, ok := c.Args[i].(*parse.StringNode)
					if !ok {
						t.Errorf("%s: %s: argument %d is no placeholder name", f, c, i)
						continue
					}
					names = append(names, s.Text)
				}
				slices.Sort(names)
				switch k := c.Args[1].(type) {
				case *parse.StringNode:
					literal++
					if want := placeholdersOf(t, k.Text); !slices.Equal(names, want) {
						t.Errorf("%s: %s names %v, the message has %v", f, c, names, want)
					}
				case *parse.PipeNode:
					built++
					s, ok := k.Cmds[0].Args[1].(*parse.StringNode)
					if !ok || !i18n.HasPrefix("web."+s.Text) {
						t.Errorf("%s: %s builds a key no message starts with", f, c)
					}
				}
			})
		}
	}
	if literal < 50 || built < 3 {
		t.Errorf("found %d literal and %d built keys: the walk is wrong", literal, built)
	}
}

func walk(n parse.Node, f func(*parse.CommandNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, f)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, f)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walk(c, f)
			}
		}
	case *parse.CommandNode:
		f(n)
		for _, a := range n.Args {
			walk(a, f)
		}
	case *parse.IfNode:
		walk(n.Pipe, f)
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.RangeNode:
		walk(n.Pipe, f)
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.WithNode:
		walk(n.Pipe, f)
		walk(n.List, f)
		walk(n.ElseList, f)
	}
}

// TestCodeKeysExist scans the pages' Go code for the keys it hands to the
// templates (Title: "title.choices", Label: "type." + t): a string that
// begins with one of the catalogue's page groups is a key, or the stem of
// one when it ends in a dot.
func TestCodeKeysExist(t *testing.T) {
	t.Parallel()
	groups := map[string]bool{}
	for _, k := range i18n.Keys() {
		if rest, ok := strings.CutPrefix(k, "web."); ok {
			groups[strings.SplitN(rest, ".", 2)[0]] = true
		}
	}
	lit := regexp.MustCompile(`"([a-z]+)\.([A-Za-z0-9_.-]*)"`)
	files, _ := filepath.Glob("*.go")
	n := 0
	for _, f := range files {
		// The console (admin*) speaks English without the catalogue.
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "admin") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + "." + m[2]
			if !groups[m[1]] || strings.HasSuffix(key, ".tmpl") || strings.HasSuffix(key, ".css") {
				continue
			}
			n++
			if strings.HasSuffix(key, ".") {
				if !i18n.HasPrefix("web." + key) {
					t.Errorf("%s: no message starts with web.%s", f, key)
				}
			} else if _, ok := i18n.Lookup(i18n.English, "web."+key); !ok {
				t.Errorf("%s: key web.%s is not in the catalogue", f, key)
			}
		}
	}
	if n < 30 {
		t.Errorf("found %d keys in the code: the scan is wrong", n)
	}
	// The built keys: every request type, status and identity kind a page
	// can show has its words.
	var built []string
	for _, ty := range requests.Types() {
		built = append(built, "type."+ty)
	}
	for _, s := range []string{requests.StatusAwaitingVerification, requests.StatusPendingReview, requests.StatusInProgress,
		requests.StatusCompleted, requests.StatusDenied, requests.StatusCanceled} {
		built = append(built, "status."+s)
	}
	for _, k := range []string{custos.IdentityEmail, custos.IdentityPhone, custos.IdentityExternalID, "device_id"} {
		built = append(built, "identity."+k)
	}
	for _, k := range built {
		if _, ok := i18n.Lookup(i18n.English, "web."+k); !ok {
			t.Errorf("web.%s is not in the catalogue", k)
		}
	}
}
