package policy

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// translatedManifest is testdata/translated.yaml: a small manifest with a
// partial German translation.
func translatedManifest(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/translated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestTranslatedManifestValidates(t *testing.T) {
	t.Parallel()
	if _, err := newLoader(t).Parse("translated.yaml", []byte(translatedManifest(t))); err != nil {
		t.Fatalf("the test manifest does not validate:\n%v", err)
	}
}

func TestTranslationProblems(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	src := translatedManifest(t)
	i := strings.Index(src, "translations:\n")
	if i < 0 {
		t.Fatal("the test manifest has no translations section")
	}
	head := src[:i]
	// first is the line of "translations:"; each case's problem sits at
	// line first+line, column col.
	first := strings.Count(head, "\n") + 1
	cases := []struct {
		name      string
		section   string // replaces the translations section
		line, col int
		want      string
	}{
		{"unknown language", "translations:\n  pt:\n    categories:\n      user.name: {description: Nome}\n", 1, 3, `translations: "pt" is not a language the notice is published in: use one of es, fr, de`},
		{"language in capitals", "translations:\n  DE:\n    categories:\n      user.name: {description: Name}\n", 1, 3, `translations: "DE" is not a language`},
		{"the manifest's own language", "translations:\n  en:\n    categories:\n      user.name: {description: Name}\n", 1, 3, `translations: "en" is the manifest's own language`},
		{"undeclared category", "translations:\n  de:\n    categories:\n      user.name: {description: Name}\n      user.contact.phone_number: {description: Telefonnummer}\n", 4, 7, `translations.de.categories: category "user.contact.phone_number" is not declared in this manifest`},
		{"undeclared purpose", "translations:\n  de:\n    purposes:\n      analytics.reporting: {name: Statistik}\n", 3, 7, `translations.de.purposes: purpose "analytics.reporting" is not declared`},
		{"undeclared recipient", "translations:\n  de:\n    recipients:\n      brokers: {name: Makler}\n", 3, 7, `translations.de.recipients: recipient "brokers" is not declared`},
		{"undeclared source", "translations:\n  de:\n    sources:\n      partners: {name: Partner}\n", 3, 7, `translations.de.sources: source "partners" is not declared`},
		{"undeclared cookie", "translations:\n  de:\n    cookies:\n      tracker: {description: Verfolgt Sie}\n", 3, 7, `translations.de.cookies: cookie "tracker" is not declared`},
		{"unknown field", "translations:\n  de:\n    categories:\n      user.name:\n        name: Name\n", 4, 9, `translations.de.categories.user.name: unknown key "name"`},
		{"unknown section", "translations:\n  de:\n    subjects: {}\n", 2, 5, `translations.de: unknown key "subjects"`},
		{"empty text", "translations:\n  de:\n    cookies:\n      session:\n        description: \"\"\n", 4, 22, `translations.de.cookies.session.description: the translation is empty`},
		{"empty use", "translations:\n  de:\n    purposes:\n      essential.service:\n        uses: [\"Widgets liefern\", \" \"]\n", 4, 35, `translations.de.purposes.essential.service.uses[1]: the translation is empty`},
		{"a text the manifest lacks", "translations:\n  de:\n    organisation:\n      description: Acme stellt Widgets her.\n", 3, 7, `translations.de.organisation.description: the manifest has no such text to translate`},
		{"a notice section the manifest lacks", "translations:\n  de:\n    notice:\n      choices: [\"Sie haben die Wahl.\"]\n", 3, 7, `translations.de.notice.choices: the manifest has no such text to translate`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := l.Parse("t.yaml", []byte(head+c.section))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Parse = %v, want problems", err)
			}
			want := fmt.Sprintf("t.yaml:%d:%d: %s", first+c.line, c.col, c.want)
			for _, p := range ps {
				if strings.HasPrefix(p.String(), want) {
					return
				}
			}
			t.Fatalf("no problem like %q in:\n%s", want, ps.Error())
		})
	}
}

// ownMarked finds the elements a page marks as in the manifest's language.
var ownMarked = regexp.MustCompile(`<(\w+)[^>]* lang="en-US"[^>]*>([^<]*)`)

