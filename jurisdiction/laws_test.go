package jurisdiction

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// One row per law and request group: the deadline, extension, appeal,
// limits and fee rule, each case naming the provision it checks.
func TestLawRules(t *testing.T) {
	t.Parallel()
	type lim struct {
		count  int
		window string
		beyond string
	}
	cases := []struct {
		citation  string // the provision checked; also a substring of the rule's citations
		j, rt     string
		law       string
		respond   Period
		extension Period
		appeal    Period // zero: no appeal
		limit     *lim
	}{
		{"§541.052(b)", "US-TX", TypeAccess, LawTDPSA, days(45), days(45), days(60), &lim{2, WindowCalendarYear, BeyondFee}},
		{"§541.053", "US-TX", TypeAppeal, LawTDPSA, days(60), Period{}, days(60), nil},
		{"646A.576(5)(a)", "US-OR", TypeDeletion, LawOCPA, days(45), days(45), days(45), nil},
		{"646A.576(5)(c)", "US-OR", TypePortability, LawOCPA, days(45), days(45), days(45), &lim{1, Window12Months, BeyondFee}},
		{"646A.576(6)(d)", "US-OR", TypeAppeal, LawOCPA, days(45), Period{}, days(45), nil},
		{"§30-14-2808(4)(c)", "US-MT", TypeAccess, LawMTCDPA, days(45), days(45), days(60), &lim{1, Window12Months, BeyondFee}},
		{"§12D-104(c)(3)", "US-DE", TypeCategories, LawDPDPA, days(45), days(45), days(60), &lim{1, Window12Months, BeyondFee}},
		{"§87-1108(4)", "US-NE", TypeAccess, LawNDPA, days(45), days(45), days(60), &lim{2, WindowCalendarYear, BeyondFee}},
		{"§87-1109", "US-NE", TypeAppeal, LawNDPA, days(60), Period{}, days(60), nil},
		{"507-H:4", "US-NH", TypeAccess, LawNHPA, days(45), days(45), days(60), &lim{1, Window12Months, BeyondFee}},
		{"56:8-166.7(d)", "US-NJ", TypeAccess, LawNJDPA, days(45), days(45), days(45), &lim{1, Window12Months, BeyondFee}},
		{"56:8-166.7(c)", "US-NJ", TypeAppeal, LawNJDPA, days(45), Period{}, days(45), nil},
		{"§47-18-3304(b)(1)", "US-TN", TypeCorrection, LawTIPA, days(45), days(45), days(60), nil},
		{"§47-18-3304(b)(3)", "US-TN", TypeAccess, LawTIPA, days(45), days(45), days(60), &lim{2, WindowCalendarYear, BeyondFee}},
		{"§325M.14 subd. 4", "US-MN", TypeOptOut, LawMNCDPA, days(45), days(45), days(45), nil},
		{"§325M.14 subd. 5", "US-MN", TypeAppeal, LawMNCDPA, days(45), days(60), days(45), nil},
		{"§14-4605", "US-MD", TypeAccess, LawMODPA, days(45), days(45), days(60), &lim{1, Window12Months, BeyondFee}},
		{"24-15-3-1(c)(3)", "US-IN", TypeAccess, LawINCDPA, days(45), days(45), days(60), &lim{1, WindowCalendarYear, BeyondFee}},
		{"24-15-3-1(d)", "US-IN", TypeAppeal, LawINCDPA, days(60), Period{}, days(60), nil},
		{"367.3615(4)", "US-KY", TypeAppeal, LawKCDPA, days(60), Period{}, days(60), nil},
		{"§6-48.1-6(b)(3)", "US-RI", TypeAccess, LawRIDTPPA, days(45), days(45), days(60), &lim{1, Window12Months, BeyondFee}},
		{"§13-61-203(4)", "US-UT", TypeAccess, LawUCPA, days(45), days(45), Period{}, &lim{1, Window12Months, BeyondFee}},
		{"§715D.3(2)(a)", "US-IA", TypeDeletion, LawICDPA, days(90), days(45), days(60), nil},
		{"§1798.130(b)", "US-CA", TypeAccess, LawCCPA, days(45), days(45), Period{}, &lim{2, Window12Months, BeyondRefuse}},
		{"GDPR Art. 12(3)", "DE", TypeAccess, LawGDPR, months(1), months(2), Period{}, nil},
		{"FADP Art. 25(7)", "CH", TypeAccess, LawFADP, days(30), Period{}, Period{}, nil},
		{"PIPEDA s. 8(3)-(4)", "CA", TypeAccess, LawPIPEDA, days(30), days(30), Period{}, nil},
		{"PIPEDA s. 8(3)-(4)", "CA-ON", TypeCorrection, LawPIPEDA, days(30), days(30), Period{}, nil},
		{"P-39.1 s. 32", "CA-QC", TypeAccess, LawQuebec, days(30), Period{}, Period{}, nil},
		{"LGPD Art. 19(II)", "BR", TypeAccess, LawLGPD, days(15), Period{}, Period{}, nil},
	}
	for _, c := range cases {
		t.Run(c.j+"/"+c.rt+"/"+c.citation, func(t *testing.T) {
			t.Parallel()
			r := For(c.j, c.rt)
			if r.Law != c.law || r.Respond != c.respond || r.Extension != c.extension {
				t.Fatalf("%s: law %q respond %v extension %v", c.citation, r.Law, r.Respond, r.Extension)
			}
			if !r.Extension.IsZero() && !r.ExtensionNeedsNotice {
				t.Errorf("%s: an extension without notice", c.citation)
			}
			switch {
			case c.appeal.IsZero() && r.Appeal != nil:
				t.Errorf("%s: appeal %+v, want none", c.citation, *r.Appeal)
			case !c.appeal.IsZero() && (r.Appeal == nil || r.Appeal.Respond != c.appeal || !strings.HasPrefix(r.Appeal.AuthorityURL, "https://") || r.Appeal.Citation == ""):
				t.Errorf("%s: appeal %+v, want %v", c.citation, r.Appeal, c.appeal)
			}
			switch {
			case c.limit == nil && len(r.Limits) != 0:
				t.Errorf("%s: limits %+v, want none", c.citation, r.Limits)
			case c.limit != nil && (len(r.Limits) != 1 || r.Limits[0].Count != c.limit.count || r.Limits[0].Window != c.limit.window || r.Limits[0].Beyond != c.limit.beyond):
				t.Errorf("%s: limits %+v, want %+v", c.citation, r.Limits, *c.limit)
			}
			if r.Fee.Charge != FeeNone {
				t.Errorf("%s: fee %q", c.citation, r.Fee.Charge)
			}
			cites := r.Citation + " " + r.Fee.Citation
			if r.Appeal != nil {
				cites += " " + r.Appeal.Citation
			}
			for _, l := range r.Limits {
				cites += " " + l.Citation
			}
			if !strings.Contains(cites, c.citation) {
				t.Errorf("the rules do not cite %q: %s", c.citation, cites)
			}
		})
	}
}

