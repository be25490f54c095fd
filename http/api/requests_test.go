package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// codeFor delivers the outbox and reads the newest code mailed to addr.
func (f *fixture) codeFor(t *testing.T, addr string) string {
	t.Helper()
	if _, err := f.outbox.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(f.maildir, "new", "*"))
	sort.Strings(files)
	for i := len(files) - 1; i >= 0; i-- {
		b, _ := os.ReadFile(files[i])
		if strings.Contains(strings.ToLower(string(b)), "to: <"+addr+">") || strings.Contains(strings.ToLower(string(b)), "to: "+addr) {
			if m := sixDigits.FindStringSubmatch(string(b)); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no code mailed to %s", addr)
	return ""
}

func TestPrivacyRequestFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, `{"kind":"collection","subject":{"email":"ana@example.com"},
			"category":"user.name","source":"online_channels","purpose":"essential.service","value":"Ana Lima"}`); status != 201 {
			t.Fatalf("seed %d %s", status, b)
		}
		// Known and unknown addresses get the same answer.
		var bodies []string
		var ids []string
		for _, addr := range []string{"ana@example.com", "nobody@example.com"} {
			status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", `{"type":"access","email":"`+addr+`","jurisdiction":"US-CA"}`)
			var r struct{ ID, Status string }
			if status != 202 || json.Unmarshal(b, &r) != nil || r.Status != "awaiting_verification" {
				t.Fatalf("intake %d %s", status, b)
			}
			ids = append(ids, r.ID)
			bodies = append(bodies, strings.Replace(string(b), r.ID, "ID", 1))
		}
		if bodies[0] != bodies[1] {
			t.Fatalf("answers differ: %s / %s", bodies[0], bodies[1])
		}
		for _, c := range []struct{ body, code string }{
			{`{"type":"gossip","email":"a@example.com","jurisdiction":"US"}`, "invalid_request"},
			{`{"type":"access","email":"nope","jurisdiction":"US"}`, "invalid_request"},
			{`{"type":"access","email":"a@example.com","jurisdiction":"California"}`, "invalid_request"},
			{`{"type":"access","email":"a@example.com","jurisdiction":"US","channel":"phone"}`, "invalid_request"},
		} {
			if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", c.body); status != 400 || errorCode(t, b) != c.code {
				t.Errorf("%s: %d %s", c.body, status, b)
			}
		}
		// Wrong codes: 400 invalid_code four times, then locked (429).
		for i := 1; i <= 5; i++ {
			status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+ids[1]+"/verify", "", `{"code":"999999x"}`)
			want, code := 400, "invalid_code"
			if i == 5 {
				want, code = 429, "locked"
			}
			if status != want || errorCode(t, b) != code {
				t.Fatalf("attempt %d: %d %s", i, status, b)
			}
		}
		code := f.codeFor(t, "ana@example.com")
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+ids[0]+"/verify", "", `{"code":"`+code+`"}`)
		var v struct {
			Status      string `json:"status"`
			AccessToken string `json:"access_token"`
		}
		if status != 200 || json.Unmarshal(b, &v) != nil || v.Status != "pending_review" || v.AccessToken == "" {
			t.Fatalf("verify %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+ids[0]+"?token="+v.AccessToken, "", "")
		if status != 200 || !strings.Contains(string(b), `"status":"pending_review"`) || strings.Contains(string(b), "ana@example.com") {
			t.Fatalf("status %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/privacy-requests/"+ids[0]+"?token=wrong", "", ""); status != 404 {
			t.Fatalf("wrong token: %d", status)
		}
		// The officer's queue, by due date; agents see it, ingest does not.
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests?status=pending_review", custos.RoleAgent, "")
		if status != 200 || !strings.Contains(string(b), ids[0]) || !strings.Contains(string(b), `"due_at"`) {
			t.Fatalf("queue %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/privacy-requests", custos.RoleIngest, ""); status != 403 {
			t.Fatalf("ingest queue: %d", status)
		}
		if status, _, _ := f.do(t, "POST", "/api/v1/privacy-requests/"+ids[0]+"/approve", custos.RoleAgent, ""); status != 403 {
			t.Fatalf("agent approving: %d", status)
		}
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+ids[0], custos.RolePrivacyOfficer, "")
		if status != 200 || !strings.Contains(string(b), `"history"`) || !strings.Contains(string(b), `"law":"CCPA`) {
			t.Fatalf("operator view %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+ids[0]+"/approve", custos.RolePrivacyOfficer, ""); status != 200 || !strings.Contains(string(b), `"status":"completed"`) {
			t.Fatalf("approve %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+ids[0]+"/result?token="+v.AccessToken, "", "")
		if status != 200 || !strings.Contains(string(b), `"value":"Ana Lima"`) {
			t.Fatalf("result %d %s", status, b)
		}
		status, h, b := f.do(t, "GET", "/api/v1/privacy-requests/"+ids[0]+"/result?format=html&token="+v.AccessToken, "", "")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "Ana Lima") ||
			!strings.Contains(string(b), `href="?format=csv&amp;token=`+v.AccessToken+`"`) {
			t.Fatalf("result html %d", status)
		}
		status, h, b = f.do(t, "GET", "/api/v1/privacy-requests/"+ids[0]+"/result?format=csv&token="+v.AccessToken, "", "")
		if status != 200 || h.Get("Content-Type") != "application/zip" || !strings.Contains(h.Get("Content-Disposition"), ids[0]+".zip") {
			t.Fatalf("result csv %d %v", status, h)
		}
		if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err != nil || len(zr.File) == 0 {
			t.Fatalf("result csv is no zip: %v", err)
		} else if rc, err := zr.Open("custos/personal-information.csv"); err != nil {
			t.Fatalf("result csv: %v", err)
		} else if body, _ := io.ReadAll(rc); !strings.Contains(string(body), "Ana Lima") {
			t.Fatalf("result csv personal information: %s", body)
		}
		status, _, b = f.do(t, "GET", "/api/v1/reports/requests?year=2026", custos.RoleAuditor, "")
		if status != 200 || !strings.Contains(string(b), `"type":"access","received":2`) {
			t.Fatalf("metrics %d %s", status, b)
		}
	})
}

// An extension asked for after the first deadline is refused, 409
// extension_too_late: GDPR Art. 12(3) and Cal. Civ. Code
// §1798.130(a)(2)(A) (11 CCR §7021(b)) want the person told of it within
// the first period.
func TestLateExtensionRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		start := f.clock.T
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/on-behalf", custos.RolePrivacyOfficer,
			`{"type":"access","email":"late@example.com","jurisdiction":"US-CA","channel":"phone"}`)
		var v struct {
			ID    string    `json:"id"`
			DueAt time.Time `json:"due_at"`
		}
		if status != 201 || json.Unmarshal(b, &v) != nil || v.ID == "" {
			t.Fatalf("on-behalf: %d %s", status, b)
		}
		if want := start.AddDate(0, 0, 45); !v.DueAt.Equal(want) {
			t.Fatalf("due %v, want %v", v.DueAt, want)
		}
		f.clock.T = v.DueAt.Add(time.Hour)
		status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+v.ID+"/extend", custos.RolePrivacyOfficer,
			`{"reason":"We need to search our archives for your records."}`)
		if status != 409 || errorCode(t, b) != "extension_too_late" {
			t.Fatalf("late extension: %d %s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/privacy-requests/"+v.ID, custos.RolePrivacyOfficer, "")
		if status != 200 || strings.Contains(string(b), `"extended_until"`) || !strings.Contains(string(b), `"overdue":true`) {
			t.Fatalf("after the refusal: %d %s", status, b)
		}
	})
}
