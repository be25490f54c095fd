package web

import (
	"regexp"
	"strings"
	"testing"
)

// Every language has every key English has, with the same %s arguments,
// so no page falls back to English halfway (the preferences page's state
// labels included).
func TestCatalogComplete(t *testing.T) {
	t.Parallel()
	verbs := regexp.MustCompile(`%[sdv]`)
	for lang, words := range catalog {
		for key, en := range catalog["en"] {
			w, ok := words[key]
			if !ok || strings.TrimSpace(w) == "" {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(w, -1); strings.Join(a, "") != strings.Join(b, "") {
				t.Errorf("%s %q has arguments %v, English %v", lang, key, b, a)
			}
		}
		for key := range words {
			if _, ok := catalog["en"][key]; !ok {
				t.Errorf("%s has %q, which English does not", lang, key)
			}
		}
	}
	for _, key := range []string{"prefs.state.on_default", "prefs.state.off_default", "prefs.state.off_gpc", "prefs.opt_out", "prefs.device_only"} {
		if _, ok := catalog["en"][key]; !ok {
			t.Errorf("English lacks %q", key)
		}
	}
}
