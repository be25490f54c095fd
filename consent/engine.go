// Package consent keeps people's choices and decides, before each use of
// personal data, whether that use is allowed: the append-only consent
// ledger with signed receipts, opt-outs of sale and sharing (including the
// Global Privacy Control signal), objections to direct marketing,
// unsubscribe links, and the decision engine that combines them with the
// policy's legal bases and each jurisdiction's regime.
package consent

import (
	"strings"
	"sync"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// Reserved scopes of the ledger besides purpose keys.
const (
	// ScopeSaleSharing: the person's choice on the sale and sharing of
	// their personal information (granted false = opted out).
	ScopeSaleSharing = "sale_sharing"
	// ScopeDirectMarketing: granted false = the person objects to direct
	// marketing (GDPR Art. 21(2)).
	ScopeDirectMarketing = "direct_marketing"
	// ScopeMinor is kept by blind index for a minor whose data was
	// erased: whoever has the identity again is treated as a minor (no
	// sale, sharing, marketing or collection) until an officer records
	// that the person is of age. It is not a choice anyone can record.
	ScopeMinor = store.ScopeMinor
	// ScopeObjection: granted false = the person objects, on grounds of
	// their particular situation, to processing on legitimate interests
	// (GDPR Art. 21(1)): every such purpose stops for them unless the
	// manifest records compelling grounds for it (compelling_grounds).
	// granted true withdraws the objection.
	ScopeObjection = "objection"
	// ScopeSensitive: the person's choice on the use of their sensitive
	// personal information (the categories the manifest marks sensitive):
	// granted true is their consent where a law asks for it (most US
	// states, GDPR Art. 9(2)(a)); granted false withdraws it, opts out
	// (Utah, Iowa), or, in California, limits the use to the purposes of
	// 11 CCR §7027(m) (Cal. Civ. Code §1798.121).
	ScopeSensitive = "sensitive_data"
)

// Reason codes of decisions.
const (
	ReasonContract            = "contract"
	ReasonLegitimateInterests = "legitimate_interests"
	ReasonLegalObligation     = "legal_obligation"
	ReasonConsentGiven        = "consent_given"
	ReasonNotOptedOut         = "not_opted_out"
	ReasonNoConsent           = "no_consent"
	ReasonConsentWithdrawn    = "consent_withdrawn"
	ReasonOptedOut            = "opted_out"
	ReasonRestricted          = "restricted"
	ReasonErased              = "erased"
	ReasonMinor               = "minor"
	ReasonUndeclaredPurpose   = "undeclared_purpose"
	ReasonUndeclaredCategory  = "undeclared_category"
	// ReasonObjected: the person objected to processing on legitimate
	// interests (GDPR Art. 21(1)) and the manifest records no compelling
	// grounds for the purpose.
	ReasonObjected = "objected"
	// ReasonStorageRefused: the principal refused, in the banner, storage
	// for a purpose that does not rest on consent; a device's refusal
	// holds for that device's decisions.
	ReasonStorageRefused = "storage_refused"
	// ReasonSensitiveNoConsent: the category is sensitive and the law of
	// the jurisdiction needs the person's consent for this use, which
	// they have not given (or withdrew).
	ReasonSensitiveNoConsent = "sensitive_no_consent"
	// ReasonSensitiveLimited: the person limited (California) or opted
	// out of (Utah, Iowa) the use of sensitive data, and this purpose is
	// not one the limit leaves.
	ReasonSensitiveLimited = "sensitive_limited"
	// ReasonSensitiveNotNecessary: the law allows sensitive data only
	// where strictly necessary for what the person asked for (Maryland),
	// and this purpose is not.
	ReasonSensitiveNotNecessary = "sensitive_not_necessary"
	// ReasonSensitiveSale: the law forbids selling sensitive data
	// (Maryland), consent or not.
	ReasonSensitiveSale = "sensitive_sale"
)

// Decision is the answer to "may this person's data be used so, here?".
type Decision struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
	Basis   string `json:"basis,omitempty"`
	// Regime is opt_in or opt_out for consent purposes.
	Regime string `json:"regime,omitempty"`
}

