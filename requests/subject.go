package requests

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// SubjectView is what the person sees of their request.
type SubjectView struct {
	ID            string     `json:"id"`
	Type          string     `json:"type"`
	Status        string     `json:"status"`
	StatusText    string     `json:"status_text"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         time.Time  `json:"due_at"`
	ExtendedUntil *time.Time `json:"extended_until,omitempty"`
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	ResultReady   bool       `json:"result_ready"`
	// IdentityCheck is the stronger check still to pass after the code
	// (identity.go), while there is one.
	IdentityCheck *IdentityAsk `json:"identity_check,omitempty"`
}

// ErrBadAccess is the one answer for a wrong id or token: it does not tell
// which was wrong.
var ErrBadAccess = &custos.Error{Kind: custos.KindNotFound, Code: custos.CodeNotFound, Message: "There is no such request, or the link is not valid."}

func (s *Service) authorised(ctx context.Context, id, token string) (store.Request, error) {
	r, err := s.store.Request(ctx, id)
	if errors.Is(err, custos.ErrNotFound) || (err == nil && (r.TokenHash == nil || token == "" ||
		subtle.ConstantTimeCompare(hashToken(token), r.TokenHash) != 1)) {
		return store.Request{}, ErrBadAccess
	}
	return r, err
}

// Status answers the person who holds the access token.
func (s *Service) Status(ctx context.Context, id, token string) (SubjectView, error) {
	r, err := s.authorised(ctx, id, token)
	if err != nil {
		return SubjectView{}, err
	}
	v := SubjectView{ID: r.ID, Type: r.Type, Status: r.Status, StatusText: statusText(r.Status), ReceivedAt: r.ReceivedAt, DueAt: r.DueAt,
		ExtendedUntil: r.ExtendedUntil, CompletedAt: r.CompletedAt, ResultReady: r.ResultSealed != nil}
	if identityPending(r) {
		sv, err := s.strongerCheck(ctx, r)
		if err != nil {
			return SubjectView{}, err
		}
		if sv != nil {
			v.IdentityCheck = ask(sv, r.CodeAttempts)
			v.StatusText = "We need a few details you gave us before, and your signed declaration, to confirm who you are."
		}
	}
	if r.Status == StatusDenied {
		p, _, err := s.openPrivate(ctx, r)
		if err != nil {
			return SubjectView{}, err
		}
		v.Reason = p.DecisionText
	}
	return v, nil
}

func statusText(status string) string {
	switch status {
	case StatusAwaitingVerification:
		return "We are waiting for you to enter the code we e-mailed you."
	case StatusPendingReview:
		return "Your request is verified and waiting for our privacy team."
	case StatusInProgress:
		return "We are working on your request."
	case StatusCompleted:
		return "Your request is complete."
	case StatusDenied:
		return "We could not fulfil your request."
	case StatusCanceled:
		return "This request was closed."
	}
	return status
}

// Result returns the answer package of a completed request. It is deleted
// when it expires.
func (s *Service) Result(ctx context.Context, id, token string) (Package, error) {
	r, err := s.authorised(ctx, id, token)
	if err != nil {
		return Package{}, err
	}
	if r.ResultSealed == nil {
		if r.ResultExpiresAt != nil {
			return Package{}, custos.Errorf(custos.KindNotFound, "result_expired", "The answer to this request has expired and was deleted.")
		}
		return Package{}, custos.Errorf(custos.KindConflict, "not_ready", "This request has no answer yet.")
	}
	b, err := s.master.Open(r.ResultSealed, s.sealContext(id, "result"))
	if err != nil {
		return Package{}, err
	}
	var p Package
	if err := json.Unmarshal(b, &p); err != nil {
		return Package{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		return s.history(ctx, tx, id, "subject", "result_downloaded", r.Status, "")
	})
	return p, err
}

// ExpireResults deletes answers past their time.
func (s *Service) ExpireResults(ctx context.Context) (int64, error) {
	var n int64
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.ExpireResults(ctx, s.clock.Now())
		return err
	})
	return n, err
}
