package requests

import (
	"context"
	"sort"
	"time"
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

// Metrics counts the requests received in a calendar year, by type.
// Unverified and duplicate requests are counted as received but not as
// answered.
func (s *Service) Metrics(ctx context.Context, year int) ([]TypeMetrics, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	rs, err := s.store.RequestsReceived(ctx, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
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
	return out, nil
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }
