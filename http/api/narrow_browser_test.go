package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store/storetest"
)

// On a 375-px phone no page scrolls sideways: wide tables scroll inside
// their own box or reflow. Every public page and the console's main pages
// are opened at that width under a branded policy, checked with axe-core,
// and the branding is seen applied: the organisation's name and logo in
// the header and its accent colour on the buttons.

const (
	brandAccent    = "#6a1b9a"
	brandAccentRGB = "rgb(106, 27, 154)"
	brandName      = "Clientwise Shop"
)

func brandedManifest() string {
	logo := base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#6a1b9a"/></svg>`))
	return string(policy.Bundled()) + "\nbranding:\n  name: " + brandName + "\n  logo: data:image/svg+xml;base64," + logo + "\n  accent: \"" + brandAccent + "\"\n"
}

func TestPagesAtPhoneWidth(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	body, _ := json.Marshal(map[string]any{"manifest": brandedManifest()})
	if status, _, b := f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(body)); status != 201 {
		t.Fatalf("publish the branded policy: %d %s", status, b)
	}
	if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, `{"kind":"collection","subject":{"email":"ana@example.com"},
		"category":"user.name","source":"online_channels","purpose":"essential.service","value":"Ana Lima"}`); status != 201 {
		t.Fatalf("seed: %d %s", status, b)
	}
	// A request answered, for the answer page and the console's request page.
	status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"access","email":"ana@example.com","jurisdiction":"US-CA"}`)
	var sub struct{ ID string }
	if status != 202 || json.Unmarshal(b, &sub) != nil {
		t.Fatalf("request: %d %s", status, b)
	}
	status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+sub.ID+"/verify", "", `{"code":"`+f.codeFor(t, "ana@example.com")+`"}`)
	var ver struct {
		AccessToken string `json:"access_token"`
	}
	if status != 200 || json.Unmarshal(b, &ver) != nil {
		t.Fatalf("verify: %d %s", status, b)
	}
	if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+sub.ID+"/approve", custos.RolePrivacyOfficer, ""); status != 200 {
		t.Fatalf("approve: %d %s", status, b)
	}

	narrow := func(t *testing.T) *browserTab {
		b := newTab(t)
		b.run("phone viewport", chromedp.EmulateViewport(375, 812))
		return b
	}
	check := func(b *browserTab, name, path string, branded bool) {
		b.t.Helper()
		b.run("open "+path, chromedp.Navigate(f.url+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
		widths := get(b, "widths", chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		if widths[0] > widths[1] {
			// Which boxes hold content wider than themselves: the culprit
			// is the innermost one not meant to scroll.
			wide := get(b, "widest", chromedp.Evaluate[string](`[...document.querySelectorAll('body, body *')].filter((e) => e.scrollWidth > document.documentElement.clientWidth &&
				!['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).slice(-3).map((e) => e.tagName + '.' + e.className + ' ' + e.scrollWidth + 'px').join(', ')`))
			b.t.Errorf("%s (%s) scrolls sideways at 375 px: scrollWidth %d > clientWidth %d; too wide: %s", name, path, widths[0], widths[1], wide)
		}
		if branded {
			brand := get(b, "brand", chromedp.Evaluate[string](`(() => { const h = document.querySelector('[data-custos-brand]');
				return h ? h.textContent + '|' + (h.querySelector('img') ? 'logo' : 'no logo') : 'no header'; })()`))
			if !strings.Contains(brand, brandName) || !strings.HasSuffix(brand, "|logo") {
				b.t.Errorf("%s: branding header is %q", name, brand)
			}
			colour := get(b, "accent", chromedp.Evaluate[string](`(() => { const x = document.querySelector('main button:not(.secondary):not(.plain)');
				if (x) return getComputedStyle(x).backgroundColor;
				const a = document.querySelector('nav.console a:not([aria-current])'); return a ? getComputedStyle(a).color : 'no button or console link'; })()`))
			if colour != brandAccentRGB {
				b.t.Errorf("%s: the button is %s, not the accent %s", name, colour, brandAccentRGB)
			}
		}
		b.page("phone-" + name)
	}

	t.Run("public pages", func(t *testing.T) {
		b := narrow(t)
		check(b, "notice", "/privacy-policy", false)
		links := get(b, "links", chromedp.Evaluate[[]int](`[document.querySelectorAll('nav.toc a').length, document.querySelectorAll('a[href="/privacy-center"]').length]`))
		if links[0] < 10 || links[1] < 3 {
			t.Errorf("the notice has %d contents links and %d links to the privacy centre", links[0], links[1])
		}
		// In German the notice keeps its layout, its language switcher and
		// its links to the privacy centre, which keep the language.
		check(b, "notice-de", "/privacy-policy?lang=de", false)
		de := get(b, "german", chromedp.Evaluate[[]string](`[document.documentElement.lang, document.querySelector('h2').textContent]`))
		deLinks := get(b, "german links", chromedp.Evaluate[[]int](`[document.querySelectorAll('a[href="/privacy-center?lang=de"]').length, document.querySelectorAll('nav.langs a').length]`))
		if de[0] != "de" || de[1] != "Personenbezogene Daten, die wir erheben" || deLinks[0] < 3 || deLinks[1] != 4 {
			t.Errorf("the German notice: lang %q, first heading %q, %d links to the German privacy centre, %d languages", de[0], de[1], deLinks[0], deLinks[1])
		}
		check(b, "privacy-center", "/privacy-center?lang=en", true)
		check(b, "privacy-center-code", "/privacy-center/verify?request="+sub.ID, true)
		check(b, "preferences", "/privacy-center/preferences?lang=de", true)
		check(b, "answer", fmt.Sprintf("/api/v1/privacy-requests/%s/result?format=html&lang=es&token=%s", sub.ID, ver.AccessToken), false)
		text := get(b, "answer", chromedp.Evaluate[string](`document.querySelector('main').innerText`))
		for _, key := range []string{"online_channels", "essential.service"} {
			if strings.Contains(text, key) {
				t.Errorf("the answer shows the key %s: %.600s", key, text)
			}
		}
		if !strings.Contains(text, "You, through the Online Channels") || !strings.Contains(text, "Su solicitud de privacidad") {
			t.Errorf("the answer is not in words or not in Spanish: %.600s", text)
		}
		check(b, "api-docs", "/api/docs", false)
	})

	t.Run("console", func(t *testing.T) {
		b := narrow(t)
		check(b, "admin-sign-in", "/admin/", true)
		if got := get(b, "sign-in", chromedp.Evaluate[string](`document.body.innerText`)); !strings.Contains(got, "Custos privacy console") {
			t.Errorf("the sign-in does not name the product: %.300s", got)
		}
		b.run("sign in",
			chromedp.SendKeys(chromedp.CSS(`input[name=token]`), f.tokens[custos.RolePrivacyOfficer]),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`nav.console`)))
		for _, p := range []struct{ name, path string }{
			{"admin-queue", "/admin?status=completed"}, {"admin-request", "/admin/requests/" + sub.ID}, {"admin-data-map", "/admin/data-map"},
			{"admin-consents", "/admin/consents"}, {"admin-audit", "/admin/audit"}, {"admin-reports", "/admin/reports"},
		} {
			check(b, p.name, p.path, true)
		}
	})
}
