package requests_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestCategoriesLookBack: Cal. Civ. Code §1798.130(a)(2)(B) and 11 CCR
// §7024(h): asked for, a categories request reaches beyond the 12 months
// before receipt, back to data collected on or after 2022-01-01 — and no
// further; without asking, 12 months. A look-back on a type that covers
// no period is refused on its field.
func TestCategoriesLookBack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		in2023, in2021 := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
		loc := collected("user.location.precise", "51.5,-0.1")
		loc.OccurredAt = &in2023
		job := collected("user.job_title", "Engineer")
		job.OccurredAt = &in2021
		e.seed("lb@example.com", collected("user.name", "L"), loc, job)
		for _, tt := range []struct {
			beyond bool
			period string
			cats   []string
		}{
			{false, "2025-03-06 to 2026-03-06", []string{"user.name"}},
			{true, "2022-01-01 to 2026-03-06", []string{"user.location.precise", "user.name"}}, // 2021 stays out
		} {
			v := e.submitAndVerify(requests.Intake{Type: "categories", Email: "lb@example.com", Jurisdiction: "US-CA", BeyondTwelveMonths: tt.beyond})
			if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
				t.Fatal(err)
			}
			p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			var cats []string
			for _, c := range p.Categories {
				cats = append(cats, c.Key)
			}
			slices.Sort(cats)
			if p.Request.Period != tt.period || !slices.Equal(cats, tt.cats) {
				t.Errorf("beyond 12 months %v: period %q, categories %v; want %q, %v", tt.beyond, p.Request.Period, cats, tt.period, tt.cats)
			}
		}
		_, err := e.svc.Submit(ctx, requests.Intake{Type: "deletion", Email: "lb@example.com", Jurisdiction: "US-CA", BeyondTwelveMonths: true}, "192.0.2.1", false)
		if f := fieldOf(err); f != "beyond_12_months" {
			t.Fatalf("a look-back on a deletion: %v", err)
		}
	})
}

func fieldOf(err error) string { return custos.AsError(err).Field }
