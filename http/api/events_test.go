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

func TestEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ok := `{"kind": "collection", "subject": {"email": "a@example.com"}, "category": "user.contact.email",
			"source": "online_channels", "purpose": "essential.service", "value": "a@example.com", "occurred_at": "2026-05-01T10:00:00Z"}`
		status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, ok)
		var created struct {
			ID int64 `json:"id"`
		}
		if status != 201 || json.Unmarshal(b, &created) != nil || created.ID == 0 {
			t.Fatalf("record %d %s", status, b)
		}
		disclosure := `{"kind": "disclosure", "subject": {"email": "a@example.com"}, "category": "user.contact.email",
			"recipient": "third_party_marketers", "purpose": "third_party_sharing", "occurred_at": "2026-05-02T10:00:00Z"}`
		if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleAdmin, disclosure); status != 201 {
			t.Fatalf("disclosure %d %s", status, b)
		}
		cases := []struct {
			name, body string
			role       custos.Role
			status     int
			code       string
		}{
			{"agent may not ingest", ok, custos.RoleAgent, 403, "forbidden"},
			{"auditor may not ingest", ok, custos.RoleAuditor, 403, "forbidden"},
			{"undeclared category", strings.Replace(ok, "user.contact.email", "user.biometric.retinal", 1), custos.RoleIngest, 422, "undeclared_category"},
			{"undeclared purpose", strings.Replace(ok, "essential.service", "train_ai_system", 1), custos.RoleIngest, 422, "undeclared_purpose"},
			{"undeclared source", strings.Replace(ok, "online_channels", "data_brokers", 1), custos.RoleIngest, 422, "undeclared_source"},
			{"undeclared recipient", strings.Replace(disclosure, "third_party_marketers", "data_brokers", 1), custos.RoleIngest, 422, "undeclared_recipient"},
			{"malformed", `{"kind": "collection",`, custos.RoleIngest, 400, "malformed_json"},
			{"missing category", strings.Replace(ok, `"category": "user.contact.email",`, "", 1), custos.RoleIngest, 400, "invalid_request"},
			{"bad time", strings.Replace(ok, "2026-05-01T10:00:00Z", "yesterday", 1), custos.RoleIngest, 400, "malformed_json"},
			{"subject not an object", strings.Replace(ok, `{"email": "a@example.com"}`, `"a@example.com"`, 1), custos.RoleIngest, 400, "invalid_request"},
		}
		for _, c := range cases {
			status, _, b := f.do(t, "POST", "/api/v1/events", c.role, c.body)
			if status != c.status || errorCode(t, b) != c.code {
				t.Errorf("%s: %d %s; want %d %s", c.name, status, b, c.status, c.code)
			}
		}
		// The message names the key the policy does not declare, and the field.
		_, _, b = f.do(t, "POST", "/api/v1/events", custos.RoleIngest, strings.Replace(ok, "user.contact.email", "user.biometric.retinal", 1))
		if !strings.Contains(string(b), `\"user.biometric.retinal\"`) || !strings.Contains(string(b), `"field":"event.category"`) {
			t.Fatalf("refusal body %s", b)
		}

		var batch []string
		for i := 0; i < 30; i++ {
			batch = append(batch, strings.Replace(ok, "a@example.com", fmt.Sprintf("p%d@example.com", i), 2))
		}
		status, _, b = f.do(t, "POST", "/api/v1/events:batch", custos.RoleIngest, `{"events": [`+strings.Join(batch, ",")+`]}`)
		if status != 200 || strings.TrimSpace(string(b)) != `{"accepted":30}` {
			t.Fatalf("batch %d %s", status, b)
		}
		bad := append(batch[:2:2], strings.Replace(ok, "online_channels", "nowhere", 1))
		status, _, b = f.do(t, "POST", "/api/v1/events:batch", custos.RoleIngest, `{"events": [`+strings.Join(bad, ",")+`]}`)
		if status != 422 || errorCode(t, b) != "undeclared_source" || !strings.Contains(string(b), `"field":"events[2].source"`) {
			t.Fatalf("bad batch %d %s", status, b)
		}
		if n, _ := s.CountEvents(t.Context()); n != 32 {
			t.Fatalf("%d events stored, want 32", n)
		}

		// An operator can look a person up; every read is audited. Only
		// privacy officers and admins see the values: an agent sees what
		// is held, every value masked.
		reads := func() int {
			_, _, b := f.do(t, "GET", "/api/v1/audit?limit=1000", custos.RoleAuditor, "")
			return strings.Count(string(b), `"action":"subject.read"`)
		}
		for _, c := range []struct {
			role   custos.Role
			status int
			values bool
		}{
			{custos.RoleAdmin, 200, true},
			{custos.RolePrivacyOfficer, 200, true},
			{custos.RoleAgent, 200, false},
			{custos.RoleAuditor, 403, false},
			{custos.RoleIngest, 403, false},
		} {
			before := reads()
			status, _, b = f.do(t, "GET", "/api/v1/subjects?email=A@Example.com", c.role, "")
			if status != c.status {
				t.Fatalf("%s reading a subject: %d %s", c.role, status, b)
			}
			if status != 200 {
				if reads() != before {
					t.Fatalf("%s: a refused read was audited as a read", c.role)
				}
				continue
			}
			var got struct {
				Masked     *bool `json:"masked"`
				Identities []map[string]any
				Events     []map[string]any
			}
			if err := json.Unmarshal(b, &got); err != nil || got.Masked == nil || *got.Masked == c.values ||
				len(got.Identities) != 1 || len(got.Events) != 2 {
				t.Fatalf("%s: subject lookup %s", c.role, b)
			}
			// Both see what is held: kinds, categories, sources, recipients, dates.
			for _, want := range []string{`"kind":"email"`, `"category":"user.contact.email"`, `"source":"online_channels"`,
				`"recipient":"third_party_marketers"`, `"purpose":"essential.service"`, `"occurred_at":"2026-05-01T10:00:00Z"`, `"since":`} {
				if !strings.Contains(string(b), want) {
					t.Fatalf("%s: lookup lacks %s: %s", c.role, want, b)
				}
			}
			if c.values != strings.Contains(string(b), "a@example.com") {
				t.Fatalf("%s: values shown = %v, want %v: %s", c.role, !c.values, c.values, b)
			}
			if !c.values {
				// The same members, values null and marked masked.
				if v, ok := got.Identities[0]["value"]; !ok || v != nil || got.Identities[0]["masked"] != true {
					t.Fatalf("agent: identity not masked: %v", got.Identities[0])
				}
				for _, e := range got.Events {
					_, held := e["value"]
					if e["kind"] == "collection" && (!held || e["value"] != nil || e["masked"] != true) {
						t.Fatalf("agent: event value not masked: %v", e)
					}
					if e["kind"] == "disclosure" && (held || e["masked"] != nil) {
						t.Fatalf("agent: an event without a value came with one: %v", e)
					}
				}
			}
			if reads() != before+1 {
				t.Fatalf("%s: the read was not audited", c.role)
			}
		}
		if status, _, b := f.do(t, "GET", "/api/v1/subjects?email=nobody@example.com", custos.RoleAgent, ""); status != 404 || errorCode(t, b) != "not_found" {
			t.Fatalf("unknown subject %d %s", status, b)
		}
		_, _, b = f.do(t, "GET", "/api/v1/audit?limit=1000", custos.RoleAuditor, "")
		if !strings.Contains(string(b), `"action":"subject.read"`) || strings.Contains(string(b), "a@example.com") {
			t.Fatalf("operator read not audited, or personal data in the audit log: %s", b)
		}
	})
}

func TestContracts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		status, _, b := f.do(t, "POST", "/api/v1/contracts", custos.RolePrivacyOfficer,
			`{"recipient": "service_providers", "vendor": "PayCo", "signed_at": "2026-01-01T00:00:00Z", "expires_at": "2028-01-01T00:00:00Z"}`)
		if status != 201 || !strings.Contains(string(b), `"vendor":"PayCo"`) {
			t.Fatalf("add %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/contracts", custos.RolePrivacyOfficer, `{"recipient": "nobody"}`); status != 422 || errorCode(t, b) != "undeclared_recipient" {
			t.Fatalf("undeclared %d %s", status, b)
		}
		if status, _, _ := f.do(t, "POST", "/api/v1/contracts", custos.RoleIngest, `{"recipient": "service_providers"}`); status != 403 {
			t.Fatalf("ingest adding a contract: %d", status)
		}
		status, _, b = f.do(t, "GET", "/api/v1/contracts", custos.RoleAuditor, "")
		if status != 200 || !strings.Contains(string(b), `"recipient":"service_providers"`) {
			t.Fatalf("list %d %s", status, b)
		}
	})
}