// Deadlines from fixed receipt dates across month ends, leap years and
// holidays, with the one extension counted from receipt.
func TestLawDeadlines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		citation string
		j, rt    string
		received time.Time
		due, ext time.Time // ext zero: no extension
	}{
		// 45 days from 31 January of a leap year: 16 March; +45: 30 April.
		{"Tex. Bus. & Com. Code §541.052(b)", "US-TX", TypeAccess, day(2028, 1, 31), day(2028, 3, 16), day(2028, 4, 30)},
		// The same in a common year: 17 March; 1 May.
		{"ORS 646A.576(5)(a)", "US-OR", TypeDeletion, day(2027, 1, 31), day(2027, 3, 17), day(2027, 5, 1)},
		{"N.J.S.A. 56:8-166.7(a)", "US-NJ", TypeCorrection, at(2026, 12, 20, 15, 30), at(2027, 2, 3, 15, 30), at(2027, 3, 20, 15, 30)},
		// Appeals: 60 days, no extension; Minnesota 45 + 60.
		{"Neb. Rev. Stat. §87-1109", "US-NE", TypeAppeal, day(2028, 2, 1), day(2028, 4, 1), time.Time{}},
		{"KRS 367.3615(4)", "US-KY", TypeAppeal, day(2026, 12, 31), day(2027, 3, 1), time.Time{}},
		{"ORS 646A.576(6)(d)", "US-OR", TypeAppeal, day(2026, 1, 31), day(2026, 3, 17), time.Time{}},
		{"Minn. Stat. §325M.14 subd. 5", "US-MN", TypeAppeal, day(2026, 1, 1), day(2026, 2, 15), day(2026, 4, 16)},
		// Switzerland: 30 days over a leap February; no extension.
		{"FADP Art. 25(7)", "CH", TypeAccess, day(2028, 2, 15), day(2028, 3, 16), time.Time{}},
		// Canada: 30 + 30.
		{"PIPEDA s. 8(3)-(4)", "CA", TypeAccess, day(2026, 1, 31), day(2026, 3, 2), day(2026, 4, 1)},
		{"CQLR c. P-39.1 s. 32", "CA-QC", TypeAccess, day(2026, 12, 15), day(2027, 1, 14), time.Time{}},
		// Brazil: 15 days across the year end.
		{"LGPD Art. 19(II)", "BR", TypeAccess, day(2026, 12, 25), day(2027, 1, 9), time.Time{}},
		// GDPR: one month, then three months from receipt (LAW-REVIEW 21).
		{"GDPR Art. 12(3)", "IT", TypeAccess, day(2027, 11, 30), day(2027, 12, 30), day(2028, 2, 29)},
		{"GDPR Art. 12(3)", "NL", TypeDeletion, day(2026, 1, 31), day(2026, 2, 28), day(2026, 4, 30)},
		{"UK GDPR Art. 12(3)", "GB", TypeAccess, day(2026, 5, 31), day(2026, 6, 30), day(2026, 8, 31)},
	}
	for _, c := range cases {
		t.Run(c.citation+"/"+c.j, func(t *testing.T) {
			t.Parallel()
			d := Compute(c.j, c.rt, c.received)
			if !d.DueAt.Equal(c.due) {
				t.Fatalf("%s: due %v, want %v", c.citation, d.DueAt, c.due)
			}
			e, err := Extend(d, c.j, c.rt)
			switch {
			case c.ext.IsZero() && !errors.Is(err, ErrNoExtension):
				t.Errorf("%s: Extend = %v, %v; want ErrNoExtension", c.citation, e.ExtendedUntil, err)
			case !c.ext.IsZero() && (err != nil || !e.ExtendedUntil.Equal(c.ext)):
				t.Errorf("%s: extended until %v (%v), want %v", c.citation, e.ExtendedUntil, err, c.ext)
			}
		})
	}
}

