package retention

import (
	"context"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/vault"
)

// sweepConnected applies the rules that run from collection to the
// company's connected databases, where a dataset names the field holding
// when a row was collected. Rules for one purpose, or from other moments
// (last activity, account closure), need facts a row does not carry and
// stay with Custos' own records.
func (s *Service) sweepConnected(ctx context.Context, actor string, m *policy.Manifest, asOf time.Time, dryRun bool) ([]connected.SweepLine, error) {
	var exps []connected.Expiry
	for _, r := range m.Retention.Rules {
		if r.Purpose != "" || (r.Trigger != "" && r.Trigger != "collected") {
			continue
		}
		cut, err := Before(asOf, r.Duration)
		if err != nil {
			return nil, err
		}
		words := r.Duration + " after collection"
		if r.Extension != "" {
			if cut, err = Before(cut, r.Extension); err != nil {
				return nil, err
			}
			words += ", plus " + r.Extension
		}
		exps = append(exps, connected.Expiry{Category: r.Category, Cutoff: cut, Rule: words})
	}
	if len(exps) == 0 {
		return nil, nil
	}
	held, err := s.heldIdentities(ctx)
	if err != nil {
		return nil, err
	}
	return s.connected.Sweep(ctx, actor, exps, held, dryRun)
}

// heldIdentities lists what each person under a legal hold is known by, so
// that their rows in connected databases are found and kept.
func (s *Service) heldIdentities(ctx context.Context) ([]map[string][]string, error) {
	hs, err := s.store.Holds(ctx, false)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []map[string][]string
	for _, h := range hs {
		if seen[h.SubjectID] {
			continue
		}
		seen[h.SubjectID] = true
		recs, err := s.records.SubjectRecords(ctx, "system", "retention sweep: legal hold", h.SubjectID)
		if err != nil {
			if errors.Is(err, vault.ErrErased) {
				continue
			}
			return nil, err
		}
		ids := map[string][]string{}
		for _, id := range recs.Identities {
			switch id.Kind {
			case custos.IdentityEmail:
				ids["email"] = append(ids["email"], id.Value)
			case custos.IdentityPhone:
				ids["phone_number"] = append(ids["phone_number"], id.Value)
			case custos.IdentityExternalID:
				ids["external_id"] = append(ids["external_id"], id.Value)
			}
		}
		if len(ids) > 0 {
			out = append(out, ids)
		}
	}
	return out, nil
}
