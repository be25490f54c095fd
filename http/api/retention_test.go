package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func TestHoldsMinorsAndSweeps(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ev := func(email, category, value, at string) {
			t.Helper()
			if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, `{"kind":"collection","subject":{"email":"`+email+`"},
				"category":"`+category+`","source":"online_channels","purpose":"essential.service","value":"`+value+`","occurred_at":"`+at+`"}`); status != 201 {
				t.Fatalf("event %d %s", status, b)
			}
		}
		ev("held@example.com", "user.location.precise", "51.5,-0.1", "2026-01-01T00:00:00Z")
		ev("free@example.com", "user.location.precise", "48.8,2.3", "2026-01-01T00:00:00Z")
		if status, _, b := f.do(t, "POST", "/api/v1/holds", custos.RoleIngest, `{"subject":{"email":"held@example.com"},"reason":"Case 1"}`); status != 403 {
			t.Fatalf("ingest placing a hold: %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/holds", custos.RolePrivacyOfficer, `{"subject":{"email":"held@example.com"},"reason":"Case 1"}`); status != 201 {
			t.Fatalf("hold %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/holds", custos.RolePrivacyOfficer, `{"subject":{"email":"nobody@example.com"},"reason":"Case 2"}`); status != 404 {
			t.Fatalf("hold on nobody %d %s", status, b)
		}
		status, _, b := f.do(t, "GET", "/api/v1/holds", custos.RoleAuditor, "")
		if status != 200 || !strings.Contains(string(b), `"reason":"Case 1"`) {
			t.Fatalf("holds %d %s", status, b)
		}
		// Precise location is kept 30 days: a dry run counts, the sweep erases all but the held.
		status, _, b = f.do(t, "POST", "/api/v1/retention/sweep", custos.RolePrivacyOfficer, `{"dry_run":true}`)
		if status != 200 || !strings.Contains(string(b), `"dry_run":true`) || !strings.Contains(string(b), `"events_erased":0`) {
			t.Fatalf("dry run %d %s", status, b)
		}
		status, _, b = f.do(t, "POST", "/api/v1/retention/sweep", custos.RolePrivacyOfficer, `{}`)
		if status != 200 || !strings.Contains(string(b), `"events_erased":1`) {
			t.Fatalf("sweep %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=free@example.com", custos.RoleAgent, ""); status != 404 {
			t.Fatalf("swept person still found: %d", status)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=held@example.com", custos.RoleAgent, ""); status != 200 {
			t.Fatalf("held person gone: %d", status)
		}
		status, _, b = f.do(t, "GET", "/api/v1/reports/retention", custos.RoleAuditor, "")
		if status != 200 || !strings.Contains(string(b), `"sweeps_by_month"`) || !strings.Contains(string(b), `"events_erased":1`) {
			t.Fatalf("retention report %d %s", status, b)
		}
		// A minor's report deletes at once; the deletion request is on record.
		ev("kid@example.com", "user.name", "Kid", "2026-05-01T00:00:00Z")
		status, _, b = f.do(t, "POST", "/api/v1/subjects/minor", custos.RolePrivacyOfficer, `{"subject":{"email":"kid@example.com"},"jurisdiction":"US-CA"}`)
		if status != 201 || !strings.Contains(string(b), `"deletion_request":"req_`) {
			t.Fatalf("minor %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=kid@example.com", custos.RoleAgent, ""); status != 404 {
			t.Fatalf("minor's data kept: %d", status)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/holds/release", custos.RolePrivacyOfficer, `{"subject":{"email":"held@example.com"}}`); status != 200 || !strings.Contains(string(b), `"released":1`) {
			t.Fatalf("release %d %s", status, b)
		}
	})
}

// TestIngestCannotErase: an ingest token (it sits in web shops) that sends
// a date of birth under the age threshold protects the child at once — no
// marketing, no further collection — but erases nothing: the deletion
// waits for a privacy officer, due within the policy's
// children.deletion_window (72h in the bundled policy), and every step is
// credited to the token. A backdated lifecycle event, which would let the
// next sweep erase the person, needs an officer too.
func TestIngestCannotErase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ingestID := ""
		_, _, b := f.do(t, "GET", "/api/v1/tokens", custos.RoleAdmin, "")
		var toks struct {
			Tokens []struct {
				ID   int64  `json:"id"`
				Role string `json:"role"`
			} `json:"tokens"`
		}
		if err := json.Unmarshal(b, &toks); err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks.Tokens {
			if tk.Role == string(custos.RoleIngest) {
				ingestID = "token:" + strconv.FormatInt(tk.ID, 10)
			}
		}
		ev := func(email, category, value string) (int, []byte) {
			t.Helper()
			status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, `{"kind":"collection","subject":{"email":"`+email+`"},
				"category":"`+category+`","source":"online_channels","purpose":"essential.service","value":"`+value+`"}`)
			return status, b
		}
		if status, b := ev("kid@example.com", "user.name", "Kid"); status != 201 {
			t.Fatalf("event %d %s", status, b)
		}
		// Twice in one batch: one deletion is opened.
		dob := `{"kind":"collection","subject":{"email":"kid@example.com"},"category":"user.demographic.date_of_birth",
			"source":"online_channels","purpose":"essential.service","value":"2015-03-01"}`
		if status, _, b := f.do(t, "POST", "/api/v1/events:batch", custos.RoleIngest, `{"events":[`+dob+`,`+dob+`]}`); status != 201 && status != 200 {
			t.Fatalf("date of birth %d %s", status, b)
		}
		// Protected at once: marketing refused as for a minor, collection refused.
		_, _, b = f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest,
			`{"subject":{"email":"kid@example.com"},"purpose":"marketing.communications.email","jurisdiction":"US"}`)
		if !strings.Contains(string(b), `"allowed":false`) || !strings.Contains(string(b), `"reason":"minor"`) {
			t.Fatalf("decision for a minor: %s", b)
		}
		if status, b := ev("kid@example.com", "user.contact.email", "kid@example.com"); status != 422 || errorCode(t, b) != "minor" {
			t.Fatalf("collection from a minor: %d %s", status, b)
		}
		// Nothing erased: the records are all there.
		status, _, b := f.do(t, "GET", "/api/v1/subjects?email=kid@example.com", custos.RoleAgent, "")
		if status != 200 || !strings.Contains(string(b), "user.demographic.date_of_birth") || !strings.Contains(string(b), "user.name") {
			t.Fatalf("a minor's data was erased by an ingest token: %d %s", status, b)
		}
		// The deletion waits in the queue, due within 72 hours, saying why.
		_, _, b = f.do(t, "GET", "/api/v1/privacy-requests?status=pending_review", custos.RoleAgent, "")
		var q struct {
			Requests []struct {
				ID        string    `json:"id"`
				Type      string    `json:"type"`
				DueAt     time.Time `json:"due_at"`
				OpenedFor string    `json:"opened_for"`
				Reason    string    `json:"reason"`
			} `json:"requests"`
		}
		if err := json.Unmarshal(b, &q); err != nil {
			t.Fatal(err)
		}
		if len(q.Requests) != 1 || q.Requests[0].Type != "deletion" || q.Requests[0].OpenedFor != "minor" ||
			!strings.Contains(q.Requests[0].Reason, "age threshold") || !q.Requests[0].DueAt.Equal(f.clock.T.Add(72*time.Hour)) {
			t.Fatalf("queue = %s", b)
		}
		id := q.Requests[0].ID
		_, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+id, custos.RoleAgent, "")
		if !strings.Contains(string(b), `"actor":"`+ingestID+`"`) || strings.Contains(string(b), `"actor":"system"`) {
			t.Fatalf("history not credited to the ingest token %s: %s", ingestID, b)
		}
		_, _, b = f.do(t, "GET", "/api/v1/audit?limit=500", custos.RoleAuditor, "")
		if !strings.Contains(string(b), `"actor":"`+ingestID+`","action":"subject.minor"`) {
			t.Fatalf("minor flag not credited to %s: %s", ingestID, b)
		}
		// No connected system was asked anything.
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/tasks", custos.RoleAgent, "")
		if status != 200 || strings.Contains(string(b), `"phase"`) {
			t.Fatalf("tasks of a request under review: %d %s", status, b)
		}
		// An ingest token cannot approve it; an officer can, and that erases.
		if status, _, _ := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RoleIngest, `{}`); status != 403 {
			t.Fatalf("ingest approving: %d", status)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RolePrivacyOfficer, `{}`); status != 200 {
			t.Fatalf("approve %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=kid@example.com", custos.RoleAgent, ""); status != 404 {
			t.Fatalf("approved deletion kept the data: %d", status)
		}

		// Lifecycle: as of now for ingest; backdated only by an officer.
		if status, b := ev("adult@example.com", "user.name", "Adult"); status != 201 {
			t.Fatalf("event %d %s", status, b)
		}
		at := func(d time.Duration) string { return f.clock.T.Add(d).Format(time.RFC3339) }
		cases := []struct {
			name   string
			role   custos.Role
			at     string
			status int
			code   string
		}{
			{"ingest backdated two years", custos.RoleIngest, at(-2 * 365 * 24 * time.Hour), 403, "backdated_needs_officer"},
			{"ingest an hour back", custos.RoleIngest, at(-time.Hour), 403, "backdated_needs_officer"},
			{"ingest in the future", custos.RoleIngest, at(time.Hour), 403, "backdated_needs_officer"},
			{"ingest within the skew", custos.RoleIngest, at(-2 * time.Minute), 204, ""},
			{"ingest without at", custos.RoleIngest, "", 204, ""},
			{"officer backdated", custos.RolePrivacyOfficer, at(-2 * 365 * 24 * time.Hour), 204, ""},
			{"agent", custos.RoleAgent, "", 403, "forbidden"},
		}
		for _, c := range cases {
			body := `{"subject":{"email":"adult@example.com"},"event":"account_closed"`
			if c.at != "" {
				body += `,"at":"` + c.at + `"`
			}
			status, _, b := f.do(t, "POST", "/api/v1/subjects/lifecycle", c.role, body+`}`)
			if status != c.status || (c.code != "" && errorCode(t, b) != c.code) {
				t.Errorf("%s: %d %s", c.name, status, b)
			}
		}
	})
}

