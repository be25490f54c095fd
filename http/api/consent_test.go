package api_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func TestConsentsAndDecisions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		decide := func(body string) (int, map[string]any) {
			t.Helper()
			status, _, b := f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest, body)
			var out map[string]any
			_ = json.Unmarshal(b, &out)
			return status, out
		}
		q := `{"subject":{"email":"ana@example.com"},"purpose":"marketing.communications.email","category":"user.contact.email","jurisdiction":"DE"}`
		if status, d := decide(q); status != 200 || d["allowed"] != false || d["reason"] != "no_consent" || d["basis"] != "consent" || d["regime"] != "opt_in" {
			t.Fatalf("before consent: %d %v", status, d)
		}
		status, _, b := f.do(t, "POST", "/api/v1/consents", custos.RoleIngest,
			`{"subject":{"email":"Ana@Example.com"},"purpose":"marketing.communications.email","granted":true,"jurisdiction":"DE","method":"web_form","gpc":false}`)
		var rec struct {
			ReceiptID     string `json:"receipt_id"`
			PolicyVersion int64  `json:"policy_version"`
			JWS           string `json:"jws"`
		}
		if status != 201 || json.Unmarshal(b, &rec) != nil || rec.ReceiptID == "" || rec.PolicyVersion != 1 {
			t.Fatalf("consent %d %s", status, b)
		}
		if status, d := decide(q); status != 200 || d["allowed"] != true || d["reason"] != "consent_given" {
			t.Fatalf("after consent: %d %v", status, d)
		}
		// Anyone can fetch the receipt and check it with the published key.
		status, _, b = f.do(t, "GET", "/api/v1/consents/receipts/"+rec.ReceiptID, "", "")
		var got struct {
			JWS     string          `json:"jws"`
			Receipt json.RawMessage `json:"receipt"`
		}
		if status != 200 || json.Unmarshal(b, &got) != nil || got.JWS != rec.JWS {
			t.Fatalf("receipt %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/.well-known/custos-receipt-key", "", "")
		var jwk map[string]string
		if status != 200 || json.Unmarshal(b, &jwk) != nil || jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" {
			t.Fatalf("key %d %s", status, b)
		}
		pub, _ := base64.RawURLEncoding.DecodeString(jwk["x"])
		if _, err := consent.VerifyJWS(got.JWS, ed25519.PublicKey(pub)); err != nil {
			t.Fatalf("receipt does not verify with the published key: %v", err)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/consents/receipts/00000000-0000-4000-8000-000000000000", "", ""); status != 404 {
			t.Fatalf("unknown receipt %d", status)
		}

		// Sec-GPC: 1 on a consent call opts the person out of sale and sharing.
		req, _ := http.NewRequest("POST", f.url+"/api/v1/consents", strings.NewReader(`{"subject":{"email":"ana@example.com"},"jurisdiction":"US-CA","method":"browser_signal"}`))
		req.Header.Set("Authorization", "Bearer "+f.tokens[custos.RoleIngest])
		req.Header.Set("Sec-GPC", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 || !strings.Contains(string(b), `"scope":"sale_sharing","granted":false`) {
			t.Fatalf("GPC consent %d %s", resp.StatusCode, b)
		}
		if _, d := decide(`{"subject":{"email":"ana@example.com"},"purpose":"third_party_sharing","jurisdiction":"US-CA"}`); d["reason"] != "opted_out" {
			t.Fatalf("sharing after GPC: %v", d)
		}

		status, _, b = f.do(t, "GET", "/api/v1/consents?email=ANA@example.com", custos.RoleAgent, "")
		if status != 200 || strings.Count(string(b), `"receipt_id"`) < 4 || strings.Contains(string(b), "ana@example.com") {
			t.Fatalf("state %d %s", status, b)
		}
		for _, role := range []custos.Role{custos.RoleIngest, custos.RoleAuditor} {
			if status, _, _ := f.do(t, "GET", "/api/v1/consents?email=ana@example.com", role, ""); status != 403 {
				t.Fatalf("%s reading consents: %d", role, status)
			}
		}

		cases := []struct {
			body, code string
			status     int
		}{
			{`{"subject":{"email":"a@example.com"},"purpose":"train_ai_system","jurisdiction":"US"}`, "undeclared_purpose", 422},
			{`{"subject":{"email":"a@example.com"},"purpose":"essential.service","category":"user.biometric.retinal","jurisdiction":"US"}`, "undeclared_category", 422},
			{`{"subject":{"email":"a@example.com"},"jurisdiction":"US"}`, "invalid_request", 400},
			{`{"subject":{"email":"nope"},"purpose":"essential.service","jurisdiction":"US"}`, "invalid_request", 400},
			{`{"purpose":"essential.service","jurisdiction":"US"}`, "invalid_request", 400},
		}
		for _, c := range cases {
			status, _, b := f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest, c.body)
			if status != c.status || errorCode(t, b) != c.code {
				t.Errorf("%s: %d %s", c.body, status, b)
			}
		}
		if status, _, _ := f.do(t, "POST", "/api/v1/decisions", custos.RoleAgent, q); status != 403 {
			t.Fatalf("agent deciding: %d", status)
		}
		status, _, b = f.do(t, "POST", "/api/v1/decisions:batch", custos.RoleIngest, `{"decisions":[`+q+`,{"subject":{"email":"zed@example.com"},"purpose":"essential.service","jurisdiction":"US"}]}`)
		if status != 200 || !strings.Contains(string(b), `"reason":"consent_given"`) || !strings.Contains(string(b), `"reason":"contract"`) {
			t.Fatalf("batch %d %s", status, b)
		}
	})
}

