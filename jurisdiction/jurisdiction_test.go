package jurisdiction

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

func day(y int, m time.Month, d int) time.Time { return at(y, m, d, 0, 0) }

func TestPeriodAfter(t *testing.T) {
	t.Parallel()
	est := time.FixedZone("EST", -5*3600)
	cases := []struct {
		name string
		p    Period
		from time.Time
		want time.Time
	}{
		// 2 January 2026 is a Friday.
		{"10 business days from Friday", bdays(10), at(2026, 1, 2, 9, 15), at(2026, 1, 16, 9, 15)},
		{"10 business days from Saturday", bdays(10), at(2026, 1, 3, 9, 15), at(2026, 1, 16, 9, 15)},
		{"10 business days from Sunday", bdays(10), at(2026, 1, 4, 9, 15), at(2026, 1, 16, 9, 15)},
		{"10 business days from Monday", bdays(10), at(2026, 1, 5, 9, 15), at(2026, 1, 19, 9, 15)},
		{"1 business day from Friday", bdays(1), at(2026, 1, 2, 17, 0), at(2026, 1, 5, 17, 0)},
		{"1 business day from Saturday", bdays(1), at(2026, 1, 3, 17, 0), at(2026, 1, 5, 17, 0)},
		{"5 business days from Wednesday", bdays(5), at(2026, 1, 7, 0, 0), at(2026, 1, 14, 0, 0)},
		{"15 business days from Friday", bdays(15), at(2026, 1, 2, 0, 0), at(2026, 1, 23, 0, 0)},
		{"4 business days from Thursday", bdays(4), at(2026, 1, 8, 0, 0), at(2026, 1, 14, 0, 0)},

		{"Jan 31 + 1 month, 2026", months(1), at(2026, 1, 31, 10, 30), at(2026, 2, 28, 10, 30)},
		{"Jan 31 + 1 month, leap 2028", months(1), at(2028, 1, 31, 10, 30), at(2028, 2, 29, 10, 30)},
		{"Jan 29 + 1 month, 2026", months(1), day(2026, 1, 29), day(2026, 2, 28)},
		{"Mar 31 + 1 month", months(1), day(2026, 3, 31), day(2026, 4, 30)},
		{"Aug 31 + 2 months", months(2), day(2026, 8, 31), day(2026, 10, 31)},
		{"Jan 15 + 1 month", months(1), day(2026, 1, 15), day(2026, 2, 15)},
		{"Dec 15 + 1 month, across the year", months(1), day(2026, 12, 15), day(2027, 1, 15)},
		{"Dec 31 + 2 months", months(2), day(2026, 12, 31), day(2027, 2, 28)},
		{"Nov 30 + 3 months, to a leap February", months(3), day(2027, 11, 30), day(2028, 2, 29)},
		{"Feb 29 + 12 months", months(12), day(2028, 2, 29), day(2029, 2, 28)},
		{"Feb 28 + 1 month keeps the 28th", months(1), day(2026, 2, 28), day(2026, 3, 28)},

		{"45 days keeps the time of day", days(45), at(2026, 3, 2, 10, 30), at(2026, 4, 16, 10, 30)},
		{"30 days over February 2026", days(30), day(2026, 2, 1), day(2026, 3, 3)},
		{"30 days over leap February 2028", days(30), day(2028, 2, 1), day(2028, 3, 2)},
		{"90 days", days(90), day(2026, 1, 1), day(2026, 4, 1)},

		{"computed in UTC", months(1), time.Date(2026, 1, 31, 23, 30, 0, 0, est), at(2026, 3, 1, 4, 30)},
		{"zero period", Period{}, at(2026, 5, 5, 5, 5), at(2026, 5, 5, 5, 5)},
		{"negative days count as none", days(-3), at(2026, 5, 5, 5, 5), at(2026, 5, 5, 5, 5)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := c.p.After(c.from)
			if !got.Equal(c.want) || got.Location() != time.UTC {
				t.Errorf("%v.After(%v) = %v, want %v (UTC)", c.p, c.from, got, c.want)
			}
		})
	}
}

