package banner_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/banner"
)

// get fetches url with headers, leaving the body as sent (no transparent
// gunzip), so sizes are those on the wire.
func get(t *testing.T, method, url string, body string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func errorCode(t *testing.T, b []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error body: %s", b)
	}
	return e.Error.Code
}

func TestScriptIsServedWithinBudget(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	resp, gz := get(t, "GET", c.url+"/consent.js", "", "Accept-Encoding", "gzip, deflate, br")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("consent.js %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	t.Logf("consent.js: %d bytes gzipped, styles included (budget %d)", len(gz), banner.Budget)
	if len(gz) > banner.Budget {
		t.Errorf("consent.js is %d bytes gzipped, over the budget of %d", len(gz), banner.Budget)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	h := resp.Header
	etag := h.Get("ETag")
	if !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || !strings.HasPrefix(etag, `"`) ||
		!strings.Contains(h.Get("Cache-Control"), "max-age=") || !strings.Contains(h.Get("Vary"), "Accept-Encoding") ||
		h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Errorf("headers %v", h)
	}
	for _, bad := range []string{"__CUSTOS_CSS__", "eval(", "new Function", "innerHTML", "onclick", "setAttribute('style'", "document.write"} {
		if bytes.Contains(js, []byte(bad)) {
			t.Errorf("served script holds %q", bad)
		}
	}
	if !bytes.Contains(js, []byte("#custos-banner{")) {
		t.Error("the styles are not in the served script")
	}

	resp, _ = get(t, "GET", c.url+"/consent.js", "", "Accept-Encoding", "gzip", "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", resp.StatusCode)
	}
	resp, plain := get(t, "GET", c.url+"/consent.js", "", "Accept-Encoding", "gzip;q=0, identity")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(plain, js) {
		t.Errorf("identity: %d, encoding %q, same body %v", resp.StatusCode, resp.Header.Get("Content-Encoding"), bytes.Equal(plain, js))
	}
	if resp.Header.Get("ETag") == etag || strings.HasPrefix(resp.Header.Get("ETag"), "W/") {
		t.Errorf("the plain and gzipped scripts need distinct strong ETags: %q and %q", resp.Header.Get("ETag"), etag)
	}
}

func TestConfigByJurisdiction(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	cases := []struct {
		name       string
		query      string
		headers    []string
		want       string
		experience string
		doNotSell  bool
	}{
		{"site names Germany", "?jurisdiction=DE", nil, "DE", banner.ExperienceOptIn, false},
		{"site names the UK, lower case", "?jurisdiction=gb", nil, "GB", banner.ExperienceOptIn, false},
		{"site names California", "?jurisdiction=US-CA", nil, "US-CA", banner.ExperienceOptOut, true},
		{"site wins over the CDN", "?jurisdiction=US-CA", []string{"CF-IPCountry", "FR"}, "US-CA", banner.ExperienceOptOut, true},
		{"Cloudflare country", "", []string{"CF-IPCountry", "FR"}, "FR", banner.ExperienceOptIn, false},
		{"Cloudflare region name", "", []string{"CF-IPCountry", "US", "CF-Region", "Virginia"}, "US-VA", banner.ExperienceOptOut, true},
		{"region code header", "", []string{"CF-IPCountry", "US", "X-Region", "CA"}, "US-CA", banner.ExperienceOptOut, true},
		{"US without a state", "", []string{"CF-IPCountry", "US"}, "US", banner.ExperienceOptOut, true},
		// Nobody knows where the visitor is: the visitor may be in the EU,
		// so the banner asks first (the bundled policy's banner.unknown_location).
		{"Tor is unknown", "", []string{"CF-IPCountry", "T1"}, banner.UnknownJurisdiction, banner.ExperienceOptIn, false},
		{"nothing known", "", nil, banner.UnknownJurisdiction, banner.ExperienceOptIn, false},
		{"site pins the US when nothing is known", "?jurisdiction=US", nil, "US", banner.ExperienceOptOut, true},
		{"a country the policy asks opt-in for", "?jurisdiction=BR", nil, "BR", banner.ExperienceOptIn, false},
	}
	for _, tc := range cases {
		resp, b := get(t, "GET", c.url+"/api/v1/banner"+tc.query, "", tc.headers...)
		var cfg banner.Config
		if resp.StatusCode != 200 || json.Unmarshal(b, &cfg) != nil {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, b)
			continue
		}
		if cfg.Jurisdiction != tc.want || cfg.Experience != tc.experience || cfg.DoNotSell != tc.doNotSell {
			t.Errorf("%s: got %s %s do_not_sell=%v, want %s %s %v", tc.name, cfg.Jurisdiction, cfg.Experience, cfg.DoNotSell,
				tc.want, tc.experience, tc.doNotSell)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: CORS headers %v", tc.name, resp.Header)
		}
	}

	resp, b := get(t, "GET", c.url+"/api/v1/banner?jurisdiction=DE", "")
	var cfg banner.Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.PolicyVersion != 1 || cfg.Organisation != "Clientwise" || cfg.PrivacyPolicyURL != c.url+"/privacy-policy" {
		t.Errorf("config %+v", cfg)
	}
	got := map[string]banner.Purpose{}
	for _, p := range cfg.Purposes {
		got[p.Key] = p
	}
	// Storage for analytics waits for consent in Germany although the
	// analysis rests on legitimate interests (ePrivacy Art. 5(3)).
	if a := got["analytics.reporting"]; a.Regime != "opt_in" || a.Name != "Data analytics" {
		t.Errorf("analytics in DE: %+v", a)
	}
	if len(got) != 4 || got["marketing.communications.email"].Name != "Email marketing" || got["marketing.communications.email"].SaleSharing ||
		!got["marketing.advertising.third_party"].SaleSharing || !got["third_party_sharing"].SaleSharing ||
		!strings.HasPrefix(got["third_party_sharing"].Description, "Share your contact details") || got["third_party_sharing"].Regime != "opt_in" {
		t.Errorf("purposes %+v", cfg.Purposes)
	}
	if !strings.Contains(strings.Join(cfg.Allowed, " "), "essential.service") || strings.Contains(strings.Join(cfg.Allowed, " "), "third_party_sharing") ||
		slices.Contains(cfg.Allowed, "analytics.reporting") || slices.Contains(cfg.Allowed, "functional.service.improve") {
		t.Errorf("allowed %v", cfg.Allowed)
	}
	if r2, _ := get(t, "GET", c.url+"/api/v1/banner?jurisdiction=DE", "", "If-None-Match", resp.Header.Get("ETag")); r2.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", r2.StatusCode)
	}
	resp, b = get(t, "GET", c.url+"/api/v1/banner?jurisdiction=Germany", "")
	if resp.StatusCode != 400 || errorCode(t, b) != "invalid_request" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("bad jurisdiction: %d %s", resp.StatusCode, b)
	}
}

