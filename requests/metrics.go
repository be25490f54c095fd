package requests

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// TypeMetrics is one line of the yearly request metrics (Cal. Code Regs.
// tit. 11 §7102).
type TypeMetrics struct {
	Type       string   `json:"type"`
	Received   int      `json:"received"`
	Complied   int      `json:"complied_in_whole_or_part"`
	Denied     int      `json:"denied"`
	Open       int      `json:"open"`
	MedianDays *float64 `json:"median_days_to_respond"`
	MeanDays   *float64 `json:"mean_days_to_respond"`
}

// MetricsReport is the yearly request metrics as disclosed: the totals
// of the scope the policy chose, and the same per jurisdiction.
type MetricsReport struct {
	Year int `json:"year"`
	// Scope is policy.MetricsCalifornia or policy.MetricsAllIndividuals;
	// Statement says it in words, for the disclosure (11 CCR §7102(b):
	// a business counting all individuals states that it has done so).
	Scope         string                `json:"scope"`
	Statement     string                `json:"statement"`
	Types         []TypeMetrics         `json:"types"`
	Jurisdictions []JurisdictionMetrics `json:"jurisdictions"`
	// ForControllers counts apart, and says so, the requests in scope that
	// reached data the company processes on behalf of controllers
	// (Customer Content) and were routed to them. They stay in Types: each
	// was a request to the company, answered for its own data; the part
	// the controllers answer for is theirs to count. Nil when none was.
	ForControllers *RoutedMetrics `json:"routed_to_controllers,omitempty"`
}

// RoutedMetrics is the processor's side of the yearly metrics.
type RoutedMetrics struct {
	Label       string            `json:"label"`
	Types       []RoutedCount     `json:"types"`
	Controllers []ControllerCount `json:"controllers"`
}

// RoutedCount is how many requests of a type were routed to controllers.
type RoutedCount struct {
	Type   string `json:"type"`
	Routed int    `json:"routed"`
}

// ControllerCount is how many requests were routed to one controller.
type ControllerCount struct {
	Controller string `json:"controller"`
	Requests   int    `json:"requests"`
}

// RoutedLabel is RoutedMetrics.Label.
const RoutedLabel = "Requests that also reached data we process on behalf of controllers (Customer Content), routed to them: " +
	"counted in the metrics above for our own data; the controllers answer for theirs."

// JurisdictionMetrics is the metrics of requests from one jurisdiction.
type JurisdictionMetrics struct {
	Jurisdiction string        `json:"jurisdiction"`
	Types        []TypeMetrics `json:"types"`
}

// Metrics counts the requests received in a calendar year, by type, in
// the scope the policy's rights.metrics_scope chose (see Report).
func (s *Service) Metrics(ctx context.Context, year int) ([]TypeMetrics, error) {
	r, err := s.Report(ctx, year)
	return r.Types, err
}

