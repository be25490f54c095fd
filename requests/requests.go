// Package requests handles privacy requests: intake without enumeration,
// proof of control of an e-mail address by a mailed code, deadlines and
// limits from the person's jurisdiction, review by a privacy officer, and
// fulfilment of each right from Custos' own records, with the answer
// behind a link only the person holds.
package requests

import (
	"errors"
	"slices"
)

// ErrPending is what Fulfil returns while a connected system has yet to
// answer by callback: the request is not done, nothing failed, and the job
// that runs it sleeps until the callback wakes it.
var ErrPending = errors.New("requests: waiting for an asynchronous system")

// Request types (CONTRACT.md).
const (
	TypeAccess                     = "access"
	TypeCategories                 = "categories"
	TypeDeletion                   = "deletion"
	TypeCorrection                 = "correction"
	TypeRestriction                = "restriction"
	TypePortability                = "portability"
	TypeOptOut                     = "opt_out"
	TypeObjection                  = "objection"
	TypeDirectMarketingDisclosures = "direct_marketing_disclosures"
	TypeAppeal                     = "appeal"
	// TypeComplaint: a complaint to the controller about the processing
	// of the person's data (DPA 2018 s. 164A), answered with a decision
	// text and the route to the regulator.
	TypeComplaint = "complaint"
)

// Types lists every request type.
func Types() []string {
	return []string{TypeAccess, TypeCategories, TypeDeletion, TypeCorrection, TypeRestriction, TypePortability,
		TypeOptOut, TypeObjection, TypeDirectMarketingDisclosures, TypeAppeal, TypeComplaint}
}

// Statuses (CONTRACT.md).
const (
	StatusAwaitingVerification = "awaiting_verification"
	StatusPendingReview        = "pending_review"
	StatusInProgress           = "in_progress"
	StatusCompleted            = "completed"
	StatusDenied               = "denied"
	StatusCanceled             = "canceled"
)

// open reports whether a request still needs work.
func open(status string) bool {
	return status == StatusAwaitingVerification || status == StatusPendingReview || status == StatusInProgress
}

// canMove is the state machine: awaiting_verification → pending_review →
// in_progress → completed | denied | canceled. Verification may skip review
// (auto-approved types); any open request may be denied or canceled.
func canMove(from, to string) bool {
	switch from {
	case StatusAwaitingVerification:
		return slices.Contains([]string{StatusPendingReview, StatusInProgress, StatusDenied, StatusCanceled}, to)
	case StatusPendingReview:
		return slices.Contains([]string{StatusInProgress, StatusDenied, StatusCanceled}, to)
	case StatusInProgress:
		return slices.Contains([]string{StatusCompleted, StatusDenied, StatusCanceled}, to)
	}
	return false
}

// Deny reason codes.
const (
	DenyRequestLimit        = "request_limit"
	DenyUnverifiable        = "unverifiable"
	DenyExempt              = "exempt"
	DenyManifestlyUnfounded = "manifestly_unfounded"
	DenyNotApplicable       = "not_applicable"
	DenyOther               = "other"
)

// DenyReasons lists the codes an officer may deny with.
func DenyReasons() []string {
	return []string{DenyRequestLimit, DenyUnverifiable, DenyExempt, DenyManifestlyUnfounded, DenyNotApplicable, DenyOther}
}
