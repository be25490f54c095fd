package jurisdiction

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A company's counsel may read a rule of the table differently. An Override
// replaces one rule of one law (a key of the table, as `custos law list`
// prints it) for some or all of the request types that law governs, and
// carries the reason, which every place that shows the rule repeats
// ("overridden by the manifest: …"). Overrides come from the manifest's
// laws: section (package policy); the table itself stays as the statutes
// read.

// Rules an Override may replace (Override.Rule).
const (
	// RuleDeadline replaces Respond: a period ("30 days", "10 business
	// days", "1 month").
	RuleDeadline = "deadline"
	// RuleAcknowledge replaces Acknowledge: a period, or "none".
	RuleAcknowledge = "acknowledge"
	// RuleExtension replaces Extension: a period, or "none".
	RuleExtension = "extension"
	// RuleExtensionNotice replaces ExtensionNeedsNotice: yes or no.
	RuleExtensionNotice = "extension_notice"
	// RuleAppeal grants (yes) or removes (no) the appeal. Granting one
	// where the law has none needs appeal_deadline and appeal_authority
	// overrides for the same types.
	RuleAppeal = "appeal"
	// RuleAppealDeadline replaces the period to decide an appeal.
	RuleAppealDeadline = "appeal_deadline"
	// RuleAppealAuthority replaces whom a denied appeal points to.
	RuleAppealAuthority = "appeal_authority"
	// RuleAppealAuthorityURL replaces that authority's address (https).
	RuleAppealAuthorityURL = "appeal_authority_url"
	// RuleLimit replaces the request limits: "none", or "N per 12_months"
	// / "N per calendar_year", optionally followed by ", fee" (beyond it a
	// fee may be charged) or ", refuse" (the default).
	RuleLimit = "limit"
	// RuleFee replaces the fee rule's charge: "none" (free, no exception)
	// or "reasonable" (a reasonable fee may be charged).
	RuleFee = "fee"
	// RuleComplaint replaces where the person can complain (the
	// regulator, with its address).
	RuleComplaint = "complaint"
	// RuleGPCFrom replaces the universal opt-out signal duty: the date
	// (YYYY-MM-DD) it applies from, or "none" (not required by the law).
	RuleGPCFrom = "gpc_from"
)

// OverrideRules lists the rules an Override may replace, in a stable order.
var OverrideRules = []string{
	RuleDeadline, RuleAcknowledge, RuleExtension, RuleExtensionNotice, RuleAppeal, RuleAppealDeadline,
	RuleAppealAuthority, RuleAppealAuthorityURL, RuleLimit, RuleFee, RuleComplaint, RuleGPCFrom,
}

// Override is one rule of one law as the company's counsel reads it.
type Override struct {
	// Code is a key of the law table ("US-TX", "EEA", "CA-QC").
	Code string
	// Types are the request types it applies to; empty: every type the
	// law governs in Code.
	Types []string
	// Rule is one of OverrideRules; Value its new value, as written.
	Rule, Value string
	// Reason is why counsel reads the rule so; required.
	Reason string
}

// Overridden is what Rules says of an Override applied to it.
type Overridden struct {
	Rule  string `json:"rule"`
	Value string `json:"value"`
	// Types are the request types the override is limited to; empty: all
	// the law governs.
	Types  []string `json:"types,omitempty"`
	Reason string   `json:"reason"`
}

// String is the line people read: "deadline: 30 days (overridden by the
// manifest: …)".
func (o Overridden) String() string {
	return fmt.Sprintf("%s: %s%s (overridden by the manifest: %s)", o.Rule, o.Value, o.For(), o.Reason)
}

// For is " for access, deletion requests" when the override is limited to
// some types, else "".
func (o Overridden) For() string {
	if len(o.Types) == 0 {
		return ""
	}
	return " for " + strings.Join(o.Types, ", ") + " requests"
}

// Errors of Override.Check, each with a field the manifest loader points
// at.
var (
	ErrUnknownLaw   = errors.New("unknown law key")
	ErrUnknownRule  = errors.New("unknown rule")
	ErrUnknownType  = errors.New("request type not governed by the law")
	ErrBadValue     = errors.New("bad value")
	ErrNoReason     = errors.New("no reason")
	ErrIncompatible = errors.New("incompatible overrides")
)

// OverrideError is an Override that cannot apply; Field is "law", "rule",
// "types", "value" or "reason", Index the position in Types for "types".
type OverrideError struct {
	Field string
	Index int
	Err   error
	Msg   string
}

func (e *OverrideError) Error() string { return e.Msg }
func (e *OverrideError) Unwrap() error { return e.Err }

