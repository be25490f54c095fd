package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// strongerPolicy is the bundled policy with the stronger identity check of
// 11 CCR §7062(c) turned on for California access and deletion requests.
func strongerPolicy(t *testing.T) string {
	t.Helper()
	src := strings.Replace(string(policy.Bundled()), `last_updated: "2020-10-29"`, `last_updated: "2026-06-02"`, 1)
	const at = "  metrics_scope: all_individuals\n"
	if !strings.Contains(src, at) {
		t.Fatal("the bundled policy has no metrics_scope line to add the check after")
	}
	return strings.Replace(src, at, at+`  stronger_verification:
    requests: [access, deletion]
    jurisdictions: [US-CA]
    categories: [user.name, user.contact.phone_number, user.contact.address]
    data_points: 3
`, 1)
}

type verifyAnswer struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Type          string `json:"type"`
	AccessToken   string `json:"access_token"`
	IdentityFail  bool   `json:"identity_failed"`
	IdentityCheck *struct {
		Categories   []string `json:"categories"`
		DataPoints   int      `json:"data_points"`
		Declaration  string   `json:"declaration"`
		AttemptsLeft int      `json:"attempts_left"`
	} `json:"identity_check"`
}

// submitCode makes a request and enters its code, returning the answer.
func (f *fixture) submitCode(t *testing.T, body, email string) verifyAnswer {
	t.Helper()
	status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", body)
	var r struct{ ID string }
	if status != 202 || json.Unmarshal(b, &r) != nil {
		t.Fatalf("intake %d %s", status, b)
	}
	status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+r.ID+"/verify", "", `{"code":"`+f.codeFor(t, email)+`"}`)
	var v verifyAnswer
	if status != 200 || json.Unmarshal(b, &v) != nil {
		t.Fatalf("verify %d %s", status, b)
	}
	return v
}

func identityBody(token string, points map[string]string, declared bool, name string) string {
	b, _ := json.Marshal(map[string]any{"token": token, "data_points": points, "declaration": declared, "signed_name": name})
	return string(b)
}

