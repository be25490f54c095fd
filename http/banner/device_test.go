package banner_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/banner"
)

// record posts a banner choice for dev with token (none when empty).
func record(t *testing.T, url, dev, token string) (int, banner.RecordResponse, string) {
	t.Helper()
	body := map[string]any{"device_id": dev, "jurisdiction": "DE", "choices": map[string]bool{"marketing.communications.email": true}}
	if token != "" {
		body["device_token"] = token
	}
	raw, _ := json.Marshal(body)
	resp, b := get(t, "POST", url+"/api/v1/banner/consents", string(raw), "Content-Type", "application/json")
	var rec banner.RecordResponse
	code := ""
	if resp.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
	} else {
		code = errorCode(t, b)
	}
	return resp.StatusCode, rec, code
}

// TestDeviceTokens: only the browser that holds a device's token can change
// its choices; reading the device id (it sits in a cookie the site can
// read) is not enough. A device that chose before tokens existed gets its
// token once, at its next visit.
func TestDeviceTokens(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	const dev, other = "DeviceAAAAAAAAAAAAAAAA", "DeviceBBBBBBBBBBBBBBBB"
	history := func(d string) int { return len(c.ledger(t, d).History) }

	// A refused body claims nothing: the device's first good choice still
	// gets the token.
	bad := `{"device_id":"` + dev + `","jurisdiction":"DE","choices":{"marketing.spam":true}}`
	if resp, b := get(t, "POST", c.url+"/api/v1/banner/consents", bad, "Content-Type", "application/json"); resp.StatusCode != 422 {
		t.Fatalf("bad body: %d %s", resp.StatusCode, b)
	}
	status, first, _ := record(t, c.url, dev, "")
	if status != 201 || len(first.DeviceToken) != 24 {
		t.Fatalf("first choice: %d %+v", status, first)
	}
	token := first.DeviceToken
	_, otherFirst, _ := record(t, c.url, other, "")
	n := history(dev)
	for _, tc := range []struct {
		name, token string
		status      int
		code        string
	}{
		{"no token", "", 403, banner.CodeDeviceTokenRequired},
		{"another device's token", otherFirst.DeviceToken, 403, banner.CodeDeviceTokenInvalid},
		{"forged token", "AAAAAAAAAAAAAAAAAAAAAAAA", 403, banner.CodeDeviceTokenInvalid},
		{"truncated token", token[:10], 403, banner.CodeDeviceTokenInvalid},
		{"its token", token, 201, ""},
	} {
		status, rec, code := record(t, c.url, dev, tc.token)
		if status != tc.status || code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, code, tc.status, tc.code)
		}
		if status == 201 && rec.DeviceToken != "" {
			t.Errorf("%s: a second token was issued", tc.name)
		}
	}
	if got := history(dev); got != n+1 {
		t.Fatalf("ledger grew by %d, want 1 (the choice with the token)", got-n)
	}

	// A device that chose before tokens existed: its choices are in the
	// ledger, no token was issued. Its next visit names it and gets one,
	// once; whoever asks again gets nothing.
	const legacy = "LegacyCCCCCCCCCCCCCCCC"
	if _, err := c.svc.Consent.Record(context.Background(), "subject:banner", consent.Choice{DeviceID: legacy, Jurisdiction: "DE",
		Method: "banner", Scopes: []consent.ScopeChoice{{Scope: "marketing.communications.email", Granted: true}}}, false); err != nil {
		t.Fatal(err)
	}
	visit := func(dev string) (*http.Response, banner.Config) {
		t.Helper()
		resp, b := get(t, "GET", c.url+"/api/v1/banner?jurisdiction=DE&device="+dev, "")
		var cfg banner.Config
		if resp.StatusCode != 200 || json.Unmarshal(b, &cfg) != nil {
			t.Fatalf("config: %d %s", resp.StatusCode, b)
		}
		return resp, cfg
	}
	resp, cfg := visit(legacy)
	if len(cfg.DeviceToken) != 24 || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
		t.Fatalf("next visit of a device without a token: %q %v", cfg.DeviceToken, resp.Header)
	}
	if _, again := visit(legacy); again.DeviceToken != "" {
		t.Fatal("a device's token was issued twice")
	}
	if _, known := visit(dev); known.DeviceToken != "" {
		t.Fatal("the config issued a token for a device that has one")
	}
	if status, _, code := record(t, c.url, legacy, ""); status != 403 || code != banner.CodeDeviceTokenRequired {
		t.Fatalf("legacy device without its new token: %d %s", status, code)
	}
	if status, _, _ := record(t, c.url, legacy, cfg.DeviceToken); status != 201 {
		t.Fatalf("legacy device with its token: %d", status)
	}
	// Without a device, the config is the same for everyone, and cached.
	var plain banner.Config
	if resp, b := get(t, "GET", c.url+"/api/v1/banner?jurisdiction=DE", ""); resp.Header.Get("ETag") == "" ||
		json.Unmarshal(b, &plain) != nil || plain.DeviceToken != "" {
		t.Fatalf("plain config: %v %s", resp.Header, b)
	}
}

// TestRecordGlobalLimit: besides the limit per address, all addresses
// together are limited, so many addresses cannot fill the ledger at once.
func TestRecordGlobalLimit(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	var n atomic.Int64
	mux := http.NewServeMux()
	banner.Register(mux, banner.Deps{Policies: c.svc.Policies, Consent: c.svc.Consent, Clock: c.clock,
		RecordsPerMinute: 100, GlobalRecordsPerMinute: 3, Devices: c.svc.Store, DeviceKey: c.svc.DeviceKey,
		// Every request from an address of its own.
		ClientIP: func(*http.Request) string { return "192.0.2." + strconv.FormatInt(n.Add(1), 10) }})
	srv := httptest.NewServer(checked(t, mux))
	t.Cleanup(srv.Close)
	devs := []string{"GlobalAAAAAAAAAAAAAAAA", "GlobalBBBBBBBBBBBBBBBB", "GlobalCCCCCCCCCCCCCCCC", "GlobalDDDDDDDDDDDDDDDD"}
	for _, d := range devs[:3] {
		if status, _, code := record(t, srv.URL, d, ""); status != 201 {
			t.Fatalf("record %s: %d %s", d, status, code)
		}
	}
	body := `{"device_id":"` + devs[3] + `","jurisdiction":"DE","choices":{"marketing.communications.email":true}}`
	resp, b := get(t, "POST", srv.URL+"/api/v1/banner/consents", body, "Content-Type", "application/json")
	if resp.StatusCode != http.StatusTooManyRequests || errorCode(t, b) != "rate_limited" || resp.Header.Get("Retry-After") != "20" {
		t.Fatalf("over the global limit: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	// A refused choice claimed nothing: the device still gets its token.
	c.clock.T = c.clock.T.Add(20e9)
	if status, rec, code := record(t, srv.URL, devs[3], ""); status != 201 || rec.DeviceToken == "" {
		t.Fatalf("after 20 s: %d %s", status, code)
	}
}
