package requests

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Package is the answer a person downloads.
type Package struct {
	Request      PackageRequest `json:"request"`
	Organisation mail.Org       `json:"organisation"`
	Summary      string         `json:"summary"`
	// SummaryMessage is Summary as a Message, for the page to write in
	// the person's language; absent from packages sealed before it.
	SummaryMessage *Message `json:"summary_message,omitempty"`
	// Specific pieces (access, portability).
	Identities []records.Identity `json:"identities,omitempty"`
	Pieces     []Piece            `json:"personal_information,omitempty"`
	// Categories answers (access, categories): the five California lists.
	Categories []Named           `json:"categories,omitempty"`
	Sources    []Named           `json:"sources,omitempty"`
	Purposes   []Named           `json:"purposes,omitempty"`
	Recipients []Named           `json:"recipients,omitempty"`
	SoldShared []Named           `json:"sold_or_shared,omitempty"`
	Consents   []consent.Current `json:"consents,omitempty"`
	// Collections holds the rows found in the company's connected systems,
	// "dataset:collection" to rows (access, portability); Connected says
	// what each collection's rows are: the system, and each field with its
	// data categories (fideslang keys) and their descriptions.
	Collections map[string][]connector.Row `json:"collections,omitempty"`
	// Routed names the controllers whose data, processed on their
	// behalf, the request reached: they answer for it.
	Routed    []Routed              `json:"processed_for_others,omitempty"`
	Connected []ConnectedCollection `json:"connected_systems,omitempty"`
	// Direct marketing disclosures (Shine the Light).
	Disclosures []Disclosure `json:"direct_marketing_disclosures,omitempty"`
	// What was done and what was kept, and why.
	Actions []string `json:"actions,omitempty"`
	// ActionMessages are Actions as Messages, in the same order (one with
	// no key where an action has none, as in a package sealed before them).
	ActionMessages []Message `json:"action_messages,omitempty"`
	Kept           []Kept    `json:"kept,omitempty"`
}

// PackageRequest identifies the request a package answers.
type PackageRequest struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Jurisdiction string    `json:"jurisdiction"`
	ReceivedAt   time.Time `json:"received_at"`
	CompletedAt  time.Time `json:"completed_at"`
	Period       string    `json:"period,omitempty"`
	// PeriodMessage is Period as a Message.
	PeriodMessage *Message `json:"period_message,omitempty"`
	// Language is the language the person asked in: the answer page's,
	// unless they choose another.
	Language string `json:"language,omitempty"`
}

// Piece is one specific piece of personal information.
type Piece struct {
	Category    string  `json:"category"`
	Description string  `json:"description"`
	Value       *string `json:"value,omitempty"`
	Withheld    bool    `json:"withheld,omitempty"`
	Source      string  `json:"source,omitempty"`
	Recipient   string  `json:"recipient,omitempty"`
	Purpose     string  `json:"purpose"`
	// The plain words of Source, Recipient and Purpose (the keys stay for
	// machines).
	SourceDescription    string    `json:"source_description,omitempty"`
	RecipientDescription string    `json:"recipient_description,omitempty"`
	PurposeDescription   string    `json:"purpose_description,omitempty"`
	Kind                 string    `json:"kind"`
	At                   time.Time `json:"at"`
}

// ConnectedCollection is what the rows of one collection of
// Package.Collections are.
type ConnectedCollection struct {
	Collection        string             `json:"collection"` // the key in Collections
	System            string             `json:"system"`
	SystemDescription string             `json:"system_description,omitempty"`
	Fields            []FieldDescription `json:"fields"`
}

// FieldDescription is one field of a connected collection: its data
// categories by key and description, and the field in plain words.
type FieldDescription struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Categories  []Named `json:"categories"`
}

// Named is a key with its plain words.
type Named struct {
	Key         string `json:"key"`
	Description string `json:"description"`
}

// Disclosure is one Shine the Light line.
type Disclosure struct {
	Recipient  string   `json:"recipient"`
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
}

// Kept is something not erased or not shown, with the reason.
type Kept struct {
	What string `json:"what"`
	Why  string `json:"why"`
	// For what an erasure rule of the policy retains: the legal ground in
	// words with the provisions that allow it, and the day it is erased.
	Ground    string   `json:"ground,omitempty"`
	Citations []string `json:"citations,omitempty"`
	Until     string   `json:"until,omitempty"`
	// What, Why and Ground as Messages where Custos wrote them; a What or
	// Why in the company's own words (a category's description, a rule's
	// reason) has none and is shown as written.
	WhatMessage   *Message `json:"what_message,omitempty"`
	WhyMessage    *Message `json:"why_message,omitempty"`
	GroundMessage *Message `json:"ground_message,omitempty"`
}

