package consent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/consent/iab"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Collection methods of the ledger.
var methods = []string{"web_form", "banner", "email_link", "browser_signal", "operator", "api"}

// Choice is a consent change as callers report it.
type Choice struct {
	Subject      custos.SubjectRef `json:"subject"`
	DeviceID     string            `json:"device_id,omitempty"`
	Purpose      string            `json:"purpose,omitempty"`
	Granted      bool              `json:"granted"`
	Jurisdiction string            `json:"jurisdiction"`
	Method       string            `json:"method,omitempty"`
	GPC          bool              `json:"gpc,omitempty"`
	// Scopes holds further choices recorded with the same receipt (a
	// banner's several toggles).
	Scopes []ScopeChoice `json:"scopes,omitempty"`
	// TCF and GPP carry the strings an IAB consent platform produced; their
	// purposes are mapped to the policy's consent purposes.
	TCF string `json:"tcf,omitempty"`
	GPP string `json:"gpp,omitempty"`
}

// Recorded is the outcome of Record.
type Recorded struct {
	ReceiptID     string        `json:"receipt_id"`
	PolicyVersion int64         `json:"policy_version"`
	Principal     string        `json:"principal"`
	Choices       []ScopeChoice `json:"choices"`
	Receipt       Receipt       `json:"receipt"`
	JWS           string        `json:"jws"`
}

// Service records choices and answers decisions.
type Service struct {
	store    *store.Store
	records  *records.Service
	policies *policy.Registry
	engine   *Engine
	signer   *vault.Signer
	unsub    []byte // unsubscribe link key
	log      *audit.Log
	clock    custos.Clock
	baseURL  string
}

// Config gathers what a Service needs.
type Config struct {
	Store    *store.Store
	Records  *records.Service
	Policies *policy.Registry
	Master   *vault.Master
	Log      *audit.Log
	Clock    custos.Clock
	BaseURL  string
}

// New builds the service and loads the decision index from the store. It
// registers itself with the records service to hear of identity changes.
func New(ctx context.Context, c Config) (*Service, error) {
	signer, err := vault.InstanceSigner(ctx, c.Store, c.Master, "receipts", c.Clock.Now())
	if err != nil {
		return nil, err
	}
	unsub, err := vault.InstanceSecret(ctx, c.Store, c.Master, "unsubscribe", c.Clock.Now())
	if err != nil {
		return nil, err
	}
	p, v, err := c.Policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	s := &Service{store: c.Store, records: c.Records, policies: c.Policies, engine: NewEngine(p.Manifest, v.Version),
		signer: signer, unsub: unsub, log: c.Log, clock: c.Clock, baseURL: c.BaseURL}
	s.engine.SetClock(c.Clock)
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	c.Records.SetObserver(s.engine)
	return s, nil
}

// Engine is the in-memory decision engine, for in-process callers.
func (s *Service) Engine() *Engine { return s.engine }

// ReceiptKey is the public key receipts are signed with, and its id.
func (s *Service) ReceiptKey() (string, []byte) { return s.signer.ID, s.signer.Public() }

// load fills the engine from the store.
func (s *Service) load(ctx context.Context) error {
	e := s.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	for after := ""; ; {
		page, err := s.store.SubjectFlagsAfter(ctx, after, 5000)
		if err != nil {
			return err
		}
		for _, f := range page {
			if f.MergedInto != "" {
				e.mergedInto[f.ID] = f.MergedInto
			}
			if f.Erased || f.Restricted || f.Minor {
				st := e.stateOf(f.ID)
				st.erased, st.minor = f.Erased, f.Minor
				st.restrict(f.Restricted, f.RestrictedAt)
			}
		}
		if len(page) < 5000 {
			break
		}
		after = page[len(page)-1].ID
	}
	for after := []byte{}; ; {
		page, err := s.store.IdentityBlindsAfter(ctx, after, 5000)
		if err != nil {
			return err
		}
		for _, id := range page {
			e.blinds[string(id.Blind)] = id.SubjectID
		}
		if len(page) < 5000 {
			break
		}
		after = page[len(page)-1].Blind
	}
	for after := int64(0); ; {
		page, err := s.store.ConsentsAfter(ctx, after, 5000)
		if err != nil {
			return err
		}
		for _, c := range page {
			e.applyAt(c.Principal, c.Scope, c.Granted, c.At)
		}
		if len(page) < 5000 {
			break
		}
		after = page[len(page)-1].ID
	}
	sups, err := s.store.Suppressions(ctx)
	if err != nil {
		return err
	}
	for _, sp := range sups {
		e.suppress(sp.Blind, sp.Scope)
	}
	return nil
}

