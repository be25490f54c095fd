package jurisdiction

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Request types.
const (
	TypeAccess                     = "access"
	TypeCategories                 = "categories"
	TypePortability                = "portability"
	TypeCorrection                 = "correction"
	TypeDeletion                   = "deletion"
	TypeRestriction                = "restriction"
	TypeObjection                  = "objection"
	TypeOptOut                     = "opt_out"
	TypeDirectMarketingDisclosures = "direct_marketing_disclosures"
	TypeAppeal                     = "appeal"
	// TypeComplaint is a complaint to the controller about the processing
	// of the person's own data (DPA 2018 s. 164A).
	TypeComplaint = "complaint"
)

// RequestTypes lists every request type, in a stable order.
var RequestTypes = []string{
	TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion,
	TypeRestriction, TypeObjection, TypeOptOut, TypeDirectMarketingDisclosures, TypeAppeal, TypeComplaint,
}

// Laws (the Law of Rules).
const (
	LawCCPA   = "CCPA/CPRA"
	LawGDPR   = "GDPR"
	LawUKGDPR = "UK GDPR"
	LawVCDPA  = "VCDPA"
	LawCPA    = "CPA"
	LawCTDPA  = "CTDPA"
	LawUCPA   = "UCPA"
	LawICDPA  = "ICDPA"
	// LawShineTheLight is California's "Shine the Light" law, Cal. Civ. Code
	// §1798.83, which governs direct_marketing_disclosures in California.
	LawShineTheLight = "Shine the Light"
	LawTDPSA         = "TDPSA"
	LawOCPA          = "OCPA"
	LawMTCDPA        = "MCDPA (Montana)"
	LawDPDPA         = "DPDPA"
	LawNDPA          = "NDPA"
	LawNHPA          = "NHPA"
	LawNJDPA         = "NJDPA"
	LawTIPA          = "TIPA"
	LawMNCDPA        = "MCDPA (Minnesota)"
	LawMODPA         = "MODPA"
	LawINCDPA        = "INCDPA"
	LawKCDPA         = "KCDPA"
	LawRIDTPPA       = "RIDTPPA"
	LawFADP          = "FADP"
	LawPIPEDA        = "PIPEDA"
	LawQuebec        = "Law 25"
	LawLGPD          = "LGPD"
	// LawPolicy: the person's jurisdiction has a law in the table, but that
	// law does not grant this type of request (for example correction under
	// Utah's law); the organisation's own policy promises govern it.
	LawPolicy = "policy"
	// LawNone: no law in the table governs requests from the person's
	// jurisdiction (a country or US state Custos has no law for, or one
	// whose law was not yet in force when the request was received); the
	// organisation's own policy promises govern it, and the Note says so.
	LawNone = "none"
)

// How a law treats the processing of sensitive data (SensitiveRules.Consent).
const (
	// SensitiveOptIn: only with the person's prior consent.
	SensitiveOptIn = "opt_in"
	// SensitiveOptOut: after clear notice and a chance to opt out.
	SensitiveOptOut = "opt_out"
	// SensitiveStrictlyNecessary: only where strictly necessary to provide
	// what the person asked for; consent does not suffice.
	SensitiveStrictlyNecessary = "strictly_necessary"
)

// Windows of a Limit.
const (
	// Window12Months: any rolling period of 12 months.
	Window12Months = "12_months"
	// WindowCalendarYear: 1 January to 31 December.
	WindowCalendarYear = "calendar_year"
)

// What a business may do beyond a Limit.
const (
	// BeyondRefuse: the business need not act on further requests.
	BeyondRefuse = "refuse"
	// BeyondFee: further requests must still be acted on, but the law lets
	// the business charge a (reasonable) fee for them.
	BeyondFee = "fee"
)

// FeeNone is the Charge of a FeeRule under which the request is free.
const FeeNone = "none"

