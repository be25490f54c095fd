package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/notify"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

type fixture struct {
	outbox  *notify.Outbox
	maildir string
	url     string
	tokens  map[custos.Role]string
	clock   *custos.FixedClock
	store   *store.Store
}

func setup(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	return setupBase(t, s, "http://custos.test")
}

// setupBase is setup with Custos' public address given.
func setupBase(t *testing.T, s *store.Store, baseURL string) *fixture {
	t.Helper()
	clock := &custos.FixedClock{T: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	srv := wiretest.StartServer(t, wiretest.Options{Store: s, Clock: clock, BaseURL: baseURL, Mail: true, Wrap: func(h http.Handler) http.Handler { return checked(t, h) }}, nil)
	return &fixture{tokens: srv.Tokens(t), clock: clock, store: s, outbox: srv.Outbox, maildir: srv.MailDir, url: srv.URL}
}

func (f *fixture) do(t *testing.T, method, path string, role custos.Role, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// errorCode checks the error body shape and returns its code.
func errorCode(t *testing.T, b []byte) string {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error body: %s", b)
	}
	return e.Error.Code
}

func TestErrors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		cases := []struct {
			name, method, path string
			role               custos.Role
			auth               string // overrides the role's token
			body               string
			status             int
			code               string
		}{
			{"no token", "GET", "/api/v1/policy", "", "", "", 401, "unauthorized"},
			{"bad token", "GET", "/api/v1/policy", "", "Bearer cst_forged", "", 401, "unauthorized"},
			{"not bearer", "GET", "/api/v1/policy", "", "Basic dXNlcjpwYXNz", "", 401, "unauthorized"},
			{"ingest cannot list tokens", "GET", "/api/v1/tokens", custos.RoleIngest, "", "", 403, "forbidden"},
			{"agent cannot publish", "POST", "/api/v1/policy/versions", custos.RoleAgent, "", `{"manifest":"x"}`, 403, "forbidden"},
			{"ingest cannot read audit", "GET", "/api/v1/audit", custos.RoleIngest, "", "", 403, "forbidden"},
			{"malformed json", "POST", "/api/v1/tokens", custos.RoleAdmin, "", `{"role": "agent"`, 400, "malformed_json"},
			{"not json", "POST", "/api/v1/tokens", custos.RoleAdmin, "", `role=agent`, 400, "malformed_json"},
			{"empty body", "POST", "/api/v1/tokens", custos.RoleAdmin, "", ``, 400, "malformed_json"},
			{"unknown field", "POST", "/api/v1/tokens", custos.RoleAdmin, "", `{"role":"agent","colour":"red"}`, 400, "invalid_request"},
			{"wrong type", "POST", "/api/v1/tokens", custos.RoleAdmin, "", `{"role":7}`, 400, "invalid_request"},
			{"bad role", "POST", "/api/v1/tokens", custos.RoleAdmin, "", `{"role":"root"}`, 400, "invalid_role"},
			{"two values", "POST", "/api/v1/tokens", custos.RoleAdmin, "", `{"role":"agent"}{}`, 400, "malformed_json"},
			{"missing manifest", "POST", "/api/v1/policy/versions", custos.RoleAdmin, "", `{}`, 400, "invalid_request"},
			{"unknown path", "GET", "/api/v1/nothing", "", "", "", 404, "not_found"},
			{"wrong method", "DELETE", "/api/v1/policy", custos.RoleAdmin, "", "", 405, "method_not_allowed"},
			{"revoke unknown", "DELETE", "/api/v1/tokens/999", custos.RoleAdmin, "", "", 404, "not_found"},
			{"revoke bad id", "DELETE", "/api/v1/tokens/abc", custos.RoleAdmin, "", "", 400, "invalid_request"},
			{"bad audit limit", "GET", "/api/v1/audit?limit=0", custos.RoleAuditor, "", "", 400, "invalid_request"},
		}
		for _, c := range cases {
			var rd io.Reader
			if c.body != "" {
				rd = strings.NewReader(c.body)
			}
			req, _ := http.NewRequest(c.method, f.url+c.path, rd)
			if c.role != "" {
				req.Header.Set("Authorization", "Bearer "+f.tokens[c.role])
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, b)
				continue
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: content type %q", c.name, ct)
			}
			if code := errorCode(t, b); code != c.code {
				t.Errorf("%s: code %q, want %q (%s)", c.name, code, c.code, b)
			}
		}
	})
}