// With the stronger check on, a Californian's access request needs three
// matching data points and a signed declaration after the mailed code; the
// values never appear in the request's history; failing five times turns a
// request for specific pieces into one for categories (11 CCR §7024(a))
// and denies a deletion as unverifiable, each told by mail; a Virginian's
// request is not checked.
func TestStrongerIdentityCheck(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		body, _ := json.Marshal(map[string]any{"manifest": strongerPolicy(t), "effective_at": f.clock.T.Format(time.RFC3339)})
		if status, _, b := f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(body)); status != 201 {
			t.Fatalf("publish %d %s", status, b)
		}
		for _, ev := range []string{
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.name","source":"online_channels","purpose":"essential.service","value":"Ana Lima"}`,
			`{"kind":"collection","subject":{"email":"ana@example.com","phone":"+1 415 555 0100"},"category":"user.contact.phone_number","source":"online_channels","purpose":"essential.service","value":"+1 415 555 0100"}`,
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.contact.address","source":"online_channels","purpose":"essential.service","value":"1 Market St, San Francisco"}`,
			`{"kind":"collection","subject":{"email":"carl@example.com"},"category":"user.name","source":"online_channels","purpose":"essential.service","value":"Carl Diaz"}`,
		} {
			if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, ev); status != 201 {
				t.Fatalf("event %d %s", status, b)
			}
		}

		v := f.submitCode(t, `{"type":"access","email":"ana@example.com","jurisdiction":"US-CA"}`, "ana@example.com")
		if v.Status != "awaiting_verification" || v.AccessToken == "" || v.IdentityCheck == nil || v.IdentityCheck.DataPoints != 3 ||
			len(v.IdentityCheck.Categories) != 3 || !strings.Contains(v.IdentityCheck.Declaration, "penalty of perjury") || v.IdentityCheck.AttemptsLeft != 5 {
			t.Fatalf("verify answer %+v", v)
		}
		id, tok := v.ID, v.AccessToken
		path := "/api/v1/privacy-requests/" + id + "/identity"
		// The code opens nothing twice; the status tells the person what is asked.
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/verify", "", `{"code":"000000"}`); status != 409 || errorCode(t, b) != "already_verified" {
			t.Fatalf("second code %d %s", status, b)
		}
		if status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id+"?token="+tok, "", ""); status != 200 || !strings.Contains(string(b), `"identity_check"`) {
			t.Fatalf("status %d %s", status, b)
		}
		// The officer's console says where the request stands.
		if _, page := f.console(t).signIn(custos.RolePrivacyOfficer).get("/admin/requests/" + id); !strings.Contains(page, "stronger identity check") {
			t.Fatalf("console:\n%s", mainOf(page))
		}
		right := map[string]string{"user.name": "ana lima", "user.contact.phone_number": "(415) 555-0100", "user.contact.address": "1 Market St., San Francisco"}
		wrong := map[string]string{"user.name": "Ana Lima", "user.contact.phone_number": "+1 415 555 0199", "user.contact.address": "2 Main St"}
		cases := []struct {
			name, body string
			status     int
			code       string
		}{
			{"a stranger's token", identityBody(strings.Repeat("0", 64), right, true, "Ana Lima"), 404, "not_found"},
			{"no declaration", identityBody(tok, right, false, "Ana Lima"), 400, "invalid_request"},
			{"not signed", identityBody(tok, right, true, " "), 400, "invalid_request"},
			{"too few given", identityBody(tok, map[string]string{"user.name": "Ana Lima"}, true, "Ana Lima"), 400, "invalid_request"},
			{"a detail not asked for", identityBody(tok, map[string]string{"user.name": "Ana Lima", "user.job_title": "x", "user.contact.address": "y"}, true, "Ana Lima"), 400, "invalid_request"},
			{"too long", identityBody(tok, map[string]string{"user.name": strings.Repeat("a", 201), "user.contact.phone_number": "1", "user.contact.address": "y"}, true, "Ana Lima"), 400, "invalid_request"},
			{"one of three matches", identityBody(tok, wrong, true, "Ana Lima"), 400, "identity_not_verified"},
		}
		for _, c := range cases {
			if status, _, b := f.do(t, "POST", path, "", c.body); status != c.status || errorCode(t, b) != c.code {
				t.Fatalf("%s: %d %s", c.name, status, b)
			}
		}
		status, _, b := f.do(t, "POST", path, "", identityBody(tok, right, true, "Ana Lima"))
		if status != 200 || !strings.Contains(string(b), `"status":"pending_review"`) || !strings.Contains(string(b), `"type":"access"`) {
			t.Fatalf("right details %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", path, "", identityBody(tok, right, true, "Ana Lima")); status != 409 {
			t.Fatalf("again %d %s", status, b)
		}
		r := f.lawRequest(t, id)
		if countAction(r.History, "identity_check_failed") != 1 || countAction(r.History, "identity_verified") != 1 || countAction(r.History, "code_verified") != 1 {
			t.Fatalf("history %+v", r.History)
		}
		_, _, raw := f.do(t, "GET", "/api/v1/privacy-requests/"+id, custos.RoleAgent, "")
		_, _, audit := f.do(t, "GET", "/api/v1/audit?limit=200", custos.RoleAdmin, "")
		if !strings.Contains(string(audit), "subject.match") {
			t.Fatalf("no audited match in %.2000s", audit)
		}
		for _, secret := range []string{"Market", "ana lima", "Ana Lima", "+14155550100", "415 555"} {
			if strings.Contains(string(raw), secret) || strings.Contains(string(audit), secret) {
				t.Fatalf("%q shows in the request or the audit log", secret)
			}
		}

		// Five failures: a request for specific pieces is answered as one
		// for categories, and the person is told why.
		v = f.submitCode(t, `{"type":"access","email":"carl@example.com","jurisdiction":"US-CA"}`, "carl@example.com")
		for i := 1; i <= 5; i++ {
			status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+v.ID+"/identity", "", identityBody(v.AccessToken, wrong, true, "Carl Diaz"))
			if i < 5 && (status != 400 || errorCode(t, b) != "identity_not_verified") {
				t.Fatalf("attempt %d: %d %s", i, status, b)
			}
			if i == 5 && (status != 200 || !strings.Contains(string(b), `"type":"categories"`) || !strings.Contains(string(b), `"identity_failed":true`) ||
				!strings.Contains(string(b), `"status":"pending_review"`)) {
				t.Fatalf("last attempt: %d %s", status, b)
			}
		}
		carl := f.lawRequest(t, v.ID)
		if countAction(carl.History, "identity_not_verified") != 1 || countAction(carl.History, "identity_check_failed") != 5 {
			t.Fatalf("history %+v", carl.History)
		}
		if m := strings.Join(f.mailsTo(t, "carl@example.com"), "\n"); !strings.Contains(m, "could not verify your identity") {
			t.Fatalf("carl's mail:\n%s", m)
		}

		// A deletion whose check fails is denied as unverifiable; an
		// address Custos holds nothing for fails like wrong details.
		v = f.submitCode(t, `{"type":"deletion","email":"bo@example.com","jurisdiction":"US-CA"}`, "bo@example.com")
		for i := 1; i <= 5; i++ {
			status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+v.ID+"/identity", "", identityBody(v.AccessToken, right, true, "Bo"))
			if i == 5 && (status != 200 || !strings.Contains(string(b), `"status":"denied"`)) {
				t.Fatalf("last attempt: %d %s", status, b)
			}
		}
		if status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+v.ID+"?token="+v.AccessToken, "", ""); status != 200 ||
			!strings.Contains(string(b), "could not verify your identity") {
			t.Fatalf("bo's status %d %s", status, b)
		}

		// Outside the check's jurisdictions the code is enough.
		v = f.submitCode(t, `{"type":"access","email":"val@example.com","jurisdiction":"US-VA"}`, "val@example.com")
		if v.Status != "pending_review" || v.IdentityCheck != nil {
			t.Fatalf("Virginia %+v", v)
		}
	})
}