// Rules are what one law says about one type of request.
type Rules struct {
	// Law is one of the Law constants.
	Law string
	// Name is the law's full name, with its statute.
	Name string
	// Jurisdiction is the jurisdiction asked for, normalised ("DE",
	// "US-TX", "CA-QC"); Group is the key of the law table that governs it
	// ("EEA" for every country where the GDPR applies).
	Jurisdiction, Group string
	// Effective is the date from which the law governs requests; zero for
	// the policy's own promises.
	Effective time.Time
	// Citation is the provision Respond, Extension and Acknowledge come
	// from.
	Citation string
	// Note says what the person and the privacy officer should know about
	// where these rules come from; for LawNone and LawPolicy it says that
	// they are the organisation's own promises, not a law's.
	Note string
	// Acknowledge is the period within which receipt must be acknowledged;
	// zero when the law requires no acknowledgement.
	Acknowledge Period
	// Respond is the period within which the request must be answered.
	Respond Period
	// Extension is the further period the law allows, once, counted from
	// the end of Respond; zero when it allows none.
	Extension Period
	// ExtensionNeedsNotice: the person must be told of the extension, with
	// the reasons, before the first deadline.
	ExtensionNeedsNotice bool
	// Appeal is the law's appeal process against a refusal; nil when the
	// law has none. For the request type "appeal" itself it repeats the
	// authority the person must be pointed to if the appeal is denied.
	Appeal *AppealRules
	// Fee says whether the request may cost the person anything.
	Fee FeeRule
	// Limits cap how often a person may make the request: only the limits
	// that count this request type.
	Limits []Limit
	// Complaint says where the person can complain.
	Complaint string
	// ControllerComplaints is the law's duty to handle complaints made to
	// the business itself; nil when it has none.
	ControllerComplaints *ComplaintRules
	// Signal is the law's rule on universal opt-out signals (Global Privacy
	// Control); nil when the law has none.
	Signal *SignalRules
	// Sensitive is the law's rule on processing sensitive data; nil when
	// the table records none.
	Sensitive *SensitiveRules
	// Children is the law's rule on children's data; nil when the table
	// records none.
	Children *ChildRules
	// Rights are rights this law grants beyond the request types (for
	// example Minnesota's right to question a profiling decision) and
	// duties of the business worth knowing, each with its citation.
	Rights []Provision
	// Overridden lists the rules the policy's manifest overrides (see
	// Overrides), in the order applied; nil for the table as it is.
	Overridden []Overridden
}

// AppealRules are a law's appeal process: the business decides an appeal
// within Respond, and if it denies it, points the person to Authority.
type AppealRules struct {
	Respond      Period
	Authority    string
	AuthorityURL string
	Citation     string
}

// ComplaintRules are a duty to handle complaints made to the business: from
// From, acknowledge each within Acknowledge.
type ComplaintRules struct {
	From        time.Time
	Acknowledge Period
	Text        string
	Citation    string
}

// SignalRules say whether the business must treat a universal opt-out
// signal (Global Privacy Control) as a request to opt out, and from when.
type SignalRules struct {
	// Required: the law requires honouring the signal from From.
	Required bool
	From     time.Time
	Text     string
	Citation string
}

// SensitiveRules say when the business may process sensitive data.
type SensitiveRules struct {
	// Consent is SensitiveOptIn, SensitiveOptOut or
	// SensitiveStrictlyNecessary.
	Consent  string
	Text     string
	Citation string
	// Sale is SaleConsent or SaleNever where the law says more of selling
	// sensitive data than Consent does; empty otherwise. SaleFrom is the
	// date it applies from, SaleCitation where it comes from.
	Sale         string    `json:",omitempty"`
	SaleFrom     time.Time `json:",omitzero"`
	SaleCitation string    `json:",omitempty"`
}

// ChildRules say from what age a person consents alone, and what else the
// law says of children's and teenagers' data.
type ChildRules struct {
	// ConsentAge: below it, a parent or guardian consents; zero when the
	// law sets no fixed age.
	ConsentAge int
	Text       string
	Citation   string
}

// Provision is one rule of a law, with its citation.
type Provision struct {
	Name     string
	Text     string
	Citation string
	// From is the date the provision applies from; zero: with the law.
	From time.Time
}

// SignalRequired reports whether, at t, the law requires honouring a
// universal opt-out signal.
func (r Rules) SignalRequired(t time.Time) bool {
	return r.Signal != nil && r.Signal.Required && !t.Before(r.Signal.From)
}

