package reports

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
)

// ActivityMonths is how many calendar months Activity covers.
const ActivityMonths = 12

// Activity is the console's last twelve months of requests and consents,
// month by month (UTC), counted from request metadata and the consent
// ledger's scopes.
type Activity struct {
	// Months is the first instant of each month, oldest first.
	Months []time.Time
	// Received is how many requests were received in these months.
	Received int
	// ByType is the requests received per month by type, in the order of
	// requests.Types(); a type none was received of is left out.
	ByType []TypeCounts
	// MedianDays is the median of the days the requests received in each
	// month took to answer (completed or denied, as in the yearly
	// metrics); NaN for a month with none answered.
	MedianDays []float64
	// Answered is how many of them are answered; Median is the median of
	// their days, NaN when none is.
	Answered int
	Median   float64
	// Granted and Withdrawn count consent choices per month.
	Granted, Withdrawn []float64
}

// TypeCounts is one request type's count per month.
type TypeCounts struct {
	Type   string
	Counts []float64
}

// Median is the median of xs, NaN for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Activity counts the twelve calendar months up to and including now's.
func (s *Service) Activity(ctx context.Context, now time.Time) (Activity, error) {
	now = now.UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1-ActivityMonths, 0)
	// A minute ahead: what another server recorded just now still counts.
	end := now.Add(time.Minute)
	a := Activity{Months: make([]time.Time, ActivityMonths), MedianDays: make([]float64, ActivityMonths),
		Granted: make([]float64, ActivityMonths), Withdrawn: make([]float64, ActivityMonths)}
	for i := range a.Months {
		a.Months[i] = first.AddDate(0, i, 0)
	}
	monthOf := func(t time.Time) int {
		t = t.UTC()
		i := (t.Year()-first.Year())*12 + int(t.Month()) - int(first.Month())
		if i < 0 || i >= ActivityMonths {
			return -1
		}
		return i
	}
	reqs, err := s.store.RequestsReceived(ctx, first, end)
	if err != nil {
		return Activity{}, err
	}
	byType := map[string][]float64{}
	days := make([][]float64, ActivityMonths)
	var all []float64
	for _, q := range reqs {
		i := monthOf(q.ReceivedAt)
		if i < 0 {
			continue
		}
		a.Received++
		if byType[q.Type] == nil {
			byType[q.Type] = make([]float64, ActivityMonths)
		}
		byType[q.Type][i]++
		if (q.Status == requests.StatusCompleted || q.Status == requests.StatusDenied) && q.CompletedAt != nil {
			d := q.CompletedAt.Sub(q.ReceivedAt).Hours() / 24
			days[i] = append(days[i], d)
			all = append(all, d)
		}
	}
	for _, t := range requests.Types() {
		if byType[t] != nil {
			a.ByType = append(a.ByType, TypeCounts{Type: t, Counts: byType[t]})
		}
	}
	for i := range days {
		a.MedianDays[i] = Median(days[i])
	}
	a.Answered, a.Median = len(all), Median(all)
	months, err := s.store.ConsentCountsByMonth(ctx, first, end)
	if err != nil {
		return Activity{}, err
	}
	for _, m := range months {
		if i := monthOf(m.Month); i >= 0 {
			a.Granted[i] += float64(m.Granted)
			a.Withdrawn[i] += float64(m.Withdrawn)
		}
	}
	return a, nil
}

// ScopeCount is how many consent choices of one scope (a purpose, or
// consent.ScopeSaleSharing or ScopeDirectMarketing) were granted and
// withdrawn, and how many of either came with a GPC signal.
type ScopeCount = store.ConsentCount

// Consents counts the ledger's choices of [from, to) by scope, sorted by
// scope.
func (s *Service) Consents(ctx context.Context, from, to time.Time) ([]ScopeCount, error) {
	return s.store.ConsentCounts(ctx, from, to)
}

// Message is a mail the outbox gave up on, without its sealed content.
type Message struct {
	ID        string
	CreatedAt time.Time
	FailedAt  *time.Time
	Attempts  int
	LastError string
}

// Undeliverable lists up to limit messages the mail server refused for
// good (they are not tried again), latest first.
func (s *Service) Undeliverable(ctx context.Context, limit int) ([]Message, error) {
	ms, err := s.store.UndeliverableMail(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = Message{ID: m.ID, CreatedAt: m.CreatedAt, FailedAt: m.FailedAt, Attempts: m.Attempts, LastError: m.LastError}
	}
	return out, nil
}
