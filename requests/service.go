package requests

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/notify"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/taxonomy"
	"github.com/custos-privacy/custos/vault"
)

// Verification rules.
const (
	CodeTTL      = 10 * time.Minute
	MaxAttempts  = 5
	ResultTTL    = 30 * 24 * time.Hour // the default of Service.ResultTTL
	queueLimit   = 500
	mailFromName = "Privacy"
)

// Service runs privacy requests.
type Service struct {
	store    *store.Store
	master   *vault.Master
	records  *records.Service
	consent  *consent.Service
	policies *policy.Registry
	outbox   *notify.Outbox
	log      *audit.Log
	clock    custos.Clock
	baseURL  string
	codeKey  []byte
	limits   *limits
	// AutoApprove lists the types fulfilled without review once verified.
	AutoApprove []string
	// ResultTTL is how long an answer stays downloadable before it is
	// deleted.
	ResultTTL time.Duration
	// InstructionWait is how long a controller's instruction carried out
	// by a job (ControllerInstruction) is waited for before the call
	// returns with it still running.
	InstructionWait time.Duration
	// runner reaches the company's connected systems, and queue runs that
	// work as durable jobs (Config.Runner, Config.Queue).
	runner Runner
	queue  Queue
	// recomputedFor is the policy version open requests were last
	// recomputed for (recompute.go).
	// tax words the data categories of connected rows (connected.go).
	tax           *taxonomy.Taxonomy
	recomputeMu   sync.Mutex
	recomputedFor int64
}

// Runner runs a request against the company's connected systems (package
// connected). The rows a run found are dropped through the store, in the
// transaction that records what was done with them.
type Runner interface {
	Any(ctx context.Context) (bool, error)
	Run(ctx context.Context, job connected.Job) (connected.Outcome, error)
}

// Queue runs requests as durable jobs (package jobs).
type Queue interface {
	Enqueue(ctx context.Context, requestID string) error
}

// Config gathers what a Service needs.
type Config struct {
	Store    *store.Store
	Master   *vault.Master
	Records  *records.Service
	Consent  *consent.Service
	Policies *policy.Registry
	Outbox   *notify.Outbox
	Log      *audit.Log
	Clock    custos.Clock
	BaseURL  string
	// Runner connects the service to the company's systems: requests that
	// need them run as jobs on Queue. Without both, requests are answered
	// from Custos' own records, in process.
	Runner Runner
	Queue  Queue
}

// New returns a Service.
func New(ctx context.Context, c Config) (*Service, error) {
	key, err := vault.InstanceSecret(ctx, c.Store, c.Master, "verification", c.Clock.Now())
	if err != nil {
		return nil, err
	}
	s := &Service{store: c.Store, master: c.Master, records: c.Records, consent: c.Consent, policies: c.Policies,
		outbox: c.Outbox, log: c.Log, clock: c.Clock, baseURL: strings.TrimRight(c.BaseURL, "/"), codeKey: key,
		limits: newLimits(c.Clock), AutoApprove: []string{TypeOptOut, TypeObjection}, ResultTTL: ResultTTL,
		InstructionWait: 10 * time.Second, runner: c.Runner, queue: c.Queue}
	if s.tax, err = taxonomy.Load(); err != nil {
		return nil, err
	}
	if err := s.sealPlaintext(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Intake is a request as a person (or an operator for them) makes it.
type Intake struct {
	Type         string            `json:"type"`
	Email        string            `json:"email"`
	Jurisdiction string            `json:"jurisdiction"`
	Corrections  map[string]string `json:"corrections,omitempty"`
	AppealOf     string            `json:"appeal_of,omitempty"`
	// Details is a complaint's text (complaint requests only), sealed
	// like the other free text.
	Details string `json:"details,omitempty"`
	// Operator intake only: how the request came (phone, mail, in_person,
	// email) and an authorised agent with proof of permission.
	Channel    string `json:"channel,omitempty"`
	AgentName  string `json:"agent_name,omitempty"`
	AgentProof string `json:"agent_proof,omitempty"`
	// DeviceID is the browser's consent device id (the banner's), where a
	// Global Privacy Control signal that comes with a request is recorded.
	DeviceID string `json:"device_id,omitempty"`
	// BeyondTwelveMonths asks an access or categories request to cover
	// data collected before the 12 months preceding it: Cal. Civ. Code
	// §1798.130(a)(2)(B) and 11 CCR §7024(h) grant it back to data
	// collected on or after 2022-01-01 (GDPR Art. 15 has no look-back
	// limit at all).
	BeyondTwelveMonths bool `json:"beyond_12_months,omitempty"`
	// Language is the language the person used (en, es, fr, de; empty
	// means English): every mail about the request is written in it.
	Language string `json:"language,omitempty"`
}

// CodeUnsupportedLanguage refuses a language mails are not written in.
const CodeUnsupportedLanguage = "unsupported_language"

// language returns the supported tag of an intake's language, English
// when none is given.
func language(l string) (string, error) {
	if l == "" {
		return mail.LanguageEnglish, nil
	}
	tag, ok := mail.SupportedLanguage(l)
	if !ok {
		e := custos.Errorf(custos.KindInvalid, CodeUnsupportedLanguage, "language must be one of %s.", strings.Join(mail.Languages(), ", "))
		e.Field = "language"
		return "", e
	}
	return tag, nil
}

// details is what a request written before its free text was sealed
// together (privateText) carries in details_sealed.
type details struct {
	Corrections        map[string]string `json:"corrections,omitempty"`
	BeyondTwelveMonths bool              `json:"beyond_12_months,omitempty"`
}

var (
	jurisdictionRE = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)
	deviceRE       = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)
)

