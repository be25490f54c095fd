package api_test

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestComplaintInConsole: a UK complaint (DPA 2018 s. 164A) is answered
// from the console. The officer sees the person's words, decrypted for
// them and the read audited; an agent sees the request but not the text;
// approving without an answer is refused with the officer's page kept;
// the answer goes to the person's result, a mail tells them, and the
// history records it. The API gives the text to the same roles.
func TestComplaintInConsole(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		const words = "You kept mailing me <after> I unsubscribed."
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"complaint","email":"ann@example.com","jurisdiction":"GB","details":"`+words+`"}`)
		var sub struct{ ID string }
		if status != 202 || json.Unmarshal(b, &sub) != nil {
			t.Fatalf("intake %d %s", status, b)
		}
		id := sub.ID
		status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/verify", "", `{"code":"`+f.codeFor(t, "ann@example.com")+`"}`)
		var ver struct {
			AccessToken string `json:"access_token"`
		}
		if status != 200 || json.Unmarshal(b, &ver) != nil {
			t.Fatalf("verify %d %s", status, b)
		}

		// The API: the text for officers, not for agents; not for another type.
		if status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/complaint", custos.RolePrivacyOfficer, ""); status != 200 ||
			!strings.Contains(string(b), "I unsubscribed") {
			t.Fatalf("officer reads %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/complaint", custos.RoleAgent, ""); status != 403 {
			t.Fatalf("agent reads: %d", status)
		}
		other := f.pendingRequest(t, "access", "bo@example.com", "GB")
		if status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+other+"/complaint", custos.RolePrivacyOfficer, ""); status != 409 || errorCode(t, b) != "not_a_complaint" {
			t.Fatalf("an access request's text: %d %s", status, b)
		}

		officer := f.console(t).signIn(custos.RolePrivacyOfficer)
		agent := f.console(t).signIn(custos.RoleAgent)
		_, page := officer.get("/admin/requests/" + id)
		if !strings.Contains(page, "data-custos-complaint>"+html.EscapeString(words)+"</blockquote>") || !strings.Contains(page, `name="decision"`) {
			t.Fatalf("officer's page:\n%s", mainOf(page))
		}
		if _, page := agent.get("/admin/requests/" + id); strings.Contains(page, "I unsubscribed") || !strings.Contains(page, "A privacy officer reads the complaint") {
			t.Fatalf("agent's page:\n%s", mainOf(page))
		}
		// Reads are audited, by whom: the API's and the console's.
		_, _, audit := f.do(t, "GET", "/api/v1/audit?limit=200", custos.RoleAdmin, "")
		if n := strings.Count(string(audit), `"request.details_read"`); n != 2 {
			t.Fatalf("%d audited reads of the text in %.3000s", n, audit)
		}

		if status, page := officer.post("/admin/requests/"+id+"/approve", url.Values{"decision": {"  "}}); status != 400 || !strings.Contains(page, `role="alert"`) {
			t.Fatalf("approve without an answer: %d\n%s", status, mainOf(page))
		}
		const answer = "We removed your address from every marketing list on 1 March."
		if status, page := officer.post("/admin/requests/"+id+"/approve", url.Values{"decision": {answer}}); status != 200 || !strings.Contains(page, "Approved.") {
			t.Fatalf("answer: %d\n%s", status, mainOf(page))
		}
		r := f.lawRequest(t, id)
		if r.Status != "completed" || countAction(r.History, "approved") != 1 {
			t.Fatalf("answered complaint %+v", r)
		}
		_, _, view := f.do(t, "GET", "/api/v1/privacy-requests/"+id, custos.RolePrivacyOfficer, "")
		if !strings.Contains(string(view), "removed your address") {
			t.Fatalf("the answer is not on the request: %s", view)
		}
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/result?token="+ver.AccessToken, "", "")
		if status != 200 || !strings.Contains(string(b), "removed your address from every marketing list") {
			t.Fatalf("result %d %s", status, b)
		}
		mails := f.mailsTo(t, "ann@example.com")
		if last := mails[len(mails)-1]; !strings.Contains(last, id) || !strings.Contains(last, "privacy-center?request="+id) {
			t.Fatalf("completion mail:\n%s", last)
		}
	})
}
