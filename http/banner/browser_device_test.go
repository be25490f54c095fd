package banner_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/custos-privacy/custos/consent"
)

// TestBrowserDeviceToken: the banner keeps the device token Custos issues
// with its first choice (in localStorage, not in the cookie the site
// reads) and sends it with later choices; a browser that lost it goes on
// as a new device; a device that chose before tokens existed gets its
// token at its next visit.
func TestBrowserDeviceToken(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE")
	tb.waitBanner()
	tb.click(`#custos-banner [data-custos-action="accept-all"]`)
	first := tb.receipt()
	tb.expect(`(() => { const k = JSON.parse(localStorage.getItem('custos.device_token'));
	  return k && k.i === '`+first.I+`' && /^[A-Za-z0-9_-]{24}$/.test(k.t) && !document.cookie.includes(k.t); })()`,
		"the token is kept for its device in localStorage, and not in the cookie")

	// A later choice carries it: Custos takes it for the same device.
	tb.do("open", chromedp.Evaluate[chromedp.Void](`window.Custos.open(); 0`))
	tb.waitBanner()
	tb.click(`#custos-banner [data-custos-action="reject-all"]`)
	tb.eventually(`(JSON.parse(localStorage.getItem('custos.consent')) || {}).r !== '`+first.R+`'`, "a new receipt")
	second := tb.receipt()
	if second.I != first.I {
		t.Fatalf("the device changed: %s then %s", first.I, second.I)
	}
	if cur := current(c.ledger(t, first.I)); cur[ads].Granted || cur[ads].ReceiptID != second.R {
		t.Fatalf("the second choice did not land on the device: %+v", cur[ads])
	}

	// The token is lost (storage cleared by hand): Custos refuses the
	// device without it, and the banner goes on as a new device.
	tb.do("lose the token", chromedp.Evaluate[chromedp.Void](`localStorage.removeItem('custos.device_token'); 0`))
	tb.do("open", chromedp.Evaluate[chromedp.Void](`window.Custos.open(); 0`))
	tb.waitBanner()
	tb.click(`#custos-banner [data-custos-action="accept-all"]`)
	tb.eventually(`(JSON.parse(localStorage.getItem('custos.consent')) || {}).r !== '`+second.R+`'`, "a new receipt")
	third := tb.receipt()
	if third.I == first.I {
		t.Fatal("a browser without the token still recorded for the device")
	}
	if cur := current(c.ledger(t, first.I)); cur[ads].Granted {
		t.Fatal("the old device's choice changed without its token")
	}
	if cur := current(c.ledger(t, third.I)); !cur[ads].Granted || cur[ads].ReceiptID != third.R {
		t.Fatalf("the new device's choice: %+v", cur[ads])
	}
	tb.expect(`JSON.parse(localStorage.getItem('custos.device_token')).i === '`+third.I+`'`, "the new device's token is kept")

	// A device that chose before tokens existed: its next visit gets the
	// token for the id it has.
	const legacy = "LegacyBrowserAAAAAAAAA"
	if _, err := c.svc.Consent.Record(context.Background(), "subject:banner", consent.Choice{DeviceID: legacy, Jurisdiction: "DE",
		Method: "banner", Scopes: []consent.ScopeChoice{{Scope: ads, Granted: true}}}, false); err != nil {
		t.Fatal(err)
	}
	tb.do("an old browser", chromedp.Evaluate[chromedp.Void](`localStorage.removeItem('custos.device_token');
	  localStorage.setItem('custos.device', JSON.stringify('`+legacy+`'));
	  localStorage.setItem('custos.consent', JSON.stringify(Object.assign(JSON.parse(localStorage.getItem('custos.consent')), {i: '`+legacy+`'}))); 0`))
	tb.reload()
	tb.eventually(`(JSON.parse(localStorage.getItem('custos.device_token')) || {}).i === '`+legacy+`'`, "the old device got its token")
	tb.do("open", chromedp.Evaluate[chromedp.Void](`window.Custos.open(); 0`))
	tb.waitBanner()
	tb.click(`#custos-banner [data-custos-action="reject-all"]`)
	tb.eventually(`(JSON.parse(localStorage.getItem('custos.consent')) || {}).r !== '`+third.R+`'`, "a new receipt")
	fourth := tb.receipt()
	if fourth.I != legacy {
		t.Fatalf("the old device became %s", fourth.I)
	}
	if cur := current(c.ledger(t, legacy)); cur[ads].Granted || cur[ads].ReceiptID != fourth.R {
		t.Fatalf("the old device's choice with its token: %+v", cur[ads])
	}
	tb.noCSPViolations()
}