// CodeInvalidEmail refuses an address no mail could reach: control
// characters or bytes that are not UTF-8.
const CodeInvalidEmail = "invalid_email"

// MaxDetails bounds a complaint's text before it is sealed and stored.
const MaxDetails = 10000

func invalid(field, format string, args ...any) error {
	e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, format, args...)
	e.Field = field
	return e
}

func (s *Service) check(in Intake) (string, error) {
	if !slices.Contains(Types(), in.Type) {
		return "", invalid("type", "type must be one of %s.", strings.Join(Types(), ", "))
	}
	// A JSON body's invalid UTF-8 arrives as U+FFFD, the replacement character.
	if !utf8.ValidString(in.Email) || strings.ContainsFunc(in.Email, unicode.IsControl) || strings.ContainsRune(in.Email, utf8.RuneError) {
		e := custos.Errorf(custos.KindUnprocessable, CodeInvalidEmail, "email holds control characters or is not UTF-8 text, so no mail could reach it.")
		e.Field = "email"
		return "", e
	}
	email, err := records.NormaliseEmail(in.Email)
	if err != nil {
		return "", invalid("email", "email is not an e-mail address.")
	}
	if !jurisdictionRE.MatchString(in.Jurisdiction) {
		return "", invalid("jurisdiction", "jurisdiction must be an ISO 3166 code such as US-CA, US, GB or DE.")
	}
	if in.Type == TypeCorrection && len(in.Corrections) == 0 {
		return "", invalid("corrections", "A correction request needs corrections: {category: corrected value}.")
	}
	if in.BeyondTwelveMonths && in.Type != TypeAccess && in.Type != TypeCategories {
		return "", invalid("beyond_12_months", "Only an access or a categories request covers a period.")
	}
	if in.Type != TypeCorrection && len(in.Corrections) > 0 {
		return "", invalid("corrections", "corrections belong to correction requests.")
	}
	if in.Type == TypeComplaint && strings.TrimSpace(in.Details) == "" {
		return "", invalid("details", "A complaint needs details: what about the processing of your data you complain of.")
	}
	if in.Type != TypeComplaint && in.Details != "" {
		return "", invalid("details", "details belong to complaint requests.")
	}
	if utf8.RuneCountInString(in.Details) > MaxDetails {
		return "", invalid("details", "details must be at most %d characters.", MaxDetails)
	}
	if (in.Type == TypeAppeal) != (in.AppealOf != "") {
		return "", invalid("appeal_of", "An appeal names the request it appeals (appeal_of), and only an appeal does.")
	}
	if in.DeviceID != "" && !deviceRE.MatchString(in.DeviceID) {
		return "", invalid("device_id", "device_id must be 8 to 128 letters, digits, '-' or '_'.")
	}
	if _, err := language(in.Language); err != nil {
		return "", err
	}
	return email, nil
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "req_" + hex.EncodeToString(b)
}

func (s *Service) sealContext(id, what string) string { return "custos/request/" + id + "/" + what }

