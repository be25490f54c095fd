package jurisdiction

import (
	"slices"
	"time"
)

// This file holds what each law says beyond the deadlines of one request
// type (LawInfo: its name, effective date, universal opt-out signals,
// sensitive data, children, rights of its own), and the rows of the laws
// added after the first version of the table: the other US state
// comprehensive laws in force by December 2026, Switzerland, Canada, Quebec
// and Brazil.
//
// Sources: the statute or regulation text, or an official regulator page,
// where the comment gives no "UNSURE"; every UNSURE says what was read and
// what was chosen: the stricter deadline and the earlier start date for the
// business, the more generous limit for the person.

// LawInfo is what the table knows of one law as a whole.
type LawInfo struct {
	// Code is the jurisdiction key of the law table ("US-TX", "EEA", …).
	Code string
	// Law is one of the Law constants.
	Law string
	// Name is the law's full name, with its statute.
	Name string
	// Effective is the date from which it governs requests.
	Effective time.Time
	// EffectiveCitation is where the effective date comes from.
	EffectiveCitation    string
	ControllerComplaints *ComplaintRules
	Signal               *SignalRules
	Sensitive            *SensitiveRules
	Children             *ChildRules
	Rights               []Provision
}

func (l LawInfo) apply(r *Rules) {
	r.Name, r.Effective = l.Name, l.Effective
	r.ControllerComplaints = clonePtr(l.ControllerComplaints)
	r.Signal = clonePtr(l.Signal)
	r.Sensitive = clonePtr(l.Sensitive)
	r.Children = clonePtr(l.Children)
	r.Rights = slices.Clone(l.Rights)
}

func (l LawInfo) clone() LawInfo {
	l.ControllerComplaints = clonePtr(l.ControllerComplaints)
	l.Signal = clonePtr(l.Signal)
	l.Sensitive = clonePtr(l.Sensitive)
	l.Children = clonePtr(l.Children)
	l.Rights = slices.Clone(l.Rights)
	return l
}

// lawInfo returns the LawInfo of law in code (tested: every entry has one).
func lawInfo(code, law string) LawInfo {
	for _, l := range laws {
		if l.Code == code && l.Law == law {
			return l
		}
	}
	return LawInfo{Code: code, Law: law, Name: law}
}

// Laws returns every law of the table, in table order.
func Laws() []LawInfo {
	out := make([]LawInfo, len(laws))
	for i, l := range laws {
		out[i] = l.clone()
	}
	return out
}

// Group is the rules of one law for a group of request types.
type Group struct {
	Types []string
	Rules Rules
}

// Groups returns the rules the table holds for a jurisdiction ("US-TX",
// "DE", "CA-QC"), one Group per row, in table order, each as For returns
// it (for an EEA member state, with its Art. 8 age); nil when the table has
// no law for it.
func Groups(jurisdiction string) []Group {
	key := jurisdictionKey(jurisdiction)
	var out []Group
	for _, e := range table {
		if e.jurisdiction == key {
			out = append(out, Group{Types: slices.Clone(e.types), Rules: For(jurisdiction, e.types[0])})
		}
	}
	return out
}

// table is the law table.
var table = slices.Concat(coreTable, stateTable, worldTable)

// stateTypes are the request types the Virginia-model laws grant: access
// (confirm and access), the categories, a portable copy, correction,
// deletion and opting out of targeted advertising, sale and profiling.
var stateTypes = []string{TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion, TypeOptOut}

// vaModel returns the two rows of a law on the Virginia model: the rights,
// answered within 45 days of receipt, extendable once by 45 days with
// notice and the reason within the first 45; and the appeal, decided within
// appeal.Respond (extendable by appealExt, with notice, where the law says
// so).
func vaModel(key, law, citation string, appeal *AppealRules, appealExt Period, a allowance) []entry {
	return []entry{
		{jurisdiction: key, types: stateTypes, rules: stateRights(law, key, citation, days(45), days(45), appeal, a.fee, a.limits)},
		{jurisdiction: key, types: []string{TypeAppeal}, rules: stateAppeal(law, key, appeal.Respond, appealExt, appeal)},
	}
}

// appealTo builds AppealRules pointing to the authority of complaints[key].
func appealTo(respond Period, authority, url, citation string) *AppealRules {
	return &AppealRules{Respond: respond, Authority: authority, AuthorityURL: url, Citation: citation}
}

// allowance is a fee rule with its limits.
type allowance struct {
	fee    FeeRule
	limits []Limit
}

// freeN is the fee rule and limit of "free of charge n times per window;
// beyond, a reasonable fee", on the requests for information.
func freeN(n int, window, citation string) allowance {
	return allowance{FeeRule{Charge: FeeNone, Exception: stateFeeException, Citation: citation},
		[]Limit{{Types: informationTypes, Count: n, Window: window, Beyond: BeyondFee, Citation: citation}}}
}

