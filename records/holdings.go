package records

import (
	"context"
	"encoding/json"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
)

// maskedValue is how a masked value is written: an explicit null, beside
// "masked": true, so the answer has the same members as a decrypted one.
var maskedValue = json.RawMessage("null")

// MaskedIdentity is an identity whose value is withheld.
type MaskedIdentity struct {
	Kind   string          `json:"kind"`
	Value  json.RawMessage `json:"value"`
	Masked bool            `json:"masked"`
	Since  time.Time       `json:"since"`
}

// MaskedEvent is an event whose value, if it has one, is withheld.
type MaskedEvent struct {
	custos.Event
	// Value shadows the event's own: null where a value is held, absent
	// where none is, as in a decrypted answer.
	Value  json.RawMessage `json:"value,omitempty"`
	Masked bool            `json:"masked,omitempty"`
}

// Holdings is what Custos holds about one subject with every value
// masked: which identities, and which categories, sources, purposes,
// recipients and dates, but none of the personal data itself. It is what
// a role that may see that a person is on record, but not their data,
// is shown.
type Holdings struct {
	SubjectID  string           `json:"subject_id"`
	Masked     bool             `json:"masked"`
	Identities []MaskedIdentity `json:"identities"`
	Events     []MaskedEvent    `json:"events"`
}

// SubjectHoldings lists a subject's identities and events without
// decrypting anything (the subject's key is never opened). It is still a
// look at a person's record, so it is audited like SubjectRecords, marked
// masked.
func (s *Service) SubjectHoldings(ctx context.Context, actor, reason, subjectID string) (Holdings, error) {
	if _, err := s.store.Subject(ctx, subjectID); err != nil {
		return Holdings{}, err
	}
	out := Holdings{SubjectID: subjectID, Masked: true, Identities: []MaskedIdentity{}, Events: []MaskedEvent{}}
	ids, err := s.store.SubjectIdentities(ctx, subjectID)
	if err != nil {
		return Holdings{}, err
	}
	for _, id := range ids {
		out.Identities = append(out.Identities, MaskedIdentity{Kind: id.Kind, Value: maskedValue, Masked: true, Since: id.CreatedAt})
	}
	evs, err := s.store.SubjectEvents(ctx, subjectID)
	if err != nil {
		return Holdings{}, err
	}
	for _, e := range evs {
		ev := MaskedEvent{Event: e.Event}
		ev.Event.Value = nil
		if e.Sealed != nil {
			ev.Value, ev.Masked = maskedValue, true
		}
		out.Events = append(out.Events, ev)
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.read", Object: "subject:" + subjectID,
			Detail: map[string]any{"reason": reason, "events": len(out.Events), "masked": true}})
		return err
	})
	return out, err
}