// purposeInfo is a purpose of the policy compiled for decisions.
type purposeInfo struct {
	basis           string
	regimes         map[string]string
	saleShare       bool // using data for it sells or shares it
	directMarketing bool
	marketing       bool // never for minors
	// restrictionExempt: still allowed while processing is restricted
	// (GDPR Art. 18(2)): storage, or a ground the manifest names.
	restrictionExempt bool
	// compelling: the manifest records compelling legitimate grounds that
	// override an objection (GDPR Art. 21(1)).
	compelling bool
	// necessary: the purpose provides what the person asked for (the
	// manifest's strictly_necessary, else essential.*): what Maryland
	// lets sensitive data be used for.
	necessary bool
	// limitExempt: a use of sensitive data that a limit (Cal. Civ. Code
	// §1798.121(a), 11 CCR §7027(m)) or an opt-out leaves.
	limitExempt bool
}

// compiled is the policy in force, in the shape decisions read.
type compiled struct {
	version    int64
	purposes   map[string]*purposeInfo
	categories map[string]sensitivity // key → what kind of sensitive it is
}

func compile(m *policy.Manifest, version int64) *compiled {
	c := &compiled{version: version, purposes: map[string]*purposeInfo{}, categories: map[string]sensitivity{}}
	for _, cat := range m.Categories {
		c.categories[cat.Key] = sensitivityOfCategory(cat)
	}
	salePurposes := map[string]bool{}
	for _, r := range m.Recipients {
		if r.SaleOrShare {
			for _, p := range r.Purposes {
				salePurposes[p] = true
			}
		}
	}
	for _, p := range m.Purposes {
		info := &purposeInfo{
			basis:           p.LegalBasis,
			directMarketing: p.DirectMarketing,
			// Sharing with third parties and third-party advertising are
			// "sale or sharing" under the CCPA, as are purposes a
			// sale_or_share recipient is declared for.
			saleShare: salePurposes[p.Key] || hasPrefix(p.Key, "third_party_sharing") || hasPrefix(p.Key, "marketing.advertising.third_party"),
			marketing: hasPrefix(p.Key, "marketing") || p.DirectMarketing,
			// GDPR Art. 18(2): restricted data may, "with the exception of
			// storage", be processed only with the person's consent, for
			// legal claims, to protect the rights of another person or for
			// important public interest. A legal obligation or a contract is
			// not among them: only the manifest's restriction_exempt lets a
			// purpose go on (consent: see Decide).
			restrictionExempt: hasPrefix(p.Key, "functional.storage") || p.RestrictionExempt != "",
			compelling:        p.LegalBasis == policy.BasisLegitimateInterests && strings.TrimSpace(p.CompellingGrounds) != "",
			necessary:         p.IsStrictlyNecessary(),
		}
		info.marketing = info.marketing || info.saleShare
		info.limitExempt = !info.marketing && limitPurposes(p)
		if p.Consent != nil {
			info.regimes = p.Consent.Regimes
		}
		c.purposes[p.Key] = info
	}
	return c
}

// limitPurpose are the CCPA business purposes (taxonomy keys) a limit on
// sensitive personal information leaves: Cal. Civ. Code §1798.121(a)
// allows what is necessary to perform the services or provide the goods
// reasonably expected, and the services of §1798.140(e)(2) security and
// integrity, (4) short-term transient use, (5) performing services on
// behalf of the business and (8) quality and safety; 11 CCR §7027(m)
// lists the same. Debugging ((e)(3)), internal research ((e)(7)),
// auditing ((e)(1)) and advertising or marketing ((e)(6)) are not.
var limitPurpose = map[string]bool{
	"performing_services":      true,
	"security":                 true,
	"short_term_transient_use": true,
	"quality_and_safety":       true,
}

