package requests

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Controller instructions: what an officer does, on the controller's word,
// with the data a request reached that the company processes for it.
const (
	InstructErase  = "erase"
	InstructExport = "export"
	InstructLeave  = "leave"
)

// History actions of the processor role.
const (
	historyControllerNotified   = "controller_notified"
	historyControllerNoticeDue  = "controller_notice_due"
	historyControllerInstructed = "controller_instruction"
	// historyControllerStarted records an instruction given and being
	// carried out by its job (instructByJob).
	historyControllerStarted = "controller_instruction_started"
)

// Routed is data a request reached that the company processes on behalf of
// a controller: the answer names the controller to ask instead.
type Routed struct {
	Controller string   `json:"controller"`
	Name       string   `json:"name"`
	Contact    string   `json:"contact"`
	Categories []string `json:"categories,omitempty"`
	// Systems are the connected collections that hold the controller's
	// data about the person ("dataset:collection").
	Systems []string `json:"systems,omitempty"`
}

// routes reports whether a request of kind reaches data processed for
// controllers: the rights that read or change a person's data.
func routes(kind string) bool {
	switch kind {
	case TypeAccess, TypePortability, TypeCategories, TypeDeletion, TypeCorrection, TypeDirectMarketingDisclosures:
		return true
	}
	return false
}

// splitRouted takes the events processed for controllers out of f.recs,
// so every right answers for the company's own data only.
func splitRouted(f *fulfilment) {
	own := f.recs.Events[:0:0]
	for _, e := range f.recs.Events {
		if e.Controller == "" {
			own = append(own, e)
			continue
		}
		if f.routed == nil {
			f.routed = map[string][]custos.Event{}
		}
		f.routed[e.Controller] = append(f.routed[e.Controller], e)
	}
	f.recs.Events = own
}

// controllerOfCollection names the controller whose declared datasets hold
// the collection "dataset:collection", or "".
func controllerOfCollection(m *policy.Manifest, collection string) string {
	ds, coll, _ := strings.Cut(collection, ":")
	return m.ControllerOfCollection(ds, coll)
}

// routeCollections moves the rows of collections that hold a controller's
// data out of the person's answer: the controller answers for them.
func routeCollections(f *fulfilment) {
	for _, k := range slices.Sorted(maps.Keys(f.pkg.Collections)) {
		c := controllerOfCollection(f.m, k)
		if c == "" {
			continue
		}
		delete(f.pkg.Collections, k)
		if f.routedSystems == nil {
			f.routedSystems = map[string][]string{}
		}
		f.routedSystems[c] = append(f.routedSystems[c], k)
	}
	if len(f.pkg.Collections) == 0 {
		f.pkg.Collections = nil
	}
}

// routeLeft routes the collections an erasure or correction found the
// person in and left because they hold a controller's data (Job.Leave):
// the controller is told and instructs, as for its events in Custos, and
// the answer names it instead of listing the collection. It reports
// whether any was.
func routeLeft(f *fulfilment, out *connected.Outcome) bool {
	kept := out.Kept[:0:0]
	routed := false
	for _, k := range out.Kept {
		c := controllerOfCollection(f.m, k.What)
		if c == "" {
			kept = append(kept, k)
			continue
		}
		routed = true
		if f.routedSystems == nil {
			f.routedSystems = map[string][]string{}
		}
		if !slices.Contains(f.routedSystems[c], k.What) {
			f.routedSystems[c] = append(f.routedSystems[c], k.What)
		}
	}
	out.Kept = kept
	return routed
}

// describeAny is a category's plain words, own or processed for others.
func describeAny(m *policy.Manifest, key string) string {
	if m.OnBehalf != nil {
		for _, c := range m.OnBehalf.Categories {
			if c.Key == key {
				return c.Description
			}
		}
		if m.OnBehalf.LogData != nil && slices.Contains(m.OnBehalf.LogData.Categories, key) {
			return m.OnBehalf.LogData.Description
		}
	}
	return describeCategory(m, key)
}

