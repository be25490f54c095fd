package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/store/storetest"
)

// Who may call what, written out by hand from the security model rather
// than read from the route table, so a change to the table that this
// page does not also make fails the test. "public" takes no token;
// otherwise the roles that must get through (everyone else gets 403, and
// no token 401).
const (
	pub = "public"
	all = "admin privacy_officer agent auditor ingest"
)

var wantAPI = map[string]string{
	"GET /healthz":                                              pub,
	"GET /.well-known/gpc.json":                                 pub,
	"GET /.well-known/custos-receipt-key":                       pub,
	"GET /metrics":                                              "admin auditor",
	"GET /api/v1/openapi.json":                                  pub,
	"GET /api/v1/policy":                                        all,
	"GET /api/v1/policy/versions":                               all,
	"POST /api/v1/policy/versions":                              "admin",
	"POST /api/v1/policy/validate":                              "admin privacy_officer",
	"GET /api/v1/tokens":                                        "admin",
	"POST /api/v1/tokens":                                       "admin",
	"DELETE /api/v1/tokens/{id}":                                "admin",
	"GET /api/v1/audit":                                         "admin privacy_officer auditor",
	"GET /api/v1/audit/verify":                                  "admin privacy_officer auditor",
	"POST /api/v1/events":                                       "admin ingest",
	"POST /api/v1/events:batch":                                 "admin ingest",
	"GET /api/v1/contracts":                                     "admin privacy_officer auditor",
	"POST /api/v1/contracts":                                    "admin privacy_officer",
	"GET /api/v1/subjects":                                      "admin privacy_officer agent",
	"GET /api/v1/reports/ccpa":                                  "admin privacy_officer auditor",
	"GET /api/v1/reports/ropa":                                  "admin privacy_officer auditor",
	"GET /api/v1/reports/aggregate":                             "admin privacy_officer auditor",
	"GET /api/v1/reports/requests":                              "admin privacy_officer auditor",
	"GET /api/v1/reports/retention":                             "admin privacy_officer auditor",
	"POST /api/v1/consents":                                     "admin ingest",
	"GET /api/v1/consents":                                      "admin privacy_officer agent",
	"GET /api/v1/consents/receipts/{id}":                        pub,
	"POST /api/v1/decisions":                                    "admin ingest",
	"POST /api/v1/decisions:batch":                              "admin ingest",
	"POST /api/v1/unsubscribe-links":                            "admin ingest",
	"GET /unsubscribe/{token}":                                  pub,
	"POST /unsubscribe/{token}":                                 pub,
	"POST /api/v1/privacy-requests":                             pub,
	"POST /api/v1/privacy-requests/{id}/verify":                 pub,
	"POST /api/v1/privacy-requests/{id}/identity":               pub,
	"GET /api/v1/privacy-requests/{id}":                         pub, // the person's ?token=; a bearer token: see below
	"GET /api/v1/privacy-requests/{id}/result":                  pub,
	"GET /api/v1/privacy-requests":                              "admin privacy_officer agent",
	"POST /api/v1/privacy-requests/on-behalf":                   "admin privacy_officer agent",
	"POST /api/v1/privacy-requests/{id}/approve":                "admin privacy_officer",
	"POST /api/v1/privacy-requests/{id}/deny":                   "admin privacy_officer",
	"POST /api/v1/privacy-requests/{id}/extend":                 "admin privacy_officer",
	"POST /api/v1/privacy-requests/{id}/controller-instruction": "admin privacy_officer",
	"GET /api/v1/privacy-requests/{id}/erasure-preview":         "admin privacy_officer",
	"GET /api/v1/privacy-requests/{id}/complaint":               "admin privacy_officer",
	"GET /api/v1/privacy-requests/{id}/tasks":                   "admin privacy_officer agent",
	"GET /api/v1/holds":                                         "admin privacy_officer auditor",
	"POST /api/v1/holds":                                        "admin privacy_officer",
	"POST /api/v1/holds/release":                                "admin privacy_officer",
	"POST /api/v1/subjects/minor":                               "admin privacy_officer",
	"POST /api/v1/subjects/of-age":                              "admin privacy_officer",
	"POST /api/v1/subjects/restriction/lift":                    "admin privacy_officer",
	"POST /api/v1/subjects/lifecycle":                           "admin privacy_officer ingest",
	"POST /api/v1/retention/sweep":                              "admin privacy_officer",
	"GET /api/v1/datasets":                                      "admin privacy_officer auditor",
	"POST /api/v1/datasets":                                     "admin",
	"GET /api/v1/connections":                                   "admin",
	"POST /api/v1/connections/{name}/test":                      "admin",
	"POST /api/v1/connector-callbacks/{task}":                   pub, // signed by the connection's secret instead
}