var stateTable = slices.Concat(
	// -- Texas, Data Privacy and Security Act (Tex. Bus. & Com. Code ch.
	// 541). §541.052(b): not later than the 45th day after receipt,
	// extendable once by 45 days, informing the consumer within the initial
	// 45 days with the reason. §541.052(d): free "at least twice annually".
	// §541.053: appeal; UNSURE: 60 days (§541.053(b)) and the AG contact
	// from secondary sources.
	vaModel("US-TX", LawTDPSA, "Tex. Bus. & Com. Code §541.052(b)",
		appealTo(days(60), "the Texas Attorney General", "https://www.texasattorneygeneral.gov/consumer-protection/file-consumer-complaint",
			"Tex. Bus. & Com. Code §541.053 (UNSURE: 60 days from secondary sources)"),
		Period{}, freeN(2, WindowCalendarYear, "Tex. Bus. & Com. Code §541.052(d)")),
	// -- Oregon, Consumer Privacy Act (ORS 646A.570 to 646A.589).
	// ORS 646A.576(5)(a): 45 days after receipt, +45 with notice within the
	// 45. (5)(c): the first request in a 12-month period is free (Oregon
	// DOJ FAQ). (6)(d): an appeal is decided within 45 days, no extension;
	// a denial says how to complain to the Attorney General.
	vaModel("US-OR", LawOCPA, "ORS 646A.576(5)(a)",
		appealTo(days(45), "the Oregon Department of Justice", "https://justice.oregon.gov/consumercomplaints/", "ORS 646A.576(6)(d)"),
		Period{}, freeN(1, Window12Months, "ORS 646A.576(5)(c)")),
	// -- Montana, Consumer Data Privacy Act (Mont. Code Ann. §30-14-2801 et
	// seq.). §30-14-2808(4)(a): 45 + 45 with notice; (4)(c): free once in
	// any 12 months; (5): appeal, AG contact on denial. UNSURE: 60 days to
	// decide the appeal (the page with the period was not read).
	vaModel("US-MT", LawMTCDPA, "Mont. Code Ann. §30-14-2808(4)(a)",
		appealTo(days(60), "the Montana Attorney General", "https://dojmt.gov/consumer/", "Mont. Code Ann. §30-14-2808(5) (UNSURE: 60 days not read)"),
		Period{}, freeN(1, Window12Months, "Mont. Code Ann. §30-14-2808(4)(c)")),
	// -- Delaware, Personal Data Privacy Act (6 Del. C. ch. 12D).
	// §12D-104(c)(1): 45 + 45 with notice; (c)(3): free once in any 12
	// months. UNSURE: appeal decided within 60 days, Department of Justice
	// contact on denial (§12D-104(d), secondary sources).
	vaModel("US-DE", LawDPDPA, "6 Del. C. §12D-104(c)(1)",
		appealTo(days(60), "the Delaware Department of Justice", "https://attorneygeneral.delaware.gov/fraud/cmu/complaint/",
			"6 Del. C. §12D-104(d) (UNSURE: 60 days from secondary sources)"),
		Period{}, freeN(1, Window12Months, "6 Del. C. §12D-104(c)(3)")),
	// -- Nebraska, Data Privacy Act (Neb. Rev. Stat. §87-1101 et seq.).
	// §87-1108(2): 45 + 45 once with notice; (4): free up to twice annually;
	// §87-1109: appeal decided not later than the 60th day, with the AG's
	// online mechanism on denial.
	vaModel("US-NE", LawNDPA, "Neb. Rev. Stat. §87-1108(2)",
		appealTo(days(60), "the Nebraska Attorney General", "https://protectthegoodlife.nebraska.gov/", "Neb. Rev. Stat. §87-1109"),
		Period{}, freeN(2, WindowCalendarYear, "Neb. Rev. Stat. §87-1108(4)")),
	// -- New Hampshire, RSA ch. 507-H. UNSURE: 45 + 45 with notice (RSA
	// 507-H:4, secondary sources); free at least once in 12 months (NH DOJ
	// page, official); UNSURE: appeal within 60 days with AG contact.
	vaModel("US-NH", LawNHPA, "RSA 507-H:4 (UNSURE: 45+45 from secondary sources; subdivision not read)",
		appealTo(days(60), "the New Hampshire Department of Justice", "https://www.doj.nh.gov/data-privacy-enforcement",
			"RSA 507-H:4, V (UNSURE: 60 days from memory)"),
		Period{}, freeN(1, Window12Months, "RSA 507-H:4 (NH DOJ Data Privacy Unit page)")),
	// -- New Jersey, Data Privacy Act (N.J.S.A. 56:8-166.4 et seq.).
	// §56:8-166.7(a): 45 + 45 with notice within the initial 45 days and
	// the reason; (c): a refusal, within 45 days, gives the justification
	// and instructions for how to appeal; (d): free once per consumer
	// during any twelve-month period (text of §56:8-166.7 read, casetext
	// "Current through L. 2023, c. 349"). UNSURE: the period to decide an
	// appeal (not in §56:8-166.7); one source says 45 days, others 60 for
	// similar laws: 45, the stricter, is taken.
	vaModel("US-NJ", LawNJDPA, "N.J.S.A. 56:8-166.7(a)",
		appealTo(days(45), "the New Jersey Division of Consumer Affairs", "https://www.njconsumeraffairs.gov/Pages/Consumer-Complaints.aspx",
			"N.J.S.A. 56:8-166.7(c) (UNSURE: 45 days, the stricter of the figures found)"),
		Period{}, freeN(1, Window12Months, "N.J.S.A. 56:8-166.7(d)")),
	// -- Tennessee, Information Protection Act (Tenn. Code Ann.
	// §47-18-3301 et seq.). §47-18-3304(b)(1): 45 + 45 once with notice.
	// UNSURE: free up to twice annually ((b)(3), Virginia model, not read);
	// appeal within 60 days with AG contact ((c), not read).
	vaModel("US-TN", LawTIPA, "Tenn. Code Ann. §47-18-3304(b)(1)",
		appealTo(days(60), "the Tennessee Attorney General", "https://www.tn.gov/attorneygeneral/working-for-tennessee/consumer/file-a-complaint.html",
			"Tenn. Code Ann. §47-18-3304(c) (UNSURE: 60 days from the Virginia model)"),
		Period{}, freeN(2, WindowCalendarYear, "Tenn. Code Ann. §47-18-3304(b)(3) (UNSURE)")),
	// -- Minnesota, Consumer Data Privacy Act (Minn. Stat. §325M.10 to
	// 325M.21). 45 days + 45 with notice of the delay and the reason (AG
	// guidance, official; UNSURE of the subdivision). UNSURE: free twice a
	// year (bill summary); the AG page says free except in limited cases.
	// §325M.14 subd. 5 "Appeal process required": an internal process to
	// appeal a refusal (the subdivision's heading and opening read in a
	// reproduction of the statute; the Attorney General's controller page
	// says a refusal within 45 days must say how to appeal). UNSURE:
	// decided within 45 days, extendable by 60 (Colorado model; the
	// period's text was not read).
	vaModel("US-MN", LawMNCDPA, "Minn. Stat. §325M.14 subd. 4 (UNSURE of the subdivision; 45+45 per the Attorney General's guidance)",
		appealTo(days(45), "the Minnesota Attorney General", "https://www.ag.state.mn.us/Data-Privacy/Consumer/",
			"Minn. Stat. §325M.14 subd. 5 (UNSURE: 45 days + 60 from memory)"),
		days(60), freeN(2, WindowCalendarYear, "Minn. Stat. §325M.14 subd. 4 (UNSURE: twice annually per a bill summary)")),
	// -- Maryland, Online Data Privacy Act (Md. Code, Com. Law §14-4601 et
	// seq.; the text also appears as §14-4701 et seq., UNSURE which number
	// is current). UNSURE: 45 + 45 with notice, free once in 12 months,
	// appeal within 60 days with the Consumer Protection Division on denial
	// (all from secondary sources).
	vaModel("US-MD", LawMODPA, "Md. Code, Com. Law §14-4605 (or §14-4705) (UNSURE: 45+45 from secondary sources)",
		appealTo(days(60), "the Maryland Attorney General's Consumer Protection Division", "https://www.marylandattorneygeneral.gov/Pages/CPD/Complaint.aspx",
			"Md. Code, Com. Law §14-4605 (UNSURE: 60 days from secondary sources)"),
		Period{}, freeN(1, Window12Months, "Md. Code, Com. Law §14-4605 (UNSURE)")),
	// -- Indiana, Consumer Data Protection Act (Ind. Code art. 24-15).
	// IC 24-15-3-1(c)(1): 45 + 45 once with notice; (c)(3): free up to one
	// time annually; (d): appeal. UNSURE: 60 days with AG contact.
	vaModel("US-IN", LawINCDPA, "Ind. Code 24-15-3-1(c)(1)",
		appealTo(days(60), "the Indiana Attorney General", "https://www.in.gov/attorneygeneral/consumer-protection-division/file-a-complaint/",
			"Ind. Code 24-15-3-1(d) (UNSURE: 60 days from secondary sources)"),
		Period{}, freeN(1, WindowCalendarYear, "Ind. Code 24-15-3-1(c)(3)")),
	// -- Kentucky, Consumer Data Protection Act (KRS 367.3611 to 367.3629).
	// UNSURE: 45 + 45 with notice and free twice annually (KRS
	// 367.3615(3), Virginia model, not read). KRS 367.3615(4): appeal
	// decided within 60 days, with a way to complain to the AG on denial.
	vaModel("US-KY", LawKCDPA, "KRS 367.3615(3)(a) (UNSURE: 45+45 from secondary sources)",
		appealTo(days(60), "the Kentucky Attorney General", "https://www.ag.ky.gov/", "KRS 367.3615(4)"),
		Period{}, freeN(2, WindowCalendarYear, "KRS 367.3615(3)(c) (UNSURE)")),
	// -- Rhode Island, Data Transparency and Privacy Protection Act (R.I.
	// Gen. Laws ch. 6-48.1). §6-48.1-6(b)(1): 45 + 45 with notice; (b)(3):
	// free once in any 12 months. UNSURE: appeal decided within 60 days
	// with AG contact (secondary source).
	vaModel("US-RI", LawRIDTPPA, "R.I. Gen. Laws §6-48.1-6(b)(1)",
		appealTo(days(60), "the Rhode Island Attorney General", "https://riag.ri.gov/about-our-office/divisions-and-units/civil-division/consumer-protection",
			"R.I. Gen. Laws §6-48.1-6 (UNSURE: 60 days from a secondary source)"),
		Period{}, freeN(1, Window12Months, "R.I. Gen. Laws §6-48.1-6(b)(3)")),
)

