package api_test

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// lawRequest is the part of a request's JSON these tests read.
type lawRequest struct {
	ID            string     `json:"id"`
	Status        string     `json:"status"`
	Law           string     `json:"law"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         time.Time  `json:"due_at"`
	ExtendedUntil *time.Time `json:"extended_until"`
	LawFlag       string     `json:"law_flag"`
	LawRules      struct {
		Key       string `json:"key"`
		Law       string `json:"law"`
		Name      string `json:"name"`
		Deadline  string `json:"deadline"`
		Extension string `json:"extension"`
		Appeal    *struct {
			Deadline, Authority, AuthorityURL string
		} `json:"appeal"`
		Regulator  string `json:"regulator"`
		Overridden []struct {
			Rule, Value, Reason string
		} `json:"overridden"`
	} `json:"law_rules"`
	History []struct {
		Action, Note string
	} `json:"history"`
}

func (f *fixture) lawRequest(t *testing.T, id string) lawRequest {
	t.Helper()
	status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id, custos.RoleAgent, "")
	var r lawRequest
	if status != 200 || json.Unmarshal(b, &r) != nil {
		t.Fatalf("get %s: %d %s", id, status, b)
	}
	return r
}

// mailsTo delivers the outbox and returns the decoded text of every
// message to addr, oldest first.
func (f *fixture) mailsTo(t *testing.T, addr string) []string {
	t.Helper()
	if _, err := f.outbox.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(f.maildir, "new", "*"))
	sort.Strings(files)
	var out []string
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := netmail.ReadMessage(fh)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ToLower(m.Header.Get("To")), addr) {
			fh.Close()
			continue
		}
		out = append(out, m.Header.Get("Subject")+"\n"+plainText(t, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body))
		fh.Close()
	}
	return out
}

func plainText(t *testing.T, ct, cte string, body io.Reader) string {
	t.Helper()
	mt, params, _ := mime.ParseMediaType(ct)
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return ""
			}
			if s := plainText(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); s != "" {
				return s
			}
		}
	}
	if mt != "text/plain" {
		return ""
	}
	if strings.EqualFold(cte, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, _ := io.ReadAll(body)
	return string(b)
}

// submitVerified makes a request and enters its code.
func (f *fixture) submitVerified(t *testing.T, body, email string) string {
	t.Helper()
	status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", body)
	var r struct{ ID string }
	if status != 202 || json.Unmarshal(b, &r) != nil {
		t.Fatalf("intake %d %s", status, b)
	}
	if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+r.ID+"/verify", "", `{"code":"`+f.codeFor(t, email)+`"}`); status != 200 {
		t.Fatalf("verify %d %s", status, b)
	}
	return r.ID
}

// A Texan's refused request can be appealed: the refusal mail links the
// appeal, the appeal is due in the 60 days of Tex. Bus. & Com. Code
// §541.053(b), and the request shows the appeal route and regulator.
func TestLawTexasAppeal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		id := f.submitVerified(t, `{"type":"deletion","email":"tex@example.com","jurisdiction":"US-TX"}`, "tex@example.com")
		r := f.lawRequest(t, id)
		if r.Law != "TDPSA" || r.LawRules.Key != "US-TX" || !strings.Contains(r.LawRules.Name, "Texas Data Privacy and Security Act") ||
			r.LawRules.Deadline != "45 days from receipt" || !strings.Contains(r.LawRules.Extension, "45 days") ||
			r.LawRules.Appeal == nil || r.LawRules.Appeal.Deadline != "60 days" || !strings.Contains(r.LawRules.Appeal.Authority, "Texas Attorney General") ||
			!strings.Contains(r.LawRules.Regulator, "texasattorneygeneral.gov") || !r.DueAt.Equal(r.ReceivedAt.AddDate(0, 0, 45)) {
			t.Fatalf("Texas request %+v", r)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/deny", custos.RolePrivacyOfficer,
			`{"reason_code":"exempt","reason":"The records are kept under a legal obligation."}`); status != 200 {
			t.Fatalf("deny %d %s", status, b)
		}
		mails := f.mailsTo(t, "tex@example.com")
		denied := mails[len(mails)-1]
		if !strings.Contains(denied, "type=appeal&appeal_of="+id) || !strings.Contains(denied, "Texas Attorney General") {
			t.Fatalf("refusal mail:\n%s", denied)
		}
		f.clock.T = f.clock.T.Add(24 * time.Hour)
		appeal := f.submitVerified(t, `{"type":"appeal","appeal_of":"`+id+`","email":"tex@example.com","jurisdiction":"US-TX"}`, "tex@example.com")
		a := f.lawRequest(t, appeal)
		if a.Status != "pending_review" || a.Law != "TDPSA" || !a.DueAt.Equal(a.ReceivedAt.AddDate(0, 0, 60)) || a.LawRules.Extension != "none" ||
			a.LawRules.Appeal == nil || !strings.Contains(a.LawRules.Appeal.Authority, "Texas Attorney General") {
			t.Fatalf("appeal %+v", a)
		}
	})
}

// Switzerland: 30 days (FADP Art. 25(7)); Brazil: 15 days (LGPD Art.
// 19(II)); neither with an extension.
func TestLawSwissAndBrazilianDeadlines(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		for _, c := range []struct {
			j, email, law string
			days          int
			regulator     string
		}{
			{"CH", "heidi@example.com", "FADP", 30, "edoeb.admin.ch"},
			{"BR", "joao@example.com", "LGPD", 15, "ANPD"},
		} {
			id := f.submitVerified(t, `{"type":"access","email":"`+c.email+`","jurisdiction":"`+c.j+`"}`, c.email)
			r := f.lawRequest(t, id)
			if r.Law != c.law || r.LawRules.Key != c.j || !r.DueAt.Equal(r.ReceivedAt.AddDate(0, 0, c.days)) ||
				r.LawRules.Extension != "none" || r.LawRules.Appeal != nil || !strings.Contains(r.LawRules.Regulator, c.regulator) {
				t.Errorf("%s: %+v", c.j, r)
			}
			// No extension under either law.
			if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/extend", custos.RolePrivacyOfficer,
				`{"reason":"We need to search archived systems."}`); status != 409 || errorCode(t, b) != "no_extension" {
				t.Errorf("%s extend: %d %s", c.j, status, b)
			}
		}
	})
}

// Canada: 30 days, extendable by 30 with a notice that gives the new time
// limit, the reasons and the right to complain to the Commissioner
// (PIPEDA s. 8(3)-(4)).
func TestLawCanadianExtensionNotice(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		id := f.submitVerified(t, `{"type":"access","email":"lea@example.com","jurisdiction":"CA"}`, "lea@example.com")
		r := f.lawRequest(t, id)
		if r.Law != "PIPEDA" || !r.DueAt.Equal(r.ReceivedAt.AddDate(0, 0, 30)) || !strings.Contains(r.LawRules.Extension, "30 days") {
			t.Fatalf("Canadian request %+v", r)
		}
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/extend", custos.RolePrivacyOfficer,
			`{"reason":"Your records are spread over three archived systems."}`)
		if status != 200 {
			t.Fatalf("extend %d %s", status, b)
		}
		r = f.lawRequest(t, id)
		if r.ExtendedUntil == nil || !r.ExtendedUntil.Equal(r.ReceivedAt.AddDate(0, 0, 60)) {
			t.Fatalf("extended %+v", r)
		}
		mails := f.mailsTo(t, "lea@example.com")
		notice := mails[len(mails)-1]
		for _, want := range []string{r.ExtendedUntil.Format("2 January 2006"), "three archived systems",
			"Personal Information Protection and Electronic Documents Act", "complain to the Office of the Privacy Commissioner of Canada"} {
			if !strings.Contains(notice, want) {
				t.Errorf("extension notice lacks %q:\n%s", want, notice)
			}
		}
	})
}

// lawsSection appends a laws: section to the bundled manifest.
func lawsSection(t *testing.T, laws string) string {
	t.Helper()
	src := string(policy.Bundled())
	return strings.Replace(src, `last_updated: "2020-10-29"`, `last_updated: "2026-06-02"`, 1) + "\nlaws:\n" + laws
}

// A manifest's override applies to new requests, shows where the law
// shows, and moves an open request's deadline earlier once, flagged for
// the officer; a deadline that would move later stays as the person was
// told.
func TestLawOverrideRecomputesOpenRequests(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		tex := f.submitVerified(t, `{"type":"access","email":"tom@example.com","jurisdiction":"US-TX"}`, "tom@example.com")
		ore := f.submitVerified(t, `{"type":"access","email":"olga@example.com","jurisdiction":"US-OR"}`, "olga@example.com")
		before := f.lawRequest(t, tex)
		orBefore := f.lawRequest(t, ore)

		manifest := lawsSection(t, `  US-TX:
    - rule: deadline
      value: 30 days
      types: [access, categories, portability]
      reason: Counsel asks for answers within 30 days in Texas.
  US-OR:
    - rule: deadline
      value: 60 days
      reason: Counsel reads the Oregon period as 60 days.
`)
		body, _ := json.Marshal(map[string]any{"manifest": manifest, "effective_at": f.clock.T.Format(time.RFC3339)})
		if status, _, b := f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(body)); status != 201 {
			t.Fatalf("publish %d %s", status, b)
		}
		// A manifest whose laws: section is wrong is refused with the place.
		bad, _ := json.Marshal(map[string]any{"manifest": lawsSection(t, "  US-ZZ:\n    - rule: deadline\n      value: 30 days\n      reason: no such law exists here\n")})
		if status, _, b := f.do(t, "POST", "/api/v1/policy/versions", custos.RoleAdmin, string(bad)); status != 400 ||
			errorCode(t, b) != "invalid_manifest" || !strings.Contains(string(b), `\"US-ZZ\" is not a law key`) {
			t.Fatalf("bad laws: %d %s", status, b)
		}

		// The queue recomputes the open requests once.
		status, _, b := f.do(t, "GET", "/api/v1/privacy-requests", custos.RoleAgent, "")
		if status != 200 || !strings.Contains(string(b), `"law_flag":"The deadline moved earlier`) {
			t.Fatalf("queue %d %.2000s", status, b)
		}
		after := f.lawRequest(t, tex)
		if !after.DueAt.Equal(before.ReceivedAt.AddDate(0, 0, 30)) || !strings.Contains(after.LawFlag, "moved earlier") ||
			len(after.LawRules.Overridden) != 1 || after.LawRules.Overridden[0].Reason != "Counsel asks for answers within 30 days in Texas." ||
			after.LawRules.Deadline != "30 days from receipt" {
			t.Fatalf("Texas after the override %+v", after)
		}
		if n := countAction(after.History, "law_recomputed"); n != 1 {
			t.Fatalf("history %+v", after.History)
		}
		orAfter := f.lawRequest(t, ore)
		if !orAfter.DueAt.Equal(orBefore.DueAt) || orAfter.LawFlag != "" || countAction(orAfter.History, "law_recomputed") != 1 ||
			orAfter.LawRules.Deadline != "60 days from receipt" {
			t.Fatalf("Oregon after the override %+v", orAfter)
		}
		// The console's request page shows the flag, the law and the override.
		browser := f.console(t).signIn(custos.RolePrivacyOfficer)
		if status, page := browser.get("/admin/requests/" + tex); status != 200 || !strings.Contains(page, "data-custos-law-flag") ||
			!strings.Contains(page, `data-custos-law="US-TX"`) || !strings.Contains(page, "Texas Data Privacy and Security Act") ||
			!strings.Contains(page, "30 days from receipt") || !strings.Contains(page, "the Texas Attorney General") ||
			!strings.Contains(page, "overridden by the manifest: Counsel asks for answers within 30 days in Texas.") {
			t.Errorf("console request page %d %s", status, mainOf(page))
		}
		if status, page := browser.get("/admin"); status != 200 || !strings.Contains(page, `data-custos-law-flag title="The deadline moved earlier`) {
			t.Errorf("console queue %d %s", status, mainOf(page))
		}
		// Once: looking again changes nothing.
		f.do(t, "GET", "/api/v1/privacy-requests", custos.RoleAgent, "")
		if again := f.lawRequest(t, tex); countAction(again.History, "law_recomputed") != 1 || !again.DueAt.Equal(after.DueAt) {
			t.Fatalf("recomputed twice: %+v", again.History)
		}
		// A new Texan request gets the counsel's 30 days at once.
		id := f.submitVerified(t, `{"type":"access","email":"tia@example.com","jurisdiction":"US-TX"}`, "tia@example.com")
		if r := f.lawRequest(t, id); !r.DueAt.Equal(r.ReceivedAt.AddDate(0, 0, 30)) || r.LawFlag != "" || countAction(r.History, "law_recomputed") != 0 {
			t.Fatalf("new request %+v", r)
		}
		// The notice says so, with the reason.
		_, _, page := f.do(t, "GET", "/privacy-policy.md", "", "")
		if !strings.Contains(string(page), "deadline: 30 days for access, categories, portability requests (Counsel asks for answers within 30 days in Texas)") {
			t.Errorf("the notice does not show the override: %s", page)
		}
	})
}

func countAction(h []struct{ Action, Note string }, action string) int {
	n := 0
	for _, e := range h {
		if e.Action == action {
			n++
		}
	}
	return n
}

// The acknowledgement (11 CCR §7021(a)) names the law, the deadline and
// how to challenge a refusal.
func TestLawAcknowledgementNamesTheLaw(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		id := f.submitVerified(t, `{"type":"deletion","email":"cal@example.com","jurisdiction":"US-CA"}`, "cal@example.com")
		r := f.lawRequest(t, id)
		mails := f.mailsTo(t, "cal@example.com")
		ack := mails[len(mails)-1]
		for _, want := range []string{"We will respond by " + r.DueAt.Format("2 January 2006"),
			"handled under the California Consumer Privacy Act", "complain to the California Privacy Protection Agency"} {
			if !strings.Contains(ack, want) {
				t.Errorf("acknowledgement lacks %q:\n%s", want, ack)
			}
		}
	})
}
