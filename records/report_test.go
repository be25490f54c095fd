package records

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

var bundled = sync.OnceValues(func() (*policy.Manifest, error) {
	l, err := policy.NewLoader()
	if err != nil {
		return nil, err
	}
	p, err := l.Parse(policy.BundledName, policy.Bundled())
	if err != nil {
		return nil, err
	}
	return p.Manifest, nil
})

func manifest(t *testing.T) *policy.Manifest {
	t.Helper()
	m, err := bundled()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	from = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

func collect(category, source, purpose string, events, subjects int64) store.Fact {
	return store.Fact{Kind: custos.EventCollection, Category: category, Source: source, Purpose: purpose, Events: events, Subjects: subjects}
}

func disclose(category, recipient, purpose string, events, subjects, noContract int64) store.Fact {
	return store.Fact{Kind: custos.EventDisclosure, Category: category, Recipient: recipient, Purpose: purpose, Events: events, Subjects: subjects, NoContract: noContract}
}

// Everything as the bundled manifest declares it.
var cleanFacts = []store.Fact{
	collect("user.contact.email", "online_channels", "essential.service", 5, 3),
	disclose("user.contact.email", "third_party_marketers", "third_party_sharing", 4, 4, 0),
	disclose("user.contact.email", "service_providers", "essential.service", 3, 2, 0),
}

// Beyond the notice in every way the report looks for.
var mixedFacts = []store.Fact{
	collect("user.contact.email", "online_channels", "essential.service", 5, 3),
	collect("user.contact.email", "offline_channels", "marketing.communications", 2, 2),
	collect("user.device.ip_address", "online_channels", "essential.service.security", 10, 4),
	collect("user.workplace", "third_parties", "essential.service", 1, 1),
	collect("user.biometric.retinal", "online_channels", "essential.service.authentication", 3, 2),             // undeclared category
	collect("user.behavior.purchase_history", "purchased_lists", "essential.service.payment_processing", 1, 1), // undeclared source
	disclose("user.contact.email", "third_party_marketers", "third_party_sharing", 4, 4, 0),
	disclose("user.demographic.date_of_birth", "third_party_marketers", "third_party_sharing", 1, 1, 0),      // not in its categories
	disclose("user.contact.email", "service_providers", "essential.service", 3, 2, 2),                        // no contract
	disclose("user.behavior.purchase_history", "customers", "essential.service.payment_processing", 1, 1, 0), // not in its purposes
	disclose("user.biometric.retinal", "data_brokers", "personalize", 2, 2, 0),                               // undeclared recipient and purpose
	{Kind: "erasure", Category: "user.name", Purpose: "ignored", Events: 99, Subjects: 99},
}

// Summaries turn report parts into strings so expectations are exact lists.

func collectedSummary(gs []CollectedGroup) []string {
	var out []string
	for _, g := range gs {
		var keys []string
		for _, c := range g.Categories {
			keys = append(keys, fmt.Sprintf("%s(%d/%d/%d,%t)", c.Key, c.Events, c.SubjectGroups, c.SubjectsAtLeast, c.Declared))
		}
		out = append(out, g.Key+": "+strings.Join(keys, " "))
	}
	return out
}

func disclosedSummary(gs []DisclosedGroup) []string {
	var out []string
	for _, g := range gs {
		for _, c := range g.Categories {
			out = append(out, fmt.Sprintf("%s %s -> %s (%d)", g.Key, c.Key, strings.Join(c.Recipients, ","), c.Events))
		}
	}
	return out
}

func flagSummary(fs []Flag) []string {
	var out []string
	for _, f := range fs {
		s := f.Code
		if f.Reason != "" {
			s += "/" + f.Reason
		}
		for _, kv := range [][2]string{{"category", f.Category}, {"source", f.Source}, {"purpose", f.Purpose}, {"recipient", f.Recipient}} {
			if kv[1] != "" {
				s += " " + kv[0] + "=" + kv[1]
			}
		}
		out = append(out, fmt.Sprintf("%s count=%d", s, f.Count))
	}
	return out
}

func thirdPartySummary(ts []ThirdParty) []string {
	var out []string
	for _, r := range ts {
		out = append(out, fmt.Sprintf("%s kind=%s sale=%t declared=%t cats=%s ccpa=%s events=%d",
			r.Key, r.Kind, r.SaleOrShare, r.Declared, strings.Join(r.Categories, ","), strings.Join(r.CCPACategories, ","), r.Events))
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestCCPAReport(t *testing.T) {
	t.Parallel()
	m := manifest(t)
	cases := []struct {
		name                         string
		facts                        []store.Fact
		collected, sources, purposes []string
		business                     []string
		thirdParties                 []string
		sold, forBusiness, flags     []string
		exceeds                      bool
	}{
		{
			name:  "empty",
			facts: nil,
		},
		{
			name:         "as declared",
			facts:        cleanFacts,
			collected:    []string{"identifiers: user.contact.email(5/3/3,true)"},
			sources:      []string{"online_channels"},
			purposes:     []string{"essential.service", "third_party_sharing"},
			business:     []string{"short_term_transient_use=essential.service", "performing_services=essential.service"},
			thirdParties: []string{"third_party_marketers kind=third_party_for_own_marketing sale=true declared=true cats=user.contact.email ccpa=identifiers events=4", "service_providers kind=service_provider sale=false declared=true cats=user.contact.email ccpa=identifiers events=3"},
			sold:         []string{"identifiers user.contact.email -> third_party_marketers (4)"},
			forBusiness:  []string{"identifiers user.contact.email -> service_providers (3)"},
		},
		{
			name:         "no contract only",
			facts:        []store.Fact{disclose("user.contact.email", "service_providers", "essential.service", 3, 2, 2)},
			purposes:     []string{"essential.service"},
			business:     []string{"short_term_transient_use=essential.service", "performing_services=essential.service"},
			thirdParties: []string{"service_providers kind=service_provider sale=false declared=true cats=user.contact.email ccpa=identifiers events=3"},
			forBusiness:  []string{"identifiers user.contact.email -> service_providers (3)"},
			flags:        []string{"no_contract recipient=service_providers count=2"},
			exceeds:      false,
		},
		{
			name:  "beyond the notice",
			facts: mixedFacts,
			collected: []string{
				"identifiers: user.contact.email(7/5/3,true) user.device.ip_address(10/4/4,true)",
				"commercial_information: user.behavior.purchase_history(1/1/1,true)",
				"professional: user.workplace(1/1/1,true)",
				"unclassified: user.biometric.retinal(3/2/2,false)",
			},
			sources: []string{"online_channels", "offline_channels", "third_parties", "purchased_lists"},
			purposes: []string{"essential.service", "essential.service.payment_processing", "marketing.communications",
				"third_party_sharing", "essential.service.authentication", "essential.service.security", "personalize"},
			business: []string{
				"security=essential.service.authentication,essential.service.security",
				"short_term_transient_use=essential.service",
				"performing_services=essential.service,essential.service.payment_processing,marketing.communications",
			},
			thirdParties: []string{
				"third_party_marketers kind=third_party_for_own_marketing sale=true declared=true cats=user.contact.email,user.demographic.date_of_birth ccpa=identifiers events=5",
				"customers kind=customer sale=false declared=true cats=user.behavior.purchase_history ccpa=commercial_information events=1",
				"service_providers kind=service_provider sale=false declared=true cats=user.contact.email ccpa=identifiers events=3",
				"data_brokers kind= sale=false declared=false cats=user.biometric.retinal ccpa=unclassified events=2",
			},
			sold: []string{
				"identifiers user.contact.email -> third_party_marketers (4)",
				"identifiers user.demographic.date_of_birth -> third_party_marketers (1)",
			},
			forBusiness: []string{
				"identifiers user.contact.email -> service_providers (3)",
				"commercial_information user.behavior.purchase_history -> customers (1)",
				"unclassified user.biometric.retinal -> data_brokers (2)",
			},
			flags: []string{
				"exceeds_notice/undeclared_category category=user.biometric.retinal count=5",
				"exceeds_notice/undeclared_source source=purchased_lists count=1",
				"exceeds_notice/undeclared_purpose purpose=personalize count=2",
				"exceeds_notice/undeclared_recipient recipient=data_brokers count=2",
				"exceeds_notice/category_not_allowed category=user.demographic.date_of_birth recipient=third_party_marketers count=1",
				"exceeds_notice/purpose_not_allowed purpose=essential.service.payment_processing recipient=customers count=1",
				"no_contract recipient=service_providers count=2",
			},
			exceeds: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := CCPAReport(m, tc.facts, from, to)
			if r.Period != (Period{"2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}) {
				t.Errorf("period = %+v", r.Period)
			}
			equal(t, "categories_collected", collectedSummary(r.CategoriesCollected), tc.collected)
			equal(t, "sources", keysOf(r.Sources, func(s SourceUse) string { return s.Key }), nilIfEmpty(tc.sources))
			equal(t, "purposes", keysOf(r.Purposes, func(p PurposeUse) string { return p.Key }), nilIfEmpty(tc.purposes))
			equal(t, "business_purposes", keysOf(r.BusinessPurposes, func(b BusinessPurpose) string { return b.Key + "=" + strings.Join(b.Purposes, ",") }), nilIfEmpty(tc.business))
			equal(t, "third_parties", thirdPartySummary(r.ThirdParties), tc.thirdParties)
			equal(t, "sold_or_shared", disclosedSummary(r.SoldOrShared), tc.sold)
			equal(t, "disclosed_for_business_purpose", disclosedSummary(r.DisclosedForBusinessPurpose), tc.forBusiness)
			equal(t, "flags", flagSummary(r.Flags), tc.flags)
			if r.ExceedsNotice != tc.exceeds {
				t.Errorf("exceeds_notice = %t, want %t", r.ExceedsNotice, tc.exceeds)
			}
			// Every message is a sentence naming its keys.
			for _, f := range r.Flags {
				if !strings.HasSuffix(f.Message, ".") || f.Message[:1] != strings.ToUpper(f.Message[:1]) {
					t.Errorf("message %q is not a sentence", f.Message)
				}
				for _, k := range []string{f.Category, f.Source, f.Purpose, f.Recipient} {
					if k != "" && !strings.Contains(f.Message, `"`+k+`"`) {
						t.Errorf("message %q does not name %q", f.Message, k)
					}
				}
			}
			// Lists are [] in JSON, never null.
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("null")) {
				t.Errorf("JSON has null: %s", b)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	return s
}

func TestCCPAReportDetails(t *testing.T) {
	t.Parallel()
	m := manifest(t)
	r := CCPAReport(m, mixedFacts, from, to)

	g := r.CategoriesCollected[0]
	if g.Label != "Identifiers" || !strings.HasPrefix(g.Text, "identifiers such as a real name") {
		t.Errorf("identifiers group = %q, %q", g.Label, g.Text)
	}
	if d := g.Categories[0].Description; d != "Email address" {
		t.Errorf("user.contact.email description = %q", d)
	}
	if d := r.CategoriesCollected[3].Categories[0].Description; d != "" {
		t.Errorf("undeclared category has description %q", d)
	}
	src := r.Sources[0]
	if src.Name != "You, through the Online Channels" || src.Description == "" || !src.Declared || src.Events != 18 {
		t.Errorf("online_channels = %+v", src)
	}
	if s := r.Sources[3]; s.Declared || s.Name != "" {
		t.Errorf("purchased_lists = %+v", s)
	}
	if p := r.Purposes[0]; p.Name != "Providing our products and services" || p.LegalBasis != policy.BasisContract || p.Events != 9 {
		t.Errorf("essential.service = %+v", p)
	}
	if p := r.Purposes[3]; p.Key != "third_party_sharing" || p.LegalBasis != policy.BasisConsent {
		t.Errorf("third_party_sharing = %+v", p)
	}
	if !strings.HasPrefix(r.BusinessPurposes[0].Text, "detecting security incidents") {
		t.Errorf("security text = %q", r.BusinessPurposes[0].Text)
	}
	if tp := r.ThirdParties[0]; !strings.HasPrefix(tp.CCPADescription, "third-party marketers") || tp.Name != "Third-party marketers" {
		t.Errorf("third_party_marketers = %+v", tp)
	}
	last := r.Flags[len(r.Flags)-1]
	if last.Message != `2 events disclosed to recipient "service_providers", which requires a contract, had no contract on record.` {
		t.Errorf("no_contract message = %q", last.Message)
	}
}

func TestRoPA(t *testing.T) {
	t.Parallel()
	m := withoutRetentionRules(manifest(t))
	acts := RoPA(m, mixedFacts, from, to)
	if got, want := len(acts), len(m.Purposes)+1; got != want {
		t.Fatalf("%d activities, want %d", got, want)
	}
	byKey := map[string]ProcessingActivity{}
	for i, a := range acts {
		byKey[a.Purpose] = a
		if i < len(m.Purposes) && a.Purpose != m.Purposes[i].Key {
			t.Errorf("activity %d is %q, want manifest order %q", i, a.Purpose, m.Purposes[i].Key)
		}
	}
	if acts[len(acts)-1].Purpose != "personalize" {
		t.Errorf("last activity = %q, want the undeclared purpose", acts[len(acts)-1].Purpose)
	}

	cases := []struct {
		purpose    string
		declared   bool
		basis      string
		categories []string
		recorded   []string
		recipients []string
		events     int64
	}{
		{"essential.service", true, "contract", []string{"user.contact.email", "user.workplace"},
			[]string{"user.contact.email=8", "user.workplace=1"}, []string{"service_providers/service_provider/true"}, 9},
		{"third_party_sharing", true, "consent", []string{"user.contact.email", "user.demographic.date_of_birth"},
			[]string{"user.contact.email=4", "user.demographic.date_of_birth=1"}, []string{"third_party_marketers/third_party_for_own_marketing/true"}, 5},
		{"essential.service.payment_processing", true, "contract", []string{"user.behavior.purchase_history"},
			[]string{"user.behavior.purchase_history=2"}, []string{"customers/customer/true"}, 2},
		{"essential.service.security", true, "legitimate_interests", []string{"user.device.ip_address"},
			[]string{"user.device.ip_address=10"}, nil, 10},
		{"analytics.reporting", true, "legitimate_interests", nil, nil, nil, 0},
		{"personalize", false, "", []string{"user.biometric.retinal"},
			[]string{"user.biometric.retinal=2"}, []string{"data_brokers//false"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.purpose, func(t *testing.T) {
			t.Parallel()
			a, ok := byKey[tc.purpose]
			if !ok {
				t.Fatalf("no activity for %q", tc.purpose)
			}
			if a.Declared != tc.declared || a.LegalBasis != tc.basis || a.Events != tc.events {
				t.Errorf("declared=%t basis=%q events=%d, want %t %q %d", a.Declared, a.LegalBasis, a.Events, tc.declared, tc.basis, tc.events)
			}
			equal(t, "data_categories", keysOf(a.DataCategories, func(d Described) string { return d.Key }), nilIfEmpty(tc.categories))
			equal(t, "categories_recorded", keysOf(a.CategoriesRecorded, func(c CategoryCount) string { return fmt.Sprintf("%s=%d", c.Key, c.Events) }), nilIfEmpty(tc.recorded))
			equal(t, "recipients", keysOf(a.Recipients, func(r ActivityRecipient) string { return fmt.Sprintf("%s/%s/%t", r.Key, r.Kind, r.Declared) }), nilIfEmpty(tc.recipients))
			equal(t, "data_subjects", keysOf(a.DataSubjects, func(d Described) string { return d.Key }), []string{"customer", "prospect", "visitor", "trainee"})
			if a.Controller != (Controller{"IMAJine Legal Solutions, Inc.", "support@clientwiseportal.com"}) {
				t.Errorf("controller = %+v", a.Controller)
			}
			if a.Transfers != "none declared" {
				t.Errorf("transfers = %q", a.Transfers)
			}
			// Without retention rules: the notice's words (rules: TestRoPARetentionRules).
			equal(t, "retention", a.Retention, m.Notice.Retention)
			equal(t, "security_measures", a.SecurityMeasures, m.Notice.Security)
		})
	}

	if d := byKey["essential.service"].DataCategories[0]; d.Description != "Email address" || !d.Declared {
		t.Errorf("essential.service category = %+v", d)
	}
	if n := byKey["essential.service"].Name; n != "Providing our products and services" {
		t.Errorf("name = %q", n)
	}
}

func TestRoPARetentionRules(t *testing.T) {
	t.Parallel()
	base := manifest(t)
	m := *base // shallow copy; only Retention is replaced
	m.Retention = policy.Retention{Rules: []policy.RetentionRule{
		{Category: "user.contact.email", Duration: "13 months", Trigger: "last_activity", Reason: "to answer follow-up questions"},
		{Category: "user.workplace", Purpose: "marketing.communications", Duration: "2 years", Trigger: "collected", Reason: "event follow-up"},
	}}
	byKey := map[string]ProcessingActivity{}
	for _, a := range RoPA(&m, mixedFacts, from, to) {
		byKey[a.Purpose] = a
	}
	email := "user.contact.email: 13 months after the person's last activity (to answer follow-up questions)"
	cases := []struct {
		purpose string
		want    []string
	}{
		{"essential.service", []string{email}}, // the workplace rule is for another purpose
		{"third_party_sharing", []string{email}},
		{"essential.service.payment_processing", base.Notice.Retention}, // no rule for its categories
		{"marketing.communications", []string{email}},                   // workplace not recorded for it
	}
	for _, tc := range cases {
		t.Run(tc.purpose, func(t *testing.T) {
			t.Parallel()
			equal(t, "retention", byKey[tc.purpose].Retention, tc.want)
		})
	}
}

func TestRoPACSV(t *testing.T) {
	t.Parallel()
	m := withoutRetentionRules(manifest(t))
	acts := RoPA(m, mixedFacts, from, to)
	var buf bytes.Buffer
	if err := RoPACSV(&buf, acts); err != nil {
		t.Fatal(err)
	}
	header := "purpose,name,declared,legal_basis,controller,controller_email,data_subjects,data_categories,categories_recorded,recipients,transfers,retention,security_measures,events,period_from,period_to\r\n"
	if !strings.HasPrefix(buf.String(), header) {
		t.Fatalf("CSV starts %q", buf.String()[:min(200, buf.Len())])
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(acts)+1 {
		t.Fatalf("%d rows, want %d", len(rows), len(acts)+1)
	}
	want := []string{
		"essential.service", "Providing our products and services", "true", "contract",
		"IMAJine Legal Solutions, Inc.", "support@clientwiseportal.com",
		"customer; prospect; visitor; trainee",
		"user.contact.email; user.workplace",
		"user.contact.email: 8; user.workplace: 1",
		"service_providers",
		"none declared",
		strings.Join(m.Notice.Retention, "; "),
		strings.Join(m.Notice.Security, "; "),
		"9", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z",
	}
	equal(t, "essential.service row", rows[1], want)
	last := rows[len(rows)-1]
	equal(t, "personalize row (first columns)", last[:4], []string{"personalize", "", "false", ""})
}

func TestAggregate(t *testing.T) {
	t.Parallel()
	cells := []store.Cell{
		{Category: "user.contact.email", Purpose: "essential.service", Month: "2024-02", Events: 9, Subjects: 3},
		{Category: "user.contact.email", Purpose: "essential.service", Month: "2024-01", Events: 5, Subjects: 2},
		{Category: "user.name", Purpose: "essential.service", Month: "2024-01", Events: 1, Subjects: 1},
		{Category: "user.workplace", Purpose: "marketing.communications", Month: "2024-01", Events: 7, Subjects: 4},
	}
	cases := []struct {
		name   string
		k      int
		wantK  int
		cells  []string // month category purpose: events/subjects or "suppressed"
		totals []string // month: events/subject_groups cells+suppressed
	}{
		{
			name: "k below 2 is clamped", k: 0, wantK: 2,
			cells: []string{
				"2024-01 user.contact.email essential.service 5/2",
				"2024-01 user.name essential.service suppressed",
				"2024-01 user.workplace marketing.communications 7/4",
				"2024-02 user.contact.email essential.service 9/3",
			},
			totals: []string{"2024-01: 12/6 2+1", "2024-02: 9/3 1+0"},
		},
		{
			name: "k of 1 is clamped", k: 1, wantK: 2,
			cells: []string{
				"2024-01 user.contact.email essential.service 5/2",
				"2024-01 user.name essential.service suppressed",
				"2024-01 user.workplace marketing.communications 7/4",
				"2024-02 user.contact.email essential.service 9/3",
			},
			totals: []string{"2024-01: 12/6 2+1", "2024-02: 9/3 1+0"},
		},
		{
			name: "k-1 suppressed, k shown", k: 3, wantK: 3,
			cells: []string{
				"2024-01 user.contact.email essential.service suppressed",
				"2024-01 user.name essential.service suppressed",
				"2024-01 user.workplace marketing.communications 7/4",
				"2024-02 user.contact.email essential.service 9/3",
			},
			totals: []string{"2024-01: 7/4 1+2", "2024-02: 9/3 1+0"},
		},
		{
			name: "everything suppressed", k: 5, wantK: 5,
			cells: []string{
				"2024-01 user.contact.email essential.service suppressed",
				"2024-01 user.name essential.service suppressed",
				"2024-01 user.workplace marketing.communications suppressed",
				"2024-02 user.contact.email essential.service suppressed",
			},
			totals: []string{"2024-01: 0/0 0+3", "2024-02: 0/0 0+1"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Aggregate(cells, tc.k)
			if r.K != tc.wantK {
				t.Errorf("k = %d, want %d", r.K, tc.wantK)
			}
			var got []string
			for _, c := range r.Cells {
				s := c.Month + " " + c.Category + " " + c.Purpose + " "
				switch {
				case c.Suppressed && c.Events == nil && c.Subjects == nil:
					s += "suppressed"
				case c.Suppressed:
					s += "suppressed but counted"
				case c.Events == nil || c.Subjects == nil:
					s += "missing counts"
				default:
					s += fmt.Sprintf("%d/%d", *c.Events, *c.Subjects)
				}
				got = append(got, s)
			}
			equal(t, "cells", got, tc.cells)
			var totals []string
			for _, m := range r.Totals {
				totals = append(totals, fmt.Sprintf("%s: %d/%d %d+%d", m.Month, m.Events, m.SubjectGroups, m.Cells, m.SuppressedCells))
			}
			equal(t, "totals", totals, tc.totals)
		})
	}

	// A suppressed cell's counts are null in JSON; the input is not reordered.
	r := Aggregate(cells, 2)
	b, err := json.Marshal(r.Cells[1])
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"category":"user.name","purpose":"essential.service","month":"2024-01","suppressed":true,"events":null,"subjects":null}` {
		t.Errorf("suppressed cell JSON = %s", b)
	}
	if cells[0].Month != "2024-02" {
		t.Error("Aggregate reordered its input")
	}
	if e := Aggregate(nil, 2); e.Cells == nil || e.Totals == nil || e.K != 2 {
		t.Errorf("empty aggregate = %+v", e)
	}
}

// TestAggregateForControllers: events processed on behalf of controllers
// never enter the company's own cells or totals; they are counted apart,
// labelled, by controller, suppressed with the same k.
func TestAggregateForControllers(t *testing.T) {
	t.Parallel()
	cells := []store.Cell{
		{Category: "user.contact.email", Purpose: "essential.service", Month: "2024-01", Events: 5, Subjects: 2},
		{Controller: "customers", Category: "user.content", Purpose: "essential.service", Month: "2024-01", Events: 40, Subjects: 9},
		{Controller: "acme", Category: "user.content", Purpose: "essential.service", Month: "2024-01", Events: 3, Subjects: 1},
		{Controller: "acme", Category: "user.contact.email", Purpose: "essential.service", Month: "2024-01", Events: 8, Subjects: 4},
	}
	r := Aggregate(cells, 2)
	if len(r.Cells) != 1 || r.Cells[0].Controller != "" || *r.Cells[0].Events != 5 {
		t.Fatalf("own cells = %+v", r.Cells)
	}
	if len(r.Totals) != 1 || r.Totals[0].Events != 5 || r.Totals[0].SubjectGroups != 2 || r.Totals[0].SuppressedCells != 0 {
		t.Fatalf("own totals = %+v", r.Totals)
	}
	fc := r.ForControllers
	if fc == nil || fc.Label != ForControllersLabel {
		t.Fatalf("for controllers = %+v", fc)
	}
	var got []string
	for _, c := range fc.Cells {
		s := c.Controller + " " + c.Category
		if c.Suppressed {
			s += " suppressed"
		} else {
			s += fmt.Sprintf(" %d/%d", *c.Events, *c.Subjects)
		}
		got = append(got, s)
	}
	equal(t, "controller cells", got, []string{"acme user.contact.email 8/4", "acme user.content suppressed", "customers user.content 40/9"})
	if len(fc.Totals) != 1 || fc.Totals[0].Events != 48 || fc.Totals[0].SuppressedCells != 1 {
		t.Fatalf("controller totals = %+v", fc.Totals)
	}
	if own := Aggregate(cells[:1], 2); own.ForControllers != nil {
		t.Fatalf("no controller events, yet %+v", own.ForControllers)
	}
}

// withoutRetentionRules is a copy of m with no retention rules, for the
// tests of what a record says when a manifest has none.
func withoutRetentionRules(m *policy.Manifest) *policy.Manifest {
	c := *m
	c.Retention = policy.Retention{}
	return &c
}

func TestRoPABundledRetention(t *testing.T) {
	t.Parallel()
	for _, a := range RoPA(manifest(t), mixedFacts, from, to) {
		if a.Purpose != "essential.service.payment_processing" {
			continue
		}
		want := []string{"user.behavior.purchase_history: 7 years after it is collected (Tax and accounting law requires us to keep billing and payment records for 7 years.)"}
		equal(t, "retention", a.Retention, want)
		return
	}
	t.Fatal("no payment processing activity")
}
