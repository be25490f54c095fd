package requests

import (
	"context"
	"time"
)

// Answer is where a request's answer (its result package) stands, read
// without opening it: operators get no copy.
type Answer struct {
	// Held: the sealed answer is stored for the person's own link.
	Held bool
	// ExpiresAt is when the answer is (or was) deleted; nil when none was
	// ever made.
	ExpiresAt *time.Time
}

// AnswerOf says where the answer of request id stands.
func (s *Service) AnswerOf(ctx context.Context, id string) (Answer, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return Answer{}, err
	}
	return Answer{Held: r.ResultSealed != nil, ExpiresAt: r.ResultExpiresAt}, nil
}
