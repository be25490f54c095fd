package records

import (
	"context"

	"github.com/custos-privacy/custos"
)

// Contracts lists the contracts on record with recipients (AddContract),
// expired ones included: a disclosure is checked against the one in force
// on its date.
func (s *Service) Contracts(ctx context.Context) ([]custos.Contract, error) {
	return s.store.Contracts(ctx)
}
