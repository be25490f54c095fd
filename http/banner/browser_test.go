package banner_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/internal/browsertest"
	"github.com/custos-privacy/custos/policy"
)

// artifactsEnv names a directory for screenshots of failing pages; without
// it they go to a new temporary directory, which is kept and logged.
const artifactsEnv = "CUSTOS_TEST_ARTIFACTS"

// The package's browser tests share one Chromium (internal/browsertest);
// each test gets a tab in a browser context of its own (own storage, own
// cookies), so they run in parallel. They are never skipped: a missing
// browser fails them, saying what to install.
func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Close()
	os.Exit(code)
}

func browser(t *testing.T) context.Context { return browsertest.Browser(t) }

// initScript runs in every document before its own scripts: it records
// CSP violations and the banner's events for the test to read.
const initScript = `window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.__events = [];
document.addEventListener('custos:consent', (e) => window.__events.push(e.detail));`

// gpcScript emulates a browser that sends the Global Privacy Control signal.
const gpcScript = `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true, configurable: true});`

type tab struct {
	t   *testing.T
	ctx context.Context
}

func openTab(t *testing.T, gpc bool) *tab {
	t.Helper()
	tabCtx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	// Cleanups run last first: the screenshot is taken before the tab closes.
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, tabCtx)
		}
	})
	ctx, cancelTimeout := context.WithTimeout(tabCtx, 25*time.Second)
	t.Cleanup(cancelTimeout)
	src := initScript
	if gpc {
		src = gpcScript + "\n" + src
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		t.Fatalf("init script: %v", err)
	}
	// Tabs in the background still behave as focused, so focus tests hold
	// while tests run in parallel.
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatalf("focus emulation: %v", err)
	}
	return &tab{t: t, ctx: ctx}
}

func screenshot(t *testing.T, ctx context.Context) {
	dir := os.Getenv(artifactsEnv)
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "custos-banner-artifacts-")
	} else {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	buf, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	name := filepath.Join(dir, regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")+".png")
	if err := os.WriteFile(name, buf, 0o644); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the page at failure: %s", name)
}

func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// expect fails the test unless expr is true now.
func (tb *tab) expect(expr, why string) {
	tb.t.Helper()
	if !eval[bool](tb, expr) {
		tb.t.Errorf("%s: %s is false", why, expr)
	}
}

// eventually fails the test unless expr becomes true within 5 s.
func (tb *tab) eventually(expr, why string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		tb.t.Fatalf("%s: %s never held: %v", why, expr, err)
	}
}

// load opens a page of the company's site and waits for the banner to
// know its config.
func (tb *tab) load(url string) {
	tb.t.Helper()
	tb.do("navigate to "+url, chromedp.Navigate(url))
	tb.ready()
}

func (tb *tab) reload() {
	tb.t.Helper()
	tb.do("reload", chromedp.Reload())
	tb.ready()
}

func (tb *tab) ready() {
	tb.t.Helper()
	if !eval[bool](tb, `window.Custos.ready.then((s) => s !== null)`) {
		tb.t.Fatal("the banner has no config")
	}
}

func (tb *tab) waitBanner() {
	tb.t.Helper()
	tb.do("wait for the banner", chromedp.WaitVisible(chromedp.CSS(`#custos-banner [role="dialog"]`)))
}

func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (tb *tab) press(key string, opts ...chromedp.KeyOption) {
	tb.t.Helper()
	tb.do("press key", chromedp.KeyEvent(key, opts...))
}

// focused names the element with focus: its banner action or toggle, its
// role, its id or its tag.
func (tb *tab) focused() string {
	tb.t.Helper()
	return eval[string](tb, `(() => { const a = document.activeElement; if (!a) return '';
	  return a.getAttribute('data-custos-action') || a.getAttribute('data-custos-toggle') || a.getAttribute('role') ||
	    (a.id ? '#' + a.id : a.tagName.toLowerCase()); })()`)
}

func (tb *tab) noCSPViolations() {
	tb.t.Helper()
	if v := eval[[]string](tb, `window.__csp`); len(v) > 0 {
		tb.t.Errorf("CSP violations: %v", v)
	}
}