// A law governs requests received from its effective date; before it the
// state falls to the no-law answer.
func TestEffectiveDates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		citation  string
		j         string
		effective time.Time
		law       string
	}{
		{"H.B. 4 (2023): Tex. Bus. & Com. Code ch. 541 from 1 July 2024", "US-TX", day(2024, 7, 1), LawTDPSA},
		{"Oregon DOJ FAQ: OCPA from 1 July 2024", "US-OR", day(2024, 7, 1), LawOCPA},
		{"Mont. Code Ann. §30-14-2808 (effective 1 October 2024)", "US-MT", day(2024, 10, 1), LawMTCDPA},
		{"H.B. 154 (Delaware)", "US-DE", day(2025, 1, 1), LawDPDPA},
		{"L.B. 1074 (Nebraska)", "US-NE", day(2025, 1, 1), LawNDPA},
		{"NH DOJ: RSA 507-H from 1 January 2025", "US-NH", day(2025, 1, 1), LawNHPA},
		{"P.L. 2023, c. 266 [Effective 1/15/2025]", "US-NJ", day(2025, 1, 15), LawNJDPA},
		{"Tenn. Code Ann. §47-18-3304 [Effective 7/1/2025]", "US-TN", day(2025, 7, 1), LawTIPA},
		{"2024 Minn. Laws ch. 121", "US-MN", day(2025, 7, 31), LawMNCDPA},
		{"Md. Code, Com. Law §14-4607 [Effective 10/1/2025]", "US-MD", day(2025, 10, 1), LawMODPA},
		{"Ind. Code 24-15-3-1 (Effective 1-1-2026)", "US-IN", day(2026, 1, 1), LawINCDPA},
		{"KRS 367.3617 (Effective January 1, 2026)", "US-KY", day(2026, 1, 1), LawKCDPA},
		{"R.I. Gen. Laws ch. 6-48.1 [Effective January 1, 2026.]", "US-RI", day(2026, 1, 1), LawRIDTPPA},
		{"Acts 2021 Sp. Sess. I cc. 35, 36 (Virginia)", "US-VA", day(2023, 1, 1), LawVCDPA},
		{"S.B. 227 (Utah)", "US-UT", day(2023, 12, 31), LawUCPA},
		{"FADP in force 1 September 2023", "CH", day(2023, 9, 1), LawFADP},
		{"GDPR Art. 99(2)", "SE", day(2018, 5, 25), LawGDPR},
	}
	for _, c := range cases {
		t.Run(c.citation, func(t *testing.T) {
			t.Parallel()
			before := c.effective.Add(-time.Minute)
			if r := ForAt(c.j, TypeAccess, before); r.Law != LawNone || r.Appeal != nil || r.Respond != days(45) ||
				!strings.Contains(r.Note, "own promises") || !strings.Contains(r.Note, c.effective.Format("2 January 2006")) {
				t.Errorf("%s: before the effective date: %q %v %q", c.citation, r.Law, r.Respond, r.Note)
			}
			if r := ForAt(c.j, TypeAccess, c.effective); r.Law != c.law || !r.Effective.Equal(c.effective) || r.Note != "" {
				t.Errorf("%s: on the effective date: %q (effective %v) %q", c.citation, r.Law, r.Effective, r.Note)
			}
			if r := For(c.j, TypeAccess); r.Law != c.law {
				t.Errorf("%s: For ignores effective dates: %q", c.citation, r.Law)
			}
		})
	}
	// A Texan's request received on 30 June 2024 is due under the policy's
	// 45 days and gets no appeal; one received a day later under the TDPSA.
	if d := Compute("US-TX", TypeAccess, day(2024, 6, 30)); !d.DueAt.Equal(day(2024, 8, 14)) {
		t.Errorf("Texas before the TDPSA: due %v", d.DueAt)
	}
	if r := ForAt("US-TX", TypeAppeal, day(2024, 6, 30)); r.Law != LawNone {
		t.Errorf("Texas appeal before the TDPSA: %q", r.Law)
	}
	// In California before the CCPA, Shine the Light was in force: an
	// access request gets the policy's promises as LawPolicy.
	if r := ForAt("US-CA", TypeAccess, day(2019, 6, 1)); r.Law != LawPolicy || !strings.Contains(r.Note, "Shine the Light") {
		t.Errorf("California 2019 access: %q %q", r.Law, r.Note)
	}
	if r := ForAt("US-CA", TypeDirectMarketingDisclosures, day(2019, 6, 1)); r.Law != LawShineTheLight {
		t.Errorf("California 2019 direct marketing: %q", r.Law)
	}
}

