package requests

import (
	"context"
	"fmt"
	"time"

	"github.com/custos-privacy/custos/store"
)

// CloseUnverified closes the requests whose mailed code was never entered
// once the law's period to answer them has run out (the due date, or the
// extension's): denied as unverifiable, with a mail to the address the
// request came from saying it was received and could not be verified, and
// how to make it again. A business may deny a request it cannot verify
// within the response period (11 CCR §7021(b)) and must tell the
// requestor it could not be verified (11 CCR §7024(a)); under the GDPR the
// controller must say within the period why it did not act (Art. 12(4)).
// Left open, such requests sit in the queue for ever, and the person
// hears nothing.
//
// The server calls it every minute. It returns how many it closed.
func (s *Service) CloseUnverified(ctx context.Context) (int, error) {
	closed := 0
	for {
		rs, err := s.store.Requests(ctx, StatusAwaitingVerification, queueLimit)
		if err != nil {
			return closed, err
		}
		n := 0
		for _, r := range rs {
			if !s.clock.Now().After(deadline(r)) {
				break // listed by deadline: the rest are not due either
			}
			done, err := s.closeUnverified(ctx, r.ID)
			if err != nil {
				return closed, fmt.Errorf("requests: closing unverified request %s: %w", r.ID, err)
			}
			if done {
				closed++
			}
			n++
		}
		if n < queueLimit {
			if closed > 0 {
				s.outbox.Wake()
			}
			return closed, nil
		}
	}
}

// deadline is when a request must be answered: its extension, or its due
// date.
func deadline(r store.Request) time.Time {
	if r.ExtendedUntil != nil {
		return *r.ExtendedUntil
	}
	return r.DueAt
}

// unverifiedText is what the person reads in the denial of a request never
// verified. It says nothing of whether the address is known.
const unverifiedText = "We received this request, but it was never verified: the code we mailed to this address was not entered, so we could not confirm that the request came from the person the address belongs to. We have closed it without acting on it. If you made it, you can make it again at any time from the privacy center, and enter the code we mail you."

// closeUnverified denies one request as unverifiable if, under its lock, it
// is still awaiting verification past its deadline.
func (s *Service) closeUnverified(ctx context.Context, id string) (bool, error) {
	done := false
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if r.Status != StatusAwaitingVerification || !s.clock.Now().After(deadline(r)) {
			return nil // verified, or extended, meanwhile
		}
		email, err := s.email(r)
		if err != nil {
			return err
		}
		if identityPending(r) {
			// The code was entered but the stronger identity check never
			// passed: closed as that check fails.
			done = true
			return s.identityFailed(ctx, tx, &r, email, "the identity check was not completed within the law's period")
		}
		// The code can no longer open it.
		r.CodeHash, r.CodeExpiresAt = nil, nil
		r.DecisionCode, r.DecisionText, r.DecidedBy = DenyUnverifiable, unverifiedText, "system"
		if err := s.move(ctx, tx, &r, StatusDenied, "system", "denied", DenyUnverifiable+": not verified within the law's period"); err != nil {
			return err
		}
		done = true
		return s.mailOutcome(ctx, tx, r, email)
	})
	return done, err
}
