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

// TestPreferencesPage walks the preferences page as a person without
// JavaScript: address, mailed code, their choices, a change that lands in
// the consent ledger, and sign-out.
func TestPreferencesPage(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
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
	status, page := read(client.Get(f.url + "/privacy-center/preferences"))
	if status != 200 || !strings.Contains(page, `name="email"`) || strings.Contains(page, "data-custos-scope") {
		t.Fatalf("start: %d %.300s", status, page)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(page)[1]
	status, page = read(client.PostForm(f.url+"/privacy-center/preferences", url.Values{"csrf": {csrf}, "email": {"Pia@Example.com"}, "jurisdiction": {"DE"}}))
	if status != 200 || !strings.Contains(page, `name="code"`) {
		t.Fatalf("send: %d %.300s", status, page)
	}
	ticket := regexp.MustCompile(`name="ticket" value="([A-Za-z0-9_-]+)"`).FindStringSubmatch(page)[1]
	verify := func(email, code string) (int, string) {
		return read(client.PostForm(f.url+"/privacy-center/preferences/verify", url.Values{"csrf": {csrf}, "ticket": {ticket},
			"email": {email}, "jurisdiction": {"DE"}, "code": {code}}))
	}
	code := f.codeFor(t, "pia@example.com")
	// The code belongs to its address: it opens nothing for another.
	if status, page := verify("eve@example.com", code); status != 400 || !strings.Contains(page, "not right") {
		t.Fatalf("another address: %d %.300s", status, page)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if status, _ := verify("pia@example.com", wrong); status != 400 {
		t.Fatalf("wrong code: %d", status)
	}
	status, page = verify("pia@example.com", code)
	if status != 200 || !strings.Contains(page, `data-custos-scope="marketing.communications.email"`) ||
		!strings.Contains(page, `data-custos-scope="sale_sharing"`) || !strings.Contains(page, "pia@example.com") {
		t.Fatalf("choices: %d %.600s", status, page)
	}
	// A purpose is named and described as the manifest writes it: its name
	// is no catalogue key, and the page shows no key of the catalogue.
	if !strings.Contains(page, `<fieldset data-custos-scope="marketing.communications.email"><legend>Email marketing</legend>`) ||
		regexp.MustCompile(`>web\.`).MatchString(page) {
		t.Fatalf("a purpose's name or description is not the manifest's: %.3000s", page)
	}
	// In Germany e-mail marketing needs consent: nobody asked, so "no".
	if !regexp.MustCompile(`id="marketing-communications-email-no" name="scope:marketing.communications.email" value="no" checked`).MatchString(page) {
		t.Fatalf("default of an opt-in purpose is not 'no': %.2000s", page)
	}
	status, page = read(client.PostForm(f.url+"/privacy-center/preferences/save", url.Values{"csrf": {csrf}, "jurisdiction": {"DE"},
		"scope:marketing.communications.email": {"yes"}, "scope:sale_sharing": {"no"}, "scope:direct_marketing": {"yes"}}))
	if status != 200 || !strings.Contains(page, "data-custos-saved") ||
		!strings.Contains(page, `name="scope:marketing.communications.email" value="yes" checked`) ||
		!strings.Contains(page, `name="scope:sale_sharing" value="no" checked`) {
		t.Fatalf("after save: %d %.2000s", status, page)
	}
	status, _, b := f.do(t, "GET", "/api/v1/consents?email=pia@example.com", custos.RoleAgent, "")
	for _, want := range []string{`"scope":"marketing.communications.email","granted":true`, `"scope":"sale_sharing","granted":false`, `"method":"web_form"`} {
		if status != 200 || !strings.Contains(string(b), want) {
			t.Fatalf("ledger lacks %s: %d %s", want, status, b)
		}
	}
	// Without the form's token nothing is saved.
	if status, _ := read(client.PostForm(f.url+"/privacy-center/preferences/save", url.Values{"scope:sale_sharing": {"yes"}})); status != 403 {
		t.Fatalf("save without csrf: %d", status)
	}
	// Sign-out is a form like the others: without its token (a page on
	// another site posting it) it is refused and the session stays.
	for _, bad := range []url.Values{{}, {"csrf": {strings.Repeat("0", 32)}}} {
		if status, _ := read(client.PostForm(f.url+"/privacy-center/preferences/sign-out", bad)); status != 403 {
			t.Fatalf("sign-out with csrf %q: %d", bad.Get("csrf"), status)
		}
		if status, page := read(client.Get(f.url + "/privacy-center/preferences?jurisdiction=DE")); status != 200 || !strings.Contains(page, "data-custos-scope") {
			t.Fatalf("a refused sign-out ended the session: %d %.300s", status, page)
		}
	}
	if status, page := read(client.PostForm(f.url+"/privacy-center/preferences/sign-out", url.Values{"csrf": {csrf}})); status != 200 || strings.Contains(page, "data-custos-scope") {
		t.Fatalf("after sign-out: %d %.300s", status, page)
	}
}