// Reload re-reads one principal from the store: how a server hears of a
// change another server made (PostgreSQL notifications).
func (s *Service) Reload(ctx context.Context, principal string) error {
	subjects := []string{principal}
	merged, err := s.store.MergedInto(ctx, principal)
	if err != nil {
		return err
	}
	subjects = append(subjects, merged...)
	history, err := s.store.ConsentHistory(ctx, subjects...)
	if err != nil {
		return err
	}
	var flags *store.SubjectFlags
	if !strings.HasPrefix(principal, "device:") {
		f, err := s.store.SubjectFlagsOf(ctx, principal)
		if err != nil && !errors.Is(err, custos.ErrNotFound) {
			return err
		}
		if err == nil {
			flags = &f
		}
	}
	ids, err := s.store.SubjectIdentities(ctx, principal)
	if err != nil {
		return err
	}
	sups, err := s.store.Suppressions(ctx)
	if err != nil {
		return err
	}
	e := s.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	st := &state{choices: map[string]int8{}}
	e.principals[principal] = st
	for _, m := range merged {
		e.mergedInto[m] = principal
		delete(e.principals, m)
	}
	if flags != nil {
		st.erased, st.minor = flags.Erased, flags.Minor
		st.restrict(flags.Restricted, flags.RestrictedAt)
		if flags.MergedInto != "" {
			e.mergedInto[principal] = flags.MergedInto
		}
	}
	for b, id := range e.blinds {
		if id == principal {
			delete(e.blinds, b)
		}
	}
	for _, id := range ids {
		e.blinds[string(id.Blind)] = principal
	}
	for _, c := range history {
		e.applyAt(principal, c.Scope, c.Granted, c.At)
	}
	// The minor marks are few and are what an erasure leaves: the
	// identities they stand for are gone, so they are re-read whole (an
	// erasure here, an of-age record there).
	for _, scopes := range e.suppressed {
		delete(scopes, ScopeMinor)
	}
	for _, sp := range sups {
		if sp.Scope == ScopeMinor || e.blinds[string(sp.Blind)] == principal {
			e.suppress(sp.Blind, sp.Scope)
		}
	}
	return nil
}

// RefreshPolicy makes decisions follow the policy version now in force.
func (s *Service) RefreshPolicy(ctx context.Context) error {
	p, v, err := s.policies.Active(ctx)
	if err != nil {
		return err
	}
	if v.Version != s.engine.PolicyVersion() {
		s.engine.SetPolicy(p.Manifest, v.Version)
	}
	return nil
}

var (
	jurisdictionRE = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)
	deviceRE       = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)
)

func invalid(field, format string, args ...any) error {
	e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, format, args...)
	e.Field = field
	return e
}

// Record appends a choice (and any further scopes of the same act) to the
// ledger with one signed receipt, and updates decisions at once. gpcHeader
// is true when the request carried Sec-GPC: 1.
func (s *Service) Record(ctx context.Context, actor string, c Choice, gpcHeader bool) (Recorded, error) {
	p, version, err := s.policies.Active(ctx)
	if err != nil {
		return Recorded{}, err
	}
	if c.Method == "" {
		c.Method = "api"
	}
	if !slices.Contains(methods, c.Method) {
		return Recorded{}, invalid("method", "method must be one of %s.", strings.Join(methods, ", "))
	}
	if !jurisdictionRE.MatchString(c.Jurisdiction) {
		return Recorded{}, invalid("jurisdiction", "jurisdiction must be an ISO 3166 code such as US-CA, US, GB or DE.")
	}
	gpc := c.GPC || gpcHeader
	var choices []ScopeChoice
	if c.Purpose != "" {
		choices = append(choices, ScopeChoice{Scope: c.Purpose, Granted: c.Granted})
	}
	choices = append(choices, c.Scopes...)
	iabChoices, err := iabScopes(p.Manifest, c.TCF, c.GPP)
	if err != nil {
		return Recorded{}, err
	}
	choices = append(choices, iabChoices...)
	if gpc {
		// A Global Privacy Control signal is a valid opt-out of sale and
		// sharing; it asks for nothing else.
		choices = append(choices, ScopeChoice{Scope: ScopeSaleSharing, Granted: false})
	}
	if len(choices) == 0 {
		return Recorded{}, invalid("purpose", "purpose is required (or gpc, scopes, or a TCF or GPP string that names a consent purpose of the policy).")
	}
	check := checkScope
	if c.Method == "banner" {
		check = checkStorageScope
	}
	for i, ch := range choices {
		if err := check(p.Manifest, ch.Scope); err != nil {
			if i == 0 && c.Purpose != "" {
				return Recorded{}, err
			}
			e := custos.AsError(err)
			e.Field = fmt.Sprintf("scopes[%d].scope", i)
			return Recorded{}, e
		}
	}

	var (
		principal string
		blinds    [][]byte
	)
	switch {
	case !c.Subject.Empty():
		if principal, blinds, err = s.records.EnsureSubject(ctx, actor, c.Subject); err != nil {
			return Recorded{}, err
		}
	case c.DeviceID != "":
		if !deviceRE.MatchString(c.DeviceID) {
			return Recorded{}, invalid("device_id", "device_id must be 8 to 128 letters, digits, '-' or '_'.")
		}
		principal = "device:" + c.DeviceID
	default:
		return Recorded{}, invalid("subject", "subject (an e-mail, phone or external id) or device_id is required.")
	}
	return s.append(ctx, actor, p.Manifest, version.Version, principal, blinds, c.Jurisdiction, c.Method, gpc, choices)
}