// FeeRule says whether a request may cost the person anything.
type FeeRule struct {
	// Charge is FeeNone when the request is free of charge.
	Charge   string
	Citation string
	// Exception says when the law nevertheless lets the business charge a
	// reasonable fee or refuse (typically manifestly unfounded, excessive
	// or repetitive requests); empty when it says nothing.
	Exception string
}

// Limit caps how many requests of the given types, together, a person may
// make within a window.
type Limit struct {
	Types  []string
	Count  int
	Window string // Window12Months or WindowCalendarYear
	// Beyond is what the business may do once Count is reached:
	// BeyondRefuse, or BeyondFee (the request is still owed, a fee may be
	// charged). Empty means BeyondRefuse.
	Beyond   string
	Citation string
}

// Covers reports whether the limit counts requests of requestType.
func (l Limit) Covers(requestType string) bool {
	return slices.Contains(l.Types, normType(requestType))
}

// LimitTypes returns the request types whose earlier requests CheckLimit
// must be given for requestType: the types of every limit covering it (nil
// when none does). In the table, all limits covering a type count the same
// types.
func (r Rules) LimitTypes(requestType string) []string {
	rt := normType(requestType)
	var out []string
	for _, l := range r.Limits {
		if !slices.Contains(l.Types, rt) {
			continue
		}
		for _, t := range l.Types {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// For returns the rules of the law that governs a request of requestType
// made by a person in jurisdiction (an ISO 3166 code: "US-CA", "GB", "DE",
// "CA-QC", …; case and surrounding spaces do not matter), each law taken as
// in force (For ignores effective dates; ForAt does not). A jurisdiction
// with no law in the table gets LawNone, a request type its law does not
// grant LawPolicy: in both cases the organisation's own promises (see the
// package documentation), said as such in Note. The returned Rules are a
// copy the caller may modify.
func For(jurisdiction, requestType string) Rules {
	return forAt(jurisdiction, requestType, time.Time{}, false)
}

// ForAt is For for a request received at t: a law whose effective date is
// after t does not govern it (a Texan's request received before 1 July 2024
// gets LawNone).
func ForAt(jurisdiction, requestType string, t time.Time) Rules {
	return forAt(jurisdiction, requestType, t, true)
}

func forAt(jurisdiction, requestType string, t time.Time, dated bool) Rules {
	norm := normJurisdiction(jurisdiction)
	key := jurisdictionKey(jurisdiction)
	rt := normType(requestType)
	var inForce []string // names of the laws of key in force at t
	for i := range table {
		e := &table[i]
		if e.jurisdiction != key {
			continue
		}
		info := lawInfo(key, e.rules.Law)
		if dated && t.Before(info.Effective) {
			continue
		}
		if !slices.Contains(inForce, info.Name) {
			inForce = append(inForce, info.Name)
		}
		if !slices.Contains(e.types, rt) {
			continue
		}
		r := e.rules.clone()
		info.apply(&r)
		r.Jurisdiction, r.Group = norm, key
		// Only the limits that count this request type.
		r.Limits = slices.DeleteFunc(r.Limits, func(l Limit) bool { return !l.Covers(rt) })
		if len(r.Limits) == 0 {
			r.Limits = nil
		}
		if key == "EEA" {
			if c, ok := ChildConsentAge(norm); ok {
				r.Children = &c
			}
		}
		return r
	}
	r := policyRules.clone()
	r.Jurisdiction, r.Group = norm, key
	if c, ok := complaints[key]; ok {
		r.Complaint = c
	} else if strings.HasPrefix(key, "US-") {
		r.Complaint = complaints["US"]
	}
	where := norm
	if where == "" {
		where = "an unknown place"
	}
	switch {
	case len(inForce) > 0:
		r.Law = LawPolicy
		r.Name = "The organisation's own policy"
		r.Note = fmt.Sprintf("%s does not grant this request; these are the organisation's own promises, not the law's.", strings.Join(inForce, " and "))
	default:
		r.Law = LawNone
		r.Name = "No specific privacy law"
		var pending []string
		for _, l := range laws {
			if l.Code == key && !slices.Contains(pending, l.Name) {
				pending = append(pending, l.Name+" (from "+l.Effective.Format("2 January 2006")+")")
			}
		}
		if len(pending) > 0 {
			r.Note = fmt.Sprintf("No privacy law in force for %s governed this request when it was received (%s: %s); these are the organisation's own promises, not a law's.",
				where, t.UTC().Format("2 January 2006"), strings.Join(pending, ", "))
		} else {
			r.Note = fmt.Sprintf("Custos knows no specific privacy law for %s; these are the organisation's own promises, not a law's.", where)
		}
	}
	return r
}

func (r Rules) clone() Rules {
	if r.Appeal != nil {
		a := *r.Appeal
		r.Appeal = &a
	}
	r.ControllerComplaints = clonePtr(r.ControllerComplaints)
	r.Signal = clonePtr(r.Signal)
	r.Sensitive = clonePtr(r.Sensitive)
	r.Children = clonePtr(r.Children)
	r.Rights = slices.Clone(r.Rights)
	r.Overridden = slices.Clone(r.Overridden)
	if r.Limits != nil {
		ls := make([]Limit, len(r.Limits))
		for i, l := range r.Limits {
			l.Types = slices.Clone(l.Types)
			ls[i] = l
		}
		r.Limits = ls
	}
	return r
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func normType(requestType string) string {
	return strings.ToLower(strings.TrimSpace(requestType))
}

// Deadlines are the dates by which a request must be acknowledged and
// answered.
type Deadlines struct {
	// ReceivedAt is when the request was received; Extend counts from it
	// (a zero ReceivedAt makes Extend count from DueAt).
	ReceivedAt time.Time
	// AcknowledgeBy is nil when the law requires no acknowledgement.
	AcknowledgeBy *time.Time
	// DueAt is the first deadline to respond.
	DueAt time.Time
	// ExtendedUntil is the extended deadline, set by Extend.
	ExtendedUntil *time.Time
}

// Due is the deadline in force: ExtendedUntil when set, else DueAt.
func (d Deadlines) Due() time.Time {
	if d.ExtendedUntil != nil {
		return *d.ExtendedUntil
	}
	return d.DueAt
}

// Compute returns the deadlines of a request of requestType from a person in
// jurisdiction, received at receivedAt. Custos counts from receipt (see the
// package documentation). Times are in UTC.
func Compute(jurisdiction, requestType string, receivedAt time.Time) Deadlines {
	return computeWith(ForAt(jurisdiction, requestType, receivedAt), receivedAt)
}

func computeWith(r Rules, receivedAt time.Time) Deadlines {
	d := Deadlines{ReceivedAt: receivedAt.UTC(), DueAt: r.Respond.After(receivedAt)}
	if !r.Acknowledge.IsZero() {
		a := r.Acknowledge.After(receivedAt)
		d.AcknowledgeBy = &a
	}
	return d
}

// Errors of Extend.
var (
	ErrAlreadyExtended = errors.New("jurisdiction: the deadline has already been extended; the law allows one extension")
	ErrNoExtension     = errors.New("jurisdiction: the law allows no extension for this request")
	ErrNoDueDate       = errors.New("jurisdiction: the deadlines have no due date")
)

// Extend extends the deadline once, by the law's Extension: under the CCPA
// "an additional 45 days" (90 days from receipt in all), under the GDPR "by
// two further months", three months counted from receipt with the
// corresponding-date rule (received 31 January: due 28 February, extended to
// 30 April, not 28 April; Regulation 1182/71 Art. 3(2)(c) counts a period of
// months from the event, and the extended period is one period of three
// months from receipt). Without d.ReceivedAt, Extend counts from d.DueAt. It returns ErrAlreadyExtended if d was already extended
// and ErrNoExtension if the law allows none. Where ExtensionNeedsNotice, the
// caller must tell the person, with reasons, before d.DueAt; Extend does not
// check that.
func Extend(d Deadlines, jurisdiction, requestType string) (Deadlines, error) {
	r := For(jurisdiction, requestType)
	if !d.ReceivedAt.IsZero() {
		r = ForAt(jurisdiction, requestType, d.ReceivedAt)
	}
	return extendWith(d, r)
}

func extendWith(d Deadlines, r Rules) (Deadlines, error) {
	if d.ExtendedUntil != nil {
		return d, ErrAlreadyExtended
	}
	if d.DueAt.IsZero() {
		return d, ErrNoDueDate
	}
	if r.Extension.IsZero() {
		return d, ErrNoExtension
	}
	e := r.Extension.After(d.DueAt)
	if !d.ReceivedAt.IsZero() && r.Respond.Days == 0 && r.Extension.Days == 0 {
		// Months from receipt, not from the (possibly clamped) due date.
		e = Period{Months: r.Respond.Months + r.Extension.Months}.After(d.ReceivedAt)
	}
	d.ExtendedUntil = &e
	return d, nil
}

// CheckLimit reports whether the law in rules lets the person make one more
// request of requestType at now, given the receipt times of their earlier
// requests (previous: those of the types Rules.LimitTypes returns; pass
// only requests that counted, not ones refused under the limit). When a limit is reached and the business may refuse, ok is false
// and why is a sentence the person can read, e.g. "California law lets you
// make this request twice in 12 months; you made 2 since 3 March 2026. You
// can make it again from 3 March 2027."
//
// A limit whose consequence is a fee (BeyondFee) never makes ok false: the
// request is still owed. Then why, with ok true, says a fee may be charged.
//
// Counting is by UTC calendar date. A request made on day D counts within a
// rolling 12-month window until the day before D + 12 months (clamped
// months); in a calendar-year window it counts until 31 December. Earlier
// requests dated after now are ignored.
func CheckLimit(rules Rules, requestType string, previous []time.Time, now time.Time) (ok bool, why string) {
	rt := normType(requestType)
	now = now.UTC()
	var feeNote string
	for _, l := range rules.Limits {
		if l.Count <= 0 || !slices.Contains(l.Types, rt) {
			continue
		}
		counted, next, known := window(l.Window, previous, now)
		if !known || len(counted) < l.Count {
			continue
		}
		// The date from which the person is under the limit again: when
		// enough of the oldest counted requests have left the window.
		again := next(counted[len(counted)-l.Count])
		who := lawPhrase(rules.Law)
		since := counted[0].Format("2 January 2006")
		if l.Beyond == BeyondFee {
			if feeNote == "" {
				feeNote = fmt.Sprintf("%s lets you make this request free of charge %s %s; you made %d since %s, so a fee may be charged for this one. It is free again from %s.",
					who, times(l.Count), windowPhrase(l.Window), len(counted), since, again.Format("2 January 2006"))
			}
			continue
		}
		return false, fmt.Sprintf("%s lets you make this request %s %s; you made %d since %s. You can make it again from %s.",
			who, times(l.Count), windowPhrase(l.Window), len(counted), since, again.Format("2 January 2006"))
	}
	return true, feeNote
}

// window returns the earlier requests that count in the window at now, by
// date ascending, and for a counted request the date from which it no
// longer counts. known is false for a window CheckLimit does not know,
// which then limits nothing.
func window(w string, previous []time.Time, now time.Time) (counted []time.Time, expires func(time.Time) time.Time, known bool) {
	today := dateOf(now)
	switch w {
	case Window12Months:
		expires = func(p time.Time) time.Time { return addMonths(dateOf(p), 12) }
	case WindowCalendarYear:
		expires = func(p time.Time) time.Time { return time.Date(p.UTC().Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC) }
	default:
		return nil, nil, false
	}
	for _, p := range previous {
		p = p.UTC()
		if p.After(now) {
			continue
		}
		if today.Before(expires(p)) {
			counted = append(counted, p)
		}
	}
	slices.SortFunc(counted, func(a, b time.Time) int { return a.Compare(b) })
	return counted, expires, true
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func windowPhrase(w string) string {
	if w == WindowCalendarYear {
		return "per calendar year"
	}
	return "in 12 months"
}

func lawPhrase(law string) string {
	if p, ok := lawPhrases[law]; ok {
		return p
	}
	return "The law"
}
