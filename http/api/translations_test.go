package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store/storetest"
)

// germanPurpose is the bundled manifest with a German translation of one
// purpose: a test's words, not the company's.
func germanPurpose() string {
	return string(policy.Bundled()) + `
translations:
  de:
    purposes:
      marketing.communications.email:
        name: E-Mail-Werbung
        uses: ["Ihnen Neuigkeiten per E-Mail senden"]
`
}

// TestPublicPagesUseTranslations: where the manifest translates a text,
// the German notice and preferences page show the translation, unmarked;
// English is as before.
func TestPublicPagesUseTranslations(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	body, _ := json.Marshal(map[string]any{"manifest": germanPurpose()})
	if status, _, b := f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(body)); status != 201 {
		t.Fatalf("publish the translated policy: %d %s", status, b)
	}
	de, _ := getPage(t, http.DefaultClient, f.url+"/privacy-policy?lang=de", "")
	if !strings.Contains(de, "<li>Ihnen Neuigkeiten per E-Mail senden;") {
		t.Errorf("the German notice lacks the translated use, unmarked: %.300s", de)
	}
	if !regexp.MustCompile(`<li lang="en-US">[^<]+</li>`).MatchString(de) {
		t.Error("the German notice no longer marks the untranslated uses")
	}
	en, _ := getPage(t, http.DefaultClient, f.url+"/privacy-policy", "")
	if strings.Contains(en, "E-Mail") || strings.Contains(en, "Neuigkeiten") {
		t.Error("the English notice shows the German translation")
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	read := func(resp *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, page := read(client.Get(f.url + "/privacy-center/preferences?lang=de"))
	if status != 200 {
		t.Fatalf("start: %d", status)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(page)[1]
	status, page = read(client.PostForm(f.url+"/privacy-center/preferences", url.Values{"csrf": {csrf}, "email": {"pia@example.com"}, "jurisdiction": {"DE"}}))
	if status != 200 || !strings.Contains(page, `name="code"`) {
		t.Fatalf("send: %d %.300s", status, page)
	}
	ticket := regexp.MustCompile(`name="ticket" value="([A-Za-z0-9_-]+)"`).FindStringSubmatch(page)[1]
	status, page = read(client.PostForm(f.url+"/privacy-center/preferences/verify", url.Values{"csrf": {csrf}, "ticket": {ticket},
		"email": {"pia@example.com"}, "jurisdiction": {"DE"}, "code": {f.codeFor(t, "pia@example.com")}}))
	if status != 200 || !strings.Contains(page, `<html lang="de"`) {
		t.Fatalf("choices: %d %.300s", status, page)
	}
	if !strings.Contains(page, `<fieldset data-custos-scope="marketing.communications.email"><legend>E-Mail-Werbung</legend>`) ||
		!strings.Contains(page, "Ihnen Neuigkeiten per E-Mail senden") {
		t.Fatalf("the German preferences page does not name the purpose as translated: %.3000s", page)
	}
}
