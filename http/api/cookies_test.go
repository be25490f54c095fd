package api_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store/storetest"
)

// rawBrowser keeps cookies by hand, so that Secure cookies still go over
// the test server's plain HTTP (a TLS proxy in front of Custos is what the
// browser would talk to), and records every Set-Cookie and HSTS header.
type rawBrowser struct {
	t       *testing.T
	url     string
	jar     map[string]string
	set     []*http.Cookie
	hsts    []string
	answers int
}

func (b *rawBrowser) do(method, path string, form url.Values) (int, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.url+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	b.answers++
	b.hsts = append(b.hsts, resp.Header.Values("Strict-Transport-Security")...)
	for _, ck := range resp.Cookies() {
		b.set = append(b.set, ck)
		if ck.MaxAge < 0 {
			delete(b.jar, ck.Name)
		} else {
			b.jar[ck.Name] = ck.Value
		}
	}
	return resp.StatusCode, string(page)
}

// TestCookiesFollowTheBaseURL: serve does not terminate TLS, so whether
// cookies are Secure and HSTS is sent follows the public address
// (--base-url), not the request's scheme. Every cookie the pages set is
// walked here: CSRF, language, preferences session, console session and
// its deletion.
func TestCookiesFollowTheBaseURL(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://privacy.example.com", "http://custos.test"} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			https := strings.HasPrefix(base, "https://")
			f := setupBase(t, storetest.OpenSQLite(t), base)
			b := &rawBrowser{t: t, url: f.url, jar: map[string]string{}}
			csrfOf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`)

			status, page := b.do("GET", "/privacy-center/preferences?lang=es", nil)
			m := csrfOf.FindStringSubmatch(page)
			if status != 200 || m == nil {
				t.Fatalf("preferences: %d", status)
			}
			csrf := m[1]
			status, page = b.do("POST", "/privacy-center/preferences", url.Values{"csrf": {csrf}, "email": {"ana@example.com"}, "jurisdiction": {"DE"}})
			ticket := regexp.MustCompile(`name="ticket" value="([A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
			if status != 200 || ticket == nil {
				t.Fatalf("send code: %d %.300s", status, page)
			}
			if status, _ := b.do("POST", "/privacy-center/preferences/verify", url.Values{"csrf": {csrf}, "ticket": {ticket[1]},
				"email": {"ana@example.com"}, "jurisdiction": {"DE"}, "code": {f.codeFor(t, "ana@example.com")}}); status != 303 {
				t.Fatalf("verify: %d", status)
			}
			if status, _ := b.do("POST", "/admin/sign-in", url.Values{"csrf": {csrf}, "token": {f.tokens[custos.RoleAdmin]}}); status != 303 {
				t.Fatalf("sign in: %d", status)
			}
			if status, _ := b.do("POST", "/admin/sign-out", url.Values{"csrf": {csrf}}); status != 303 {
				t.Fatalf("sign out: %d", status)
			}
			seen := map[string]bool{}
			for _, c := range b.set {
				seen[c.Name] = true
				if c.Secure != https || !c.HttpOnly {
					t.Errorf("cookie %s: Secure %v HttpOnly %v; want Secure %v, HttpOnly", c.Name, c.Secure, c.HttpOnly, https)
				}
			}
			for _, name := range []string{"custos_csrf", "custos_lang", "custos_prefs", "custos_admin"} {
				if !seen[name] {
					t.Errorf("no %s cookie was set", name)
				}
			}
			if https && (len(b.hsts) != b.answers || b.hsts[0] != "max-age=31536000") {
				t.Errorf("HSTS on %d of %d answers: %q", len(b.hsts), b.answers, b.hsts)
			}
			if !https && len(b.hsts) != 0 {
				t.Errorf("HSTS sent for a plain-http base URL: %q", b.hsts)
			}
			// Every answer, not only pages: the API too.
			status, h, _ := f.do(t, "GET", "/healthz", "", "")
			if got := h.Get("Strict-Transport-Security"); status != 200 || (got != "") != https {
				t.Errorf("healthz HSTS %q", got)
			}
		})
	}
}