// Jurisdictions without a law say so; they never get another law's
// deadline.
func TestNoLaw(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		j, law, note string
	}{
		{"JP", LawNone, "Custos knows no specific privacy law for JP"},
		{"US-WA", LawNone, "Custos knows no specific privacy law for US-WA"},
		{"us_fl", LawNone, "Custos knows no specific privacy law for US-FL"},
		{"US", LawNone, "Custos knows no specific privacy law for US"},
		{"US-UT", LawPolicy, "Utah Consumer Privacy Act"},
		{"US-IA", LawPolicy, "Iowa Consumer Data Protection Act"},
	} {
		r := For(c.j, TypeCorrection)
		if r.Law != c.law || !strings.Contains(r.Note, c.note) || !strings.Contains(r.Note, "own promises") || r.Respond != days(45) || r.Appeal != nil {
			t.Errorf("For(%q, correction) = %q, %q", c.j, r.Law, r.Note)
		}
	}
	if r := For("US-TX", TypeAccess); r.Note != "" {
		t.Errorf("a law's rules carry no note: %q", r.Note)
	}
}

// GPC: the universal opt-out signal obligation by date, before and on its
// start date.
func TestSignalRequired(t *testing.T) {
	t.Parallel()
	cases := []struct {
		citation string
		j        string
		from     time.Time // zero: never required
	}{
		{"Tex. Bus. & Com. Code §541.055(e)", "US-TX", day(2025, 1, 1)},
		{"ORS 646A.576 (Oregon DOJ FAQ)", "US-OR", day(2026, 1, 1)},
		{"Mont. Code Ann. §30-14-2809(1), (3)(b)", "US-MT", day(2025, 1, 1)},
		{"Colo. Rev. Stat. §6-1-1306(1)(a)(IV)", "US-CO", day(2024, 7, 1)},
		{"Conn. Gen. Stat. §42-520(e)", "US-CT", day(2025, 1, 1)},
		{"6 Del. C. §12D-106(e)", "US-DE", day(2026, 1, 1)},
		{"RSA 507-H:6", "US-NH", day(2025, 1, 1)},
		{"N.J.S.A. 56:8-166.11", "US-NJ", day(2025, 7, 15)},
		{"Minn. Stat. §325M.14", "US-MN", day(2025, 7, 31)},
		{"Md. Code, Com. Law §14-4605", "US-MD", day(2025, 10, 1)},
		{"Neb. Rev. Stat. §87-1110", "US-NE", day(2025, 1, 1)},
		{"Cal. Code Regs. tit. 11 §7025", "US-CA", day(2020, 8, 14)},
		{"Va. Code §59.1-577", "US-VA", time.Time{}},
		{"Utah Code §13-61-201", "US-UT", time.Time{}},
		{"Iowa Code ch. 715D", "US-IA", time.Time{}},
		{"Tenn. Code Ann. §47-18-3304", "US-TN", time.Time{}},
		{"Ind. Code 24-15", "US-IN", time.Time{}},
		{"KRS 367.3615", "US-KY", time.Time{}},
		{"R.I. Gen. Laws ch. 6-48.1", "US-RI", time.Time{}},
	}
	for _, c := range cases {
		r := For(c.j, TypeOptOut)
		if r.Signal == nil || !strings.Contains(r.Signal.Citation, strings.SplitN(c.citation, " (", 2)[0]) {
			t.Errorf("%s: signal rule %+v", c.citation, r.Signal)
			continue
		}
		if c.from.IsZero() {
			if r.SignalRequired(day(2030, 1, 1)) {
				t.Errorf("%s: a signal duty where the table records none", c.citation)
			}
			continue
		}
		if r.SignalRequired(c.from.Add(-time.Second)) || !r.SignalRequired(c.from) || !r.SignalRequired(c.from.AddDate(1, 0, 0)) {
			t.Errorf("%s: required from %v: %v / %v", c.citation, c.from, r.SignalRequired(c.from.Add(-time.Second)), r.SignalRequired(c.from))
		}
	}
	if For("DE", TypeOptOut).SignalRequired(day(2030, 1, 1)) || For("JP", TypeOptOut).SignalRequired(day(2030, 1, 1)) {
		t.Error("a signal duty outside the US")
	}
}

