package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`)

// console is a browser on the admin console: cookies kept, redirects
// followed, the CSRF token of the last page remembered for the next form.
type console struct {
	t    *testing.T
	f    *fixture
	c    *http.Client
	csrf string
}

func (f *fixture) console(t *testing.T) *console {
	jar, _ := cookiejar.New(nil)
	return &console{t: t, f: f, c: &http.Client{Jar: jar}}
}

func (b *console) read(resp *http.Response, err error) (int, string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if m := csrfField.FindStringSubmatch(page); m != nil {
		b.csrf = m[1]
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			b.t.Errorf("%s: CSP %q", resp.Request.URL.Path, csp)
		}
		if strings.Contains(strings.ToLower(page), "<script") {
			b.t.Errorf("%s: the page has a script", resp.Request.URL.Path)
		}
	}
	return resp.StatusCode, page
}

func (b *console) get(path string) (int, string) {
	b.t.Helper()
	return b.read(b.c.Get(b.f.url + path))
}

// post sends a form with the CSRF token of the last page.
func (b *console) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf)
	return b.read(b.c.PostForm(b.f.url+path, form))
}

// forge sends a form without a CSRF token, as another site would.
func (b *console) forge(path string, form url.Values) (int, string) {
	b.t.Helper()
	return b.read(b.c.PostForm(b.f.url+path, form))
}

func (b *console) signIn(role custos.Role) *console {
	b.t.Helper()
	if _, page := b.get("/admin"); !strings.Contains(page, `name="token"`) {
		b.t.Fatalf("no sign-in form: %.300s", page)
	}
	if status, page := b.post("/admin/sign-in", url.Values{"token": {b.f.tokens[role]}}); status != 200 {
		b.t.Fatalf("sign-in as %s: %d %s", role, status, mainOf(page))
	}
	return b
}

// main is the part of a page worth printing when a check fails.
func mainOf(page string) string {
	if i := strings.Index(page, "<main>"); i >= 0 {
		return page[i:]
	}
	return page
}

// pendingRequest makes and verifies a request, leaving it pending review.
func (f *fixture) pendingRequest(t *testing.T, kind, email, jurisdiction string) string {
	t.Helper()
	status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"`+kind+`","email":"`+email+`","jurisdiction":"`+jurisdiction+`"}`)
	var r struct{ ID string }
	if status != 202 || json.Unmarshal(b, &r) != nil {
		t.Fatalf("intake %d %s", status, b)
	}
	if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+r.ID+"/verify", "", `{"code":"`+f.codeFor(t, email)+`"}`); status != 200 ||
		!strings.Contains(string(b), `"status":"pending_review"`) {
		t.Fatalf("verify %d %s", status, b)
	}
	return r.ID
}

