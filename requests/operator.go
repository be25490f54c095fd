package requests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/store"
)

// View is a request as operators see it: no address in the clear unless
// asked, the deadlines, and the history.
type View struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Status       string `json:"status"`
	Jurisdiction string `json:"jurisdiction"`
	// Language is the language the person used: their mails are in it.
	Language      string     `json:"language"`
	Law           string     `json:"law"`
	Channel       string     `json:"channel"`
	Agent         string     `json:"agent,omitempty"`
	SubjectKnown  bool       `json:"subject_known"`
	AppealOf      string     `json:"appeal_of,omitempty"`
	DuplicateOf   string     `json:"duplicate_of,omitempty"`
	ReceivedAt    time.Time  `json:"received_at"`
	VerifiedAt    *time.Time `json:"verified_at,omitempty"`
	AcknowledgeBy *time.Time `json:"acknowledge_by,omitempty"`
	DueAt         time.Time  `json:"due_at"`
	ExtendedUntil *time.Time `json:"extended_until,omitempty"`
	Overdue       bool       `json:"overdue"`
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
	Decision      *Decision  `json:"decision,omitempty"`
	// LawRules is the law that governs the request, with the policy's
	// overrides; LawFlag tells the officer that a change of the rules
	// moved the deadline earlier (see Recompute).
	LawRules LawView `json:"law_rules"`
	LawFlag  string  `json:"law_flag,omitempty"`
	// OpenedFor says why a request no person made was opened: "minor"
	// (a date of birth under the policy's age threshold).
	OpenedFor string       `json:"opened_for,omitempty"`
	Reason    string       `json:"reason,omitempty"`
	History   []HistoryRow `json:"history,omitempty"`
}

// Decision is a denial's reason.
type Decision struct {
	Code string `json:"code"`
	Text string `json:"text"`
	By   string `json:"by"`
}

// HistoryRow is one step of a request.
type HistoryRow struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
}

func (s *Service) view(ctx context.Context, r store.Request, os jurisdiction.Overrides) (View, error) {
	p, _, err := s.openPrivate(ctx, r)
	if err != nil {
		return View{}, err
	}
	rules := os.ForAt(r.Jurisdiction, r.Type, r.ReceivedAt)
	v := View{ID: r.ID, Type: r.Type, Status: r.Status, Jurisdiction: r.Jurisdiction, Language: r.Language, Law: rules.Law, LawRules: lawView(rules), LawFlag: r.LawFlag,
		Channel: r.Channel, Agent: p.AgentName, SubjectKnown: r.SubjectID != "", AppealOf: r.AppealOf, DuplicateOf: r.DuplicateOf,
		ReceivedAt: r.ReceivedAt, VerifiedAt: r.VerifiedAt, AcknowledgeBy: r.AcknowledgeBy, DueAt: r.DueAt,
		ExtendedUntil: r.ExtendedUntil, CompletedAt: r.CompletedAt}
	due := r.DueAt
	if r.ExtendedUntil != nil {
		due = *r.ExtendedUntil
	}
	v.Overdue = open(r.Status) && s.clock.Now().After(due)
	if r.OpenedFor == ReasonMinor {
		v.OpenedFor = ReasonMinor
		v.Reason = "Opened because the person is under the policy's age threshold: their data is to be deleted."
	}
	if r.DecisionCode != "" {
		v.Decision = &Decision{Code: r.DecisionCode, Text: p.DecisionText, By: r.DecidedBy}
	}
	return v, nil
}