// proceed fulfils an in-progress request r, as the caller's transaction
// left it: in process when only Custos' own records are involved, else as
// a durable job that reaches the company's systems. It returns the request
// as it now stands, so the caller need not read it again.
func (s *Service) proceed(ctx context.Context, actor string, r store.Request) (store.Request, error) {
	det, err := s.asked(ctx, r)
	if err != nil {
		return r, err
	}
	if s.runner != nil && s.queue != nil {
		reaches, err := s.reachesSystems(ctx, det.Type)
		if err != nil {
			return r, err
		}
		if reaches {
			return r, s.queue.Enqueue(ctx, r.ID)
		}
	}
	return s.fulfil(ctx, actor, r, det)
}

// asked returns the request whose right is exercised: r itself, or for an
// appeal the original it names (an upheld appeal does what the original
// asked).
func (s *Service) asked(ctx context.Context, r store.Request) (store.Request, error) {
	if r.Type != TypeAppeal {
		return r, nil
	}
	return s.store.Request(ctx, r.AppealOf)
}

// reachesSystems reports whether a request of kind is run against
// connected systems: access, portability, deletion and correction (or an
// appeal of one) while any connection is configured. Opt-outs, objections
// and the like are Custos' own records alone, done at once as ever.
func (s *Service) reachesSystems(ctx context.Context, kind string) (bool, error) {
	switch kind {
	case TypeAccess, TypePortability, TypeDeletion, TypeCorrection:
		return s.runner.Any(ctx)
	}
	return false, nil
}

// Fulfil does what an in-progress request asks and completes it; the job
// queue calls it. It returns ErrPending while a connected system has yet
// to answer.
func (s *Service) Fulfil(ctx context.Context, actor, id string) error {
	if req, controller, ok := parseControllerRunID(id); ok {
		// The job of a controller's instruction (instructByJob), woken by
		// its run's callbacks.
		return s.finishInstruction(ctx, req, controller)
	}
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return err
	}
	if r.Status != StatusInProgress {
		return nil
	}
	det, err := s.asked(ctx, r)
	if err != nil {
		return err
	}
	_, err = s.fulfil(ctx, actor, r, det)
	return err
}

// GiveUp records that a request's run against connected systems kept
// failing: the request stays in progress, flagged for an operator, with
// the error in its history.
func (s *Service) GiveUp(ctx context.Context, id string, cause error) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if req, controller, ok := parseControllerRunID(id); ok {
		r, err := s.store.Request(ctx, req)
		if err != nil {
			return err
		}
		return s.store.InTx(ctx, func(tx *store.Tx) error {
			return s.history(ctx, tx, req, "system", "needs_operator", r.Status, controller+
				": carrying out the instruction in the connected systems kept failing; give it again to retry: "+msg)
		})
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		return s.history(ctx, tx, id, "system", "needs_operator", StatusInProgress, "Running the request against connected systems kept failing: "+msg)
	})
}

// connected runs the request against the company's connected systems.
// Collections the manifest says hold a controller's data are left as they
// are by an erasure or correction: the company processes them on the
// controller's behalf and acts on them only on its instruction (GDPR Art.
// 28(3)(a), (e)).
func (s *Service) connected(ctx context.Context, m *policy.Manifest, r store.Request, kind, email string, ids []records.Identity, corrections map[string]string) (connected.Outcome, error) {
	if s.runner == nil {
		return connected.Outcome{}, nil
	}
	job := connected.Job{RequestID: r.ID, Identities: jobIdentities(email, ids), Corrections: corrections,
		Leave: func(collection string) string {
			if c := controllerOfCollection(m, collection); c != "" {
				return "processed on behalf of " + c + ": left until its instruction"
			}
			return ""
		}}
	switch kind {
	case TypeAccess, TypePortability:
		job.Kind = connected.KindAccess
	case TypeDeletion:
		job.Kind = connected.KindErasure
		// An officer who approved a previewed plan gets that plan or none
		// (connected.Job.Plan).
		plan, err := s.approvedPlan(ctx, r.ID)
		if err != nil {
			return connected.Outcome{}, err
		}
		job.Plan = plan
	case TypeCorrection:
		job.Kind = connected.KindCorrection
	default:
		return connected.Outcome{}, nil
	}
	out, err := s.runner.Run(ctx, job)
	if err == nil && out.Pending {
		err = ErrPending
	}
	return out, err
}

