package jurisdiction

// The law table. Each entry gives the rules of one law for a group of
// request types in one jurisdiction key (see jurisdictionKey: "US-CA",
// "US-TX", …, "GB", "EEA", "CH", "CA", "CA-QC", "BR"); laws (lawtable.go)
// gives what each law says beyond one request type. Every figure
// carries the provision it comes from; "UNSURE" marks a figure or citation
// that could not be checked against the official text, with the choice made
// (the stricter deadline, the more generous limit for the person).
//
// Invariant (tested): within one entry, every Limit covering a request type
// counts the same set of types, because CheckLimit takes a single list of
// earlier requests.

func days(n int) Period    { return Period{Days: n} }
func caBdays(n int) Period { return Period{Days: n, BusinessDays: true, Holidays: CalendarCalifornia} }
func bdays(n int) Period   { return Period{Days: n, BusinessDays: true} }
func months(n int) Period  { return Period{Months: n} }

type entry struct {
	jurisdiction string   // jurisdictionKey
	types        []string // request types these rules govern
	rules        Rules
}

// Request types that provide information to the person; the "free of charge
// N times" rules of the Virginia-model laws are applied to these only.
//
// UNSURE: those laws say "information provided in response to a consumer
// request", which could be read to cover every request (a deletion is
// answered with a confirmation, too). Applying the fee allowance only to
// requests for information is the more generous reading for the person.
var informationTypes = []string{TypeAccess, TypeCategories, TypePortability}

