package policy

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	texttemplate "text/template"
	"text/template/parse"

	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/taxonomy"
)

// englishSentences are the notice's English words as the catalogue holds
// them, cut at their placeholders: the pieces of three words or more,
// which no other language's rendering may show outside an element marked
// lang="en".
func englishSentences(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, k := range i18n.Keys() {
		if !strings.HasPrefix(k, "notice.") {
			continue
		}
		msg, _ := i18n.Lookup(i18n.English, k)
		for _, piece := range regexp.MustCompile(`\{[a-z_]+\}`).Split(msg, -1) {
			piece = strings.Trim(piece, " ,.;:()")
			if len(strings.Fields(piece)) >= 3 {
				out = append(out, piece)
			}
		}
	}
	if len(out) < 80 {
		t.Fatalf("only %d English sentences: the catalogue has lost the notice's words", len(out))
	}
	return out
}

var (
	htmlTagRE   = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)([^>]*)>`)
	englishAttr = regexp.MustCompile(`\blang="en(-[A-Za-z0-9]+)*"`)
)

// splitByLang separates an HTML notice's text into what elements marked
// lang="en" hold and the rest, the page's own language. The notice is
// well formed (balanced), so a stack of open elements is enough.
func splitByLang(doc string) (page, english string) {
	void := map[string]bool{"meta": true, "br": true, "img": true, "link": true, "hr": true, "input": true}
	var p, e strings.Builder
	type open struct {
		name    string
		english bool
	}
	var stack []open
	inEnglish := func() bool {
		return slices.ContainsFunc(stack, func(o open) bool { return o.english })
	}
	last := 0
	for _, m := range htmlTagRE.FindAllStringSubmatchIndex(doc, -1) {
		text := html.UnescapeString(doc[last:m[0]])
		if inEnglish() {
			e.WriteString(text + " ")
		} else {
			p.WriteString(text + " ")
		}
		last = m[1]
		closing, name, attrs := doc[m[2]:m[3]] == "/", strings.ToLower(doc[m[4]:m[5]]), doc[m[6]:m[7]]
		switch {
		case closing:
			if i := slices.IndexFunc(stack, func(o open) bool { return o.name == name }); i >= 0 {
				// close the innermost element of that name
				for j := len(stack) - 1; j >= 0; j-- {
					if stack[j].name == name {
						stack = stack[:j]
						break
					}
				}
			}
		case !void[name] && name != "style" && name != "title":
			stack = append(stack, open{name, englishAttr.MatchString(attrs) && name != "html"})
		}
	}
	p.WriteString(html.UnescapeString(doc[last:]))
	return spaces.ReplaceAllString(p.String(), " "), spaces.ReplaceAllString(e.String(), " ")
}

func TestRenderInOtherLanguages(t *testing.T) {
	t.Parallel()
	english := englishSentences(t)
	for _, c := range goldenCases(t) {
		for _, lang := range []string{"es", "fr", "de"} {
			t.Run(c.name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				opts := c.opts
				opts.Lang = lang
				doc := render(t, c.m, NoticeHTML, opts)
				if err := balanced(doc); err != nil {
					t.Fatalf("html: %v", err)
				}
				if !strings.Contains(doc, `<html lang="`+lang+`">`) {
					t.Errorf("the page does not say it is in %s", lang)
				}
				page, marked := splitByLang(doc)
				for _, key := range []string{"notice.h.obtain", "notice.h.use", "notice.h.share", "notice.h.rights", "notice.h.protect", "notice.h.retention", "notice.h.children", "notice.h.contact", "notice.toc"} {
					if h := i18n.T(lang, key); !strings.Contains(page, h) {
						t.Errorf("the heading %s (%q) is missing", key, h)
					}
				}
				if c.m.California != nil && !strings.Contains(page, i18n.T(lang, "notice.h.ca_statement")) {
					t.Error("the California statement's heading is not translated")
				}
				for _, s := range english {
					if strings.Contains(page, s) {
						t.Errorf("the English %q is in the %s page outside lang=\"en\"", s, lang)
					}
				}
				// The company's words are there, marked: a German page
				// does not pretend its English paragraphs are German.
				if intro := c.m.Notice.Introduction; len(intro) > 0 {
					if !regexp.MustCompile(`<p lang="en(-US)?">`).MatchString(doc) || !strings.Contains(marked, strings.Fields(intro[0])[0]) {
						t.Error("the manifest's introduction is not marked lang=\"en\"")
					}
				}
				// Markdown has no lang attribute: its English may only be
				// what the HTML marks as English.
				md := plain(NoticeMarkdown, render(t, c.m, NoticeMarkdown, opts))
				for _, s := range english {
					if strings.Contains(md, s) && !strings.Contains(marked, s) {
						t.Errorf("the English %q is in the %s Markdown", s, lang)
					}
				}
				if !strings.Contains(md, "## "+i18n.T(lang, "notice.h.obtain")) && !strings.Contains(md, i18n.T(lang, "notice.h.obtain")) {
					t.Errorf("the Markdown heading is not in %s", lang)
				}
			})
		}
	}
}

// TestRenderLanguageOption: English asked for is the English published
// (but for the page's own language tag), an unknown language is refused,
// and a manifest written in German rendered in German marks nothing while
// rendered in English it marks its own words lang="de".
func TestRenderLanguageOption(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	for _, format := range formats {
		if a, b := render(t, m, format, RenderOptions{}), render(t, m, format, RenderOptions{Lang: "EN"}); a != b {
			t.Errorf("%s: Lang en differs from the default:\n%s", format, firstDifference(a, b))
		}
		if err := Render(&strings.Builder{}, m, format, RenderOptions{Lang: "pt"}); err == nil || !strings.Contains(err.Error(), `"pt"`) {
			t.Errorf("%s: rendering in pt: %v", format, err)
		}
	}
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Parse("acme.yaml", []byte(strings.Replace(acmeManifest, "last_updated:", "language: de\nlast_updated:", 1)))
	if err != nil {
		t.Fatal(err)
	}
	de := render(t, p.Manifest, NoticeHTML, RenderOptions{Lang: "de"})
	if strings.Contains(de, `lang="de">`) && strings.Contains(de, `<p lang="de">`) || strings.Contains(de, `<p lang="en">`) {
		t.Error("a German manifest in a German page marks its own words")
	}
	en := render(t, p.Manifest, NoticeHTML, RenderOptions{Lang: "en"})
	if !strings.Contains(en, `<html lang="en">`) || !strings.Contains(en, `<p lang="de">Acme Widgets Ltd`) || !strings.Contains(en, `<h1 lang="de">Privacy Notice</h1>`) {
		t.Errorf("a German manifest in an English page does not mark its words lang=\"de\":\n%.1500s", en)
	}
	if def := render(t, p.Manifest, NoticeHTML, RenderOptions{}); !strings.Contains(def, `<html lang="de">`) || strings.Contains(def, `<p lang=`) {
		t.Error("the default rendering of a German manifest changed")
	}
}

func TestRenderLanguageSwitcher(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	langs := []LanguageChoice{{Code: "en", Name: "English"}, {Code: "es", Name: "Español"}, {Code: "fr", Name: "Français"}, {Code: "de", Name: "Deutsch", Current: true}}
	doc := render(t, m, NoticeHTML, RenderOptions{Lang: "de", Languages: langs, Center: "/privacy-center?lang=de"})
	for _, want := range []string{
		`<nav class="langs" aria-label="Sprache">`, `<a href="?lang=fr" lang="fr" hreflang="fr">Français</a>`,
		`<a aria-current="true" lang="de">Deutsch</a>`, `<a href="/privacy-center?lang=de">Datenschutzcenter</a>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("%q is missing", want)
		}
	}
	if strings.Contains(render(t, m, NoticeHTML, RenderOptions{}), "nav.langs") {
		t.Error("a notice without languages offers them")
	}
}