func TestPublicEndpoints(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		status, _, b := f.do(t, "GET", "/healthz", "", "")
		if status != 200 || strings.TrimSpace(string(b)) != `{"status":"ok"}` {
			t.Fatalf("healthz %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/.well-known/gpc.json", "", "")
		var gpc map[string]any
		if status != 200 || json.Unmarshal(b, &gpc) != nil || gpc["gpc"] != true || gpc["lastUpdate"] != "2020-10-29" {
			t.Fatalf("gpc %d %s", status, b)
		}
		status, h, b := f.do(t, "GET", "/privacy-policy", "", "")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "October 29, 2020") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("privacy-policy %d %s", status, h)
		}
		status, h, b = f.do(t, "GET", "/privacy-policy.md", "", "")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/markdown") || !strings.HasPrefix(string(b), "# ") {
			t.Fatalf("privacy-policy.md %d %.200s", status, b)
		}
		// Metrics name routes and traffic: not for anyone on the public
		// address.
		for _, c := range []struct {
			role   custos.Role
			status int
		}{{"", 401}, {custos.RoleIngest, 403}, {custos.RoleAgent, 403}, {custos.RoleAuditor, 200}, {custos.RoleAdmin, 200}} {
			status, _, b = f.do(t, "GET", "/metrics", c.role, "")
			if status != c.status {
				t.Fatalf("metrics as %q: %d, want %d", c.role, status, c.status)
			}
			if status == 200 && !strings.Contains(string(b), `custos_http_requests_total{code="200",pattern="GET /healthz"} 1`) {
				t.Fatalf("metrics %d %s", status, b)
			}
		}
	})
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		status, _, b := f.do(t, "GET", "/api/v1/openapi.json", "", "")
		var doc struct {
			OpenAPI string                               `json:"openapi"`
			Paths   map[string]map[string]map[string]any `json:"paths"`
		}
		if status != 200 || json.Unmarshal(b, &doc) != nil || doc.OpenAPI == "" {
			t.Fatalf("openapi %d", status)
		}
		for _, r := range api.Routes() {
			method, path, _ := strings.Cut(r.Pattern, " ")
			op, ok := doc.Paths[path][strings.ToLower(method)]
			if !ok {
				t.Errorf("%s is not in openapi.json", r.Pattern)
				continue
			}
			// The same set of roles, in any order; a public route names none.
			var documented []string
			roles, _ := op["x-custos-roles"].([]any)
			for _, role := range roles {
				documented = append(documented, fmt.Sprint(role))
			}
			var routed []string
			for _, role := range r.Roles {
				routed = append(routed, string(role))
			}
			slices.Sort(documented)
			slices.Sort(routed)
			if !slices.Equal(documented, routed) {
				t.Errorf("%s: openapi roles %v, route roles %v", r.Pattern, documented, routed)
			}
			if _, secured := op["security"]; secured != (r.Roles != nil) {
				t.Errorf("%s: openapi security %v, but the route is public: %v", r.Pattern, op["security"], r.Roles == nil)
			}
		}
	})
}

