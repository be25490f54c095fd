package jurisdiction

import (
	"errors"
	"testing"
	"time"
)

func TestOverridesApply(t *testing.T) {
	t.Parallel()
	received := time.Date(2026, time.January, 31, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		os    Overrides
		j, rt string
		check func(t *testing.T, r Rules, d Deadlines)
	}{
		{"deadline shortened for one type", Overrides{{Code: "US-TX", Types: []string{TypeAccess}, Rule: RuleDeadline, Value: "30 days", Reason: "counsel"}},
			"US-TX", TypeAccess, func(t *testing.T, r Rules, d Deadlines) {
				if r.Respond != days(30) || !d.DueAt.Equal(received.AddDate(0, 0, 30)) || len(r.Overridden) != 1 || r.Overridden[0].Reason != "counsel" {
					t.Errorf("rules %+v, due %v", r, d.DueAt)
				}
			}},
		{"other types keep the table", Overrides{{Code: "US-TX", Types: []string{TypeAccess}, Rule: RuleDeadline, Value: "30 days", Reason: "counsel"}},
			"US-TX", TypeDeletion, func(t *testing.T, r Rules, d Deadlines) {
				if r.Respond != days(45) || len(r.Overridden) != 0 {
					t.Errorf("deletion rules changed: %+v", r)
				}
			}},
		{"member state under an EEA override", Overrides{{Code: "EEA", Rule: RuleExtension, Value: "none", Reason: "no extensions"}},
			"DE", TypeAccess, func(t *testing.T, r Rules, d Deadlines) {
				if !r.Extension.IsZero() || r.Jurisdiction != "DE" {
					t.Errorf("rules %+v", r)
				}
			}},
		{"appeal removed", Overrides{{Code: "US-TX", Rule: RuleAppeal, Value: "no", Reason: "counsel"}},
			"US-TX", TypeAccess, func(t *testing.T, r Rules, d Deadlines) {
				if r.Appeal != nil {
					t.Errorf("appeal kept: %+v", r.Appeal)
				}
			}},
		{"appeal granted under Utah", Overrides{
			{Code: "US-UT", Rule: RuleAppeal, Value: "yes", Reason: "we offer one"},
			{Code: "US-UT", Rule: RuleAppealDeadline, Value: "60 days", Reason: "we offer one"},
			{Code: "US-UT", Rule: RuleAppealAuthority, Value: "the Utah Division of Consumer Protection", Reason: "we offer one"},
		}, "US-UT", TypeAccess, func(t *testing.T, r Rules, d Deadlines) {
			if r.Appeal == nil || r.Appeal.Respond != days(60) || r.Appeal.Authority == "" || len(r.Overridden) != 3 || r.Overridden[0].Rule != RuleAppeal {
				t.Errorf("appeal %+v, overridden %+v", r.Appeal, r.Overridden)
			}
		}},
		{"appeal deadline moves the appeal's own due date", Overrides{{Code: "US-TX", Rule: RuleAppealDeadline, Value: "45 days", Reason: "counsel"}},
			"US-TX", TypeAppeal, func(t *testing.T, r Rules, d Deadlines) {
				if r.Appeal.Respond != days(45) || !d.DueAt.Equal(received.AddDate(0, 0, 45)) {
					t.Errorf("appeal %+v due %v", r.Appeal, d.DueAt)
				}
			}},
		{"business days with California holidays", Overrides{{Code: "US-CA", Types: []string{TypeOptOut}, Rule: RuleDeadline, Value: "10 business days", Reason: "sooner"}},
			"US-CA", TypeOptOut, func(t *testing.T, r Rules, d Deadlines) {
				if r.Respond != caBdays(10) {
					t.Errorf("respond %+v", r.Respond)
				}
			}},
		{"limit replaced", Overrides{{Code: "US-CA", Types: []string{TypeAccess, TypeCategories}, Rule: RuleLimit, Value: "3 per calendar_year, fee", Reason: "generous"}},
			"US-CA", TypeAccess, func(t *testing.T, r Rules, d Deadlines) {
				if len(r.Limits) != 1 || r.Limits[0].Count != 3 || r.Limits[0].Beyond != BeyondFee || len(r.LimitTypes(TypeAccess)) != 2 {
					t.Errorf("limits %+v", r.Limits)
				}
			}},
		{"GPC start", Overrides{{Code: "US-NJ", Rule: RuleGPCFrom, Value: "2025-01-15", Reason: "from the effective date"}},
			"US-NJ", TypeOptOut, func(t *testing.T, r Rules, d Deadlines) {
				if !r.SignalRequired(time.Date(2025, time.February, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("signal %+v", r.Signal)
				}
			}},
		{"no override on no law", Overrides{{Code: "US-TX", Rule: RuleDeadline, Value: "10 days", Reason: "x"}},
			"US-AL", TypeAccess, func(t *testing.T, r Rules, d Deadlines) {
				if r.Law != LawNone || len(r.Overridden) != 0 {
					t.Errorf("rules %+v", r)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if i, err := c.os.Check(); err != nil {
				t.Fatalf("Check: override %d: %v", i, err)
			}
			c.check(t, c.os.ForAt(c.j, c.rt, received), c.os.Compute(c.j, c.rt, received))
		})
	}
}

func TestOverridesCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		os    Overrides
		field string
		err   error
	}{
		{"unknown law", Overrides{{Code: "US-XX", Rule: RuleDeadline, Value: "30 days", Reason: "r"}}, "law", ErrUnknownLaw},
		{"member state is not a key", Overrides{{Code: "DE", Rule: RuleDeadline, Value: "30 days", Reason: "r"}}, "law", ErrUnknownLaw},
		{"unknown rule", Overrides{{Code: "US-TX", Rule: "deadlines", Value: "30 days", Reason: "r"}}, "rule", ErrUnknownRule},
		{"type the law does not govern", Overrides{{Code: "US-UT", Types: []string{TypeCorrection}, Rule: RuleDeadline, Value: "30 days", Reason: "r"}}, "types", ErrUnknownType},
		{"bad period", Overrides{{Code: "US-TX", Rule: RuleDeadline, Value: "thirty days", Reason: "r"}}, "value", ErrBadValue},
		{"zero period", Overrides{{Code: "US-TX", Rule: RuleDeadline, Value: "0 days", Reason: "r"}}, "value", ErrBadValue},
		{"deadline none", Overrides{{Code: "US-TX", Rule: RuleDeadline, Value: "none", Reason: "r"}}, "value", ErrBadValue},
		{"bad yes/no", Overrides{{Code: "US-TX", Rule: RuleAppeal, Value: "maybe", Reason: "r"}}, "value", ErrBadValue},
		{"bad url", Overrides{{Code: "US-TX", Rule: RuleAppealAuthorityURL, Value: "http://x", Reason: "r"}}, "value", ErrBadValue},
		{"bad limit", Overrides{{Code: "US-TX", Rule: RuleLimit, Value: "2 a year", Reason: "r"}}, "value", ErrBadValue},
		{"bad date", Overrides{{Code: "US-TX", Rule: RuleGPCFrom, Value: "2025-13-01", Reason: "r"}}, "value", ErrBadValue},
		{"no reason", Overrides{{Code: "US-TX", Rule: RuleDeadline, Value: "30 days"}}, "reason", ErrNoReason},
		{"twice", Overrides{{Code: "US-TX", Rule: RuleDeadline, Value: "30 days", Reason: "r"}, {Code: "US-TX", Types: []string{TypeAccess}, Rule: RuleDeadline, Value: "20 days", Reason: "r"}}, "rule", ErrIncompatible},
		{"appeal deadline without appeal", Overrides{{Code: "US-UT", Rule: RuleAppealDeadline, Value: "30 days", Reason: "r"}}, "rule", ErrIncompatible},
		{"appeal granted without authority", Overrides{{Code: "US-UT", Rule: RuleAppeal, Value: "yes", Reason: "r"}}, "value", ErrIncompatible},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.os.Check()
			var oe *OverrideError
			if !errors.As(err, &oe) || oe.Field != c.field || !errors.Is(err, c.err) {
				t.Fatalf("Check = %v (%+v), want field %s, %v", err, oe, c.field, c.err)
			}
		})
	}
}

// The digest changes with the rules, not with how the jurisdiction is
// written.
func TestRulesDigest(t *testing.T) {
	t.Parallel()
	if For("DE", TypeAccess).Digest() != For(" de", TypeAccess).Digest() {
		t.Error("one jurisdiction gives two digests")
	}
	o := Overrides{{Code: "EEA", Rule: RuleExtension, Value: "1 month", Reason: "r"}}
	if For("DE", TypeAccess).Digest() == o.For("DE", TypeAccess).Digest() {
		t.Error("an override leaves the digest unchanged")
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"30 days", "10 business days", "1 month", "none", "999 months", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s, "")
		if err == nil && p.IsZero() {
			t.Fatalf("%q parsed to an empty period", s)
		}
	})
}