func TestSensitiveData(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		citation, j, consent string
	}{
		{"Md. Code, Com. Law §14-4607(a)(1)-(2)", "US-MD", SensitiveStrictlyNecessary},
		{"Mont. Code Ann. §30-14-2812(2)(b)", "US-MT", SensitiveOptIn},
		{"R.I. Gen. Laws §6-48.1-4(c)", "US-RI", SensitiveOptIn},
		{"Minn. Stat. §325M.16", "US-MN", SensitiveOptIn},
		{"Tex. Bus. & Com. Code §541.101(b)(4)", "US-TX", SensitiveOptIn},
		{"Utah Code §13-61-302(3)", "US-UT", SensitiveOptOut},
		{"Iowa Code §715D.4(2)", "US-IA", SensitiveOptOut},
		{"Cal. Civ. Code §1798.121", "US-CA", SensitiveOptOut},
		{"GDPR Art. 9", "AT", SensitiveOptIn},
	} {
		r := For(c.j, TypeAccess)
		if r.Sensitive == nil || r.Sensitive.Consent != c.consent || !strings.Contains(r.Sensitive.Citation, c.citation) {
			t.Errorf("%s: %+v", c.citation, r.Sensitive)
		}
	}
}

func TestStateRights(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ j, name, citation string }{
		{"US-OR", "specific third parties", "ORS 646A.574(1)(a)(B)"},
		{"US-MN", "specific third parties", "Minn. Stat. §325M.14 subd. 1(h)"},
		{"US-MN", "question profiling", "Minn. Stat. §325M.14 subd. 1(g)"},
		{"US-MD", "categories of third parties", "Md. Code, Com. Law §14-4605(b)"},
		{"CA", "deemed refusal", "PIPEDA s. 8(5)"},
		{"BR", "simplified confirmation", "LGPD Art. 19(I)"},
	} {
		r := For(c.j, TypeAccess)
		i := slices.IndexFunc(r.Rights, func(p Provision) bool { return p.Name == c.name })
		if i < 0 || r.Rights[i].Citation != c.citation || r.Rights[i].Text == "" {
			t.Errorf("%s %s: %+v", c.j, c.name, r.Rights)
		}
	}
}

