package requests

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/dsr"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
)

// Package is the answer a person downloads.
type Package struct {
	Request      PackageRequest `json:"request"`
	Organisation mail.Org       `json:"organisation"`
	Summary      string         `json:"summary"`
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
	// "dataset:collection" to rows (access, portability).
	Collections map[string][]connector.Row `json:"collections,omitempty"`
	// Direct marketing disclosures (Shine the Light).
	Disclosures []Disclosure `json:"direct_marketing_disclosures,omitempty"`
	// What was done and what was kept, and why.
	Actions []string `json:"actions,omitempty"`
	Kept    []Kept   `json:"kept,omitempty"`
}

// PackageRequest identifies the request a package answers.
type PackageRequest struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Jurisdiction string    `json:"jurisdiction"`
	ReceivedAt   time.Time `json:"received_at"`
	CompletedAt  time.Time `json:"completed_at"`
	Period       string    `json:"period,omitempty"`
}

// Piece is one specific piece of personal information.
type Piece struct {
	Category    string    `json:"category"`
	Description string    `json:"description"`
	Value       *string   `json:"value,omitempty"`
	Withheld    bool      `json:"withheld,omitempty"`
	Source      string    `json:"source,omitempty"`
	Recipient   string    `json:"recipient,omitempty"`
	Purpose     string    `json:"purpose"`
	Kind        string    `json:"kind"`
	At          time.Time `json:"at"`
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
}

// proceed fulfils an in-progress request: in process when only Custos' own
// records are involved, else as a durable job that reaches the company's
// systems.
func (s *Service) proceed(ctx context.Context, actor, id string) error {
	if s.runner != nil && s.queue != nil {
		reaches, err := s.reachesSystems(ctx, id)
		if err != nil {
			return err
		}
		if reaches {
			return s.queue.Enqueue(ctx, id)
		}
	}
	return s.fulfil(ctx, actor, id)
}

// reachesSystems reports whether a request is run against connected
// systems: access, portability, deletion and correction (or an appeal of
// one) while any connection is configured. Opt-outs, objections and the
// like are Custos' own records alone, done at once as ever.
func (s *Service) reachesSystems(ctx context.Context, id string) (bool, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return false, err
	}
	kind := r.Type
	if kind == TypeAppeal {
		orig, err := s.store.Request(ctx, r.AppealOf)
		if err != nil {
			return false, err
		}
		kind = orig.Type
	}
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
	return s.fulfil(ctx, actor, id)
}

// GiveUp records that a request's run against connected systems kept
// failing: the request stays in progress, flagged for an operator, with
// the error in its history.
func (s *Service) GiveUp(ctx context.Context, id string, cause error) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		return s.history(ctx, tx, id, "system", "needs_operator", StatusInProgress, "Running the request against connected systems kept failing: "+msg)
	})
}

// connected runs the request against the company's connected systems.
func (s *Service) connected(ctx context.Context, r store.Request, kind, email string, ids []records.Identity, corrections map[string]string) (dsr.Outcome, error) {
	if s.runner == nil {
		return dsr.Outcome{}, nil
	}
	job := dsr.Job{RequestID: r.ID, Identities: map[string][]string{"email": {email}}, Corrections: corrections}
	for _, id := range ids {
		switch id.Kind {
		case custos.IdentityPhone:
			job.Identities["phone_number"] = append(job.Identities["phone_number"], id.Value)
		case custos.IdentityExternalID:
			job.Identities["external_id"] = append(job.Identities["external_id"], id.Value)
		}
	}
	switch kind {
	case TypeAccess, TypePortability:
		job.Kind = dsr.KindAccess
	case TypeDeletion:
		job.Kind = dsr.KindErasure
	case TypeCorrection:
		job.Kind = dsr.KindCorrection
	default:
		return dsr.Outcome{}, nil
	}
	out, err := s.runner.Run(ctx, job)
	if err == nil && out.Pending {
		err = ErrPending
	}
	return out, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fulfil does what an in-progress request asks and completes it.
func (s *Service) fulfil(ctx context.Context, actor, id string) error {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return err
	}
	if r.Status != StatusInProgress {
		return nil
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return err
	}
	email, err := s.email(r)
	if err != nil {
		return err
	}
	kind, det := r.Type, r
	if r.Type == TypeAppeal { // an upheld appeal does what the original asked
		if det, err = s.store.Request(ctx, r.AppealOf); err != nil {
			return err
		}
		kind = det.Type
	}
	if r.SubjectID == "" {
		if sid, err := s.records.FindSubject(ctx, custos.SubjectRef{Email: email}); err == nil {
			r.SubjectID = sid
		}
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	pkg := Package{Request: PackageRequest{ID: r.ID, Type: r.Type, Jurisdiction: r.Jurisdiction, ReceivedAt: r.ReceivedAt, CompletedAt: now},
		Organisation: org(p.Manifest)}
	reader := "subject:request:" + r.ID
	var recs records.Records
	if r.SubjectID != "" {
		recs, err = s.records.SubjectRecords(ctx, reader, "privacy request "+r.ID, r.SubjectID)
		if err != nil && custos.ErrorCode(err) != "erased" {
			return err
		}
	}
	held := r.SubjectID != "" && err == nil
	var (
		notices      []notice
		noticeAction string
	)
	channelMethod := "web_form"
	if r.Channel != "web" {
		channelMethod = "operator"
	}
	switch kind {
	case TypeAccess, TypePortability:
		pkg.Summary = "The personal information we hold about you, and what we do with it."
		out, err := s.connected(ctx, r, kind, email, recs.Identities, nil)
		if err != nil {
			return err
		}
		if len(out.Collections) > 0 {
			pkg.Collections = out.Collections
			held = true
		}
		if held && r.SubjectID != "" {
			pkg.Identities = recs.Identities
			for _, e := range recs.Events {
				pkg.Pieces = append(pkg.Pieces, piece(p.Manifest, e))
			}
			s.categoryLists(p.Manifest, recs.Events, &pkg)
			if st, err := s.consent.StateOf(ctx, reader, custos.SubjectRef{Email: email}, ""); err == nil {
				pkg.Consents = st.Current
			}
		}
	case TypeCategories:
		pkg.Request.Period = r.ReceivedAt.AddDate(-1, 0, 0).Format("2006-01-02") + " to " + r.ReceivedAt.Format("2006-01-02")
		pkg.Summary = "The categories of personal information we collected about you in the 12 months before your request, their sources, our purposes, and the categories of third parties we disclosed it to."
		if held {
			var within []custos.Event
			for _, e := range recs.Events {
				if !e.OccurredAt.Before(r.ReceivedAt.AddDate(-1, 0, 0)) && !e.OccurredAt.After(r.ReceivedAt) {
					within = append(within, e)
				}
			}
			s.categoryLists(p.Manifest, within, &pkg)
		}
	case TypeDirectMarketingDisclosures:
		year := r.ReceivedAt.Year() - 1
		pkg.Request.Period = fmt.Sprintf("calendar year %d", year)
		pkg.Summary = fmt.Sprintf("The personal information we disclosed to third parties for their own direct marketing in %d, and who they are.", year)
		if held {
			pkg.Disclosures = shineTheLight(p.Manifest, recs.Events, year)
		}
	case TypeDeletion:
		pkg.Summary = "Your personal information was deleted."
		onHold := false
		if held {
			if onHold, err = s.store.Held(ctx, r.SubjectID); err != nil {
				return err
			}
		}
		if onHold {
			pkg.Summary = "We could not delete your personal information now."
			pkg.Kept = append(pkg.Kept, Kept{What: "All the personal information we hold about you",
				Why: "It is subject to a legal hold: the law requires us to preserve it while a legal matter is pending. We will delete it when the hold ends, unless another rule requires us to keep it."})
		} else {
			// The company's systems first: they are found by the address
			// sealed in the request, which outlives the erasure below, so a
			// crash between the two resumes cleanly.
			out, err := s.connected(ctx, r, kind, email, recs.Identities, nil)
			if err != nil {
				return err
			}
			elsewhere := outcome(&pkg, out)
			switch {
			case !held && !elsewhere:
				pkg.Summary = "We hold no personal information linked to this address, so there was nothing to delete."
			case !held && len(out.Erased) == 0:
				// Found in a connected system, but kept there (read-only,
				// shared with others…): not "deleted".
				pkg.Summary = "We found personal information about you that we could not delete; what we kept, and why, is listed below."
			}
		}
		if !onHold && held {
			notices, noticeAction = recipientsOf(p.Manifest, recs.Events), "delete"
			n, err := s.records.EraseSubject(ctx, reader, r.SubjectID, "deletion request "+r.ID)
			if err != nil {
				return err
			}
			pkg.Actions = append(pkg.Actions, fmt.Sprintf("%d records about you were deleted and the key that protected them destroyed.", n))
			pkg.Kept = append(pkg.Kept, Kept{What: "A keyed fingerprint of your e-mail address with your opt-outs", Why: "So your choices to opt out stay in force if your address reaches us again."},
				Kept{What: "A record of this request (no copy of your data)", Why: "The law requires us to keep records of requests and how we answered them for 24 months."})
		}
	case TypeCorrection:
		d, err := s.details(ctx, det)
		if err != nil {
			return err
		}
		pkg.Summary = "Your personal information was corrected."
		out, err := s.connected(ctx, r, kind, email, recs.Identities, d.Corrections)
		if err != nil {
			return err
		}
		elsewhere := outcome(&pkg, out)
		keys := make([]string, 0, len(d.Corrections))
		for k := range d.Corrections {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, cat := range keys {
			if !held {
				if !elsewhere {
					pkg.Kept = append(pkg.Kept, Kept{What: cat, Why: "We hold no information in this category linked to your address."})
				}
				continue
			}
			ok, err := s.records.Correct(ctx, reader, r.SubjectID, cat, d.Corrections[cat])
			if err != nil {
				return err
			}
			if ok {
				pkg.Actions = append(pkg.Actions, "Corrected "+describeCategory(p.Manifest, cat)+".")
			} else if !slices.Contains(out.CorrectedCategories, cat) {
				// Corrected in a connected system is said above, per
				// collection; only a category corrected nowhere is kept.
				pkg.Kept = append(pkg.Kept, Kept{What: describeCategory(p.Manifest, cat), Why: "We hold no such information about you, so there was nothing to correct."})
			}
		}
		if held && len(pkg.Actions) > 0 {
			notices, noticeAction = recipientsOf(p.Manifest, recs.Events), "correct"
		}
	case TypeRestriction:
		pkg.Summary = "We restricted the processing of your personal information: we keep it, and use it for nothing else until the restriction is lifted, which we will tell you about first."
		if held {
			if err := s.consent.SetRestricted(ctx, reader, r.SubjectID, true); err != nil {
				return err
			}
		}
	case TypeOptOut:
		pkg.Summary = "Your opt-out of the sale and sharing of your personal information is recorded and in force."
		if _, err := s.consent.Record(ctx, reader, consent.Choice{Subject: custos.SubjectRef{Email: email}, Purpose: consent.ScopeSaleSharing,
			Granted: false, Jurisdiction: r.Jurisdiction, Method: channelMethod}, false); err != nil {
			return err
		}
	case TypeObjection:
		pkg.Summary = "Your objection to direct marketing is recorded: we will not use your information for marketing to you."
		if _, err := s.consent.Record(ctx, reader, consent.Choice{Subject: custos.SubjectRef{Email: email}, Purpose: consent.ScopeDirectMarketing,
			Granted: false, Jurisdiction: r.Jurisdiction, Method: channelMethod}, false); err != nil {
			return err
		}
	default:
		return fmt.Errorf("requests: no fulfilment for %q", kind)
	}
	if pkg.Summary == "" || (!held && (kind == TypeAccess || kind == TypePortability || kind == TypeCategories || kind == TypeDirectMarketingDisclosures)) {
		if !held {
			pkg.Summary = "We hold no personal information linked to this address."
		}
	}
	expires := now.Add(s.ResultTTL)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.RequestForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if cur.Status != StatusInProgress {
			return nil // someone else finished it meanwhile
		}
		lines, err := s.notify(ctx, tx, p.Manifest, cur, email, noticeAction, notices)
		if err != nil {
			return err
		}
		pkg.Actions = append(pkg.Actions, lines...)
		body, err := json.Marshal(pkg)
		if err != nil {
			return err
		}
		sealed, err := s.master.Seal(body, s.sealContext(id, "result"))
		if err != nil {
			return err
		}
		cur.SubjectID, cur.ResultSealed, cur.ResultExpiresAt = r.SubjectID, sealed, &expires
		if err := s.move(ctx, tx, &cur, StatusCompleted, actor, "completed", ""); err != nil {
			return err
		}
		if s.runner != nil {
			// The rows found are in the sealed answer (or erased): the
			// run's own copy goes with the transaction that completes it.
			if err := tx.DropCheckpoints(ctx, id); err != nil {
				return err
			}
		}
		return s.mailOutcome(ctx, tx, cur, email)
	})
	if err == nil {
		s.outbox.Wake()
	}
	return err
}

