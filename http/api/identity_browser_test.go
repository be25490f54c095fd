package api_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestStrongerIdentityInBrowser: with the stronger check on, the privacy
// centre's flow is the contract's — the form, the code, the status — with
// the identity step between the code and the status: a wrong detail shows
// the form again with the reason, the right ones and the signature lead
// to the status.
func TestStrongerIdentityInBrowser(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	body, _ := json.Marshal(map[string]any{"manifest": strongerPolicy(t), "effective_at": f.clock.T.Format(time.RFC3339)})
	if status, _, b := f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(body)); status != 201 {
		t.Fatalf("publish %d %s", status, b)
	}
	for _, ev := range []string{
		`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.name","source":"online_channels","purpose":"essential.service","value":"Ana Lima"}`,
		`{"kind":"collection","subject":{"email":"ana@example.com","phone":"+1 415 555 0100"},"category":"user.contact.phone_number","source":"online_channels","purpose":"essential.service","value":"+1 415 555 0100"}`,
		`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.contact.address","source":"online_channels","purpose":"essential.service","value":"1 Market St, San Francisco"}`,
	} {
		if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, ev); status != 201 {
			t.Fatalf("event %d %s", status, b)
		}
	}
	b := newTab(t)
	b.run("fill the request form", chromedp.Navigate(f.url+"/privacy-center?lang=en"), chromedp.WaitVisible(chromedp.CSS(`select[name=type]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=type]`), "access"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
		chromedp.SetValue(chromedp.CSS(`select[name=jurisdiction]`), "US-CA"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=code]`)))
	b.run("enter the mailed code",
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), f.codeFor(t, "ana@example.com")),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-custos-declaration]`)))
	b.page("privacy-center-identity")
	fill := func(phone string) {
		b.run("fill the identity form",
			chromedp.SendKeys(chromedp.CSS(`input[name="dp.user.name"]`), "Ana Lima"),
			chromedp.SendKeys(chromedp.CSS(`input[name="dp.user.contact.phone_number"]`), phone),
			chromedp.SendKeys(chromedp.CSS(`input[name="dp.user.contact.address"]`), "1 Market St, San Francisco"),
			chromedp.Click(chromedp.CSS(`input[name=declaration]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=signed_name]`), "Ana Lima"),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)))
	}
	fill("+1 415 555 0199")
	b.run("the reason", chromedp.WaitVisible(chromedp.CSS(`[role=alert]`)))
	alert := get(b, "alert", chromedp.Text(chromedp.CSS(`[role=alert]`)))
	if !regexp.MustCompile(`do not match`).MatchString(alert) {
		t.Fatalf("alert %q", alert)
	}
	fill("(415) 555-0100")
	b.run("the status", chromedp.WaitVisible(chromedp.CSS(`[data-custos-status]`)))
	if status := get(b, "status", chromedp.AttributeValue(chromedp.CSS(`[data-custos-status]`), "data-custos-status")).Value; status != "pending_review" {
		t.Fatalf("status after the check: %q", status)
	}
}