// TestTemplatesUseKnownKeys reads both templates' calls of t, words and
// link: each key is in the catalogue, and t is given by name exactly the
// placeholders its English message has (TestCallsUseKnownKeys checks the
// Go code's calls of i18n.T).
func TestTemplatesUseKnownKeys(t *testing.T) {
	t.Parallel()
	funcs := texttemplate.FuncMap{}
	for _, b := range []string{"and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "print", "printf", "println", "slice", "call", "html", "js", "urlquery"} {
		funcs[b] = func() {}
	}
	for k := range htmlFuncs(noticeWords{lang: i18n.English}, false, "", false) {
		funcs[k] = func() {}
	}
	for k := range markdownFuncs(noticeWords{lang: i18n.English}) {
		funcs[k] = func() {}
	}
	calls := 0
	for _, name := range []string{"templates/notice.md.tmpl", "templates/notice.html.tmpl"} {
		src, err := templateFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		trees, err := parse.Parse(name, string(src), "{{", "}}", funcs)
		if err != nil {
			t.Fatal(err)
		}
		for _, tree := range trees {
			walkCommands(tree.Root, func(c *parse.CommandNode) {
				id, ok := c.Args[0].(*parse.IdentifierNode)
				if !ok || len(c.Args) < 2 {
					return
				}
				keyAt := map[string]int{"t": 1, "words": 1, "link": 2}[id.Ident]
				if keyAt == 0 || len(c.Args) <= keyAt {
					return
				}
				key, ok := c.Args[keyAt].(*parse.StringNode)
				if !ok {
					t.Errorf("%s: %s takes a key that is no literal: %s", name, id.Ident, c)
					return
				}
				calls++
				en, ok := i18n.Lookup(i18n.English, key.Text)
				if !ok || !strings.HasPrefix(key.Text, "notice.") {
					t.Errorf("%s: %s is not a notice key of the catalogue", name, key.Text)
					return
				}
				if id.Ident != "t" {
					return
				}
				var names []string
				for i := 2; i < len(c.Args); i += 2 {
					if s, ok := c.Args[i].(*parse.StringNode); ok {
						names = append(names, "{"+s.Text+"}")
					}
				}
				slices.Sort(names)
				want := regexp.MustCompile(`\{[a-z_]+\}`).FindAllString(en, -1)
				slices.Sort(want)
				want = slices.Compact(want)
				if !slices.Equal(names, want) {
					t.Errorf("%s: t %q fills %v, the message has %v", name, key.Text, names, want)
				}
			})
		}
	}
	if calls < 150 {
		t.Errorf("found %d calls: the walk is wrong", calls)
	}
}