// The console: which roles may open each page once signed in. Roles not
// listed get 403; without a session every page but the sign-in form
// answers 401 with that form. An ingest token is refused at sign-in (403)
// and gets no session.
var wantConsole = map[string]string{
	"GET /admin":                                       "admin privacy_officer agent auditor",
	"POST /admin/sign-in":                              pub,
	"POST /admin/sign-out":                             pub,
	"GET /admin/sso":                                   pub,
	"GET /admin/sso/callback":                          pub,
	"GET /admin/requests/{id}":                         "admin privacy_officer agent",
	"POST /admin/requests/{id}/approve":                "admin privacy_officer",
	"POST /admin/requests/{id}/deny":                   "admin privacy_officer",
	"POST /admin/requests/{id}/extend":                 "admin privacy_officer",
	"POST /admin/requests/{id}/controller-instruction": "admin privacy_officer",
	"GET /admin/data-map":                              "admin privacy_officer auditor",
	"GET /admin/consents":                              "admin privacy_officer auditor",
	"GET /admin/audit":                                 "admin privacy_officer auditor",
	"GET /admin/reports":                               "admin privacy_officer auditor",
}

// fill puts harmless values in a pattern's wildcards: ids that name
// nothing, so an admitted call answers 4xx from its handler, never a
// change to the fixture's tokens.
func fill(path, requestID string) string {
	r := strings.NewReplacer("{id}", requestID, "{task}", "task_none", "{name}", "none", "{token}", "none")
	return r.Replace(path)
}

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	_, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"deletion","email":"m@example.com","jurisdiction":"GB"}`)
	m := regexp.MustCompile(`"id":"(req_[^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("intake: %s", b)
	}
	reqID := string(m[1])
	t.Run("api", func(t *testing.T) { apiMatrix(t, f, reqID) })
	t.Run("console", func(t *testing.T) { consoleMatrix(t, f, reqID) })
}

func apiMatrix(t *testing.T, f *fixture, reqID string) {

	var routes []string
	for _, r := range api.Routes() {
		routes = append(routes, r.Pattern)
		if _, ok := wantAPI[r.Pattern]; !ok {
			t.Errorf("route %s is not in the hand-written matrix: add it with the roles it must admit", r.Pattern)
		}
	}
	for p := range wantAPI {
		if !slices.Contains(routes, p) {
			t.Errorf("the matrix lists %s, which is not a route", p)
		}
	}

	for _, r := range api.Routes() {
		if want, ok := wantAPI[r.Pattern]; ok {
			checkRoute(t, f, r.Pattern, want, reqID)
		}
	}

	// The operators' view of one request: a bearer token is checked as
	// the queue is.
	for _, role := range custos.Roles() {
		status, _, _ := f.do(t, "GET", "/api/v1/privacy-requests/"+reqID, role, "")
		may := slices.Contains(strings.Fields(wantAPI["GET /api/v1/privacy-requests"]), string(role))
		if may != (status == 200) || (!may && status != 403) {
			t.Errorf("GET a request as %s: %d", role, status)
		}
	}
}