// state is the choice the banner keeps in the browser.
type storedChoice struct {
	V int64           `json:"v"`
	C map[string]bool `json:"c"`
	G bool            `json:"g"`
	D bool            `json:"d"`
	X bool            `json:"x"`
	R string          `json:"r"`
	P bool            `json:"p"`
	I string          `json:"i"`
}

func (tb *tab) stored() storedChoice {
	tb.t.Helper()
	return eval[storedChoice](tb, `JSON.parse(localStorage.getItem('custos.consent')) || {}`)
}

// receipt waits for Custos to answer the recording and returns the
// stored choice with its receipt id.
func (tb *tab) receipt() storedChoice {
	tb.t.Helper()
	tb.eventually(`(JSON.parse(localStorage.getItem('custos.consent')) || {}).r`, "the receipt id is stored with the choice")
	return tb.stored()
}

// axe runs axe-core on the banner and fails on serious or critical
// violations.
func (tb *tab) axe() {
	tb.t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "axe-core", "axe.min.js"))
	if err != nil {
		tb.t.Fatalf("axe-core: %v", err)
	}
	tb.do("load axe-core", chromedp.Evaluate[chromedp.Void](string(src)+"\n;0"))
	found := eval[[]string](tb, `axe.run(document.getElementById('custos-banner'), {resultTypes: ['violations']}).then((r) => r.violations.map((v) =>
	  v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`)
	for _, v := range found {
		if strings.HasPrefix(v, "serious ") || strings.HasPrefix(v, "critical ") {
			tb.t.Errorf("axe: %s", v)
		} else {
			tb.t.Logf("axe (not failing): %s", v)
		}
	}
}

