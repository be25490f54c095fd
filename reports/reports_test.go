package reports_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/reports"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

type env struct {
	svc   *wire.Services
	rep   *reports.Service
	clock *custos.FixedClock
}

func setup(t *testing.T, s *store.Store) *env {
	t.Helper()
	// Published in April, read in mid-June: requests can be taken in May.
	clock := &custos.FixedClock{T: time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)}
	svc := wiretest.New(t, wiretest.Options{Store: s, Clock: clock, BaseURL: "http://custos.test", Mail: true}).Services
	clock.T = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	return &env{svc: svc, rep: reports.New(reports.Config{Store: s, Policies: svc.Policies, Datasets: svc.DSR}), clock: clock}
}

func (e *env) event(t *testing.T, in records.Input) {
	t.Helper()
	if _, err := e.svc.Records.Record(context.Background(), "test", in); err != nil {
		t.Fatal(err)
	}
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// TestStatements: the statement, the record of processing and the
// aggregates count the events of their period against the policy in
// force, and the aggregates suppress cells of fewer than k people.
func TestStatements(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := setup(t, s)
		for _, who := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			e.event(t, records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: who}, Category: "user.contact.email",
				Source: "online_channels", Purpose: "essential.service", OccurredAt: at("2026-05-01T10:00:00Z")})
		}
		e.event(t, records.Input{Kind: "disclosure", Subject: custos.SubjectRef{Email: "a@example.com"}, Category: "user.contact.email",
			Recipient: "third_party_marketers", Purpose: "third_party_sharing", OccurredAt: at("2026-05-02T10:00:00Z")})
		// Outside the period: counted nowhere.
		e.event(t, records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "d@example.com"}, Category: "user.name",
			Source: "online_channels", Purpose: "essential.service", OccurredAt: at("2026-01-10T10:00:00Z")})
		from, to := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

		ccpa, err := e.rep.CCPA(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		p, _, _ := e.svc.Policies.Active(ctx)
		facts, _ := s.EventFacts(ctx, from, to)
		if want := records.CCPAReport(p.Manifest, facts, from, to); !equalJSON(t, ccpa, want) {
			t.Fatalf("ccpa = %+v; want %+v", ccpa, want)
		}
		if len(facts) != 2 {
			t.Fatalf("facts in the period = %+v", facts)
		}
		acts, err := e.rep.RoPA(ctx, from, to)
		if err != nil || len(acts) == 0 {
			t.Fatalf("ropa = %+v, %v", acts, err)
		}
		if want := records.RoPA(p.Manifest, facts, from, to); !equalJSON(t, acts, want) {
			t.Fatalf("ropa = %+v; want %+v", acts, want)
		}
		agg, err := e.rep.Aggregate(ctx, from, to, 3)
		if err != nil {
			t.Fatal(err)
		}
		cells, _ := s.MonthlyCells(ctx, from, to)
		if want := records.Aggregate(cells, 3); !equalJSON(t, agg, want) {
			t.Fatalf("aggregate = %+v; want %+v", agg, want)
		}
		// Customer Content, for the customers controller, three people:
		// in no own cell or total, counted apart and labelled.
		for _, who := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			e.event(t, records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: who}, Category: "user.content",
				Purpose: "essential.service", Controller: "customers", OccurredAt: at("2026-05-03T10:00:00Z")})
		}
		withCC, err := e.rep.Aggregate(ctx, from, to, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !equalJSON(t, withCC.Cells, agg.Cells) || !equalJSON(t, withCC.Totals, agg.Totals) {
			t.Fatalf("Customer Content changed the company's own aggregate: %+v, was %+v", withCC, agg)
		}
		fc := withCC.ForControllers
		if agg.ForControllers != nil || fc == nil || fc.Label != records.ForControllersLabel || len(fc.Cells) != 1 ||
			fc.Cells[0].Controller != "customers" || fc.Cells[0].Category != "user.content" || fc.Cells[0].Events == nil || *fc.Cells[0].Events != 3 {
			t.Fatalf("processed for controllers = %+v", fc)
		}
		// Three people collected, one disclosed: at k=3 the disclosure's
		// cell is suppressed, at k=4 every cell is.
		strict, err := e.rep.Aggregate(ctx, from, to, 4)
		if err != nil {
			t.Fatal(err)
		}
		if equalJSON(t, strict, agg) {
			t.Fatalf("k=4 suppresses nothing more than k=3: %+v", strict)
		}
	})
}

