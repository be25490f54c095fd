package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"

	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestErasurePreviewAPI: an officer previews a deletion (counts and field
// names, no value; nothing written), approves it with the preview's
// digest, and is answered 409 plan_changed, naming the collection, when a
// dataset was imported again meanwhile; approved with the new digest, the
// run erases what the preview said.
func TestErasurePreviewAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f, id := connectedDeletion(t, s)
		req := struct{ ID string }{id}
		path := "/api/v1/privacy-requests/" + req.ID

		preview := func() connected.Preview {
			t.Helper()
			status, _, b := f.do(t, "GET", path+"/erasure-preview", custos.RolePrivacyOfficer, "")
			if status != http.StatusOK {
				t.Fatalf("preview: %d %s", status, b)
			}
			if strings.Contains(string(b), "ana") || strings.Contains(string(b), "Lima") {
				t.Fatalf("the preview shows a personal value: %s", b)
			}
			var p connected.Preview
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		p := preview()
		counts := map[string]string{}
		for _, c := range p.Collections {
			counts[c.Collection] = c.Action + " " + itoa(int64(c.Found)) + "/" + itoa(int64(c.Written))
		}
		if counts["shop:customer"] != "mask 1/1" || counts["shop:login"] != "mask 2/2" || counts["crm:member"] != "skip 0/0" {
			t.Fatalf("preview %+v", p)
		}
		if rows := query(t, f.company, `SELECT COUNT(*) FROM customer WHERE email = 'ana@example.com'`); rows[0] != "1" {
			t.Fatalf("the preview erased: %v", rows)
		}
		if status, _, b := f.do(t, "GET", path+"/erasure-preview", custos.RoleAgent, ""); status != http.StatusForbidden {
			t.Fatalf("an agent previews: %d %s", status, b)
		}

		// The dataset is imported again: login's device is no longer personal.
		changed := strings.Replace(shopYAML, "data_categories: [user.device.device_id]", "data_categories: [system.operations]", 1)
		if status, _, b := f.send(t, "POST", "/api/v1/datasets?name=shop.yml", custos.RoleAdmin, "application/yaml", changed); status != http.StatusCreated {
			t.Fatalf("re-import: %d %s", status, b)
		}
		status, _, b := f.do(t, "POST", path+"/approve", custos.RolePrivacyOfficer, `{"plan":"`+p.Plan+`"}`)
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(b, &e)
		if status != http.StatusConflict || e.Error.Code != "plan_changed" || !strings.Contains(e.Error.Message, "shop:login") {
			t.Fatalf("approve with the old digest: %d %s", status, b)
		}
		if r, _ := s.Request(ctx, req.ID); r.Status != "pending_review" {
			t.Fatalf("after plan_changed the request is %s", r.Status)
		}
		if status, _, b := f.do(t, "POST", path+"/approve", custos.RolePrivacyOfficer, `{"plan":"nonsense"}`); status != http.StatusBadRequest {
			t.Fatalf("approve with a malformed digest: %d %s", status, b)
		}

		p = preview()
		status, _, b = f.do(t, "POST", path+"/approve", custos.RolePrivacyOfficer, `{"plan":"`+p.Plan+`"}`)
		if status != http.StatusOK {
			t.Fatalf("approve with the digest: %d %s", status, b)
		}
		f.waitCompleted(t, req.ID)
		if rows := query(t, f.company, `SELECT COALESCE(email, '-') || '|' || COALESCE(name, '-') FROM customer ORDER BY id`); strings.Join(rows, ",") != "-|-,bob@example.com|Bob Stone" {
			t.Fatalf("customers after the deletion: %v", rows)
		}
		// device is no longer personal: the plan approved leaves it.
		if rows := query(t, f.company, `SELECT device FROM login ORDER BY id`); strings.Join(rows, ",") != "ana-phone,ana-laptop,bob-phone" {
			t.Fatalf("logins after the deletion: %v", rows)
		}
	})
}

// connectedDeletion is setupConnected with the shop reached directly (a
// synchronous connection, read by a preview as by the run) and Ana's
// deletion, taken on her behalf, pending review.
func connectedDeletion(t *testing.T, s *store.Store) (*connFixture, string) {
	t.Helper()
	ctx := context.Background()
	f := setupConnected(t, s)
	if err := f.svc.DSR.RemoveConnection(ctx, "test", "shop-hook"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop-db", Dataset: "shop", URL: "sqlite:" + f.company}); err != nil {
		t.Fatal(err)
	}
	status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/on-behalf", custos.RoleAgent,
		`{"type":"deletion","email":"ana@example.com","jurisdiction":"US-CA","channel":"phone"}`)
	if status != http.StatusCreated {
		t.Fatalf("on-behalf: %d %s", status, b)
	}
	var req struct{ ID, Status string }
	_ = json.Unmarshal(b, &req)
	if req.Status != "pending_review" {
		t.Fatalf("a deletion is %s, want pending_review", req.Status)
	}
	return f, req.ID
}