func TestPolicyAndVersions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		status, _, b := f.do(t, "GET", "/api/v1/policy", custos.RoleIngest, "")
		var got struct {
			Version     int64          `json:"version"`
			LastUpdated string         `json:"last_updated"`
			Manifest    map[string]any `json:"manifest"`
			Upcoming    []any          `json:"upcoming"`
		}
		if status != 200 || json.Unmarshal(b, &got) != nil || got.Version != 1 || got.LastUpdated != "2020-10-29" ||
			got.Manifest["contact"].(map[string]any)["email"] != "support@clientwiseportal.com" || len(got.Upcoming) != 0 {
			t.Fatalf("policy %d %.300s", status, b)
		}

		// A material change published for next month is announced, not in force.
		src := string(policy.Bundled())
		changed := strings.Replace(src, `last_updated: "2020-10-29"`, `last_updated: "2026-07-01"`, 1) + `
# appended by the test
`
		changed = addRecipient(t, changed)
		body, _ := json.Marshal(map[string]any{"manifest": changed, "effective_at": "2026-07-01T00:00:00Z"})
		status, _, b = f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(body))
		if status != 201 || !strings.Contains(string(b), `"material":true`) || !strings.Contains(string(b), "data_brokers") {
			t.Fatalf("publish %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/policy", custos.RoleAgent, "")
		if status != 200 || !strings.Contains(string(b), `"version":1`) || !strings.Contains(string(b), `"upcoming":[{"version":2`) {
			t.Fatalf("policy during notice %d %.400s", status, b)
		}
		_, _, page := f.do(t, "GET", "/privacy-policy", "", "")
		if !strings.Contains(string(page), "data-custos-upcoming") || !strings.Contains(string(page), "<li>Who we share it with — Data brokers: new recipient</li>") {
			t.Fatalf("the notice does not announce the upcoming change in words: %.3000s", page)
		}
		if strings.Contains(string(page), "data_brokers") {
			t.Fatal("the notice names the upcoming recipient by its key")
		}
		// Publishing the same manifest again changes nothing.
		status, _, b = f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(body))
		if status != 200 || !strings.Contains(string(b), `"unchanged":true`) {
			t.Fatalf("republish %d %s", status, b)
		}
		// Once the date passes, version 2 is in force and the notice is gone.
		f.clock.T = time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
		_, _, b = f.do(t, "GET", "/api/v1/policy", custos.RoleAgent, "")
		if !strings.Contains(string(b), `"version":2`) || !strings.Contains(string(b), `"last_updated":"2026-07-01"`) {
			t.Fatalf("policy after effective date %.300s", b)
		}
		_, _, page = f.do(t, "GET", "/privacy-policy", "", "")
		if strings.Contains(string(page), "data-custos-upcoming") || !strings.Contains(string(page), "July 1, 2026") {
			t.Fatal("the notice still announces a change in force")
		}
		status, _, b = f.do(t, "GET", "/api/v1/policy/versions", custos.RoleAuditor, "")
		if status != 200 || strings.Count(string(b), `"version":`) != 2 {
			t.Fatalf("versions %d %s", status, b)
		}

		// An invalid manifest is refused with its problems, positions included.
		bad, _ := json.Marshal(map[string]any{"manifest": strings.Replace(src, "key: user.contact.email", "key: user.contact.emial", 1)})
		status, _, b = f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(bad))
		if status != 400 || errorCode(t, b) != "invalid_manifest" || !strings.Contains(string(b), `did you mean \"user.contact.email\"`) ||
			!strings.Contains(string(b), `"line":`) {
			t.Fatalf("invalid publish %d %s", status, b)
		}
		// Validation parses untrusted YAML: it is for those who write manifests.
		status, _, b = f.do(t, "POST", "/api/v1/policy/validate", custos.RolePrivacyOfficer, string(bad))
		if status != 200 || !strings.Contains(string(b), `"valid":false`) {
			t.Fatalf("validate %d %s", status, b)
		}
	})
}

// addRecipient appends a recipient that sells data, a material change.
func addRecipient(t *testing.T, src string) string {
	t.Helper()
	i := strings.Index(src, "\nrecipients:\n")
	if i < 0 {
		t.Fatal("bundled manifest has no top-level recipients list")
	}
	i += len("\nrecipients:\n")
	entry := `  - key: data_brokers
    name: Data brokers
    kind: third_party
    description: with data brokers who buy it
    sale_or_share: true
    direct_marketing: false
`
	return src[:i] + entry + src[i:]
}

func TestTokensAndAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		status, _, b := f.do(t, "POST", "/api/v1/tokens", custos.RoleAdmin, `{"role":"auditor","name":"external auditor"}`)
		var tok struct {
			ID    int64  `json:"id"`
			Token string `json:"token"`
		}
		if status != 201 || json.Unmarshal(b, &tok) != nil || !strings.HasPrefix(tok.Token, "cst_") {
			t.Fatalf("create %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/tokens", custos.RoleAdmin, "")
		if status != 200 || !strings.Contains(string(b), "external auditor") || strings.Contains(string(b), tok.Token) {
			t.Fatalf("list %d %s", status, b)
		}
		f.tokens["fresh"] = tok.Token
		if status, _, _ := f.do(t, "GET", "/api/v1/audit/verify", "fresh", ""); status != 200 {
			t.Fatalf("fresh token refused: %d", status)
		}
		if status, _, _ := f.do(t, "DELETE", "/api/v1/tokens/"+itoa(tok.ID), custos.RoleAdmin, ""); status != 204 {
			t.Fatalf("revoke %d", status)
		}
		status, _, b = f.do(t, "GET", "/api/v1/audit/verify", "fresh", "")
		if status != 401 || errorCode(t, b) != "token_revoked" {
			t.Fatalf("revoked token: %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/audit/verify", custos.RoleAuditor, "")
		var rep struct {
			OK      bool  `json:"ok"`
			Entries int64 `json:"entries"`
		}
		// the cutover to keyed entries + policy publish + 5 role tokens + create + revoke
		if status != 200 || json.Unmarshal(b, &rep) != nil || !rep.OK || rep.Entries != 9 {
			t.Fatalf("verify %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/audit?after=6&limit=5", custos.RolePrivacyOfficer, "")
		if status != 200 || !strings.Contains(string(b), `"action":"token.create"`) || !strings.Contains(string(b), `"action":"token.revoke"`) ||
			strings.Contains(string(b), `"seq":6`) {
			t.Fatalf("audit %d %s", status, b)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
