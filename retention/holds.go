package retention

import (
	"context"
	"errors"

	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
)

func holdContext(subjectID string) string { return "custos/hold/" + subjectID }

// AddHold places a legal hold on the person ref names: nothing of theirs is
// erased, by sweeps or by deletion requests, until it is released.
func (s *Service) AddHold(ctx context.Context, actor string, ref custos.SubjectRef, reason string) (int64, string, error) {
	if len(reason) < 3 {
		return 0, "", &custos.Error{Kind: custos.KindInvalid, Code: custos.CodeInvalidRequest, Message: "A hold needs a reason (the matter it is for).", Field: "reason"}
	}
	sid, err := s.records.FindSubject(ctx, ref)
	if errors.Is(err, custos.ErrNotFound) {
		return 0, "", custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "No person with that identity is on record, so there is nothing to hold.")
	}
	if err != nil {
		return 0, "", err
	}
	sealed, err := s.master.Seal([]byte(reason), holdContext(sid))
	if err != nil {
		return 0, "", err
	}
	var id int64
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if id, err = tx.AddHold(ctx, store.Hold{SubjectID: sid, ReasonSealed: sealed, CreatedAt: s.clock.Now(), CreatedBy: actor}); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "hold.add", Object: "subject:" + sid, Detail: map[string]any{"hold": id}})
		return err
	})
	return id, sid, err
}

// ReleaseHold ends every hold on the person; what expired meanwhile goes at
// the next sweep.
func (s *Service) ReleaseHold(ctx context.Context, actor string, ref custos.SubjectRef) (int64, error) {
	sid, err := s.records.FindSubject(ctx, ref)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if n, err = tx.ReleaseHolds(ctx, sid, actor, s.clock.Now()); err != nil {
			return err
		}
		if n == 0 {
			return custos.Errorf(custos.KindNotFound, "no_hold", "No hold stands on that person.")
		}
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "hold.release", Object: "subject:" + sid, Detail: map[string]any{"holds": n}})
		return err
	})
	return n, err
}

// HoldView is a hold as operators see it.
type HoldView struct {
	ID         int64      `json:"id"`
	SubjectID  string     `json:"subject_id"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	ReleasedBy string     `json:"released_by,omitempty"`
}

// Holds lists holds (standing ones unless all), reasons decrypted; the read
// is audited.
func (s *Service) Holds(ctx context.Context, actor string, all bool) ([]HoldView, error) {
	hs, err := s.store.Holds(ctx, all)
	if err != nil {
		return nil, err
	}
	out := []HoldView{}
	for _, h := range hs {
		reason, err := s.master.Open(h.ReasonSealed, holdContext(h.SubjectID))
		if err != nil {
			return nil, err
		}
		out = append(out, HoldView{ID: h.ID, SubjectID: h.SubjectID, Reason: string(reason), CreatedAt: h.CreatedAt, CreatedBy: h.CreatedBy,
			ReleasedAt: h.ReleasedAt, ReleasedBy: h.ReleasedBy})
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "hold.read", Object: "holds", Detail: map[string]any{"count": len(out)}})
		return err
	})
	return out, err
}

// SetLifecycle records that a person's account closed or relationship ended
// (the moment rules with those triggers count from).
func (s *Service) SetLifecycle(ctx context.Context, actor string, ref custos.SubjectRef, moment string, at time.Time) error {
	if moment != store.LifecycleAccountClosed && moment != store.LifecycleRelationshipEnded {
		return &custos.Error{Kind: custos.KindInvalid, Code: custos.CodeInvalidRequest, Message: "event must be account_closed or relationship_ended.", Field: "event"}
	}
	sid, err := s.records.FindSubject(ctx, ref)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetLifecycle(ctx, sid, moment, &at); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject." + moment, Object: "subject:" + sid,
			Detail: map[string]any{"at": at.Format(time.RFC3339)}})
		return err
	})
}
