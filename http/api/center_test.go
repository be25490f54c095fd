package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/store/storetest"
)

// TestPrivacyCenterForms walks the privacy centre as a person in a browser
// without JavaScript would: the form, the code, the status.
func TestPrivacyCenterForms(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(path string, header ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.url+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		resp, err := client.PostForm(f.url+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, page := get("/privacy-center")
	for _, want := range []string{`<select id="type" name="type"`, `<input id="email" name="email"`, `<select id="jurisdiction" name="jurisdiction"`, `<button type="submit">`, `lang="en"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("form lacks %s (%d)", want, status)
		}
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(page)[1]
	// A post without the form's token (another site's form) is refused.
	if status, _ := post("/privacy-center", url.Values{"type": {"access"}, "email": {"ana@example.com"}, "jurisdiction": {"US-CA"}}); status != 403 {
		t.Fatalf("post without csrf: %d", status)
	}
	if status, page := post("/privacy-center", url.Values{"csrf": {csrf}, "type": {"access"}, "email": {"not an address"}, "jurisdiction": {"US-CA"}}); status != 400 || !strings.Contains(page, `role="alert"`) {
		t.Fatalf("bad address: %d", status)
	}
	status, page = post("/privacy-center", url.Values{"csrf": {csrf}, "type": {"access"}, "email": {"ana@example.com"}, "jurisdiction": {"US-CA"}})
	if status != 200 || !strings.Contains(page, `name="code"`) {
		t.Fatalf("after submit: %d %.300s", status, page)
	}
	id := regexp.MustCompile(`name="request" value="(req_[0-9a-f]+)"`).FindStringSubmatch(page)[1]
	status, page = post("/privacy-center/verify", url.Values{"csrf": {csrf}, "request": {id}, "code": {"000000x"}})
	if status != 400 || !strings.Contains(page, "not right") {
		t.Fatalf("wrong code: %d", status)
	}
	status, page = post("/privacy-center/verify", url.Values{"csrf": {csrf}, "request": {id}, "code": {f.codeFor(t, "ana@example.com")}})
	if status != 200 || !strings.Contains(page, `data-custos-status="pending_review"`) {
		t.Fatalf("after verify: %d %.400s", status, page)
	}
	// Someone else with only the link sees no status.
	if status, page := (func() (int, string) {
		resp, err := http.Get(f.url + "/privacy-center?request=" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	})(); status != 200 || strings.Contains(page, "data-custos-status") {
		t.Fatalf("a stranger saw the status")
	}
	if _, page := get("/privacy-center", "Sec-GPC", "1"); !strings.Contains(page, "Opt-out request honored") {
		t.Fatal("the GPC signal is not acknowledged")
	}
}

// TestIntakeRefusesUnmailableAddresses: an address with control characters
// or bytes that are not UTF-8 is refused at intake, by the API (422
// invalid_email) and by the privacy centre's form, in the page's language.
func TestIntakeRefusesUnmailableAddresses(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	for _, email := range []string{`ana\u0000@example.com`, `ana\r\nbcc: x@example.com`, `ana\u007f@example.com`, `ana\u0085@example.com`, "ana\xff@example.com"} {
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"access","email":"`+email+`","jurisdiction":"US-CA"}`)
		if status != 422 || errorCode(t, b) != "invalid_email" {
			t.Errorf("API %q: %d %s", email, status, b)
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(f.url + "/privacy-center?lang=de")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(string(b))[1]
	for _, email := range []string{"ana\x00@example.com", "ana\x1b@example.com", "ana\xff\xfe@example.com"} {
		resp, err := client.PostForm(f.url+"/privacy-center", url.Values{"csrf": {csrf}, "type": {"access"}, "email": {email}, "jurisdiction": {"DE"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 422 || !strings.Contains(string(b), `role="alert">Bitte geben Sie eine gültige E-Mail-Adresse ein.`) {
			t.Errorf("form %q: %d %s", email, resp.StatusCode, b)
		}
	}
}

// TestGPCAtIntakeWritesNoOnesConsent: a request with Sec-GPC: 1 from a
// stranger creates no subject; by the privacy centre's form it is recorded
// for the browser's banner device, and for nobody else.
func TestGPCAtIntakeWritesNoOnesConsent(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	f := setup(t, s)
	count := func(q string) int {
		t.Helper()
		var n int
		if err := s.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	req, _ := http.NewRequest("POST", f.url+"/api/v1/privacy-requests", strings.NewReader(`{"type":"access","email":"never@example.com","jurisdiction":"US-CA"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-GPC", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 || count(`SELECT COUNT(*) FROM subjects`) != 0 || count(`SELECT COUNT(*) FROM consent_events`) != 0 {
		t.Fatalf("intake with GPC: %d, %d subjects, %d consents", resp.StatusCode, count(`SELECT COUNT(*) FROM subjects`), count(`SELECT COUNT(*) FROM consent_events`))
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(f.url)
	jar.SetCookies(u, []*http.Cookie{{Name: "custos_consent", Value: url.QueryEscape(`{"v":1,"c":{},"i":"dev_0123456789abcdefgh"}`), Path: "/"}})
	client := &http.Client{Jar: jar}
	resp, err = client.Get(f.url + "/privacy-center")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(string(b))[1]
	req, _ = http.NewRequest("POST", f.url+"/privacy-center", strings.NewReader(url.Values{"csrf": {csrf}, "type": {"deletion"},
		"email": {"never@example.com"}, "jurisdiction": {"US-CA"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-GPC", "1")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || count(`SELECT COUNT(*) FROM subjects`) != 0 ||
		count(`SELECT COUNT(*) FROM consent_events WHERE principal = 'device:dev_0123456789abcdefgh' AND scope = 'sale_sharing' AND granted = false`) != 1 ||
		count(`SELECT COUNT(*) FROM consent_events WHERE principal <> 'device:dev_0123456789abcdefgh'`) != 0 {
		t.Fatalf("form with GPC: %d", resp.StatusCode)
	}
}
