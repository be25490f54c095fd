package records

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// retainedField is what a retained value is bound to under the retention
// key: apart from eventField, so a value sealed under one key for one use
// cannot pass for the other.
const retainedField = "retained:"

// Erasure is what a deletion did with a person's records.
type Erasure struct {
	// Events is how many events left the events table (retained ones too).
	Events int64 `json:"events"`
	// Retained lists what is kept, per category, purpose and ground.
	Retained []Kept `json:"retained,omitempty"`
}

// Kept is what a deletion kept of one category for one purpose: how many
// records, on which ground, until when.
type Kept struct {
	Category string    `json:"category"`
	Purpose  string    `json:"purpose,omitempty"`
	Records  int       `json:"records"`
	Ground   string    `json:"ground"`
	Reason   string    `json:"reason,omitempty"`
	Until    time.Time `json:"until"`
}

// retain re-seals the events the erasure rules keep under the person's
// retention key: a new one, returned wrapped, or the one an earlier
// deletion of part of their records made (then the wrapped key returned is
// nil). It opens each with the data key, which the same transaction then
// destroys, or deletes the events from. Only events `of` accepts are
// considered.
func (s *Service) retain(ctx context.Context, tx *store.Tx, m *policy.Manifest, subjectID string, wrapped []byte, now time.Time,
	of func(store.EventRow) bool) ([]store.RetainedRow, []byte, error) {
	evs, err := tx.SubjectEvents(ctx, subjectID)
	if err != nil {
		return nil, nil, err
	}
	var kept []store.RetainedRow
	for _, e := range evs {
		if !of(e) {
			continue
		}
		if _, r, _ := m.ErasureOf(e.Category, e.Purpose, now); r != nil {
			kept = append(kept, store.RetainedRow{SubjectID: subjectID, Category: e.Category, Purpose: e.Purpose, Source: e.Source,
				Sealed: e.Sealed, OccurredAt: e.OccurredAt, Until: r.Until, Ground: r.Ground.Key, Reason: r.Rule.Reason})
		}
	}
	if len(kept) == 0 {
		return nil, nil, nil
	}
	data, err := s.master.OpenSubjectKey(subjectID, wrapped)
	if err != nil {
		return nil, nil, err
	}
	var (
		rk       *vault.SubjectKey
		rwrapped []byte
	)
	switch old, err := tx.RetentionKey(ctx, subjectID); {
	case err == nil:
		if rk, err = s.master.OpenRetentionKey(subjectID, old); err != nil {
			return nil, nil, err
		}
	case errors.Is(err, custos.ErrNotFound):
		if rk, rwrapped, err = s.master.NewRetentionKey(subjectID); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, err
	}
	for i := range kept {
		if kept[i].Sealed == nil {
			continue
		}
		pt, err := data.Open(kept[i].Sealed, eventField+kept[i].Category)
		if err != nil {
			return nil, nil, err
		}
		if kept[i].Sealed, err = rk.Seal(pt, retainedField+kept[i].Category); err != nil {
			return nil, nil, err
		}
		clear(pt)
	}
	return kept, rwrapped, nil
}

// anyEvent is every event: a deletion of the whole person.
func anyEvent(store.EventRow) bool { return true }

// summarise groups retained records by category, purpose and ground; the
// latest end of retention of a group is its until.
func summarise(rows []store.RetainedRow) []Kept {
	var out []Kept
	for _, r := range rows {
		i := slices.IndexFunc(out, func(k Kept) bool {
			return k.Category == r.Category && k.Purpose == r.Purpose && k.Ground == r.Ground
		})
		if i < 0 {
			out = append(out, Kept{Category: r.Category, Purpose: r.Purpose, Ground: r.Ground, Reason: r.Reason, Until: r.Until})
			i = len(out) - 1
		}
		out[i].Records++
		if r.Until.After(out[i].Until) {
			out[i].Until = r.Until
		}
	}
	slices.SortFunc(out, func(a, b Kept) int {
		if c := strings.Compare(a.Category, b.Category); c != 0 {
			return c
		}
		return strings.Compare(a.Purpose, b.Purpose)
	})
	return out
}

// RetainedRecord is a record a deletion kept, decrypted.
type RetainedRecord struct {
	Category   string    `json:"category"`
	Purpose    string    `json:"purpose"`
	Source     string    `json:"source,omitempty"`
	Value      *string   `json:"value,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
	RetainedAt time.Time `json:"retained_at"`
	Until      time.Time `json:"until"`
	Ground     string    `json:"ground"`
	Reason     string    `json:"reason,omitempty"`
}

// RetainedRecords decrypts what a deletion kept of a subject, for the
// company (an audited operator) until its retention ends. Nothing kept is
// custos.ErrNotFound.
func (s *Service) RetainedRecords(ctx context.Context, actor, reason, subjectID string) ([]RetainedRecord, error) {
	wrapped, err := s.store.RetentionKey(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.RetainedRecords(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	k, err := s.master.OpenRetentionKey(subjectID, wrapped)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]RetainedRecord, 0, len(rows))
	for _, r := range rows {
		if !r.Until.After(now) {
			continue // its retention ended: the sweep erases it, nobody reads it
		}
		rec := RetainedRecord{Category: r.Category, Purpose: r.Purpose, Source: r.Source, OccurredAt: r.OccurredAt,
			RetainedAt: r.RetainedAt, Until: r.Until, Ground: r.Ground, Reason: r.Reason}
		if r.Sealed != nil {
			pt, err := k.Open(r.Sealed, retainedField+r.Category)
			if err != nil {
				return nil, err
			}
			v := string(pt)
			rec.Value = &v
		}
		out = append(out, rec)
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.read_retained", Object: "subject:" + subjectID,
			Detail: map[string]any{"reason": reason, "records": len(out)}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EraseRetained erases the retained records whose retention ended by asOf
// (but not under a legal hold) and
// destroys the retention keys left with nothing to open, with an audit
// entry per person whose last retained record went. The retention sweep
// runs it.
func (s *Service) EraseRetained(ctx context.Context, actor string, asOf time.Time) (int64, error) {
	var n int64
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var (
			emptied []string
			err     error
		)
		if n, emptied, err = tx.EraseRetained(ctx, asOf); err != nil || n == 0 && len(emptied) == 0 {
			return err
		}
		for _, id := range emptied {
			if _, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.erase_retained", Object: "subject:" + id,
				Detail: map[string]any{"reason": "retention after deletion ended"}}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
