package policy

import (
	"context"

	"github.com/custos-privacy/custos"
)

// Versions lists every published version, oldest first: the history an
// operator reads, past, in force and announced alike.
func (r *Registry) Versions(ctx context.Context) ([]custos.PolicyVersion, error) {
	return r.store.PolicyVersions(ctx)
}