// The UK complaints process of DPA 2018 s. 164A: from 19 June 2026,
// acknowledge within 30 days.
func TestUKComplaints(t *testing.T) {
	t.Parallel()
	c := For("GB", TypeAccess).ControllerComplaints
	if c == nil || !c.From.Equal(day(2026, 6, 19)) || c.Acknowledge != days(30) || !strings.Contains(c.Citation, "s. 164A") {
		t.Fatalf("UK complaints: %+v", c)
	}
	if got := c.Acknowledge.After(at(2026, 6, 19, 10, 0)); !got.Equal(at(2026, 7, 19, 10, 0)) {
		t.Errorf("acknowledge by %v", got)
	}
	if For("DE", TypeAccess).ControllerComplaints != nil {
		t.Error("the GDPR has no s. 164A")
	}
}

// The complaint request type in GB: acknowledged within 30 days (s.
// 164A(3)), answered by Custos's 30-day target (s. 164A(4) sets none),
// free, no extension, and pointing to the ICO (s. 165). Elsewhere it is no
// law's request.
func TestUKComplaintRequest(t *testing.T) {
	t.Parallel()
	r := ForAt("GB", TypeComplaint, at(2026, 7, 1, 10, 0))
	if r.Law != LawUKGDPR || r.Acknowledge != days(30) || r.Respond != days(30) || !r.Extension.IsZero() ||
		r.Fee.Charge != FeeNone || !strings.Contains(r.Citation, "Data Protection Act 2018 s. 164A(3)-(4)") ||
		!strings.Contains(r.Citation, "no statutory deadline") ||
		!strings.Contains(r.Complaint, "Information Commissioner") || !strings.Contains(r.Complaint, "s. 165") {
		t.Fatalf("GB complaint rules: %+v", r)
	}
	d := Compute("GB", TypeComplaint, at(2026, 7, 1, 10, 0))
	if d.AcknowledgeBy == nil || !d.AcknowledgeBy.Equal(at(2026, 7, 31, 10, 0)) {
		t.Errorf("acknowledge by %v", d.AcknowledgeBy)
	}
	// The answer target is the manifest's to set.
	os := Overrides{{Code: "GB", Types: []string{TypeComplaint}, Rule: RuleDeadline, Value: "14 days", Reason: "our complaints policy"}}
	if _, err := os.Check(); err != nil {
		t.Fatalf("override of the complaint target: %v", err)
	}
	if got := os.ForAt("GB", TypeComplaint, at(2026, 7, 1, 10, 0)).Respond; got != days(14) {
		t.Errorf("overridden complaint target %v", got)
	}
	if got := os.ForAt("GB", TypeAccess, at(2026, 7, 1, 10, 0)).Respond; got != months(1) {
		t.Errorf("access under the complaint override %v", got)
	}
	if ForAt("DE", TypeComplaint, at(2026, 7, 1, 10, 0)).Law == LawGDPR {
		t.Error("the GDPR governs no complaint request")
	}
}

// The member state is kept, with its Art. 8 age; Quebec is CA-QC.
func TestMemberStatesAndProvinces(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		j, norm, group string
		age            int
	}{
		{"DE", "DE", "EEA", 16}, {"fr-75", "FR-75", "EEA", 15}, {"EL", "EL", "EEA", 15},
		{"RE", "RE", "EEA", 15}, {"AX", "AX", "EEA", 13}, {"BE", "BE", "EEA", 13},
		{"AT", "AT", "EEA", 14}, {"ES", "ES", "EEA", 14}, {"IE", "IE", "EEA", 16},
		{"NO", "NO", "EEA", 13}, {"GB", "GB", "GB", 13},
	} {
		r := For(c.j, TypeAccess)
		if r.Jurisdiction != c.norm || r.Group != c.group || r.Children == nil || r.Children.ConsentAge != c.age || !strings.Contains(r.Children.Citation, "Art. 8(1)") {
			t.Errorf("For(%q): jurisdiction %q group %q children %+v", c.j, r.Jurisdiction, r.Group, r.Children)
		}
	}
	for j := range euMembers {
		if c, ok := ChildConsentAge(j); !ok || c.ConsentAge < 13 || c.ConsentAge > 16 {
			t.Errorf("ChildConsentAge(%q) = %+v, %v", j, c, ok)
		}
	}
	if _, ok := ChildConsentAge("CH"); ok {
		t.Error("Switzerland is not in the EEA")
	}
	for j, want := range map[string]string{"CA-QC": "CA-QC", "ca_qc": "CA-QC", "CA-ON": "CA", "CA": "CA", "US-TX": "US-TX"} {
		if got := jurisdictionKey(j); got != want {
			t.Errorf("jurisdictionKey(%q) = %q, want %q", j, got, want)
		}
	}
	if r := For("ca_qc", TypeAccess); r.Law != LawQuebec || r.Jurisdiction != "CA-QC" {
		t.Errorf("Quebec: %q %q", r.Law, r.Jurisdiction)
	}
}