// iabScopes maps IAB strings to scopes of this policy: declared consent
// purposes, and the reserved sale_sharing; an opt-out of targeted
// advertising withdraws every advertising consent purpose. Purposes the
// policy does not rest on consent are left out. Where several sections
// disagree on a scope, a withdrawal wins.
func iabScopes(m *policy.Manifest, tcf, gpp string) ([]ScopeChoice, error) {
	var parsed []iab.Choice
	if tcf != "" {
		cs, err := iab.ParseTCF(tcf)
		if err != nil {
			e := custos.AsError(err)
			e.Field = "tcf"
			return nil, e
		}
		parsed = append(parsed, cs...)
	}
	if gpp != "" {
		cs, err := iab.ParseGPP(gpp)
		if err != nil {
			e := custos.AsError(err)
			e.Field = "gpp"
			return nil, e
		}
		parsed = append(parsed, cs...)
	}
	consentPurpose := map[string]bool{}
	var advertising []string
	for _, p := range m.Purposes {
		if p.LegalBasis == policy.BasisConsent {
			consentPurpose[p.Key] = true
			if hasPrefix(p.Key, "marketing.advertising") {
				advertising = append(advertising, p.Key)
			}
		}
	}
	granted := map[string]bool{}
	var order []string
	set := func(scope string, g bool) {
		prev, seen := granted[scope]
		if !seen {
			order = append(order, scope)
			granted[scope] = g
			return
		}
		granted[scope] = prev && g
	}
	for _, c := range parsed {
		switch {
		case c.Purpose == iab.ScopeSaleSharing:
			set(ScopeSaleSharing, c.Granted)
		case c.Purpose == iab.ScopeTargetedAdvertising:
			if !c.Granted {
				for _, a := range advertising {
					set(a, false)
				}
			}
		case consentPurpose[c.Purpose]:
			set(c.Purpose, c.Granted)
		}
	}
	out := make([]ScopeChoice, len(order))
	for i, scope := range order {
		out[i] = ScopeChoice{Scope: scope, Granted: granted[scope]}
	}
	return out, nil
}

// reserved are the scopes of the ledger that are not purposes.
var reserved = []string{ScopeSaleSharing, ScopeDirectMarketing, ScopeObjection, ScopeSensitive}

// restrictions are the reserved scopes whose refusal only ever restricts
// what is done with a person's data, so input no one has proven may
// record a refusal of them (Suppress).
var restrictions = []string{ScopeSaleSharing, ScopeDirectMarketing, ScopeObjection, ScopeSensitive}

// checkScope accepts a reserved scope or a declared consent purpose.
func checkScope(m *policy.Manifest, scope string) error {
	if slices.Contains(reserved, scope) {
		return nil
	}
	for _, p := range m.Purposes {
		if p.Key != scope {
			continue
		}
		if p.LegalBasis != policy.BasisConsent {
			e := custos.Errorf(custos.KindUnprocessable, "not_a_consent_purpose",
				"The purpose %q rests on %s, not on consent, so there is no consent to give or withdraw (an objection to direct marketing is the scope %q, an objection to processing on legitimate interests the scope %q).",
				scope, p.LegalBasis, ScopeDirectMarketing, ScopeObjection)
			e.Field = "purpose"
			return e
		}
		return nil
	}
	e := custos.Errorf(custos.KindUnprocessable, ReasonUndeclaredPurpose, "The policy in force does not declare the purpose %q.", scope)
	e.Field = "purpose"
	return e
}

