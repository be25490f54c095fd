package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/store/storetest"
)

// getPage GETs a public page in the language accept asks for (none when
// empty), failing t unless it answers 200.
func getPage(t *testing.T, client *http.Client, url, accept string) (string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
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
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return string(b), resp.Header
}

// TestPublicPagesSpeakFourLanguages checks that the privacy centre and the
// preferences page follow Accept-Language, that ?lang= switches and is
// remembered, and that an unknown language falls back to English.
func TestPublicPagesSpeakFourLanguages(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	get := func(client *http.Client, path, accept string) (string, http.Header) {
		t.Helper()
		return getPage(t, client, f.url+path, accept)
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

// TestNoticeSpeaksFourLanguages: the public notice picks its language as
// the other public pages do, offers the others, keeps the language in its
// links to the privacy centre, and leaves the company's words in the
// manifest's language, marked so; English is the notice as published.
func TestNoticeSpeaksFourLanguages(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	get := func(client *http.Client, path, accept string) (string, http.Header) {
		t.Helper()
		return getPage(t, client, f.url+path, accept)
	}
	cases := []struct {
		path, accept, lang, htmlLang string
		want, absent                 []string
	}{
		{"/privacy-policy", "", "en", "en-US",
			[]string{"Personal Information We Obtain", `<a href="/privacy-center">privacy centre</a>`, `<a aria-current="true" lang="en">English</a>`, `<a href="?lang=de" lang="de" hreflang="de">Deutsch</a>`},
			[]string{`<p lang="en-US">`}},
		{"/privacy-policy?lang=de", "", "de", "de",
			[]string{"Personenbezogene Daten, die wir erheben", "So erreichen Sie uns", `<a href="/privacy-center?lang=de">Datenschutzcenter</a>`,
				`<a href="/privacy-center/preferences?lang=de">Ihre Datenschutzeinstellungen</a>`, `<a aria-current="true" lang="de">Deutsch</a>`, `<p lang="en-US">`},
			[]string{"Personal Information We Obtain", `>How to Contact Us</h2>`, `href="/privacy-center"`}},
		{"/privacy-policy", "fr-CA, en;q=0.3", "fr", "fr", []string{"Données personnelles que nous obtenons", "/privacy-center?lang=fr"}, []string{"How We Use Personal Information"}},
		{"/privacy-policy", "es", "es", "es", []string{"Cómo utilizamos los datos personales"}, nil},
		{"/privacy-policy.md?lang=de", "", "de", "", []string{"## Personenbezogene Daten, die wir erheben"}, []string{"## Personal Information We Obtain"}},
		{"/privacy-policy", "ja", "en", "en-US", []string{"Personal Information We Obtain"}, nil},
	}
	etags := map[string]string{}
	for _, tc := range cases {
		page, h := get(http.DefaultClient, tc.path, tc.accept)
		if tc.htmlLang != "" && !strings.Contains(page, `<html lang="`+tc.htmlLang+`">`) || h.Get("Content-Language") != tc.lang {
			t.Errorf("%s with %q: not in %s (Content-Language %q): %.200s", tc.path, tc.accept, tc.lang, h.Get("Content-Language"), page)
		}
		if !strings.Contains(h.Get("Vary"), "Accept-Language") {
			t.Errorf("%s: Vary %q", tc.path, h.Get("Vary"))
		}
		if tc.htmlLang != "" {
			if other, ok := etags[h.Get("ETag")]; ok && other != tc.lang {
				t.Errorf("%s in %s has the ETag of the page in %s", tc.path, tc.lang, other)
			}
			etags[h.Get("ETag")] = tc.lang
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s with %q lacks %q", tc.path, tc.accept, w)
			}
		}
		for _, a := range tc.absent {
			if strings.Contains(page, a) {
				t.Errorf("%s with %q shows %q", tc.path, tc.accept, a)
			}
		}
	}
	// The notice's switch is the public pages' one: the privacy centre,
	// asked for in English, stays German.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get(client, "/privacy-policy?lang=de", "")
	if page, _ := get(client, "/privacy-center", "en"); !strings.Contains(page, `<html lang="de"`) {
		t.Fatalf("the notice's German was not remembered: %.300s", page)
	}
	if page, _ := get(client, "/privacy-policy", "en"); !strings.Contains(page, `<html lang="de">`) {
		t.Fatal("the notice does not read the remembered language")
	}
}