// jobIdentities are what a person is known by in connected systems, by
// Fides identity name.
func jobIdentities(email string, ids []records.Identity) map[string][]string {
	out := map[string][]string{"email": {email}}
	for _, id := range ids {
		switch id.Kind {
		case custos.IdentityPhone:
			out["phone_number"] = append(out["phone_number"], id.Value)
		case custos.IdentityExternalID:
			out["external_id"] = append(out["external_id"], id.Value)
		}
	}
	return out
}

// fulfilment is one request being fulfilled: what every right reads,
// gathered once, and the answer each right's method fills in.
type fulfilment struct {
	r      store.Request // the request (an appeal: the appeal itself)
	det    store.Request // the request whose right is exercised (an appeal: the original)
	kind   string        // det's type
	m      *policy.Manifest
	email  string
	reader string // the audit actor of reads for this request
	method string // how the person asked: web_form or operator
	now    time.Time
	recs   records.Records
	held   bool // Custos holds records of the person (or a connected system had some)
	pkg    Package
	// Recipients to tell of a deletion or correction (GDPR Art. 19), and
	// what to tell them to do.
	notices []notice
	// routed are the person's events processed for each controller, and
	// routedSystems the connected collections holding a controller's data
	// about them: taken out of the answer and routed (controller.go).
	routed        map[string][]custos.Event
	routedSystems map[string][]string
	noticeAction  string   // a mail.Notice* action
	corrected     []string // for a rectification: "category: value now"
}

// fulfil does what an in-progress request r asks (det: see asked) and
// completes it, returning the request as completed.
func (s *Service) fulfil(ctx context.Context, actor string, r, det store.Request) (store.Request, error) {
	if r.Status != StatusInProgress {
		return r, nil
	}
	f, err := s.gather(ctx, r, det)
	if err != nil {
		return r, err
	}
	if err := s.exercise(ctx, f); err != nil {
		return r, err
	}
	route(f)
	switch f.kind {
	case TypeAccess, TypePortability, TypeCategories, TypeDirectMarketingDisclosures:
		switch {
		case !f.held && len(f.pkg.Routed) > 0:
			f.pkg.summarise("We hold no personal information of our own linked to this address; what we process on behalf of others, and whom to ask about it, is listed below.",
				say("answer.summary.none_routed"))
		case !f.held:
			f.pkg.summarise("We hold no personal information linked to this address.", say("answer.summary.none"))
		}
	}
	return s.complete(ctx, actor, f)
}

// gather reads what every right needs: the policy, the person's address,
// their subject and records.
func (s *Service) gather(ctx context.Context, r, det store.Request) (*fulfilment, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	email, err := s.email(r)
	if err != nil {
		return nil, err
	}
	if r.SubjectID == "" {
		if sid, err := s.records.FindSubject(ctx, custos.SubjectRef{Email: email}); err == nil {
			r.SubjectID = sid
		}
	}
	f := &fulfilment{r: r, det: det, kind: det.Type, m: p.Manifest, email: email, reader: "subject:request:" + r.ID,
		method: "web_form", now: s.clock.Now().UTC().Truncate(time.Microsecond)}
	if r.Channel != "web" {
		f.method = "operator"
	}
	f.pkg = Package{Request: PackageRequest{ID: r.ID, Type: r.Type, Jurisdiction: r.Jurisdiction, ReceivedAt: r.ReceivedAt, CompletedAt: f.now,
		Language: r.Language},
		Organisation: org(p.Manifest)}
	if r.SubjectID != "" {
		f.recs, err = s.records.SubjectRecords(ctx, f.reader, "privacy request "+r.ID, r.SubjectID)
		if err != nil && !errors.Is(err, vault.ErrErased) {
			return nil, err
		}
		// An erased person's records read as none.
		f.held = err == nil
		splitRouted(f)
	}
	return f, nil
}

// exercise dispatches to the method of the right asked for.
func (s *Service) exercise(ctx context.Context, f *fulfilment) error {
	switch f.kind {
	case TypeAccess, TypePortability:
		return s.access(ctx, f)
	case TypeCategories:
		return s.categories(ctx, f)
	case TypeDirectMarketingDisclosures:
		s.disclosures(f)
		return nil
	case TypeDeletion:
		return s.deletion(ctx, f)
	case TypeCorrection:
		return s.correction(ctx, f)
	case TypeRestriction:
		return s.restriction(ctx, f)
	case TypeOptOut:
		f.pkg.summarise("Your opt-out of the sale and sharing of your personal information is recorded and in force.", say("answer.summary.opt_out"))
		return s.optOut(ctx, f, consent.ScopeSaleSharing)
	case TypeObjection:
		return s.objection(ctx, f)
	case TypeComplaint:
		return s.complaint(ctx, f)
	}
	return fmt.Errorf("requests: no fulfilment for %q", f.kind)
}