// Where to complain, by jurisdiction key.
var complaints = map[string]string{
	"US-CA": "the California Privacy Protection Agency (https://cppa.ca.gov) or the California Attorney General (https://oag.ca.gov)",
	"US-VA": "the Virginia Attorney General (https://www.oag.state.va.us/consumer-protection/)",
	"US-CO": "the Colorado Attorney General (https://coag.gov/file-complaint/)",
	"US-CT": "the Connecticut Attorney General (https://portal.ct.gov/ag)",
	// Utah Code §13-61-401: the Division of Consumer Protection receives and
	// investigates complaints; the Attorney General enforces.
	"US-UT": "the Utah Division of Consumer Protection (https://dcp.utah.gov)",
	"US-IA": "the Iowa Attorney General (https://www.iowaattorneygeneral.gov)",
	// UNSURE: the complaint URLs below marked (u) were not read on the
	// authority's site; each names the authority the statute gives.
	// Tex. Bus. & Com. Code §541.151 (exclusive AG enforcement), §541.152
	// (the AG's online complaint mechanism). (u)
	"US-TX": "the Texas Attorney General (https://www.texasattorneygeneral.gov/consumer-protection/file-consumer-complaint)",
	// ORS 646A.589: the Oregon Attorney General (Department of Justice)
	// enforces (Oregon DOJ business privacy FAQ). (u)
	"US-OR": "the Oregon Department of Justice (https://justice.oregon.gov/consumercomplaints/)",
	// Mont. Code Ann. §30-14-2817: exclusive AG enforcement. (u)
	"US-MT": "the Montana Attorney General's Office of Consumer Protection (https://dojmt.gov/consumer/)",
	// 6 Del. C. §12D-111: the Department of Justice enforces (UNSURE). (u)
	"US-DE": "the Delaware Department of Justice (https://attorneygeneral.delaware.gov/fraud/cmu/complaint/)",
	// Neb. Rev. Stat. §87-1109: the AG's online mechanism (UNSURE of the
	// enforcement section). (u)
	"US-NE": "the Nebraska Attorney General (https://protectthegoodlife.nebraska.gov/)",
	// RSA 507-H:11; the NH DOJ Data Privacy Unit page (official, read).
	"US-NH": "the New Hampshire Department of Justice, Data Privacy Unit (https://www.doj.nh.gov/data-privacy-enforcement)",
	// N.J.S.A. 56:8-166.4 et seq., enforced under the Consumer Fraud Act by
	// the AG and the Division of Consumer Affairs (UNSURE of the section). (u)
	"US-NJ": "the New Jersey Division of Consumer Affairs (https://www.njconsumeraffairs.gov/Pages/Consumer-Complaints.aspx)",
	// Tenn. Code Ann. §47-18-3308 (UNSURE of the section): the Attorney
	// General and Reporter enforces. (u)
	"US-TN": "the Tennessee Attorney General (https://www.tn.gov/attorneygeneral/working-for-tennessee/consumer/file-a-complaint.html)",
	// Minn. Stat. §325M.20; the AG's consumer data privacy page (read).
	"US-MN": "the Minnesota Attorney General (https://www.ag.state.mn.us/Data-Privacy/Consumer/)",
	// Md. Code, Com. Law §14-4613 (UNSURE: renumbered §14-4713?): the
	// Consumer Protection Division enforces under the Consumer Protection
	// Act. (u)
	"US-MD": "the Maryland Attorney General's Consumer Protection Division (https://www.marylandattorneygeneral.gov/Pages/CPD/Complaint.aspx)",
	// Ind. Code 24-15-10 (UNSURE of the chapter): the AG enforces. (u)
	"US-IN": "the Indiana Attorney General (https://www.in.gov/attorneygeneral/consumer-protection-division/file-a-complaint/)",
	// KRS 367.3627: exclusive AG enforcement (bill summary read). (u)
	"US-KY": "the Kentucky Attorney General (https://www.ag.ky.gov/)",
	// R.I. Gen. Laws §6-48.1-8 (UNSURE): the AG enforces. (u)
	"US-RI": "the Rhode Island Attorney General (https://riag.ri.gov/about-our-office/divisions-and-units/civil-division/consumer-protection)",
	// FADP Art. 49: the FDPIC investigates on reports (UNSURE: no
	// complaint right like GDPR Art. 77); civil action, Art. 32.
	"CH": "the Federal Data Protection and Information Commissioner (https://www.edoeb.admin.ch)",
	// PIPEDA s. 11(1) (text read, a reproduction): an individual may file
	// a written complaint with the Commissioner; s. 11(3): within six
	// months of a refusal under s. 8. (u)
	"CA": "the Office of the Privacy Commissioner of Canada (https://www.priv.gc.ca/en/report-a-concern/)",
	// CQLR c. P-39.1 s. 42-43 (UNSURE): the Commission d'accès à
	// l'information examines disagreements. (u)
	"CA-QC": "the Commission d'accès à l'information du Québec (https://www.cai.gouv.qc.ca)",
	// LGPD Art. 18 §1 (text read): "O titular dos dados pessoais tem o
	// direito de peticionar em relação aos seus dados contra o controlador
	// perante a autoridade nacional". (u)
	"BR": "the Autoridade Nacional de Proteção de Dados, ANPD (https://www.gov.br/anpd/pt-br)",
	// GDPR Art. 77: a complaint to a supervisory authority, in particular in
	// the member state of habitual residence, place of work or infringement.
	"EEA": "the data protection authority of your country",
	// UK GDPR Art. 77; Data Protection Act 2018 s. 165.
	"GB": "the Information Commissioner's Office (https://ico.org.uk/make-a-complaint/)",
	// No comprehensive federal privacy law; the FTC takes reports of unfair
	// or deceptive practices (FTC Act s. 5), state Attorneys General enforce
	// state consumer-protection law. Also used for US states not in the table.
	"US": "the Federal Trade Commission (https://reportfraud.ftc.gov) or your state Attorney General",
}

// policyComplaint is the Complaint of the policy rules outside the table.
const policyComplaint = "the data protection or consumer protection authority where you live"

// policyRules are Custos's own rules where no law of the table applies: the
// 45 days (and one 45-day extension with notice) most US state laws use, no
// appeal, no limits, free. For sets Law to LawPolicy or LawNone and says
// in Note whose promises they are.
var policyRules = Rules{
	Law:                  LawPolicy,
	Citation:             "the organisation's own policy (no law)",
	Respond:              days(45),
	Extension:            days(45),
	ExtensionNeedsNotice: true,
	Fee:                  FeeRule{Charge: FeeNone},
	Complaint:            policyComplaint,
}