// Submit takes a request from a person. Whether or not the address is
// known, the answer is the same: the id, awaiting verification, and a code
// in the mailbox. clientIP keys the rate limit.
//
// Until the code is entered nothing says the address is the requester's,
// so intake creates no subject and reads or grants nothing. The one thing
// it may do is restrict: an opt-out of sale and sharing (an opt_out
// request, or gpc: a Global Privacy Control signal) or an objection to
// direct marketing is kept by the address's blind index, and applies to
// the person who has it, if and when they do. A GPC signal with a request
// of another type is the browser's: it is recorded for in.DeviceID only,
// and without one not at all.
func (s *Service) Submit(ctx context.Context, in Intake, clientIP string, gpc bool) (string, error) {
	email, err := s.check(in)
	if err != nil {
		return "", err
	}
	blind := s.records.Blind(custos.IdentityEmail, email)
	if err := allow(s.limits.perClient, "ip:"+clientIP); err != nil {
		return "", err
	}
	id := newID()
	if err := s.limits.attempt(addressKey("email", blind, clientIP), id); err != nil {
		return "", err
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return "", err
	}
	code := newCode()
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	r, err := s.newRequest(ctx, id, in, email, blind, "web", now)
	if err != nil {
		return "", err
	}
	expires := now.Add(CodeTTL)
	r.CodeHash, r.CodeExpiresAt = s.hashCode(id, code), &expires
	msg, err := s.compose(p.Manifest, r.Language, email, "verification_code", mail.VerificationCode{
		Organisation: org(p.Manifest), Code: code, Purpose: describeIn(r.Language, in.Type), ValidMinutes: int(CodeTTL.Minutes())})
	if err != nil {
		return "", err
	}
	// The request's id is the person's own reference (the API answered it
	// to them); naming it tells this code from an earlier request's.
	msg.Headers = map[string]string{mail.RequestHeader: id}
	if err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		if err := s.history(ctx, tx, id, "subject", "received", r.Status, "channel web"); err != nil {
			return err
		}
		_, err := s.outbox.Enqueue(ctx, tx, msg)
		return err
	}); err != nil {
		return "", err
	}
	s.outbox.Wake()
	var restrict []string
	switch {
	case in.Type == TypeOptOut:
		restrict = []string{consent.ScopeSaleSharing}
	case in.Type == TypeObjection:
		restrict = []string{consent.ScopeDirectMarketing}
		if gpc {
			restrict = append(restrict, consent.ScopeSaleSharing)
		}
	case gpc && in.DeviceID != "":
		if _, err := s.consent.Record(ctx, "subject:request:"+id, consent.Choice{DeviceID: in.DeviceID,
			Jurisdiction: in.Jurisdiction, Method: "browser_signal"}, true); err != nil {
			return "", err
		}
	}
	if err := s.consent.Suppress(ctx, "subject:request:"+id, "request:"+id, blind, restrict); err != nil {
		return "", err
	}
	return id, nil
}

func (s *Service) newRequest(ctx context.Context, id string, in Intake, email string, blind []byte, channel string, now time.Time) (store.Request, error) {
	sealedEmail, err := s.master.Seal([]byte(email), s.sealContext(id, "email"))
	if err != nil {
		return store.Request{}, err
	}
	os, err := s.overrides(ctx)
	if err != nil {
		return store.Request{}, err
	}
	rules := os.ForAt(in.Jurisdiction, in.Type, now)
	d := os.Compute(in.Jurisdiction, in.Type, now)
	r := store.Request{ID: id, Type: in.Type, Status: StatusAwaitingVerification, Jurisdiction: in.Jurisdiction,
		EmailBlind: blind, EmailSealed: sealedEmail, Channel: channel,
		AppealOf: in.AppealOf, ReceivedAt: now, AcknowledgeBy: d.AcknowledgeBy, DueAt: d.DueAt, LawDigest: rules.Digest()}
	if r.Language, err = language(in.Language); err != nil {
		return store.Request{}, err
	}
	// No subject is linked yet: the master key seals the free text until
	// one is (sealPrivate, at the next step).
	p := privateText{AgentName: in.AgentName, AgentProof: in.AgentProof, Corrections: in.Corrections, BeyondTwelveMonths: in.BeyondTwelveMonths, Details: in.Details}
	if !p.empty() {
		b, err := json.Marshal(p)
		if err != nil {
			return store.Request{}, err
		}
		if r.PrivateSealed, err = s.master.Seal(b, s.sealContext(id, "private")); err != nil {
			return store.Request{}, err
		}
	}
	return r, nil
}

