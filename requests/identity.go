package requests

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
)

// The stronger identity check (11 CCR §7062(c)). A request to know
// specific pieces of personal information from a person without a
// password-protected account needs "a reasonably high degree of
// certainty", which "may include matching at least three pieces of
// personal information provided by the consumer with personal information
// maintained by the business … together with a signed declaration under
// penalty of perjury"; §7062(d) lets the business ask as much of a
// request to delete. Where the policy asks for it
// (rights.stronger_verification), the check comes after the mailed code:
// the code proves the mailbox and hands out the access token; the request
// stays awaiting verification until the person gives the data points and
// signs. The values they give are compared in the service (records
// MatchDataPoints) and never stored or logged (§7060(d): information
// asked for verification is used for nothing else and not kept).
//
// Failing it, the law's way: a request for specific pieces is not
// answered with them, the person is told their identity could not be
// verified, and the request is evaluated as one for categories (11 CCR
// §7024(a)) where the law the person is under knows that request; a
// request to delete need not be honoured (Cal. Civ. Code §1798.140(ak): no
// duty to delete what cannot be verified) and is denied as unverifiable,
// with the reason.

// Declaration is what the person signs, by typing their full name.
const Declaration = "I declare under penalty of perjury under the laws of the State of California that I am the person whose personal information is the subject of this request."

// MaxIdentityValue bounds each value a person gives for the check.
const MaxIdentityValue = 200

// IdentityAsk tells the person what the check asks of them.
type IdentityAsk struct {
	// Categories are the data categories they may give a value of.
	Categories []string `json:"categories"`
	// DataPoints is how many must match.
	DataPoints int `json:"data_points"`
	// Declaration is the text they sign.
	Declaration string `json:"declaration"`
	// AttemptsLeft is how many tries remain before the request is
	// answered as if it failed.
	AttemptsLeft int `json:"attempts_left"`
}

// IdentityProof is what the person gives.
type IdentityProof struct {
	DataPoints  map[string]string `json:"data_points"`
	Declaration bool              `json:"declaration"`
	SignedName  string            `json:"signed_name"`
}

