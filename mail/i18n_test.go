package mail

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"
	texttemplate "text/template"
	"text/template/parse"
)

// TestMissingMailTranslations checks that every mail template exists in
// every language and uses the same fields, functions, sub-templates and
// literal values as the English one, so that no language silently drops a
// reference, a date or the appeal route. The sentences of their data are
// the one catalogue's (internal/i18n, TestMissingTranslations there).
func TestMissingMailTranslations(t *testing.T) {
	t.Parallel()
	en, err := fs.Glob(templateFS, "templates/en/*.tmpl")
	if err != nil || len(en) == 0 {
		t.Fatalf("no English templates: %v", err)
	}
	for _, l := range Languages() {
		files, _ := fs.Glob(templateFS, "templates/"+l+"/*.tmpl")
		var names, want []string
		for _, f := range files {
			names = append(names, path.Base(f))
		}
		for _, f := range en {
			want = append(want, path.Base(f))
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s has templates %v, English has %v", l, names, want)
		}
		for _, f := range want {
			if l == LanguageEnglish {
				continue
			}
			got, wantRefs := templateRefs(t, "templates/"+l+"/"+f), templateRefs(t, "templates/en/"+f)
			if !slices.Equal(got, wantRefs) {
				t.Errorf("%s/%s uses %v,\nEnglish uses %v", l, f, got, wantRefs)
			}
		}
	}

}

// templateRefs parses one template file and lists, sorted and without
// repeats, what it refers to: fields (.Organisation.Name), variables,
// functions, the templates it defines and calls, and literal strings and
// numbers (the "rectify" of eq .Action "rectify").
func templateRefs(t *testing.T, file string) []string {
	t.Helper()
	b, err := fs.ReadFile(templateFS, file)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := texttemplate.New(path.Base(file)).Funcs(funcs(LanguageEnglish)).Parse(string(b))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	seen := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		if n == nil {
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, d := range n.Decl {
				walk(d)
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			seen["field ."+strings.Join(n.Ident, ".")] = true
		case *parse.VariableNode:
			seen["var "+strings.Join(n.Ident, ".")] = true
		case *parse.ChainNode:
			walk(n.Node)
			seen["chain ."+strings.Join(n.Field, ".")] = true
		case *parse.IdentifierNode:
			seen["func "+n.Ident] = true
		case *parse.StringNode:
			seen["string "+n.Quoted] = true
		case *parse.NumberNode:
			seen["number "+n.Text] = true
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			seen["template "+n.Name] = true
			walk(n.Pipe)
		}
	}
	for _, tt := range tmpl.Templates() {
		if tt.Tree == nil || tt.Name() == path.Base(file) {
			continue
		}
		seen["define "+tt.Name()] = true
		walk(tt.Tree.Root)
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("%s: found nothing to compare", file)
	}
	return out
}

// Every template composes in every language, with the language's dates
// and words, and the HTML says which language it is in.
func TestComposeInEveryLanguage(t *testing.T) {
	t.Parallel()
	want := map[string]struct{ date, footer, lang string }{
		"en": {"1 March 2027", "E-mail: privacy@clientwise.com", `<html lang="en">`},
		"es": {"1 de marzo de 2027", "Correo electrónico: privacy@clientwise.com", `<html lang="es">`},
		"fr": {"1er mars 2027", "E-mail : privacy@clientwise.com", `<html lang="fr">`},
		"de": {"1. März 2027", "E-Mail: privacy@clientwise.com", `<html lang="de">`},
	}
	if len(want) != len(Languages()) {
		t.Fatalf("test covers %d languages, package has %d", len(want), len(Languages()))
	}
	for _, l := range Languages() {
		for _, tt := range composeCases() {
			t.Run(l+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				subject, text, html, err := ComposeIn(l, tt.name, tt.data)
				if err != nil {
					t.Fatal(err)
				}
				if subject == "" || strings.ContainsAny(subject, "\r\n") {
					t.Errorf("subject %q", subject)
				}
				w := want[l]
				for _, s := range []string{w.footer, "Clientwise & Co"} {
					if !strings.Contains(text, s) {
						t.Errorf("text lacks %q:\n%s", s, text)
					}
				}
				if !strings.Contains(html, w.lang) || !strings.Contains(html, "&lt;script&gt;") || strings.Contains(html, "<script") {
					t.Errorf("html not %s or not escaped:\n%s", w.lang, html)
				}
				if strings.Contains(text, "\n\n\n") || strings.Contains(text, " ,") || strings.Contains(text, "  .") {
					t.Errorf("text has stray spacing:\n%q", text)
				}
				// The templates with a date show it in the language.
				if strings.Contains(tt.name, "received") || strings.Contains(tt.name, "extended") || strings.Contains(tt.name, "completed") || strings.Contains(tt.name, "erasure") {
					if !strings.Contains(text, w.date) || !strings.Contains(html, w.date) {
						t.Errorf("lacks the date %q:\n%s", w.date, text)
					}
				}
				// Apart from English, no English sentence is left over.
				if l != LanguageEnglish {
					for _, en := range []string{"We have", "We received", "Please", "Your verification code", "Phone:", "reference"} {
						if strings.Contains(text, en) {
							t.Errorf("%s text still says %q:\n%s", l, en, text)
						}
					}
				}
			})
		}
	}
	if _, _, _, err := ComposeIn("it", TemplateRequestCompleted, RequestCompleted{Organisation: testOrg, ResultsURL: "https://x.example/r"}); err == nil ||
		!strings.Contains(err.Error(), `unknown language "it"`) {
		t.Errorf("ComposeIn(it) = %v, want an unknown-language error", err)
	}
}

func TestSupportedLanguage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want string
		ok       bool
	}{{"de", "de", true}, {"FR", "fr", true}, {"en", "en", true}, {"es", "es", true}, {"it", "", false}, {"de-DE", "", false}, {"", "", false}} {
		if got, ok := SupportedLanguage(c.in); got != c.want || ok != c.ok {
			t.Errorf("SupportedLanguage(%q) = %q, %v", c.in, got, ok)
		}
	}
}
