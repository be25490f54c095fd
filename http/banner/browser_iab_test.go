package banner_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	tcf2 "github.com/prebid/go-gdpr/vendorconsent/tcf2"
	gpp "github.com/prebid/go-gpp"
	"github.com/prebid/go-gpp/sections/uspca"
	"github.com/prebid/go-gpp/sections/uspnat"

	"github.com/custos-privacy/custos/consent/iab"
	"github.com/custos-privacy/custos/http/banner"
	"github.com/custos-privacy/custos/policy"
)

// testCMPID stands for the CMP id IAB Europe registers for a company; the
// Global Vendor List cannot be fetched here, so the vendors are listed.
const testCMPID = 999

// withIAB puts in force a policy that turns on __gpp and __tcfapi.
func (c *custosServer) withIAB(t *testing.T) {
	t.Helper()
	src := strings.Replace(string(policy.Bundled()), "banner:\n  unknown_location: opt_in\n",
		"banner:\n  unknown_location: opt_in\n  iab:\n    gpp: true\n    tcf:\n      cmp_id: 999\n      cmp_version: 3\n      vendor_list_version: 120\n      vendors: [2, 10, 755]\n", 1)
	if !strings.Contains(src, "cmp_id: 999") {
		t.Fatal("the bundled policy has no banner section to extend")
	}
	if _, err := c.svc.Policies.Publish(context.Background(), "test", "iab.yaml", []byte(src), c.clock.Now(), true); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

const (
	gppPing   = `new Promise((r) => window.__gpp('ping', (d, ok) => r(JSON.stringify([d, ok]))))`
	tcfData   = `new Promise((r) => window.__tcfapi('getTCData', 2, (d, ok) => r(JSON.stringify([d, ok]))))`
	tcfString = `new Promise((r) => window.__tcfapi('getTCData', 2, (d) => r(d.tcString)))`
	gppString = `new Promise((r) => window.__gpp('ping', (d) => r(d.gppString)))`
	noModule  = `!document.querySelector('script[src$="/consent-iab.js"]') && typeof window.__gpp === 'undefined' && typeof window.__tcfapi === 'undefined'`
)

// The IAB module is a file of its own, loaded only where the policy turns
// an API on and it applies.
func TestBrowserIABModuleOnlyWhereConfigured(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	site := startSite(t, c.url)
	for _, j := range []string{"DE", "US-CA"} {
		tb := openTab(t, false)
		tb.load(site + "/?j=" + j)
		tb.expect(noModule, j+": without banner.iab nothing of the IAB module is loaded")
	}
	c.withIAB(t)
	tb := openTab(t, false)
	tb.load(site + "/?j=BR")
	tb.expect(`window.Custos.consent().experience === 'opt_in'`, "Brazil asks first")
	tb.eventually(`typeof window.__tcfapi === 'function'`, "TCF where storage is opt-in")
	tb.expect(`typeof window.__gpp === 'undefined'`, "no GPP outside the US")
	tb = openTab(t, false)
	tb.load(site + "/?j=US-TX")
	tb.eventually(`typeof window.__gpp === 'function'`, "GPP in the US")
	tb.expect(`typeof window.__tcfapi === 'undefined'`, "no TCF where storage is opt-out")
	tb.noCSPViolations()
}

func TestBrowserGPP(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	c.withIAB(t)
	site := startSite(t, c.url)

	t.Run("California: usca", func(t *testing.T) {
		tb := openTab(t, false)
		tb.load(site + "/?j=US-CA")
		tb.waitBanner()
		tb.eventually(`typeof window.__gpp === 'function' && document.querySelector('script[src$="/consent-iab.js"]')`, "the module is loaded")
		tb.expect(gppPing+`.then((s) => { const [d, ok] = JSON.parse(s); return ok && d.gppVersion === '1.1' && d.cmpStatus === 'loaded' &&
		  d.signalStatus === 'ready' && JSON.stringify(d.applicableSections) === '[8]' && d.supportedAPIs.includes('8:usca') && d.cmpId === 999; })`,
			"__gpp('ping') answers")
		before := decodeGPP(t, eval[string](tb, gppString))
		ca, ok := before.Sections[0].(uspca.USPCA)
		if !ok || ca.CoreSegment.SaleOptOut != 2 || ca.CoreSegment.SharingOptOut != 2 {
			t.Fatalf("before a choice: %+v", before.Sections)
		}
		tb.click(`#custos-banner [data-custos-action="reject-all"]`)
		tb.do("notice closes", chromedp.WaitNotPresent(chromedp.CSS(`#custos-banner`)))
		after := decodeGPP(t, eval[string](tb, gppString))
		if ca := after.Sections[0].(uspca.USPCA); ca.CoreSegment.SaleOptOut != 1 || ca.CoreSegment.SharingOptOut != 1 {
			t.Errorf("after Opt out of all: %+v", ca.CoreSegment)
		}
		// The server reads the string back: an opt-out of sale and sharing.
		choices, err := iab.ParseGPP(eval[string](tb, gppString))
		if err != nil || len(choices) == 0 {
			t.Fatalf("ParseGPP: %v %v", choices, err)
		}
		for _, ch := range choices {
			if ch.Purpose != iab.ScopeSaleSharing || ch.Granted {
				t.Errorf("choice %+v, want sale_sharing refused", ch)
			}
		}
		tb.expect(`new Promise((r) => window.__gpp('hasSection', (d) => r(d), 'usca'))`, "hasSection")
	})

	t.Run("Texas: US National", func(t *testing.T) {
		tb := openTab(t, false)
		tb.load(site + "/?j=US-TX")
		tb.eventually(`typeof window.__gpp === 'function'`, "the module is loaded")
		tb.expect(`new Promise((r) => window.__gpp('addEventListener', (d) => { window.__gppEvents = (window.__gppEvents || []).concat([d.eventName]); r(d.eventName === 'listenerRegistered'); }))`,
			"a listener registers")
		tb.click(`#custos-banner [data-custos-action="accept-all"]`)
		tb.eventually(`(window.__gppEvents || []).includes('sectionChange')`, "listeners hear the choice")
		g := decodeGPP(t, eval[string](tb, gppString))
		nat, ok := g.Sections[0].(uspnat.USPNAT)
		if !ok || nat.CoreSegment.SaleOptOut != 2 || nat.CoreSegment.TargetedAdvertisingOptOut != 2 || nat.CoreSegment.MspaCoveredTransaction != 2 {
			t.Fatalf("usnat after Allow all: %+v", g.Sections)
		}
		choices, err := iab.ParseGPP(eval[string](tb, gppString))
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range choices {
			if !ch.Granted {
				t.Errorf("choice %+v after Allow all", ch)
			}
		}
	})
}

func decodeGPP(t *testing.T, s string) gpp.GppContainer {
	t.Helper()
	c, errs := gpp.Parse(s)
	if len(errs) > 0 || len(c.Sections) != 1 {
		t.Fatalf("go-gpp cannot read %q: %v", s, errs)
	}
	return c
}

func TestBrowserTCF(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	c.withIAB(t)
	site := startSite(t, c.url)
	tb := openTab(t, false)
	tb.load(site + "/?j=DE")
	tb.waitBanner()
	tb.eventually(`typeof window.__tcfapi === 'function'`, "the module is loaded")
	tb.expect(`new Promise((r) => window.__tcfapi('ping', 2, (d) => r(d.cmpId === 999 && d.gdprApplies === true && d.apiVersion === '2.2' &&
	  d.tcfPolicyVersion === 4 && d.displayStatus === 'visible' && d.gvlVersion === 120)))`, "__tcfapi('ping') answers")
	tb.expect(tcfData+`.then((s) => { const [d, ok] = JSON.parse(s); return ok && d.eventStatus === 'cmpuishown' &&
	  Object.values(d.purpose.consents).every((v) => v === false) && d.vendor.consents['755'] === false; })`, "before a choice nothing is consented")
	checkTCF(t, eval[string](tb, tcfString), false)

	tb.expect(`new Promise((r) => window.__tcfapi('addEventListener', 2, (d) => { window.__tcfEvents = (window.__tcfEvents || []).concat([d.eventStatus]); r(true); }))`, "a listener registers")
	tb.click(`#custos-banner [data-custos-action="accept-all"]`)
	tb.eventually(`(window.__tcfEvents || []).includes('useractioncomplete')`, "listeners hear the choice")
	tb.expect(tcfData+`.then((s) => { const [d] = JSON.parse(s); return d.purpose.consents['1'] && d.purpose.consents['9'] &&
	  d.vendor.consents['755'] && d.gdprApplies && d.cmpId === 999; })`, "after accept-all")
	checkTCF(t, eval[string](tb, tcfString), true)

	tb.reload()
	tb.eventually(`typeof window.__tcfapi === 'function'`, "the module is loaded again")
	tb.expect(tcfData+`.then((s) => JSON.parse(s)[0].eventStatus === 'tcloaded')`, "a remembered choice is tcloaded")
	checkTCF(t, eval[string](tb, tcfString), true)
	tb.noCSPViolations()
}

// checkTCF decodes a TC string with go-gdpr, as the server does, and
// through consent/iab: analytics (TCF purpose 9) and the vendors follow
// the choice.
func checkTCF(t *testing.T, s string, granted bool) {
	t.Helper()
	core, _, _ := strings.Cut(s, ".")
	b, err := base64.RawURLEncoding.DecodeString(core)
	if err != nil {
		t.Fatalf("TC string %q: %v", s, err)
	}
	vc, err := tcf2.Parse(b)
	if err != nil {
		t.Fatalf("go-gdpr cannot read %q: %v", s, err)
	}
	if vc.CmpID() != testCMPID || vc.VendorListVersion() != 120 || vc.Version() != 2 || vc.MaxVendorID() != 755 {
		t.Errorf("TC string metadata: cmp %d, list %d, version %d, max vendor %d", vc.CmpID(), vc.VendorListVersion(), vc.Version(), vc.MaxVendorID())
	}
	if vc.VendorConsent(755) != granted || vc.VendorConsent(2) != granted || vc.VendorConsent(3) {
		t.Errorf("vendor consents: 755 %v, 2 %v, 3 %v, want %v", vc.VendorConsent(755), vc.VendorConsent(2), vc.VendorConsent(3), granted)
	}
	choices, err := iab.ParseTCF(s)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, ch := range choices {
		if ch.Purpose == "analytics.reporting" {
			seen = true
			if ch.Granted != granted {
				t.Errorf("analytics.reporting from the TC string: %v, want %v", ch.Granted, granted)
			}
		}
	}
	if !seen {
		t.Errorf("no analytics choice in %+v", choices)
	}
}

// The base script holds only the stubs' names; the APIs are in the module.
func TestIABModuleIsSeparate(t *testing.T) {
	t.Parallel()
	base, err := banner.Build()
	if err != nil {
		t.Fatal(err)
	}
	module, err := banner.BuildIAB()
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"tcfPolicyVersion", "gppVersion", "fibonacci"} {
		if strings.Contains(string(base.Plain), marker) || !strings.Contains(string(module.Plain), marker) {
			t.Errorf("%q should be in consent-iab.js only", marker)
		}
	}
	if len(base.Gzip) > banner.Budget {
		t.Errorf("consent.js is %d bytes gzipped", len(base.Gzip))
	}
	t.Logf("consent-iab.js: %d bytes gzipped", len(module.Gzip))
}
