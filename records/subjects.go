package records

import (
	"context"
	"fmt"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// FindSubject returns the id of the subject any identity of ref belongs to.
// It reveals nothing but the pseudonymous id.
func (s *Service) FindSubject(ctx context.Context, ref custos.SubjectRef) (string, error) {
	ids, err := normalise(ref, "subject")
	if err != nil {
		return "", err
	}
	blinds := make([][]byte, len(ids))
	for i, id := range ids {
		blinds[i] = s.blind.Sum(id.kind, id.value)
	}
	found, err := s.store.IdentitiesByBlind(ctx, blinds)
	if err != nil {
		return "", err
	}
	for _, b := range blinds {
		if id, ok := found[string(b)]; ok {
			return id.SubjectID, nil
		}
	}
	return "", custos.ErrNotFound
}

// Identity is a decrypted identity.
type Identity struct {
	Kind  string    `json:"kind"`
	Value string    `json:"value"`
	Since time.Time `json:"since"`
}

// Records is everything Custos holds about one subject, decrypted. Only
// code answering a verified person or an audited operator should ask.
type Records struct {
	SubjectID  string         `json:"subject_id"`
	Identities []Identity     `json:"identities"`
	Events     []custos.Event `json:"events"`
}

// SubjectRecords decrypts a subject's identities and events. actor and
// reason go to the audit log: every read of personal data is recorded.
func (s *Service) SubjectRecords(ctx context.Context, actor, reason, subjectID string) (Records, error) {
	row, err := s.store.Subject(ctx, subjectID)
	if err != nil {
		return Records{}, err
	}
	key, err := s.key(subjectID, row.WrappedKey)
	if err != nil {
		return Records{}, err
	}
	out := Records{SubjectID: subjectID, Identities: []Identity{}, Events: []custos.Event{}}
	ids, err := s.store.SubjectIdentities(ctx, subjectID)
	if err != nil {
		return Records{}, err
	}
	for _, id := range ids {
		pt, err := key.Open(id.Sealed, identityField+id.Kind)
		if err != nil {
			return Records{}, err
		}
		out.Identities = append(out.Identities, Identity{Kind: id.Kind, Value: string(pt), Since: id.CreatedAt})
	}
	evs, err := s.store.SubjectEvents(ctx, subjectID)
	if err != nil {
		return Records{}, err
	}
	for _, e := range evs {
		ev := e.Event
		if e.Sealed != nil {
			pt, err := key.Open(e.Sealed, eventField+e.Category)
			if err != nil {
				return Records{}, err
			}
			v := string(pt)
			ev.Value = &v
		}
		out.Events = append(out.Events, ev)
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.read", Object: "subject:" + subjectID,
			Detail: map[string]any{"reason": reason, "events": len(out.Events)}})
		return err
	})
	return out, err
}