// worldRules are the rules of the laws outside the US and the GDPR.
func worldRules(law, key, citation string, respond, extension Period, f FeeRule) Rules {
	return Rules{
		Law:                  law,
		Citation:             citation,
		Respond:              respond,
		Extension:            extension,
		ExtensionNeedsNotice: !extension.IsZero(),
		Fee:                  f,
		Complaint:            complaints[key],
	}
}

var worldTable = []entry{
	// -- Switzerland, Federal Act on Data Protection (FADP, SR 235.1) and
	// Data Protection Ordinance (DPO, SR 235.11). FADP Art. 25(7): "The
	// information shall in general be provided within 30 days"; Art. 25(6):
	// free of charge, the Federal Council may provide for exceptions, in
	// particular for disproportionate effort (English translation of
	// Art. 25 read). DPO Art. 19 (read): a contribution of at most CHF 300
	// for disproportionate cost, told before; if the person does not
	// confirm within ten days the request is withdrawn at no cost, and the
	// 30 days of Art. 18(1) start when the ten days end. DPO Art. 18 lets the controller, telling
	// the person within the 30 days, name a later date (UNSURE: wording of
	// Art. 18(2) not read; it sets no fixed maximum): no extension is
	// modelled, the stricter reading. UNSURE: the FADP sets a period for
	// access only; Custos applies the 30 days to every request, the
	// stricter reading. FADP Art. 25(6) and DPO Art. 19: free; a
	// contribution of at most CHF 300 for disproportionate effort, told in
	// advance, the request lapsing if not confirmed within 10 days.
	{jurisdiction: "CH", types: gdprTypes, rules: worldRules(LawFADP, "CH", "FADP Art. 25(7); DPO Art. 18 (UNSURE for requests other than access)",
		days(30), Period{}, FeeRule{Charge: FeeNone, Citation: "FADP Art. 25(6); DPO Art. 19",
			Exception: "If answering involves disproportionate effort, the controller may ask for a contribution of at most CHF 300, telling you the amount first; if you do not confirm within 10 days, the request is withdrawn at no cost."})},
	// -- Canada, PIPEDA (S.C. 2000, c. 5). Text of s. 8 read (Justice
	// Laws, laws-lois.justice.gc.ca, French version of s. 8, and the
	// English text of Bill C-6 as passed): s. 8(3): "not later than thirty
	// days after receipt of the request"; s. 8(4): extendable by at most 30
	// days where meeting the limit would unreasonably interfere with the
	// organization's activities or consultations make it impracticable (or
	// by the time to convert to an alternative format), the organization
	// sending, no later than thirty days after the request, a notice of
	// the new time limit, the reasons and the right to make a complaint to
	// the Commissioner in respect of the extension; s. 8(5): silence is a
	// deemed refusal; s. 8(6): a cost only if the person was told the
	// approximate cost and did not withdraw (Sch. 1 cl. 4.9.4: minimal or
	// no cost, UNSURE of the wording: not read). No
	// limit in s. 8. Types: access and the uses and disclosures (Sch. 1
	// cl. 4.9, 4.9.3), correction (cl. 4.9.5), withdrawal of consent (cl.
	// 4.3.8). UNSURE: s. 8 sets periods for access only; Custos applies
	// them to the others, the stricter reading.
	{jurisdiction: "CA", types: []string{TypeAccess, TypeCategories, TypeCorrection, TypeOptOut, TypeDirectMarketingDisclosures},
		rules: worldRules(LawPIPEDA, "CA", "PIPEDA s. 8(3)-(4) (UNSURE for requests other than access)", days(30), days(30),
			FeeRule{Charge: FeeNone, Citation: "PIPEDA s. 8(6); Sch. 1 cl. 4.9.4 (UNSURE of cl. 4.9.4)",
				Exception: "A minimal fee may be charged only if you were told the approximate cost first and did not withdraw the request."})},
	// -- Quebec, Act respecting the protection of personal information in
	// the private sector (CQLR c. P-39.1) as amended by Law 25 (S.Q. 2021,
	// c. 25). s. 32 (text read, a reproduction of the article): a request
	// for access or rectification is answered "avec diligence et au plus
	// tard dans les 30 jours de la date de réception"; no answer within the
	// 30 days is a deemed refusal; no extension. UNSURE: s. 33: free, a
	// reasonable charge for transcription, reproduction or transmission,
	// told in advance (secondary sources only). UNSURE: s. 32 names access
	// and rectification; Custos applies the 30 days to the other types, the
	// stricter reading. Types:
	// access (s. 27, with a portable copy from 22 September 2024),
	// rectification and deletion (s. 28), withdrawal of consent.
	{jurisdiction: "CA-QC", types: []string{TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion, TypeOptOut},
		rules: worldRules(LawQuebec, "CA-QC", "CQLR c. P-39.1 s. 32 (UNSURE for requests other than access and rectification)", days(30), Period{},
			FeeRule{Charge: FeeNone, Citation: "CQLR c. P-39.1 s. 33 (UNSURE)",
				Exception: "A reasonable charge may be asked for transcribing, reproducing or sending the information, if you are told of it in advance."})},
	// -- Brazil, LGPD (Lei nº 13.709/2018). Art. 19: confirmation and access
	// in simplified form immediately, or as a complete statement within 15
	// days of the request; no extension (the ANPD may set other periods for
	// sectors, Art. 19 §4). UNSURE: Art. 18 gives no period for the other
	// rights; Custos applies the 15 days, the stricter reading. UNSURE:
	// Art. 18 §5: at no cost to the data subject.
	{jurisdiction: "BR", types: gdprTypes, rules: worldRules(LawLGPD, "BR", "LGPD Art. 19(II) (UNSURE for requests other than confirmation and access)",
		days(15), Period{}, FeeRule{Charge: FeeNone, Citation: "LGPD Art. 18 §5 (UNSURE)"})},
}

