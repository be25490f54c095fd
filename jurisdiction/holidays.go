package jurisdiction

import "time"

// Holiday calendars of Period.Holidays.
const (
	// CalendarCalifornia: the days that are not business days for a law of
	// California, the only law in the table that counts business days (Cal.
	// Code Regs. tit. 11 §7021(a), §7026(f), §7027(g)): US federal holidays
	// and California state holidays.
	//
	// UNSURE: the CCPA regulations do not define "business day"; Custos
	// reads it with Cal. Civ. Code §9 (holidays are those of the Government
	// Code) and adds the federal holidays on which most businesses close.
	// Holidays whose presence in Gov. Code §6700 could not be checked in the
	// official text (Lunar New Year, Genocide Remembrance Day) and the
	// partial holiday of Good Friday (12 noon to 3 p.m.) are not skipped,
	// which makes a deadline earlier, never later.
	CalendarCalifornia = "US-CA"
)

// isHoliday reports whether t's date is a holiday of calendar (other than a
// Saturday or Sunday, which are never business days).
func isHoliday(calendar string, t time.Time) bool {
	switch calendar {
	case CalendarCalifornia:
		return usFederalHoliday(t) || californiaHoliday(t)
	}
	return false
}

// nthWeekday is the n-th (1-based) weekday wd of month m of year y; n = -1
// is the last one.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	if n < 0 {
		last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
		return last.AddDate(0, 0, -((int(last.Weekday()) - int(wd) + 7) % 7))
	}
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 0, (int(wd)-int(first.Weekday())+7)%7+7*(n-1))
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// usFederalHoliday: the legal public holidays of 5 U.S.C. §6103(a) (Juneteenth
// from 2021, Pub. L. 117-17), a holiday falling on a Saturday being observed
// on the Friday before and one falling on a Sunday on the Monday after
// (5 U.S.C. §6103(b); Executive Order 11582).
func usFederalHoliday(t time.Time) bool {
	t = dateOf(t)
	y := t.Year()
	// Fixed-date holidays, with the observed day. The next year's 1 January
	// can be observed on this year's 31 December.
	fixed := []time.Time{
		time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC),
		time.Date(y+1, time.January, 1, 0, 0, 0, 0, time.UTC),
		time.Date(y, time.July, 4, 0, 0, 0, 0, time.UTC),
		time.Date(y, time.November, 11, 0, 0, 0, 0, time.UTC),
		time.Date(y, time.December, 25, 0, 0, 0, 0, time.UTC),
	}
	if y >= 2021 {
		fixed = append(fixed, time.Date(y, time.June, 19, 0, 0, 0, 0, time.UTC))
	}
	for _, h := range fixed {
		switch h.Weekday() {
		case time.Saturday:
			h = h.AddDate(0, 0, -1)
		case time.Sunday:
			h = h.AddDate(0, 0, 1)
		}
		if sameDate(h, t) {
			return true
		}
	}
	for _, h := range []time.Time{
		nthWeekday(y, time.January, time.Monday, 3),    // Birthday of Martin Luther King, Jr.
		nthWeekday(y, time.February, time.Monday, 3),   // Washington's Birthday
		nthWeekday(y, time.May, time.Monday, -1),       // Memorial Day
		nthWeekday(y, time.September, time.Monday, 1),  // Labor Day
		nthWeekday(y, time.October, time.Monday, 2),    // Columbus Day
		nthWeekday(y, time.November, time.Thursday, 4), // Thanksgiving Day
	} {
		if sameDate(h, t) {
			return true
		}
	}
	return false
}

// californiaHoliday: the state holidays of Cal. Gov. Code §6700(a) that
// fall on weekdays (Sundays are holidays too, §6700(a)(1), and never
// business days), with §6701: a fixed-date holiday falling on a Sunday is
// also kept on the Monday after, and 11 November falling on a Saturday on
// the Friday before. Thanksgiving (§6700(a)(16), appointed by the President)
// is a federal holiday above.
func californiaHoliday(t time.Time) bool {
	t = dateOf(t)
	y := t.Year()
	for _, md := range []struct {
		m time.Month
		d int
	}{
		{time.January, 1}, {time.February, 12}, {time.March, 31}, {time.June, 19},
		{time.July, 4}, {time.September, 9}, {time.November, 11}, {time.December, 25},
	} {
		h := time.Date(y, md.m, md.d, 0, 0, 0, 0, time.UTC)
		if sameDate(h, t) {
			return true
		}
		if h.Weekday() == time.Sunday && sameDate(h.AddDate(0, 0, 1), t) {
			return true
		}
		if md.m == time.November && h.Weekday() == time.Saturday && sameDate(h.AddDate(0, 0, -1), t) {
			return true
		}
	}
	for _, h := range []time.Time{
		nthWeekday(y, time.January, time.Monday, 3),   // §6700(a): Dr. Martin Luther King, Jr. Day
		nthWeekday(y, time.February, time.Monday, 3),  // the third Monday in February
		nthWeekday(y, time.May, time.Monday, -1),      // the last Monday in May
		nthWeekday(y, time.September, time.Monday, 1), // the first Monday in September
		nthWeekday(y, time.September, time.Friday, 4), // Native American Day
		nthWeekday(y, time.October, time.Monday, 2),   // Columbus Day
	} {
		if sameDate(h, t) {
			return true
		}
	}
	return false
}