const device = "AbCdEfGhIjKlMnOpQrStUv" // 22 base64url characters

func TestRecordChoice(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	resp, _ := get(t, "OPTIONS", c.url+"/api/v1/banner/consents", "", "Origin", "https://shop.example",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "POST" ||
		!strings.EqualFold(h.Get("Access-Control-Allow-Headers"), "Content-Type") || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("preflight %d %v", resp.StatusCode, h)
	}

	body := `{"device_id":"` + device + `","jurisdiction":"DE","choices":{"third_party_sharing":false,"marketing.communications.email":true,"marketing.advertising.third_party":false}}`
	resp, b := get(t, "POST", c.url+"/api/v1/banner/consents", body, "Content-Type", "application/json", "Origin", "https://shop.example")
	var rec banner.RecordResponse
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &rec) != nil || rec.ReceiptID == "" || rec.PolicyVersion != 1 ||
		resp.Header.Get("Access-Control-Allow-Origin") != "*" || len(rec.DeviceToken) != 24 {
		t.Fatalf("record %d %s", resp.StatusCode, b)
	}
	// Later choices of this device carry the token its first one got.
	tok := `"device_token":"` + rec.DeviceToken + `",`
	// Scopes follow the policy's order, and refusing every purpose that
	// sells or shares is an opt-out of sale and sharing.
	want := []consent.ScopeChoice{{Scope: "marketing.communications.email", Granted: true}, {Scope: "marketing.advertising.third_party"},
		{Scope: "third_party_sharing"}, {Scope: consent.ScopeSaleSharing}}
	if len(rec.Choices) != len(want) {
		t.Fatalf("choices %+v", rec.Choices)
	}
	for i := range want {
		if rec.Choices[i] != want[i] {
			t.Errorf("choice %d = %+v, want %+v", i, rec.Choices[i], want[i])
		}
	}
	if resp, b := get(t, "GET", rec.ReceiptURL, ""); resp.StatusCode != 200 || !strings.Contains(string(b), `"collectionMethod":"banner"`) {
		t.Errorf("receipt %s: %d %s", rec.ReceiptURL, resp.StatusCode, b)
	}
	st := c.ledger(t, device)
	cur := current(st)
	if st.Principal != "device:"+device || !cur["marketing.communications.email"].Granted || cur["third_party_sharing"].Granted ||
		cur["third_party_sharing"].Method != "banner" || cur["third_party_sharing"].ReceiptID != rec.ReceiptID {
		t.Errorf("ledger %+v", st)
	}

	// GPC alone records the opt-out of sale and sharing.
	resp, b = get(t, "POST", c.url+"/api/v1/banner/consents", `{`+tok+`"device_id":"`+device+`","jurisdiction":"US-CA","gpc":true}`, "Content-Type", "application/json")
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &rec) != nil || !rec.GPC || len(rec.Choices) != 1 || rec.Choices[0].Scope != consent.ScopeSaleSharing {
		t.Errorf("gpc %d %s", resp.StatusCode, b)
	}
	// Granting one purpose that sells lifts an earlier opt-out.
	resp, b = get(t, "POST", c.url+"/api/v1/banner/consents", `{`+tok+`"device_id":"`+device+`","jurisdiction":"US-CA","choices":{"marketing.advertising.third_party":true,"third_party_sharing":false}}`, "Content-Type", "application/json")
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(b), `{"scope":"sale_sharing","granted":true}`) {
		t.Errorf("partial grant %d %s", resp.StatusCode, b)
	}

	big := `{"device_id":"` + device + `","jurisdiction":"DE","choices":{"x":true},"gpc":false` + strings.Repeat(" ", 5000) + `}`
	for _, tc := range []struct {
		name, body, contentType string
		status                  int
		code                    string
	}{
		{"short device id", `{"device_id":"abc","jurisdiction":"DE","choices":{"third_party_sharing":true}}`, "application/json", 400, "invalid_request"},
		{"device id with a dot", `{"device_id":"AbCdEfGhIjKlMnOpQrStU.","jurisdiction":"DE","choices":{"third_party_sharing":true}}`, "application/json", 400, "invalid_request"},
		{"bad jurisdiction", `{"device_id":"` + device + `","jurisdiction":"Germany","choices":{"third_party_sharing":true}}`, "application/json", 400, "invalid_request"},
		{"unknown purpose", `{"device_id":"` + device + `","jurisdiction":"DE","choices":{"marketing.spam":true}}`, "application/json", 422, "undeclared_purpose"},
		{"purpose not resting on consent", `{"device_id":"` + device + `","jurisdiction":"DE","choices":{"essential.service":true}}`, "application/json", 422, "not_a_consent_purpose"},
		{"reserved scope", `{"device_id":"` + device + `","jurisdiction":"DE","choices":{"sale_sharing":true}}`, "application/json", 422, "undeclared_purpose"},
		{"grant against GPC", `{"device_id":"` + device + `","jurisdiction":"US-CA","gpc":true,"choices":{"third_party_sharing":true}}`, "application/json", 422, "gpc_conflict"},
		{"nothing chosen", `{"device_id":"` + device + `","jurisdiction":"DE","choices":{}}`, "application/json", 400, "invalid_request"},
		{"unknown field", `{"device_id":"` + device + `","jurisdiction":"DE","choices":{},"email":"a@example.com"}`, "application/json", 400, "invalid_request"},
		{"not a boolean", `{"device_id":"` + device + `","jurisdiction":"DE","choices":{"third_party_sharing":"yes"}}`, "application/json", 400, "invalid_request"},
		{"malformed", `{"device_id":`, "application/json", 400, "malformed_json"},
		{"two values", `{"device_id":"` + device + `","jurisdiction":"DE","gpc":true}{}`, "application/json", 400, "malformed_json"},
		{"too large", big, "application/json", 413, "too_large"},
		{"form post", `device_id=x`, "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
	} {
		resp, b := get(t, "POST", c.url+"/api/v1/banner/consents", tc.body, "Content-Type", tc.contentType)
		if resp.StatusCode != tc.status || errorCode(t, b) != tc.code || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %d %s, want %d %s", tc.name, resp.StatusCode, b, tc.status, tc.code)
		}
	}
}