// lawPhrases name the law in CheckLimit's sentences.
var lawPhrases = map[string]string{
	LawCCPA:          "California law",
	LawShineTheLight: "California law",
	LawVCDPA:         "Virginia law",
	LawCPA:           "Colorado law",
	LawCTDPA:         "Connecticut law",
	LawUCPA:          "Utah law",
	LawICDPA:         "Iowa law",
	LawGDPR:          "The GDPR",
	LawUKGDPR:        "UK data protection law",
	LawTDPSA:         "Texas law",
	LawOCPA:          "Oregon law",
	LawMTCDPA:        "Montana law",
	LawDPDPA:         "Delaware law",
	LawNDPA:          "Nebraska law",
	LawNHPA:          "New Hampshire law",
	LawNJDPA:         "New Jersey law",
	LawTIPA:          "Tennessee law",
	LawMNCDPA:        "Minnesota law",
	LawMODPA:         "Maryland law",
	LawINCDPA:        "Indiana law",
	LawKCDPA:         "Kentucky law",
	LawRIDTPPA:       "Rhode Island law",
	LawFADP:          "Swiss law",
	LawPIPEDA:        "Canadian law",
	LawQuebec:        "Quebec law",
	LawLGPD:          "Brazilian law",
	LawPolicy:        "Our policy",
	LawNone:          "Our policy",
}

// ---- California: CCPA as amended by the CPRA (Cal. Civ. Code §1798.100 et
// seq.) and the CPPA regulations (Cal. Code Regs. tit. 11 §7000 et seq.).

var ccpaFee = FeeRule{
	// Cal. Civ. Code §1798.130(a)(2)(A): "free of charge".
	Charge:   FeeNone,
	Citation: "Cal. Civ. Code §1798.130(a)(2)(A); §1798.145(h)(3) (UNSURE of the subdivision letter)",
	// Cal. Civ. Code §1798.145(h)(3) (UNSURE of the subdivision letter, which
	// moved with the CPRA; the rule itself is certain).
	Exception: "If requests are manifestly unfounded or excessive, in particular because of their repetitive character, the business may charge a reasonable fee or refuse to act on them, and must say why.",
}

// ccpaRights: requests to know, correct and delete.
func ccpaRights(limits []Limit) Rules {
	return Rules{
		Law: LawCCPA,
		// Cal. Code Regs. tit. 11 §7021(a): confirm receipt of a request to
		// delete, correct or know within 10 business days.
		Acknowledge: caBdays(10),
		Citation:    "Cal. Civ. Code §1798.130(a)(2)(A); Cal. Code Regs. tit. 11 §7021(a)-(b)",
		// Cal. Civ. Code §1798.130(a)(2)(A): within 45 days of receiving the
		// request; §7021(b): the 45 days begin on the day the request is
		// received, regardless of the time needed to verify it.
		Respond: days(45),
		// Cal. Civ. Code §1798.130(a)(2)(A): "may be extended once by an
		// additional 45 days when reasonably necessary, provided the consumer
		// is provided notice of the extension within the first 45-day
		// period"; §7021(b): at most 90 days from receipt in all.
		Extension:            days(45),
		ExtensionNeedsNotice: true,
		Fee:                  ccpaFee,
		Limits:               limits,
		Complaint:            complaints["US-CA"],
	}
}

// ccpaSignal: requests to opt out of sale/sharing and to limit the use of
// sensitive personal information, which must be honoured within 15 business
// days and cannot be extended.
func ccpaSignal() Rules {
	return Rules{
		Law: LawCCPA,
		// No acknowledgement: §7021(a) covers requests to delete, correct and
		// know only.
		// Cal. Code Regs. tit. 11 §7026(f) (opt-out of sale/sharing,
		// Cal. Civ. Code §1798.120) and §7027(g) (limit the use of sensitive
		// personal information, §1798.121): "as soon as feasibly possible,
		// but no later than 15 business days from the date the business
		// receives the request". No extension is provided.
		Respond:   caBdays(15),
		Citation:  "Cal. Code Regs. tit. 11 §7026(f), §7027(g)",
		Fee:       FeeRule{Charge: FeeNone, Citation: "Cal. Civ. Code §1798.135 (UNSURE of the subdivision): no fee for opting out"},
		Complaint: complaints["US-CA"],
	}
}

