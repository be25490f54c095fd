package client

import (
	"context"
	"net/url"
	"time"
)

// RecordEvent records a collection or disclosure (ingest).
func (c *Client) RecordEvent(ctx context.Context, e Event) (Recorded, error) {
	var out Recorded
	err := c.do(ctx, "POST", "/api/v1/events", nil, e, &out)
	return out, err
}

// RecordEvents records up to 10,000 events, all or nothing, and returns
// how many were accepted (ingest).
func (c *Client) RecordEvents(ctx context.Context, events []Event) (int, error) {
	var out struct {
		Accepted int `json:"accepted"`
	}
	err := c.do(ctx, "POST", "/api/v1/events:batch", nil, map[string]any{"events": events}, &out)
	return out.Accepted, err
}

// Decide asks whether a purpose may be pursued now (ingest).
func (c *Client) Decide(ctx context.Context, q DecisionRequest) (Decision, error) {
	var out Decision
	err := c.do(ctx, "POST", "/api/v1/decisions", nil, q, &out)
	return out, err
}

// DecideMany answers many decisions at once, in order (ingest).
func (c *Client) DecideMany(ctx context.Context, qs []DecisionRequest) ([]Decision, error) {
	var out struct {
		Decisions     []Decision `json:"decisions"`
		PolicyVersion int64      `json:"policy_version"`
	}
	err := c.do(ctx, "POST", "/api/v1/decisions:batch", nil, map[string]any{"decisions": qs}, &out)
	for i := range out.Decisions {
		out.Decisions[i].PolicyVersion = out.PolicyVersion
	}
	return out.Decisions, err
}

// RecordConsent records a person's choice and returns its signed receipt
// (ingest).
func (c *Client) RecordConsent(ctx context.Context, ch Consent) (ConsentReceipt, error) {
	var out ConsentReceipt
	err := c.do(ctx, "POST", "/api/v1/consents", nil, ch, &out)
	return out, err
}

// SubmitRequest makes a privacy request as the person would; it awaits
// the code mailed to them (public: no token needed).
func (c *Client) SubmitRequest(ctx context.Context, r NewRequest) (Submitted, error) {
	var out Submitted
	err := c.do(ctx, "POST", "/api/v1/privacy-requests", nil, r, &out)
	return out, err
}

// Request returns the operator's view of a request, history included
// (admin, privacy_officer, agent).
func (c *Client) Request(ctx context.Context, id string) (Request, error) {
	var out Request
	err := c.do(ctx, "GET", "/api/v1/privacy-requests/"+url.PathEscape(id), nil, nil, &out)
	return out, err
}

// Requests lists the queue, soonest legal deadline first; status ""
// lists every status (admin, privacy_officer, agent).
func (c *Client) Requests(ctx context.Context, status string) ([]Request, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	var out struct {
		Requests []Request `json:"requests"`
	}
	err := c.do(ctx, "GET", "/api/v1/privacy-requests", q, nil, &out)
	return out.Requests, err
}

// Approve approves a request pending review (admin, privacy_officer).
func (c *Client) Approve(ctx context.Context, id string, a Approval) (Request, error) {
	var out Request
	err := c.do(ctx, "POST", "/api/v1/privacy-requests/"+url.PathEscape(id)+"/approve", nil, a, &out)
	return out, err
}

// Deny denies a request with its reason (admin, privacy_officer).
func (c *Client) Deny(ctx context.Context, id string, d Denial) (Request, error) {
	var out Request
	err := c.do(ctx, "POST", "/api/v1/privacy-requests/"+url.PathEscape(id)+"/deny", nil, d, &out)
	return out, err
}

// Extend takes the extension the request's law allows, telling the
// person why (admin, privacy_officer).
func (c *Client) Extend(ctx context.Context, id, reason string) (Request, error) {
	var out Request
	err := c.do(ctx, "POST", "/api/v1/privacy-requests/"+url.PathEscape(id)+"/extend", nil, map[string]string{"reason": reason}, &out)
	return out, err
}

// ErasurePreview says what approving a deletion would do in the
// connected systems, writing nothing (admin, privacy_officer).
func (c *Client) ErasurePreview(ctx context.Context, id string) (ErasurePreview, error) {
	var out ErasurePreview
	err := c.do(ctx, "GET", "/api/v1/privacy-requests/"+url.PathEscape(id)+"/erasure-preview", nil, nil, &out)
	return out, err
}

// RoPA returns the record of processing activities (GDPR Art. 30(1)) for
// the events between from and to; zero times are the API's defaults (the
// 12 months up to now) (admin, privacy_officer, auditor).
func (c *Client) RoPA(ctx context.Context, from, to time.Time) ([]ProcessingActivity, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", from.UTC().Format(time.RFC3339))
	}
	if !to.IsZero() {
		q.Set("to", to.UTC().Format(time.RFC3339))
	}
	var out struct {
		Activities []ProcessingActivity `json:"activities"`
	}
	err := c.do(ctx, "GET", "/api/v1/reports/ropa", q, nil, &out)
	return out.Activities, err
}

// Verify confirms a request with the 6-digit code mailed to the person;
// the answer carries the access token with which the person follows the
// request (public: a privacy form of the company's own calls it).
func (c *Client) Verify(ctx context.Context, id, code string) (Verified, error) {
	var out Verified
	err := c.do(ctx, "POST", "/api/v1/privacy-requests/"+url.PathEscape(id)+"/verify", nil, map[string]string{"code": code}, &out)
	return out, err
}
