package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/custos-privacy/custos/internal/i18n"
)

// Translation is the company's own texts in one language, each keyed by
// what it translates: a category, purpose, recipient or source by its key,
// a cookie by its name, the organisation and the notice's prose by field.
// Every field is optional; what is left out stays in the manifest's
// language.
type Translation struct {
	Organisation *OrganisationText        `yaml:"organisation,omitempty" json:"organisation,omitempty"`
	Notice       *Notice                  `yaml:"notice,omitempty" json:"notice,omitempty"`
	Categories   map[string]CategoryText  `yaml:"categories,omitempty" json:"categories,omitempty"`
	Purposes     map[string]PurposeText   `yaml:"purposes,omitempty" json:"purposes,omitempty"`
	Recipients   map[string]RecipientText `yaml:"recipients,omitempty" json:"recipients,omitempty"`
	Sources      map[string]SourceText    `yaml:"sources,omitempty" json:"sources,omitempty"`
	Cookies      map[string]CookieText    `yaml:"cookies,omitempty" json:"cookies,omitempty"`
}

// OrganisationText translates the organisation's texts; its legal name is
// a name, not a text, and is not translated.
type OrganisationText struct {
	ShortName   string `yaml:"short_name,omitempty" json:"short_name,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// CategoryText translates a category's description.
type CategoryText struct {
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// PurposeText translates a purpose's name and its uses (all of them:
// the notice lists them as one list).
type PurposeText struct {
	Name string   `yaml:"name,omitempty" json:"name,omitempty"`
	Uses []string `yaml:"uses,omitempty" json:"uses,omitempty"`
}

// RecipientText translates a recipient's texts.
type RecipientText struct {
	Name            string `yaml:"name,omitempty" json:"name,omitempty"`
	Description     string `yaml:"description,omitempty" json:"description,omitempty"`
	CCPADescription string `yaml:"ccpa_description,omitempty" json:"ccpa_description,omitempty"`
}

// SourceText translates a source's texts.
type SourceText struct {
	Name        string `yaml:"name,omitempty" json:"name,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// CookieText translates a cookie's description.
type CookieText struct {
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// noticeFields are the notice's prose fields by their YAML names, for the
// validator and the renderer alike.
func noticeFields(n *Notice) map[string]*[]string {
	return map[string]*[]string{
		"introduction": &n.Introduction, "obtaining": &n.Obtaining, "collection_contexts": &n.CollectionContexts,
		"voluntary": &n.Voluntary, "use": &n.Use, "cookies": &n.Cookies, "sharing": &n.Sharing,
		"choices": &n.Choices, "security": &n.Security, "retention": &n.Retention, "children": &n.Children,
		"changes": &n.Changes, "contact": &n.Contact, "sharing_closing": &n.SharingClosing,
	}
}

// checkTranslations checks that each translation is in a catalogue
// language other than the manifest's, names only what the manifest has and
// has no empty text. Unknown fields are the schema's.
func checkTranslations(v *validation, m *Manifest) {
	own := baseLanguage(m.Language)
	if own == "" {
		own = i18n.English
	}
	langs := make([]string, 0, len(m.Translations))
	for l := range m.Translations {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		tr := m.Translations[lang]
		at := []string{"translations", lang}
		if _, ok := i18n.Supported(lang); !ok || lang != strings.ToLower(lang) {
			v.at(v.keyNode([]string{"translations"}, lang), "translations",
				fmt.Sprintf("%q is not a language the notice is published in: use one of %s", lang, strings.Join(otherLanguages(own), ", ")))
			continue
		}
		if lang == own {
			v.at(v.keyNode([]string{"translations"}, lang), "translations",
				fmt.Sprintf("%q is the manifest's own language: its texts are already in it", lang))
			continue
		}
		if tr == nil {
			continue
		}
		c := trCheck{v: v, at: at}
		if o := tr.Organisation; o != nil {
			c.text([]string{"organisation", "short_name"}, o.ShortName, m.Organisation.ShortName)
			c.text([]string{"organisation", "description"}, o.Description, m.Organisation.Description)
		}
		if n := tr.Notice; n != nil {
			c.text([]string{"notice", "title"}, n.Title, m.Notice.Title)
			ownFields := noticeFields(&m.Notice)
			for name, f := range noticeFields(n) {
				c.texts([]string{"notice", name}, *f, len(*ownFields[name]) > 0)
			}
		}
		keys := func(n int, key func(int) string) map[string]int {
			out := make(map[string]int, n)
			for i := 0; i < n; i++ {
				out[key(i)] = i
			}
			return out
		}
		cats := keys(len(m.Categories), func(i int) string { return m.Categories[i].Key })
		for _, k := range sortedKeys(tr.Categories) {
			if i, ok := c.names("categories", "category", cats, k); ok {
				c.text([]string{"categories", k, "description"}, tr.Categories[k].Description, m.Categories[i].Description)
			}
		}
		purposes := keys(len(m.Purposes), func(i int) string { return m.Purposes[i].Key })
		for _, k := range sortedKeys(tr.Purposes) {
			if i, ok := c.names("purposes", "purpose", purposes, k); ok {
				p := tr.Purposes[k]
				c.text([]string{"purposes", k, "name"}, p.Name, m.Purposes[i].Name)
				c.texts([]string{"purposes", k, "uses"}, p.Uses, true)
			}
		}
		recipients := keys(len(m.Recipients), func(i int) string { return m.Recipients[i].Key })
		for _, k := range sortedKeys(tr.Recipients) {
			if i, ok := c.names("recipients", "recipient", recipients, k); ok {
				r, o := tr.Recipients[k], m.Recipients[i]
				c.text([]string{"recipients", k, "name"}, r.Name, o.Name)
				c.text([]string{"recipients", k, "description"}, r.Description, o.Description)
				c.text([]string{"recipients", k, "ccpa_description"}, r.CCPADescription, o.CCPADescription)
			}
		}
		sources := keys(len(m.Sources), func(i int) string { return m.Sources[i].Key })
		for _, k := range sortedKeys(tr.Sources) {
			if i, ok := c.names("sources", "source", sources, k); ok {
				s, o := tr.Sources[k], m.Sources[i]
				c.text([]string{"sources", k, "name"}, s.Name, o.Name)
				c.text([]string{"sources", k, "description"}, s.Description, o.Description)
			}
		}
		cookies := keys(len(m.Cookies), func(i int) string { return m.Cookies[i].Name })
		for _, k := range sortedKeys(tr.Cookies) {
			if i, ok := c.names("cookies", "cookie", cookies, k); ok {
				c.text([]string{"cookies", k, "description"}, tr.Cookies[k].Description, m.Cookies[i].Description)
			}
		}
	}
}

// otherLanguages are the catalogue's languages but own.
func otherLanguages(own string) []string {
	return slices.DeleteFunc(i18n.Languages(), func(l string) bool { return l == own })
}

// trCheck checks the entries of one language's translation.
type trCheck struct {
	v  *validation
	at []string
}

func (c trCheck) path(p []string) []string { return append(slices.Clone(c.at), p...) }

// names reports a key that names nothing in the manifest; it returns the
// index of what it names.
func (c trCheck) names(section, what string, declared map[string]int, key string) (int, bool) {
	i, ok := declared[key]
	if !ok {
		c.v.at(c.v.keyNode(c.path([]string{section}), key), pathString(c.path([]string{section})),
			fmt.Sprintf("%s %q is not declared in this manifest, so there is nothing to translate", what, key))
	}
	return i, ok
}

// text checks one translated text: given in the YAML (a key present but
// empty is a problem) and translating a text the manifest has.
func (c trCheck) text(p []string, got, original string) {
	node := c.v.find(c.path(p))
	present := child(c.v.find(c.path(p[:len(p)-1])), p[len(p)-1]) != nil
	if !present {
		return
	}
	switch {
	case strings.TrimSpace(got) == "":
		c.v.at(node, pathString(c.path(p)), "the translation is empty: give the text, or leave the key out to keep the original")
	case original == "":
		c.v.at(c.v.keyNode(c.path(p[:len(p)-1]), p[len(p)-1]), pathString(c.path(p)), "the manifest has no such text to translate")
	}
}

// texts checks a translated list of paragraphs or lines.
func (c trCheck) texts(p []string, got []string, originalExists bool) {
	if child(c.v.find(c.path(p[:len(p)-1])), p[len(p)-1]) == nil {
		return
	}
	if !originalExists {
		c.v.at(c.v.keyNode(c.path(p[:len(p)-1]), p[len(p)-1]), pathString(c.path(p)), "the manifest has no such text to translate")
		return
	}
	if len(got) == 0 {
		c.v.atPath(c.path(p), "the translation is empty: give the text, or leave the key out to keep the original")
	}
	for i, s := range got {
		if strings.TrimSpace(s) == "" {
			c.v.atPath(c.path(append(slices.Clone(p), fmt.Sprint(i))), "the translation is empty: give the text, or leave the key out to keep the original")
		}
	}
}

// Translated returns m with its texts in lang wherever the manifest
// translates them, and the set of texts that are translations (the
// renderer does not mark those as being in the manifest's language). m is
// not changed. Without a translation into lang it returns m itself.
func (m *Manifest) Translated(lang string) (*Manifest, map[string]bool) {
	tr := m.Translations[lang]
	if tr == nil {
		return m, nil
	}
	done := map[string]bool{}
	use := func(dst *string, s string) {
		if s != "" {
			*dst = s
			done[s] = true
		}
	}
	out := *m
	if o := tr.Organisation; o != nil {
		use(&out.Organisation.ShortName, o.ShortName)
		use(&out.Organisation.Description, o.Description)
	}
	if n := tr.Notice; n != nil {
		use(&out.Notice.Title, n.Title)
		ownFields := noticeFields(&out.Notice)
		for name, f := range noticeFields(n) {
			if len(*f) > 0 {
				*ownFields[name] = *f
				for _, s := range *f {
					done[s] = true
				}
			}
		}
	}
	out.Categories = slices.Clone(m.Categories)
	for i := range out.Categories {
		if t, ok := tr.Categories[out.Categories[i].Key]; ok {
			use(&out.Categories[i].Description, t.Description)
		}
	}
	out.Purposes = slices.Clone(m.Purposes)
	for i := range out.Purposes {
		if t, ok := tr.Purposes[out.Purposes[i].Key]; ok {
			use(&out.Purposes[i].Name, t.Name)
			if len(t.Uses) > 0 {
				out.Purposes[i].Uses = t.Uses
				for _, s := range t.Uses {
					done[s] = true
				}
			}
		}
	}
	out.Recipients = slices.Clone(m.Recipients)
	for i := range out.Recipients {
		if t, ok := tr.Recipients[out.Recipients[i].Key]; ok {
			use(&out.Recipients[i].Name, t.Name)
			use(&out.Recipients[i].Description, t.Description)
			use(&out.Recipients[i].CCPADescription, t.CCPADescription)
		}
	}
	out.Sources = slices.Clone(m.Sources)
	for i := range out.Sources {
		if t, ok := tr.Sources[out.Sources[i].Key]; ok {
			use(&out.Sources[i].Name, t.Name)
			use(&out.Sources[i].Description, t.Description)
		}
	}
	out.Cookies = slices.Clone(m.Cookies)
	for i := range out.Cookies {
		if t, ok := tr.Cookies[out.Cookies[i].Name]; ok {
			use(&out.Cookies[i].Description, t.Description)
		}
	}
	return &out, done
}