// ---- The EU and EEA: GDPR (Regulation (EU) 2016/679).

func gdpr(law, complaint string) Rules {
	return Rules{
		Law: law,
		// GDPR Art. 12(3): "without undue delay and in any event within one
		// month of receipt of the request"; "may be extended by two further
		// months where necessary, taking into account the complexity and
		// number of the requests. The controller shall inform the data
		// subject of any such extension within one month of receipt of the
		// request, together with the reasons for the delay." The UK GDPR
		// Art. 12(3) is the same (the Data (Use and Access) Act 2025 lets the
		// month start at the later "relevant time"; Custos counts from
		// receipt, the stricter reading). No acknowledgement is required.
		Respond:              months(1),
		Extension:            months(2),
		ExtensionNeedsNotice: true,
		Citation:             "GDPR Art. 12(3); Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c) (months)",
		// GDPR Art. 12(5): free of charge; Art. 15(3): further copies.
		Fee: FeeRule{
			Charge:    FeeNone,
			Citation:  "GDPR Art. 12(5), Art. 15(3)",
			Exception: "If requests are manifestly unfounded or excessive, in particular because of their repetitive character, the controller may charge a reasonable fee or refuse to act on them (Art. 12(5)); further copies of your data may carry a reasonable fee based on administrative costs (Art. 15(3)).",
		},
		// No limit on the number of requests: only the Art. 12(5) exception.
		// No appeal: the person complains to the supervisory authority
		// (Art. 77) or goes to court (Art. 79).
		Complaint: complaint,
	}
}

// ukComplaint are the rules of a complaint to the controller under DPA
// 2018 s. 164A. UNSURE: commencement 19 June 2026 from secondary sources
// (the commencement regulations were not read).
func ukComplaint() Rules {
	return Rules{
		Law:         LawUKGDPR,
		Citation:    "Data Protection Act 2018 s. 164A(3)-(4) (Data (Use and Access) Act 2025 s. 103); answer target: Custos default, no statutory deadline",
		Acknowledge: days(30),
		Respond:     days(30),
		Fee:         FeeRule{Charge: FeeNone, Citation: "Data Protection Act 2018 s. 164A"},
		Complaint:   complaints["GB"] + ", under Data Protection Act 2018 s. 165",
	}
}

// gdprTypes are the request types the GDPR governs: access and the
// information of Art. 15 (categories; direct_marketing_disclosures, which
// are the recipients of Art. 15(1)(c)), portability (Art. 20), rectification
// (Art. 16), erasure (Art. 17), restriction (Art. 18), objection (Art. 21)
// and opting out (objection to direct marketing, Art. 21(2)-(3), or
// withdrawal of consent, Art. 7(3)).
var gdprTypes = []string{
	TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion,
	TypeRestriction, TypeObjection, TypeOptOut, TypeDirectMarketingDisclosures,
}

// ---- The Virginia-model US state laws.

// stateRights builds the rules of the 45-day (Iowa: 90-day) state laws.
func stateRights(law, key, citation string, respond, extension Period, appeal *AppealRules, fee FeeRule, limits []Limit) Rules {
	return Rules{
		Law:                  law,
		Citation:             citation,
		Respond:              respond,
		Extension:            extension,
		ExtensionNeedsNotice: true,
		Appeal:               appeal,
		Fee:                  fee,
		Limits:               limits,
		Complaint:            complaints[key],
	}
}