func TestAdminConsole(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		for _, body := range []string{
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.contact.email","source":"online_channels","purpose":"essential.service","value":"ana@example.com"}`,
		} {
			if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, body); status != 201 {
				t.Fatalf("event %d %s", status, b)
			}
		}
		for _, granted := range []string{"true", "false"} {
			if status, _, b := f.do(t, "POST", "/api/v1/consents", custos.RoleIngest, `{"subject":{"email":"ana@example.com"},
				"purpose":"marketing.communications.email","granted":`+granted+`,"jurisdiction":"US-CA","method":"web_form","gpc":false}`); status != 201 {
				t.Fatalf("consent %d %s", status, b)
			}
		}
		access := f.pendingRequest(t, "access", "ana@example.com", "US-CA")
		deletion := f.pendingRequest(t, "deletion", "bea@example.com", "US-CA")
		gdpr := f.pendingRequest(t, "deletion", "cal@example.com", "GB")

		officer := f.console(t).signIn(custos.RolePrivacyOfficer)
		agent := f.console(t).signIn(custos.RoleAgent)
		auditor := f.console(t).signIn(custos.RoleAuditor)

		// Pages by role, as the JSON API admits them.
		pages := []struct {
			name   string
			b      *console
			path   string
			status int
			want   []string
			not    []string
		}{
			{"queue", officer, "/admin", 200, []string{`<nav class="console"`, `data-custos-request="` + access + `"`,
				`href="/admin/requests/` + deletion + `"`, `aria-current="page"`, ">Pending review</td>", ">Deletion</td>"}, []string{">pending_review<"}},
			{"queue by type", officer, "/admin?type=access", 200, []string{`data-custos-request="` + access + `"`},
				[]string{`data-custos-request="` + deletion + `"`}},
			{"queue by status", agent, "/admin?status=completed", 200, []string{"No requests."}, nil},
			{"queue, unknown type", officer, "/admin?type=gossip", 400, []string{`role="alert"`}, nil},
			{"queue, unknown status", officer, "/admin?status=lost", 400, []string{`role="alert"`}, nil},
			{"request", officer, "/admin/requests/" + access, 200, []string{"CCPA", "Identity verification",
				"the person entered the code mailed to the address", `data-custos-history`, `action="/admin/requests/` + access + `/approve"`,
				`name="reason_code"`, `value="exempt"`, `action="/admin/requests/` + access + `/extend"`, "No connected systems are configured"}, nil},
			{"request, agent", agent, "/admin/requests/" + access, 200, []string{"A privacy officer decides"}, []string{"/approve", `name="reason_code"`}},
			{"request, unknown", officer, "/admin/requests/req_nothing", 404, []string{`role="alert"`, "There is no request req_nothing."}, nil},
			{"request, auditor", auditor, "/admin/requests/" + access, 403, []string{`role="alert"`}, nil},
			{"data map", officer, "/admin/data-map", 200, []string{`data-custos-category="user.contact.email"`, `data-custos-purpose="essential.service"`,
				"Third-party marketers"}, nil},
			{"data map, agent", agent, "/admin/data-map", 403, []string{`role="alert"`}, nil},
			{"consents", auditor, "/admin/consents", 200, []string{
				`data-custos-scope="marketing.communications.email"`, `<td data-custos-granted>1</td><td data-custos-withdrawn>1</td>`,
				`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"`}, nil},
			{"consents, all time", officer, "/admin/consents?period=all", 200, []string{`<td data-custos-granted>1</td>`}, nil},
			{"audit", auditor, "/admin/audit", 200, []string{`data-custos-audit="verified"`, "<td>The person</td>",
				// Actions and objects in words, each raw key beside it for an officer who searches.
				`<td>Request verified<br><code class="key">request.verified</code></td>`, `<code class="key">token.create</code>`,
				`<td title="request:` + access + `">Request ` + access + `<br><code class="key">request:` + access + `</code></td>`},
				[]string{"<td>subject", "<td>request:", "<td>request.verified</td>"}},
			{"audit, older page", auditor, "/admin/audit?before=3", 200, []string{"Entries 1 to 2 of", "Newer entries"}, []string{"Older entries"}},
			{"audit, bad page", auditor, "/admin/audit?before=x", 400, []string{`role="alert"`}, nil},
			{"audit, agent", agent, "/admin/audit", 403, nil, nil},
			{"reports", auditor, "/admin/reports?year=2026", 200, []string{`role="img"`, `<title id="requests-by-month-title">`,
				`<title id="days-to-respond-title">`, `<title id="consents-by-month-title">`, `data-custos-metrics`,
				`<th scope="row">access</th><td>1</td>`, `class="chart-data"`}, nil},
			{"reports, bad year", officer, "/admin/reports?year=12", 400, []string{`role="alert"`}, nil},
			{"reports, agent", agent, "/admin/reports", 403, nil, nil},
			{"auditor's home is the reports", auditor, "/admin", 200, []string{`<title id="requests-by-month-title">`}, []string{"data-custos-request"}},
		}
		for _, p := range pages {
			status, page := p.b.get(p.path)
			if status != p.status {
				t.Errorf("%s: status %d, want %d: %.600s", p.name, status, p.status, mainOf(page))
				continue
			}
			for _, w := range p.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s: no %s in %.2000s", p.name, w, mainOf(page))
				}
			}
			for _, n := range p.not {
				if strings.Contains(page, n) {
					t.Errorf("%s: %s should not be there", p.name, n)
				}
			}
		}

		// The decisions, through the forms.
		officer.get("/admin/requests/" + access)
		actions := []struct {
			name   string
			b      *console
			forged bool
			path   string
			form   url.Values
			status int
			want   []string
		}{
			{"approve without CSRF", officer, true, "/admin/requests/" + access + "/approve", nil, 403, []string{`role="alert"`}},
			{"agent approving", agent, false, "/admin/requests/" + access + "/approve", nil, 403, []string{`role="alert"`}},
			{"auditor denying", auditor, false, "/admin/requests/" + deletion + "/deny", url.Values{"reason_code": {"exempt"}, "reason": {"An exemption applies here."}}, 403, nil},
			{"approve", officer, false, "/admin/requests/" + access + "/approve", nil, 200, []string{`role="status"`, "Approved.",
				`data-custos-status="completed"`, "data-custos-result", "sealed for them", "data-custos-outcome"}},
			{"approve twice", officer, false, "/admin/requests/" + access + "/approve", nil, 409, []string{`role="alert"`, "Only a request pending review"}},
			{"deny with too short a reason", officer, false, "/admin/requests/" + deletion + "/deny", url.Values{"reason_code": {"exempt"}, "reason": {"No."}}, 400,
				[]string{`role="alert"`, `<option value="exempt" selected>`, ">No.</textarea>"}},
			{"deny with an unknown code", officer, false, "/admin/requests/" + deletion + "/deny", url.Values{"reason_code": {"bored"}, "reason": {"Not today, thank you."}}, 400,
				[]string{`role="alert"`}},
			{"deny", officer, false, "/admin/requests/" + deletion + "/deny", url.Values{"reason_code": {"exempt"}, "reason": {"The records are needed to complete a transaction you asked for."}}, 200,
				[]string{"Denied.", `data-custos-status="denied"`, `<span data-custos-decision="exempt" title="exempt">An exemption in the law applies</span> by privacy_officer (privacy_officer):`, "needed to complete a transaction"}},
			{"extend without a reason", officer, false, "/admin/requests/" + gdpr + "/extend", url.Values{"reason": {""}}, 400, []string{`role="alert"`}},
			{"extend", officer, false, "/admin/requests/" + gdpr + "/extend", url.Values{"reason": {"We must search archived systems for your data."}}, 200,
				[]string{"Deadline extended.", "data-custos-extended", "extended"}},
			{"extend twice", officer, false, "/admin/requests/" + gdpr + "/extend", url.Values{"reason": {"Still searching the archives."}}, 409, []string{`role="alert"`}},
		}
		for _, a := range actions {
			var status int
			var page string
			if a.forged {
				status, page = a.b.forge(a.path, a.form)
			} else {
				if a.b.csrf == "" {
					a.b.get("/admin")
				}
				status, page = a.b.post(a.path, a.form)
			}
			if status != a.status {
				t.Errorf("%s: status %d, want %d: %.600s", a.name, status, a.status, mainOf(page))
				continue
			}
			for _, w := range a.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s: no %s in %.3000s", a.name, w, mainOf(page))
				}
			}
		}
		// The API sees what the forms did.
		for id, want := range map[string]string{access: `"status":"completed"`, deletion: `"status":"denied"`, gdpr: `"extended_until"`} {
			if _, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id, custos.RoleAgent, ""); !strings.Contains(string(b), want) {
				t.Errorf("%s: no %s in %s", id, want, b)
			}
		}
		// The audit log names the officer's token for each decision.
		if _, page := auditor.get("/admin/audit"); !strings.Contains(page, "request.approved") || !strings.Contains(page, "request.denied") ||
			!strings.Contains(page, "request.extended") || !strings.Contains(page, `data-custos-audit="verified"`) ||
			!strings.Contains(page, `<p class="decision" data-custos-decision="exempt" title="exempt">Decision: An exemption in the law applies</p>`) {
			t.Errorf("audit after decisions: %.2000s", mainOf(page))
		}

		// Signing out ends the session in this browser.
		if status, page := officer.post("/admin/sign-out", nil); status != 200 || !strings.Contains(page, "You are signed out.") || !strings.Contains(page, `name="token"`) {
			t.Fatalf("sign-out: %d %.500s", status, mainOf(page))
		}
		if status, page := officer.get("/admin/reports"); status != 401 || !strings.Contains(page, `name="token"`) {
			t.Fatalf("after sign-out: %d", status)
		}
	})
}