// Queue lists requests by legal deadline, soonest first.
func (s *Service) Queue(ctx context.Context, status string) ([]View, error) {
	if status != "" && !slices.Contains([]string{StatusAwaitingVerification, StatusPendingReview, StatusInProgress, StatusCompleted, StatusDenied, StatusCanceled}, status) {
		return nil, invalid("status", "status must be one of awaiting_verification, pending_review, in_progress, completed, denied, canceled.")
	}
	os, err := s.recomputeOnce(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := s.store.Requests(ctx, status, queueLimit)
	if err != nil {
		return nil, err
	}
	out := make([]View, len(rs))
	for i, r := range rs {
		if out[i], err = s.view(ctx, r, os); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Get returns one request with its history.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return View{}, err
	}
	return s.withHistory(ctx, r)
}

// withHistory is the view of r, as read or just written, with its history.
func (s *Service) withHistory(ctx context.Context, r store.Request) (View, error) {
	os, err := s.overrides(ctx)
	if err != nil {
		return View{}, err
	}
	v, err := s.view(ctx, r, os)
	if err != nil {
		return View{}, err
	}
	evs, err := s.store.RequestEvents(ctx, r.ID)
	if err != nil {
		return View{}, err
	}
	for _, e := range evs {
		v.History = append(v.History, HistoryRow{At: e.At, Actor: e.Actor, Action: e.Action, Status: e.Status, Note: e.Note})
	}
	return v, nil
}

// SubmitOnBehalf records a request an operator took by phone, mail or in
// person, or from an authorised agent with proof of permission. The
// operator vouches for the identity check, so no code is mailed; the
// request goes to review.
func (s *Service) SubmitOnBehalf(ctx context.Context, actor string, in Intake) (View, error) {
	email, err := s.check(in)
	if err != nil {
		return View{}, err
	}
	channels := []string{"phone", "mail", "in_person", "email", "agent"}
	if !slices.Contains(channels, in.Channel) {
		return View{}, invalid("channel", "channel must be one of phone, mail, in_person, email, agent.")
	}
	if in.AgentName != "" && in.AgentProof == "" {
		return View{}, invalid("agent_proof", "An authorised agent needs proof of the person's permission (agent_proof: a reference to the signed permission).")
	}
	id := newID()
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	r, err := s.newRequest(ctx, id, in, email, s.records.Blind(custos.IdentityEmail, email), in.Channel, now)
	if err != nil {
		return View{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		note := "channel " + in.Channel
		if in.AgentName != "" {
			note += "; authorised agent with proof on file"
		}
		if err := s.history(ctx, tx, id, actor, "received", r.Status, note); err != nil {
			return err
		}
		r.VerifiedAt = &now
		return s.afterVerification(ctx, tx, &r)
	})
	if err != nil {
		return View{}, err
	}
	s.outbox.Wake()
	if r.Status == StatusInProgress {
		if r, err = s.proceed(ctx, actor, r); err != nil {
			return View{}, err
		}
	}
	return s.withHistory(ctx, r)
}

// Approve moves a request under review to work and fulfils it. An appeal
// must be decided by someone other than who denied the original.
func (s *Service) Approve(ctx context.Context, actor, id string) (View, error) {
	return s.ApprovePlan(ctx, actor, id, "")
}

// ApprovePlan is Approve for a deletion whose erasure preview the officer
// read: plan is the preview's digest, and the request is approved only
// while that is the plan in force (else plan_changed, naming what
// changed), and then run with exactly that plan. An empty plan approves as
// Approve.
func (s *Service) ApprovePlan(ctx context.Context, actor, id, plan string) (View, error) {
	return s.ApproveWith(ctx, actor, id, plan, "")
}

// MaxDecision bounds the officer's answer text.
const MaxDecision = 3000

// ApproveWith is ApprovePlan with a decision text the person reads: a
// complaint is approved as answered, and its answer is that text
// (required for a complaint, refused for other types, whose answer is the
// right exercised).
func (s *Service) ApproveWith(ctx context.Context, actor, id, plan, decision string) (View, error) {
	if len(decision) > MaxDecision {
		return View{}, invalid("decision", "decision must be at most %d bytes.", MaxDecision)
	}
	note := ""
	if plan != "" {
		if len(plan) > 100 || !strings.HasPrefix(plan, "sha256:") {
			return View{}, invalid("plan", "plan must be the digest an erasure preview gave (sha256:…).")
		}
		r, err := s.store.Request(ctx, id)
		if err != nil {
			return View{}, err
		}
		if r.Status != StatusPendingReview {
			return View{}, custos.Errorf(custos.KindConflict, "invalid_transition", "Only a request pending review can be approved; this one is %s.", r.Status)
		}
		if err := s.checkPlan(ctx, actor, r, plan); err != nil {
			return View{}, err
		}
		note = approvedAs + plan + "."
	}
	var r store.Request
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.RequestForUpdate(ctx, id); err != nil {
			return err
		}
		if r.Status != StatusPendingReview {
			return custos.Errorf(custos.KindConflict, "invalid_transition", "Only a request pending review can be approved; this one is %s.", r.Status)
		}
		if err := s.independentReviewer(ctx, tx, r, actor); err != nil {
			return err
		}
		if r.Type == TypeComplaint && strings.TrimSpace(decision) == "" {
			return invalid("decision", "A complaint is answered with a decision: the outcome the person reads (DPA 2018 s. 164A(4)(b)).")
		}
		if r.Type != TypeComplaint && decision != "" {
			return invalid("decision", "Only a complaint is approved with a decision text.")
		}
		r.DecidedBy = actor
		if decision != "" {
			r.DecisionCode, r.DecisionText = "answered", decision
		}
		return s.move(ctx, tx, &r, StatusInProgress, actor, "approved", note)
	})
	if err != nil {
		return View{}, err
	}
	if r, err = s.proceed(ctx, actor, r); err != nil {
		return View{}, err
	}
	return s.withHistory(ctx, r)
}