// Report counts the requests received in a calendar year, by type and by
// jurisdiction. 11 CCR §7102(a)(1) asks for the metrics of requests from
// California consumers, so by default only requests under California law
// (US-CA) are counted; §7102(b) lets a business count all individuals
// instead if its disclosure says so, which rights.metrics_scope:
// all_individuals chooses and Statement then says. Unverified and
// duplicate requests are counted as received but not as answered.
func (s *Service) Report(ctx context.Context, year int) (MetricsReport, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return MetricsReport{}, err
	}
	out := MetricsReport{Year: year, Scope: p.Manifest.Rights.Metrics()}
	out.Statement = fmt.Sprintf("These metrics count the requests received in %d from California consumers only (Cal. Code Regs. tit. 11 §7102(a)).", year)
	if out.Scope == policy.MetricsAllIndividuals {
		out.Statement = fmt.Sprintf("These metrics count the requests received in %d from all individuals, wherever they live, not only from California consumers (Cal. Code Regs. tit. 11 §7102(b)).", year)
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	rs, err := s.store.RequestsReceived(ctx, from, from.AddDate(1, 0, 0))
	if err != nil {
		return MetricsReport{}, err
	}
	var in []store.Request
	byJ := map[string][]store.Request{}
	for _, r := range rs {
		if out.Scope != policy.MetricsAllIndividuals && r.Jurisdiction != "US-CA" {
			continue
		}
		in = append(in, r)
		byJ[r.Jurisdiction] = append(byJ[r.Jurisdiction], r)
	}
	out.Types = count(in)
	out.Jurisdictions = []JurisdictionMetrics{}
	for _, j := range slices.Sorted(maps.Keys(byJ)) {
		out.Jurisdictions = append(out.Jurisdictions, JurisdictionMetrics{Jurisdiction: j, Types: count(byJ[j])})
	}
	evs, err := s.store.RequestEventsReceived(ctx, from, from.AddDate(1, 0, 0), []string{historyControllerNotified, historyControllerNoticeDue})
	if err != nil {
		return MetricsReport{}, err
	}
	out.ForControllers = routedMetrics(in, evs)
	return out, nil
}

// routedMetrics counts the requests of rs that the events evs (their
// controller notices) say were routed to controllers.
func routedMetrics(rs []store.Request, evs []store.RequestEvent) *RoutedMetrics {
	routedTo := map[string]map[string]bool{} // request id -> controllers
	for _, e := range evs {
		key, _, ok := strings.Cut(e.Note, ":")
		if !ok || key == "" {
			continue
		}
		if routedTo[e.RequestID] == nil {
			routedTo[e.RequestID] = map[string]bool{}
		}
		routedTo[e.RequestID][key] = true
	}
	byType, byController := map[string]int{}, map[string]int{}
	n := 0
	for _, r := range rs {
		cs := routedTo[r.ID]
		if len(cs) == 0 {
			continue
		}
		n++
		byType[r.Type]++
		for c := range cs {
			byController[c]++
		}
	}
	if n == 0 {
		return nil
	}
	out := &RoutedMetrics{Label: RoutedLabel, Types: []RoutedCount{}, Controllers: []ControllerCount{}}
	for _, t := range Types() {
		if byType[t] > 0 {
			out.Types = append(out.Types, RoutedCount{Type: t, Routed: byType[t]})
		}
	}
	for _, c := range slices.Sorted(maps.Keys(byController)) {
		out.Controllers = append(out.Controllers, ControllerCount{Controller: c, Requests: byController[c]})
	}
	return out
}

// count is the metrics of rs, one line per request type.
func count(rs []store.Request) []TypeMetrics {
	byType := map[string]*TypeMetrics{}
	days := map[string][]float64{}
	for _, t := range Types() {
		byType[t] = &TypeMetrics{Type: t}
	}
	for _, r := range rs {
		m := byType[r.Type]
		if m == nil {
			continue
		}
		m.Received++
		switch {
		case r.Status == StatusCompleted:
			m.Complied++
		case r.Status == StatusDenied:
			m.Denied++
		case open(r.Status):
			m.Open++
		}
		if (r.Status == StatusCompleted || r.Status == StatusDenied) && r.CompletedAt != nil {
			days[r.Type] = append(days[r.Type], r.CompletedAt.Sub(r.ReceivedAt).Hours()/24)
		}
	}
	out := make([]TypeMetrics, 0, len(byType))
	for _, t := range Types() {
		m := byType[t]
		if d := days[t]; len(d) > 0 {
			sort.Float64s(d)
			var sum float64
			for _, x := range d {
				sum += x
			}
			mean := round1(sum / float64(len(d)))
			median := d[len(d)/2]
			if len(d)%2 == 0 {
				median = (d[len(d)/2-1] + d[len(d)/2]) / 2
			}
			median = round1(median)
			m.MeanDays, m.MedianDays = &mean, &median
		}
		out = append(out, *m)
	}
	return out
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