// limitPurposes reports whether every business purpose of p is one a limit
// leaves (a purpose with none declared is not).
func limitPurposes(p policy.Purpose) bool {
	if !limitPurpose[p.BusinessPurpose] {
		return false
	}
	for _, b := range p.AdditionalBusinessPurposes {
		if !limitPurpose[b] {
			return false
		}
	}
	return true
}

// hasPrefix reports whether key is prefix or a dotted descendant of it.
func hasPrefix(key, prefix string) bool {
	return key == prefix || strings.HasPrefix(key, prefix+".")
}

// choice values in a subject's state.
const (
	none      int8 = 0
	granted   int8 = 1
	withdrawn int8 = -1
)

// state is what the engine knows of one principal.
type state struct {
	choices    map[string]int8 // scope → latest choice
	erased     bool
	restricted bool
	minor      bool
	// restrictedAt is when the restriction began; grantedWhile holds, for
	// the scopes granted after it, when: GDPR Art. 18(2) lets restricted
	// data be processed "with the data subject's consent", which a consent
	// given before the restriction is not.
	restrictedAt time.Time
	grantedWhile map[string]time.Time
}

// consentedDuring reports whether the person gave consent to purpose after
// their processing was restricted, and still holds it.
func (st *state) consentedDuring(purpose string) bool {
	at, ok := st.grantedWhile[purpose]
	return ok && st.choices[purpose] == granted && at.After(st.restrictedAt)
}

// restrict starts (at) or ends (zero) a restriction; consents given
// before it no longer count as consent despite it.
func (st *state) restrict(on bool, at time.Time) {
	st.restricted = on
	st.restrictedAt = time.Time{}
	if on {
		st.restrictedAt = at
	}
	st.grantedWhile = nil
}

// Engine decides. Its index lives in memory and is kept current by the
// writes that change it (and, with several servers on PostgreSQL, by their
// notifications). Decide allocates nothing.
type Engine struct {
	mu         sync.RWMutex
	clock      custos.Clock // the dates of laws' rules on sensitive data
	pol        *compiled
	principals map[string]*state
	blinds     map[string]string          // blind index → subject id
	suppressed map[string]map[string]bool // blind index → scopes opted out
	mergedInto map[string]string
}

// NewEngine returns an empty engine for the policy in force.
func NewEngine(m *policy.Manifest, version int64) *Engine {
	return &Engine{clock: custos.SystemClock{}, pol: compile(m, version), principals: map[string]*state{}, blinds: map[string]string{},
		suppressed: map[string]map[string]bool{}, mergedInto: map[string]string{}}
}

// SetClock sets the clock decisions read the date from (which laws, and
// which of their rules on sensitive data, are in force).
func (e *Engine) SetClock(c custos.Clock) {
	e.mu.Lock()
	e.clock = c
	e.mu.Unlock()
}

// SetPolicy switches decisions to another policy version.
func (e *Engine) SetPolicy(m *policy.Manifest, version int64) {
	c := compile(m, version)
	e.mu.Lock()
	e.pol = c
	e.mu.Unlock()
}

// PolicyVersion is the version decisions follow.
func (e *Engine) PolicyVersion() int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.pol.version
}

// Decide answers for a principal (a subject id, or "device:<id>"), a
// purpose, a category ("" for any) and a jurisdiction (ISO 3166: US-CA, DE…).
func (e *Engine) Decide(principal, purpose, category, where string) Decision {
	e.mu.RLock()
	defer e.mu.RUnlock()
	p := e.pol.purposes[purpose]
	if p == nil {
		return Decision{Reason: ReasonUndeclaredPurpose}
	}
	sensitive, declared := e.pol.categories[category]
	if category != "" && !declared {
		return Decision{Reason: ReasonUndeclaredCategory, Basis: p.basis}
	}
	st := e.principals[e.resolve(principal)]
	if st == nil {
		st = &emptyState
	}
	return e.decide(p, st, purpose, where, sensitive)
}