func (s *Service) independentReviewer(ctx context.Context, tx *store.Tx, r store.Request, actor string) error {
	if r.Type != TypeAppeal {
		return nil
	}
	orig, err := tx.Request(ctx, r.AppealOf)
	if err != nil {
		return err
	}
	if orig.DecidedBy == actor {
		return custos.Errorf(custos.KindForbidden, "same_reviewer", "An appeal is decided by someone other than who denied the original request.")
	}
	return nil
}

// Deny refuses a request with a reason code and a text the person reads,
// together with where to complain or appeal.
func (s *Service) Deny(ctx context.Context, actor, id, code, text string) (View, error) {
	if !slices.Contains(DenyReasons(), code) {
		return View{}, invalid("reason_code", "reason_code must be one of request_limit, unverifiable, exempt, manifestly_unfounded, not_applicable, other.")
	}
	if len(text) < 10 {
		return View{}, invalid("reason", "reason must explain the denial to the person in a sentence.")
	}
	var r store.Request
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.RequestForUpdate(ctx, id); err != nil {
			return err
		}
		if r.Status != StatusPendingReview && r.Status != StatusInProgress {
			return custos.Errorf(custos.KindConflict, "invalid_transition", "Only a request under review or in progress can be denied; this one is %s.", r.Status)
		}
		if err := s.independentReviewer(ctx, tx, r, actor); err != nil {
			return err
		}
		r.DecisionCode, r.DecisionText, r.DecidedBy = code, text, actor
		if err := s.move(ctx, tx, &r, StatusDenied, actor, "denied", code); err != nil {
			return err
		}
		email, err := s.email(r)
		if err != nil {
			return err
		}
		return s.mailOutcome(ctx, tx, r, email)
	})
	if err != nil {
		return View{}, err
	}
	s.outbox.Wake()
	return s.withHistory(ctx, r)
}

// CodeExtensionTooLate refuses an extension asked for after the first
// deadline.
const CodeExtensionTooLate = "extension_too_late"

// ErrExtensionTooLate matches (errors.Is) the refusal of an extension asked
// for after the first deadline.
var ErrExtensionTooLate = &custos.Error{Kind: custos.KindConflict, Code: CodeExtensionTooLate,
	Message: "The first deadline has passed: an extension needs notice to the person before it."}

func errExtensionTooLate(due time.Time) error {
	return custos.Errorf(custos.KindConflict, CodeExtensionTooLate,
		"The first deadline, %s, has passed: the law allows an extension only with notice to the person before it. Answer the request now.",
		due.UTC().Format("2 January 2006 15:04 UTC"))
}