// Signals, sensitive data and children, shared by several laws.
var (
	noSignal = func(citation string) *SignalRules {
		return &SignalRules{Text: "The law does not require honouring a universal opt-out signal; Custos honours Global Privacy Control everywhere as the policy says.", Citation: citation}
	}
	signalFrom = func(from time.Time, citation string) *SignalRules {
		return &SignalRules{Required: true, From: from, Citation: citation,
			Text: "An opt-out preference signal (Global Privacy Control) sent by the person's browser or device must be treated as a request to opt out of sale and targeted advertising."}
	}
	optIn = func(citation string) *SensitiveRules {
		return &SensitiveRules{Consent: SensitiveOptIn, Citation: citation, Text: "Sensitive data is processed only with the person's prior consent (a known child's under COPPA)."}
	}
	optOut = func(citation string) *SensitiveRules {
		return &SensitiveRules{Consent: SensitiveOptOut, Citation: citation, Text: "Sensitive data may be processed after clear notice and an opportunity to opt out."}
	}
	coppa = func(citation, teens string) *ChildRules {
		text := "A child is under 13; a parent or guardian consents and exercises the child's rights (COPPA, 15 U.S.C. §6501)."
		if teens != "" {
			text += " " + teens
		}
		return &ChildRules{ConsentAge: 13, Text: text, Citation: citation}
	}
)

