package api_test

import (
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/retention"
)

// The services satisfy the interfaces the handlers are given.
var (
	_ api.Tokens    = (*auth.Service)(nil)
	_ api.Policies  = (*policy.Registry)(nil)
	_ api.Records   = (*records.Service)(nil)
	_ api.Consent   = (*consent.Service)(nil)
	_ api.Requests  = (*requests.Service)(nil)
	_ api.Retention = (*retention.Service)(nil)
	_ api.Connected = (*connected.Service)(nil)
)