func TestRenderTranslated(t *testing.T) {
	t.Parallel()
	p, err := newLoader(t).Parse("translated.yaml", []byte(translatedManifest(t)))
	if err != nil {
		t.Fatal(err)
	}
	de := render(t, p.Manifest, NoticeHTML, RenderOptions{Lang: "de"})
	marked := map[string]bool{}
	for _, m := range ownMarked.FindAllStringSubmatch(de, -1) {
		marked[strings.TrimSpace(m[2])] = true
	}
	text := plain(NoticeHTML, de)
	translated := []string{
		"Datenschutzinformation",
		"Wir schützen personenbezogene Daten durch Verschlüsselung und Zugriffskontrollen.",
		"E-Mail-Adresse",
		"Newsletter-Versand",
		"Ihnen unseren Newsletter senden, wenn Sie ihn bestellen.",
		"mit dem Dienst, der unseren Newsletter versendet.",
		"Merkt sich, dass Sie das Newsletter-Angebot gesehen haben",
	}
	for _, s := range translated {
		if !strings.Contains(text, s) {
			t.Errorf("the German notice lacks the translation %q", s)
		}
		if marked[s] {
			t.Errorf("the translation %q is marked as English", s)
		}
	}
	// What the manifest does not translate stays English, and says so.
	for _, s := range []string{
		"Acme Widgets Ltd makes widgets. This notice explains what we do with personal information.",
		"send you the widgets you order; and",
		"with couriers who deliver your widgets; and",
		"Keeps you signed in",
		"Providing widgets",
		"We keep personal information only as long as we need it.",
	} {
		if !marked[s] {
			t.Errorf("the untranslated %q is not marked as English; marked: %v", s, marked)
		}
	}
	for _, s := range []string{"Privacy Notice", "Email address", "send you our newsletter", "Remembers that you saw", "the service that sends our newsletter", "We protect personal information"} {
		if strings.Contains(text, s) {
			t.Errorf("the German notice still has the English %q of a translated text", s)
		}
	}
	if err := balanced(de); err != nil {
		t.Error(err)
	}
	md := plain(NoticeMarkdown, render(t, p.Manifest, NoticeMarkdown, RenderOptions{Lang: "de"}))
	for _, s := range translated {
		if !strings.Contains(md, s) {
			t.Errorf("the German Markdown notice lacks the translation %q", s)
		}
	}

	// The other languages and English are as without translations.
	bare, err := newLoader(t).Parse("bare.yaml", []byte(translatedManifest(t)[:strings.Index(translatedManifest(t), "translations:\n")]))
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []RenderOptions{{}, {Lang: "en"}, {Lang: "fr"}} {
		for _, format := range formats {
			if got, want := render(t, p.Manifest, format, opts), render(t, bare.Manifest, format, opts); got != want {
				t.Errorf("%s in %q: a German translation changed the page: %s", format, opts.Lang, firstDifference(want, got))
			}
		}
	}
}

// A translation says again what the manifest says: changing, adding or
// removing one is editorial.
func TestDiffTranslations(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	src := translatedManifest(t)
	base, err := l.Parse("old.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	section := strings.Index(src, "translations:\n")
	cases := []struct {
		name string
		new  string
		want string
	}{
		{"reworded", strings.Replace(src, "name: Versanddienst", "name: Newsletter-Dienst", 1), "editorial: translations de: the translation's wording changed"},
		{"new language", src + "  fr:\n    categories:\n      user.name: {description: Nom}\n", "editorial: translations fr: new translation"},
		{"removed", src[:section], "editorial: translations de: translation removed; its texts are shown in the manifest's language"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			next, err := l.Parse("new.yaml", []byte(c.new))
			if err != nil {
				t.Fatal(err)
			}
			changes := Diff(base.Manifest, next.Manifest)
			if len(changes) != 1 || changes[0].String() != c.want || AnyMaterial(changes) {
				t.Fatalf("Diff = %v, want only %q", changes, c.want)
			}
		})
	}
}
