package web

import "github.com/custos-privacy/custos/policy"

// inLanguage is m with its own texts in lang where the manifest translates
// them (its translations: section), so the public pages name purposes and
// categories in the page's language; the rest stays as the manifest
// words it. m may be nil.
func inLanguage(m *policy.Manifest, lang string) *policy.Manifest {
	if m == nil {
		return nil
	}
	t, _ := m.Translated(lang)
	return t
}

// sealedWord is what the answer page shows for a word the answer was
// sealed with (a category's description, a source's, a purpose's or a
// recipient's name, by kind): the manifest's translation of it into lang
// when there is one, else the word as sealed.
func sealedWord(m *policy.Manifest, lang, kind, key, sealed string) string {
	if m == nil || m.Translations[lang] == nil {
		return sealed
	}
	tr := m.Translations[lang]
	var w string
	switch kind {
	case "category":
		w = tr.Categories[key].Description
	case "source":
		w = tr.Sources[key].Description
	case "purpose":
		w = tr.Purposes[key].Name
	case "recipient":
		w = tr.Recipients[key].Name
	}
	if w == "" {
		return sealed
	}
	return w
}
