package auth

import (
	"slices"

	"github.com/custos-privacy/custos"
)

// Right names one thing an operator may do. Every API route and console
// page names the right it needs, and Matrix is the one place that says
// which roles hold it: a role can do exactly what this table gives it.
type Right string

// The rights. Each says what it lets a caller do, so a reviewer can read
// the table below as the security model.
const (
	// ReadPolicy reads the active policy and its versions (no personal data).
	ReadPolicy Right = "policy.read"
	// ValidatePolicy runs a manifest through the validator: it parses
	// untrusted YAML, so it is kept to those who write manifests.
	ValidatePolicy Right = "policy.validate"
	// PublishPolicy publishes a new manifest version.
	PublishPolicy Right = "policy.publish"
	// ManageTokens creates, lists and revokes operator tokens.
	ManageTokens Right = "tokens.manage"
	// ReadAudit reads and verifies the audit chain.
	ReadAudit Right = "audit.read"
	// ReadMetrics reads the Prometheus metrics on the main address.
	ReadMetrics Right = "metrics.read"
	// Ingest records what a company's services do: collections and
	// disclosures, consent choices, lifecycle facts as of now, and asks
	// for decisions and unsubscribe links. It never destroys data.
	Ingest Right = "ingest"
	// RecordLifecycle records a lifecycle fact (account closed, end of
	// relationship); an ingest token records it as of now only.
	RecordLifecycle Right = "lifecycle.record"
	// BackdateLifecycle records a lifecycle fact (account closed, end of
	// relationship) at a past moment, which can bring retention forward.
	BackdateLifecycle Right = "lifecycle.backdate"
	// ReadReports reads the computed statements and registers: CCPA,
	// Article 30, aggregates, request metrics, retention, holds,
	// contracts and the dataset catalogue. None holds a person's values.
	ReadReports Right = "reports.read"
	// ManageContracts records contracts with recipients.
	ManageContracts Right = "contracts.manage"
	// ReadSubjects sees what is held about a person (categories,
	// sources, purposes, dates) with values masked, and their consents.
	ReadSubjects Right = "subjects.read"
	// ReadSubjectValues sees the decrypted values of a person's records.
	ReadSubjectValues Right = "subjects.read_values"
	// ManageSubjects marks a person a minor, lifts a restriction.
	ManageSubjects Right = "subjects.manage"
	// ReadRequests reads the request queue, a request and its tasks.
	ReadRequests Right = "requests.read"
	// SubmitRequests opens a request on behalf of a person or as their
	// authorised agent.
	SubmitRequests Right = "requests.submit"
	// DecideRequests approves, denies and extends requests, and previews
	// what approving a deletion would erase.
	DecideRequests Right = "requests.decide"
	// ReadRequestDetails reads the person's own words in a request (a
	// complaint's text), decrypted and audited, to answer it.
	ReadRequestDetails Right = "requests.read_details"
	// InstructForController acts on a controller's instruction about data
	// the company processes on its behalf that a request reached: it can
	// erase that data or add it to the person's answer.
	InstructForController Right = "requests.controller_instruction"
	// ManageHolds places and releases legal holds.
	ManageHolds Right = "holds.manage"
	// SweepRetention runs a retention sweep on demand.
	SweepRetention Right = "retention.sweep"
	// ManageSystems imports datasets and adds, lists and tests
	// connections to the company's systems (their URLs hold secrets).
	ManageSystems Right = "systems.manage"
)

var (
	admin   = custos.RoleAdmin
	officer = custos.RolePrivacyOfficer
	agent   = custos.RoleAgent
	auditor = custos.RoleAuditor
	ingest  = custos.RoleIngest
)

// matrix is the permission table: right → the roles that hold it. Admin is
// listed everywhere on purpose rather than implied, so the table reads
// whole.
var matrix = map[Right][]custos.Role{
	ReadPolicy:            {admin, officer, agent, auditor, ingest},
	ValidatePolicy:        {admin, officer},
	PublishPolicy:         {admin},
	ManageTokens:          {admin},
	ReadAudit:             {admin, officer, auditor},
	ReadMetrics:           {admin, auditor},
	Ingest:                {admin, ingest},
	RecordLifecycle:       {admin, officer, ingest},
	BackdateLifecycle:     {admin, officer},
	ReadReports:           {admin, officer, auditor},
	ManageContracts:       {admin, officer},
	ReadSubjects:          {admin, officer, agent},
	ReadSubjectValues:     {admin, officer},
	ManageSubjects:        {admin, officer},
	ReadRequests:          {admin, officer, agent},
	SubmitRequests:        {admin, officer, agent},
	DecideRequests:        {admin, officer},
	ReadRequestDetails:    {admin, officer},
	InstructForController: {admin, officer},
	ManageHolds:           {admin, officer},
	SweepRetention:        {admin, officer},
	ManageSystems:         {admin},
}

// Can reports whether role holds right. An unknown right is held by no one.
func Can(role custos.Role, right Right) bool {
	return slices.Contains(matrix[right], role)
}

// RolesFor lists the roles that hold right, most powerful first.
func RolesFor(right Right) []custos.Role {
	var out []custos.Role
	for _, r := range custos.Roles() {
		if Can(r, right) {
			out = append(out, r)
		}
	}
	return out
}

// Rights lists every right, in a stable order.
func Rights() []Right {
	out := make([]Right, 0, len(matrix))
	for r := range matrix {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}
