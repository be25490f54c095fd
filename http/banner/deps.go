package banner

import (
	"context"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/policy"
)

// The interfaces below are what the banner's endpoints call, declared
// where they are used (as http/api/deps.go declares the API's): only the
// methods the endpoints need. The services satisfy them; deps_test.go says
// so at compile time.

// Policies reads the policy in force, which the banner's config is drawn
// from (policy.Registry).
type Policies interface {
	Active(ctx context.Context) (*policy.Policy, custos.PolicyVersion, error)
}

// Consent records a visitor's choice in the ledger (consent.Service).
type Consent interface {
	Record(ctx context.Context, actor string, c consent.Choice, gpcHeader bool) (consent.Recorded, error)
}
