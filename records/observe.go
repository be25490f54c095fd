package records

import (
	"context"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Observer hears of changes to who is who, after they commit: the decision
// index keeps its identity map and flags current with it.
type Observer interface {
	// Identities: these blind indexes now belong to subject.
	Identities(subjectID string, blinds [][]byte)
	// Erased: the subject was erased.
	Erased(subjectID string)
	// Merged: everything of from now belongs to into.
	Merged(from, into string)
}

// SetObserver registers the observer; call it before serving.
func (s *Service) SetObserver(o Observer) { s.observer = o }

// Blind is the blind index of an identity, for callers that keep opt-outs
// by address (suppression lists).
func (s *Service) Blind(kind, normalised string) []byte { return s.blind.Sum(kind, normalised) }

// Blinds normalises a reference and returns its blind indexes.
func (s *Service) Blinds(ref custos.SubjectRef) ([][]byte, error) {
	ids, err := normalise(ref, "subject")
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		out[i] = s.blind.Sum(id.kind, id.value)
	}
	return out, nil
}

// EnsureSubject returns the subject of ref, creating it (or linking and
// merging, as events do) when its identities are new. It is how a consent
// given by someone Custos has no records of yet gets a subject. The
// returned blinds are those of ref.
func (s *Service) EnsureSubject(ctx context.Context, actor string, ref custos.SubjectRef) (string, [][]byte, error) {
	ids, err := normalise(ref, "subject")
	if err != nil {
		return "", nil, err
	}
	c := checked{ids: ids}
	for _, id := range ids {
		c.blinds = append(c.blinds, s.blind.Sum(id.kind, id.value))
	}
	var subject string
	for attempt := 0; ; attempt++ {
		subject, err = s.ensure(ctx, actor, c)
		if err == nil || !store.IsConflict(err) || attempt == conflictRetries {
			return subject, c.blinds, err
		}
	}
}

func (s *Service) ensure(ctx context.Context, actor string, c checked) (string, error) {
	var (
		subject string
		changes []change
	)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		found, err := tx.IdentitiesByBlind(ctx, c.blinds)
		if err != nil {
			return err
		}
		owner := map[string]string{}
		for b, id := range found {
			owner[b] = id.SubjectID
		}
		r := &resolver{s: s, tx: tx, now: s.clock.Now(), keys: map[string]*vault.SubjectKey{}}
		if err := r.preload(ctx, owner); err != nil {
			return err
		}
		var pending []store.EventRow
		var isNew bool
		var merged int
		if subject, isNew, merged, err = r.resolve(ctx, c, owner, &pending); err != nil {
			return err
		}
		if err := r.flush(ctx); err != nil {
			return err
		}
		changes = r.changes
		if !isNew && merged == 0 && len(r.changes) == 0 {
			return nil
		}
		if err := notifyChanges(ctx, tx, r.changes); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.ensure", Object: "subject:" + subject,
			Detail: map[string]any{"new": isNew, "merged_subjects": merged}})
		return err
	})
	if err == nil {
		s.publish(changes)
	}
	return subject, err
}

// change is what a transaction did to who is who, told to the observer
// after it commits.
type change struct {
	subject, mergedFrom string
	blinds              [][]byte
	erased              bool
}

func (s *Service) publish(changes []change) {
	if s.observer == nil {
		return
	}
	for _, c := range changes {
		switch {
		case c.erased:
			s.observer.Erased(c.subject)
		case c.mergedFrom != "":
			s.observer.Merged(c.mergedFrom, c.subject)
		default:
			s.observer.Identities(c.subject, c.blinds)
		}
	}
}

// notifyChanges tells other servers which subjects changed.
func notifyChanges(ctx context.Context, tx *store.Tx, changes []change) error {
	seen := map[string]bool{}
	for _, c := range changes {
		for _, id := range []string{c.subject, c.mergedFrom} {
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			if err := tx.Notify(ctx, "subject:"+id); err != nil {
				return err
			}
		}
	}
	return nil
}

// WatchValues asks to hear, after commit, of every value collected in one
// of the categories (the date of birth, to find children), with the actor
// who recorded it, so what follows is credited to them.
func (s *Service) WatchValues(categories []string, fn func(ctx context.Context, actor, subjectID, category, value string)) {
	s.watchCategories, s.watch = categories, fn
}

// RefuseCollectionFrom makes collections refused for subjects the function
// names (minors), except for purposes needed to delete or for legal duties.
func (s *Service) RefuseCollectionFrom(fn func(subjectID string) bool) { s.refuse = fn }