// newCode is a uniformly random six-digit code.
func newCode() string {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		n := binary.BigEndian.Uint64(b[:])
		if n < (1<<64-1)/1_000_000*1_000_000 { // reject the biased tail
			return fmt.Sprintf("%06d", n%1_000_000)
		}
	}
}

// hashCode keys the code to the request, so a stolen table of hashes is
// useless without the instance secret, and one request's code opens no other.
func (s *Service) hashCode(id, code string) []byte {
	h := hmac.New(sha256.New, s.codeKey)
	h.Write([]byte(id + "\x00" + code))
	return h.Sum(nil)
}

func hashToken(t string) []byte {
	sum := sha256.Sum256([]byte(t))
	return sum[:]
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Verified is the answer to a correct code.
type Verified struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	AccessToken string `json:"access_token,omitempty"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// Type is the request's type after a stronger identity check, which
	// turns a failed request for specific pieces into one for categories.
	Type string `json:"type,omitempty"`
	// IdentityCheck, after a right code, is the stronger check still to
	// pass (identity.go); the request stays awaiting verification.
	IdentityCheck *IdentityAsk `json:"identity_check,omitempty"`
	// IdentityFailed: the stronger check failed and the request was
	// answered the law's way.
	IdentityFailed bool `json:"identity_failed,omitempty"`
}

// Errors of verification.
var (
	ErrInvalidCode = &custos.Error{Kind: custos.KindInvalid, Code: "invalid_code", Message: "That code is not right. Check the latest e-mail and try again."}
	ErrCodeExpired = &custos.Error{Kind: custos.KindInvalid, Code: "code_expired", Message: "That code has expired. Ask for a new one."}
	ErrLocked      = &custos.Error{Kind: custos.KindTooMany, Code: "locked", Message: "Too many wrong codes: this request is locked. Please make a new request."}
)

// Verify checks the mailed code. Five wrong codes lock the request.
func (s *Service) Verify(ctx context.Context, id, code string) (Verified, error) {
	var out Verified
	var verified store.Request
	var notFound bool
	var fail error
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestForUpdate(ctx, id)
		if errors.Is(err, custos.ErrNotFound) {
			notFound = true
			return nil
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		switch {
		case r.Status == StatusDenied && r.DecisionCode == DenyUnverifiable && r.VerifiedAt == nil:
			fail = ErrCodeExpired // closed unverified when the law's period ran out
			return nil
		case r.Status != StatusAwaitingVerification || identityPending(r):
			fail = custos.Errorf(custos.KindConflict, "already_verified", "This request is verified already; use its access link.")
			return nil
		case r.CodeAttempts >= MaxAttempts:
			fail = ErrLocked
			return nil
		case r.CodeExpiresAt == nil || now.After(*r.CodeExpiresAt):
			fail = ErrCodeExpired
			return nil
		case !hmac.Equal(s.hashCode(id, strings.TrimSpace(code)), r.CodeHash):
			r.CodeAttempts++
			fail = ErrInvalidCode
			if r.CodeAttempts >= MaxAttempts {
				fail = ErrLocked
				if err := s.history(ctx, tx, id, "subject", "locked", r.Status, "too many wrong codes"); err != nil {
					return err
				}
			}
			return tx.UpdateRequest(ctx, r)
		}
		token := newToken()
		s.limits.proven(id)
		r.CodeHash, r.CodeExpiresAt, r.TokenHash = nil, nil, hashToken(token)
		sv, err := s.strongerCheck(ctx, r)
		if err != nil {
			return err
		}
		if sv != nil {
			// The mailbox is proven; the person is not yet, to the degree
			// this request needs. From here CodeAttempts counts failed
			// identity checks.
			r.CodeAttempts = 0
			out = Verified{ID: id, Status: r.Status, AccessToken: token, IdentityCheck: ask(sv, 0)}
			if err := tx.UpdateRequest(ctx, r); err != nil {
				return err
			}
			return s.history(ctx, tx, id, "subject", "code_verified", r.Status,
				fmt.Sprintf("identity check next: %d data points and a declaration (11 CCR §7062(c))", sv.DataPoints))
		}
		at := now.UTC().Truncate(time.Microsecond)
		r.VerifiedAt = &at
		if err := s.afterVerification(ctx, tx, &r); err != nil {
			return err
		}
		out = Verified{ID: id, Status: r.Status, AccessToken: token, DuplicateOf: r.DuplicateOf}
		verified = r
		return nil
	})
	if err != nil {
		return Verified{}, err
	}
	if notFound {
		return Verified{}, custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "There is no such request.")
	}
	if fail != nil {
		return Verified{}, fail
	}
	s.outbox.Wake()
	if out.Status == StatusInProgress {
		done, err := s.proceed(ctx, "system", verified)
		if err != nil {
			return out, err
		}
		out.Status = done.Status
	}
	return out, nil
}

// afterVerification links the subject, applies limits and duplicates, and
// moves the request on: to review, or straight to work for auto-approved
// types.
func (s *Service) afterVerification(ctx context.Context, tx *store.Tx, r *store.Request) error {
	return s.afterVerificationSaying(ctx, tx, r, "")
}

// afterVerificationSaying is afterVerification with the acknowledgement's
// words for the request ("": the usual words, in the request's language).
func (s *Service) afterVerificationSaying(ctx context.Context, tx *store.Tx, r *store.Request, request string) error {
	email, err := s.email(*r)
	if err != nil {
		return err
	}
	if sid, err := s.records.FindSubject(ctx, custos.SubjectRef{Email: email}); err == nil {
		r.SubjectID = sid
	} else if !errors.Is(err, custos.ErrNotFound) {
		return err
	}
	rules, err := s.rules(ctx, *r)
	if err != nil {
		return err
	}
	prior, err := tx.RequestsByEmail(ctx, r.EmailBlind, r.ReceivedAt.AddDate(-2, 0, 0))
	if err != nil {
		return err
	}
	// An open request of the same type from the same person is linked, not
	// repeated.
	if dup := duplicateOf(*r, prior); dup != "" {
		r.DuplicateOf = dup
		return s.move(ctx, tx, r, StatusCanceled, "subject", "duplicate", "duplicate of "+dup)
	}
	if ok, why := jurisdiction.CheckLimit(rules, r.Type, counted(rules, *r, prior), r.ReceivedAt); !ok {
		r.DecisionCode, r.DecisionText, r.DecidedBy = DenyRequestLimit, why, "system"
		if err := s.move(ctx, tx, r, StatusDenied, "system", "denied", DenyRequestLimit); err != nil {
			return err
		}
		return s.mailOutcome(ctx, tx, *r, email)
	}
	if r.Type == TypeAppeal && !appealable(ctx, tx, *r) {
		r.DecisionCode, r.DecisionText, r.DecidedBy = DenyNotApplicable, "An appeal must name a denied request (not an appeal) made from the same address.", "system"
		return s.move(ctx, tx, r, StatusDenied, "system", "denied", DenyNotApplicable)
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return err
	}
	if r.AcknowledgeBy != nil {
		l := r.Language
		if request == "" {
			request = yourRequest(l, r.Type)
		}
		if err := s.enqueue(ctx, tx, p.Manifest, l, email, mail.TemplateRequestReceived, mail.RequestReceived{Organisation: org(p.Manifest),
			RequestID: r.ID, Request: request, Received: r.ReceivedAt, Due: r.DueAt, StatusURL: s.statusURL(r.ID),
			Law: lawLine(l, rules), Appeal: appealLine(l, rules)}); err != nil {
			return err
		}
	}
	next := StatusPendingReview
	if slices.Contains(s.AutoApprove, r.Type) {
		next = StatusInProgress
	}
	return s.move(ctx, tx, r, next, "subject", "verified", "")
}

// duplicateOf returns the id of an open, verified request of r's type (and
// appealing the same request) among prior, or "".
func duplicateOf(r store.Request, prior []store.Request) string {
	for _, p := range prior {
		if p.ID != r.ID && p.Type == r.Type && p.AppealOf == r.AppealOf && p.VerifiedAt != nil && open(p.Status) {
			return p.ID
		}
	}
	return ""
}

// counted returns the receipt times of the earlier requests that count
// against r's limit under rules: those fulfilled. The limit is on how often
// the business must provide the information (Cal. Civ. Code §1798.130(b):
// not "more than twice in a 12-month period"), so a request denied — under
// the limit itself, as unverifiable, or on any other ground —, never
// verified, withdrawn or still open provided nothing and does not extend
// the lockout. (Two requests open at once may both be fulfilled: more than
// the law requires, never less.)
func counted(rules jurisdiction.Rules, r store.Request, prior []store.Request) []time.Time {
	var times []time.Time
	types := rules.LimitTypes(r.Type)
	for _, p := range prior {
		if p.ID != r.ID && p.Status == StatusCompleted && p.ReceivedAt.Before(r.ReceivedAt) && slices.Contains(types, p.Type) {
			times = append(times, p.ReceivedAt)
		}
	}
	return times
}

// appealable reports whether the appeal r names a denied request, not an
// appeal, made from the same address. An original that cannot be read is
// not appealable: the appeal is denied, as it always was.
func appealable(ctx context.Context, tx *store.Tx, r store.Request) bool {
	orig, err := tx.Request(ctx, r.AppealOf)
	return err == nil && orig.EmailBlind != nil && hmac.Equal(orig.EmailBlind, r.EmailBlind) && orig.Status == StatusDenied &&
		orig.Type != TypeAppeal
}

// move changes status, records it, writes the request.
func (s *Service) move(ctx context.Context, tx *store.Tx, r *store.Request, to, actor, action, note string) error {
	if !canMove(r.Status, to) {
		return custos.Errorf(custos.KindConflict, "invalid_transition", "A request that is %s cannot become %s.", r.Status, to)
	}
	r.Status = to
	if to == StatusCompleted || to == StatusDenied || to == StatusCanceled {
		now := s.clock.Now().UTC().Truncate(time.Microsecond)
		r.CompletedAt = &now
	}
	// A reason set by the caller, or a subject linked since, is sealed
	// (under the subject's key once there is one).
	if err := s.sealPrivate(ctx, r); err != nil {
		return err
	}
	if err := tx.UpdateRequest(ctx, *r); err != nil {
		return err
	}
	return s.history(ctx, tx, r.ID, actor, action, to, note)
}

// history records a step of a request both in its own history and in the
// audit chain.
func (s *Service) history(ctx context.Context, tx *store.Tx, id, actor, action, status, note string) error {
	if err := tx.AddRequestEvent(ctx, store.RequestEvent{RequestID: id, At: s.clock.Now(), Actor: actor, Action: action, Status: status, Note: note}); err != nil {
		return err
	}
	_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "request." + action, Object: "request:" + id,
		Detail: map[string]any{"status": status, "note": note}})
	return err
}

func (s *Service) email(r store.Request) (string, error) {
	b, err := s.master.Open(r.EmailSealed, s.sealContext(r.ID, "email"))
	return string(b), err
}

func (s *Service) statusURL(id string) string { return s.baseURL + "/privacy-center?request=" + id }

func org(m *policy.Manifest) mail.Org {
	o := mail.Org{Name: m.Organisation.Name, Email: m.Contact.Email, Phone: m.Contact.Phone, PostalAddress: m.Contact.PostalAddress}
	if b := m.Branding; b != nil {
		o.DisplayName, o.Accent = b.Name, b.Accent
		if o.DisplayName == "" {
			o.DisplayName = m.Organisation.ShortName
		}
		if strings.HasPrefix(b.Logo, "https://") {
			o.LogoURL = b.Logo
		}
	}
	return o
}

// describe is the plain words for a request type, in English (for the
// mails to companies and the operators' notes).
func describe(t string) string { return describeIn(mail.LanguageEnglish, t) }

// describeIn is the plain words for a request type in a language: "a copy
// of your personal information".
func describeIn(lang, t string) string {
	if !slices.Contains(Types(), t) {
		return t
	}
	return i18n.T(lang, "mail.type."+t)
}

// yourRequest names a request in the person's mails: "your request for a
// copy of your personal information".
func yourRequest(lang, t string) string {
	return i18n.T(lang, "mail.request.for", "what", describeIn(lang, t))
}

// compose writes a mail in a language (a supported tag; "" is English).
func (s *Service) compose(m *policy.Manifest, lang, to, template string, data any) (mail.Message, error) {
	if lang == "" {
		lang = mail.LanguageEnglish
	}
	subject, text, html, err := mail.ComposeIn(lang, template, data)
	if err != nil {
		return mail.Message{}, err
	}
	from := (&netmail.Address{Name: m.Organisation.ShortName + " " + mailFromName, Address: m.Contact.Email}).String()
	return mail.Message{To: to, From: from, Subject: subject, Text: text, HTML: html}, nil
}

func (s *Service) enqueue(ctx context.Context, tx *store.Tx, m *policy.Manifest, lang, to, template string, data any) error {
	msg, err := s.compose(m, lang, to, template, data)
	if err != nil {
		return err
	}
	_, err = s.outbox.Enqueue(ctx, tx, msg)
	return err
}