func TestAdminConsoleSignInReturnsToThePage(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	b := f.console(t)
	status, page := b.get("/admin/data-map")
	if status != 401 || !strings.Contains(page, `name="next" value="/admin/data-map"`) {
		t.Fatalf("signed out: %d %.500s", status, mainOf(page))
	}
	status, page = b.post("/admin/sign-in", url.Values{"token": {f.tokens[custos.RoleAdmin]}, "next": {"/admin/data-map"}})
	if status != 200 || !strings.Contains(page, `data-custos-data-map`) {
		t.Fatalf("after sign-in: %d %.500s", status, mainOf(page))
	}
	// Elsewhere is not a destination.
	for _, next := range []string{"https://evil.example/admin", "//evil.example/admin", "/admin\\@evil.example"} {
		b := f.console(t)
		b.get("/admin")
		resp, err := (&http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).
			PostForm(f.url+"/admin/sign-in", url.Values{"csrf": {b.csrf}, "token": {f.tokens[custos.RoleAdmin]}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/admin" {
			t.Errorf("next %q: %d to %q", next, resp.StatusCode, loc)
		}
	}
	// Admins may do everything the console offers.
	if status, page := b.get("/admin"); status != 200 || !strings.Contains(page, `href="/admin/audit"`) || !strings.Contains(page, `href="/admin/reports"`) {
		t.Fatalf("admin's navigation: %d %.800s", status, page)
	}
}