// TestDataMap: declared categories with the purposes and recipients the
// policy ties to them and the events recorded; an undeclared category met
// in events is listed as such.
func TestDataMap(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := setup(t, s)
		e.event(t, records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "a@example.com"}, Category: "user.contact.email",
			Source: "online_channels", Purpose: "essential.service", OccurredAt: at("2026-05-01T10:00:00Z")})
		e.event(t, records.Input{Kind: "disclosure", Subject: custos.SubjectRef{Email: "a@example.com"}, Category: "user.contact.email",
			Recipient: "third_party_marketers", Purpose: "third_party_sharing", OccurredAt: at("2026-05-02T10:00:00Z")})
		now := e.clock.Now()
		m, err := e.rep.DataMap(ctx, now.AddDate(-1, 0, 0), now)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := e.svc.Policies.Versions(ctx)
		p, _, _ := e.svc.Policies.Active(ctx)
		if m.Version != v[len(v)-1].Version || m.DatasetErr != nil || m.Datasets != 0 || len(m.Purposes) != len(p.Manifest.Purposes) {
			t.Fatalf("map = %+v", m)
		}
		var email *reports.MapCategory
		for _, c := range m.Categories {
			if c.Key == "user.contact.email" {
				email = c
			}
			if !c.Declared {
				t.Errorf("category %s not declared, but only declared ones were recorded", c.Key)
			}
		}
		if email == nil {
			t.Fatalf("no e-mail category: %+v", m.Categories)
		}
		purpose := func(key string) reports.MapUse {
			for _, u := range email.Purposes {
				if u.Key == key {
					return u
				}
			}
			return reports.MapUse{}
		}
		if u := purpose("essential.service"); !u.Declared || u.Events != 1 {
			t.Errorf("essential.service = %+v", u)
		}
		if u := purpose("third_party_sharing"); !u.Declared || u.Events != 1 {
			t.Errorf("third_party_sharing = %+v", u)
		}
		found := false
		for _, u := range email.Recipients {
			if u.Key == "third_party_marketers" {
				found = u.Events == 1 && u.Declared
			}
		}
		if !found {
			t.Errorf("recipients = %+v", email.Recipients)
		}
		for _, pu := range m.Purposes {
			if pu.Consent == "" || pu.LegalBasis == "" {
				t.Errorf("purpose %+v", pu)
			}
		}
	})
}

func TestConsentWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p    policy.Purpose
		want string
	}{
		{policy.Purpose{LegalBasis: "contract"}, "not needed (contract)"},
		{policy.Purpose{LegalBasis: "consent", Consent: &policy.Consent{Regimes: map[string]string{
			"EU": "opt_in", "DE": "opt_in", "default": "opt_out"}}}, "opt_in: DE, EU; opt_out: default"},
	}
	for _, c := range cases {
		if got := reports.ConsentWords(c.p); got != c.want {
			t.Errorf("ConsentWords(%+v) = %q; want %q", c.p, got, c.want)
		}
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}}
	for _, c := range cases {
		in := slices.Clone(c.in)
		if got := reports.Median(c.in); got != c.want || !slices.Equal(in, c.in) {
			t.Errorf("Median(%v) = %v; want %v, input unchanged", in, got, c.want)
		}
	}
	if !math.IsNaN(reports.Median(nil)) {
		t.Error("the median of nothing is a number")
	}
}