// Holidays of the California calendar (5 U.S.C. §6103; Cal. Gov. Code
// §6700, §6701) and business days across them (11 CCR §7021(a)).
func TestCaliforniaBusinessDays(t *testing.T) {
	t.Parallel()
	holidays2026 := []time.Time{
		day(2026, 1, 1), day(2026, 1, 19), day(2026, 2, 12), day(2026, 2, 16), day(2026, 3, 31),
		day(2026, 5, 25), day(2026, 6, 19), day(2026, 7, 3), day(2026, 9, 7), day(2026, 9, 9),
		day(2026, 9, 25), day(2026, 10, 12), day(2026, 11, 11), day(2026, 11, 26), day(2026, 12, 25),
	}
	var got []time.Time
	for d := day(2026, 1, 1); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		if !weekend(d) && isHoliday(CalendarCalifornia, d) {
			got = append(got, d)
		}
	}
	if !slices.EqualFunc(got, holidays2026, time.Time.Equal) {
		t.Errorf("2026 weekday holidays:\n got %v\nwant %v", got, holidays2026)
	}
	// 2027: 1 January is a Friday; Christmas on a Saturday is observed
	// federally on Friday 24 December; 11 November 2028 is a Saturday, kept
	// on Friday 10 November (Gov. Code §6701, 5 U.S.C. §6103(b)); 4 July
	// 2027 is a Sunday, observed on Monday 5 July.
	for _, d := range []time.Time{day(2027, 12, 24), day(2028, 11, 10), day(2027, 7, 5), day(2027, 12, 31)} {
		if !isHoliday(CalendarCalifornia, d) {
			t.Errorf("%v is a holiday", d)
		}
	}
	if isHoliday(CalendarCalifornia, day(2026, 11, 27)) || isHoliday("", day(2026, 12, 25)) {
		t.Error("the day after Thanksgiving is a business day; no calendar, no holidays")
	}
	cases := []struct {
		name     string
		p        Period
		from     time.Time
		want     time.Time
		citation string
	}{
		{"acknowledge over Thanksgiving", caBdays(10), at(2026, 11, 16, 9, 0), at(2026, 12, 1, 9, 0), "11 CCR §7021(a)"},
		{"acknowledge over Christmas and New Year", caBdays(10), at(2026, 12, 18, 9, 0), at(2027, 1, 5, 9, 0), "11 CCR §7021(a)"},
		{"received on a holiday", caBdays(1), at(2026, 1, 19, 9, 0), at(2026, 1, 20, 9, 0), "5 U.S.C. §6103(a)"},
		{"opt-out over Cesar Chavez Day", caBdays(15), day(2026, 3, 20), day(2026, 4, 13), "11 CCR §7026(f); Gov. Code §6700"},
		// Lincoln Day falls on Saturday 12 February 2028 and is not moved;
		// Monday 21 February is Washington's Birthday.
		{"opt-out in a leap February", caBdays(15), day(2028, 2, 1), day(2028, 2, 23), "11 CCR §7026(f)"},
	}
	for _, c := range cases {
		if got := c.p.After(c.from); !got.Equal(c.want) {
			t.Errorf("%s (%s): %v after %v = %v, want %v", c.name, c.citation, c.p, c.from, got, c.want)
		}
	}
	if d := Compute("US-CA", TypeDeletion, at(2026, 11, 16, 9, 0)); d.AcknowledgeBy == nil || !d.AcknowledgeBy.Equal(at(2026, 12, 1, 9, 0)) {
		t.Errorf("CCPA acknowledgement over Thanksgiving: %v", d.AcknowledgeBy)
	}
}

