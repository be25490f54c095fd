package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestProcessorRecordAPI: events in the bundled policy's Customer Content
// categories need their controller; with one they feed the Article 30(2)
// record, in JSON and CSV, and not the company's own statements.
func TestProcessorRecordAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest,
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.content","purpose":"essential.service","value":"ticket 9"}`)
		if status != 422 || errorCode(t, b) != "controller_required" {
			t.Fatalf("without a controller: %d %s", status, b)
		}
		evs := `{"events":[` +
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.contact.email","source":"online_channels","purpose":"essential.service","occurred_at":"2026-05-10T10:00:00Z"},` +
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.content","purpose":"essential.service","controller":"customers","value":"ticket 9","occurred_at":"2026-05-10T10:00:00Z"},` +
			`{"kind":"collection","subject":{"email":"bob@example.com"},"category":"user.authorization","purpose":"essential.service.security","controller":"customers","occurred_at":"2026-05-10T10:00:00Z"}]}`
		if status, _, b := f.do(t, "POST", "/api/v1/events:batch", custos.RoleIngest, evs); status != 200 {
			t.Fatalf("seed %d %s", status, b)
		}
		for _, path := range []string{"/api/v1/reports/ccpa", "/api/v1/reports/ropa"} {
			status, _, b := f.do(t, "GET", path, custos.RoleAuditor, "")
			if status != 200 || !strings.Contains(string(b), `"user.contact.email"`) || strings.Contains(string(b), `"user.content"`) || strings.Contains(string(b), `"user.authorization"`) {
				t.Fatalf("%s %d: want the company's own data only: %.500s", path, status, b)
			}
		}
		status, _, b = f.do(t, "GET", "/api/v1/reports/ropa?role=processor", custos.RoleAuditor, "")
		var rec struct {
			Role       string `json:"role"`
			Activities []struct {
				Processor  struct{ Name string } `json:"processor"`
				Controller struct {
					Key string `json:"key"`
					How string `json:"how"`
				} `json:"controller"`
				Processing []struct{ Key string } `json:"categories_of_processing"`
				Recorded   []struct {
					Key    string `json:"key"`
					Events int    `json:"events"`
				} `json:"categories_recorded"`
				Transfers []string `json:"transfers"`
				Security  []string `json:"security_measures"`
				Events    int      `json:"events"`
			} `json:"activities"`
		}
		if status != 200 || json.Unmarshal(b, &rec) != nil || rec.Role != "processor" || len(rec.Activities) != 1 {
			t.Fatalf("processor record %d %s", status, b)
		}
		a := rec.Activities[0]
		if a.Controller.Key != "customers" || a.Controller.How == "" || a.Processor.Name != "IMAJine Legal Solutions, Inc." || a.Events != 2 ||
			len(a.Recorded) != 2 || a.Recorded[0].Key != "user.authorization" || a.Recorded[1].Key != "user.content" ||
			len(a.Processing) != 2 || len(a.Transfers) != 1 || len(a.Security) == 0 {
			t.Fatalf("processor record %s", b)
		}
		status, h, b := f.do(t, "GET", "/api/v1/reports/ropa?role=processor&format=csv", custos.RoleAuditor, "")
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || err != nil || len(rows) != 2 || rows[0][0] != "controller" || rows[1][0] != "customers" {
			t.Fatalf("processor csv %d %v %q", status, err, b)
		}
		if status, _, b := f.do(t, "GET", "/api/v1/reports/ropa?role=owner", custos.RoleAuditor, ""); status != 400 || errorCode(t, b) != "invalid_request" {
			t.Fatalf("unknown role %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/reports/ropa?role=processor", custos.RoleAgent, ""); status != 403 {
			t.Fatalf("agent reads the processor record: %d", status)
		}
	})
}

// TestControllerInstructionConsoleAndAPI: an access request reaching
// Customer Content is routed to the customers controller; the officer acts
// on its instruction from the console once, the API refuses a second, and
// the audit log records it.
func TestControllerInstructionConsoleAndAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		for _, body := range []string{
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.contact.email","source":"online_channels","purpose":"essential.service","value":"ana@example.com"}`,
			`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.content","purpose":"essential.service","controller":"customers","value":"ticket 9"}`,
		} {
			if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, body); status != 201 {
				t.Fatalf("event %d %s", status, b)
			}
		}
		id := f.pendingRequest(t, "access", "ana@example.com", "GB")
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RolePrivacyOfficer, "{}"); status != 200 {
			t.Fatalf("approve %d %s", status, b)
		}
		officer := f.console(t).signIn(custos.RolePrivacyOfficer)
		agent := f.console(t).signIn(custos.RoleAgent)
		_, page := officer.get("/admin/requests/" + id)
		if !strings.Contains(page, `data-custos-controller="customers"`) || !strings.Contains(page, "controller_notice_due") {
			t.Fatalf("the request page offers no instruction for customers: %.3000s", mainOf(page))
		}
		agent.get("/admin/requests/" + id)
		if status, _ := agent.post("/admin/requests/"+id+"/controller-instruction", url.Values{"controller": {"customers"}, "action": {"erase"}}); status != 403 {
			t.Fatalf("an agent acted on an instruction: %d", status)
		}
		status, page := officer.post("/admin/requests/"+id+"/controller-instruction", url.Values{"controller": {"customers"}, "action": {"erase"}})
		if status != 200 || !strings.Contains(page, "The controller&#39;s instruction is recorded") || strings.Contains(page, `data-custos-controller="customers"`) ||
			!strings.Contains(page, "customers: erase: 1 records erased in Custos") {
			t.Fatalf("instruction from the console: %d %.3000s", status, mainOf(page))
		}
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/controller-instruction", custos.RoleAdmin, `{"controller":"customers","action":"leave"}`)
		if status != 409 || errorCode(t, b) != "instruction_recorded" {
			t.Fatalf("a second instruction: %d %s", status, b)
		}
		status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/controller-instruction", custos.RoleAdmin, `{"controller":"customers","action":"shred"}`)
		if status != 400 || errorCode(t, b) != "invalid_request" {
			t.Fatalf("an unknown action: %d %s", status, b)
		}
		auditor := f.console(t).signIn(custos.RoleAuditor)
		if _, page := auditor.get("/admin/audit"); !strings.Contains(page, "request.controller_instruction") || !strings.Contains(page, "subject.erase_for") {
			t.Fatalf("the audit log does not record the instruction: %.2000s", mainOf(page))
		}
		// The yearly metrics count the request, and say apart that it was
		// routed to the controller.
		req, err := s.Request(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if _, page := auditor.get("/admin/reports?year=" + strconv.Itoa(req.ReceivedAt.Year())); !strings.Contains(page, "data-custos-routed") ||
			!strings.Contains(page, "<code>customers</code></th><td>1</td>") {
			t.Fatalf("the reports page does not show the routed request apart: %.4000s", mainOf(page))
		}
		// Ana's own data stays: the controller's instruction reached only its data.
		if status, _, b := f.do(t, "GET", "/api/v1/subjects?email=ana@example.com", custos.RolePrivacyOfficer, ""); status != 200 ||
			!strings.Contains(string(b), "user.contact.email") || strings.Contains(string(b), `"user.content"`) {
			t.Fatalf("subject after the instruction: %d %s", status, b)
		}
	})
}
