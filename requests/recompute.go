package requests

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/store"
)

// When the rules that set a request's deadlines change — the policy's
// laws: overrides in a new version, or the law table in a new Custos — the
// requests still open are recomputed once: each keeps the digest of the
// rules its deadlines came from (store.Request.LawDigest), and one whose
// digest differs from the rules in force now is recomputed and given the
// new digest.
//
// The person keeps what they were told: a deadline never moves later than
// the date they were given (Custos' earlier answer stands), and a mail is
// not sent. A deadline that moves earlier does move — the law (or the
// counsel's reading of it) now asks for the earlier date — and the request
// is flagged for the privacy officer (LawFlag), with the change in its
// history.

// openStatuses are the statuses of requests that still have a deadline.
var openStatuses = []string{StatusAwaitingVerification, StatusPendingReview, StatusInProgress}

// recomputeBatch bounds how many requests of one status one pass reads.
const recomputeBatch = 10_000

// Recomputed counts what Recompute did.
type Recomputed struct {
	// Checked requests were open; Changed had rules that changed (their
	// digest is updated); Earlier had a deadline moved earlier (flagged).
	Checked, Changed, Earlier int
}

// Recompute brings the deadlines of open requests in line with the rules
// in force under the active policy. It is idempotent: a request whose
// rules did not change since is left alone.
func (s *Service) Recompute(ctx context.Context) (Recomputed, error) {
	var out Recomputed
	os, err := s.overrides(ctx)
	if err != nil {
		return out, err
	}
	for _, status := range openStatuses {
		rs, err := s.store.Requests(ctx, status, recomputeBatch)
		if err != nil {
			return out, err
		}
		for _, r := range rs {
			out.Checked++
			if os.ForAt(r.Jurisdiction, r.Type, r.ReceivedAt).Digest() == r.LawDigest {
				continue
			}
			earlier, err := s.recomputeOne(ctx, r.ID, os)
			if err != nil {
				return out, fmt.Errorf("requests: recomputing %s: %w", r.ID, err)
			}
			out.Changed++
			if earlier {
				out.Earlier++
			}
		}
	}
	return out, nil
}

// recomputeOne recomputes one request in its own transaction and reports
// whether its deadline moved earlier.
func (s *Service) recomputeOne(ctx context.Context, id string, os jurisdiction.Overrides) (bool, error) {
	var earlier bool
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.RequestForUpdate(ctx, id)
		if err != nil {
			return err
		}
		rules := os.ForAt(r.Jurisdiction, r.Type, r.ReceivedAt)
		digest := rules.Digest()
		if !open(r.Status) || digest == r.LawDigest {
			return nil // closed or recomputed meanwhile
		}
		was := r.DueAt
		if r.ExtendedUntil != nil {
			was = *r.ExtendedUntil
		}
		d := os.Compute(r.Jurisdiction, r.Type, r.ReceivedAt)
		if r.OpenedFor == ReasonMinor {
			// A minor's deletion may be due sooner than the law says (the
			// policy's deletion window); that date stands.
			d.DueAt = earliest(d.DueAt, r.DueAt)
		}
		newDue := earliest(r.DueAt, d.DueAt)
		var newExt *time.Time
		if r.ExtendedUntil != nil {
			// The extension already told stays, unless the rules now end
			// it sooner: counted as the rules now count it, or at the
			// first deadline if they allow none.
			ext := d.DueAt
			if e, err := extendFrom(os, r, d.DueAt); err == nil {
				ext = e
			}
			t := earliest(*r.ExtendedUntil, ext)
			newExt = &t
		}
		if r.AcknowledgeBy != nil && d.AcknowledgeBy != nil {
			t := earliest(*r.AcknowledgeBy, *d.AcknowledgeBy)
			r.AcknowledgeBy = &t
		} else if r.AcknowledgeBy == nil && d.AcknowledgeBy != nil && r.VerifiedAt == nil {
			// A request not yet verified has not been acknowledged: the
			// new duty to acknowledge applies to it.
			r.AcknowledgeBy = d.AcknowledgeBy
		}
		dueNow := newDue
		if newExt != nil {
			dueNow = *newExt
		}
		law := rules.Law
		if len(rules.Overridden) > 0 {
			var parts []string
			for _, o := range rules.Overridden {
				parts = append(parts, o.String())
			}
			law += "; " + strings.Join(parts, "; ")
		}
		note := fmt.Sprintf("the rules changed (%s); the deadline stays %s", law, was.Format("2006-01-02"))
		if dueNow.Before(was) {
			earlier = true
			r.LawFlag = fmt.Sprintf("The deadline moved earlier, from %s to %s, because the rules changed (%s). The person was told %s.",
				was.Format("2 January 2006"), dueNow.Format("2 January 2006"), law, was.Format("2 January 2006"))
			note = fmt.Sprintf("the rules changed (%s); the deadline moved earlier, from %s to %s", law, was.Format("2006-01-02"), dueNow.Format("2006-01-02"))
		} else if d.DueAt.After(r.DueAt) {
			note += ", as the person was told (the rules now give until " + d.DueAt.Format("2006-01-02") + ")"
		}
		first := r.LawDigest == ""
		r.DueAt, r.ExtendedUntil, r.LawDigest = newDue, newExt, digest
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if first && !earlier && !d.DueAt.After(was) {
			// Made before Custos kept digests, and its deadline is as the
			// rules give it now: nothing changed to record.
			return nil
		}
		return s.history(ctx, tx, r.ID, "system", "law_recomputed", r.Status, note)
	})
	return earlier, err
}

// extendFrom is the extended deadline the rules give r, counted as Extend
// counts it, from a first deadline of due.
func extendFrom(os jurisdiction.Overrides, r store.Request, due time.Time) (time.Time, error) {
	d, err := os.Extend(jurisdiction.Deadlines{ReceivedAt: r.ReceivedAt, DueAt: due}, r.Jurisdiction, r.Type)
	if err != nil {
		return time.Time{}, err
	}
	return *d.ExtendedUntil, nil
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// recomputeOnce runs Recompute when the active policy version differs from
// the one last recomputed for in this process (a restart recomputes once
// more, finding nothing to do for requests already in line), and returns
// the active policy's overrides.
func (s *Service) recomputeOnce(ctx context.Context) (jurisdiction.Overrides, error) {
	p, v, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	s.recomputeMu.Lock()
	defer s.recomputeMu.Unlock()
	if s.recomputedFor != v.Version || v.Version == 0 {
		if _, err := s.Recompute(ctx); err != nil {
			return nil, err
		}
		s.recomputedFor = v.Version
	}
	return p.LawOverrides(), nil
}
