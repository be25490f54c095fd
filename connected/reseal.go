package connected

import (
	"context"
	"fmt"

	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// ResealConnections re-encrypts every connection's URL and secret under the
// master key's current primary, after a rotation. It returns how many it
// re-sealed.
func ResealConnections(ctx context.Context, s *store.Store, m *vault.Master) (int, error) {
	rows, err := s.Connections(ctx)
	if err != nil {
		return 0, err
	}
	err = s.InTx(ctx, func(tx *store.Tx) error {
		for _, r := range rows {
			u, err := m.Open(r.URLSealed, urlContext(r.Name))
			if err != nil {
				return fmt.Errorf("dsr: connection %s: %w", r.Name, err)
			}
			if r.URLSealed, err = m.Seal(u, urlContext(r.Name)); err != nil {
				return err
			}
			if len(r.SecretSealed) > 0 {
				sec, err := m.Open(r.SecretSealed, secretContext(r.Name))
				if err != nil {
					return fmt.Errorf("dsr: connection %s: %w", r.Name, err)
				}
				if r.SecretSealed, err = m.Seal(sec, secretContext(r.Name)); err != nil {
					return err
				}
			}
			if err := tx.ResealConnection(ctx, r.Name, r.URLSealed, r.SecretSealed); err != nil {
				return err
			}
		}
		return nil
	})
	return len(rows), err
}