// DecideAsMinor answers for a person Custos holds nothing about but the
// minor mark on one of their identities (MinorByBlind): protected as a
// known minor would be.
func (e *Engine) DecideAsMinor(purpose, category, where string) Decision {
	e.mu.RLock()
	defer e.mu.RUnlock()
	p := e.pol.purposes[purpose]
	if p == nil {
		return Decision{Reason: ReasonUndeclaredPurpose}
	}
	sensitive, declared := e.pol.categories[category]
	if category != "" && !declared {
		return Decision{Reason: ReasonUndeclaredCategory, Basis: p.basis}
	}
	return e.decide(p, &minorState, purpose, where, sensitive)
}

// decide is the rule for one principal's state; callers hold e.mu.
func (e *Engine) decide(p *purposeInfo, st *state, purpose, where string, sensitive sensitivity) Decision {
	switch {
	case st.erased:
		return Decision{Reason: ReasonErased, Basis: p.basis}
	case st.restricted && !p.restrictionExempt && !(p.basis == policy.BasisConsent && st.consentedDuring(purpose)):
		// GDPR Art. 18(2): storage, the manifest's grounds, and consent
		// the person gave after the restriction began; consent given
		// before it is not consent to processing despite it.
		return Decision{Reason: ReasonRestricted, Basis: p.basis}
	case st.minor && p.marketing:
		return Decision{Reason: ReasonMinor, Basis: p.basis}
	case p.saleShare && st.choices[ScopeSaleSharing] == withdrawn:
		return Decision{Reason: ReasonOptedOut, Basis: p.basis}
	case p.directMarketing && st.choices[ScopeDirectMarketing] == withdrawn:
		// GDPR Art. 21(3): absolute.
		return Decision{Reason: ReasonOptedOut, Basis: p.basis}
	case p.basis == policy.BasisLegitimateInterests && !p.compelling && st.choices[ScopeObjection] == withdrawn:
		// GDPR Art. 21(1): "The controller shall no longer process the
		// personal data unless the controller demonstrates compelling
		// legitimate grounds ... or for the establishment, exercise or
		// defence of legal claims."
		return Decision{Reason: ReasonObjected, Basis: p.basis}
	case p.basis != policy.BasisConsent && st.choices[purpose] == withdrawn:
		// A choice on a purpose that does not rest on consent is recorded
		// only by the banner (checkStorageScope): storage on the device
		// was refused (Directive 2002/58/EC Art. 5(3)), and the purpose
		// does not run for that principal.
		return Decision{Reason: ReasonStorageRefused, Basis: p.basis}
	}
	if sensitive.coveredIn(where) {
		if d, stop := e.sensitive(p, st, where); stop {
			return d
		}
	}
	switch p.basis {
	case policy.BasisContract:
		return Decision{Allowed: true, Reason: ReasonContract, Basis: p.basis}
	case policy.BasisLegitimateInterests:
		return Decision{Allowed: true, Reason: ReasonLegitimateInterests, Basis: p.basis}
	case policy.BasisLegalObligation:
		return Decision{Allowed: true, Reason: ReasonLegalObligation, Basis: p.basis}
	}
	regime := Regime(p.regimes, where)
	c := st.choices[purpose]
	switch {
	case c == granted:
		return Decision{Allowed: true, Reason: ReasonConsentGiven, Basis: p.basis, Regime: regime}
	case c == withdrawn && regime == policy.OptOut:
		return Decision{Reason: ReasonOptedOut, Basis: p.basis, Regime: regime}
	case c == withdrawn:
		return Decision{Reason: ReasonConsentWithdrawn, Basis: p.basis, Regime: regime}
	case regime == policy.OptOut:
		return Decision{Allowed: true, Reason: ReasonNotOptedOut, Basis: p.basis, Regime: regime}
	default:
		return Decision{Reason: ReasonNoConsent, Basis: p.basis, Regime: regime}
	}
}

