package jurisdiction

import (
	"fmt"
	"time"

	"github.com/custos-privacy/custos/internal/i18n"
)

// Period is a length of time a law gives: a number of calendar days, of
// business days, or of calendar months. Exactly one of Days or Months is
// meant to be set; the zero Period means "none".
type Period struct {
	Days         int
	BusinessDays bool // Days are business days (Monday to Friday)
	Months       int
	// Holidays names the holiday calendar business days skip besides
	// Saturdays and Sundays (CalendarCalifornia); empty skips none.
	Holidays string
}

// IsZero reports whether the period is empty (the law sets no such period).
func (p Period) IsZero() bool { return p.Days <= 0 && p.Months <= 0 }

// In writes the period in a language of the catalogue, in the form that
// fits "within {period}" (German's dative, "innerhalb von 45 Tagen"): the
// mails' and the notice's deadlines alike. In English it is String.
func (p Period) In(lang string) string {
	switch {
	case p.Months > 0 && p.Days > 0:
		return i18n.T(lang, "mail.period.and", "first", Period{Months: p.Months}.In(lang),
			"second", Period{Days: p.Days, BusinessDays: p.BusinessDays, Holidays: p.Holidays}.In(lang))
	case p.Months == 1:
		return i18n.T(lang, "mail.period.month")
	case p.Months > 1:
		return i18n.T(lang, "mail.period.months", "count", p.Months)
	case p.Days > 0 && p.BusinessDays:
		s := i18n.T(lang, "mail.period.business_days", "count", p.Days)
		if p.Days == 1 {
			s = i18n.T(lang, "mail.period.business_day")
		}
		if p.Holidays != "" {
			return i18n.T(lang, "mail.period.holidays", "period", s, "holidays", p.Holidays)
		}
		return s
	case p.Days == 1:
		return i18n.T(lang, "mail.period.day")
	case p.Days > 1:
		return i18n.T(lang, "mail.period.days", "count", p.Days)
	}
	return p.String()
}

// String renders the period for people: "45 days", "10 business days",
// "1 month", "2 months".
func (p Period) String() string {
	switch {
	case p.Months > 0 && p.Days > 0:
		return fmt.Sprintf("%s and %s", Period{Months: p.Months}, Period{Days: p.Days, BusinessDays: p.BusinessDays})
	case p.Months == 1:
		return "1 month"
	case p.Months > 1:
		return fmt.Sprintf("%d months", p.Months)
	case p.Days > 0 && p.BusinessDays:
		unit := "business days"
		if p.Days == 1 {
			unit = "business day"
		}
		if p.Holidays != "" {
			return fmt.Sprintf("%d %s (%s holidays excluded)", p.Days, unit, p.Holidays)
		}
		return fmt.Sprintf("%d %s", p.Days, unit)
	case p.Days == 1:
		return "1 day"
	case p.Days > 1:
		return fmt.Sprintf("%d days", p.Days)
	}
	return "none"
}

// After returns the deadline the period gives counted from t, in UTC, at
// the same time of day as t.
//
//   - Calendar days: t plus Days days.
//   - Business days: the Days-th weekday after t's date, skipping Saturdays
//     and Sundays (a request received on a Saturday or Sunday starts
//     counting on Monday, day 1 being Monday) and the holidays of the
//     period's Holidays calendar (see holidays.go), computed by rule.
//   - Months: the same day of the month Months months later, clamped to the
//     last day of that month (31 January + 1 month = 28 February, or 29 in a
//     leap year; 31 March + 1 month = 30 April). It never spills into the
//     following month.
//
// If both are set, Months are added first, then Days. Negative counts are
// treated as zero, so After never returns a time before t.
func (p Period) After(t time.Time) time.Time {
	t = t.UTC()
	if p.Months > 0 {
		t = addMonths(t, p.Months)
	}
	if p.Days > 0 {
		if p.BusinessDays && p.Holidays != "" {
			t = addBusinessDaysSkipping(t, p.Days, p.Holidays)
		} else if p.BusinessDays {
			t = addBusinessDays(t, p.Days)
		} else {
			t = t.AddDate(0, 0, p.Days)
		}
	}
	return t
}

// addMonths adds n calendar months to t (UTC), clamping the day to the last
// day of the target month.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC) // normalises the month
	if last := daysIn(first.Year(), first.Month()); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, hh, mm, ss, t.Nanosecond(), time.UTC)
}

// daysIn is the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addBusinessDays returns the n-th weekday (n > 0) after t's date, at t's
// time of day. It runs in constant time: whole weeks of five business days
// are seven calendar days, and the remaining one to four are stepped.
func addBusinessDays(t time.Time, n int) time.Time {
	// From a weekend the next business day is Monday, as from Friday:
	// count from the Friday before.
	switch t.Weekday() {
	case time.Saturday:
		t = t.AddDate(0, 0, -1)
	case time.Sunday:
		t = t.AddDate(0, 0, -2)
	}
	t = t.AddDate(0, 0, n/5*7)
	for r := n % 5; r > 0; {
		t = t.AddDate(0, 0, 1)
		if !weekend(t) {
			r--
		}
	}
	return t
}

func weekend(t time.Time) bool {
	wd := t.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// addBusinessDaysSkipping returns the n-th day after t's date that is
// neither a weekend day nor a holiday of calendar, at t's time of day. It
// steps day by day: holidays follow no weekly rhythm. Periods of business
// days in the laws are short (10 or 15 days).
func addBusinessDaysSkipping(t time.Time, n int, calendar string) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if !weekend(t) && !isHoliday(calendar, t) {
			n--
		}
	}
	return t
}
