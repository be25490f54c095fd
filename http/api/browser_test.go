package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/browsertest"
	"github.com/custos-privacy/custos/store/storetest"
)

// The pages a person and an officer use, driven in Debian's headless
// Chromium: the privacy centre flow with the code read from the Maildir,
// the preferences page, and the admin console after sign-in. Every page is
// checked with axe-core. With CUSTOS_SCREENSHOTS=DIR set, each page is
// saved there as a PNG (the README's pictures come from this test);
// on failure a screenshot goes to a temporary directory, logged.

type browserTab struct {
	t   *testing.T
	ctx context.Context
}

func newTab(t *testing.T) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browsertest.Browser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tctx, cancelTimeout := context.WithTimeout(ctx, 40*time.Second)
	t.Cleanup(cancelTimeout)
	tab := &browserTab{t: t, ctx: tctx}
	t.Cleanup(func() {
		if t.Failed() {
			dir, err := os.MkdirTemp("", "custos-browser-failure-")
			if err == nil {
				tab.shot(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".png"))
				t.Logf("screenshot of the failure: %s", dir)
			}
		}
	})
	tab.run("viewport", chromedp.EmulateViewport(1000, 700))
	return tab
}

func (b *browserTab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func get[T any](b *browserTab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// shot saves what the viewport shows, as a PNG: the top of the page is
// what a reader of the README needs to recognise it.
func (b *browserTab) shot(path string) {
	if png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(path, png, 0o644)
	}
}

// page saves the page for the README when asked to, and checks it with
// axe-core: serious and critical violations fail the test.
func (b *browserTab) page(name string) {
	b.t.Helper()
	if dir := os.Getenv("CUSTOS_SCREENSHOTS"); dir != "" {
		b.shot(filepath.Join(dir, name+".png"))
	}
	src, err := os.ReadFile(filepath.Join("..", "banner", "testdata", "axe-core", "axe.min.js"))
	if err != nil {
		b.t.Fatalf("axe-core: %v", err)
	}
	b.run("load axe-core", chromedp.Evaluate[chromedp.Void](string(src)+"\n;0"))
	found := get(b, "axe "+name, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations.map((v) =>
		  v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`, chromedp.EvalAwaitPromise))
	for _, v := range found {
		if strings.HasPrefix(v, "serious ") || strings.HasPrefix(v, "critical ") {
			b.t.Errorf("axe on %s: %s", name, v)
		}
	}
}

func TestPagesInBrowser(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	// Something for the console to show.
	if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, `{"kind":"collection","subject":{"email":"ana@example.com"},
		"category":"user.name","source":"online_channels","purpose":"essential.service","value":"Ana Lima"}`); status != 201 {
		t.Fatalf("seed: %d %s", status, b)
	}
	var requestID string

	t.Run("privacy centre", func(t *testing.T) {
		b := newTab(t)
		b.run("open", chromedp.Navigate(f.url+"/privacy-center"), chromedp.WaitVisible(chromedp.CSS(`select[name=type]`)))
		b.page("privacy-center")
		b.run("fill the request form",
			chromedp.SetValue(chromedp.CSS(`select[name=type]`), "access"),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
			chromedp.SetValue(chromedp.CSS(`select[name=jurisdiction]`), "US-CA"),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name=code]`)))
		loc := get(b, "where", chromedp.Location())
		m := regexp.MustCompile(`request=(req_[0-9a-f]+)`).FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("no request id in %s", loc)
		}
		requestID = m[1]
		b.page("privacy-center-code")
		b.run("enter the mailed code",
			chromedp.SendKeys(chromedp.CSS(`input[name=code]`), f.codeFor(t, "ana@example.com")),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-custos-status]`)))
		status := get(b, "status", chromedp.AttributeValue(chromedp.CSS(`[data-custos-status]`), "data-custos-status")).Value
		if status != "pending_review" {
			t.Fatalf("status after the code: %q", status)
		}
		b.page("privacy-center-status")
	})

	t.Run("preferences", func(t *testing.T) {
		b := newTab(t)
		b.run("ask for a code", chromedp.Navigate(f.url+"/privacy-center/preferences?lang=en"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
			chromedp.SetValue(chromedp.CSS(`select[name=jurisdiction]`), "DE"),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name=code]`)))
		// The code is read only now that it has been mailed.
		b.run("enter it", chromedp.SendKeys(chromedp.CSS(`input[name=code]`), f.codeFor(t, "ana@example.com")),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-custos-scope="sale_sharing"]`)))
		b.page("preferences")
		b.run("opt out of sale and sharing",
			chromedp.Click(chromedp.CSS(`#sale-sharing-no`)),
			chromedp.Click(chromedp.CSS(`form[action$="/save"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-custos-saved]`)))
		checked := get(b, "read", chromedp.Evaluate[bool](`document.getElementById('sale-sharing-no').checked`))
		if !checked {
			t.Fatal("the opt-out is not shown as saved")
		}
	})

	t.Run("admin console", func(t *testing.T) {
		if requestID == "" {
			t.Skip("needs the request the privacy centre made")
		}
		b := newTab(t)
		b.run("sign in", chromedp.Navigate(f.url+"/admin"), chromedp.WaitVisible(chromedp.CSS(`input[name=token]`)))
		b.page("admin-sign-in")
		b.run("token",
			chromedp.SendKeys(chromedp.CSS(`input[name=token]`), f.tokens[custos.RolePrivacyOfficer]),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-custos-request="%s"]`, requestID))))
		b.page("admin-queue")
		b.run("open the request", chromedp.Navigate(f.url+"/admin/requests/"+requestID), chromedp.WaitVisible(chromedp.CSS(`form[action$="/approve"]`)))
		b.page("admin-request")
		b.run("approve", chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`[role=status]`)))
		if got := get(b, "read", chromedp.Text(chromedp.CSS(`main`))); !strings.Contains(got, "completed") && !strings.Contains(got, "Completed") {
			t.Fatalf("after approval the request page says: %.400s", got)
		}
		for _, p := range []string{"data-map", "consents", "audit", "reports"} {
			b.run("open "+p, chromedp.Navigate(f.url+"/admin/"+p), chromedp.WaitVisible(chromedp.CSS(`main`)))
			b.page("admin-" + p)
		}
	})
}