// stateAppeal builds the rules of the request type "appeal" itself.
func stateAppeal(law, key string, respond, extension Period, appeal *AppealRules) Rules {
	return Rules{
		Law:                  law,
		Citation:             appeal.Citation,
		Respond:              respond,
		Extension:            extension,
		ExtensionNeedsNotice: !extension.IsZero(),
		Appeal:               appeal,
		Fee:                  FeeRule{Charge: FeeNone, Citation: "no fee for an appeal: " + appeal.Citation},
		Complaint:            complaints[key],
	}
}

const stateFeeException = "If requests are manifestly unfounded, excessive or repetitive, the business may charge a reasonable fee or decline to act on them; it bears the burden of showing that."

var (
	// Va. Code §59.1-577(C): a controller decides an appeal within 60 days
	// of receipt and, if it denies it, gives the consumer an online
	// mechanism, if available, or other method to contact the Attorney
	// General to submit a complaint. No extension.
	// UNSURE: the URL of the complaint form; the Consumer Protection
	// Section's page is given.
	vaAppeal = &AppealRules{Respond: days(60), Authority: "the Virginia Attorney General", AuthorityURL: "https://www.oag.state.va.us/consumer-protection/",
		Citation: "Va. Code §59.1-577(C) (UNSURE: 60 days from secondary sources; the subsection's text was not read)"}
	// Colo. Rev. Stat. §6-1-1306(3): appeal decided within 45 days of
	// receipt, extendable by 60 additional days with notice (see the appeal
	// entry); if denied, the controller informs the consumer of the ability
	// to contact the Attorney General.
	coAppeal = &AppealRules{Respond: days(45), Authority: "the Colorado Attorney General", AuthorityURL: "https://coag.gov/file-complaint/",
		Citation: "Colo. Rev. Stat. §6-1-1306(3) (UNSURE: 45 days + 60 from memory of the statute; text not read)"}
	// Conn. Gen. Stat. §42-518 (appeals; UNSURE of the subsection letter):
	// within 60 days of receipt of an appeal; if denied, an online mechanism,
	// if available, or other method to contact the Attorney General.
	// UNSURE: the URL of the e-complaint form.
	ctAppeal = &AppealRules{Respond: days(60), Authority: "the Connecticut Attorney General", AuthorityURL: "https://www.dir.ct.gov/ag/complaint/",
		Citation: "Conn. Gen. Stat. §42-518(d) (UNSURE: 60 days from secondary sources; the subsection's text was not read)"}
	// Iowa Code §715D.3(3): within 60 days of receipt of an appeal; if
	// denied, an online mechanism through which to contact the Attorney
	// General. (The brief cited §715D.4, which is the controller-duties
	// section; the appeal and deadlines are in §715D.3 of Senate File 262.)
	// UNSURE: the URL of the complaint form; the office's site is given.
	iaAppeal = &AppealRules{Respond: days(60), Authority: "the Iowa Attorney General", AuthorityURL: "https://www.iowaattorneygeneral.gov",
		Citation: "Iowa Code §715D.3(3) (UNSURE: 60 days from secondary sources; the text was not read)"}
)

