package requests

import (
	"context"
	"errors"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Previewer is the part of a Runner that shows an erasure before it is
// approved (package dsr).
type Previewer interface {
	Preview(ctx context.Context, job connected.Job) (connected.Preview, error)
	PlanDigest(ctx context.Context, ids map[string][]string, digest string) error
}

// approvedAs starts the history note of an approval of a previewed plan;
// the digest follows it, and the run reads it back (approvedPlan).
const approvedAs = "Approved the previewed erasure plan "

// ErasurePreview shows what approving a deletion request would do in the
// company's connected systems, writing nothing there. The person's rows
// are read to count them (never returned), so the read is audited.
func (s *Service) ErasurePreview(ctx context.Context, actor, id string) (connected.Preview, error) {
	pv, ok := s.runner.(Previewer)
	if s.runner == nil || !ok {
		return connected.Preview{}, custos.Errorf(custos.KindConflict, "no_connected_systems", "No connected systems are configured: a deletion erases only Custos' own records.")
	}
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return connected.Preview{}, err
	}
	det, err := s.asked(ctx, r)
	if err != nil {
		return connected.Preview{}, err
	}
	if det.Type != TypeDeletion {
		return connected.Preview{}, custos.Errorf(custos.KindConflict, "not_deletion", "Only a deletion request has an erasure preview; this one is %s.", det.Type)
	}
	switch r.Status {
	case StatusCompleted, StatusDenied, StatusCanceled:
		return connected.Preview{}, custos.Errorf(custos.KindConflict, "request_closed", "The request is %s: there is nothing left to preview.", r.Status)
	}
	ids, err := s.identities(ctx, actor, r, "erasure preview "+r.ID)
	if err != nil {
		return connected.Preview{}, err
	}
	if err := s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "request.erasure_preview", Object: "request:" + r.ID})
		return err
	}); err != nil {
		return connected.Preview{}, err
	}
	return pv.Preview(ctx, connected.Job{RequestID: r.ID, Kind: connected.KindErasure, Identities: ids})
}

// identities are what the person of r is known by in connected systems,
// as the run will use them (connected).
func (s *Service) identities(ctx context.Context, actor string, r store.Request, reason string) (map[string][]string, error) {
	email, err := s.email(r)
	if err != nil {
		return nil, err
	}
	sid := r.SubjectID
	if sid == "" {
		if found, err := s.records.FindSubject(ctx, custos.SubjectRef{Email: email}); err == nil {
			sid = found
		}
	}
	var recs records.Records
	if sid != "" {
		if recs, err = s.records.SubjectRecords(ctx, actor, reason, sid); err != nil && !errors.Is(err, vault.ErrErased) {
			return nil, err
		}
	}
	return jobIdentities(email, recs.Identities), nil
}

// checkPlan answers plan_changed unless digest is the erasure plan in
// force for the person of r.
func (s *Service) checkPlan(ctx context.Context, actor string, r store.Request, digest string) error {
	pv, ok := s.runner.(Previewer)
	if s.runner == nil || !ok {
		return custos.Errorf(custos.KindConflict, connected.CodePlanChanged, "No connected systems are configured any more: there is no erasure plan to approve.")
	}
	det, err := s.asked(ctx, r)
	if err != nil {
		return err
	}
	if det.Type != TypeDeletion {
		return custos.Errorf(custos.KindInvalid, "not_deletion", "Only a deletion request is approved with a plan; this one is %s.", det.Type)
	}
	ids, err := s.identities(ctx, actor, r, "erasure plan check "+r.ID)
	if err != nil {
		return err
	}
	return pv.PlanDigest(ctx, ids, digest)
}

// approvedPlan is the plan digest an officer approved a request with, or
// "" when it was approved without one.
func (s *Service) approvedPlan(ctx context.Context, id string) (string, error) {
	evs, err := s.store.RequestEvents(ctx, id)
	if err != nil {
		return "", err
	}
	plan := ""
	for _, e := range evs {
		if e.Action == "approved" {
			plan, _ = strings.CutPrefix(e.Note, approvedAs)
			if plan == e.Note {
				plan = ""
			}
			plan = strings.TrimSuffix(plan, ".")
		}
	}
	return plan, nil
}

// The connected systems' runner previews.
var _ Previewer = (*connected.Service)(nil)