// SubjectKey opens a live subject's data key, for other records about the
// person (a request's free text) that must go when the person is erased.
// An erased or merged subject's key is gone: that is an error.
func (s *Service) SubjectKey(ctx context.Context, subjectID string) (*vault.SubjectKey, error) {
	// The row is read every time: another server may have erased the
	// subject since its key was cached here.
	row, err := s.store.Subject(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	if row.WrappedKey == nil {
		return nil, fmt.Errorf("records: subject %s has no key (erased or merged): %w", subjectID, custos.ErrNotFound)
	}
	return s.key(subjectID, row.WrappedKey)
}

// RequestTextField is what a privacy request's free text sealed under the
// subject's key is bound to; a merge re-seals it under the other's key.
func RequestTextField(requestID string) string { return "request:" + requestID }

func (s *Service) key(subjectID string, wrapped []byte) (*vault.SubjectKey, error) {
	if k, ok := s.keys.Get(subjectID); ok && wrapped != nil {
		return k, nil
	}
	k, err := s.master.OpenSubjectKey(subjectID, wrapped)
	if err != nil {
		return nil, err
	}
	s.keys.Put(k)
	return k, nil
}

// EraseSubject erases a subject (see Erase) and returns how many events
// went, retained ones included.
func (s *Service) EraseSubject(ctx context.Context, actor, subjectID, reason string) (int64, error) {
	e, err := s.Erase(ctx, actor, subjectID, reason)
	return e.Events, err
}

// Erase carries out a deletion: the events the policy's erasure rules
// retain are re-sealed under a new retention key of the person and kept
// until their retention ends; then the person's data key is destroyed and
// their identities and events deleted, in one transaction with its audit
// entry. A retained record thus never keeps anything else decryptable.
// An already erased subject has nothing left to retain.
func (s *Service) Erase(ctx context.Context, actor, subjectID, reason string) (Erasure, error) {
	var out Erasure
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return out, err
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		out = Erasure{}
		row, err := tx.Subject(ctx, subjectID)
		if err != nil {
			return err
		}
		var kept []store.RetainedRow
		var wrapped []byte
		if row.WrappedKey != nil {
			if kept, wrapped, err = s.retain(ctx, tx, p.Manifest, subjectID, row.WrappedKey, now, anyEvent); err != nil {
				return err
			}
		}
		if out.Events, err = tx.EraseSubjectRetaining(ctx, subjectID, now, wrapped, kept); err != nil {
			return err
		}
		out.Retained = summarise(kept)
		if err := tx.Notify(ctx, "subject:"+subjectID); err != nil {
			return err
		}
		detail := map[string]any{"events": out.Events, "reason": reason}
		if len(kept) > 0 {
			detail["retained"] = len(kept)
		}
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.erase", Object: "subject:" + subjectID, Detail: detail})
		return err
	})
	s.keys.Forget(subjectID)
	if err == nil {
		s.publish([]change{{subject: subjectID, erased: true}})
	}
	return out, err
}

// EraseFor deletes a subject's events processed for controller (” is the
// company's own processing) and keeps the rest, then crypto-shreds the
// subject if nothing is left and no legal hold stands. It returns the
// events deleted and whether the subject was erased. Of the company's own
// events, those the policy's erasure rules retain are kept as a full
// deletion keeps them (Erase): re-sealed under the person's retention key,
// until their retention ends; data processed for a controller is the
// controller's to decide on, and its instruction goes as given.
func (s *Service) EraseFor(ctx context.Context, actor, subjectID, controller, reason string) (int64, bool, error) {
	n, erased, _, err := s.eraseFor(ctx, actor, subjectID, controller, reason)
	return n, erased, err
}

// EraseOwn is EraseFor of the company's own records, with what the
// erasure rules kept.
func (s *Service) EraseOwn(ctx context.Context, actor, subjectID, reason string) (Erasure, bool, error) {
	n, erased, kept, err := s.eraseFor(ctx, actor, subjectID, "", reason)
	return Erasure{Events: n, Retained: summarise(kept)}, erased, err
}

func (s *Service) eraseFor(ctx context.Context, actor, subjectID, controller, reason string) (int64, bool, []store.RetainedRow, error) {
	var (
		n      int64
		erased bool
		kept   []store.RetainedRow
	)
	var m *policy.Manifest
	if controller == "" {
		p, _, err := s.policies.Active(ctx)
		if err != nil {
			return 0, false, nil, err
		}
		m = p.Manifest
	}
	now := s.clock.Now()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		kept = nil
		if m != nil {
			row, err := tx.Subject(ctx, subjectID)
			if err != nil {
				return err
			}
			if row.WrappedKey != nil {
				var wrapped []byte
				own := func(e store.EventRow) bool { return e.Controller == "" }
				if kept, wrapped, err = s.retain(ctx, tx, m, subjectID, row.WrappedKey, now, own); err != nil {
					return err
				}
				if err := tx.RetainRecords(ctx, subjectID, now, wrapped, kept); err != nil {
					return err
				}
			}
		}
		var err error
		if n, err = tx.DeleteControllerEvents(ctx, subjectID, controller); err != nil {
			return err
		}
		empty, err := tx.SubjectsWithoutEvents(ctx, []string{subjectID})
		if err != nil {
			return err
		}
		held, err := tx.Held(ctx, subjectID)
		if err != nil {
			return err
		}
		if len(empty) > 0 && !held {
			if _, err := tx.EraseSubject(ctx, subjectID, now); err != nil {
				return err
			}
			erased = true
		}
		if err := tx.Notify(ctx, "subject:"+subjectID); err != nil {
			return err
		}
		detail := map[string]any{"events": n, "controller": controller, "erased": erased, "reason": reason}
		if len(kept) > 0 {
			detail["retained"] = len(kept)
		}
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.erase_for", Object: "subject:" + subjectID, Detail: detail})
		return err
	})
	if err != nil {
		return 0, false, nil, err
	}
	if erased {
		s.keys.Forget(subjectID)
		s.publish([]change{{subject: subjectID, erased: true}})
	}
	return n, erased, kept, nil
}