// Codes returns the keys of the law table, in table order.
func Codes() []string {
	var out []string
	for _, l := range laws {
		if !slices.Contains(out, l.Code) {
			out = append(out, l.Code)
		}
	}
	return out
}

// typesOf returns the request types the table governs for code.
func typesOf(code string) []string {
	var out []string
	for _, e := range table {
		if e.jurisdiction != code {
			continue
		}
		for _, t := range e.types {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// Check reports why o cannot apply, as an *OverrideError, or nil.
func (o Override) Check() error {
	fail := func(field string, err error, format string, args ...any) error {
		return &OverrideError{Field: field, Err: err, Msg: fmt.Sprintf(format, args...)}
	}
	codes := Codes()
	if !slices.Contains(codes, o.Code) {
		return fail("law", ErrUnknownLaw, "%q is not a law key of the table (one of %s; see custos law list)", o.Code, strings.Join(codes, ", "))
	}
	if !slices.Contains(OverrideRules, o.Rule) {
		return fail("rule", ErrUnknownRule, "%q is not a rule that can be overridden (one of %s)", o.Rule, strings.Join(OverrideRules, ", "))
	}
	governed := typesOf(o.Code)
	for i, t := range o.Types {
		if !slices.Contains(governed, t) {
			return &OverrideError{Field: "types", Index: i, Err: ErrUnknownType,
				Msg: fmt.Sprintf("the law of %s does not govern %q requests (it governs %s)", o.Code, t, strings.Join(governed, ", "))}
		}
	}
	if strings.TrimSpace(o.Reason) == "" {
		return fail("reason", ErrNoReason, "an override needs a reason: why counsel reads the rule so")
	}
	if err := o.apply(&Rules{}); err != nil {
		return fail("value", ErrBadValue, "%s", err.Error())
	}
	return nil
}

var (
	periodRE = regexp.MustCompile(`^([0-9]{1,3}) (day|days|business day|business days|month|months)$`)
	limitRE  = regexp.MustCompile(`^([0-9]{1,2}) per (12_months|calendar_year)(?:, ?(fee|refuse))?$`)
)

// ParsePeriod reads a period as people write it: "30 days", "10 business
// days", "1 month". Business days skip the holidays of calendar (""
// for none).
func ParsePeriod(s, calendar string) (Period, error) {
	m := periodRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Period{}, fmt.Errorf("%q is not a period: write e.g. \"30 days\", \"10 business days\" or \"1 month\"", s)
	}
	n, _ := strconv.Atoi(m[1])
	if n <= 0 {
		return Period{}, fmt.Errorf("%q is not a period: the number must be at least 1", s)
	}
	switch m[2] {
	case "month", "months":
		if n > 24 {
			return Period{}, fmt.Errorf("%q is longer than any law allows (24 months at most)", s)
		}
		return Period{Months: n}, nil
	case "business day", "business days":
		return Period{Days: n, BusinessDays: true, Holidays: calendar}, nil
	}
	return Period{Days: n}, nil
}

func yesNo(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "yes", "true":
		return true, nil
	case "no", "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}

// calendarOf is the holiday calendar business days of code's law skip.
func calendarOf(code string) string {
	if code == CalendarCalifornia {
		return CalendarCalifornia
	}
	return ""
}

// apply replaces o's rule in r. It is also how Check validates the value.
func (o Override) apply(r *Rules) error {
	v := strings.TrimSpace(o.Value)
	switch o.Rule {
	case RuleDeadline, RuleAcknowledge, RuleExtension, RuleExtensionNotice:
		return o.applyTiming(r, v)
	case RuleAppeal:
		return applyAppeal(r, v)
	case RuleAppealDeadline, RuleAppealAuthority, RuleAppealAuthorityURL:
		return o.applyAppealPart(r, v)
	case RuleLimit:
		return o.applyLimit(r, v)
	case RuleFee:
		return applyFee(r, v)
	case RuleComplaint:
		if v == "" || len(v) > 300 {
			return fmt.Errorf("the complaint route must be named, in at most 300 characters")
		}
		r.Complaint = v
		return nil
	case RuleGPCFrom:
		return applyGPCFrom(r, v)
	}
	return fmt.Errorf("unknown rule %q", o.Rule)
}

// period parses v as a period of o's law; "none" is the zero period where
// the rule may be absent.
func (o Override) period(v string, noneAllowed bool) (Period, error) {
	if noneAllowed && v == "none" {
		return Period{}, nil
	}
	return ParsePeriod(v, calendarOf(o.Code))
}

// applyTiming sets the deadline, acknowledgement, extension and whether an
// extension needs notice.
func (o Override) applyTiming(r *Rules, v string) error {
	if o.Rule == RuleExtensionNotice {
		b, err := yesNo(v)
		if err != nil {
			return err
		}
		r.ExtensionNeedsNotice = b
		return nil
	}
	p, err := o.period(v, o.Rule != RuleDeadline)
	if err != nil {
		return err
	}
	switch o.Rule {
	case RuleDeadline:
		r.Respond = p
	case RuleAcknowledge:
		r.Acknowledge = p
	case RuleExtension:
		r.Extension = p
	}
	return nil
}

// applyAppeal grants or removes the appeal.
func applyAppeal(r *Rules, v string) error {
	b, err := yesNo(v)
	if err != nil {
		return err
	}
	switch {
	case !b:
		r.Appeal = nil
	case r.Appeal == nil:
		// Filled in by the appeal_deadline and appeal_authority
		// overrides; Overrides.Check makes sure there are some.
		r.Appeal = &AppealRules{Citation: "the manifest's laws: section"}
	}
	return nil
}

// applyAppealPart sets the appeal's deadline, authority or its address.
func (o Override) applyAppealPart(r *Rules, v string) error {
	a := r.Appeal
	if a == nil {
		a = &AppealRules{}
	}
	switch o.Rule {
	case RuleAppealDeadline:
		p, err := o.period(v, false)
		if err != nil {
			return err
		}
		a.Respond = p
	case RuleAppealAuthority:
		if v == "" || len(v) > 300 {
			return fmt.Errorf("the authority must be named, in at most 300 characters")
		}
		a.Authority = v
	case RuleAppealAuthorityURL:
		if err := httpsURL(v); err != nil {
			return err
		}
		a.AuthorityURL = v
	}
	// An appeal removed by an appeal: no override stays removed.
	if r.Appeal != nil {
		r.Appeal = a
	}
	return nil
}

// applyLimit sets how many requests a person may make in a window.
func (o Override) applyLimit(r *Rules, v string) error {
	if v == "none" {
		r.Limits = nil
		return nil
	}
	m := limitRE.FindStringSubmatch(v)
	if m == nil {
		return fmt.Errorf("%q is not a limit: write \"none\", or e.g. \"2 per 12_months\" or \"1 per calendar_year, fee\"", v)
	}
	n, _ := strconv.Atoi(m[1])
	if n <= 0 {
		return fmt.Errorf("%q: the count must be at least 1", v)
	}
	beyond := BeyondRefuse
	if m[3] == "fee" {
		beyond = BeyondFee
	}
	r.Limits = []Limit{{Count: n, Window: m[2], Beyond: beyond, Citation: "the manifest's laws: section: " + o.Reason}}
	return nil
}

// applyFee sets whether a request may cost the person anything.
func applyFee(r *Rules, v string) error {
	switch v {
	case FeeNone:
		r.Fee = FeeRule{Charge: FeeNone, Citation: "the manifest's laws: section"}
	case "reasonable":
		r.Fee.Charge, r.Fee.Citation = "a reasonable fee", "the manifest's laws: section"
	default:
		return fmt.Errorf("%q is not a fee rule: write \"none\" or \"reasonable\"", v)
	}
	return nil
}

// applyGPCFrom sets from when the law requires honouring a universal
// opt-out signal, or that it does not.
func applyGPCFrom(r *Rules, v string) error {
	if v == "none" {
		r.Signal = &SignalRules{Text: "The organisation's counsel reads the law as requiring no universal opt-out signal; Custos honours Global Privacy Control everywhere as the policy says.",
			Citation: "the manifest's laws: section"}
		return nil
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		return fmt.Errorf("%q is not a date (YYYY-MM-DD) or \"none\"", v)
	}
	r.Signal = signalFrom(d, "the manifest's laws: section")
	return nil
}

func httpsURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(s) > 500 {
		return fmt.Errorf("%q is not an https:// address", s)
	}
	return nil
}

// Overrides are the overrides of one policy; the zero value is the table as
// the statutes read. Its methods are those of the package (For, ForAt,
// Compute, Extend) with the overrides applied.
type Overrides []Override

// Check reports the first override that cannot apply, with its index, and
// problems between overrides: the same rule twice for a request type, and
// an appeal granted where the law has none without its deadline and
// authority.
func (os Overrides) Check() (int, error) {
	for i, o := range os {
		if err := o.Check(); err != nil {
			return i, err
		}
	}
	seen := map[string]int{}
	for i, o := range os {
		for _, t := range o.typesOrAll() {
			k := o.Code + "\x00" + t + "\x00" + o.Rule
			if j, ok := seen[k]; ok {
				return i, &OverrideError{Field: "rule", Err: ErrIncompatible,
					Msg: fmt.Sprintf("%s for %s %q requests is overridden twice (also by override %d)", o.Rule, o.Code, t, j+1)}
			}
			seen[k] = i
		}
	}
	// An appeal's deadline and authority need an appeal.
	for i, o := range os {
		if o.Rule != RuleAppealDeadline && o.Rule != RuleAppealAuthority && o.Rule != RuleAppealAuthorityURL {
			continue
		}
		for _, t := range o.typesOrAll() {
			if os.For(o.Code, t).Appeal == nil {
				return i, &OverrideError{Field: "rule", Err: ErrIncompatible,
					Msg: fmt.Sprintf("the law of %s gives %q requests no appeal: override appeal to yes for them first, or name the types that have one", o.Code, t)}
			}
		}
	}
	// Granting an appeal where the table has none needs the rest of it.
	for i, o := range os {
		if o.Rule != RuleAppeal || strings.TrimSpace(o.Value) != "yes" && strings.TrimSpace(o.Value) != "true" {
			continue
		}
		for _, t := range o.typesOrAll() {
			r := os.For(o.Code, t)
			if r.Appeal == nil || r.Appeal.Respond.IsZero() || r.Appeal.Authority == "" {
				return i, &OverrideError{Field: "value", Err: ErrIncompatible,
					Msg: fmt.Sprintf("the law of %s has no appeal for %q requests: granting one needs appeal_deadline and appeal_authority overrides too", o.Code, t)}
			}
		}
	}
	return -1, nil
}

func (o Override) typesOrAll() []string {
	if len(o.Types) > 0 {
		return o.Types
	}
	return typesOf(o.Code)
}

// applyTo applies the overrides that concern r (its Group, the request
// type rt) in order, and records them in r.Overridden. An override that
// no longer applies (a manifest older than this table) is skipped.
func (os Overrides) applyTo(r *Rules, rt string) {
	if r.Law == LawNone || r.Law == LawPolicy {
		return
	}
	// appeal first, so that its deadline and authority land in it.
	order := slices.Clone([]Override(os))
	slices.SortStableFunc(order, func(a, b Override) int {
		return boolInt(b.Rule == RuleAppeal) - boolInt(a.Rule == RuleAppeal)
	})
	for _, o := range order {
		if o.Code != r.Group || len(o.Types) > 0 && !slices.Contains(o.Types, rt) {
			continue
		}
		if err := o.apply(r); err != nil {
			continue
		}
		// The appeal request itself is due when the appeal must be decided.
		if o.Rule == RuleAppealDeadline && rt == TypeAppeal && r.Appeal != nil {
			r.Respond = r.Appeal.Respond
		}
		if o.Rule == RuleLimit && len(r.Limits) > 0 {
			r.Limits[0].Types = o.typesOrAll()
			if !slices.Contains(r.Limits[0].Types, rt) {
				r.Limits[0].Types = append(r.Limits[0].Types, rt)
			}
		}
		r.Overridden = append(r.Overridden, Overridden{Rule: o.Rule, Value: strings.TrimSpace(o.Value), Types: slices.Clone(o.Types), Reason: o.Reason})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// For is the package's For with the overrides applied.
func (os Overrides) For(jurisdiction, requestType string) Rules {
	r := For(jurisdiction, requestType)
	os.applyTo(&r, normType(requestType))
	return r
}

// ForAt is the package's ForAt with the overrides applied.
func (os Overrides) ForAt(jurisdiction, requestType string, t time.Time) Rules {
	r := ForAt(jurisdiction, requestType, t)
	os.applyTo(&r, normType(requestType))
	return r
}

// Groups is the package's Groups with the overrides applied.
func (os Overrides) Groups(jurisdiction string) []Group {
	gs := Groups(jurisdiction)
	for i := range gs {
		os.applyTo(&gs[i].Rules, gs[i].Types[0])
	}
	return gs
}

// Compute is the package's Compute with the overrides applied.
func (os Overrides) Compute(jurisdiction, requestType string, receivedAt time.Time) Deadlines {
	return computeWith(os.ForAt(jurisdiction, requestType, receivedAt), receivedAt)
}

// Extend is the package's Extend with the overrides applied.
func (os Overrides) Extend(d Deadlines, jurisdiction, requestType string) (Deadlines, error) {
	r := os.For(jurisdiction, requestType)
	if !d.ReceivedAt.IsZero() {
		r = os.ForAt(jurisdiction, requestType, d.ReceivedAt)
	}
	return extendWith(d, r)
}

// Digest is a fingerprint of the rules that decide a request's deadlines
// and answers: it changes when the table (a new Custos version) or the
// policy's overrides change what r says, so open requests can be
// recomputed once.
func (r Rules) Digest() string {
	// Jurisdiction is the request's own; Note and Name are words.
	r.Jurisdiction, r.Note = "", ""
	b, _ := json.Marshal(r) // Rules holds only plain data: never fails
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}