func contactOf(c policy.Controller) string {
	switch {
	case c.Contact.How != "" && c.Contact.Email != "":
		return c.Contact.How + " (" + c.Contact.Email + ")"
	case c.Contact.How != "":
		return c.Contact.How
	}
	return c.Contact.Email
}

// routedList is what the answer says of each controller reached, in
// controller key order.
func routedList(f *fulfilment) []Routed {
	keys := slices.Sorted(maps.Keys(f.routed))
	for k := range f.routedSystems {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]Routed, 0, len(keys))
	for _, k := range keys {
		r := Routed{Controller: k, Name: k, Systems: f.routedSystems[k]}
		if c, ok := f.m.Controller(k); ok {
			r.Name, r.Contact = c.Name, contactOf(c)
		}
		for _, e := range f.routed[k] {
			if d := describeAny(f.m, e.Category); !slices.Contains(r.Categories, d) {
				r.Categories = append(r.Categories, d)
			}
		}
		out = append(out, r)
	}
	return out
}

// route adds to the answer what the company holds for controllers: the
// person is sent to each controller, which decides about its data.
func route(f *fulfilment) {
	if !routes(f.kind) {
		return
	}
	f.pkg.Routed = routedList(f)
	// The manifest's term for such data is the company's word, kept as
	// written; without one, Custos' own "Data" is translated.
	term := "Data"
	if f.m.OnBehalf != nil {
		term = f.m.OnBehalf.Term
	}
	for _, r := range f.pkg.Routed {
		why := fmt.Sprintf("We process it on behalf of %s, who decides about it, so this answer covers only our own data.", r.Name)
		whyMsg := say("answer.kept.why.routed", "controller", r.Name)
		if r.Contact != "" {
			why += " Please contact " + r.Contact + " about it."
			whyMsg = say("answer.kept.why.routed_contact", "controller", r.Name, "contact", r.Contact)
		}
		why += " We have told them of your request and will act on their instruction."
		whatMsg := say("answer.kept.what.routed", "term", term, "controller", r.Name)
		if f.m.OnBehalf == nil || f.m.OnBehalf.Term == "" {
			whatMsg = say("answer.kept.what.routed_data", "controller", r.Name)
		}
		f.pkg.Kept = append(f.pkg.Kept, Kept{What: fmt.Sprintf("%s we process for %s", term, r.Name), Why: why, WhatMessage: whatMsg, WhyMessage: whyMsg})
	}
}

// notifyControllers tells each controller reached, within the completing
// transaction: by e-mail where the policy gives an address, else as a
// task in the request's history, with the day the agreement's window
// ends (GDPR Art. 28(3)(e)).
func (s *Service) notifyControllers(ctx context.Context, tx *store.Tx, f *fulfilment, r store.Request) error {
	for _, rt := range f.pkg.Routed {
		c, ok := f.m.Controller(rt.Controller)
		if !ok {
			// Kept under an earlier policy that declared it: the privacy
			// team has to find who it is.
			if err := s.history(ctx, tx, r.ID, "system", historyControllerNoticeDue, r.Status,
				rt.Controller+": not declared in the policy in force; tell them of the request by hand"); err != nil {
				return err
			}
			continue
		}
		by := f.now.AddDate(0, 0, c.NotifyWithinDays).Format("2006-01-02")
		if c.Contact.Email == "" {
			if err := s.history(ctx, tx, r.ID, "system", historyControllerNoticeDue, r.Status,
				fmt.Sprintf("%s: tell them of the request by %s through %s", c.Key, by, c.Contact.How)); err != nil {
				return err
			}
			continue
		}
		// The controller is a company: its notice is in the language the
		// policy gives for it, else English (companyLanguage).
		lang := companyLanguage(c.Contact.Language)
		if err := s.enqueue(ctx, tx, f.m, lang, c.Contact.Email, mail.TemplateControllerNotice, mail.ControllerNotice{
			Organisation: org(f.m), Controller: c.Name, Agreement: c.Agreement.Reference, RequestID: r.ID,
			Asked: i18n.T(lang, "mail.asked."+f.kind), Identifiers: []mail.Identifier{{Kind: i18n.T(lang, "mail.identifier.email"), Value: f.email}},
			Categories: rt.Categories}); err != nil {
			return err
		}
		if err := s.history(ctx, tx, r.ID, "system", historyControllerNotified, r.Status,
			fmt.Sprintf("%s: mailed on %s (window ends %s)", c.Key, f.now.Format("2006-01-02"), by)); err != nil {
			return err
		}
	}
	return nil
}

