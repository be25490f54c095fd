package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/custos-privacy/custos/store"
)

func consentStatsCases() []suiteCase {
	return []suiteCase{
		{"ConsentCounts", testConsentCounts},
		{"ConsentCountsByMonth", testConsentCountsByMonth},
	}
}

// seedConsents writes a small ledger: two principals, three scopes, across
// the turn of a month and a year.
func seedConsents(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	jan := time.Date(2026, 1, 31, 23, 59, 59, 999999000, time.UTC)
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	entries := []store.ConsentEvent{
		{Principal: "s1", Scope: "marketing.communications.email", Granted: true, At: time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)},
		{Principal: "s1", Scope: "marketing.communications.email", Granted: false, At: jan},
		{Principal: "s2", Scope: "marketing.communications.email", Granted: true, At: jan},
		{Principal: "s2", Scope: "sale_sharing", Granted: false, GPC: true, At: feb},
		{Principal: "s1", Scope: "sale_sharing", Granted: false, At: feb.Add(time.Hour)},
		{Principal: "s1", Scope: "analytics.reporting", Granted: true, At: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
	}
	mustTx(t, s, func(tx *store.Tx) error {
		for _, e := range entries {
			e.Jurisdiction, e.Method, e.PolicyVersion, e.ReceiptID = "US-CA", "web_form", 1, "r-"+e.Principal
			if _, err := tx.AppendConsent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func testConsentCounts(t *testing.T, s *store.Store) {
	ctx := context.Background()
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	if got, err := s.ConsentCounts(ctx, from, to); err != nil || len(got) != 0 {
		t.Fatalf("empty ledger: %v, %v", got, err)
	}
	seedConsents(t, s)
	got, err := s.ConsentCounts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	// December's grant is before the period and March 5 is its exclusive end.
	want := []store.ConsentCount{
		{Scope: "marketing.communications.email", Granted: 1, Withdrawn: 1},
		{Scope: "sale_sharing", Withdrawn: 2, GPC: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("ConsentCounts = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ConsentCounts[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	all, err := s.ConsentCounts(ctx, time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(all) != 3 || all[0].Scope != "analytics.reporting" || all[1].Granted != 2 {
		t.Fatalf("all time = %+v, %v", all, err)
	}
}

func testConsentCountsByMonth(t *testing.T, s *store.Store) {
	ctx := context.Background()
	seedConsents(t, s)
	month := func(m time.Month) time.Time { return time.Date(2026, m, 1, 0, 0, 0, 0, time.UTC) }
	// From mid-December: the December grant is in, counted under December.
	got, err := s.ConsentCountsByMonth(ctx, time.Date(2025, 12, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ConsentMonth{
		{Month: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), ConsentCount: store.ConsentCount{Scope: "marketing.communications.email", Granted: 1}},
		{Month: month(1), ConsentCount: store.ConsentCount{Scope: "marketing.communications.email", Granted: 1, Withdrawn: 1}},
		{Month: month(2), ConsentCount: store.ConsentCount{Scope: "sale_sharing", Withdrawn: 2, GPC: 1}},
		{Month: month(3), ConsentCount: store.ConsentCount{Scope: "analytics.reporting", Granted: 1}},
	}
	if len(got) != len(want) {
		t.Fatalf("ConsentCountsByMonth = %+v", got)
	}
	for i := range want {
		if !got[i].Month.Equal(want[i].Month) || got[i].ConsentCount != want[i].ConsentCount {
			t.Fatalf("ConsentCountsByMonth[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A period within one month.
	one, err := s.ConsentCountsByMonth(ctx, month(2), month(2).Add(30*time.Minute))
	if err != nil || len(one) != 1 || !one[0].Month.Equal(month(2)) || one[0].Withdrawn != 1 || one[0].GPC != 1 {
		t.Fatalf("within February = %+v, %v", one, err)
	}
	if none, err := s.ConsentCountsByMonth(ctx, month(4), month(4)); err != nil || len(none) != 0 {
		t.Fatalf("empty period = %+v, %v", none, err)
	}
	if _, err := s.ConsentCountsByMonth(ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), month(1)); err == nil {
		t.Fatal("a period of 26 years was accepted")
	}
}