// access answers access and portability: the specific pieces, the
// California lists, consents, and the rows in connected systems.
func (s *Service) access(ctx context.Context, f *fulfilment) error {
	f.pkg.summarise("The personal information we hold about you, and what we do with it.", say("answer.summary.access"))
	out, err := s.connected(ctx, f.m, f.r, f.kind, f.email, f.recs.Identities, nil)
	if err != nil {
		return err
	}
	if len(out.Collections) > 0 {
		f.pkg.Collections = out.Collections
		routeCollections(f)
		f.pkg.Connected = s.connectedDescribed(f.m, out)
		f.held = f.held || len(f.pkg.Collections) > 0
	}
	if !f.held || f.r.SubjectID == "" {
		return nil
	}
	f.pkg.Identities = f.recs.Identities
	for _, e := range f.recs.Events {
		f.pkg.Pieces = append(f.pkg.Pieces, piece(f.m, e))
	}
	s.categoryLists(f.m, f.recs.Events, &f.pkg)
	if st, err := s.consent.StateOf(ctx, f.reader, custos.SubjectRef{Email: f.email}, ""); err == nil {
		f.pkg.Consents = st.Current
	}
	return nil
}

// lookBackFloor is the earliest collection a request beyond 12 months
// reaches: Cal. Civ. Code §1798.130(a)(2)(B) and 11 CCR §7024(h) apply the
// longer look-back only to personal information collected on or after
// January 1, 2022.
var lookBackFloor = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)

// categories answers the categories request: the California lists over
// the 12 months before receipt, or, asked for (§1798.130(a)(2)(B)),
// back to 2022-01-01.
func (s *Service) categories(ctx context.Context, f *fulfilment) error {
	r := f.r
	d, err := s.details(ctx, f.det)
	if err != nil {
		return err
	}
	from := r.ReceivedAt.AddDate(-1, 0, 0)
	f.pkg.summarise("The categories of personal information we collected about you in the 12 months before your request, their sources, our purposes, and the categories of third parties we disclosed it to.",
		say("answer.summary.categories"))
	if d.BeyondTwelveMonths && from.After(lookBackFloor) {
		from = lookBackFloor
		f.pkg.summarise("The categories of personal information we collected about you since "+from.Format("2 January 2006")+", as you asked (the law reaches back no further), their sources, our purposes, and the categories of third parties we disclosed it to.",
			say("answer.summary.categories_since", "date", from))
	}
	f.pkg.Request.Period = from.Format("2006-01-02") + " to " + r.ReceivedAt.Format("2006-01-02")
	f.pkg.Request.PeriodMessage = say("answer.period.range", "from", from, "to", r.ReceivedAt)
	if !f.held {
		return nil
	}
	var within []custos.Event
	for _, e := range f.recs.Events {
		if !e.OccurredAt.Before(from) && !e.OccurredAt.After(r.ReceivedAt) {
			within = append(within, e)
		}
	}
	s.categoryLists(f.m, within, &f.pkg)
	return nil
}

// disclosures answers Shine the Light for the calendar year before receipt.
func (s *Service) disclosures(f *fulfilment) {
	year := f.r.ReceivedAt.Year() - 1
	f.pkg.Request.Period = fmt.Sprintf("calendar year %d", year)
	f.pkg.Request.PeriodMessage = say("answer.period.calendar_year", "year", itoa(year))
	f.pkg.summarise(fmt.Sprintf("The personal information we disclosed to third parties for their own direct marketing in %d, and who they are.", year),
		say("answer.summary.disclosures", "year", itoa(year)))
	if f.held {
		f.pkg.Disclosures = shineTheLight(f.m, f.recs.Events, year)
	}
}