// ControllerInstruction acts on a controller's instruction about the data
// a request reached that the company processes for it: erase it, export it
// into the person's answer, or leave it. Each controller instructs once
// per request.
//
// An erase or export that reaches connected systems runs as a durable job
// of its own when the service has a queue (instructByJob): the call
// returns once the job has finished, or after InstructionWait with the
// instruction still running (Running), when a system answers only later
// by callback. Without a queue it runs in the call, as before.
func (s *Service) ControllerInstruction(ctx context.Context, actor, id, controller, action string) (View, error) {
	if controller == "" {
		return View{}, invalid("controller", "controller is required: the key of the controller whose instruction this is.")
	}
	switch action {
	case InstructErase, InstructExport, InstructLeave:
	default:
		return View{}, invalid("action", "action must be erase, export or leave.")
	}
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return View{}, err
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return View{}, err
	}
	if action == InstructExport && r.ResultSealed == nil {
		if err := instructable(ctx, s.store, id, controller, false); err != nil {
			return View{}, err
		}
		return View{}, errNoResult()
	}
	if action != InstructLeave && s.queue != nil && s.reachesFor(p.Manifest, controller) {
		return s.instructByJob(ctx, actor, r, controller, action)
	}
	if err := instructable(ctx, s.store, id, controller, false); err != nil {
		return View{}, err
	}
	if err := s.carryOut(ctx, actor, r, p.Manifest, controller, action, false); err != nil {
		if errors.Is(err, ErrPending) {
			return View{}, custos.Errorf(custos.KindConflict, "systems_pending",
				"A connected system has yet to answer for %q's collections; record the instruction again once it has (the run resumes).", controller)
		}
		return View{}, err
	}
	return s.withHistory(ctx, r)
}

// carryOut does what a controller instructed and records it. It is safe to
// repeat after any error or crash until the record is written: the run
// resumes from its checkpoints, and erasing again erases nothing more. It
// returns ErrPending while a connected system has yet to answer.
func (s *Service) carryOut(ctx context.Context, actor string, r store.Request, m *policy.Manifest, controller, action string, byJob bool) error {
	id := r.ID
	reason := fmt.Sprintf("instruction of controller %s on request %s", controller, id)
	var note string
	// Export and leave are recorded in the transaction that locks the
	// request and checks again, so two officers cannot both act and a
	// crash leaves nothing half done. Erasure runs first in its own
	// transaction: repeating it after a crash erases nothing more.
	var export []Piece
	var rows connected.Outcome
	var err error
	switch action {
	case InstructErase:
		// The connected systems first: Custos' erasure may destroy the
		// person's key, and with it the identities the systems know them by.
		rows, err = s.controllerRun(ctx, actor, r, m, controller, reason, connected.KindErasure)
		if err == nil {
			note, err = s.eraseFor(ctx, actor, r, controller, reason)
			note += "; " + erasedNote(rows)
		}
	case InstructExport:
		if r.ResultSealed == nil {
			return errNoResult()
		}
		if rows, err = s.controllerRun(ctx, actor, r, m, controller, reason, connected.KindAccess); err == nil {
			export, err = s.controllerPieces(ctx, actor, r, m, controller, reason)
		}
		note = fmt.Sprintf("%d records added to the person's answer", len(export))
		if n := rowCount(rows.Collections); n > 0 {
			note += fmt.Sprintf(", and %d rows from connected systems (%s)", n, countsOf(rows.Collections))
		}
	case InstructLeave:
		note = "left as it is"
	}
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.RequestForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := instructable(ctx, tx, id, controller, byJob); err != nil {
			return err
		}
		if action == InstructExport {
			if err := s.addToAnswer(ctx, tx, &cur, m, controller, export, rows); err != nil {
				return err
			}
		}
		if err := s.history(ctx, tx, id, actor, historyControllerInstructed, cur.Status, controller+": "+action+": "+note); err != nil {
			return err
		}
		// The rows found are in the answer, or erased: they must not
		// linger in the run's checkpoints. Dropped in the transaction that
		// records the instruction, so that no moment exists where it is
		// recorded and the rows are still held, and a retry after a crash
		// before it still sees what the run did.
		if action == InstructLeave {
			return nil
		}
		return forgetRows(ctx, tx, id, controller, m)
	})
}

