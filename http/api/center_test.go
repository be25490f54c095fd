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