// Every row has its law, citations and an effective date; every law has a
// row.
func TestLawTableComplete(t *testing.T) {
	t.Parallel()
	for i, e := range table {
		info := lawInfo(e.jurisdiction, e.rules.Law)
		if info.Name == e.rules.Law || info.Effective.IsZero() || info.EffectiveCitation == "" {
			t.Errorf("entry %d (%s %s): no law info", i, e.jurisdiction, e.rules.Law)
		}
		r := e.rules
		if r.Citation == "" || r.Fee.Citation == "" {
			t.Errorf("entry %d (%s %s): a rule without its citation", i, e.jurisdiction, r.Law)
		}
		if r.Appeal != nil && r.Appeal.Citation == "" {
			t.Errorf("entry %d: an appeal without its citation", i)
		}
		for _, l := range r.Limits {
			if l.Citation == "" {
				t.Errorf("entry %d: a limit without its citation", i)
			}
		}
	}
	want := []string{"US-CA", "US-VA", "US-CO", "US-CT", "US-UT", "US-IA", "US-TX", "US-OR", "US-MT", "US-DE", "US-NE",
		"US-NH", "US-NJ", "US-TN", "US-MN", "US-MD", "US-IN", "US-KY", "US-RI", "EEA", "GB", "CH", "CA", "CA-QC", "BR"}
	for _, code := range want {
		if len(Groups(code)) == 0 {
			t.Errorf("no rows for %s", code)
		}
		if !slices.ContainsFunc(Laws(), func(l LawInfo) bool { return l.Code == code }) {
			t.Errorf("no law info for %s", code)
		}
	}
	for _, l := range Laws() {
		if len(Groups(l.Code)) == 0 {
			t.Errorf("law %s has no rows", l.Code)
		}
		if _, ok := lawPhrases[l.Law]; !ok {
			t.Errorf("law %s has no phrase for CheckLimit", l.Law)
		}
	}
	if g := Groups("JP"); g != nil {
		t.Errorf("Groups(JP) = %v", g)
	}
}

// TestSensitiveAt: the sensitive-data model decisions read, by law and
// date, each with its citation.
func TestSensitiveAt(t *testing.T) {
	t.Parallel()
	before := time.Date(2026, time.June, 30, 23, 0, 0, 0, time.UTC)
	after := time.Date(2026, time.July, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		citation, jurisdiction string
		at                     time.Time
		ok                     bool
		consent                string
		saleNeedsConsent       bool
		sale                   string
	}{
		{"Cal. Civ. Code §1798.121(a)-(b); Cal. Code Regs. tit. 11 §7027(m)", "US-CA", after, true, SensitiveOptOut, false, ""},
		{"Md. Code, Com. Law §14-4607(a)(2)", "US-MD", after, true, SensitiveStrictlyNecessary, false, SaleNever},
		{"P.A. 25-113 (S.B. 1295, 2025), in force 1 July 2026", "US-CT", before, true, SensitiveOptIn, false, SaleConsent},
		{"P.A. 25-113 (S.B. 1295, 2025), in force 1 July 2026", "US-CT", after, true, SensitiveOptIn, true, SaleConsent},
		{"Utah Code §13-61-302(3)", "US-UT", after, true, SensitiveOptOut, false, ""},
		{"GDPR Art. 9", "DE", after, true, SensitiveOptIn, false, ""},
		{"Ind. Code 24-15-4-1 (not yet in force)", "US-IN", time.Date(2025, time.December, 31, 0, 0, 0, 0, time.UTC), false, "", false, ""},
		{"no comprehensive law (Florida)", "US-FL", after, false, "", false, ""},
		{"no law in the table (Japan)", "JP", after, false, "", false, ""},
	}
	for _, c := range cases {
		r, ok := SensitiveAt(c.jurisdiction, c.at)
		if ok != c.ok || r.Consent != c.consent || r.SaleNeedsConsent(c.at) != c.saleNeedsConsent || r.Sale != c.sale {
			t.Errorf("%s: SensitiveAt(%s, %s) = %+v, %v", c.citation, c.jurisdiction, c.at.Format("2006-01-02"), r, ok)
		}
		if ok && r.Sale != "" && r.SaleCitation == "" {
			t.Errorf("%s: sale rule without a citation: %+v", c.citation, r)
		}
	}
}