// checkRoute calls one route without a token and as every role.
func checkRoute(t *testing.T, f *fixture, pattern, want, reqID string) {
	t.Helper()
	method, path, _ := strings.Cut(pattern, " ")
	path = fill(path, reqID)
	body := ""
	if method == "POST" && !strings.Contains(pattern, "/unsubscribe/") {
		body = "{}"
	}
	for _, role := range append([]custos.Role{""}, custos.Roles()...) {
		status, _, b := f.do(t, method, path, role, body)
		code := ""
		if status == 401 || status == 403 {
			code = errorCode(t, b)
		}
		refused := code == custos.CodeUnauthorized || code == custos.CodeForbidden
		switch {
		case want == pub:
			if refused && !(pattern == "GET /api/v1/privacy-requests/{id}" && role != "") {
				t.Errorf("%s as %q: refused (%d %s), but it is public", pattern, role, status, code)
			}
		case role == "":
			if status != 401 || code != custos.CodeUnauthorized {
				t.Errorf("%s without a token: %d %s, want 401 unauthorized", pattern, status, code)
			}
		case slices.Contains(strings.Fields(want), string(role)):
			if refused {
				t.Errorf("%s as %s: %d %s, but %s may call it", pattern, role, status, code, role)
			}
		default:
			if status != 403 || code != custos.CodeForbidden {
				t.Errorf("%s as %s: %d %s, want 403 forbidden", pattern, role, status, code)
			}
		}
	}
}

func consoleMatrix(t *testing.T, f *fixture, reqID string) {
	pages := web.ConsoleRoutes(true)
	for _, p := range pages {
		if _, ok := wantConsole[p]; !ok {
			t.Errorf("console route %s is not in the hand-written matrix", p)
		}
	}
	for p := range wantConsole {
		if !slices.Contains(pages, p) {
			t.Errorf("the console matrix lists %s, which is not a route", p)
		}
	}
	for _, role := range append([]custos.Role{""}, custos.Roles()...) {
		c, csrf := consoleSession(t, f, role)
		for _, p := range pages {
			if wantConsole[p] == pub {
				continue // the sign-in forms and single sign-on: exercised by their own tests
			}
			method, path, _ := strings.Cut(p, " ")
			u := f.url + fill(path, reqID)
			var status int
			if method == "GET" {
				status, _ = read(t)(c.Get(u))
			} else {
				status, _ = read(t)(c.PostForm(u, url.Values{"csrf": {csrf}, "reason": {"matrix"}}))
			}
			switch want := consoleExpect(p, wantConsole[p], role); {
			case want == 0 && (status == 401 || status == 403):
				t.Errorf("%s as %q: %d, but it may use the page", p, role, status)
			case want != 0 && status != want:
				t.Errorf("%s as %q: %d, want %d", p, role, status, want)
			}
		}
	}
}

// consoleExpect is what a page must answer a role: an exact status, or 0
// for admitted (anything but 401 and 403).
func consoleExpect(page, want string, role custos.Role) int {
	switch {
	case role == "" || role == custos.RoleIngest: // no session: ingest is refused at sign-in
		if page == "GET /admin" {
			return 200 // the sign-in form
		}
		return 401
	case slices.Contains(strings.Fields(want), string(role)):
		return 0
	}
	return 403
}

// consoleSession signs in to the console as role ("": not at all) and
// returns the browser and its form token.
func consoleSession(t *testing.T, f *fixture, role custos.Role) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, page := read(t)(c.Get(f.url + "/admin"))
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no CSRF token on the sign-in form")
	}
	if role != "" {
		status, _ := read(t)(c.PostForm(f.url+"/admin/sign-in", url.Values{"csrf": {csrf[1]}, "token": {f.tokens[role]}}))
		want := http.StatusSeeOther
		if role == custos.RoleIngest {
			want = http.StatusForbidden
		}
		if status != want {
			t.Errorf("sign-in as %s: %d, want %d", role, status, want)
		}
	}
	return c, csrf[1]
}

// read returns a response's status and body.
func read(t *testing.T) func(*http.Response, error) (int, string) {
	return func(resp *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
}
