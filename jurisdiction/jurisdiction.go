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
)

// RequestTypes lists every request type, in a stable order.
var RequestTypes = []string{
	TypeAccess, TypeCategories, TypePortability, TypeCorrection, TypeDeletion,
	TypeRestriction, TypeObjection, TypeOptOut, TypeDirectMarketingDisclosures, TypeAppeal,
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
	// LawPolicy: no law here governs the request; Custos's own policy does.
	LawPolicy = "policy"
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
}

// AppealRules are a law's appeal process: the business decides an appeal
// within Respond, and if it denies it, points the person to Authority.
type AppealRules struct {
	Respond      Period
	Authority    string
	AuthorityURL string
}

// FeeRule says whether a request may cost the person anything.
type FeeRule struct {
	// Charge is FeeNone when the request is free of charge.
	Charge string
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
	Beyond string
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
// …; case and surrounding spaces do not matter). Jurisdictions and request
// types the table does not cover get the "policy" rules (see the package
// documentation). The returned Rules are a copy the caller may modify.
func For(jurisdiction, requestType string) Rules {
	key := jurisdictionKey(jurisdiction)
	rt := normType(requestType)
	for i := range table {
		e := &table[i]
		if e.jurisdiction == key && slices.Contains(e.types, rt) {
			r := e.rules.clone()
			// Only the limits that count this request type.
			r.Limits = slices.DeleteFunc(r.Limits, func(l Limit) bool { return !l.Covers(rt) })
			if len(r.Limits) == 0 {
				r.Limits = nil
			}
			return r
		}
	}
	r := policyRules.clone()
	if c, ok := complaints[key]; ok {
		r.Complaint = c
	} else if strings.HasPrefix(key, "US-") {
		r.Complaint = complaints["US"]
	}
	return r
}

func (r Rules) clone() Rules {
	if r.Appeal != nil {
		a := *r.Appeal
		r.Appeal = &a
	}
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

func normType(requestType string) string {
	return strings.ToLower(strings.TrimSpace(requestType))
}

// Deadlines are the dates by which a request must be acknowledged and
// answered.
type Deadlines struct {
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
	r := For(jurisdiction, requestType)
	d := Deadlines{DueAt: r.Respond.After(receivedAt)}
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

// Extend extends the deadline once, by the law's Extension counted from the
// original due date: under the CCPA "an additional 45 days" (90 days from
// receipt in all), under the GDPR "by two further months" from the end of
// the first month. It returns ErrAlreadyExtended if d was already extended
// and ErrNoExtension if the law allows none. Where ExtensionNeedsNotice, the
// caller must tell the person, with reasons, before d.DueAt; Extend does not
// check that.
func Extend(d Deadlines, jurisdiction, requestType string) (Deadlines, error) {
	if d.ExtendedUntil != nil {
		return d, ErrAlreadyExtended
	}
	if d.DueAt.IsZero() {
		return d, ErrNoDueDate
	}
	r := For(jurisdiction, requestType)
	if r.Extension.IsZero() {
		return d, ErrNoExtension
	}
	e := r.Extension.After(d.DueAt)
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