// forgetRows drops the rows an instruction's run found, and those of the
// person's run no controller still has to decide about (read in tx, so
// the instruction it records counts as decided). Repeating it drops
// nothing more.
func forgetRows(ctx context.Context, tx *store.Tx, id, controller string, m *policy.Manifest) error {
	if err := tx.DropCheckpoints(ctx, controllerRunID(id, controller)); err != nil {
		return err
	}
	evs, err := tx.RequestEvents(ctx, id)
	if err != nil {
		return err
	}
	return tx.DropCheckpointsExcept(ctx, id, stillRouted(evs, m))
}

// reachesFor reports whether a controller's instruction reaches connected
// systems: the policy names datasets that hold its data, and systems are
// connected.
func (s *Service) reachesFor(m *policy.Manifest, key string) bool {
	return s.runner != nil && m.OnBehalf != nil &&
		slices.ContainsFunc(m.OnBehalf.Controllers, func(c policy.Controller) bool { return c.Key == key && len(c.Datasets) > 0 })
}

// controllerRunID names the run of a controller's instruction: its own, so
// the tasks of the person's run (which left the controller's collections)
// do not stand in for it, and a retry resumes it. It is also the job that
// carries the instruction out, and what a connected system's callback
// names, so the callback wakes that job and no other.
func controllerRunID(requestID, controller string) string {
	return requestID + controllerRunSep + controller
}

const controllerRunSep = "/controller/"

// parseControllerRunID reads controllerRunID.
func parseControllerRunID(id string) (requestID, controller string, ok bool) {
	requestID, controller, ok = strings.Cut(id, controllerRunSep)
	return requestID, controller, ok && requestID != "" && controller != ""
}

// instruction is where a controller's instruction on a request stands, as
// its history records it.
type instruction struct {
	routed bool
	// started is the record of an instruction carried out by a job, with
	// the officer who gave it and the action; recorded the record of
	// one carried out.
	started  *store.RequestEvent
	action   string
	recorded *store.RequestEvent
}

func instructionOf(evs []store.RequestEvent, controller string) instruction {
	var in instruction
	for i, e := range evs {
		rest, ok := strings.CutPrefix(e.Note, controller+":")
		if !ok {
			continue
		}
		switch e.Action {
		case historyControllerNotified, historyControllerNoticeDue:
			in.routed = true
		case historyControllerStarted:
			in.started = &evs[i]
			in.action, _, _ = strings.Cut(strings.TrimSpace(rest), ":")
		case historyControllerInstructed:
			in.recorded = &evs[i]
		}
	}
	return in
}

// Running reports whether v's history has an instruction of controller
// that a job is still carrying out.
func Running(v View, controller string) bool {
	started, recorded := false, false
	for _, h := range v.History {
		if !strings.HasPrefix(h.Note, controller+":") {
			continue
		}
		switch h.Action {
		case historyControllerStarted:
			started = true
		case historyControllerInstructed:
			recorded = true
		}
	}
	return started && !recorded
}

