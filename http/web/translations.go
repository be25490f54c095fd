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