// Extend uses the law's one extension, with notice and reasons to the
// person, while the first deadline has not passed.
func (s *Service) Extend(ctx context.Context, actor, id, reason string) (View, error) {
	if len(reason) < 10 {
		return View{}, invalid("reason", "reason must tell the person why more time is needed.")
	}
	var r store.Request
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.RequestForUpdate(ctx, id); err != nil {
			return err
		}
		if !open(r.Status) {
			return custos.Errorf(custos.KindConflict, "invalid_transition", "A %s request cannot be extended.", r.Status)
		}
		os, err := s.overrides(ctx)
		if err != nil {
			return err
		}
		rules := os.ForAt(r.Jurisdiction, r.Type, r.ReceivedAt)
		d, err := os.Extend(jurisdiction.Deadlines{ReceivedAt: r.ReceivedAt, AcknowledgeBy: r.AcknowledgeBy, DueAt: r.DueAt, ExtendedUntil: r.ExtendedUntil},
			r.Jurisdiction, r.Type)
		if err != nil {
			return custos.Wrap(err, custos.KindConflict, "no_extension", err.Error())
		}
		// The person must be told of an extension within the first period
		// (GDPR Art. 12(3); Cal. Civ. Code §1798.130(a)(2)(A), 11 CCR
		// §7021(b)): once it has passed, the request is overdue, and an
		// extension would only hide that.
		if s.clock.Now().After(r.DueAt) {
			return errExtensionTooLate(r.DueAt)
		}
		r.ExtendedUntil = d.ExtendedUntil
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := s.history(ctx, tx, id, actor, "extended", r.Status, "until "+d.ExtendedUntil.Format("2006-01-02")); err != nil {
			return err
		}
		p, _, err := s.policies.Active(ctx)
		if err != nil {
			return err
		}
		email, err := s.email(r)
		if err != nil {
			return err
		}
		l := r.Language
		return s.enqueue(ctx, tx, p.Manifest, l, email, mail.TemplateRequestExtended, mail.RequestExtended{Organisation: org(p.Manifest),
			RequestID: id, Request: yourRequest(l, r.Type), Due: *d.ExtendedUntil, Reason: reason, StatusURL: s.statusURL(id),
			Law: lawLine(l, rules), Complaint: extensionComplaint(l, rules)})
	})
	if err != nil {
		return View{}, err
	}
	s.outbox.Wake()
	return s.withHistory(ctx, r)
}

// mailOutcome tells the person how a request ended.
func (s *Service) mailOutcome(ctx context.Context, tx *store.Tx, r store.Request, email string) error {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return err
	}
	text, _, err := s.openPrivate(ctx, r)
	if err != nil {
		return err
	}
	rules, err := s.rules(ctx, r)
	if err != nil {
		return err
	}
	switch r.Status {
	case StatusDenied:
		appeal := ""
		if rules.Appeal != nil && r.Type != TypeAppeal {
			appeal = s.baseURL + "/privacy-center?type=appeal&appeal_of=" + r.ID
		}
		authority := rules.Complaint
		if r.Type == TypeAppeal && rules.Appeal != nil {
			authority = rules.Appeal.Authority
		}
		// The reason is the officer's (or the law table's) own words and
		// goes as written; the rest is in the person's language.
		return s.enqueue(ctx, tx, p.Manifest, r.Language, email, mail.TemplateRequestDenied, mail.RequestDenied{Organisation: org(p.Manifest),
			RequestID: r.ID, Request: yourRequest(r.Language, r.Type), Reason: text.DecisionText, AppealURL: appeal,
			Authority: i18n.Term(r.Language, authority)})
	case StatusCompleted:
		d := mail.RequestCompleted{Organisation: org(p.Manifest), RequestID: r.ID, Request: yourRequest(r.Language, r.Type),
			ResultsURL: s.statusURL(r.ID)}
		if r.ResultExpiresAt != nil {
			d.ExpiresAt = *r.ResultExpiresAt
		}
		return s.enqueue(ctx, tx, p.Manifest, r.Language, email, mail.TemplateRequestCompleted, d)
	}
	return nil
}

func (s *Service) details(ctx context.Context, r store.Request) (details, error) {
	var d details
	if r.DetailsSealed == nil {
		p, _, err := s.openPrivate(ctx, r)
		d.Corrections, d.BeyondTwelveMonths = p.Corrections, p.BeyondTwelveMonths
		return d, err
	}
	b, err := s.master.Open(r.DetailsSealed, s.sealContext(r.ID, "details"))
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(b, &d)
}