// TestErasurePreviewPanel: on the console's request page an officer asks
// for the preview, reads it per system and collection, and approves the
// plan shown; a plan changed meanwhile is refused and the new one shown.
func TestErasurePreviewPanel(t *testing.T) {
	t.Parallel()
	f, id := connectedDeletion(t, storetest.OpenSQLite(t))
	officer := f.fixture.console(t).signIn(custos.RolePrivacyOfficer)
	page := "/admin/requests/" + id
	status, body := officer.get(page)
	if status != 200 || !strings.Contains(body, "Preview what approving erases") || strings.Contains(body, "data-custos-plan") {
		t.Fatalf("request page: %d %s", status, mainOf(body))
	}
	// Taken on the person's behalf: the page says who vouched, and that
	// nothing has run in the connected systems yet.
	for _, want := range []string{
		`<dt>Channel</dt><dd>phone — taken by an operator, who vouched for the person&#39;s identity</dd>` + "\n" + `<dt>Taken by</dt><dd>agent (agent)</dd>`,
		`<tbody><tr><td colspan="8">Not run in any connected system yet.</td></tr></tbody>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the request page lacks %q: %s", want, mainOf(body))
		}
	}
	status, body = officer.get(page + "?preview=1")
	plan := regexp.MustCompile(`name="plan" value="(sha256:[0-9a-f]+)"`).FindStringSubmatch(body)
	if status != 200 || plan == nil || !strings.Contains(body, `data-custos-plan="`+plan[1]+`"`) {
		t.Fatalf("preview panel: %d %s", status, mainOf(body))
	}
	for _, want := range []string{
		`<tr data-custos-collection="shop:customer"><td>shop-db</td><td><code>shop:customer</code></td>`,
		`mask email (null_rewrite), name (null_rewrite)</td>` + "\n" + `<td>1</td><td>1</td>`,
		`<tr data-custos-collection="shop:login">`, `mask device (null_rewrite)</td>` + "\n" + `<td>2</td><td>2</td>`,
		`<tr data-custos-collection="crm:member"><td>crm-db</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the panel lacks %q: %s", want, mainOf(body))
		}
	}
	if strings.Contains(mainOf(body), "ana-phone") || strings.Contains(mainOf(body), "Ana Lima") {
		t.Fatalf("the panel shows a personal value")
	}

	// A plan changed since the preview is refused, and the plan now in
	// force is shown for the officer to read again.
	changed := strings.Replace(shopYAML, "data_categories: [user.name]", "data_categories: [system.operations]", 1)
	if status, _, b := f.send(t, "POST", "/api/v1/datasets?name=shop.yml", custos.RoleAdmin, "application/yaml", changed); status != http.StatusCreated {
		t.Fatalf("re-import: %d %s", status, b)
	}
	status, body = officer.post(page+"/approve", url.Values{"plan": {plan[1]}})
	fresh := regexp.MustCompile(`name="plan" value="(sha256:[0-9a-f]+)"`).FindStringSubmatch(body)
	if status != http.StatusConflict || !strings.Contains(body, "The erasure plan changed since the preview") || !strings.Contains(body, "shop:customer") ||
		fresh == nil || fresh[1] == plan[1] {
		t.Fatalf("approving a changed plan: %d %s", status, mainOf(body))
	}
	if !strings.Contains(body, `mask email (null_rewrite)</td>`) {
		t.Errorf("the panel after the refusal does not show the new plan: %s", mainOf(body))
	}
	if status, body = officer.post(page+"/approve", url.Values{"plan": {fresh[1]}}); status != 200 || !strings.Contains(body, "Approved.") {
		t.Fatalf("approving the plan shown: %d %s", status, mainOf(body))
	}
	f.waitCompleted(t, id)
	if rows := query(t, f.company, `SELECT COALESCE(email, '-') || '|' || COALESCE(name, '-') FROM customer ORDER BY id`); strings.Join(rows, ",") != "-|Ana Lima,bob@example.com|Bob Stone" {
		t.Fatalf("customers after the deletion: %v", rows)
	}
	// Completed: the result, the outcome and the progress in each
	// collection, and no decision left to take.
	_, body = officer.get(page)
	for _, want := range []string{
		`<p data-custos-result>The answer is ready for the person behind their own link until `,
		`<table tabindex="0" data-custos-outcome>`, `<td>completed</td><td></td></tr></tbody></table>`,
		`<tr><td>access</td><td><code>crm:member</code></td><td>skipped</td><td>0</td><td>0</td><td>0</td>` + "\n" +
			`<td>needs identity loyalty_id, which this person has not given</td>`,
		`<tr><td>erasure</td><td><code>shop:login</code></td><td>done</td><td>2</td><td>2</td><td>0</td>`,
		`<tr><td>erasure</td><td><code>shop:customer</code></td><td>done</td><td>1</td><td>1</td><td>0</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the completed request's page lacks %q: %s", want, mainOf(body))
		}
	}
	if strings.Contains(body, `action="`+page+`/approve"`) || strings.Contains(body, `action="`+page+`/deny"`) {
		t.Errorf("a completed request offers decisions: %s", mainOf(body))
	}
}
