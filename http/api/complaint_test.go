package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// A complaint to the controller under DPA 2018 s. 164A: lodged with a
// details text, verified, acknowledged by mail within the 30 days of
// s. 164A(3), reviewed in the queue, answered with a decision that names
// the ICO route (s. 165).
func TestUKComplaint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		// A complaint without details, or details on another type, is refused.
		for _, body := range []string{
			`{"type":"complaint","email":"ann@example.com","jurisdiction":"GB"}`,
			`{"type":"access","email":"ann@example.com","jurisdiction":"GB","details":"x"}`,
		} {
			if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", body); status != 400 || errorCode(t, b) != "invalid_request" {
				t.Errorf("%s: %d %s", body, status, b)
			}
		}
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"complaint","email":"ann@example.com","jurisdiction":"GB","details":"You kept mailing me after I unsubscribed."}`)
		var sub struct{ ID string }
		if status != 202 || json.Unmarshal(b, &sub) != nil {
			t.Fatalf("intake %d %s", status, b)
		}
		id := sub.ID
		status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/verify", "", `{"code":"`+f.codeFor(t, "ann@example.com")+`"}`)
		var ver struct {
			AccessToken string `json:"access_token"`
		}
		if status != 200 || json.Unmarshal(b, &ver) != nil || ver.AccessToken == "" {
			t.Fatalf("verify %d %s", status, b)
		}
		r := f.lawRequest(t, id)
		if r.Status != "pending_review" || r.Law != "UK GDPR" || !r.DueAt.Equal(r.ReceivedAt.AddDate(0, 0, 30)) ||
			!strings.Contains(r.LawRules.Regulator, "Information Commissioner") {
			t.Fatalf("complaint %+v", r)
		}
		mails := f.mailsTo(t, "ann@example.com")
		ack := mails[len(mails)-1]
		if !strings.Contains(ack, "your complaint about how we process your personal information") || !strings.Contains(ack, id) {
			t.Fatalf("acknowledgment:\n%s", ack)
		}
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests?status=pending_review", custos.RolePrivacyOfficer, "")
		if status != 200 || !strings.Contains(string(b), id) {
			t.Fatalf("queue %d %s", status, b)
		}
		// The details are sealed: the queue listing does not carry them.
		if strings.Contains(string(b), "unsubscribed") {
			t.Errorf("queue leaks the complaint text: %s", b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RolePrivacyOfficer, `{}`); status != 400 || errorCode(t, b) != "invalid_request" {
			t.Fatalf("approve without decision %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RolePrivacyOfficer,
			`{"decision":"We removed your address from every marketing list on 1 March."}`); status != 200 {
			t.Fatalf("answer %d %s", status, b)
		}
		if got := f.lawRequest(t, id); got.Status != "completed" {
			t.Fatalf("answered complaint %+v", got)
		}
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/result?token="+ver.AccessToken, "", "")
		if status != 200 || !strings.Contains(string(b), "removed your address from every marketing list") ||
			!strings.Contains(string(b), "Information Commissioner") || !strings.Contains(string(b), "s. 165") {
			t.Fatalf("answer %d %s", status, b)
		}
	})
}