// EraseIfEmpty erases a subject left with no events and no standing legal
// hold, checking both in the erasing transaction, so an event or a hold
// that arrives meanwhile is never shredded. It reports whether it erased.
func (s *Service) EraseIfEmpty(ctx context.Context, actor, subjectID, reason string) (bool, error) {
	erased := false
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		empty, err := tx.SubjectsWithoutEvents(ctx, []string{subjectID})
		if err != nil || len(empty) == 0 {
			return err
		}
		if held, err := tx.Held(ctx, subjectID); err != nil || held {
			return err
		}
		if _, err := tx.EraseSubject(ctx, subjectID, s.clock.Now()); err != nil {
			return err
		}
		if err := tx.Notify(ctx, "subject:"+subjectID); err != nil {
			return err
		}
		erased = true
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.erase", Object: "subject:" + subjectID,
			Detail: map[string]any{"reason": reason}})
		return err
	})
	if erased {
		s.keys.Forget(subjectID)
		s.publish([]change{{subject: subjectID, erased: true}})
	}
	return erased, err
}

// AddContract records a processing contract with a recipient of the policy.
func (s *Service) AddContract(ctx context.Context, actor string, c custos.Contract) (custos.Contract, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return c, err
	}
	known := false
	for _, r := range p.Recipients {
		known = known || r.Key == c.Recipient
	}
	if !known {
		return c, refuse(CodeUndeclaredRecipient, "recipient", "The policy in force does not declare the recipient %q.", c.Recipient)
	}
	if c.ExpiresAt != nil && !c.ExpiresAt.After(c.SignedAt) {
		return c, invalid("expires_at", "expires_at must be after signed_at.")
	}
	c.CreatedAt = s.clock.Now()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if c.ID, err = tx.InsertContract(ctx, c); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "contract.add", Object: fmt.Sprintf("contract:%d", c.ID),
			Detail: map[string]any{"recipient": c.Recipient, "vendor": c.Vendor}})
		return err
	})
	return c, err
}

// Correct replaces the value of the latest event of a category with the
// corrected one (re-sealed), and reports whether there was one to correct.
// The correction is audited; the old value is gone.
func (s *Service) Correct(ctx context.Context, actor, subjectID, category, value string) (bool, error) {
	row, err := s.store.Subject(ctx, subjectID)
	if err != nil {
		return false, err
	}
	key, err := s.key(subjectID, row.WrappedKey)
	if err != nil {
		return false, err
	}
	evs, err := s.store.SubjectEvents(ctx, subjectID)
	if err != nil {
		return false, err
	}
	var target *store.EventRow
	for i := range evs {
		// Data processed for a controller is corrected on its
		// instruction, not on the person's word to the company.
		if evs[i].Category == category && evs[i].Kind == custos.EventCollection && evs[i].Controller == "" {
			target = &evs[i]
		}
	}
	if target == nil {
		return false, nil
	}
	sealed, err := key.Seal([]byte(value), eventField+category)
	if err != nil {
		return false, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ReassignEvent(ctx, target.ID, subjectID, sealed); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.correct", Object: fmt.Sprintf("event:%d", target.ID),
			Detail: map[string]any{"category": category}})
		return err
	})
	return err == nil, err
}