// checkStorageScope is checkScope for the banner, which asks about
// storing and reading information on the device: where ePrivacy rules
// apply that needs consent for every purpose that is not strictly
// necessary, whatever the legal basis of the processing (Directive
// 2002/58/EC Art. 5(3)), so a choice on such a purpose is recorded like
// any other.
func checkStorageScope(m *policy.Manifest, scope string) error {
	for _, p := range m.Purposes {
		if p.Key != scope || p.LegalBasis == policy.BasisConsent {
			continue
		}
		if p.IsStrictlyNecessary() {
			e := custos.Errorf(custos.KindUnprocessable, "not_a_consent_purpose",
				"The purpose %q is strictly necessary: it runs without a choice, so there is nothing to record.", scope)
			e.Field = "purpose"
			return e
		}
		return nil
	}
	return checkScope(m, scope)
}

// append writes ledger entries, suppressions and the receipt in one
// transaction, then updates the engine.
func (s *Service) append(ctx context.Context, actor string, m *policy.Manifest, version int64, principal string, _ [][]byte,
	jurisdiction, method string, gpc bool, choices []ScopeChoice) (Recorded, error) {
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	id := newReceiptID()
	receipt := buildReceipt(m, version, s.baseURL, id, principal, jurisdiction, method, gpc, choices, s.signer.Public(), now)
	payload, err := json.Marshal(receipt)
	if err != nil {
		return Recorded{}, err
	}
	jws := SignJWS(payload, s.signer.ID, s.signer.Sign)
	// Opt-outs are also kept by e-mail blind index, so they outlive erasure.
	var emailBlinds [][]byte
	if !strings.HasPrefix(principal, "device:") {
		ids, err := s.store.SubjectIdentities(ctx, principal)
		if err != nil {
			return Recorded{}, err
		}
		for _, i := range ids {
			if i.Kind == custos.IdentityEmail {
				emailBlinds = append(emailBlinds, i.Blind)
			}
		}
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, ch := range choices {
			if _, err := tx.AppendConsent(ctx, store.ConsentEvent{Principal: principal, Scope: ch.Scope, Granted: ch.Granted,
				Jurisdiction: jurisdiction, Method: method, GPC: gpc, PolicyVersion: version, ReceiptID: id, At: now}); err != nil {
				return err
			}
			for _, b := range emailBlinds {
				var err error
				if ch.Granted {
					err = tx.Unsuppress(ctx, b, ch.Scope)
				} else {
					err = tx.Suppress(ctx, b, ch.Scope, now)
				}
				if err != nil {
					return err
				}
			}
		}
		if err := tx.InsertReceipt(ctx, id, principal, jws, now); err != nil {
			return err
		}
		if err := tx.Notify(ctx, "principal:"+principal); err != nil {
			return err
		}
		scopes := make([]string, len(choices))
		for i, ch := range choices {
			scopes[i] = fmt.Sprintf("%s=%v", ch.Scope, ch.Granted)
		}
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "consent.record", Object: "receipt:" + id,
			Detail: map[string]any{"principal": principal, "choices": scopes, "method": method, "gpc": gpc, "policy_version": version}})
		return err
	})
	if err != nil {
		return Recorded{}, err
	}
	s.engine.mu.Lock()
	for _, ch := range choices {
		s.engine.applyAt(principal, ch.Scope, ch.Granted, now)
		if ch.Granted {
			for _, b := range emailBlinds {
				if sc := s.engine.suppressed[string(b)]; sc != nil {
					delete(sc, ch.Scope)
				}
			}
		} else {
			for _, b := range emailBlinds {
				s.engine.suppress(b, ch.Scope)
			}
		}
	}
	s.engine.mu.Unlock()
	return Recorded{ReceiptID: id, PolicyVersion: version, Principal: principal, Choices: choices, Receipt: receipt, JWS: jws}, nil
}