// instructByJob records that an officer gave the instruction and enqueues
// the job that carries it out, in one transaction under the request's
// lock: a crash at any moment leaves either nothing or an instruction the
// queue finishes (it rescues a job lost mid-run), and no second officer
// can start another. The job runs the controller's scoped run; a connected
// system that answers later by callback wakes that job (the callback names
// the run), which finishes the instruction. Giving the same instruction
// again while it runs enqueues its job again (a no-op while it is live; a
// retry once it gave up) and waits again.
func (s *Service) instructByJob(ctx context.Context, actor string, r store.Request, controller, action string) (View, error) {
	run := controllerRunID(r.ID, controller)
	again := false
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.RequestForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		evs, err := tx.RequestEvents(ctx, r.ID)
		if err != nil {
			return err
		}
		if err := instructable(ctx, tx, r.ID, controller, true); err != nil {
			return err
		}
		in := instructionOf(evs, controller)
		switch {
		case in.started != nil && in.action != action:
			return custos.Errorf(custos.KindConflict, "instruction_running",
				"The instruction of %q to %s is being carried out in the connected systems; it cannot be changed to %s.", controller, in.action, action)
		case in.started != nil:
			again = true
			return nil
		}
		if err := s.history(ctx, tx, r.ID, actor, historyControllerStarted, cur.Status,
			controller+": "+action+": being carried out in the connected systems"); err != nil {
			return err
		}
		if q, ok := s.queue.(txQueue); ok {
			return q.EnqueueTx(ctx, tx.SQL(), run)
		}
		return nil
	})
	if err != nil {
		return View{}, err
	}
	if _, ok := s.queue.(txQueue); !ok || again {
		if err := s.queue.Enqueue(ctx, run); err != nil {
			return View{}, err
		}
	}
	if err := s.awaitInstruction(ctx, r.ID, controller); err != nil {
		return View{}, err
	}
	return s.withHistory(ctx, r)
}

// txQueue enqueues a job in the transaction of the change that calls for
// it (jobs.Queue).
type txQueue interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, id string) error
}