// The constant-time business-day arithmetic agrees with stepping day by day.
func TestBusinessDaysMatchStepping(t *testing.T) {
	t.Parallel()
	step := func(t time.Time, n int) time.Time {
		for n > 0 {
			t = t.AddDate(0, 0, 1)
			if !weekend(t) {
				n--
			}
		}
		return t
	}
	for s := 0; s < 21; s++ {
		from := at(2026, 2, 20, 13, 45).AddDate(0, 0, s)
		for n := 1; n <= 40; n++ {
			if got, want := bdays(n).After(from), step(from, n); !got.Equal(want) {
				t.Fatalf("%d business days after %v (%v) = %v, want %v", n, from, from.Weekday(), got, want)
			}
		}
	}
}

func TestPeriodString(t *testing.T) {
	t.Parallel()
	cases := map[Period]string{
		days(45): "45 days", days(1): "1 day", bdays(10): "10 business days", bdays(1): "1 business day",
		months(1): "1 month", months(2): "2 months", {}: "none",
	}
	for p, want := range cases {
		if got := p.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", p, got, want)
		}
	}
}

func TestFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		jurisdiction, requestType string
		law                       string
		ack, respond, extension   Period
		appeal                    bool
		limits                    int
		complaint                 string // substring
	}{
		{"US-CA", "access", LawCCPA, caBdays(10), days(45), days(45), false, 1, "California Privacy Protection Agency"},
		{" us-ca ", "ACCESS", LawCCPA, caBdays(10), days(45), days(45), false, 1, "California"},
		{"US-CA", "categories", LawCCPA, caBdays(10), days(45), days(45), false, 1, "California"},
		{"US-CA", "portability", LawCCPA, caBdays(10), days(45), days(45), false, 1, "California"},
		{"US-CA", "deletion", LawCCPA, caBdays(10), days(45), days(45), false, 0, "California"},
		{"US-CA", "correction", LawCCPA, caBdays(10), days(45), days(45), false, 0, "California"},
		{"US-CA", "opt_out", LawCCPA, Period{}, caBdays(15), Period{}, false, 0, "California"},
		{"US-CA", "restriction", LawCCPA, Period{}, caBdays(15), Period{}, false, 0, "California"},
		{"US-CA", "direct_marketing_disclosures", LawShineTheLight, Period{}, days(30), Period{}, false, 1, "California Attorney General"},
		{"US-CA", "objection", LawPolicy, Period{}, days(45), days(45), false, 0, "California"},
		{"US-CA", "appeal", LawPolicy, Period{}, days(45), days(45), false, 0, "California"},

		{"DE", "access", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority of your country"},
		{"de-by", "objection", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority"},
		{"FR", "direct_marketing_disclosures", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority"},
		{"EL", "deletion", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority"},
		{"NO", "restriction", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority"},
		{"IS", "access", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority"},
		{"LI", "access", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority"},
		{"RE", "access", LawGDPR, Period{}, months(1), months(2), false, 0, "data protection authority"},
		{"DE", "appeal", LawPolicy, Period{}, days(45), days(45), false, 0, "data protection authority"},
		{"GB", "access", LawUKGDPR, Period{}, months(1), months(2), false, 0, "Information Commissioner"},
		{"GB-SCT", "deletion", LawUKGDPR, Period{}, months(1), months(2), false, 0, "Information Commissioner"},
		{"UK", "access", LawUKGDPR, Period{}, months(1), months(2), false, 0, "Information Commissioner"},

		{"US-VA", "access", LawVCDPA, Period{}, days(45), days(45), true, 1, "Virginia Attorney General"},
		{"US-VA", "deletion", LawVCDPA, Period{}, days(45), days(45), true, 0, "Virginia"},
		{"US-VA", "appeal", LawVCDPA, Period{}, days(60), Period{}, true, 0, "Virginia"},
		{"US-CO", "portability", LawCPA, Period{}, days(45), days(45), true, 1, "Colorado Attorney General"},
		{"US-CO", "access", LawCPA, Period{}, days(45), days(45), true, 0, "Colorado"},
		{"US-CO", "appeal", LawCPA, Period{}, days(45), days(60), true, 0, "Colorado"},
		{"US-CT", "access", LawCTDPA, Period{}, days(45), days(45), true, 1, "Connecticut Attorney General"},
		{"US-CT", "appeal", LawCTDPA, Period{}, days(60), Period{}, true, 0, "Connecticut"},
		// Utah Code §13-61-203(4): a fee may be charged for a second request
		// in 12 months (the first is free).
		{"US-UT", "access", LawUCPA, Period{}, days(45), days(45), false, 1, "Utah Division of Consumer Protection"},
		{"US-UT", "deletion", LawUCPA, Period{}, days(45), days(45), false, 0, "Utah"},
		{"US-UT", "correction", LawPolicy, Period{}, days(45), days(45), false, 0, "Utah"},
		{"US-UT", "appeal", LawPolicy, Period{}, days(45), days(45), false, 0, "Utah"},
		{"US-IA", "access", LawICDPA, Period{}, days(90), days(45), true, 1, "Iowa Attorney General"},
		{"US-IA", "opt_out", LawICDPA, Period{}, days(90), days(45), true, 0, "Iowa"},
		{"US-IA", "correction", LawPolicy, Period{}, days(45), days(45), false, 0, "Iowa"},
		{"US-IA", "appeal", LawICDPA, Period{}, days(60), Period{}, true, 0, "Iowa"},

		// A US state without a comprehensive law, the US as a whole, and a
		// country without a law in the table: the policy's promises, as
		// LawNone.
		{"US-WA", "access", LawNone, Period{}, days(45), days(45), false, 0, "Federal Trade Commission"},
		{"US", "access", LawNone, Period{}, days(45), days(45), false, 0, "Federal Trade Commission"},
		{"JP", "access", LawNone, Period{}, days(45), days(45), false, 0, "where you live"},
		{"", "access", LawNone, Period{}, days(45), days(45), false, 0, "where you live"},
		{"US-CA", "teleport", LawPolicy, Period{}, days(45), days(45), false, 0, "California"},
	}
	for _, c := range cases {
		t.Run(c.jurisdiction+"/"+c.requestType, func(t *testing.T) {
			t.Parallel()
			r := For(c.jurisdiction, c.requestType)
			if r.Law != c.law || r.Acknowledge != c.ack || r.Respond != c.respond || r.Extension != c.extension ||
				(r.Appeal != nil) != c.appeal || len(r.Limits) != c.limits || !strings.Contains(r.Complaint, c.complaint) {
				t.Errorf("For(%q, %q) = %+v", c.jurisdiction, c.requestType, r)
			}
			if !r.Extension.IsZero() && !r.ExtensionNeedsNotice {
				t.Errorf("For(%q, %q): an extension without notice", c.jurisdiction, c.requestType)
			}
			if r.Fee.Charge != FeeNone {
				t.Errorf("For(%q, %q): fee %q", c.jurisdiction, c.requestType, r.Fee.Charge)
			}
			if r.Appeal != nil && (r.Appeal.Respond.IsZero() || r.Appeal.Authority == "" || !strings.HasPrefix(r.Appeal.AuthorityURL, "https://")) {
				t.Errorf("For(%q, %q): appeal %+v", c.jurisdiction, c.requestType, *r.Appeal)
			}
		})
	}
}

func TestAppealPeriods(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		j    string
		want Period
	}{{"US-VA", days(60)}, {"US-CO", days(45)}, {"US-CT", days(60)}, {"US-IA", days(60)}} {
		if a := For(c.j, TypeAccess).Appeal; a == nil || a.Respond != c.want {
			t.Errorf("For(%q, access).Appeal = %+v, want Respond %v", c.j, a, c.want)
		}
		if got := For(c.j, TypeAppeal).Respond; got != c.want {
			t.Errorf("For(%q, appeal).Respond = %v, want %v", c.j, got, c.want)
		}
	}
}

func TestForReturnsACopy(t *testing.T) {
	t.Parallel()
	r := For("US-CA", "access")
	r.Limits[0].Types[0] = "mutated"
	r.Limits[0].Count = 99
	r2 := For("US-VA", "access")
	r2.Appeal.Respond = days(1)
	if got := For("US-CA", "access"); got.Limits[0].Types[0] != TypeAccess || got.Limits[0].Count != 2 {
		t.Errorf("the table was modified through For: %+v", got.Limits)
	}
	if got := For("US-VA", "access"); got.Appeal.Respond != days(60) {
		t.Errorf("the table was modified through For: %+v", got.Appeal)
	}
}

// Every row is well formed, no (jurisdiction, type) pair appears twice, and
// every limit covering a type counts the same types.
func TestTableInvariants(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i, e := range table {
		if e.rules.Respond.IsZero() {
			t.Errorf("entry %d (%s): no Respond", i, e.rules.Law)
		}
		if e.rules.Respond.Days > 0 && e.rules.Respond.Months > 0 {
			t.Errorf("entry %d: both days and months", i)
		}
		if !e.rules.Extension.IsZero() && !e.rules.ExtensionNeedsNotice {
			t.Errorf("entry %d: extension without notice", i)
		}
		if e.rules.Complaint == "" {
			t.Errorf("entry %d: no complaint", i)
		}
		for _, rt := range e.types {
			if !slices.Contains(RequestTypes, rt) {
				t.Errorf("entry %d: unknown request type %q", i, rt)
			}
			k := e.jurisdiction + "/" + rt
			if seen[k] {
				t.Errorf("entry %d: %s appears twice", i, k)
			}
			seen[k] = true
			var types []string
			for _, l := range e.rules.Limits {
				if !l.Covers(rt) {
					continue
				}
				if l.Window != Window12Months && l.Window != WindowCalendarYear || l.Count <= 0 ||
					l.Beyond != BeyondRefuse && l.Beyond != BeyondFee {
					t.Errorf("entry %d: bad limit %+v", i, l)
				}
				if types == nil {
					types = l.Types
				} else if !slices.Equal(types, l.Types) {
					t.Errorf("entry %d: limits covering %q count different types", i, rt)
				}
			}
		}
	}
}

func TestCompute(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, j, rt string
		received    time.Time
		ack         *time.Time
		due         time.Time
	}{
		{"CCPA received on a Friday", "US-CA", "access", at(2026, 1, 2, 9, 0), ptr(at(2026, 1, 16, 9, 0)), at(2026, 2, 16, 9, 0)},
		{"CCPA deletion received on a Saturday", "US-CA", "deletion", at(2026, 1, 3, 9, 0), ptr(at(2026, 1, 16, 9, 0)), at(2026, 2, 17, 9, 0)},
		// 11 CCR §7026(f): 15 business days; Monday 19 January 2026 (Martin
		// Luther King, Jr. Day, 5 U.S.C. §6103(a), Cal. Gov. Code §6700) is
		// not one, so the deadline moves from 23 to 26 January.
		{"CCPA opt-out: 15 business days, no acknowledgement", "US-CA", "opt_out", at(2026, 1, 2, 9, 0), nil, at(2026, 1, 26, 9, 0)},
		{"Shine the Light: 30 days", "US-CA", "direct_marketing_disclosures", day(2026, 3, 1), nil, day(2026, 3, 31)},
		{"UK GDPR one month at a month end", "GB", "access", day(2026, 1, 31), nil, day(2026, 2, 28)},
		{"GDPR one month in a leap year", "DE", "access", day(2028, 1, 31), nil, day(2028, 2, 29)},
		{"GDPR Mar 31", "FR", "deletion", at(2026, 3, 31, 12, 0), nil, at(2026, 4, 30, 12, 0)},
		{"Iowa: 90 days", "US-IA", "access", day(2026, 1, 1), nil, day(2026, 4, 1)},
		{"Virginia: 45 days", "US-VA", "deletion", day(2026, 1, 1), nil, day(2026, 2, 15)},
		{"Virginia appeal: 60 days", "US-VA", "appeal", day(2026, 1, 1), nil, day(2026, 3, 2)},
		{"Colorado appeal: 45 days", "US-CO", "appeal", day(2026, 1, 1), nil, day(2026, 2, 15)},
		{"Utah: 45 days", "US-UT", "portability", day(2026, 1, 1), nil, day(2026, 2, 15)},
		{"unknown country: policy 45 days", "JP", "access", day(2026, 1, 1), nil, day(2026, 2, 15)},
		{"US state without a law: policy 45 days", "US-WA", "deletion", day(2026, 1, 1), nil, day(2026, 2, 15)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := Compute(c.j, c.rt, c.received)
			if !d.DueAt.Equal(c.due) || d.ExtendedUntil != nil || !d.Due().Equal(c.due) {
				t.Errorf("due %v (extended %v), want %v", d.DueAt, d.ExtendedUntil, c.due)
			}
			switch {
			case c.ack == nil && d.AcknowledgeBy != nil:
				t.Errorf("acknowledge by %v, want none", *d.AcknowledgeBy)
			case c.ack != nil && (d.AcknowledgeBy == nil || !d.AcknowledgeBy.Equal(*c.ack)):
				t.Errorf("acknowledge by %v, want %v", d.AcknowledgeBy, *c.ack)
			}
		})
	}
}

func ptr(t time.Time) *time.Time { return &t }

func TestExtend(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, j, rt string
		received    time.Time
		due, ext    time.Time
	}{
		// 45 + 45 = 90 days from receipt.
		{"CCPA 45+45", "US-CA", "access", at(2026, 1, 2, 9, 0), at(2026, 2, 16, 9, 0), at(2026, 4, 2, 9, 0)},
		// Two further months from the end of the first.
		{"GDPR 1+2 months", "DE", "access", day(2026, 1, 15), day(2026, 2, 15), day(2026, 4, 15)},
		// GDPR Art. 12(3) with Reg. 1182/71 Art. 3(2)(c): three months from
		// receipt, 30 April, not two months from the clamped 28 February
		// (28 April).
		{"GDPR 1+2 months at a month end", "DE", "access", day(2026, 1, 31), day(2026, 2, 28), day(2026, 4, 30)},
		{"UK GDPR 1+2 months from 30 November", "GB", "access", day(2026, 11, 30), day(2026, 12, 30), day(2027, 2, 28)},
		{"GDPR 1+2 months from 29 January in a leap year", "FR", "access", day(2028, 1, 30), day(2028, 2, 29), day(2028, 4, 30)},
		{"GDPR Aug 31", "IE", "objection", day(2026, 8, 31), day(2026, 9, 30), day(2026, 11, 30)},
		{"UK GDPR to a leap February", "GB", "deletion", day(2027, 11, 30), day(2027, 12, 30), day(2028, 2, 29)},
		{"Iowa 90+45", "US-IA", "deletion", day(2026, 1, 1), day(2026, 4, 1), day(2026, 5, 16)},
		{"Virginia 45+45", "US-VA", "correction", day(2026, 1, 1), day(2026, 2, 15), day(2026, 4, 1)},
		{"Colorado appeal 45+60", "US-CO", "appeal", day(2026, 1, 1), day(2026, 2, 15), day(2026, 4, 16)},
		{"policy 45+45", "JP", "access", day(2026, 1, 1), day(2026, 2, 15), day(2026, 4, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := Compute(c.j, c.rt, c.received)
			e, err := Extend(d, c.j, c.rt)
			if err != nil {
				t.Fatal(err)
			}
			if !e.DueAt.Equal(c.due) || e.ExtendedUntil == nil || !e.ExtendedUntil.Equal(c.ext) || !e.Due().Equal(c.ext) {
				t.Fatalf("extended %+v, want due %v extended to %v", e, c.due, c.ext)
			}
			if d.ExtendedUntil != nil {
				t.Error("Extend modified its argument")
			}
			if again, err := Extend(e, c.j, c.rt); !errors.Is(err, ErrAlreadyExtended) || !again.ExtendedUntil.Equal(c.ext) {
				t.Errorf("second extension: %v, %v; want ErrAlreadyExtended and no change", again.ExtendedUntil, err)
			}
		})
	}
}

func TestExtendRefused(t *testing.T) {
	t.Parallel()
	cases := []struct{ j, rt string }{
		{"US-CA", "opt_out"},
		{"US-CA", "restriction"},
		{"US-CA", "direct_marketing_disclosures"},
		{"US-VA", "appeal"},
		{"US-CT", "appeal"},
		{"US-IA", "appeal"},
	}
	for _, c := range cases {
		d := Compute(c.j, c.rt, day(2026, 1, 1))
		if e, err := Extend(d, c.j, c.rt); !errors.Is(err, ErrNoExtension) || e.ExtendedUntil != nil {
			t.Errorf("Extend(%s, %s) = %v, %v; want ErrNoExtension", c.j, c.rt, e.ExtendedUntil, err)
		}
	}
	// Without ReceivedAt (deadlines stored by an older caller), Extend counts
	// from the due date.
	if e, err := Extend(Deadlines{DueAt: day(2026, 2, 28)}, "DE", "access"); err != nil || !e.ExtendedUntil.Equal(day(2026, 4, 28)) {
		t.Errorf("Extend without ReceivedAt: %v, %v", e.ExtendedUntil, err)
	}
	if _, err := Extend(Deadlines{}, "US-CA", "access"); !errors.Is(err, ErrNoDueDate) {
		t.Errorf("Extend of zero deadlines: %v", err)
	}
}

func TestCheckLimit(t *testing.T) {
	t.Parallel()
	ccpa := For("US-CA", "access")
	stl := For("US-CA", "direct_marketing_disclosures")
	cases := []struct {
		name     string
		rules    Rules
		rt       string
		previous []time.Time
		now      time.Time
		ok       bool
		why      string // exact when ok is false; substring when ok is true
	}{
		{"CCPA: first request", ccpa, "access", nil, day(2026, 8, 1), true, ""},
		{"CCPA: second in the window", ccpa, "access", []time.Time{day(2026, 3, 3)}, day(2026, 8, 1), true, ""},
		{"CCPA: third in the window refused", ccpa, "access",
			[]time.Time{at(2026, 5, 10, 8, 0), at(2026, 3, 3, 14, 0)}, day(2026, 8, 1), false,
			"California law lets you make this request twice in 12 months; you made 2 since 3 March 2026. You can make it again from 3 March 2027."},
		{"CCPA: access, categories and portability count together", ccpa, "portability",
			[]time.Time{day(2026, 3, 3), day(2026, 5, 10)}, day(2026, 8, 1), false,
			"California law lets you make this request twice in 12 months; you made 2 since 3 March 2026. You can make it again from 3 March 2027."},
		{"CCPA: one older than 12 months does not count", ccpa, "access",
			[]time.Time{day(2025, 7, 1), day(2026, 5, 10)}, day(2026, 8, 1), true, ""},
		{"CCPA: a request 12 months ago to the day no longer counts", ccpa, "access",
			[]time.Time{at(2025, 3, 3, 23, 0), day(2025, 5, 10)}, at(2026, 3, 3, 1, 0), true, ""},
		{"CCPA: the day before, it still counts", ccpa, "access",
			[]time.Time{day(2025, 3, 3), day(2025, 5, 10)}, day(2026, 3, 2), false,
			"California law lets you make this request twice in 12 months; you made 2 since 3 March 2025. You can make it again from 3 March 2026."},
		{"CCPA: three in the window, again when two have left", ccpa, "access",
			[]time.Time{day(2026, 1, 5), day(2026, 2, 6), day(2026, 3, 7)}, day(2026, 8, 1), false,
			"California law lets you make this request twice in 12 months; you made 3 since 5 January 2026. You can make it again from 6 February 2027."},
		{"CCPA: requests dated after now are ignored", ccpa, "access",
			[]time.Time{day(2026, 3, 3), day(2026, 9, 1)}, day(2026, 8, 1), true, ""},
		{"CCPA: deletion has no limit", For("US-CA", "deletion"), "deletion",
			[]time.Time{day(2026, 1, 1), day(2026, 2, 1), day(2026, 3, 1)}, day(2026, 4, 1), true, ""},
		{"Shine the Light: 31 Dec then 1 Jan", stl, "direct_marketing_disclosures",
			[]time.Time{at(2026, 12, 31, 23, 0)}, at(2027, 1, 1, 0, 30), true, ""},
		{"Shine the Light: second in a calendar year refused", stl, "direct_marketing_disclosures",
			[]time.Time{day(2026, 12, 31), day(2027, 3, 5)}, day(2027, 11, 20), false,
			"California law lets you make this request once per calendar year; you made 1 since 5 March 2027. You can make it again from 1 January 2028."},
		{"Colorado: portability twice per calendar year", For("US-CO", "portability"), "portability",
			[]time.Time{day(2026, 2, 1), day(2026, 6, 1)}, day(2026, 7, 1), false,
			"Colorado law lets you make this request twice per calendar year; you made 2 since 1 February 2026. You can make it again from 1 January 2027."},
		{"Virginia: beyond twice a year a fee, not a refusal", For("US-VA", "access"), "access",
			[]time.Time{day(2026, 2, 1), day(2026, 6, 1)}, day(2026, 7, 1), true,
			"Virginia law lets you make this request free of charge twice per calendar year; you made 2 since 1 February 2026, so a fee may be charged for this one. It is free again from 1 January 2027."},
		{"Connecticut: once free in 12 months", For("US-CT", "categories"), "categories",
			[]time.Time{day(2026, 2, 1)}, day(2026, 7, 1), true, "free again from 1 February 2027"},
		{"GDPR: no limit", For("DE", "access"), "access",
			[]time.Time{day(2026, 1, 1), day(2026, 2, 1), day(2026, 3, 1)}, day(2026, 4, 1), true, ""},
		{"unknown window limits nothing", Rules{Law: LawPolicy, Limits: []Limit{{Types: []string{"access"}, Count: 1, Window: "fortnight"}}}, "access",
			[]time.Time{day(2026, 1, 1)}, day(2026, 1, 2), true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ok, why := CheckLimit(c.rules, c.rt, c.previous, c.now)
			if ok != c.ok {
				t.Fatalf("ok = %v (%q), want %v", ok, why, c.ok)
			}
			if (!ok || c.why == "") && why != c.why || ok && !strings.Contains(why, c.why) {
				t.Errorf("why = %q\nwant %q", why, c.why)
			}
		})
	}
}

func TestLimitTypes(t *testing.T) {
	t.Parallel()
	if got := For("US-CA", "categories").LimitTypes("categories"); !slices.Equal(got, []string{TypeAccess, TypeCategories, TypePortability}) {
		t.Errorf("CCPA categories: %v", got)
	}
	if got := For("US-CO", "portability").LimitTypes("portability"); !slices.Equal(got, []string{TypePortability}) {
		t.Errorf("CPA portability: %v", got)
	}
	if got := For("US-CA", "deletion").LimitTypes("deletion"); got != nil {
		t.Errorf("CCPA deletion: %v", got)
	}
}

func TestIsEUAndEEA(t *testing.T) {
	t.Parallel()
	cases := []struct {
		country string
		eu, eea bool
	}{
		{"DE", true, true}, {"de", true, true}, {" FR ", true, true}, {"FR-75", true, true},
		{"AT", true, true}, {"BE", true, true}, {"BG", true, true}, {"HR", true, true},
		{"CY", true, true}, {"CZ", true, true}, {"DK", true, true}, {"EE", true, true},
		{"FI", true, true}, {"GR", true, true}, {"EL", true, true}, {"HU", true, true},
		{"IE", true, true}, {"IT", true, true}, {"LV", true, true}, {"LT", true, true},
		{"LU", true, true}, {"MT", true, true}, {"NL", true, true}, {"PL", true, true},
		{"PT", true, true}, {"RO", true, true}, {"SK", true, true}, {"SI", true, true},
		{"ES", true, true}, {"SE", true, true},
		{"IS", false, true}, {"LI", false, true}, {"NO", false, true},
		{"GB", false, false}, {"UK", false, false}, {"CH", false, false}, {"US", false, false},
		{"US-CA", false, false}, {"TR", false, false}, {"", false, false},
	}
	eu := 0
	for _, c := range cases {
		if got := IsEU(c.country); got != c.eu {
			t.Errorf("IsEU(%q) = %v", c.country, got)
		}
		if got := IsEEA(c.country); got != c.eea {
			t.Errorf("IsEEA(%q) = %v", c.country, got)
		}
	}
	for c := range euMembers {
		if c != "EL" {
			eu++
		}
	}
	if eu != 27 {
		t.Errorf("%d EU member states, want 27", eu)
	}
}

// FuzzPeriodAfter: After never returns a time before t, and month
// arithmetic lands in the target month, on the same day or clamped to its
// last day, at the same time of day.
func FuzzPeriodAfter(f *testing.F) {
	f.Add(day(2026, 1, 31).Unix(), int64(0), 0, 1, false)
	f.Add(day(2028, 1, 31).Unix(), int64(0), 0, 1, false)
	f.Add(day(2026, 8, 31).Unix(), int64(5), 0, 2, false)
	f.Add(at(2026, 1, 2, 9, 0).Unix(), int64(0), 10, 0, true)
	f.Add(at(2026, 1, 3, 9, 0).Unix(), int64(0), 45, 0, false)
	f.Add(int64(-1), int64(-1), -5, -5, true)
	f.Fuzz(func(t *testing.T, sec, nsec int64, d, m int, business bool) {
		// Keep to years 1900..2300 and to periods of up to ~270 years.
		const lo, span = -2208988800, 400 * 366 * 86400
		sec = lo + (sec%span+span)%span
		from := time.Unix(sec, nsec%1e9)
		d %= 100000
		m %= 3000

		for _, p := range []Period{{Days: d, BusinessDays: business}, {Months: m}} {
			got := p.After(from)
			if got.Before(from) {
				t.Fatalf("%#v.After(%v) = %v, before the start", p, from, got)
			}
			if got.Location() != time.UTC {
				t.Fatalf("%#v.After(%v) not in UTC", p, from)
			}
			u := from.UTC()
			if gh, gm, gs := got.Clock(); gh != u.Hour() || gm != u.Minute() || gs != u.Second() || got.Nanosecond() != u.Nanosecond() {
				t.Fatalf("%#v.After(%v) = %v: time of day changed", p, from, got)
			}
			if p.Days > 0 && p.BusinessDays && weekend(got) {
				t.Fatalf("%#v.After(%v) = %v, a %v", p, from, got, got.Weekday())
			}
			if p.Days > 0 && !p.BusinessDays && got.Sub(u) != time.Duration(p.Days)*24*time.Hour {
				t.Fatalf("%#v.After(%v) = %v", p, from, got)
			}
			if p.Days > 0 && p.BusinessDays {
				// With the California holidays: a business day, never
				// before the weekdays-only deadline.
				h := Period{Days: p.Days % 1000, BusinessDays: true, Holidays: CalendarCalifornia}
				if hg := h.After(from); weekend(hg) || isHoliday(CalendarCalifornia, hg) || hg.Before(Period{Days: h.Days, BusinessDays: true}.After(from)) {
					t.Fatalf("%#v.After(%v) = %v", h, from, hg)
				}
			}
			if p.Months > 0 {
				total := u.Year()*12 + int(u.Month()) - 1 + p.Months
				wy, wm := total/12, time.Month(total%12+1)
				if got.Year() != wy || got.Month() != wm {
					t.Fatalf("%#v.After(%v) = %v, outside %v %d", p, from, got, wm, wy)
				}
				wd := min(u.Day(), daysIn(wy, wm))
				if got.Day() != wd {
					t.Fatalf("%#v.After(%v) = %v, want day %d", p, from, got, wd)
				}
			}
		}
	})
}