// coreTable holds the laws of the first version of the table; table (in
// lawtable.go) adds the others. For returns the first entry whose
// jurisdiction and types match.
var coreTable = []entry{
	// -- California, CCPA/CPRA.
	{
		jurisdiction: "US-CA",
		// Right to know (§1798.110 specific pieces and categories, §1798.115)
		// and to a portable copy (§1798.130(a)(3)(B)(iii); today's §1798.100(d)
		// is about contracts with third parties, not requests).
		types: []string{TypeAccess, TypeCategories, TypePortability},
		rules: ccpaRights([]Limit{{
			// Cal. Civ. Code §1798.130(b): a business is not obligated to
			// provide the information of §§1798.110 and 1798.115 to the same
			// consumer more than twice in a 12-month period. (The former
			// §1798.100(d) to the same effect was struck by the CPRA.)
			// Counted together (one right to know). UNSURE: §1798.130(b)'s
			// text was not re-read (a search found only summaries); that
			// today's §1798.100(d) is about contracts was read in one.
			Types: []string{TypeAccess, TypeCategories, TypePortability}, Count: 2, Window: Window12Months, Beyond: BeyondRefuse,
			Citation: "Cal. Civ. Code §1798.130(b)",
		}}),
	},
	{
		jurisdiction: "US-CA",
		// Right to correct (§1798.106) and to delete (§1798.105): no limit on
		// the number of requests beyond the §1798.145(h)(3) exception.
		types: []string{TypeCorrection, TypeDeletion},
		rules: ccpaRights(nil),
	},
	{
		jurisdiction: "US-CA",
		// Opt-out of sale/sharing (§1798.120) and, as "restriction", the
		// right to limit the use of sensitive personal information
		// (§1798.121; 11 CCR §7027): the CCPA has no GDPR-style
		// restriction, so a Californian's restriction request limits the
		// use of sensitive personal information to the purposes of 11 CCR
		// §7027(m) (requests/restrict.go). UNSURE: its 15 business days
		// (§7027(g), not re-read).
		// "objection" has no CCPA counterpart and gets the policy rules.
		types: []string{TypeOptOut, TypeRestriction},
		rules: ccpaSignal(),
	},
	// -- California, Shine the Light.
	{
		jurisdiction: "US-CA",
		types:        []string{TypeDirectMarketingDisclosures},
		rules: Rules{
			Law: LawShineTheLight,
			// Cal. Civ. Code §1798.83: a request received at the designated
			// address is answered within 30 days (150 days when sent
			// elsewhere; Custos uses 30 for all, the stricter). No
			// extension. UNSURE of the subdivision numbers.
			Respond:  days(30),
			Citation: "Cal. Civ. Code §1798.83 (UNSURE of the subdivision)",
			// §1798.83(a): the information is provided "free of charge".
			Fee: FeeRule{Charge: FeeNone, Citation: "Cal. Civ. Code §1798.83(a)"},
			// §1798.83: a business need respond to a customer only once
			// during the course of any calendar year.
			Limits: []Limit{{
				Types: []string{TypeDirectMarketingDisclosures}, Count: 1, Window: WindowCalendarYear, Beyond: BeyondRefuse,
				Citation: "Cal. Civ. Code §1798.83 (UNSURE of the subdivision)",
			}},
			// Enforced by civil action (§1798.84) and the Attorney General.
			Complaint: "the California Attorney General (https://oag.ca.gov)",
		},
	},

	// -- The EU and EEA, GDPR.
	{jurisdiction: "EEA", types: gdprTypes, rules: gdpr(LawGDPR, complaints["EEA"])},
	// -- The United Kingdom, UK GDPR (as retained and amended; Data
	// Protection Act 2018).
	{jurisdiction: "GB", types: gdprTypes, rules: gdpr(LawUKGDPR, complaints["GB"])},
	// A complaint to the controller, Data Protection Act 2018 s. 164A
	// (inserted by the Data (Use and Access) Act 2025 s. 103; text read):
	// (3) "acknowledge receipt of the complaint within the period of 30 days
	// beginning when the complaint is received"; (4) "without undue delay"
	// take appropriate steps and inform the complainant of the outcome. The
	// law sets no answer deadline: Respond is Custos's default target of 30
	// days, which the manifest may change (laws: override, rule deadline,
	// types [complaint]). If the person is not satisfied they may complain
	// to the Information Commissioner (s. 165).
	{jurisdiction: "GB", types: []string{TypeComplaint}, rules: ukComplaint()},

	// -- Virginia, Consumer Data Protection Act (Va. Code §59.1-575 et seq.).
	// Rights, §59.1-577(A): access, correct, delete, portability, opt out of
	// targeted advertising, sale and profiling.
	{
		jurisdiction: "US-VA",
		types:        []string{TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion, TypeOptOut},
		rules: stateRights(LawVCDPA, "US-VA", "Va. Code §59.1-577(B)(1)",
			// Va. Code §59.1-577(B)(1): within 45 days of receipt; extendable
			// once by 45 additional days, informing the consumer within the
			// initial 45 days, with the reason.
			days(45), days(45), vaAppeal,
			// §59.1-577(B)(3): free of charge, up to twice annually per
			// consumer; manifestly unfounded, excessive or repetitive
			// requests may carry a fee or be declined.
			FeeRule{Charge: FeeNone, Exception: stateFeeException, Citation: "Va. Code §59.1-577(B)(3)"},
			[]Limit{{
				// "Twice annually": UNSURE whether a calendar or a rolling
				// year; the calendar year is never less generous (its window
				// always lies inside the last 12 months). Beyond it, a fee,
				// not a refusal.
				Types: informationTypes, Count: 2, Window: WindowCalendarYear, Beyond: BeyondFee,
				Citation: "Va. Code §59.1-577(B)(3)",
			}}),
	},
	{
		jurisdiction: "US-VA",
		types:        []string{TypeAppeal},
		rules:        stateAppeal(LawVCDPA, "US-VA", days(60), Period{}, vaAppeal), // §59.1-577(C)
	},

	// -- Colorado, Colorado Privacy Act (Colo. Rev. Stat. §6-1-1301 et seq.).
	// Rights, §6-1-1306(1): opt out, access, correction, deletion,
	// portability.
	{
		jurisdiction: "US-CO",
		types:        []string{TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion, TypeOptOut},
		rules: stateRights(LawCPA, "US-CO", "Colo. Rev. Stat. §6-1-1306(4) (UNSURE: 45+45 from secondary sources; subsection (3) or (4))",
			// Colo. Rev. Stat. §6-1-1306(2)(a)-(b): within 45 days after
			// receipt; extendable by 45 additional days where reasonably
			// necessary, informing the consumer within the 45 days, with the
			// reasons.
			days(45), days(45), coAppeal,
			// §6-1-1306(2): information is provided free of charge, except
			// that for a second or subsequent request within a twelve-month
			// period the controller may charge (as in §24-72-205(5)(a)).
			// UNSURE of the paragraph letter. Stated in the Exception rather
			// than as a BeyondFee Limit so that every limit covering a type
			// counts the same types (CheckLimit takes one list of earlier
			// requests): the portability limit below counts portability
			// requests only.
			FeeRule{Charge: FeeNone, Exception: "The first request in any 12 months is free; for a second or later one within 12 months a fee may be charged. " + stateFeeException,
				Citation: "Colo. Rev. Stat. §6-1-1306 (UNSURE of the paragraph)"},
			[]Limit{{
				// §6-1-1306(1)(e): the right to data portability may be
				// exercised no more than two times per calendar year. UNSURE
				// of the exact wording; applied to portability only, not to
				// access, the more generous reading.
				Types: []string{TypePortability}, Count: 2, Window: WindowCalendarYear, Beyond: BeyondRefuse,
				Citation: "Colo. Rev. Stat. §6-1-1306(1)(e) (UNSURE)",
			}}),
	},
	{
		jurisdiction: "US-CO",
		types:        []string{TypeAppeal},
		// §6-1-1306(3)(b): 45 days after receipt of the appeal, extendable by
		// 60 additional days where reasonably necessary, informing the
		// consumer within the 45 days, with the reasons.
		rules: stateAppeal(LawCPA, "US-CO", days(45), days(60), coAppeal),
	},

	// -- Connecticut, Data Privacy Act (Conn. Gen. Stat. §42-515 et seq.).
	// The rights, deadlines and appeals are in §42-518 (the brief cited
	// §42-520, which holds the controllers' duties).
	{
		jurisdiction: "US-CT",
		types:        []string{TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion, TypeOptOut},
		rules: stateRights(LawCTDPA, "US-CT", "Conn. Gen. Stat. §42-518(c)(1)",
			// Conn. Gen. Stat. §42-518(c)(1): not later than 45 days after
			// receipt; extendable by 45 additional days, informing the
			// consumer within the initial 45 days, with the reason.
			days(45), days(45), ctAppeal,
			// §42-518(c)(3): free of charge once per consumer during any
			// twelve-month period; manifestly unfounded, excessive or
			// repetitive requests may carry a fee or be declined.
			FeeRule{Charge: FeeNone, Exception: stateFeeException, Citation: "Conn. Gen. Stat. §42-518(c)(3)"},
			[]Limit{{Types: informationTypes, Count: 1, Window: Window12Months, Beyond: BeyondFee, Citation: "Conn. Gen. Stat. §42-518(c)(3)"}}),
	},
	{
		jurisdiction: "US-CT",
		types:        []string{TypeAppeal},
		rules:        stateAppeal(LawCTDPA, "US-CT", days(60), Period{}, ctAppeal), // §42-518 (appeals)
	},

	// -- Utah, Consumer Privacy Act (Utah Code §13-61-101 et seq.). Rights,
	// §13-61-201: access, deletion (of data the consumer provided),
	// portability, opt out. No right to correction and no appeal: those get
	// the policy rules.
	{
		jurisdiction: "US-UT",
		types:        []string{TypeAccess, TypeCategories, TypePortability, TypeDeletion, TypeOptOut},
		rules: stateRights(LawUCPA, "US-UT", "Utah Code §13-61-203(2)",
			// Utah Code §13-61-203: within 45 days after receipt; extendable
			// once by 45 additional days if reasonably necessary due to the
			// complexity or volume of requests, informing the consumer of the
			// length of and reason for the extension.
			days(45), days(45), nil,
			// §13-61-203(4): no fee, except for the consumer's second or
			// later request in the same 12-month period, and for requests
			// that are excessive, repetitive, technically infeasible or
			// manifestly unfounded (or whose primary purpose is not to
			// exercise a right). The 12-month fee rule is now modelled (the
			// text was read for this table).
			FeeRule{Charge: FeeNone, Exception: "If a request is excessive, repetitive, technically infeasible or manifestly unfounded, the business may charge a reasonable fee or refuse to act on it.",
				Citation: "Utah Code §13-61-203(4)"},
			[]Limit{{Types: informationTypes, Count: 1, Window: Window12Months, Beyond: BeyondFee, Citation: "Utah Code §13-61-203(4)"}}),
	},

	// -- Iowa, Consumer Data Protection Act (Iowa Code chapter 715D). Rights,
	// §715D.3(1): access, deletion (of data the consumer provided),
	// portability, opt out of sale. No right to correction.
	{
		jurisdiction: "US-IA",
		types:        []string{TypeAccess, TypeCategories, TypePortability, TypeDeletion, TypeOptOut},
		rules: stateRights(LawICDPA, "US-IA", "Iowa Code §715D.3(2)(a) (UNSURE: 90+45 from secondary sources paraphrasing it; the text was not read)",
			// Iowa Code §715D.3(2)(a): within 90 days of receipt; extendable
			// once by 45 additional days when reasonably necessary, informing
			// the consumer within the initial 90 days, with the reason.
			days(90), days(45), iaAppeal,
			// §715D.3(2)(c): free of charge, up to twice annually per
			// consumer; manifestly unfounded, excessive, repetitive or
			// technically infeasible requests may carry a fee or be declined.
			FeeRule{Charge: FeeNone, Exception: "If requests are manifestly unfounded, excessive, repetitive or technically infeasible, the business may charge a reasonable fee or decline to act on them; it bears the burden of showing that.",
				Citation: "Iowa Code §715D.3(2)(c) (UNSURE)"},
			[]Limit{{
				// "Twice annually": the calendar year, as for Virginia.
				Types: informationTypes, Count: 2, Window: WindowCalendarYear, Beyond: BeyondFee,
				Citation: "Iowa Code §715D.3(2)(c) (UNSURE)",
			}}),
	},
	{
		jurisdiction: "US-IA",
		types:        []string{TypeAppeal},
		rules:        stateAppeal(LawICDPA, "US-IA", days(60), Period{}, iaAppeal), // §715D.3(3)
	},
}