// awaitInstruction waits, InstructionWait at most, for the job carrying
// out a controller's instruction to record it.
func (s *Service) awaitInstruction(ctx context.Context, id, controller string) error {
	// Real time, not the service's clock: this waits for another
	// goroutine's work.
	deadline := time.Now().Add(s.InstructionWait)
	for {
		evs, err := s.store.RequestEvents(ctx, id)
		if err != nil {
			return err
		}
		if instructionOf(evs, controller).recorded != nil || !time.Now().Before(deadline) {
			return nil
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// finishInstruction is the job of a controller's instruction (run is
// controllerRunID): it carries out the instruction an officer recorded as
// started, as that officer, and does nothing for one already recorded or
// never started (a late callback). It returns ErrPending while a connected
// system has yet to answer; that system's callback wakes the job.
func (s *Service) finishInstruction(ctx context.Context, id, controller string) error {
	r, err := s.store.Request(ctx, id)
	if errors.Is(err, custos.ErrNotFound) {
		return nil // its records were purged: nothing is left to do
	}
	if err != nil {
		return err
	}
	evs, err := s.store.RequestEvents(ctx, id)
	if err != nil {
		return err
	}
	in := instructionOf(evs, controller)
	if in.started == nil {
		return nil
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return err
	}
	if in.recorded != nil {
		// Recorded: since the rows are dropped with the record, this is a
		// late callback, or a record written before they were; dropping
		// again does nothing more.
		return s.store.InTx(ctx, func(tx *store.Tx) error { return forgetRows(ctx, tx, id, controller, p.Manifest) })
	}
	err = s.carryOut(ctx, in.started.Actor, r, p.Manifest, controller, in.action, true)
	if err != nil && !errors.Is(err, ErrPending) && instructed(ctx, s.store, id, controller) {
		return nil // recorded meanwhile: a repeated execution
	}
	return err
}

// instructed reports whether a controller's instruction is recorded.
func instructed(ctx context.Context, st *store.Store, id, controller string) bool {
	evs, err := st.RequestEvents(ctx, id)
	return err == nil && instructionOf(evs, controller).recorded != nil
}

// controllerRun runs the instruction in the connected systems, through the
// same planner as the person's request (access, then the writes), scoped
// to the collections the manifest says hold the controller's data. It
// returns ErrPending while a system has yet to answer.
func (s *Service) controllerRun(ctx context.Context, actor string, r store.Request, m *policy.Manifest, key, reason, kind string) (connected.Outcome, error) {
	if !s.reachesFor(m, key) {
		return connected.Outcome{}, nil
	}
	email, err := s.email(r)
	if err != nil {
		return connected.Outcome{}, err
	}
	var ids []records.Identity
	if r.SubjectID != "" {
		recs, err := s.records.SubjectRecords(ctx, actor, reason, r.SubjectID)
		if err != nil && !errors.Is(err, vault.ErrErased) && !errors.Is(err, custos.ErrNotFound) {
			return connected.Outcome{}, err
		}
		ids = recs.Identities
	}
	out, err := s.runner.Run(ctx, connected.Job{RequestID: controllerRunID(r.ID, key), Kind: kind, From: r.ID,
		Identities: jobIdentities(email, ids),
		Only:       func(collection string) bool { return controllerOfCollection(m, collection) == key }})
	if err != nil {
		return out, err
	}
	if out.Pending {
		return out, ErrPending
	}
	return out, nil
}

// erasedNote is the history's count of rows a controller's erasure wrote.
func erasedNote(out connected.Outcome) string {
	var n int64
	for _, c := range out.Erased {
		n += c
	}
	if n == 0 {
		return "no rows in connected systems"
	}
	parts := make([]string, 0, len(out.Erased))
	for _, k := range slices.Sorted(maps.Keys(out.Erased)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, out.Erased[k]))
	}
	return fmt.Sprintf("%d rows erased in connected systems (%s)", n, strings.Join(parts, ", "))
}

func rowCount(cs map[string][]connector.Row) int {
	n := 0
	for _, rows := range cs {
		n += len(rows)
	}
	return n
}

func countsOf(cs map[string][]connector.Row) string {
	parts := make([]string, 0, len(cs))
	for _, k := range slices.Sorted(maps.Keys(cs)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, len(cs[k])))
	}
	return strings.Join(parts, ", ")
}

// instructable checks that the request was routed to controller and that
// its instruction is not recorded yet, nor being carried out by a job
// other than the caller (byJob: the job of that instruction).
func instructable(ctx context.Context, q interface {
	RequestEvents(ctx context.Context, requestID string) ([]store.RequestEvent, error)
}, id, controller string, byJob bool) error {
	evs, err := q.RequestEvents(ctx, id)
	if err != nil {
		return err
	}
	in := instructionOf(evs, controller)
	switch {
	case in.recorded != nil:
		return custos.Errorf(custos.KindConflict, "instruction_recorded",
			"The instruction of %q on this request is already recorded: %s.", controller, in.recorded.Note)
	case !in.routed:
		return custos.Errorf(custos.KindConflict, "not_routed",
			"This request did not reach data processed for %q, so there is no instruction to act on.", controller)
	case in.started != nil && !byJob:
		return custos.Errorf(custos.KindConflict, "instruction_running",
			"The instruction of %q to %s is being carried out in the connected systems; it cannot be changed.", controller, in.action)
	}
	return nil
}