// Resume finishes requests left in progress, as after a crash between
// approval and completion. Fulfilment is idempotent: what was already done
// (an erasure, a recorded opt-out) is found done, and the request completes.
func (s *Service) Resume(ctx context.Context) (int, error) {
	rs, err := s.store.Requests(ctx, StatusInProgress, queueLimit)
	if err != nil {
		return 0, err
	}
	done := 0
	var errs []error
	for _, r := range rs {
		// One request that cannot finish must not hold up the others.
		if _, err := s.proceed(ctx, "system", r); err != nil {
			errs = append(errs, fmt.Errorf("requests: resuming %s: %w", r.ID, err))
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

// SubmitForMinor opens and fulfils a deletion of what Custos holds about a
// minor at once: an officer's report (POST /api/v1/subjects/minor).
func (s *Service) SubmitForMinor(ctx context.Context, actor, subjectID, jurisdiction string) (string, error) {
	r, err := s.openForMinor(ctx, actor, subjectID, jurisdiction, StatusInProgress, time.Time{})
	if err != nil {
		return "", err
	}
	_, err = s.proceed(ctx, actor, r)
	return r.ID, err
}

// OpenMinorDeletion opens a deletion of a minor's data for a privacy
// officer to review, due by due (now plus the policy's
// children.deletion_window; the law's deadline when that is sooner or due
// is zero). Nothing is deleted until an officer approves.
func (s *Service) OpenMinorDeletion(ctx context.Context, actor, subjectID, jurisdiction string, due time.Time) (string, error) {
	r, err := s.openForMinor(ctx, actor, subjectID, jurisdiction, StatusPendingReview, due)
	return r.ID, err
}

// ReasonMinor marks a request opened because the person is under the
// policy's age threshold.
const ReasonMinor = "minor"

func (s *Service) openForMinor(ctx context.Context, actor, subjectID, jurisdiction, status string, due time.Time) (store.Request, error) {
	recs, err := s.records.SubjectRecords(ctx, actor, "minor deletion", subjectID)
	if err != nil {
		return store.Request{}, err
	}
	email := ""
	for _, id := range recs.Identities {
		if id.Kind == custos.IdentityEmail {
			email = id.Value
			break
		}
	}
	if email == "" {
		// The request record needs an address to answer to; a subject known
		// only by phone or external id is answered to the company's contact.
		p, _, err := s.policies.Active(ctx)
		if err != nil {
			return store.Request{}, err
		}
		email = p.Contact.Email
	}
	if jurisdiction == "" {
		jurisdiction = "US"
	}
	id := newID()
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	r, err := s.newRequest(ctx, id, Intake{Type: TypeDeletion, Email: email, Jurisdiction: jurisdiction}, email,
		s.records.Blind(custos.IdentityEmail, email), "system", now)
	if err != nil {
		return store.Request{}, err
	}
	r.SubjectID, r.VerifiedAt, r.Status, r.OpenedFor = subjectID, &now, status, ReasonMinor
	if !due.IsZero() && due.Before(r.DueAt) {
		r.DueAt = due.UTC().Truncate(time.Microsecond)
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		return s.history(ctx, tx, id, actor, "received", r.Status, "reason minor: under the policy's age threshold")
	})
	if err != nil {
		return store.Request{}, err
	}
	return r, nil
}

// Remind mails the privacy team (the policy's contact address) a digest of
// open requests due within the next days, and those overdue. It names
// requests by id, type and deadline only. It returns how many it listed.
func (s *Service) Remind(ctx context.Context, within time.Duration) (int, error) {
	// Deadlines first brought in line with the rules in force.
	if _, err := s.recomputeOnce(ctx); err != nil {
		return 0, err
	}
	var open []store.Request
	for _, status := range []string{StatusPendingReview, StatusInProgress} {
		rs, err := s.store.Requests(ctx, status, queueLimit)
		if err != nil {
			return 0, err
		}
		open = append(open, rs...)
	}
	now := s.clock.Now()
	var overdue, soon []string
	for _, r := range open {
		if r.Status != StatusPendingReview && r.Status != StatusInProgress {
			continue
		}
		due := r.DueAt
		if r.ExtendedUntil != nil {
			due = *r.ExtendedUntil
		}
		line := fmt.Sprintf("- %s (%s, %s): due %s", r.ID, r.Type, r.Jurisdiction, due.Format("Monday 2 January 2006"))
		if r.LawFlag != "" {
			line += " (deadline moved earlier: the rules changed)"
		}
		switch {
		case now.After(due):
			overdue = append(overdue, line+" — OVERDUE")
		case due.Sub(now) <= within:
			soon = append(soon, line)
		}
	}
	if len(overdue)+len(soon) == 0 {
		return 0, nil
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return 0, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Privacy requests need attention (%s).\n\n", now.Format("2 January 2006"))
	if len(overdue) > 0 {
		b.WriteString("Overdue:\n" + strings.Join(overdue, "\n") + "\n\n")
	}
	if len(soon) > 0 {
		fmt.Fprintf(&b, "Due within %d days:\n%s\n\n", int(within.Hours()/24), strings.Join(soon, "\n"))
	}
	b.WriteString("Open the queue: " + s.baseURL + "/admin\n")
	msg := mail.Message{To: p.Contact.Email, From: (&netmail.Address{Name: "Custos", Address: p.Contact.Email}).String(),
		Subject: fmt.Sprintf("Privacy requests: %d overdue, %d due soon", len(overdue), len(soon)), Text: b.String()}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.outbox.Enqueue(ctx, tx, msg)
		return err
	})
	if err == nil {
		s.outbox.Wake()
	}
	return len(overdue) + len(soon), err
}

// LiftRestriction ends a restriction of processing (Art. 18). The person is
// told first, with the reason (Art. 18(3)): the notice is in the outbox
// before decisions allow processing again.
func (s *Service) LiftRestriction(ctx context.Context, actor string, ref custos.SubjectRef, reason string) error {
	if len(reason) < 10 {
		return invalid("reason", "reason must tell the person why the restriction ends.")
	}
	sid, err := s.records.FindSubject(ctx, ref)
	if err != nil {
		return err
	}
	if !s.consent.Engine().IsRestricted(sid) {
		return custos.Errorf(custos.KindConflict, "not_restricted", "Processing of this person's data is not restricted.")
	}
	recs, err := s.records.SubjectRecords(ctx, actor, "restriction lift notice", sid)
	if err != nil {
		return err
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return err
	}
	to := ""
	for _, id := range recs.Identities {
		if id.Kind == custos.IdentityEmail {
			to = id.Value
			break
		}
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if to != "" {
			msg := mail.Message{To: to, From: (&netmail.Address{Name: p.Organisation.ShortName + " " + mailFromName, Address: p.Contact.Email}).String(),
				Subject: p.Organisation.Name + ": we will lift the restriction on your personal information",
				Text: "You asked us to restrict the processing of your personal information, and we did.\n\n" +
					"We are now lifting that restriction, for this reason:\n\n" + reason + "\n\n" +
					"If you disagree, reply to this message or write to " + p.Contact.Email + " straight away.\n"}
			if _, err := s.outbox.Enqueue(ctx, tx, msg); err != nil {
				return err
			}
		}
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.restriction_lift_notice", Object: "subject:" + sid,
			Detail: map[string]any{"mailed": to != ""}})
		return err
	})
	if err != nil {
		return err
	}
	s.outbox.Wake()
	return s.consent.SetRestricted(ctx, actor, sid, false)
}

// ComplaintText returns a complaint's text, the person's own words, for
// the operator who answers it (DPA 2018 s. 164A(4)): decrypted here, and
// the read recorded in the audit chain with who read it. The text of a
// person since erased is gone, and says so.
func (s *Service) ComplaintText(ctx context.Context, actor, id string) (string, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return "", err
	}
	if r.Type != TypeComplaint {
		return "", custos.Errorf(custos.KindConflict, "not_a_complaint", "Only a complaint carries a text of the person's to read; this request is %s.", r.Type)
	}
	p, readable, err := s.openPrivate(ctx, r)
	if err != nil {
		return "", err
	}
	if !readable {
		return "", custos.Errorf(custos.KindConflict, "erased", "The person was erased: the complaint's text went with their data.")
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "request.details_read", Object: "request:" + id,
			Detail: map[string]any{"type": r.Type}})
		return err
	})
	return p.Details, err
}