// deletion erases the person in the company's systems, then in Custos,
// unless a legal hold keeps everything.
func (s *Service) deletion(ctx context.Context, f *fulfilment) error {
	f.pkg.summarise("Your personal information was deleted.", say("answer.summary.deleted"))
	if f.held {
		onHold, err := s.store.Held(ctx, f.r.SubjectID)
		if err != nil {
			return err
		}
		if onHold {
			f.pkg.summarise("We could not delete your personal information now.", say("answer.summary.deletion_held"))
			f.pkg.Kept = append(f.pkg.Kept, Kept{What: "All the personal information we hold about you",
				Why:         "It is subject to a legal hold: the law requires us to preserve it while a legal matter is pending. We will delete it when the hold ends, unless another rule requires us to keep it.",
				WhatMessage: say("answer.kept.what.all"), WhyMessage: say("answer.kept.why.legal_hold")})
			return nil
		}
	}
	// The company's systems first: they are found by the address sealed in
	// the request, which outlives the erasure below, so a crash between the
	// two resumes cleanly.
	out, err := s.connected(ctx, f.m, f.r, f.kind, f.email, f.recs.Identities, nil)
	if err != nil {
		return err
	}
	left := routeLeft(f, &out)
	elsewhere := outcome(&f.pkg, out) || left
	f.pkg.Kept = append(f.pkg.Kept, keptInSystems(f.m, out.Retained)...)
	switch {
	case !f.held && !elsewhere:
		f.pkg.summarise("We hold no personal information linked to this address, so there was nothing to delete.", say("answer.summary.deletion_none"))
	case !f.held && len(out.Erased) == 0:
		// Found in a connected system, but kept there (read-only, shared
		// with others…): not "deleted".
		f.pkg.summarise("We found personal information about you that we could not delete; what we kept, and why, is listed below.", say("answer.summary.deletion_kept"))
	}
	if !f.held {
		return nil
	}
	f.notices, f.noticeAction = recipientsOf(f.m, f.recs.Events), mail.NoticeErase
	var erased records.Erasure
	if len(f.routed) > 0 {
		// Data processed for controllers is theirs to decide on: only the
		// company's own records go now, and the person's key stays for
		// the rest until each controller's instruction.
		if erased, _, err = s.records.EraseOwn(ctx, f.reader, f.r.SubjectID, "deletion request "+f.r.ID); err != nil {
			return err
		}
		f.pkg.summarise("Your personal information was deleted, except what we process on behalf of others, listed below with whom to ask about it.", say("answer.summary.deleted_routed"))
	} else if erased, err = s.records.Erase(ctx, f.reader, f.r.SubjectID, "deletion request "+f.r.ID); err != nil {
		return err
	}
	f.pkg.act(fmt.Sprintf(byCount(int64(erased.Events), "%d record about you was deleted and the key that protected it destroyed.",
		"%d records about you were deleted and the key that protected them destroyed."), erased.Events),
		say("answer.action.erased_own", "count", erased.Events))
	f.pkg.Kept = append(f.pkg.Kept, keptRecords(f.m, erased.Retained)...)
	months := f.m.Rights.RecordKeeping()
	f.pkg.Kept = append(f.pkg.Kept, Kept{What: "A keyed fingerprint of your e-mail address with your opt-outs", Why: "So your choices to opt out stay in force if your address reaches us again.",
		WhatMessage: say("answer.kept.what.fingerprint"), WhyMessage: say("answer.kept.why.fingerprint")},
		Kept{What: "A record of this request (no copy of your data)", Why: fmt.Sprintf("We keep records of requests and how we answered them for %d months, as the law requires (at least 24), and then delete them.", months),
			WhatMessage: say("answer.kept.what.request_record"), WhyMessage: say("answer.kept.why.request_record", "months", months)})
	return nil
}

// correction corrects each category asked, in the company's systems and
// in Custos, and says what was corrected nowhere.
func (s *Service) correction(ctx context.Context, f *fulfilment) error {
	d, err := s.details(ctx, f.det)
	if err != nil {
		return err
	}
	f.pkg.summarise("Your personal information was corrected.", say("answer.summary.corrected"))
	out, err := s.connected(ctx, f.m, f.r, f.kind, f.email, f.recs.Identities, d.Corrections)
	if err != nil {
		return err
	}
	left := routeLeft(f, &out)
	elsewhere := outcome(&f.pkg, out) || left
	for _, cat := range slices.Sorted(maps.Keys(d.Corrections)) {
		if !f.held {
			if !elsewhere {
				f.pkg.Kept = append(f.pkg.Kept, Kept{What: s.categoryWords(f.m, cat), Why: "We hold no information in this category linked to your address.",
					WhyMessage: say("answer.kept.why.no_category")})
			}
			continue
		}
		ok, err := s.records.Correct(ctx, f.reader, f.r.SubjectID, cat, d.Corrections[cat])
		if err != nil {
			return err
		}
		if ok {
			f.pkg.act("Corrected "+s.categoryWords(f.m, cat)+".", say("answer.action.corrected_category", "category", s.categoryWords(f.m, cat)))
			f.corrected = append(f.corrected, s.categoryWords(f.m, cat)+": "+d.Corrections[cat])
		} else if !slices.Contains(out.CorrectedCategories, cat) {
			// Corrected in a connected system is said above, per
			// collection; only a category corrected nowhere is kept.
			f.pkg.Kept = append(f.pkg.Kept, Kept{What: s.categoryWords(f.m, cat), Why: "We hold no such information about you, so there was nothing to correct.",
				WhyMessage: say("answer.kept.why.nothing_to_correct")})
		}
	}
	if f.held && len(f.corrected) > 0 {
		// GDPR Art. 19: a rectification is communicated to each
		// recipient, as an erasure is.
		f.notices, f.noticeAction = recipientsOf(f.m, f.recs.Events), mail.NoticeRectify
	}
	return nil
}