var (
	emptyState state
	minorState = state{minor: true}
)

// MinorByBlind reports whether an identity is kept with the minor mark.
func (e *Engine) MinorByBlind(blind []byte) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.suppressed[string(blind)][ScopeMinor]
}

// sensitive applies the law of where to a use of a sensitive category,
// and reports whether it stops the use. The law's model comes from the
// jurisdiction table (jurisdiction.SensitiveAt), each with its citation;
// a place whose law is unknown ("") takes opt-in, the safe reading (as
// Regime does); a place with no law that has a rule leaves the decision
// to the policy's other rules.
func (e *Engine) sensitive(p *purposeInfo, st *state, where string) (Decision, bool) {
	now := e.clock.Now()
	rule, ok := jurisdiction.SensitiveAt(where, now)
	if !ok {
		if where != "" {
			return Decision{}, false
		}
		rule = jurisdiction.SensitiveRules{Consent: jurisdiction.SensitiveOptIn}
	}
	c := st.choices[ScopeSensitive]
	refuse := func(reason string) (Decision, bool) { return Decision{Reason: reason, Basis: p.basis}, true }
	if p.saleShare {
		switch {
		case rule.Sale == jurisdiction.SaleNever:
			// Md. Code, Com. Law §14-4607(a)(2): "Sell sensitive data" is
			// forbidden outright.
			return refuse(ReasonSensitiveSale)
		case rule.SaleNeedsConsent(now) && c != granted:
			// Connecticut, P.A. 25-113, from 1 July 2026.
			return refuse(ReasonSensitiveNoConsent)
		}
	}
	switch rule.Consent {
	case jurisdiction.SensitiveStrictlyNecessary:
		// Md. Code, Com. Law §14-4607(a)(1): only where strictly necessary
		// to provide or maintain a specific product or service the person
		// asked for; consent does not widen it.
		if !p.necessary {
			return refuse(ReasonSensitiveNotNecessary)
		}
	case jurisdiction.SensitiveOptOut:
		// Cal. Civ. Code §1798.121(a)-(b), 11 CCR §7027(m); Utah Code
		// §13-61-302(3); Iowa Code §715D.4(2): allowed until the person
		// limits or opts out, then only for the purposes a limit leaves.
		if c == withdrawn && !p.limitExempt {
			return refuse(ReasonSensitiveLimited)
		}
	default:
		// Opt-in (Virginia model, GDPR Art. 9(2)(a), …): the person's
		// consent first, whatever the purpose's own basis.
		if c != granted {
			return refuse(ReasonSensitiveNoConsent)
		}
	}
	return Decision{}, false
}

// resolve follows merges to the subject a principal now is.
func (e *Engine) resolve(principal string) string {
	for i := 0; i < 8; i++ { // merges chain rarely; a bound guards a cycle
		next, ok := e.mergedInto[principal]
		if !ok {
			return principal
		}
		principal = next
	}
	return principal
}

// SubjectByBlind returns the subject an identity's blind index belongs to.
func (e *Engine) SubjectByBlind(blind []byte) (string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	id, ok := e.blinds[string(blind)]
	return id, ok
}

// Regime returns the consent regime for a jurisdiction: an exact match
// (US-CA), then the country (US), then EU or EEA membership, then
// "default"; opt_in when nothing matches, the safe reading.
func Regime(regimes map[string]string, jurisdiction string) string {
	if r, ok := regimes[jurisdiction]; ok {
		return r
	}
	country := jurisdiction
	if len(jurisdiction) > 2 && jurisdiction[2] == '-' {
		country = jurisdiction[:2]
		if r, ok := regimes[country]; ok {
			return r
		}
	}
	if isEU(country) {
		if r, ok := regimes["EU"]; ok {
			return r
		}
	}
	if isEU(country) || country == "IS" || country == "LI" || country == "NO" {
		if r, ok := regimes["EEA"]; ok {
			return r
		}
	}
	if r, ok := regimes["default"]; ok {
		return r
	}
	return policy.OptIn
}