// signedDeclaration is what is kept of a signed declaration, sealed with
// the request's other free text: who signed what, and when.
type signedDeclaration struct {
	Name string    `json:"name"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// ErrIdentityNotVerified answers data points that do not match.
var ErrIdentityNotVerified = &custos.Error{Kind: custos.KindInvalid, Code: "identity_not_verified",
	Message: "Those details do not match what we hold closely enough to confirm who you are. Check them and try again."}

// strongerCheck returns the check a request needs after its code, or nil:
// only requests made by the person themselves through the privacy centre
// (an operator's intake verifies the person its own way).
func (s *Service) strongerCheck(ctx context.Context, r store.Request) (*policy.StrongerVerification, error) {
	if r.Channel != "web" {
		return nil, nil
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	sv := p.Manifest.Rights.StrongerVerification
	if !sv.Applies(r.Type, r.Jurisdiction) {
		return nil, nil
	}
	return sv, nil
}

// identityPending reports whether r's code is proven and its stronger
// check is still to pass.
func identityPending(r store.Request) bool {
	return r.Status == StatusAwaitingVerification && r.TokenHash != nil && r.VerifiedAt == nil
}

func ask(sv *policy.StrongerVerification, attempts int) *IdentityAsk {
	return &IdentityAsk{Categories: slices.Clone(sv.Categories), DataPoints: sv.DataPoints, Declaration: Declaration,
		AttemptsLeft: max(0, MaxAttempts-attempts)}
}

// IdentityCheck returns what the stronger check asks of the holder of the
// access token, or nil when their request needs nothing more.
func (s *Service) IdentityCheck(ctx context.Context, id, token string) (*IdentityAsk, error) {
	r, err := s.authorised(ctx, id, token)
	if err != nil || !identityPending(r) {
		return nil, err
	}
	sv, err := s.strongerCheck(ctx, r)
	if err != nil || sv == nil {
		return nil, err
	}
	return ask(sv, r.CodeAttempts), nil
}

func (s *Service) checkProof(sv *policy.StrongerVerification, in IdentityProof) (map[string]string, error) {
	if !in.Declaration {
		return nil, invalid("declaration", "Sign the declaration: tick it and type your full name.")
	}
	name := strings.TrimSpace(in.SignedName)
	if name == "" || utf8.RuneCountInString(name) > MaxIdentityValue || !utf8.ValidString(name) {
		return nil, invalid("signed_name", "Type your full name (at most %d characters) to sign the declaration.", MaxIdentityValue)
	}
	if len(in.DataPoints) > len(sv.Categories) {
		return nil, invalid("data_points", "Give at most one value for each of %s.", strings.Join(sv.Categories, ", "))
	}
	given := map[string]string{}
	for c, v := range in.DataPoints {
		if !slices.Contains(sv.Categories, c) {
			return nil, invalid("data_points", "%q is not one of the details asked for (%s).", c, strings.Join(sv.Categories, ", "))
		}
		if utf8.RuneCountInString(v) > MaxIdentityValue || !utf8.ValidString(v) {
			return nil, invalid("data_points", "Each detail must be at most %d characters of text.", MaxIdentityValue)
		}
		if v = strings.TrimSpace(v); v != "" {
			given[c] = v
		}
	}
	if len(given) < sv.DataPoints {
		return nil, invalid("data_points", "Give at least %d of the details asked for.", sv.DataPoints)
	}
	return given, nil
}

// ConfirmIdentity runs the stronger check for the holder of the access
// token. Data points that match (at least the policy's number, with the
// declaration signed) verify the request, which then goes on as after a
// code; ones that do not are counted, and the fifth failure closes the
// check the law's way (identityFailed). Attempts are also limited per
// client address. The answer to a match or a last failure is the request's
// new state; to another failure, ErrIdentityNotVerified.
func (s *Service) ConfirmIdentity(ctx context.Context, id, token, clientIP string, in IdentityProof) (Verified, error) {
	r, err := s.authorised(ctx, id, token)
	if err != nil {
		return Verified{}, err
	}
	if !identityPending(r) {
		return Verified{}, custos.Errorf(custos.KindConflict, "already_verified", "This request needs no further check.")
	}
	sv, err := s.strongerCheck(ctx, r)
	if err != nil {
		return Verified{}, err
	}
	if sv == nil {
		return Verified{}, custos.Errorf(custos.KindConflict, "already_verified", "This request needs no further check.")
	}
	given, err := s.checkProof(sv, in)
	if err != nil {
		return Verified{}, err
	}
	if err := allow(s.limits.perIdentity, "ip:"+clientIP); err != nil {
		return Verified{}, err
	}
	email, err := s.email(r)
	if err != nil {
		return Verified{}, err
	}
	var matched []string
	sid, err := s.records.FindSubject(ctx, custos.SubjectRef{Email: email})
	switch {
	case err == nil:
		matched, err = s.records.MatchDataPoints(ctx, "subject:request:"+id, "identity check of request "+id+" (11 CCR §7062(c))",
			sid, records.PhoneRegion(r.Jurisdiction), given)
		if err != nil {
			return Verified{}, err
		}
	case !errors.Is(err, custos.ErrNotFound):
		return Verified{}, err
	}
	// An address Custos holds nothing for matches nothing: the answer is
	// the same as for wrong details.
	var out Verified
	var fail error
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if !identityPending(r) || subtle.ConstantTimeCompare(hashToken(token), r.TokenHash) != 1 {
			fail = custos.Errorf(custos.KindConflict, "already_verified", "This request needs no further check.")
			return nil
		}
		if len(matched) >= sv.DataPoints {
			at := s.clock.Now().UTC().Truncate(time.Microsecond)
			if err := s.keepDeclaration(ctx, &r, in.SignedName, at); err != nil {
				return err
			}
			r.VerifiedAt, r.CodeAttempts = &at, 0
			if err := s.history(ctx, tx, id, "subject", "identity_verified", r.Status,
				fmt.Sprintf("%d of %d data points matched (%s), declaration signed (11 CCR §7062(c))", len(matched), sv.DataPoints, strings.Join(matched, ", "))); err != nil {
				return err
			}
			if err := s.afterVerification(ctx, tx, &r); err != nil {
				return err
			}
			out = Verified{ID: id, Status: r.Status, Type: r.Type, DuplicateOf: r.DuplicateOf}
			return nil
		}
		r.CodeAttempts++
		if err := s.history(ctx, tx, id, "subject", "identity_check_failed", r.Status,
			fmt.Sprintf("attempt %d of %d: %d of %d data points matched", r.CodeAttempts, MaxAttempts, len(matched), sv.DataPoints)); err != nil {
			return err
		}
		if r.CodeAttempts < MaxAttempts {
			fail = ErrIdentityNotVerified
			return tx.UpdateRequest(ctx, r)
		}
		if err := s.identityFailed(ctx, tx, &r, email, "too many details that did not match"); err != nil {
			return err
		}
		out = Verified{ID: id, Status: r.Status, Type: r.Type, IdentityFailed: true}
		return nil
	})
	if err != nil {
		return Verified{}, err
	}
	if fail != nil {
		return Verified{}, fail
	}
	s.outbox.Wake()
	if out.Status == StatusInProgress {
		done, err := s.proceedID(ctx, id)
		if err != nil {
			return out, err
		}
		out.Status = done.Status
	}
	return out, nil
}

// proceedID runs an approved request's work after its transaction.
func (s *Service) proceedID(ctx context.Context, id string) (store.Request, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return store.Request{}, err
	}
	return s.proceed(ctx, "system", r)
}

// keepDeclaration seals the signed declaration with the request's free
// text: it is part of the request's record (11 CCR §7101).
func (s *Service) keepDeclaration(ctx context.Context, r *store.Request, name string, at time.Time) error {
	p, _, err := s.openPrivate(ctx, *r)
	if err != nil {
		return err
	}
	p.Declaration = &signedDeclaration{Name: strings.TrimSpace(name), Text: Declaration, At: at}
	return s.setPrivate(r, p)
}

// Texts of a failed stronger check.
const (
	identityCategoriesText = "We could not verify your identity to the degree the law requires before we disclose specific pieces of personal information, so we will not disclose them. We will answer your request as a request for the categories of personal information we hold about you."
	identityDeniedText     = "We could not verify your identity to the degree this request needs: the details you gave did not match what we hold, so we have not acted on it. If you made it, you can make it again from the privacy center."
)

// identityFailed closes a stronger check that did not pass (why says how,
// for the history): a request for specific pieces goes on as one for
// categories where the person's jurisdiction offers that request (11 CCR
// §7024(a)); anything else is denied as unverifiable, with the reason
// mailed.
func (s *Service) identityFailed(ctx context.Context, tx *store.Tx, r *store.Request, email, why string) error {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return err
	}
	if r.Type == TypeAccess && offers(p.Manifest, r.Jurisdiction, TypeCategories) {
		if err := s.history(ctx, tx, r.ID, "system", "identity_not_verified", r.Status,
			why+": no specific pieces will be disclosed; evaluated as a request for categories (11 CCR §7024(a))"); err != nil {
			return err
		}
		at := s.clock.Now().UTC().Truncate(time.Microsecond)
		r.Type, r.VerifiedAt, r.CodeAttempts = TypeCategories, &at, 0
		return s.afterVerificationSaying(ctx, tx, r, identityCategoriesText+" This is about your request for "+describe(TypeAccess)+".")
	}
	r.DecisionCode, r.DecisionText, r.DecidedBy = DenyUnverifiable, identityDeniedText, "system"
	if err := s.move(ctx, tx, r, StatusDenied, "system", "denied", DenyUnverifiable+": "+why+" (11 CCR §7062)"); err != nil {
		return err
	}
	return s.mailOutcome(ctx, tx, *r, email)
}

// offers reports whether the policy offers request type kind to people in
// jurisdiction j (a US-CA request is offered what US-CA or US lists).
func offers(m *policy.Manifest, j, kind string) bool {
	for _, jr := range m.Rights.Jurisdictions {
		for _, w := range jr.Jurisdictions {
			if (w == j || strings.HasPrefix(j, w+"-")) && slices.Contains(jr.Requests, kind) {
				return true
			}
		}
	}
	return false
}
