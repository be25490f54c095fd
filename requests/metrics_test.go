package requests_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestMetricsScope: 11 CCR §7102(a)(1) asks for the metrics of requests
// from California consumers; §7102(b) lets a business count all
// individuals only if its disclosure says so. Without
// rights.metrics_scope only US-CA requests count; with all_individuals
// every jurisdiction counts and the statement says so; both break the
// totals down per jurisdiction.
func TestMetricsScope(t *testing.T) {
	t.Parallel()
	all := policy.Bundled()
	line := []byte("  metrics_scope: all_individuals\n")
	if !bytes.Contains(all, line) {
		t.Fatal("the bundled policy no longer counts all individuals")
	}
	california := bytes.Replace(all, line, nil, 1)
	for _, tt := range []struct {
		name          string
		yml           []byte
		scope, says   string
		received      int
		jurisdictions []string
	}{
		{"default: California consumers", california, policy.MetricsCalifornia, "California consumers only", 1, []string{"US-CA"}},
		{"all individuals, said", all, policy.MetricsAllIndividuals, "from all individuals", 3, []string{"DE", "GB", "US-CA"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				e := newEnvWith(t, s, tt.yml)
				for _, in := range []requests.Intake{{Type: "access", Email: "ca@example.com", Jurisdiction: "US-CA"},
					{Type: "access", Email: "de@example.com", Jurisdiction: "DE"}, {Type: "access", Email: "gb@example.com", Jurisdiction: "GB"}} {
					e.submitAndVerify(in)
				}
				r, err := e.svc.Report(context.Background(), e.clock.Now().Year())
				if err != nil {
					t.Fatal(err)
				}
				if r.Scope != tt.scope || !strings.Contains(r.Statement, tt.says) {
					t.Errorf("scope %q, statement %q", r.Scope, r.Statement)
				}
				if got := received(r.Types); got != tt.received {
					t.Errorf("access received %d, want %d", got, tt.received)
				}
				var js []string
				for _, j := range r.Jurisdictions {
					js = append(js, j.Jurisdiction)
					if received(j.Types) != 1 {
						t.Errorf("%s: access received %d, want 1", j.Jurisdiction, received(j.Types))
					}
				}
				if strings.Join(js, ",") != strings.Join(tt.jurisdictions, ",") {
					t.Errorf("jurisdictions %v, want %v", js, tt.jurisdictions)
				}
			})
		})
	}
}

func received(ts []requests.TypeMetrics) int {
	for _, m := range ts {
		if m.Type == requests.TypeAccess {
			return m.Received
		}
	}
	return -1
}