func isEU(c string) bool {
	switch c {
	case "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
		"LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE":
		return true
	}
	return false
}

// Apply records one ledger choice in the index, as replaying the ledger
// does. The service calls it after writing the ledger; benchmarks and
// embedders that keep their own ledger may call it directly.
func (e *Engine) Apply(principal, scope string, granted bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.apply(principal, scope, granted)
}

// apply records a ledger entry in the index. Callers hold the write lock.
func (e *Engine) apply(principal, scope string, grant bool) {
	e.applyAt(principal, scope, grant, time.Time{})
}

// applyAt is apply for an entry recorded at at (zero: unknown, so never
// after a restriction).
func (e *Engine) applyAt(principal, scope string, grant bool, at time.Time) {
	st := e.stateOf(e.resolve(principal))
	if grant {
		st.choices[scope] = granted
	} else {
		st.choices[scope] = withdrawn
	}
	if !st.restricted {
		return
	}
	if grant && !at.IsZero() && at.After(st.restrictedAt) {
		if st.grantedWhile == nil {
			st.grantedWhile = map[string]time.Time{}
		}
		st.grantedWhile[scope] = at
	} else {
		delete(st.grantedWhile, scope)
	}
}

func (e *Engine) stateOf(principal string) *state {
	st := e.principals[principal]
	if st == nil {
		st = &state{choices: map[string]int8{}}
		e.principals[principal] = st
	}
	return st
}

func (e *Engine) suppressedScopes(blind string) map[string]bool {
	s := e.suppressed[blind]
	if s == nil {
		s = map[string]bool{}
		e.suppressed[blind] = s
	}
	return s
}

// suppress applies an opt-out kept by blind index to its subject, if known.
func (e *Engine) suppress(blind []byte, scope string) {
	e.suppressedScopes(string(blind))[scope] = true
	if id, ok := e.blinds[string(blind)]; ok {
		e.mark(e.stateOf(e.resolve(id)), scope)
	}
}

// mark applies one suppression scope to a subject's state: the minor mark
// protects as a minor, the others are opt-outs.
func (e *Engine) mark(st *state, scope string) {
	if scope == ScopeMinor {
		st.minor = true
		return
	}
	st.choices[scope] = withdrawn
}

// Identities implements records.Observer: new identities of a subject, and
// any opt-out kept for them.
func (e *Engine) Identities(subjectID string, blinds [][]byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, b := range blinds {
		e.blinds[string(b)] = subjectID
		for scope := range e.suppressed[string(b)] {
			e.mark(e.stateOf(e.resolve(subjectID)), scope)
		}
	}
}

// Erased implements records.Observer.
func (e *Engine) Erased(subjectID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.stateOf(subjectID)
	st.erased = true
	for b, id := range e.blinds {
		if id == subjectID {
			// The store kept a minor's identities with the minor mark in
			// the erasing transaction (store.Tx.EraseSubject); so does the
			// index.
			if st.minor {
				e.suppressedScopes(b)[ScopeMinor] = true
			}
			delete(e.blinds, b)
		}
	}
}

// Merged implements records.Observer: from's choices and marks join into's.
func (e *Engine) Merged(from, into string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mergedInto[from] = into
	if src := e.principals[from]; src != nil {
		dst := e.stateOf(into)
		// Without the ledger's order at hand, a withdrawal on either side
		// wins: the safe reading until the next reload replays the ledger.
		for scope, c := range src.choices {
			if dst.choices[scope] == none || c == withdrawn {
				dst.choices[scope] = c
			}
		}
		// The later restriction holds; consent counts only if given after
		// it (consentedDuring compares).
		if src.restricted && (!dst.restricted || src.restrictedAt.After(dst.restrictedAt)) {
			dst.restricted, dst.restrictedAt = true, src.restrictedAt
		}
		for scope, at := range src.grantedWhile {
			if dst.restricted && dst.choices[scope] == granted {
				if dst.grantedWhile == nil {
					dst.grantedWhile = map[string]time.Time{}
				}
				dst.grantedWhile[scope] = at
			}
		}
		dst.minor = dst.minor || src.minor
		delete(e.principals, from)
	}
	for b, id := range e.blinds {
		if id == from {
			e.blinds[b] = into
		}
	}
}