// TestMinorStaysProtected is issue 16's scenario: a date of birth of a
// 15-year-old arrives with an ingest token, the deletion waits for an
// officer, who approves; the person's data is gone but they stay
// protected — a new collection of the same address is refused, decisions
// refuse sharing and marketing — until an officer records they are of age.
func TestMinorStaysProtected(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		collect := func(email, category, value, purpose string) (int, []byte) {
			t.Helper()
			status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, `{"kind":"collection","subject":{"email":"`+email+`"},
				"category":"`+category+`","source":"online_channels","purpose":"`+purpose+`","value":"`+value+`"}`)
			return status, b
		}
		decide := func(purpose string) []byte {
			t.Helper()
			status, _, b := f.do(t, "POST", "/api/v1/decisions", custos.RoleIngest,
				`{"subject":{"email":"teen@example.com"},"purpose":"`+purpose+`","jurisdiction":"US"}`)
			if status != 200 {
				t.Fatalf("decision %s: %d %s", purpose, status, b)
			}
			return b
		}
		sharing := []string{"third_party_sharing", "marketing.advertising.third_party", "marketing.communications.email"}
		born := f.clock.T.AddDate(-15, 0, 0).Format("2006-01-02")
		if status, b := collect("teen@example.com", "user.name", "Teen", "essential.service"); status != 201 {
			t.Fatalf("event %d %s", status, b)
		}
		if status, b := collect("teen@example.com", "user.demographic.date_of_birth", born, "essential.service"); status != 201 {
			t.Fatalf("date of birth %d %s", status, b)
		}
		_, _, b := f.do(t, "GET", "/api/v1/privacy-requests?status=pending_review", custos.RoleAgent, "")
		var q struct {
			Requests []struct {
				ID        string `json:"id"`
				OpenedFor string `json:"opened_for"`
			} `json:"requests"`
		}
		if err := json.Unmarshal(b, &q); err != nil || len(q.Requests) != 1 || q.Requests[0].OpenedFor != "minor" {
			t.Fatalf("queue = %s (%v)", b, err)
		}
		id := q.Requests[0].ID
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RolePrivacyOfficer, `{}`); status != 200 {
			t.Fatalf("approve %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/subjects?email=teen@example.com", custos.RoleAgent, ""); status != 404 {
			t.Fatalf("approved deletion kept the data: %d", status)
		}
		// The console says why the deletion was opened.
		status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id, custos.RolePrivacyOfficer, "")
		if status != 200 || !strings.Contains(string(b), `"opened_for":"minor"`) {
			t.Fatalf("request %d %s", status, b)
		}

		// Erased, and still protected.
		if status, b := collect("teen@example.com", "user.contact.email", "teen@example.com", "essential.service"); status != 422 || errorCode(t, b) != "minor" {
			t.Fatalf("new collection about an erased minor: %d %s", status, b)
		}
		if status, b := collect("teen@example.com", "user.name", "Teen", "marketing.communications.email"); status != 422 || errorCode(t, b) != "minor" {
			t.Fatalf("new marketing collection about an erased minor: %d %s", status, b)
		}
		for _, p := range sharing {
			if b := decide(p); !strings.Contains(string(b), `"allowed":false`) || !strings.Contains(string(b), `"reason":"minor"`) {
				t.Fatalf("decision %s for an erased minor: %s", p, b)
			}
		}
		// Another person is not touched.
		if status, b := collect("other@example.com", "user.name", "Other", "essential.service"); status != 201 {
			t.Fatalf("another person's event %d %s", status, b)
		}

		// Only an officer lifts it.
		for _, role := range []custos.Role{custos.RoleIngest, custos.RoleAgent, custos.RoleAuditor} {
			if status, _, b := f.do(t, "POST", "/api/v1/subjects/of-age", role, `{"subject":{"email":"teen@example.com"}}`); status != 403 {
				t.Fatalf("of-age as %s: %d %s", role, status, b)
			}
		}
		if status, _, b := f.do(t, "POST", "/api/v1/subjects/of-age", custos.RolePrivacyOfficer, `{"subject":{"email":"nobody@example.com"}}`); status != 404 || errorCode(t, b) != "not_found" {
			t.Fatalf("of-age of someone never a minor: %d %s", status, b)
		}
		status, _, b = f.do(t, "POST", "/api/v1/subjects/of-age", custos.RolePrivacyOfficer, `{"subject":{"email":"teen@example.com"}}`)
		if status != 200 || !strings.Contains(string(b), `"marks_lifted":1`) {
			t.Fatalf("of-age %d %s", status, b)
		}
		_, _, b = f.do(t, "GET", "/api/v1/audit?limit=500", custos.RoleAuditor, "")
		if !strings.Contains(string(b), `"action":"subject.of_age"`) {
			t.Fatalf("of-age not audited: %s", b)
		}
		if b := decide("third_party_sharing"); !strings.Contains(string(b), `"allowed":true`) {
			t.Fatalf("decision after of-age: %s", b)
		}
		if status, b := collect("teen@example.com", "user.contact.email", "teen@example.com", "essential.service"); status != 201 {
			t.Fatalf("collection after of-age: %d %s", status, b)
		}
		if b := decide("third_party_sharing"); !strings.Contains(string(b), `"allowed":true`) {
			t.Fatalf("decision for the new record after of-age: %s", b)
		}
	})
}
