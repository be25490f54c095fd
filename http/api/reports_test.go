package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func TestReports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		var evs []string
		// Six people give their e-mail online in May; two of them are shared
		// with third-party marketers, one with a payment processor without a
		// contract on record.
		for i := 0; i < 6; i++ {
			evs = append(evs, fmt.Sprintf(`{"kind":"collection","subject":{"email":"p%d@example.com"},"category":"user.contact.email","source":"online_channels","purpose":"essential.service","occurred_at":"2026-05-0%dT10:00:00Z"}`, i, i+1))
		}
		for i := 0; i < 2; i++ {
			evs = append(evs, fmt.Sprintf(`{"kind":"disclosure","subject":{"email":"p%d@example.com"},"category":"user.contact.email","recipient":"third_party_marketers","purpose":"third_party_sharing","occurred_at":"2026-05-10T10:00:00Z"}`, i))
		}
		evs = append(evs, `{"kind":"disclosure","subject":{"email":"p5@example.com"},"category":"user.financial.credit_card","recipient":"service_providers","purpose":"essential.service.payment_processing","occurred_at":"2026-05-11T10:00:00Z"}`)
		// Outside the default twelve months: not in the statement.
		evs = append(evs, `{"kind":"collection","subject":{"email":"old@example.com"},"category":"user.location.precise","source":"online_channels","purpose":"essential.service","occurred_at":"2024-01-01T00:00:00Z"}`)
		if status, _, b := f.do(t, "POST", "/api/v1/events:batch", custos.RoleIngest, `{"events":[`+strings.Join(evs, ",")+`]}`); status != 200 {
			t.Fatalf("seed %d %s", status, b)
		}

		for _, path := range []string{"/api/v1/reports/ccpa", "/api/v1/reports/ropa", "/api/v1/reports/aggregate"} {
			for _, role := range []custos.Role{custos.RoleIngest, custos.RoleAgent} {
				if status, _, _ := f.do(t, "GET", path, role, ""); status != 403 {
					t.Errorf("%s as %s: %d, want 403", path, role, status)
				}
			}
		}

		status, _, b := f.do(t, "GET", "/api/v1/reports/ccpa", custos.RoleAuditor, "")
		var ccpa struct {
			Period    struct{ From, To string } `json:"period"`
			Collected []struct {
				Key        string `json:"key"`
				Categories []struct {
					Key    string `json:"key"`
					Events int    `json:"events"`
				} `json:"categories"`
			} `json:"categories_collected"`
			Sold []struct {
				Key        string `json:"key"`
				Categories []struct {
					Key        string   `json:"key"`
					Recipients []string `json:"recipients"`
				} `json:"categories"`
			} `json:"sold_or_shared"`
			Business []struct {
				Key string `json:"key"`
			} `json:"disclosed_for_business_purpose"`
			Flags []struct {
				Code      string `json:"code"`
				Recipient string `json:"recipient"`
			} `json:"flags"`
		}
		if status != 200 || json.Unmarshal(b, &ccpa) != nil {
			t.Fatalf("ccpa %d %s", status, b)
		}
		if ccpa.Period.From != "2025-06-01T12:00:00Z" || ccpa.Period.To != "2026-06-01T12:00:00Z" {
			t.Fatalf("period %+v", ccpa.Period)
		}
		if len(ccpa.Collected) != 1 || ccpa.Collected[0].Key != "identifiers" || ccpa.Collected[0].Categories[0].Key != "user.contact.email" ||
			ccpa.Collected[0].Categories[0].Events != 6 {
			t.Fatalf("collected %s", b)
		}
		if len(ccpa.Sold) != 1 || ccpa.Sold[0].Categories[0].Recipients[0] != "third_party_marketers" {
			t.Fatalf("sold or shared %s", b)
		}
		if len(ccpa.Business) != 1 || ccpa.Business[0].Key != "customer_records" {
			t.Fatalf("disclosed for a business purpose %s", b)
		}
		if len(ccpa.Flags) != 1 || ccpa.Flags[0].Code != "no_contract" || ccpa.Flags[0].Recipient != "service_providers" {
			t.Fatalf("flags %s", b)
		}
		// An explicit period reaches the old event.
		_, _, b = f.do(t, "GET", "/api/v1/reports/ccpa?from=2023-01-01&to=2026-06-01", custos.RolePrivacyOfficer, "")
		if !strings.Contains(string(b), "user.location.precise") {
			t.Fatalf("explicit period misses the 2024 event: %.300s", b)
		}
		if status, _, b := f.do(t, "GET", "/api/v1/reports/ccpa?from=2026-07-01&to=2026-06-01", custos.RoleAuditor, ""); status != 400 || errorCode(t, b) != "invalid_request" {
			t.Fatalf("reversed period %d %s", status, b)
		}

		status, h, b := f.do(t, "GET", "/api/v1/reports/ropa?format=csv", custos.RoleAuditor, "")
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || len(lines) < 10 || !strings.Contains(string(b), "third_party_sharing") {
			t.Fatalf("ropa csv %d %.400s", status, b)
		}
		status, _, b = f.do(t, "GET", "/api/v1/reports/ropa", custos.RoleAuditor, "")
		if status != 200 || !strings.Contains(string(b), `"activities"`) || !strings.Contains(string(b), `"legal_basis":"consent"`) {
			t.Fatalf("ropa json %d %.300s", status, b)
		}

		// Six people in May's essential.service cell: shown at k=5 and k=6,
		// suppressed at k=7; the two-person third-party cell is suppressed.
		for _, c := range []struct {
			k          string
			shownCells int
		}{{"", 1}, {"6", 1}, {"7", 0}} {
			path := "/api/v1/reports/aggregate?from=2026-01-01"
			if c.k != "" {
				path += "&k=" + c.k
			}
			status, _, b := f.do(t, "GET", path, custos.RoleAuditor, "")
			var agg struct {
				Cells []struct {
					Purpose    string `json:"purpose"`
					Suppressed bool   `json:"suppressed"`
					Subjects   *int   `json:"subjects"`
				} `json:"cells"`
			}
			if status != 200 || json.Unmarshal(b, &agg) != nil {
				t.Fatalf("aggregate k=%s: %d %s", c.k, status, b)
			}
			shown := 0
			for _, cell := range agg.Cells {
				if !cell.Suppressed {
					shown++
					if *cell.Subjects != 6 || cell.Purpose != "essential.service" {
						t.Fatalf("k=%s shows %s", c.k, b)
					}
				} else if cell.Subjects != nil {
					t.Fatalf("suppressed cell carries a count: %s", b)
				}
			}
			if shown != c.shownCells {
				t.Fatalf("k=%s: %d cells shown, want %d: %s", c.k, shown, c.shownCells, b)
			}
		}
		if status, _, b := f.do(t, "GET", "/api/v1/reports/aggregate?k=2", custos.RoleAuditor, ""); status != 400 || errorCode(t, b) != "invalid_request" {
			t.Fatalf("k below the server minimum %d %s", status, b)
		}
	})
}
