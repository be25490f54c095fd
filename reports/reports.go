// Package reports assembles what Custos reports from the facts it keeps:
// the California statement, the Article 30 record and the k-anonymous
// aggregates (computed by package records from grouped events), the data
// map, and the console's counts of requests, consents and undeliverable
// mail. Every number is counted from stored metadata; no person's data is
// opened. The HTTP layer only decodes a period, calls here and encodes.
package reports

import (
	"context"
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
)

// Catalogs is where the company's connected datasets are described: the
// data map shows where each category lives in them.
type Catalogs interface {
	Catalog(ctx context.Context) (*connected.Catalog, error)
}

// Config is what the service reads from.
type Config struct {
	Store    *store.Store
	Policies *policy.Registry
	// Datasets, when set, adds the connected systems to the data map.
	Datasets Catalogs
}

// Service computes the reports.
type Service struct {
	store    *store.Store
	policies *policy.Registry
	datasets Catalogs
}

// New returns a Service.
func New(c Config) *Service {
	return &Service{store: c.Store, policies: c.Policies, datasets: c.Datasets}
}

// CCPA is the California privacy statement for events in [from, to),
// against the policy in force.
func (s *Service) CCPA(ctx context.Context, from, to time.Time) (records.CCPA, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return records.CCPA{}, err
	}
	facts, err := s.store.EventFacts(ctx, from, to)
	if err != nil {
		return records.CCPA{}, err
	}
	return records.CCPAReport(p.Manifest, facts, from, to), nil
}

// RoPA is the Article 30 record of processing for events in [from, to),
// against the policy in force.
func (s *Service) RoPA(ctx context.Context, from, to time.Time) ([]records.ProcessingActivity, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	facts, err := s.store.EventFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return records.RoPA(p.Manifest, facts, from, to), nil
}

// ProcessorRecord is the Article 30(2) record of the processing the
// company carries out on behalf of controllers for events in [from, to),
// against the policy in force.
func (s *Service) ProcessorRecord(ctx context.Context, from, to time.Time) ([]records.ProcessorActivity, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	facts, err := s.store.EventFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return records.ProcessorRecord(p.Manifest, facts, from, to), nil
}

// Aggregate counts events in [from, to) by category, purpose and month,
// suppressing every cell that describes fewer than k people.
func (s *Service) Aggregate(ctx context.Context, from, to time.Time, k int) (records.AggregateReport, error) {
	cells, err := s.store.MonthlyCells(ctx, from, to)
	if err != nil {
		return records.AggregateReport{}, err
	}
	return records.Aggregate(cells, k), nil
}