func piece(m *policy.Manifest, e custos.Event) Piece {
	p := Piece{Category: e.Category, Description: describeCategory(m, e.Category), Source: e.Source, Recipient: e.Recipient,
		Purpose: e.Purpose, Kind: e.Kind, At: e.OccurredAt}
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

// notice is a recipient to tell of a deletion or correction (GDPR Art. 19,
// CCPA regulations §7022).
type notice struct {
	key, name, email string
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
		n := notice{key: e.Recipient, name: e.Recipient}
		for _, r := range m.Recipients {
			if r.Key == e.Recipient {
				n.name, n.email = r.Name, r.NotifyEmail
			}
		}
		out = append(out, n)
	}
	return out
}

// notify tells recipients within the completing transaction: by e-mail
// where the policy gives an address, otherwise as a task in the request's
// history for the privacy team. It returns the lines for the package.
func (s *Service) notify(ctx context.Context, tx *store.Tx, m *policy.Manifest, r store.Request, email, action string, ns []notice) ([]string, error) {
	var lines []string
	for _, n := range ns {
		if n.email != "" && action == "delete" {
			if err := s.enqueue(ctx, tx, m, n.email, mail.TemplateErasureNotice, mail.ErasureNotice{Organisation: org(m), Recipient: n.name,
				Identifiers: []mail.Identifier{{Kind: "E-mail", Value: email}}, RequestID: r.ID}); err != nil {
				return nil, err
			}
			if err := s.history(ctx, tx, r.ID, "system", "recipient_notified", r.Status, n.key); err != nil {
				return nil, err
			}
			lines = append(lines, fmt.Sprintf("We told %s, who received your information from us, to %s it too.", n.name, action))
			continue
		}
		why := "no notify_email in the policy"
		if n.email != "" {
			why = "Custos mails erasure notices only"
		}
		if err := s.history(ctx, tx, r.ID, "system", "recipient_notice_due", r.Status, n.key+": "+action+" notice due ("+why+"); tell them through the contract channel"); err != nil {
			return nil, err
		}
		lines = append(lines, fmt.Sprintf("%s received your information from us; our privacy team is telling them to %s it too.", n.name, action))
	}
	return lines, nil
}

// outcome adds what a run in the company's systems did to a package, and
// reports whether it found anything there.
func outcome(pkg *Package, out dsr.Outcome) bool {
	for _, c := range sortedKeys(out.Erased) {
		pkg.Actions = append(pkg.Actions, fmt.Sprintf("%d records about you in %s were erased.", out.Erased[c], c))
	}
	for _, c := range sortedKeys(out.Corrected) {
		pkg.Actions = append(pkg.Actions, fmt.Sprintf("%d records about you in %s were corrected.", out.Corrected[c], c))
	}
	for _, k := range out.Kept {
		if k.Why != "" {
			pkg.Kept = append(pkg.Kept, Kept{What: k.What, Why: k.Why})
		}
	}
	return len(out.Erased) > 0 || len(out.Corrected) > 0 || len(out.Kept) > 0
}