// IsMinor reports whether a subject is known to be a minor.
func (e *Engine) IsMinor(subjectID string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.principals[e.resolve(subjectID)]
	return st != nil && st.minor
}

// IsRestricted reports whether a subject's processing is restricted.
func (e *Engine) IsRestricted(subjectID string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.principals[e.resolve(subjectID)]
	return st != nil && st.restricted
}

// SetFlags sets what is known of a subject besides its choices; a
// restriction set here begins now.
func (e *Engine) SetFlags(subjectID string, erased, restricted, minor bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.stateOf(subjectID)
	st.erased, st.minor = erased, minor
	if restricted != st.restricted {
		st.restrict(restricted, e.clock.Now())
	}
}

// sensitivity is which laws' definition of sensitive data a category the
// manifest marks sensitive falls under. Laws define it differently: GDPR
// Art. 9(1) (and Art. 10), UK GDPR Art. 9, FADP Art. 5(c) and LGPD Art.
// 5(II) name special categories only — health, biometric and genetic
// data, racial or ethnic origin, religious or philosophical beliefs,
// political opinions, sex life or orientation, criminal records; the US
// state laws after Virginia's (Va. Code §59.1-575 "sensitive data") add
// precise geolocation; California (Cal. Civ. Code §1798.140(ae)) adds
// account log-ins with their credentials, government identifiers,
// financial accounts and the contents of communications. A password is
// therefore sensitive in California and nowhere else.
// UNSURE: the kinds are read from the fideslang key unless the manifest's
// sensitive_kind names one; a category marked sensitive under another key
// without it counts as California-only, and each state's list beyond
// Virginia's was not compared one by one.
type sensitivity uint8

const (
	notSensitive sensitivity = iota
	specialCategory
	preciseGeolocation
	californiaOnly
)

// specialPrefixes are the fideslang keys of GDPR Art. 9(1) and 10 data.
var specialPrefixes = []string{
	"user.health_and_medical", "user.biometric", "user.genetic",
	"user.demographic.race_ethnicity", "user.demographic.religious_belief",
	"user.demographic.sexual_orientation", "user.demographic.political_opinion",
	"user.criminal_history",
}

// sensitivityOfCategory is a declared category's kind: the manifest's
// sensitive_kind where it names one (counsel's reading, or a key the
// fideslang prefixes below do not place), else the kind its key implies.
func sensitivityOfCategory(c policy.Category) sensitivity {
	if !c.Sensitive {
		return notSensitive
	}
	switch c.SensitiveKind {
	case policy.SensitiveSpecial:
		return specialCategory
	case policy.SensitivePrecise:
		return preciseGeolocation
	case policy.SensitiveCalifornia:
		return californiaOnly
	}
	return sensitivityOf(c.Key, true)
}

func sensitivityOf(key string, marked bool) sensitivity {
	if !marked {
		return notSensitive
	}
	for _, p := range specialPrefixes {
		if key == p || strings.HasPrefix(key, p+".") {
			return specialCategory
		}
	}
	if key == "user.location.precise" || strings.HasPrefix(key, "user.location.precise.") {
		return preciseGeolocation
	}
	return californiaOnly
}

// coveredIn reports whether the law of where treats this kind of data as
// sensitive. Where is unknown, the strictest reading applies.
func (s sensitivity) coveredIn(where string) bool {
	switch {
	case s == notSensitive:
		return false
	case where == "" || where == "US-CA":
		return true
	case strings.HasPrefix(where, "US-"):
		return s != californiaOnly
	default:
		return s == specialCategory
	}
}