// restriction freezes processing of the person's data (Art. 18).
func (s *Service) restriction(ctx context.Context, f *fulfilment) error {
	if limited, err := s.limitSensitive(ctx, f); limited || err != nil {
		return err
	}
	f.pkg.summarise("We restricted the processing of your personal information: we keep it, and use it for nothing else until the restriction is lifted, which we will tell you about first.",
		say("answer.summary.restricted"))
	if !f.held {
		return nil
	}
	if err := s.consent.SetRestricted(ctx, f.reader, f.r.SubjectID, true); err != nil {
		return err
	}
	// GDPR Art. 19 (rectification, erasure and restriction alike):
	// each recipient the data was disclosed to is told of the
	// restriction.
	f.notices, f.noticeAction = recipientsOf(f.m, f.recs.Events), mail.NoticeRestrict
	return nil
}

// optOut records a refusal of scope (an opt-out of sale and sharing, an
// objection to direct marketing) keyed by the address.
func (s *Service) optOut(ctx context.Context, f *fulfilment, scope string) error {
	_, err := s.consent.Record(ctx, f.reader, consent.Choice{Subject: custos.SubjectRef{Email: f.email}, Purpose: scope,
		Granted: false, Jurisdiction: f.r.Jurisdiction, Method: f.method}, false)
	return err
}

// complete seals the answer, tells recipients and the person, and marks
// the request completed, in one transaction with the one read of the
// request that locks it. It returns the request as it now stands.
func (s *Service) complete(ctx context.Context, actor string, f *fulfilment) (store.Request, error) {
	id := f.r.ID
	expires := f.now.Add(s.ResultTTL)
	var done store.Request
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.RequestForUpdate(ctx, id)
		if err != nil {
			return err
		}
		done = cur
		if cur.Status != StatusInProgress {
			return nil // someone else finished it meanwhile
		}
		if err := s.notify(ctx, tx, f.m, cur, f.email, f); err != nil {
			return err
		}
		if err := s.notifyControllers(ctx, tx, f, cur); err != nil {
			return err
		}
		body, err := json.Marshal(f.pkg)
		if err != nil {
			return err
		}
		sealed, err := s.master.Seal(body, s.sealContext(id, "result"))
		if err != nil {
			return err
		}
		cur.SubjectID, cur.ResultSealed, cur.ResultExpiresAt = f.r.SubjectID, sealed, &expires
		if err := s.move(ctx, tx, &cur, StatusCompleted, actor, "completed", ""); err != nil {
			return err
		}
		if s.runner != nil {
			// The rows found are in the sealed answer (or erased): the
			// run's own copy goes with the transaction that completes it.
			// Rows held for a controller stay until its instruction
			// (ControllerInstruction), which forgets them.
			keep := func(phase, collection string) bool {
				return phase == connected.PhaseAccess && controllerOfCollection(f.m, collection) != ""
			}
			if err := tx.DropCheckpointsExcept(ctx, id, keep); err != nil {
				return err
			}
		}
		if err := s.mailOutcome(ctx, tx, cur, f.email); err != nil {
			return err
		}
		done = cur
		return nil
	})
	if err != nil {
		return f.r, err
	}
	s.outbox.Wake()
	return done, nil
}