// site is the company's own site, on an origin of its own, under a strict
// CSP that lets in only the Custos origin (and, with ?nonce, the nonce of
// its tags).
func startSite(t *testing.T, custosURL string) string {
	t.Helper()
	pageTmpl := template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>Shop</title>
{{if .SiteDefault}}<script nonce="{{.Nonce}}">window.dataLayer = window.dataLayer || []; function gtag() { dataLayer.push(arguments); }
gtag('consent', 'default', {ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied', wait_for_update: 500, site: true});</script>{{end}}
<script src="{{.Custos}}/consent.js"{{with .Jurisdiction}} data-jurisdiction="{{.}}"{{end}}{{if .TagNonce}} nonce="{{.Nonce}}"{{end}} defer></script>
</head><body>
<header><button type="button" id="prefs" data-custos-action="open">Privacy choices</button></header>
<main><h1>Shop</h1><p>Things for sale.</p>
<iframe id="ad-frame" title="Advertisement" data-custos-src="/frame.html" data-custos-purpose="marketing.advertising.third_party"></iframe>
</main>
<footer><a href="/privacy" id="dns" data-custos-action="do-not-sell">Do Not Sell or Share My Personal Information</a></footer>
<script type="text/plain" data-custos-purpose="marketing.advertising.third_party" nonce="{{.Nonce}}">window.ads = (window.ads || 0) + 1;</script>
<script type="text/plain" data-custos-purpose="marketing.communications.email" nonce="{{.Nonce}}">window.mail = true;</script>
<script type="text/plain" data-custos-purpose="third_party_sharing" src="/share.js"></script>
<script type="text/plain" data-custos-purpose="analytics.reporting" nonce="{{.Nonce}}">window.analytics = true;
window.consentSeen = window.dataLayer.filter((e) => e && e[0] === 'consent').map((e) => e[1] + ':' + e[2].analytics_storage).join(',');</script>
<script type="text/plain" data-custos-purpose="marketing.undeclared" nonce="{{.Nonce}}">window.undeclared = true;</script>
</body></html>`))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		nonce := hex.EncodeToString(b)
		tagNonce := r.URL.Query().Has("nonce")
		style := custosURL
		if tagNonce {
			style += " 'nonce-" + nonce + "'"
		}
		w.Header().Set("Content-Security-Policy", fmt.Sprintf("default-src 'none'; script-src 'self' 'nonce-%s' %s; style-src %s; "+
			"connect-src %s; frame-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'", nonce, custosURL, style, custosURL))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		lang := r.URL.Query().Get("hl")
		if lang == "" {
			lang = "en"
		}
		if err := pageTmpl.Execute(w, map[string]any{"Custos": custosURL, "Jurisdiction": r.URL.Query().Get("j"),
			"Nonce": nonce, "TagNonce": tagNonce, "Lang": lang, "SiteDefault": r.URL.Query().Has("cm")}); err != nil {
			t.Errorf("page: %v", err)
		}
	})
	mux.HandleFunc("GET /share.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "window.shared = true;")
	})
	mux.HandleFunc("GET /frame.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Ad</title><p>An advertisement</p>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

const (
	email     = "marketing.communications.email"
	ads       = "marketing.advertising.third_party"
	sharing   = "third_party_sharing"
	analytics = "analytics.reporting"
)

// nothingRan: no tagged element ran, analytics on legitimate interests
// included (its cookie is not strictly necessary: ePrivacy Art. 5(3)).
const nothingRan = `typeof window.ads === 'undefined' && typeof window.mail === 'undefined' && typeof window.shared === 'undefined' &&
  typeof window.analytics === 'undefined' && !document.getElementById('ad-frame').hasAttribute('src')`

func TestBrowserOptInAcceptAll(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE&nonce")
	tb.waitBanner()
	tb.readme("banner-opt-in")

	tb.expect(nothingRan, "nothing that is not strictly necessary runs before a choice, whatever its legal basis")
	tb.expect(`typeof window.undeclared === 'undefined'`, "a purpose the policy does not declare never runs")
	tb.expect(`(() => { const d = document.querySelector('#custos-banner [role="dialog"]');
	  return d.getAttribute('aria-modal') === 'true' && document.activeElement === d &&
	    document.getElementById(d.getAttribute('aria-labelledby')).textContent === 'Your privacy choices' &&
	    document.getElementById(d.getAttribute('aria-describedby')).textContent.includes('Clientwise') &&
	    ['accept-all', 'reject-all', 'save'].every((a) => d.querySelector('button[data-custos-action="' + a + '"]')); })()`,
		"a labelled, described modal dialog with focus and the three buttons")
	tb.expect(`getComputedStyle(document.getElementById('custos-banner')).position === 'fixed' &&
	  [...document.querySelectorAll('style')].some((s) => s.nonce && s.textContent.includes('#custos-banner'))`,
		"styles come in a <style> carrying the tag's nonce")

	tb.click(`#custos-banner [data-custos-action="choose"]`)
	tb.expect(`JSON.stringify([...document.querySelectorAll('#custos-purposes label')].map((l) => l.textContent)) ===
	  '["Data analytics","Email marketing","Advertising on third-party websites","Sharing with third-party marketers"]' &&
	  [...document.querySelectorAll('#custos-purposes input')].every((i) => !i.checked)`,
		"one unchecked toggle per purpose that is not strictly necessary, named from the policy")
	tb.axe() // with the choices open, every control of the banner is checked

	tb.click(`#custos-banner [data-custos-action="accept-all"]`)
	tb.do("banner closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
	tb.eventually(`window.ads === 1 && window.mail === true && window.shared === true && window.analytics === true &&
	  document.getElementById('ad-frame').getAttribute('src') === '/frame.html'`, "tagged scripts and iframes run after accept-all")
	tb.expect(`(() => { const e = window.__events[window.__events.length - 1];
	  return e.decided && e.choices['`+ads+`'] && e.choices['`+sharing+`'] && e.choices['`+email+`'] && e.policy_version === 1; })()`,
		"custos:consent tells tag managers")
	tb.expect(`window.Custos.consent().choices['`+ads+`'] === true && window.Custos.allowed('analytics.reporting')`, "window.Custos.consent()")
	tb.expect(`document.cookie.includes('custos_consent=')`, "a first-party cookie keeps the choice")
	s := tb.receipt()

	st := c.ledger(t, s.I)
	cur := current(st)
	for _, scope := range []string{analytics, email, ads, sharing, consent.ScopeSaleSharing} {
		if got := cur[scope]; !got.Granted || got.Method != "banner" || got.ReceiptID != s.R {
			t.Errorf("ledger %s = %+v, want granted by banner with receipt %s", scope, got, s.R)
		}
	}
	if n := len(receipts(st)); n != 1 {
		t.Errorf("%d receipts, want 1", n)
	}
	tb.noCSPViolations()

	tb.reload()
	tb.expect(`!document.getElementById('custos-banner') && window.ads === 1 && window.mail === true && window.analytics === true`, "the choice is remembered on reload")
	tb.eventually(`window.shared === true`, "the remembered choice runs external scripts too")
	tb.noCSPViolations()
}

func TestBrowserOptInRejectAll(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE")
	tb.waitBanner()
	tb.expect(`getComputedStyle(document.getElementById('custos-banner')).position === 'fixed' && document.adoptedStyleSheets.length === 1 &&
	  ![...document.querySelectorAll('style')].some((s) => s.textContent.includes('#custos-banner'))`,
		"without a nonce the styles come as a constructed stylesheet, which the CSP allows")
	tb.click(`#custos-banner [data-custos-action="reject-all"]`)
	tb.do("banner closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
	s := tb.receipt()
	tb.expect(nothingRan, "nothing runs after reject-all, analytics included")
	cur := current(c.ledger(t, s.I))
	for _, scope := range []string{analytics, email, ads, sharing, consent.ScopeSaleSharing} {
		if got, ok := cur[scope]; !ok || got.Granted || got.ReceiptID != s.R {
			t.Errorf("ledger %s = %+v, want refused with receipt %s", scope, got, s.R)
		}
	}
	tb.reload()
	tb.expect(`!document.getElementById('custos-banner') && window.Custos.consent().decided`, "no banner once chosen")
	tb.expect(nothingRan, "still nothing runs after reload")
	tb.noCSPViolations()

	// A choice kept from before analytics was asked (an older banner)
	// leaves analytics off and asks again.
	tb.do("forget the analytics choice", chromedp.Evaluate[chromedp.Void](`(() => { const s = JSON.parse(localStorage.getItem('custos.consent'));
	  delete s.c['analytics.reporting']; localStorage.setItem('custos.consent', JSON.stringify(s)); })()`))
	tb.reload()
	tb.waitBanner()
	tb.expect(nothingRan, "an unasked purpose stays off")
	tb.expect(`!!document.querySelector('#custos-banner [data-custos-action="close"]')`, "the person who chose before may close it")
}

func TestBrowserNewPolicyVersionAsksAgain(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE")
	tb.waitBanner()
	tb.click(`#custos-banner [data-custos-action="accept-all"]`)
	first := tb.receipt()
	if first.V != 1 {
		t.Fatalf("stored policy version %d, want 1", first.V)
	}

	version := c.publishNewVersion(t)
	tb.reload()
	tb.waitBanner()
	tb.expect(nothingRan, "a choice made under the old version no longer counts")
	tb.expect(fmt.Sprintf(`window.Custos.consent().policy_version === %d && !window.Custos.consent().decided`, version), "the banner follows the new version")
	tb.click(`#custos-banner [data-custos-action="accept-all"]`)
	tb.eventually(`(JSON.parse(localStorage.getItem('custos.consent')) || {}).r !== '`+first.R+`'`, "a new receipt")
	second := tb.receipt()
	if second.V != version || second.I != first.I {
		t.Errorf("stored %+v, want version %d on the same device %s", second, version, first.I)
	}
	st := c.ledger(t, second.I)
	if n := len(receipts(st)); n != 2 {
		t.Errorf("%d receipts, want 2", n)
	}
	if last := st.History[len(st.History)-1]; last.PolicyVersion != version || last.ReceiptID != second.R {
		t.Errorf("last ledger entry %+v, want version %d", last, version)
	}
}

func TestBrowserGPC(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)

	t.Run("California", func(t *testing.T) {
		tb := openTab(t, true)
		tb.load(site + "/?j=US-CA")
		tb.expect(`!document.getElementById('custos-banner') && window.Custos.consent().gpc`, "no pop-up under GPC")
		tb.expect(`typeof window.ads === 'undefined' && typeof window.shared === 'undefined' && !document.getElementById('ad-frame').hasAttribute('src')`,
			"sale and sharing stay blocked")
		tb.expect(`window.mail === true`, "an opt-out purpose that does not sell runs")
		// 11 CCR §7025(c)(6): the site shows that the signal was processed,
		// beside its Do Not Sell or Share link, without a pop-up.
		tb.expect(`(() => { const n = document.getElementById('dns').nextElementSibling;
		  return document.getElementById('dns').getAttribute('data-custos-gpc') === 'honoured' && n.hasAttribute('data-custos-gpc-notice') &&
		    n.textContent.trim() === 'Opt-out preference signal honored' && n.getClientRects().length > 0; })()`,
			"the Do Not Sell link says the opt-out preference signal was honoured")
		s := tb.receipt()
		st := c.ledger(t, s.I)
		cur := current(st)
		for _, scope := range []string{ads, sharing, consent.ScopeSaleSharing} {
			if got, ok := cur[scope]; !ok || got.Granted || got.ReceiptID != s.R {
				t.Errorf("ledger %s = %+v, want refused with receipt %s", scope, got, s.R)
			}
		}
		if _, ok := cur[email]; ok {
			t.Errorf("GPC recorded a choice on %s, which does not sell or share", email)
		}
		for _, h := range st.History {
			if !h.GPC || h.Method != "banner" {
				t.Errorf("ledger entry %+v, want gpc by banner", h)
			}
		}

		tb.reload()
		time.Sleep(300 * time.Millisecond) // room for a second recording, which must not come
		if n := len(receipts(c.ledger(t, s.I))); n != 1 {
			t.Errorf("GPC recorded %d times, want once", n)
		}
		tb.expect(`!document.getElementById('custos-banner')`, "still no pop-up")

		// The preferences show sale and sharing off, and locked.
		tb.click(`#prefs`)
		tb.waitBanner()
		tb.expect(`(() => { const i = document.querySelector('#custos-banner [data-custos-toggle="`+sharing+`"]');
		  return i.disabled && !i.checked && i.closest('.custos-purpose').textContent.includes('Global Privacy Control'); })()`,
			"sale and sharing are locked off")
		tb.expect(`document.querySelector('#custos-banner [data-custos-gpc-notice]').textContent.startsWith('Opt-out preference signal honored') &&
		  !document.querySelector('#custos-banner [data-custos-action="do-not-sell"]')`, "the choices say the signal was honoured, in place of the link")
		tb.axe()
		tb.press(kb.Escape)
		tb.do("notice closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
		tb.noCSPViolations()
	})

	t.Run("Germany", func(t *testing.T) {
		tb := openTab(t, true)
		tb.load(site + "/?j=DE")
		tb.expect(`!document.getElementById('custos-banner')`, "no pop-up under GPC")
		tb.expect(nothingRan, "nothing that needs consent runs")
		s := tb.receipt()
		if cur := current(c.ledger(t, s.I)); cur[consent.ScopeSaleSharing].Granted || cur[consent.ScopeSaleSharing].ReceiptID != s.R {
			t.Errorf("ledger %+v", cur)
		}
	})
}

func TestBrowserCaliforniaNotice(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=US-CA")
	tb.waitBanner()
	tb.readme("banner-california")
	tb.expect(`(() => { const d = document.querySelector('#custos-banner [role="dialog"]');
	  const link = d.querySelector('a[data-custos-action="do-not-sell"]');
	  return d.getAttribute('aria-modal') === 'false' && !document.querySelector('.custos-backdrop') &&
	    link && link.textContent === 'Do Not Sell or Share My Personal Information'; })()`,
		"a notice with the Do Not Sell or Share link, not an opt-in wall")
	tb.expect(`(() => { const b = document.getElementById('prefs').getBoundingClientRect();
	  return document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2).id === 'prefs'; })()`, "the page stays usable")
	tb.expect(`window.ads === 1 && window.mail === true && window.analytics === true`, "opt-out purposes run until the person opts out")
	tb.eventually(`window.shared === true`, "opt-out purposes run until the person opts out")
	tb.axe()

	tb.press(kb.Escape)
	tb.do("Escape closes the notice", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
	if f := tb.focused(); f != "body" {
		t.Errorf("focus after Escape on %s, want the page", f)
	}
	if s := tb.stored(); !s.X || s.D {
		t.Errorf("stored %+v, want the notice dismissed and no choice", s)
	}
	tb.reload()
	tb.expect(`!document.getElementById('custos-banner') && window.ads === 1`, "a dismissed notice does not come back")

	tb.click(`#prefs`)
	tb.waitBanner()
	tb.click(`#custos-banner a[data-custos-action="do-not-sell"]`)
	tb.do("the notice closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
	if f := tb.focused(); f != "open" {
		t.Errorf("focus after the choice on %s, want the button that opened the notice", f)
	}
	s := tb.receipt()
	cur := current(c.ledger(t, s.I))
	for _, scope := range []string{ads, sharing, consent.ScopeSaleSharing} {
		if got, ok := cur[scope]; !ok || got.Granted || got.ReceiptID != s.R {
			t.Errorf("ledger %s = %+v, want refused with receipt %s", scope, got, s.R)
		}
	}
	tb.reload()
	tb.expect(`!document.getElementById('custos-banner') && typeof window.ads === 'undefined' && window.mail === true`,
		"after Do Not Sell, selling purposes no longer run; others still do")
	tb.noCSPViolations()
}

func TestBrowserKeyboard(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE")
	tb.waitBanner()
	if f := tb.focused(); f != "dialog" {
		t.Fatalf("focus on %s, want the dialog", f)
	}
	tb.press(kb.Escape)
	tb.expect(`!!document.getElementById('custos-banner')`, "Escape does not dismiss an opt-in banner before a choice")

	order := []string{"a", "choose", "reject-all", "save", "accept-all", "a"}
	for _, want := range order {
		tb.press(kb.Tab)
		if got := tb.focused(); got != want {
			t.Fatalf("Tab reached %s, want %s (order %v)", got, want, order)
		}
		tb.expect(`(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 2; })()`,
			"a visible focus outline on "+want)
	}
	tb.press(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	if got := tb.focused(); got != "accept-all" {
		t.Fatalf("Shift+Tab from the first control reached %s, want the last", got)
	}

	tb.press(kb.Tab)
	tb.press(kb.Tab)
	if got := tb.focused(); got != "choose" {
		t.Fatalf("focus on %s, want choose", got)
	}
	tb.press(kb.Enter)
	tb.expect(`document.activeElement.getAttribute('aria-expanded') === 'true' && !document.getElementById('custos-purposes').hidden`, "Enter opens the choices")
	tb.press(kb.Tab)
	if got := tb.focused(); got != analytics {
		t.Fatalf("focus on %s, want the first toggle", got)
	}
	tb.press(kb.Tab)
	if got := tb.focused(); got != email {
		t.Fatalf("focus on %s, want the second toggle", got)
	}
	tb.press(" ")
	tb.expect(`document.activeElement.checked`, "Space turns a toggle on")
	for _, want := range []string{ads, sharing, "reject-all", "save"} {
		tb.press(kb.Tab)
		if got := tb.focused(); got != want {
			t.Fatalf("Tab reached %s, want %s", got, want)
		}
	}
	tb.press(" ")
	tb.do("Space on save closes the banner", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
	if f := tb.focused(); f != "body" {
		t.Errorf("focus after saving on %s, want the page", f)
	}
	tb.expect(`window.mail === true && typeof window.ads === 'undefined' && typeof window.analytics === 'undefined'`, "only the chosen purpose runs")
	s := tb.receipt()
	if cur := current(c.ledger(t, s.I)); !cur[email].Granted || cur[ads].Granted || cur[sharing].Granted || cur[analytics].Granted {
		t.Errorf("ledger %+v", cur)
	}

	// Reopen from the page with the keyboard; now a choice exists, Escape
	// closes, and focus goes back where it was.
	tb.press(kb.Tab)
	if got := tb.focused(); got != "open" {
		t.Fatalf("Tab from the page reached %s, want the preferences button", got)
	}
	tb.press(kb.Enter)
	tb.waitBanner()
	if f := tb.focused(); f != "dialog" {
		t.Errorf("focus on %s after reopening, want the dialog", f)
	}
	tb.expect(`document.querySelector('#custos-banner [data-custos-toggle="`+email+`"]').checked`, "the preferences show the choice made")
	tb.press(kb.Escape)
	tb.do("Escape closes the preferences", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
	if f := tb.focused(); f != "open" {
		t.Errorf("focus after Escape on %s, want the preferences button", f)
	}
	tb.noCSPViolations()
}

// readme saves the page for the README when CUSTOS_SCREENSHOTS names a
// directory (see http/api's browser test, which saves the other pages).
func (tb *tab) readme(name string) {
	dir := os.Getenv("CUSTOS_SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// Nobody says where the visitor is (no data-jurisdiction, no CDN header):
// the visitor gets the opt-in experience.
func TestBrowserUnknownLocation(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)

	t.Run("accept all", func(t *testing.T) {
		tb := openTab(t, false)
		tb.load(site + "/")
		tb.waitBanner()
		tb.expect(`window.Custos.consent().jurisdiction === 'ZZ' && window.Custos.consent().experience === 'opt_in' &&
		  document.querySelector('#custos-banner [role="dialog"]').getAttribute('aria-modal') === 'true'`, "an opt-in dialog")
		tb.expect(nothingRan, "nothing that is not strictly necessary runs before a choice")
		tb.click(`#custos-banner [data-custos-action="accept-all"]`)
		tb.eventually(`window.analytics === true && window.ads === 1`, "analytics runs after accept-all")
		s := tb.receipt()
		st := c.ledger(t, s.I)
		if got := current(st)[analytics]; !got.Granted || got.ReceiptID != s.R || st.History[0].Jurisdiction != "ZZ" {
			t.Errorf("ledger %+v", st)
		}
	})
	t.Run("reject all", func(t *testing.T) {
		tb := openTab(t, false)
		tb.load(site + "/")
		tb.waitBanner()
		tb.click(`#custos-banner [data-custos-action="reject-all"]`)
		tb.do("banner closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
		tb.receipt()
		tb.reload()
		tb.expect(`!document.getElementById('custos-banner')`, "the choice is remembered")
		tb.expect(nothingRan, "analytics stays blocked after reject-all")
	})
}

// In the US, "Opt out of all" (the reject-all button) refuses analytics
// too, and the refusal holds after a reload.
func TestBrowserUSRejectAll(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=US")
	tb.waitBanner()
	tb.eventually(`window.analytics === true`, "analytics runs until the person opts out")
	tb.click(`#custos-banner [data-custos-action="reject-all"]`)
	tb.do("notice closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
	s := tb.receipt()
	cur := current(c.ledger(t, s.I))
	for _, scope := range []string{analytics, email, ads, sharing, consent.ScopeSaleSharing} {
		if got, ok := cur[scope]; !ok || got.Granted || got.ReceiptID != s.R {
			t.Errorf("ledger %s = %+v, want refused with receipt %s", scope, got, s.R)
		}
	}
	if !s.D || s.C[analytics] {
		t.Errorf("stored %+v", s)
	}
	tb.reload()
	tb.expect(`!document.getElementById('custos-banner')`, "no notice once chosen")
	tb.expect(nothingRan, "nothing runs after reload, analytics included")
	tb.noCSPViolations()
}

// Google Consent Mode v2: the default (all denied but security) is in
// dataLayer before any tag the banner controls runs, and each choice
// pushes an update before the tags it allows are put in place.
func TestBrowserConsentMode(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	const entries = `JSON.stringify(window.dataLayer.filter((e) => e && e[0] === 'consent').map((e) => [e[1], e[2]]))`

	t.Run("Germany", func(t *testing.T) {
		tb := openTab(t, false)
		tb.load(site + "/?j=DE")
		tb.waitBanner()
		tb.expect(`(() => { const d = window.dataLayer.filter((e) => e && e[0] === 'consent');
		  const def = d[0][2], up = d[1][2];
		  return d.length === 2 && d[0][1] === 'default' && Object.prototype.toString.call(d[0]) === '[object Arguments]' &&
		    ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage'].every((k) => def[k] === 'denied' && up[k] === 'denied') &&
		    def.security_storage === 'granted' && d[1][1] === 'update'; })()`, "default denied before a choice, and an update that still denies")
		tb.click(`#custos-banner [data-custos-action="accept-all"]`)
		tb.eventually(`window.analytics === true`, "analytics runs after accept-all")
		tb.expect(`window.consentSeen === 'default:denied,update:denied,update:granted'`,
			"the analytics tag ran after the update that grants analytics_storage")
		tb.expect(`(() => { const d = window.dataLayer.filter((e) => e && e[0] === 'consent'); const u = d[d.length - 1][2];
		  return d[d.length - 1][1] === 'update' && u.ad_storage === 'granted' && u.ad_user_data === 'granted' && u.ad_personalization === 'granted' &&
		    u.analytics_storage === 'granted' && u.functionality_storage === 'denied' && u.personalization_storage === 'denied'; })()`,
			"after accept-all the signals the policy's purposes stand for are granted; signals without a purpose stay denied")
		tb.reload()
		tb.expect(`(() => { const d = window.dataLayer.filter((e) => e && e[0] === 'consent');
		  return d.length === 2 && d[0][2].analytics_storage === 'denied' && d[1][2].analytics_storage === 'granted'; })()`, "on the next page: default, then the remembered choice")
	})

	t.Run("reject all", func(t *testing.T) {
		tb := openTab(t, false)
		tb.load(site + "/?j=FR")
		tb.waitBanner()
		tb.click(`#custos-banner [data-custos-action="reject-all"]`)
		tb.do("banner closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
		tb.expect(`(() => { const d = window.dataLayer.filter((e) => e && e[0] === 'consent'); const u = d[d.length - 1][2];
		  return d.length === 3 && u.ad_storage === 'denied' && u.analytics_storage === 'denied'; })()`, "reject-all updates to denied")
	})

	t.Run("the site's own default comes first", func(t *testing.T) {
		tb := openTab(t, false)
		tb.load(site + "/?j=US-CA&cm")
		got := eval[string](tb, entries)
		tb.expect(`(() => { const d = window.dataLayer.filter((e) => e && e[0] === 'consent');
		  return d.filter((e) => e[1] === 'default').length === 1 && d[0][2].site === true && d[1][1] === 'update' &&
		    d[1][2].analytics_storage === 'granted' && d[1][2].ad_storage === 'granted'; })()`, "one default, the site's, then the California update: "+got)
		tb.noCSPViolations()
	})
}

// TestBrowserOrganisationNameAsWritten: the company's name from the
// manifest fills {org} in the banner's description exactly as written.
// It is text, never markup, and the characters String.replace gives a
// meaning in a replacement string ($&, $', $$) are the name's own.
func TestBrowserOrganisationNameAsWritten(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	const name = `Fish $& Chips $' <img src=x onerror="window.pwned=1"> $$ Co`
	src := strings.Replace(string(policy.Bundled()), "  short_name: Clientwise\n", "  short_name: "+strconv.Quote(name)+"\n", 1)
	if src == string(policy.Bundled()) {
		t.Fatal("the bundled policy's short_name moved: teach this test where it is")
	}
	if _, err := c.svc.Policies.Publish(context.Background(), "test", "v2.yaml", []byte(src), c.clock.Now(), true); err != nil {
		t.Fatalf("publish: %v", err)
	}
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE")
	tb.waitBanner()
	got := eval[string](tb, `document.getElementById('custos-desc').textContent`)
	if !strings.HasPrefix(got, name+" would like to use cookies") {
		t.Errorf("the description begins %.120q, want the name %q as written", got, name)
	}
	tb.expect(`typeof window.pwned === 'undefined' && !document.querySelector('#custos-desc img')`, "the name is text, not markup")
}