func walkCommands(n parse.Node, f func(*parse.CommandNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkCommands(c, f)
		}
	case *parse.ActionNode:
		walkCommands(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			f(c)
			for _, a := range c.Args {
				walkCommands(a, f)
			}
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	}
}

func walkBranch(b *parse.BranchNode, f func(*parse.CommandNode)) {
	walkCommands(b.Pipe, f)
	walkCommands(b.List, f)
	if b.ElseList != nil {
		walkCommands(b.ElseList, f)
	}
}

// TestTaxonomyWordsTranslated: the taxonomy's texts the notice writes
// (the requests one can make, the legal bases) have their English in the
// catalogue exactly as the taxonomy words them, so the translations
// translate what the English notice says; and a German notice lists them
// in German, unmarked.
func TestTaxonomyWordsTranslated(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		prefix string
		list   []taxonomy.Labelled
	}{{"notice.request.", taxonomy.RequestTypes()}, {"notice.basis.", taxonomy.LegalBases()}} {
		for _, l := range c.list {
			if got, _ := i18n.Lookup(i18n.English, c.prefix+l.Key); got != l.Text {
				t.Errorf("%s%s is %q, the taxonomy says %q", c.prefix, l.Key, got, l.Text)
			}
		}
	}
	for _, l := range taxonomy.RequestTypes() {
		if got, _ := i18n.Lookup(i18n.English, "notice.request_label."+l.Key); got != l.Label {
			t.Errorf("notice.request_label.%s is %q, the taxonomy says %q", l.Key, got, l.Label)
		}
	}
	doc := render(t, bundledPolicy(t).Manifest, NoticeHTML, RenderOptions{Lang: "de"})
	for _, want := range []string{
		"<li>Löschung Ihrer personenbezogenen Daten", "<li>Ihre Einwilligung in die Verarbeitung, die Sie jederzeit widerrufen können",
		"Anträge auf Auskunft und Kategorien können Sie bis zu zweimal innerhalb von 12 Monaten stellen.",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the German notice lacks %q", want)
		}
	}
}
