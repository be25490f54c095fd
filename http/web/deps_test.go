package web_test

import (
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/reports"
	"github.com/custos-privacy/custos/requests"
)

// The services satisfy the interfaces the pages are given.
var (
	_ web.Policies   = (*policy.Registry)(nil)
	_ web.Requests   = (*requests.Service)(nil)
	_ web.Consent    = (*consent.Service)(nil)
	_ web.Auth       = (*auth.Service)(nil)
	_ web.Progress   = (*connected.Service)(nil)
	_ web.Reports    = (*reports.Service)(nil)
	_ web.AuditTrail = (*audit.Trail)(nil)
)