func piece(m *policy.Manifest, e custos.Event) Piece {
	p := Piece{Category: e.Category, Description: describeCategory(m, e.Category), Source: e.Source, Recipient: e.Recipient,
		Purpose: e.Purpose, Kind: e.Kind, At: e.OccurredAt}
	for _, src := range m.Sources {
		if src.Key == e.Source && e.Source != "" {
			p.SourceDescription = cmp.Or(src.Name, src.Description)
		}
	}
	for _, r := range m.Recipients {
		if r.Key == e.Recipient && e.Recipient != "" {
			p.RecipientDescription = cmp.Or(r.Name, r.Description)
		}
	}
	for _, pu := range m.Purposes {
		if pu.Key == e.Purpose {
			p.PurposeDescription = pu.Name
		}
	}
	withheld := false
	for _, c := range m.Categories {
		if c.Key == e.Category {
			withheld = c.Withheld
		}
	}
	if withheld && e.Value != nil {
		// Passwords, full card and account numbers are held but never shown.
		p.Withheld = true
	} else {
		p.Value = e.Value
	}
	return p
}

func describeCategory(m *policy.Manifest, key string) string {
	for _, c := range m.Categories {
		if c.Key == key {
			return c.Description
		}
	}
	return key
}

// categoryLists fills the California lists from events.
func (s *Service) categoryLists(m *policy.Manifest, evs []custos.Event, pkg *Package) {
	seen := map[string]bool{}
	add := func(list *[]Named, kind, key, desc string) {
		if key == "" || seen[kind+key] {
			return
		}
		seen[kind+key] = true
		*list = append(*list, Named{Key: key, Description: desc})
	}
	for _, e := range evs {
		add(&pkg.Categories, "c", e.Category, describeCategory(m, e.Category))
		if e.Source != "" {
			desc := e.Source
			for _, src := range m.Sources {
				if src.Key == e.Source {
					desc = src.Description
				}
			}
			add(&pkg.Sources, "s", e.Source, desc)
		}
		desc := e.Purpose
		for _, p := range m.Purposes {
			if p.Key == e.Purpose {
				desc = p.Name
			}
		}
		add(&pkg.Purposes, "p", e.Purpose, desc)
		if e.Recipient != "" {
			for _, r := range m.Recipients {
				if r.Key != e.Recipient {
					continue
				}
				add(&pkg.Recipients, "r", r.Key, r.Name)
				if r.SaleOrShare {
					add(&pkg.SoldShared, "x", e.Category, describeCategory(m, e.Category))
				}
			}
		}
	}
}

// shineTheLight lists disclosures to direct-marketing recipients in a year.
func shineTheLight(m *policy.Manifest, evs []custos.Event, year int) []Disclosure {
	byRecipient := map[string]*Disclosure{}
	var order []string
	for _, e := range evs {
		if e.Kind != custos.EventDisclosure || e.OccurredAt.Year() != year {
			continue
		}
		for _, r := range m.Recipients {
			if r.Key != e.Recipient || !r.DirectMarketing {
				continue
			}
			d := byRecipient[r.Key]
			if d == nil {
				name := r.Name
				if r.CCPADescription != "" {
					name += " (" + r.CCPADescription + ")"
				}
				d = &Disclosure{Recipient: r.Key, Name: name}
				byRecipient[r.Key] = d
				order = append(order, r.Key)
			}
			if desc := describeCategory(m, e.Category); !slices.Contains(d.Categories, desc) {
				d.Categories = append(d.Categories, desc)
			}
		}
	}
	out := []Disclosure{}
	for _, k := range order {
		out = append(out, *byRecipient[k])
	}
	return out
}

// notice is a recipient to tell of an erasure, rectification or
// restriction (GDPR Art. 19, CCPA regulations §7022).
type notice struct {
	key, name, email string
	lang             string // the language the policy says the recipient reads
}

// companyLanguage is the language of a mail to a company, a recipient of
// the person's data or a controller Custos processes for: the one the
// policy declares for it (notify_language, contact.language), else
// English. Never the person's language: it tells nothing of the
// company's (a Spanish-speaking shopper's data broker in California reads
// English), and English is what business correspondence between
// companies falls back to; a policy names the language where it differs.
func companyLanguage(declared string) string {
	if l, ok := i18n.Supported(declared); ok {
		return l
	}
	return mail.LanguageEnglish
}

// recipientsOf lists the recipients that received the person's data.
func recipientsOf(m *policy.Manifest, evs []custos.Event) []notice {
	var out []notice
	seen := map[string]bool{}
	for _, e := range evs {
		if e.Kind != custos.EventDisclosure || seen[e.Recipient] {
			continue
		}
		seen[e.Recipient] = true
		n := notice{key: e.Recipient, name: e.Recipient, lang: mail.LanguageEnglish}
		for _, r := range m.Recipients {
			if r.Key == e.Recipient {
				n.name, n.email, n.lang = r.Name, r.NotifyEmail, companyLanguage(r.NotifyLanguage)
			}
		}
		out = append(out, n)
	}
	return out
}

