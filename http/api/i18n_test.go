package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/store/storetest"
)

// TestPublicPagesSpeakFourLanguages checks that the privacy centre and the
// preferences page follow Accept-Language, that ?lang= switches and is
// remembered, and that an unknown language falls back to English.
func TestPublicPagesSpeakFourLanguages(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	get := func(client *http.Client, path, accept string) (string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.url+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b), resp.Header
	}
	cases := []struct {
		path, accept, lang string
		want               []string
	}{
		{"/privacy-center", "", "en", []string{"What would you like?", "Delete my data", "California, United States"}},
		{"/privacy-center", "de-DE,de;q=0.9,en;q=0.5", "de", []string{"Was möchten Sie?", "Meine Daten löschen", "Kalifornien, Vereinigte Staaten"}},
		{"/privacy-center", "es-MX", "es", []string{"¿Qué desea?", "Eliminar mis datos", "Enviarme un código"}},
		{"/privacy-center", "fr-CA, en;q=0.3", "fr", []string{"Que souhaitez-vous ?", "Supprimer mes données", "Où vous vivez"}},
		{"/privacy-center", "ja", "en", []string{"What would you like?"}},
		{"/privacy-center/preferences", "de", "de", []string{"Ihre Datenschutz-Einstellungen", "Code senden"}},
		{"/privacy-center?lang=es", "de", "es", []string{"¿Qué desea?"}},
	}
	for _, tc := range cases {
		page, h := get(http.DefaultClient, tc.path, tc.accept)
		if !strings.Contains(page, `<html lang="`+tc.lang+`"`) || h.Get("Content-Language") != tc.lang {
			t.Errorf("%s with %q: not in %s (Content-Language %q)", tc.path, tc.accept, tc.lang, h.Get("Content-Language"))
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s with %q lacks %q", tc.path, tc.accept, w)
			}
		}
	}
	// A switch is remembered: the next page, asked for in German, stays French.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get(client, "/privacy-center?lang=fr", "")
	if page, _ := get(client, "/privacy-center/preferences", "de"); !strings.Contains(page, `<html lang="fr"`) || !strings.Contains(page, "Vos préférences de confidentialité") {
		t.Fatalf("the French choice was not remembered: %.300s", page)
	}
}