func TestRecordIsRateLimited(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	mux := http.NewServeMux()
	banner.Register(mux, banner.Deps{Policies: c.svc.Policies, Consent: c.svc.Consent, Clock: c.clock, RecordsPerMinute: 2,
		Devices: c.svc.Store, DeviceKey: c.svc.DeviceKey})
	srv := httptest.NewServer(checked(t, mux))
	t.Cleanup(srv.Close)
	body := `{"device_id":"` + device + `","jurisdiction":"US","gpc":true}`
	for i := 0; i < 2; i++ {
		resp, b := get(t, "POST", srv.URL+"/api/v1/banner/consents", body, "Content-Type", "application/json")
		var rec banner.RecordResponse
		if resp.StatusCode != 201 || json.Unmarshal(b, &rec) != nil {
			t.Fatalf("record %d: %d %s", i, resp.StatusCode, b)
		}
		if rec.DeviceToken != "" {
			body = `{"device_token":"` + rec.DeviceToken + `","device_id":"` + device + `","jurisdiction":"US","gpc":true}`
		}
	}
	resp, b := get(t, "POST", srv.URL+"/api/v1/banner/consents", body, "Content-Type", "application/json")
	if resp.StatusCode != http.StatusTooManyRequests || errorCode(t, b) != "rate_limited" || resp.Header.Get("Retry-After") != "30" {
		t.Errorf("third record: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	c.clock.T = c.clock.T.Add(30e9)
	if resp, b := get(t, "POST", srv.URL+"/api/v1/banner/consents", body, "Content-Type", "application/json"); resp.StatusCode != 201 {
		t.Errorf("after 30 s: %d %s", resp.StatusCode, b)
	}
}

// The API's documentation test walks the API's own route table; the
// banner registers its routes beside it, so it checks them here, against
// the same served document.
func TestOpenAPIDocumentsBannerRoutes(t *testing.T) {
	t.Parallel()
	c := startCustos(t)
	resp, b := get(t, "GET", c.url+"/api/v1/openapi.json", "")
	var doc struct {
		Paths map[string]map[string]map[string]any `json:"paths"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("openapi %d", resp.StatusCode)
	}
	for _, r := range banner.Routes() {
		method, path, _ := strings.Cut(r, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("%s is not in openapi.json", r)
		}
	}
}
