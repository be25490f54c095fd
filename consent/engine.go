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
	storageOnly     bool // still allowed while processing is restricted
}

// compiled is the policy in force, in the shape decisions read.
type compiled struct {
	version    int64
	purposes   map[string]*purposeInfo
	categories map[string]bool
}

func compile(m *policy.Manifest, version int64) *compiled {
	c := &compiled{version: version, purposes: map[string]*purposeInfo{}, categories: map[string]bool{}}
	for _, cat := range m.Categories {
		c.categories[cat.Key] = true
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
			// Art. 18(2): restricted data may still be stored, and used for
			// legal claims and obligations.
			storageOnly: hasPrefix(p.Key, "functional.storage") || p.LegalBasis == policy.BasisLegalObligation,
		}
		info.marketing = info.marketing || info.saleShare
		if p.Consent != nil {
			info.regimes = p.Consent.Regimes
		}
		c.purposes[p.Key] = info
	}
	return c
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
}

// Engine decides. Its index lives in memory and is kept current by the
// writes that change it (and, with several servers on PostgreSQL, by their
// notifications). Decide allocates nothing.
type Engine struct {
	mu         sync.RWMutex
	pol        *compiled
	principals map[string]*state
	blinds     map[string]string          // blind index → subject id
	suppressed map[string]map[string]bool // blind index → scopes opted out
	mergedInto map[string]string
}

// NewEngine returns an empty engine for the policy in force.
func NewEngine(m *policy.Manifest, version int64) *Engine {
	return &Engine{pol: compile(m, version), principals: map[string]*state{}, blinds: map[string]string{},
		suppressed: map[string]map[string]bool{}, mergedInto: map[string]string{}}
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
func (e *Engine) Decide(principal, purpose, category, jurisdiction string) Decision {
	e.mu.RLock()
	defer e.mu.RUnlock()
	p := e.pol.purposes[purpose]
	if p == nil {
		return Decision{Reason: ReasonUndeclaredPurpose}
	}
	if category != "" && !e.pol.categories[category] {
		return Decision{Reason: ReasonUndeclaredCategory, Basis: p.basis}
	}
	st := e.principals[e.resolve(principal)]
	if st == nil {
		st = &emptyState
	}
	return decide(p, st, purpose, jurisdiction)
}

// DecideAsMinor answers for a person Custos holds nothing about but the
// minor mark on one of their identities (MinorByBlind): protected as a
// known minor would be.
func (e *Engine) DecideAsMinor(purpose, category, jurisdiction string) Decision {
	e.mu.RLock()
	defer e.mu.RUnlock()
	p := e.pol.purposes[purpose]
	if p == nil {
		return Decision{Reason: ReasonUndeclaredPurpose}
	}
	if category != "" && !e.pol.categories[category] {
		return Decision{Reason: ReasonUndeclaredCategory, Basis: p.basis}
	}
	return decide(p, &minorState, purpose, jurisdiction)
}

func decide(p *purposeInfo, st *state, purpose, jurisdiction string) Decision {
	switch {
	case st.erased:
		return Decision{Reason: ReasonErased, Basis: p.basis}
	case st.restricted && !p.storageOnly:
		return Decision{Reason: ReasonRestricted, Basis: p.basis}
	case st.minor && p.marketing:
		return Decision{Reason: ReasonMinor, Basis: p.basis}
	case p.saleShare && st.choices[ScopeSaleSharing] == withdrawn:
		return Decision{Reason: ReasonOptedOut, Basis: p.basis}
	case p.directMarketing && st.choices[ScopeDirectMarketing] == withdrawn:
		return Decision{Reason: ReasonOptedOut, Basis: p.basis}
	}
	switch p.basis {
	case policy.BasisContract:
		return Decision{Allowed: true, Reason: ReasonContract, Basis: p.basis}
	case policy.BasisLegitimateInterests:
		return Decision{Allowed: true, Reason: ReasonLegitimateInterests, Basis: p.basis}
	case policy.BasisLegalObligation:
		return Decision{Allowed: true, Reason: ReasonLegalObligation, Basis: p.basis}
	}
	regime := Regime(p.regimes, jurisdiction)
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
	st := e.stateOf(e.resolve(principal))
	if grant {
		st.choices[scope] = granted
	} else {
		st.choices[scope] = withdrawn
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
		dst.restricted = dst.restricted || src.restricted
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

// SetFlags sets what is known of a subject besides its choices.
func (e *Engine) SetFlags(subjectID string, erased, restricted, minor bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.stateOf(subjectID)
	st.erased, st.restricted, st.minor = erased, restricted, minor
}
