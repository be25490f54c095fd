package requests

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
)

// The free text a request carries about a person — a denial's reason, an
// authorised agent's name and proof of permission, the corrected values a
// correction asks for — is never stored in the clear. It is sealed under the person's own data key once the request is
// linked to them, so erasing them (dropping that key) shreds it too; until
// then, under the master key, as the requester's address is.

// privateText is what PrivateSealed holds.
type privateText struct {
	DecisionText string            `json:"decision_text,omitempty"`
	AgentName    string            `json:"agent_name,omitempty"`
	AgentProof   string            `json:"agent_proof,omitempty"`
	Corrections  map[string]string `json:"corrections,omitempty"`
	// BeyondTwelveMonths: the person asked for more than the last 12
	// months (Intake.BeyondTwelveMonths).
	BeyondTwelveMonths bool `json:"beyond_12_months,omitempty"`
	// Details: a complaint's text (Intake.Details).
	Details string `json:"details,omitempty"`
	// Declaration: the declaration under penalty of perjury the person
	// signed in the stronger identity check (identity.go).
	Declaration *signedDeclaration `json:"declaration,omitempty"`
}

func (p privateText) empty() bool {
	return p.DecisionText == "" && p.AgentName == "" && p.AgentProof == "" && len(p.Corrections) == 0 && !p.BeyondTwelveMonths && p.Details == "" && p.Declaration == nil
}

// setPrivate replaces r's free text with p, sealed under the master key
// until the next write re-seals it under the subject's (sealPrivate).
func (s *Service) setPrivate(r *store.Request, p privateText) error {
	r.DecisionText, r.AgentName, r.AgentProof = "", "", ""
	if p.empty() {
		r.PrivateSealed, r.PrivateKey = nil, ""
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	r.PrivateSealed, err = s.master.Seal(b, s.sealContext(r.ID, "private"))
	r.PrivateKey = ""
	return err
}

// openPrivate returns a request's free text: the sealed text, with what r
// holds in memory (set by the caller, or read from a row written before
// the text was sealed) laid over it. Text sealed under the key of a person
// since erased is gone: it reads as empty, and readable is false.
func (s *Service) openPrivate(ctx context.Context, r store.Request) (p privateText, readable bool, err error) {
	readable = true
	if r.PrivateSealed != nil {
		var b []byte
		if r.PrivateKey == "" {
			b, err = s.master.Open(r.PrivateSealed, s.sealContext(r.ID, "private"))
		} else {
			k, kerr := s.records.SubjectKey(ctx, r.PrivateKey)
			if kerr != nil {
				readable = false
			} else {
				b, err = k.Open(r.PrivateSealed, records.RequestTextField(r.ID))
			}
		}
		if err != nil {
			return privateText{}, false, fmt.Errorf("requests: the free text of request %s does not open: %w", r.ID, err)
		}
		if b != nil {
			if err := json.Unmarshal(b, &p); err != nil {
				return privateText{}, false, fmt.Errorf("requests: the free text of request %s: %w", r.ID, err)
			}
		}
	}
	if r.DecisionText != "" {
		p.DecisionText = r.DecisionText
	}
	if r.AgentName != "" {
		p.AgentName = r.AgentName
	}
	if r.AgentProof != "" {
		p.AgentProof = r.AgentProof
	}
	return p, readable, nil
}

// sealPrivate seals r's free text into r.PrivateSealed before r is
// written: what is sealed already, with any text set in memory, under the
// key of the subject the request is linked to (re-sealing text sealed
// before the link), or the master key while there is none. Text of an
// erased person stays as it is: unreadable.
func (s *Service) sealPrivate(ctx context.Context, r *store.Request) error {
	p, readable, err := s.openPrivate(ctx, *r)
	if err != nil {
		return err
	}
	if !readable && r.DecisionText == "" && r.AgentName == "" && r.AgentProof == "" {
		return nil
	}
	r.DecisionText, r.AgentName, r.AgentProof = "", "", ""
	if p.empty() {
		r.PrivateSealed, r.PrivateKey = nil, ""
		return nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if r.SubjectID != "" {
		if k, err := s.records.SubjectKey(ctx, r.SubjectID); err == nil {
			if r.PrivateSealed, err = k.Seal(b, records.RequestTextField(r.ID)); err != nil {
				return err
			}
			r.PrivateKey = r.SubjectID
			return nil
		}
		// A subject erased or merged away has no key: the master key
		// holds the text until the request is linked again.
	}
	if r.PrivateSealed, err = s.master.Seal(b, s.sealContext(r.ID, "private")); err != nil {
		return err
	}
	r.PrivateKey = ""
	return nil
}

// sealPlaintext seals the free text of requests written before it was
// sealed and clears the plaintext columns. It runs at start-up; a row an
// older server writes meanwhile is sealed at the next.
func (s *Service) sealPlaintext(ctx context.Context) error {
	for {
		rs, err := s.store.RequestsWithPlaintext(ctx, 100)
		if err != nil || len(rs) == 0 {
			return err
		}
		if err := s.store.InTx(ctx, func(tx *store.Tx) error {
			for _, old := range rs {
				r, err := tx.RequestForUpdate(ctx, old.ID)
				if err != nil {
					return err
				}
				if err := s.sealPrivate(ctx, &r); err != nil {
					return err
				}
				if err := tx.UpdateRequest(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}
