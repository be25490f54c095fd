package banner_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestBannerLanguages checks that the banner's words follow the page's
// language, else the browser's, else English, and that every language has
// every word English has.
func TestBannerLanguages(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	cases := []struct {
		query, accept, lang, title string
	}{
		{"", "", "en", "Your privacy choices"},
		{"", "de-AT,de;q=0.9", "de", "Ihre Datenschutz-Entscheidungen"},
		{"", "es-MX", "es", "Sus opciones de privacidad"},
		{"&lang=fr-CA", "de", "fr", "Vos choix en matière de confidentialité"},
		{"&lang=ja", "", "en", "Your privacy choices"},
	}
	var english map[string]string
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", c.url+"/api/v1/banner?jurisdiction=DE"+tc.query, nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Language", tc.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Lang string            `json:"lang"`
			Text map[string]string `json:"text"`
		}
		err = json.NewDecoder(resp.Body).Decode(&cfg)
		resp.Body.Close()
		if err != nil || cfg.Lang != tc.lang || cfg.Text["title"] != tc.title {
			t.Fatalf("%q %q: lang %q title %q (%v)", tc.query, tc.accept, cfg.Lang, cfg.Text["title"], err)
		}
		if cfg.Lang == "en" {
			english = cfg.Text
		}
		for k := range english {
			if cfg.Text[k] == "" {
				t.Errorf("%s lacks %q", cfg.Lang, k)
			}
		}
	}
}

// TestBrowserGermanPage shows the banner in German on a German page.
func TestBrowserGermanPage(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE&hl=de")
	tb.waitBanner()
	tb.expect(`document.getElementById('custos-title').textContent === 'Ihre Datenschutz-Entscheidungen' &&
	  document.querySelector('#custos-banner button[data-custos-action="accept-all"]').textContent === 'Alle akzeptieren' &&
	  document.querySelector('#custos-banner [role="dialog"]').lang === 'de'`, "the banner speaks German on a German page")
}
