package banner_test

import (
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/banner"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// The services satisfy the interfaces the endpoints are given.
var (
	_ banner.Policies     = (*policy.Registry)(nil)
	_ banner.Consent      = (*consent.Service)(nil)
	_ banner.DeviceClaims = (*store.Store)(nil)
)
