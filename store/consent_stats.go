package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
)

// Consent statistics count ledger entries by scope, choice and time only.
// The principal column is never selected: the console's consent page and
// reports need how many, never who.

// ConsentCount is how many ledger entries granted and withdrew one scope.
type ConsentCount struct {
	Scope     string
	Granted   int64
	Withdrawn int64
	// GPC counts the entries, of either kind, that came with a Global
	// Privacy Control signal.
	GPC int64
}

// ConsentMonth is a ConsentCount within one calendar month (UTC).
type ConsentMonth struct {
	// Month is the first instant of the month, UTC.
	Month time.Time
	ConsentCount
}

// maxConsentMonths bounds ConsentCountsByMonth: each month is a bound
// parameter of the query.
const maxConsentMonths = 120

// ConsentCounts counts the ledger entries of [from, to) by scope, sorted by
// scope.
func (q *queries) ConsentCounts(ctx context.Context, from, to time.Time) ([]ConsentCount, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT scope, SUM(CASE WHEN granted THEN 1 ELSE 0 END),
		SUM(CASE WHEN granted THEN 0 ELSE 1 END), SUM(CASE WHEN gpc THEN 1 ELSE 0 END)
		FROM consent_events WHERE at >= $1 AND at < $2 GROUP BY scope ORDER BY scope`, micros(from), micros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConsentCount
	for rows.Next() {
		var c ConsentCount
		if err := rows.Scan(&c.Scope, &c.Granted, &c.Withdrawn, &c.GPC); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ConsentCountsByMonth counts the ledger entries of [from, to) by the UTC
// calendar month they fall in and by scope, sorted by month then scope.
// Months and scopes without entries are left out. The first and last months
// count only the part of them inside the period.
func (q *queries) ConsentCountsByMonth(ctx context.Context, from, to time.Time) ([]ConsentMonth, error) {
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return nil, nil
	}
	// bounds[i] starts month i; the last one ends the period. Months are
	// told apart in SQL by comparing with the bounds, which both dialects
	// do on the stored microseconds without date functions of their own.
	bounds := []time.Time{from}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0); m.Before(to); m = m.AddDate(0, 1, 0) {
		bounds = append(bounds, m)
		if len(bounds) > maxConsentMonths {
			return nil, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "A consent statistics period spans at most %d months.", maxConsentMonths)
		}
	}
	bounds = append(bounds, to)
	args := make([]any, len(bounds))
	for i, b := range bounds {
		args[i] = micros(b)
	}
	months := len(bounds) - 1
	var bucket strings.Builder
	if months == 1 {
		bucket.WriteString("0")
	} else {
		bucket.WriteString("CASE")
		for i := 1; i < months; i++ {
			bucket.WriteString(" WHEN at < $" + strconv.Itoa(i+1) + " THEN " + strconv.Itoa(i-1))
		}
		bucket.WriteString(" ELSE " + strconv.Itoa(months-1) + " END")
	}
	rows, err := q.q.QueryContext(ctx, `SELECT m, scope, SUM(CASE WHEN granted THEN 1 ELSE 0 END),
		SUM(CASE WHEN granted THEN 0 ELSE 1 END), SUM(CASE WHEN gpc THEN 1 ELSE 0 END)
		FROM (SELECT `+bucket.String()+` AS m, scope, granted, gpc FROM consent_events
			WHERE at >= $1 AND at < $`+strconv.Itoa(len(bounds))+`) AS bucketed
		GROUP BY m, scope ORDER BY m, scope`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConsentMonth
	for rows.Next() {
		var (
			c ConsentMonth
			m int64
		)
		if err := rows.Scan(&m, &c.Scope, &c.Granted, &c.Withdrawn, &c.GPC); err != nil {
			return nil, err
		}
		start := bounds[m]
		c.Month = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		out = append(out, c)
	}
	return out, rows.Err()
}