// laws are the laws of the table, in the order `custos law list` prints.
var laws = []LawInfo{
	{Code: "US-CA", Law: LawCCPA, Name: "California Consumer Privacy Act, as amended by the California Privacy Rights Act (Cal. Civ. Code §1798.100 et seq.)",
		// UNSURE: operative 1 January 2020 (general knowledge).
		Effective: date(2020, time.January, 1), EffectiveCitation: "Cal. Civ. Code §1798.198 (UNSURE)",
		// 11 CCR §7025(b)-(c): a qualifying opt-out preference signal is a
		// valid request to opt out of sale/sharing; from 1 January 2026
		// §7025(c)(6) the business must display whether it processed it.
		// UNSURE: the start date; the former §999.315(c) required honouring
		// user-enabled global privacy controls from the AG's regulations of
		// 14 August 2020: the earlier date is taken.
		Signal: signalFrom(date(2020, time.August, 14), "Cal. Code Regs. tit. 11 §7025(b)-(c), (c)(6) from 1 January 2026 (UNSURE of the start date: former §999.315(c))"),
		// §1798.121(a) (text read): the consumer may direct the business to
		// limit its use of sensitive personal information to what is
		// necessary to perform the services or provide the goods reasonably
		// expected, to the services of §1798.140(e)(2), (4), (5) and (8),
		// and as the regulations authorise; (b): after the direction, no
		// other use unless the consumer later consents. 11 CCR §7027(m)
		// lists those purposes ((m)(1)-(2) read; (3)-(8) from the
		// regulation's structure: fraud, physical safety, short-term
		// transient use, services on behalf of the business, quality and
		// safety, no inference of characteristics).
		Sensitive: &SensitiveRules{Consent: SensitiveOptOut, Citation: "Cal. Civ. Code §1798.121(a)-(b); Cal. Code Regs. tit. 11 §7027(m)",
			Text: "The person may limit the use and disclosure of sensitive personal information to what is necessary to provide the goods or services they expect, security, fraud prevention, safety and the other purposes of 11 CCR §7027(m)."},
		// UNSURE: §1798.120(c): no sale or sharing of the personal
		// information of consumers under 16 without opt-in (13 to 15: their
		// own; under 13: a parent's).
		Children: &ChildRules{ConsentAge: 13, Citation: "Cal. Civ. Code §1798.120(c) (UNSURE)",
			Text: "No sale or sharing of the personal information of a consumer under 16 without opt-in consent: the consumer's own from 13 to 15, a parent's or guardian's under 13."}},
	{Code: "US-CA", Law: LawShineTheLight, Name: `California "Shine the Light" law (Cal. Civ. Code §1798.83)`,
		// UNSURE: operative 1 January 2005 (general knowledge).
		Effective: date(2005, time.January, 1), EffectiveCitation: "Stats. 2003, ch. 633 (UNSURE)"},
	{Code: "EEA", Law: LawGDPR, Name: "General Data Protection Regulation (Regulation (EU) 2016/679)",
		Effective: date(2018, time.May, 25), EffectiveCitation: "GDPR Art. 99(2)",
		// UNSURE: Art. 9: explicit consent or another condition of Art. 9(2).
		Sensitive: &SensitiveRules{Consent: SensitiveOptIn, Citation: "GDPR Art. 9 (UNSURE)",
			Text: "Special categories of data are processed only with explicit consent or under another condition of Art. 9(2)."}},
	{Code: "GB", Law: LawUKGDPR, Name: "UK GDPR and Data Protection Act 2018, as amended by the Data (Use and Access) Act 2025",
		// The GDPR applied in the UK from 25 May 2018 with the DPA 2018; the
		// UK GDPR continued it from 1 January 2021.
		Effective: date(2018, time.May, 25), EffectiveCitation: "GDPR Art. 99(2); Data Protection Act 2018 s. 212; European Union (Withdrawal) Act 2018 s. 3",
		// UNSURE: DPA 2018 s. 164A (inserted by DUAA 2025 s. 103), in force
		// 19 June 2026 per consistent law-firm sources (the commencement
		// regulations were not read): controllers must facilitate
		// complaints, acknowledge them within 30 days of receipt and answer
		// without undue delay.
		ControllerComplaints: &ComplaintRules{From: date(2026, time.June, 19), Acknowledge: days(30), Citation: "Data Protection Act 2018 s. 164A (UNSURE: commencement 19 June 2026 from secondary sources)",
			Text: "The controller must make it easy to complain to it (for example by an electronic form), acknowledge a complaint within 30 days of receipt, take appropriate steps without undue delay and tell the complainant the outcome; the person may then go to the ICO."},
		Sensitive: &SensitiveRules{Consent: SensitiveOptIn, Citation: "UK GDPR Art. 9; DPA 2018 Sch. 1 (UNSURE)",
			Text: "Special categories of data are processed only with explicit consent or under another condition of Art. 9(2) and DPA 2018 Sch. 1."},
		Children: &ChildRules{ConsentAge: 13, Citation: "UK GDPR Art. 8(1); Data Protection Act 2018 s. 9 (UNSURE)",
			Text: "Below 13, consent to information society services offered directly to a child is given or authorised by a parent."},
		Rights: []Provision{
			{Name: "reasonable and proportionate search", Citation: "UK GDPR Art. 15(1A) (DUAA 2025 s. 78)",
				Text: "The person is entitled to what the controller can provide based on a reasonable and proportionate search."},
			{Name: "stop the clock", From: date(2026, time.February, 5), Citation: "UK GDPR Art. 12A (DUAA 2025 s. 76) (UNSURE: commencement 5 February 2026 from secondary sources)",
				Text: "The period may start only when the controller has the request, any identity information reasonably asked for and any fee, and pauses while it waits for a clarification it reasonably needs. Custos counts from receipt, the stricter reading."},
		}},
	{Code: "US-VA", Law: LawVCDPA, Name: "Virginia Consumer Data Protection Act (Va. Code §59.1-575 et seq.)",
		Effective: date(2023, time.January, 1), EffectiveCitation: "Acts 2021 Sp. Sess. I cc. 35, 36",
		Signal:    noSignal("Va. Code §59.1-577 (UNSURE: absence of a signal duty not verified)"),
		Sensitive: optIn("Va. Code §59.1-578(A)(5) (UNSURE)"),
		Children: coppa("Va. Code §59.1-575, §59.1-578(F) (UNSURE of (F))",
			"From 1 January 2025, a known child's data is not processed for targeted advertising, sale or profiling without a parent's consent.")},
	{Code: "US-CO", Law: LawCPA, Name: "Colorado Privacy Act (Colo. Rev. Stat. §6-1-1301 et seq.)",
		Effective: date(2023, time.July, 1), EffectiveCitation: "S.B. 21-190",
		// UNSURE: 1 July 2024 from consistent secondary sources; the AG's
		// list of mechanisms (https://coag.gov/uoom/) names GPC.
		Signal:    signalFrom(date(2024, time.July, 1), "Colo. Rev. Stat. §6-1-1306(1)(a)(IV); 4 CCR 904-3 Part 5 (UNSURE of the start date)"),
		Sensitive: optIn("Colo. Rev. Stat. §6-1-1308(7) (UNSURE)"),
		Children: coppa("Colo. Rev. Stat. §6-1-1308.5 (S.B. 24-041) (UNSURE)",
			"From 1 October 2025, a known minor's (under 18) data is not processed for targeted advertising, sale or profiling without consent.")},
	{Code: "US-CT", Law: LawCTDPA, Name: "Connecticut Data Privacy Act (Conn. Gen. Stat. §42-515 et seq.)",
		Effective: date(2023, time.July, 1), EffectiveCitation: "P.A. 22-15",
		Signal: signalFrom(date(2025, time.January, 1), "Conn. Gen. Stat. §42-520(e)(1)(A)(ii) (UNSURE)"),
		// P.A. 25-113 (S.B. 1295, 2025), in force 1 July 2026: a controller
		// shall not sell sensitive data without the consumer's consent
		// (read in law-firm summaries of the act; the subdivision of
		// §42-520 it amends was not read).
		Sensitive: &SensitiveRules{Consent: SensitiveOptIn, Citation: "Conn. Gen. Stat. §42-520(a)(4); P.A. 25-113 (UNSURE of the subdivision)",
			Text: "Sensitive data is processed only with consent; from 1 July 2026 it is not sold without consent.",
			Sale: SaleConsent, SaleFrom: date(2026, time.July, 1), SaleCitation: "P.A. 25-113 (S.B. 1295, 2025), in force 1 July 2026"},
		Children: coppa("Conn. Gen. Stat. §42-515; P.A. 25-113 (UNSURE)",
			"From 1 July 2026, no targeted advertising to or sale of the data of consumers known to be 13 to 17, even with consent."),
		Rights: []Provision{
			{Name: "inferences", From: date(2026, time.July, 1), Citation: "P.A. 25-113 (UNSURE)", Text: "Access includes the inferences the controller derived about the person."},
			{Name: "contest profiling", From: date(2026, time.July, 1), Citation: "P.A. 25-113 (UNSURE)",
				Text: "The person may question the result of profiling in furtherance of a decision with legal or similarly significant effects."},
		}},
	{Code: "US-UT", Law: LawUCPA, Name: "Utah Consumer Privacy Act (Utah Code §13-61-101 et seq.)",
		Effective: date(2023, time.December, 31), EffectiveCitation: "S.B. 227 (2022)",
		Signal:    noSignal("Utah Code §13-61-201 (UNSURE: absence not verified)"),
		Sensitive: optOut("Utah Code §13-61-302(3) (UNSURE)"),
		Children:  coppa("Utah Code §13-61-101(8), §13-61-202(2)", ""),
		Rights: []Provision{{Name: "no correction or appeal", Citation: "Utah Code §13-61-201, §13-61-203",
			Text: "The act grants no right to correction and no appeal; those requests follow the organisation's own policy."}}},
	{Code: "US-IA", Law: LawICDPA, Name: "Iowa Consumer Data Protection Act (Iowa Code ch. 715D)",
		// UNSURE: 1 January 2025 from consistent secondary sources.
		Effective: date(2025, time.January, 1), EffectiveCitation: "S.F. 262 (2023) (UNSURE)",
		Signal:    noSignal("Iowa Code ch. 715D (UNSURE: absence not verified)"),
		Sensitive: optOut("Iowa Code §715D.4(2) (UNSURE)"),
		Children:  coppa("Iowa Code §715D.1 (UNSURE)", ""),
		Rights: []Provision{{Name: "no correction", Citation: "Iowa Code §715D.3(1) (UNSURE)",
			Text: "The act grants no right to correction; such requests follow the organisation's own policy."}}},
	{Code: "US-TX", Law: LawTDPSA, Name: "Texas Data Privacy and Security Act (Tex. Bus. & Com. Code ch. 541)",
		Effective: date(2024, time.July, 1), EffectiveCitation: "H.B. 4, Acts 2023, 88th Leg., R.S., ch. 995",
		Signal:    signalFrom(date(2025, time.January, 1), "Tex. Bus. & Com. Code §541.055(e)-(f)"),
		Sensitive: optIn("Tex. Bus. & Com. Code §541.101(b)(4) (UNSURE); §541.107(a) for small businesses"),
		Children:  coppa("Tex. Bus. & Com. Code §541.001, §541.005 (UNSURE of the age)", "")},
	{Code: "US-OR", Law: LawOCPA, Name: "Oregon Consumer Privacy Act (ORS 646A.570 to 646A.589)",
		Effective: date(2024, time.July, 1), EffectiveCitation: "S.B. 619 (2023); Oregon DOJ business privacy FAQ",
		Signal:    signalFrom(date(2026, time.January, 1), "ORS 646A.576 (Oregon DOJ business privacy FAQ)"),
		Sensitive: optIn("ORS 646A.578(2)(b) (UNSURE)"),
		Children: coppa("ORS 646A.578(2)(d) (UNSURE)",
			"No targeted advertising, sale or profiling of a consumer known to be 13 to 15 without consent; from 1 January 2026 (H.B. 2008, 2025) no sale of the data of consumers under 16."),
		Rights: []Provision{{Name: "specific third parties", Citation: "ORS 646A.574(1)(a)(B)",
			Text: "At the controller's option, a list of the specific third parties (other than natural persons) to which it disclosed the person's, or any, personal data."}}},
	{Code: "US-MT", Law: LawMTCDPA, Name: "Montana Consumer Data Privacy Act (Mont. Code Ann. §30-14-2801 et seq.)",
		Effective: date(2024, time.October, 1), EffectiveCitation: "S.B. 384 (2023)",
		Signal:    signalFrom(date(2025, time.January, 1), "Mont. Code Ann. §30-14-2809(1), (3)(b)"),
		Sensitive: optIn("Mont. Code Ann. §30-14-2812(2)(b)"),
		Children: coppa("Mont. Code Ann. §30-14-2802; S.B. 297 (2025) (UNSURE of the teen rule)",
			"No targeted advertising, sale or profiling of a consumer known to be under 18 without consent."),
		Rights: []Provision{{Name: "revoking consent", Citation: "Mont. Code Ann. §30-14-2812(1)(c)",
			Text: "Consent can be revoked as easily as it was given; processing stops as soon as practicable and within 45 days."}}},
	{Code: "US-DE", Law: LawDPDPA, Name: "Delaware Personal Data Privacy Act (6 Del. C. ch. 12D)",
		// UNSURE: 1 January 2025 from consistent secondary sources.
		Effective: date(2025, time.January, 1), EffectiveCitation: "H.B. 154 (2023) (UNSURE)",
		Signal:    signalFrom(date(2026, time.January, 1), "6 Del. C. §12D-106(e) (UNSURE)"),
		Sensitive: optIn("6 Del. C. §12D-106(a)(4) (UNSURE)"),
		Children: coppa("6 Del. C. §12D-106(a)(7) (UNSURE)",
			"No targeted advertising or sale of the data of a consumer known to be 13 to 17 without consent."),
		Rights: []Provision{{Name: "categories of third parties", Citation: "6 Del. C. §12D-104(a) (UNSURE)",
			Text: "A list of the categories of third parties to which the controller disclosed the person's personal data."}}},
	{Code: "US-NE", Law: LawNDPA, Name: "Nebraska Data Privacy Act (Neb. Rev. Stat. §87-1101 et seq.)",
		// UNSURE: 1 January 2025 from consistent secondary sources.
		Effective: date(2025, time.January, 1), EffectiveCitation: "L.B. 1074 (2024) (UNSURE)",
		// UNSURE: listed among the states requiring signals by a law firm;
		// the requirement is taken from the effective date, the stricter.
		Signal:    signalFrom(date(2025, time.January, 1), "Neb. Rev. Stat. §87-1110 (UNSURE)"),
		Sensitive: optIn("Neb. Rev. Stat. §87-1112 (UNSURE)"),
		Children:  coppa("Neb. Rev. Stat. §87-1102 (UNSURE)", "")},
	{Code: "US-NH", Law: LawNHPA, Name: "New Hampshire Data Privacy Act (RSA ch. 507-H)",
		Effective: date(2025, time.January, 1), EffectiveCitation: "S.B. 255-FN (2024); NH DOJ Data Privacy Unit page",
		Signal:    signalFrom(date(2025, time.January, 1), "RSA 507-H:6 (UNSURE)"),
		Sensitive: optIn("RSA 507-H:6 (UNSURE)"),
		Children: coppa("RSA 507-H:6 (UNSURE)",
			"No targeted advertising or sale of the data of a consumer known to be 13 to 15 without consent.")},
	{Code: "US-NJ", Law: LawNJDPA, Name: "New Jersey Data Privacy Act (N.J.S.A. 56:8-166.4 et seq.)",
		Effective: date(2025, time.January, 15), EffectiveCitation: "P.L. 2023, c. 266",
		Signal:    signalFrom(date(2025, time.July, 15), "N.J.S.A. 56:8-166.11 (UNSURE of the section and date)"),
		Sensitive: optIn("N.J.S.A. 56:8-166.12 (UNSURE)"),
		Children: coppa("N.J.S.A. 56:8-166.12 (UNSURE)",
			"No targeted advertising, sale or profiling of a consumer known to be 13 to 17 without consent.")},
	{Code: "US-TN", Law: LawTIPA, Name: "Tennessee Information Protection Act (Tenn. Code Ann. §47-18-3301 et seq.)",
		Effective: date(2025, time.July, 1), EffectiveCitation: "H.B. 1181 / S.B. 73 (2023)",
		Signal:    noSignal("Tenn. Code Ann. §47-18-3304 (UNSURE: absence not verified)"),
		Sensitive: optIn("Tenn. Code Ann. §47-18-3305(a)(6) (UNSURE)"),
		Children:  coppa("Tenn. Code Ann. §47-18-3302", "")},
	{Code: "US-MN", Law: LawMNCDPA, Name: "Minnesota Consumer Data Privacy Act (Minn. Stat. §325M.10 to 325M.21)",
		// UNSURE: 31 July 2025 from consistent secondary sources.
		Effective: date(2025, time.July, 31), EffectiveCitation: "2024 Minn. Laws ch. 121, art. 5 (UNSURE)",
		Signal:    signalFrom(date(2025, time.July, 31), "Minn. Stat. §325M.14 subd. 1(f) (UNSURE)"),
		Sensitive: optIn("Minn. Stat. §325M.16 (Attorney General's statement)"),
		Children: coppa("Minnesota Attorney General's consumer page (UNSURE of the teen band)",
			"No targeted advertising or sale of the data of a consumer known to be 13 to 15 without consent."),
		Rights: []Provision{
			{Name: "question profiling", Citation: "Minn. Stat. §325M.14 subd. 1(g)",
				Text: "For profiling in furtherance of decisions with legal or similarly significant effects: question the result, be told the reason and what could be done to obtain a different decision, review the data used and, if inaccurate, have it corrected and the decision reevaluated."},
			{Name: "specific third parties", Citation: "Minn. Stat. §325M.14 subd. 1(h)",
				Text: "A list of the specific third parties to which the controller disclosed the person's personal data (or, if it does not keep that, any consumer's)."},
		}},
	{Code: "US-MD", Law: LawMODPA, Name: "Maryland Online Data Privacy Act of 2024 (Md. Code, Com. Law §14-4601 et seq.)",
		Effective: date(2025, time.October, 1), EffectiveCitation: "S.B. 541 ch. 455 / H.B. 567 ch. 454 (2024); UNSURE: processing before 1 April 2026 is not affected",
		// UNSURE: required by §14-4605 (law-firm lists); from the effective
		// date, the stricter reading.
		Signal: signalFrom(date(2025, time.October, 1), "Md. Code, Com. Law §14-4605 (UNSURE)"),
		// §14-4607(a) (text read): a controller may not "(1) Except where
		// the collection or processing is strictly necessary to provide or
		// maintain a specific product or service requested by the consumer
		// ..., collect, process, or share sensitive data" nor "(2) Sell
		// sensitive data".
		Sensitive: &SensitiveRules{Consent: SensitiveStrictlyNecessary, Citation: "Md. Code, Com. Law §14-4607(a)(1)-(2) (also cited as §14-4707)",
			Text: "Sensitive data is collected, processed or shared only where strictly necessary to provide or maintain a product or service the person asked for, and never sold, consent or not.",
			Sale: SaleNever, SaleCitation: "Md. Code, Com. Law §14-4607(a)(2)"},
		Children: coppa("Md. Code, Com. Law §14-4607(a)(4)-(5)",
			"No targeted advertising to and no sale of the data of a consumer the controller knew or should have known is under 18."),
		Rights: []Provision{{Name: "categories of third parties", Citation: "Md. Code, Com. Law §14-4605(b)",
			Text: "A list of the categories of third parties to which the controller disclosed the person's (or, if not kept per person, any) personal data."}}},
	{Code: "US-IN", Law: LawINCDPA, Name: "Indiana Consumer Data Protection Act (Ind. Code art. 24-15)",
		Effective: date(2026, time.January, 1), EffectiveCitation: "P.L. 94-2023",
		Signal:    noSignal("Ind. Code 24-15 (UNSURE: absence not verified)"),
		Sensitive: optIn("Ind. Code 24-15-4-1 (UNSURE)"),
		Children:  coppa("Ind. Code 24-15-3-1(a) (UNSURE of the age)", ""),
		Rights: []Provision{{Name: "correction and summaries", Citation: "Ind. Code 24-15-3-1(b)(2), (b)(4)",
			Text: "Correction covers data the person provided; a copy may be a representative summary, and need not be given more than once in 12 months."}}},
	{Code: "US-KY", Law: LawKCDPA, Name: "Kentucky Consumer Data Protection Act (KRS 367.3611 to 367.3629)",
		Effective: date(2026, time.January, 1), EffectiveCitation: "2024 H.B. 15",
		Signal:    noSignal("KRS 367.3615 (UNSURE: absence not verified)"),
		Sensitive: optIn("KRS 367.3617 (UNSURE)"),
		Children:  coppa("KRS 367.3611 (bill §1(5)); KRS 367.3615(1)", "")},
	{Code: "US-RI", Law: LawRIDTPPA, Name: "Rhode Island Data Transparency and Privacy Protection Act (R.I. Gen. Laws ch. 6-48.1)",
		Effective: date(2026, time.January, 1), EffectiveCitation: "R.I. Gen. Laws ch. 6-48.1 heading",
		Signal:    noSignal("R.I. Gen. Laws ch. 6-48.1 (UNSURE: no provision found)"),
		Sensitive: optIn("R.I. Gen. Laws §6-48.1-4(c), (e)"),
		Children:  coppa("R.I. Gen. Laws §6-48.1-4(c)", "")},
	{Code: "CH", Law: LawFADP, Name: "Swiss Federal Act on Data Protection (FADP, SR 235.1) and Data Protection Ordinance (SR 235.11)",
		Effective: date(2023, time.September, 1), EffectiveCitation: "FADP (revised), in force 1 September 2023",
		Sensitive: &SensitiveRules{Consent: SensitiveOptIn, Citation: "FADP Art. 6(7) (UNSURE)",
			Text: "Where consent is required for sensitive personal data, it must be explicit."},
		Children: &ChildRules{Citation: "Swiss Civil Code Art. 16 (UNSURE)", Text: "No fixed age: a child consents alone when capable of judgement."}},
	{Code: "CA", Law: LawPIPEDA, Name: "Personal Information Protection and Electronic Documents Act (PIPEDA, S.C. 2000, c. 5)",
		// UNSURE: in force for federal works from 1 January 2001 and fully
		// from 1 January 2004; the earlier date is taken.
		Effective: date(2001, time.January, 1), EffectiveCitation: "PIPEDA s. 72 (UNSURE)",
		// Sch. 1 cl. 4.3.4 (read, OPC interpretation bulletin): the form of
		// consent takes the sensitivity of the information into account.
		// UNSURE: cl. 4.3.6, express consent for sensitive information, is
		// a "should" (s. 5(2): best practice); taken as opt-in, the
		// stricter reading.
		Sensitive: &SensitiveRules{Consent: SensitiveOptIn, Citation: "PIPEDA Sch. 1 cl. 4.3.4, 4.3.6 (UNSURE: 4.3.6 is a \"should\")",
			Text: "Sensitive information is used with the person's express consent."},
		Children: &ChildRules{Citation: "OPC guidance (UNSURE)", Text: "No fixed age in the Act; the Privacy Commissioner expects a parent's consent under 13."},
		Rights: []Provision{
			{Name: "deemed refusal", Citation: "PIPEDA s. 8(5)", Text: "An organisation that does not answer within the time limit is deemed to have refused the request."},
			{Name: "keeping what was asked for", Citation: "PIPEDA s. 8(8)", Text: "The information asked for is kept as long as the person needs to exhaust any recourse."},
		}},
	{Code: "CA-QC", Law: LawQuebec, Name: "Quebec Act respecting the protection of personal information in the private sector (CQLR c. P-39.1), as amended by Law 25",
		// UNSURE: the act dates from 1994; Law 25's access changes apply
		// from 22 September 2023 and portability from 22 September 2024.
		Effective: date(1994, time.January, 1), EffectiveCitation: "S.Q. 1993, c. 17 (UNSURE)",
		Sensitive: &SensitiveRules{Consent: SensitiveOptIn, Citation: "CQLR c. P-39.1 s. 12 (UNSURE)", Text: "Sensitive personal information is used for another purpose only with express consent."},
		Children:  &ChildRules{ConsentAge: 14, Citation: "CQLR c. P-39.1 s. 4.1 (UNSURE)", Text: "Under 14, consent is given by the person having parental authority or the tutor."},
		Rights: []Provision{
			{Name: "deemed refusal", Citation: "CQLR c. P-39.1 s. 32 para. 2", Text: "No answer within 30 days is a refusal."},
			{Name: "review by the Commission", Citation: "CQLR c. P-39.1 s. 43 (UNSURE)", Text: "The person may ask the Commission d'accès à l'information to examine a refusal within 30 days of it."},
		}},
	{Code: "BR", Law: LawLGPD, Name: "Lei Geral de Proteção de Dados Pessoais (LGPD, Lei nº 13.709/2018)",
		// UNSURE: in force 18 September 2020 (general knowledge).
		Effective: date(2020, time.September, 18), EffectiveCitation: "Lei nº 14.058/2020 (UNSURE)",
		Sensitive: &SensitiveRules{Consent: SensitiveOptIn, Citation: "LGPD Art. 11 (UNSURE)", Text: "Sensitive personal data is processed with specific and prominent consent or under another basis of Art. 11."},
		Children: &ChildRules{ConsentAge: 12, Citation: "LGPD Art. 14 §1; ECA (Lei 8.069/1990) Art. 2 (UNSURE)",
			Text: "A child's (under 12) data is processed with the specific and prominent consent of a parent or legal guardian, in the child's best interest."},
		Rights: []Provision{{Name: "simplified confirmation", Citation: "LGPD Art. 19(I)",
			Text: "Confirmation of processing or access in simplified form is given immediately; the complete statement within 15 days."}}},
}