// Suppress records opt-outs by the blind index of an address alone, for
// input no one has proven to be the person's (a request not yet verified,
// a GPC signal with it): it creates no subject, records nothing in anyone's
// ledger and reveals nothing, and applies to the person who has the
// address, now or when they come. Only restrictions may come this way: an
// opt-out of sale and sharing, an objection to direct marketing or to
// processing on legitimate interests, a limit on sensitive data. object
// names what caused it in the audit chain (request:ID).
func (s *Service) Suppress(ctx context.Context, actor, object string, blind []byte, scopes []string) error {
	for _, sc := range scopes {
		if !slices.Contains(restrictions, sc) {
			return fmt.Errorf("consent: %q is not a restriction that can be kept by address", sc)
		}
	}
	if len(scopes) == 0 || len(blind) == 0 {
		return nil
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	subject, known := s.engine.SubjectByBlind(blind)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, sc := range scopes {
			if err := tx.Suppress(ctx, blind, sc, now); err != nil {
				return err
			}
		}
		if known {
			// Other servers reload the person, suppressions included.
			if err := tx.Notify(ctx, "principal:"+subject); err != nil {
				return err
			}
		}
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "consent.suppress", Object: object,
			Detail: map[string]any{"scopes": scopes}})
		return err
	})
	if err != nil {
		return err
	}
	s.engine.mu.Lock()
	for _, sc := range scopes {
		s.engine.suppress(blind, sc)
	}
	s.engine.mu.Unlock()
	return nil
}

// ReceiptJWS returns a stored receipt.
func (s *Service) ReceiptJWS(ctx context.Context, id string) (string, error) {
	return s.store.Receipt(ctx, id)
}

// Current is a principal's latest choice on one scope.
type Current struct {
	Scope     string    `json:"scope"`
	Granted   bool      `json:"granted"`
	At        time.Time `json:"at"`
	Method    string    `json:"method"`
	ReceiptID string    `json:"receipt_id"`
}

// HistoryEntry is one ledger entry as shown to operators.
type HistoryEntry struct {
	Scope         string    `json:"scope"`
	Granted       bool      `json:"granted"`
	Jurisdiction  string    `json:"jurisdiction"`
	Method        string    `json:"method"`
	GPC           bool      `json:"gpc"`
	PolicyVersion int64     `json:"policy_version"`
	ReceiptID     string    `json:"receipt_id"`
	At            time.Time `json:"at"`
}

// State is a principal's current choices and full history.
type State struct {
	Principal string         `json:"principal"`
	Current   []Current      `json:"current"`
	History   []HistoryEntry `json:"history"`
}

// StateOf returns the choices of the person ref names. The read is audited.
func (s *Service) StateOf(ctx context.Context, actor string, ref custos.SubjectRef, deviceID string) (State, error) {
	var principal string
	switch {
	case !ref.Empty():
		id, err := s.records.FindSubject(ctx, ref)
		if err != nil {
			return State{}, err
		}
		principal = id
	case deviceID != "":
		principal = "device:" + deviceID
	default:
		return State{}, invalid("email", "email, phone, external_id or device_id is required.")
	}
	merged, err := s.store.MergedInto(ctx, principal)
	if err != nil {
		return State{}, err
	}
	hist, err := s.store.ConsentHistory(ctx, append([]string{principal}, merged...)...)
	if err != nil {
		return State{}, err
	}
	out := State{Principal: principal, Current: []Current{}, History: []HistoryEntry{}}
	latest := map[string]int{}
	for _, h := range hist {
		out.History = append(out.History, HistoryEntry{Scope: h.Scope, Granted: h.Granted, Jurisdiction: h.Jurisdiction, Method: h.Method,
			GPC: h.GPC, PolicyVersion: h.PolicyVersion, ReceiptID: h.ReceiptID, At: h.At})
		c := Current{Scope: h.Scope, Granted: h.Granted, At: h.At, Method: h.Method, ReceiptID: h.ReceiptID}
		if i, ok := latest[h.Scope]; ok {
			out.Current[i] = c
		} else {
			latest[h.Scope] = len(out.Current)
			out.Current = append(out.Current, c)
		}
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "consent.read", Object: "principal:" + principal})
		return err
	})
	return out, err
}

