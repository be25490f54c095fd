package requests_test

import (
	"context"
	"errors"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestAnswerOf: an access request's answer is held, with its end, once
// the request is approved; before, none is; an unknown request is not
// found.
func TestAnswerOf(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		e.seed("ana@example.com", collected("user.name", "Ana Lima"))
		v := e.submitAndVerify(requests.Intake{Type: requests.TypeAccess, Email: "ana@example.com", Jurisdiction: "US-CA"})
		if a, err := e.svc.AnswerOf(ctx, v.ID); err != nil || a.Held || a.ExpiresAt != nil {
			t.Fatalf("answer before approval = %+v, %v", a, err)
		}
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		a, err := e.svc.AnswerOf(ctx, v.ID)
		if err != nil || !a.Held || a.ExpiresAt == nil || !a.ExpiresAt.After(e.clock.Now()) {
			t.Fatalf("answer after approval = %+v, %v", a, err)
		}
		if _, err := e.svc.AnswerOf(ctx, "no-such-request"); !errors.Is(err, custos.ErrNotFound) {
			t.Fatalf("answer of an unknown request = %v", err)
		}
	})
}