func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		status, _, b := f.do(t, "POST", "/api/v1/unsubscribe-links", custos.RoleIngest, `{"email":"bo@example.com","purpose":"marketing.communications.email"}`)
		var link struct {
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		}
		if status != 200 || json.Unmarshal(b, &link) != nil || link.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
			t.Fatalf("link %d %s", status, b)
		}
		u, _ := url.Parse(link.URL)
		path := u.Path
		// GET shows a confirmation and changes nothing (mail scanners follow links).
		status, h, page := f.do(t, "GET", path, "", "")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(string(page), `name="List-Unsubscribe" value="One-Click"`) {
			t.Fatalf("GET %d %s", status, page)
		}
		decision := func() string {
			_, _, b := f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest, `{"subject":{"email":"bo@example.com"},"purpose":"marketing.communications.email","jurisdiction":"US"}`)
			var d map[string]any
			_ = json.Unmarshal(b, &d)
			return d["reason"].(string)
		}
		if r := decision(); r != "not_opted_out" {
			t.Fatalf("before: %s", r)
		}
		post := func(p, body string, gpc string) (int, string) {
			req, _ := http.NewRequest("POST", f.url+p, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if gpc != "" {
				req.Header.Set("Sec-GPC", gpc)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if len(resp.Cookies()) > 0 {
				t.Fatal("the unsubscribe endpoint set a cookie")
			}
			return resp.StatusCode, string(b)
		}
		if status, b := post(path, "foo=bar", ""); status != 400 {
			t.Fatalf("without One-Click: %d %s", status, b)
		}
		forged := path[:len(path)-3] + "AAA"
		if status, b := post(forged, "List-Unsubscribe=One-Click", ""); status != 404 || !strings.Contains(b, "invalid_token") {
			t.Fatalf("forged: %d %s", status, b)
		}
		// GPC with any value but exactly "1" is no signal.
		if status, b := post(path, "List-Unsubscribe=One-Click", "true"); status != 200 || !strings.Contains(b, `"unsubscribed":true`) {
			t.Fatalf("one-click: %d %s", status, b)
		}
		if r := decision(); r != "opted_out" {
			t.Fatalf("after: %s", r)
		}
		_, _, b = f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest, `{"subject":{"email":"bo@example.com"},"purpose":"third_party_sharing","jurisdiction":"US-CA"}`)
		if !strings.Contains(string(b), `"reason":"not_opted_out"`) {
			t.Fatalf("a non-\"1\" Sec-GPC opted out of sharing: %s", b)
		}
		if status, _ := post(path, "List-Unsubscribe=One-Click", "1"); status != 200 {
			t.Fatalf("second click %d", status)
		}
		_, _, b = f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest, `{"subject":{"email":"bo@example.com"},"purpose":"third_party_sharing","jurisdiction":"US-CA"}`)
		if !strings.Contains(string(b), `"reason":"opted_out"`) {
			t.Fatalf("Sec-GPC: 1 was not honoured: %s", b)
		}
	})
}
