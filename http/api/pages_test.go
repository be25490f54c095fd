package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/store/storetest"
)

// The small edges of the newcomer's first hour: a body that is not JSON is
// 415 unsupported_media_type, /admin/ leads to the console, and the API
// reference is a public page.
func TestPageEdges(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	req, err := http.NewRequest("POST", f.url+"/api/v1/privacy-requests", strings.NewReader(`type=access`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a form body: %d, want 415", resp.StatusCode)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(f.url + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/admin" {
		t.Errorf("/admin/: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	status, h, b := f.do(t, "GET", "/api/docs", "", "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(string(b), `data-custos-op="post /api/v1/privacy-requests"`) ||
		!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("/api/docs: %d %v %.300s", status, h, b)
	}
}