// TestActivity: requests by month and type, the days to answer those
// answered, consents by month, and mail given up on.
func TestActivity(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := setup(t, s)
		a, err := e.rep.Activity(ctx, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Months) != reports.ActivityMonths || a.Months[0] != time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC) ||
			a.Months[11] != time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) || a.Received != 0 || a.Answered != 0 ||
			len(a.ByType) != 0 || !math.IsNaN(a.Median) || !math.IsNaN(a.MedianDays[11]) {
			t.Fatalf("empty activity = %+v", a)
		}
		// Two requests received in May, one denied two days later; one
		// access request in June, still open.
		e.clock.T = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
		del, err := e.svc.Requests.SubmitOnBehalf(ctx, "token:1", requests.Intake{Type: requests.TypeDeletion, Email: "a@example.com",
			Jurisdiction: "US-CA", Channel: "phone"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Requests.SubmitOnBehalf(ctx, "token:1", requests.Intake{Type: requests.TypeAccess, Email: "b@example.com",
			Jurisdiction: "US-CA", Channel: "phone"}); err != nil {
			t.Fatal(err)
		}
		e.clock.T = e.clock.T.Add(48 * time.Hour)
		if _, err := e.svc.Requests.Deny(ctx, "token:1", del.ID, requests.DenyOther, "We keep these records by law."); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Consent.Record(ctx, "test", consent.Choice{Subject: custos.SubjectRef{Email: "a@example.com"},
			Purpose: "marketing.communications.email", Granted: true, Jurisdiction: "DE", Method: "web_form"}, false); err != nil {
			t.Fatal(err)
		}
		e.clock.T = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
		if _, err := e.svc.Requests.SubmitOnBehalf(ctx, "token:1", requests.Intake{Type: requests.TypeAccess, Email: "c@example.com",
			Jurisdiction: "US-CA", Channel: "phone"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Consent.Record(ctx, "test", consent.Choice{Subject: custos.SubjectRef{Email: "a@example.com"},
			Purpose: "marketing.communications.email", Granted: false, Jurisdiction: "DE", Method: "web_form"}, false); err != nil {
			t.Fatal(err)
		}
		a, err = e.rep.Activity(ctx, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if a.Received != 3 || a.Answered != 1 || a.Median != 2 || a.MedianDays[10] != 2 || !math.IsNaN(a.MedianDays[11]) {
			t.Fatalf("requests = received %d, answered %d, median %v, by month %v", a.Received, a.Answered, a.Median, a.MedianDays)
		}
		want := []reports.TypeCounts{{Type: requests.TypeAccess, Counts: month(10, 1, 11, 1)}, {Type: requests.TypeDeletion, Counts: month(10, 1)}}
		if !equalJSON(t, a.ByType, want) {
			t.Fatalf("by type = %+v", a.ByType)
		}
		if !slices.Equal(a.Granted, month(10, 1)) || !slices.Equal(a.Withdrawn, month(11, 1)) {
			t.Fatalf("consents: granted %v, withdrawn %v", a.Granted, a.Withdrawn)
		}
		counts, err := e.rep.Consents(ctx, time.Unix(0, 0), e.clock.Now().Add(time.Minute))
		if err != nil || len(counts) != 1 || counts[0].Scope != "marketing.communications.email" || counts[0].Granted != 1 || counts[0].Withdrawn != 1 {
			t.Fatalf("consents by scope = %+v, %v", counts, err)
		}

		// Mail refused for good is listed, without its content.
		before, err := e.rep.Undeliverable(ctx, 50)
		if err != nil || len(before) != 0 {
			t.Fatalf("undeliverable before = %+v, %v", before, err)
		}
		var id string
		if err := s.InTx(ctx, func(tx *store.Tx) (err error) {
			id, err = e.svc.Outbox.Enqueue(ctx, tx, mail.Message{To: "not an address", From: "Custos <custos@example.com>", Subject: "x", Text: "x"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Outbox.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := e.rep.Undeliverable(ctx, 50)
		if err != nil || len(after) != 1 || after[0].ID != id || after[0].FailedAt == nil || after[0].LastError == "" {
			t.Fatalf("undeliverable after = %+v, %v", after, err)
		}
	})
}

// month is twelve monthly counts, zero but for the given (index, count)
// pairs.
func month(pairs ...float64) []float64 {
	out := make([]float64, reports.ActivityMonths)
	for i := 0; i+1 < len(pairs); i += 2 {
		out[int(pairs[i])] = pairs[i+1]
	}
	return out
}

// TestDataMapForControllers: a connected collection the policy says holds
// a controller's data is not where the company's own categories live: it
// is listed apart, with its controller, and neither under a category's
// "held in" nor among the undeclared.
func TestDataMapForControllers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := setup(t, s)
		src := string(policy.Bundled())
		at := strings.Index(src, "    - key: customers\n")
		if at < 0 {
			t.Fatal("the bundled policy has no customers controller")
		}
		src = src[:at] + `    - key: acme
      name: Acme Hosting
      contact:
        email: dpo@acme.example
      agreement:
        reference: DPA-2026-7
        date: "2026-01-05"
      notify_within_days: 5
      categories: [user.content, user.authorization]
      purposes: [essential.service, essential.service.security]
      datasets: [shop.login]
` + src[at:]
		if _, err := e.svc.Policies.Publish(ctx, "test", "clientwise.yaml", []byte(src), e.clock.Now(), true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.DSR.Import(ctx, "test", "shop.yml", []byte(`dataset:
  - fides_key: shop
    collections:
      - name: customer
        fields:
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email, primary_key: true}
      - name: login
        fields:
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email}
          - name: device
            data_categories: [user.device.device_id]
`)); err != nil {
			t.Fatal(err)
		}
		now := e.clock.Now()
		m, err := e.rep.DataMap(ctx, now.AddDate(-1, 0, 0), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.ForControllers) != 1 || m.ForControllers[0].Collection != "shop:login" || m.ForControllers[0].Controller != "acme" ||
			!slices.Equal(m.ForControllers[0].Categories, []string{"user.contact.email", "user.device.device_id"}) {
			t.Fatalf("held for controllers = %+v", m.ForControllers)
		}
		for _, c := range append(m.Categories, m.Undeclared...) {
			for _, w := range c.Held {
				if strings.HasPrefix(w, "shop:login.") {
					t.Errorf("%s is held in %s, a collection held for acme", c.Key, w)
				}
			}
			if c.Key == "user.contact.email" && !slices.Contains(c.Held, "shop:customer.email") {
				t.Errorf("the company's own e-mails are no longer mapped: %+v", c.Held)
			}
		}
	})
}