// DecideFor decides for a person named by identities (or a device). An
// unknown person has made no choices.
func (s *Service) DecideFor(ref custos.SubjectRef, deviceID, purpose, category, jurisdiction string) (Decision, error) {
	principal := ""
	switch {
	case !ref.Empty():
		blinds, err := s.records.Blinds(ref)
		if err != nil {
			return Decision{}, err
		}
		minor := false
		for _, b := range blinds {
			if id, ok := s.engine.SubjectByBlind(b); ok {
				principal = id
				break
			}
			minor = minor || s.engine.MinorByBlind(b)
		}
		if principal == "" && minor {
			if jurisdiction != "" && !jurisdictionRE.MatchString(jurisdiction) {
				return Decision{}, invalid("jurisdiction", "jurisdiction must be an ISO 3166 code such as US-CA, US, GB or DE.")
			}
			return s.engine.DecideAsMinor(purpose, category, jurisdiction), nil
		}
	case deviceID != "":
		principal = "device:" + deviceID
	default:
		return Decision{}, invalid("subject", "subject (an e-mail, phone or external id) or device_id is required.")
	}
	if jurisdiction != "" && !jurisdictionRE.MatchString(jurisdiction) {
		return Decision{}, invalid("jurisdiction", "jurisdiction must be an ISO 3166 code such as US-CA, US, GB or DE.")
	}
	return s.engine.Decide(principal, purpose, category, jurisdiction), nil
}

// SetRestricted restricts a subject's processing (Art. 18) or lifts it.
func (s *Service) SetRestricted(ctx context.Context, actor, subjectID string, restricted bool) error {
	return s.setFlag(ctx, actor, subjectID, "restricted", restricted)
}

// LiftMinor records that the person with these identities is of age: the
// minor mark kept for each identity after an erasure goes, and so does the
// mark on subjectID (when the person is still on record, "" otherwise),
// in one transaction with its audit entry. It reports how many marks it
// lifted; none is custos.ErrNotFound. Only an officer may do this.
func (s *Service) LiftMinor(ctx context.Context, actor string, blinds [][]byte, subjectID string) (int, error) {
	lifted := 0
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		lifted = 0
		marked, err := tx.MinorBlinds(ctx, blinds)
		if err != nil {
			return err
		}
		for _, b := range blinds {
			if !marked[string(b)] {
				continue
			}
			if err := tx.Unsuppress(ctx, b, ScopeMinor); err != nil {
				return err
			}
			lifted++
		}
		object := "identities"
		if subjectID != "" {
			f, err := tx.SubjectFlagsOf(ctx, subjectID)
			if err != nil && !errors.Is(err, custos.ErrNotFound) {
				return err
			}
			if err == nil && f.Minor {
				if err := tx.SetMinor(ctx, subjectID, nil); err != nil {
					return err
				}
				lifted++
			}
			object = "subject:" + subjectID
			if err := tx.Notify(ctx, "principal:"+subjectID); err != nil {
				return err
			}
		}
		if lifted == 0 {
			return custos.ErrNotFound
		}
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.of_age", Object: object,
			Detail: map[string]any{"marks_lifted": lifted}})
		return err
	})
	if err != nil {
		return 0, err
	}
	e := s.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, b := range blinds {
		delete(e.suppressed[string(b)], ScopeMinor)
	}
	if subjectID != "" {
		e.stateOf(e.resolve(subjectID)).minor = false
	}
	return lifted, nil
}

// SetMinor marks a subject a minor, or clears it.
func (s *Service) SetMinor(ctx context.Context, actor, subjectID string, minor bool) error {
	return s.setFlag(ctx, actor, subjectID, "minor", minor)
}

func (s *Service) setFlag(ctx context.Context, actor, subjectID, flag string, on bool) error {
	var at *time.Time
	now := s.clock.Now().UTC().Truncate(time.Microsecond) // as stored
	if on {
		at = &now
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if flag == "restricted" {
			err = tx.SetRestricted(ctx, subjectID, at)
		} else {
			err = tx.SetMinor(ctx, subjectID, at)
		}
		if err != nil {
			return err
		}
		if err := tx.Notify(ctx, "principal:"+subjectID); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject." + flag, Object: "subject:" + subjectID,
			Detail: map[string]any{"on": on}})
		return err
	})
	if err != nil {
		return err
	}
	e := s.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.stateOf(subjectID)
	if flag == "restricted" {
		st.restrict(on, now)
	} else {
		st.minor = on
	}
	return nil
}

// ErrBadToken is returned for unsubscribe tokens that are forged, altered
// or malformed.
var ErrBadToken = &custos.Error{Kind: custos.KindNotFound, Code: "invalid_token", Message: "This unsubscribe link is not valid."}