// notify tells recipients within the completing transaction: by e-mail
// where the policy gives an address, otherwise as a task in the request's
// history for the privacy team. It adds a line to the answer for each,
// which names the recipient: Art. 19's last sentence lets the person ask
// who they are, and the answer tells them unasked.
func (s *Service) notify(ctx context.Context, tx *store.Tx, m *policy.Manifest, r store.Request, email string, f *fulfilment) error {
	verb := map[string]string{mail.NoticeErase: "delete", mail.NoticeRectify: "correct", mail.NoticeRestrict: "restrict the use of"}[f.noticeAction]
	for _, n := range f.notices {
		if n.email != "" {
			// The notice goes to a company, not to the person: it is in
			// the language the policy gives for the recipient, else
			// English (companyLanguage), whatever language the person used.
			if err := s.enqueue(ctx, tx, m, n.lang, n.email, mail.TemplateErasureNotice, mail.ErasureNotice{Organisation: org(m), Action: f.noticeAction,
				Corrected: f.corrected, Recipient: n.name, Identifiers: []mail.Identifier{{Kind: i18n.T(n.lang, "mail.identifier.email"), Value: email}}, RequestID: r.ID}); err != nil {
				return err
			}
			if err := s.history(ctx, tx, r.ID, "system", "recipient_notified", r.Status, n.key+": "+f.noticeAction); err != nil {
				return err
			}
			f.pkg.act(fmt.Sprintf("We told %s, who received your information from us, to %s it too.", n.name, verb),
				say("answer.action.told."+f.noticeAction, "recipient", n.name))
			continue
		}
		if err := s.history(ctx, tx, r.ID, "system", "recipient_notice_due", r.Status, n.key+": "+f.noticeAction+" notice due (no notify_email in the policy); tell them through the contract channel"); err != nil {
			return err
		}
		f.pkg.act(fmt.Sprintf("%s received your information from us; our privacy team is telling them to %s it too.", n.name, verb),
			say("answer.action.notice_due."+f.noticeAction, "recipient", n.name))
	}
	return nil
}

// outcome adds what a run in the company's systems did to a package, and
// reports whether it found anything there.
func outcome(pkg *Package, out connected.Outcome) bool {
	for _, c := range slices.Sorted(maps.Keys(out.Erased)) {
		pkg.act(fmt.Sprintf(byCount(out.Erased[c], "%d record about you in %s was erased.", "%d records about you in %s were erased."), out.Erased[c], c), say("answer.action.erased_system", "count", out.Erased[c], "system", c))
	}
	for _, c := range slices.Sorted(maps.Keys(out.Corrected)) {
		pkg.act(fmt.Sprintf(byCount(out.Corrected[c], "%d record about you in %s was corrected.", "%d records about you in %s were corrected."), out.Corrected[c], c), say("answer.action.corrected_system", "count", out.Corrected[c], "system", c))
	}
	for _, k := range out.Kept {
		if k.Why != "" {
			pkg.Kept = append(pkg.Kept, Kept{What: k.What, Why: k.Why, WhyMessage: systemMessage(k.WhyMessage)})
		}
	}
	return len(out.Erased) > 0 || len(out.Corrected) > 0 || len(out.Kept) > 0
}

// complaint answers a complaint to the controller (DPA 2018 s. 164A(4)(b):
// inform the complainant of the outcome): the officer's decision, and where
// the person may go if not satisfied (the regulator, s. 165).
func (s *Service) complaint(ctx context.Context, f *fulfilment) error {
	p, _, err := s.openPrivate(ctx, f.r)
	if err != nil {
		return err
	}
	rules, err := s.rules(ctx, f.r)
	if err != nil {
		return err
	}
	// The decision is the officer's own words, shown as written in every
	// language; where to complain is the law table's, translated.
	f.pkg.summarise("Our answer to your complaint: "+p.DecisionText, say("answer.summary.complaint", "decision", p.DecisionText))
	if rules.Complaint != "" {
		f.pkg.summarise(f.pkg.Summary+" If you are not satisfied, you can complain to "+rules.Complaint+".",
			say("answer.summary.complaint_regulator", "decision", p.DecisionText, "regulator", lawTerm(rules.Complaint)))
	}
	f.held = true
	return nil
}
