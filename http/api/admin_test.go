package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store/storetest"
)

func TestAdminSignInAndQueue(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"deletion","email":"q@example.com","jurisdiction":"GB"}`); status != 202 {
		t.Fatalf("intake %d %s", status, b)
	}
	browser := func() *http.Client { jar, _ := cookiejar.New(nil); return &http.Client{Jar: jar} }
	read := func(resp *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	signIn := func(c *http.Client, token string) (int, string) {
		_, page := read(c.Get(f.url + "/admin"))
		if !strings.Contains(page, `name="token"`) {
			t.Fatalf("no sign-in form: %.300s", page)
		}
		csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(page)[1]
		return read(c.PostForm(f.url+"/admin/sign-in", url.Values{"csrf": {csrf}, "token": {token}}))
	}
	officer := browser()
	status, page := signIn(officer, f.tokens[custos.RolePrivacyOfficer])
	if status != 200 || !strings.Contains(page, "Privacy requests, soonest deadline first") || !strings.Contains(page, `data-custos-request="req_`) {
		t.Fatalf("queue after sign-in: %d %s", status, page[strings.Index(page, "<main>"):])
	}
	if status, _ := signIn(browser(), "cst_not-a-token"); status != 401 {
		t.Fatalf("bad token: %d", status)
	}
	if status, _ := signIn(browser(), f.tokens[custos.RoleIngest]); status != 403 {
		t.Fatalf("ingest token in the console: %d", status)
	}
	// A forged session cookie is a sign-in form, not the queue.
	forged := browser()
	u, _ := url.Parse(f.url + "/admin")
	forged.Jar.SetCookies(u, []*http.Cookie{{Name: "custos_admin", Value: "AAAAAAAAAAEAAAAAf_____" + strings.Repeat("A", 43), Path: "/admin"}})
	if _, page := read(forged.Get(f.url + "/admin")); !strings.Contains(page, `name="token"`) || strings.Contains(page, "data-custos-request") {
		t.Fatal("a forged session opened the console")
	}
}