// eraseFor erases the controller's data about the person in Custos (its
// connected systems: controllerRun).
func (s *Service) eraseFor(ctx context.Context, actor string, r store.Request, key, reason string) (string, error) {
	if r.SubjectID == "" {
		return "nothing held in Custos", nil
	}
	n, erased, err := s.records.EraseFor(ctx, actor, r.SubjectID, key, reason)
	if errors.Is(err, custos.ErrNotFound) || errors.Is(err, vault.ErrErased) {
		return "nothing held in Custos", nil
	}
	if err != nil {
		return "", err
	}
	note := fmt.Sprintf("%d records erased in Custos", n)
	if erased {
		note += ", and the person's key destroyed (nothing else was held)"
	}
	return note, nil
}

// controllerPieces reads the controller's data about the person, for an
// export into their answer.
func (s *Service) controllerPieces(ctx context.Context, actor string, r store.Request, m *policy.Manifest, key, reason string) ([]Piece, error) {
	if r.ResultSealed == nil {
		return nil, errNoResult()
	}
	pieces := []Piece{}
	if r.SubjectID == "" {
		return pieces, nil
	}
	recs, err := s.records.SubjectRecords(ctx, actor, reason, r.SubjectID)
	if err != nil && !errors.Is(err, vault.ErrErased) {
		return nil, err
	}
	for _, e := range recs.Events {
		if e.Controller == key {
			p := piece(m, e)
			p.Description = describeAny(m, e.Category)
			pieces = append(pieces, p)
		}
	}
	return pieces, nil
}

func errNoResult() error {
	return custos.Errorf(custos.KindConflict, "no_result",
		"This request has no answer to add the data to (not completed, or its answer has expired).")
}

// addToAnswer reseals cur's answer with pieces added: the person downloads
// them with the rest, as the controller asked.
func (s *Service) addToAnswer(ctx context.Context, tx *store.Tx, cur *store.Request, m *policy.Manifest, key string, pieces []Piece, rows connected.Outcome) error {
	if cur.ResultSealed == nil {
		return errNoResult()
	}
	body, err := s.master.Open(cur.ResultSealed, s.sealContext(cur.ID, "result"))
	if err != nil {
		return err
	}
	var pkg Package
	if err := json.Unmarshal(body, &pkg); err != nil {
		return err
	}
	pkg.Pieces = append(pkg.Pieces, pieces...)
	if len(rows.Collections) > 0 {
		if pkg.Collections == nil {
			pkg.Collections = map[string][]connector.Row{}
		}
		maps.Copy(pkg.Collections, rows.Collections)
		pkg.Connected = append(pkg.Connected, s.connectedDescribed(m, rows)...)
	}
	now := s.clock.Now().UTC()
	pkg.act(fmt.Sprintf("On the instruction of %s, %d records and %d rows of connected systems we process for them were added on %s.",
		nameOf(m, key), len(pieces), rowCount(rows.Collections), now.Format(time.DateOnly)),
		say("answer.action.controller_added", "controller", nameOf(m, key), "records", len(pieces), "rows", rowCount(rows.Collections), "date", now))
	if body, err = json.Marshal(pkg); err != nil {
		return err
	}
	if cur.ResultSealed, err = s.master.Seal(body, s.sealContext(cur.ID, "result")); err != nil {
		return err
	}
	return tx.UpdateRequest(ctx, *cur)
}

func nameOf(m *policy.Manifest, key string) string {
	if c, ok := m.Controller(key); ok {
		return c.Name
	}
	return key
}

// stillRouted takes the tasks of a request whose found rows wait for a
// controller's instruction not recorded in its history evs.
func stillRouted(evs []store.RequestEvent, m *policy.Manifest) func(phase, collection string) bool {
	instructed := map[string]bool{}
	for _, e := range evs {
		if e.Action == historyControllerInstructed {
			key, _, _ := strings.Cut(e.Note, ":")
			instructed[key] = true
		}
	}
	return func(phase, collection string) bool {
		c := controllerOfCollection(m, collection)
		return phase == connected.PhaseAccess && c != "" && !instructed[c]
	}
}
