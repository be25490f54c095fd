// Package records keeps the record of processing: every collection and
// disclosure of personal information a company reports, checked against the
// policy in force, stored with values sealed under each person's own key,
// and the reports computed from them.
package records

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Refusal codes: the policy in force does not declare what the event says.
const (
	CodeUndeclaredCategory   = "undeclared_category"
	CodeUndeclaredPurpose    = "undeclared_purpose"
	CodeUndeclaredSource     = "undeclared_source"
	CodeUndeclaredRecipient  = "undeclared_recipient"
	CodeUndeclaredDisclosure = "undeclared_disclosure"
	// CodeControllerRequired: the category is reserved to data processed
	// on behalf of a controller, and the event names none.
	CodeControllerRequired = "controller_required"
	// CodeUndeclaredController: the event names a controller the policy
	// does not declare.
	CodeUndeclaredController = "undeclared_controller"
	// CodeNotCovered: the controller's agreement does not cover what the
	// event says.
	CodeNotCovered = "not_covered_by_agreement"
	// CodeMinor: nothing more is collected from a known minor.
	CodeMinor       = "minor"
	MaxBatch        = 10_000
	futureTolerance = 5 * time.Minute
	conflictRetries = 3
	identityField   = "identity:"
	eventField      = "event:"
)

// Input is one event as a caller reports it.
type Input struct {
	Kind        string            `json:"kind"`
	Subject     custos.SubjectRef `json:"subject"`
	Category    string            `json:"category"`
	Source      string            `json:"source,omitempty"`
	Purpose     string            `json:"purpose"`
	Recipient   string            `json:"recipient,omitempty"`
	LegalGround string            `json:"legal_ground,omitempty"`
	Vendor      string            `json:"vendor,omitempty"`
	Value       *string           `json:"value,omitempty"`
	OccurredAt  *time.Time        `json:"occurred_at,omitempty"`
	// Jurisdiction is where the event happened (e.g. "US-CA", "GB"); it is
	// the country a phone number without a country code is read in, ahead
	// of the manifest's organisation.phone_region.
	Jurisdiction string `json:"jurisdiction,omitempty"`
	// Controller is the key of the controller (manifest
	// processing_on_behalf.controllers) the event is processed for; empty
	// for the company's own processing.
	Controller string `json:"controller,omitempty"`
}

// Service records events and answers for subjects.
type Service struct {
	store    *store.Store
	master   *vault.Master
	blind    *vault.BlindIndex
	keys     *vault.KeyCache
	log      *audit.Log
	policies *policy.Registry
	clock    custos.Clock
	observer Observer

	watchCategories []string
	watch           func(ctx context.Context, actor, subjectID, category, value string)
	refuse          func(subjectID string) bool
}

// New returns a Service.
func New(s *store.Store, master *vault.Master, blind *vault.BlindIndex, log *audit.Log, policies *policy.Registry, clock custos.Clock) *Service {
	return &Service{store: s, master: master, blind: blind, keys: vault.NewKeyCache(10_000), log: log, policies: policies, clock: clock}
}

// checked is a validated input with its identities' blind indexes.
type checked struct {
	in     Input
	ids    []identity
	blinds [][]byte
	at     time.Time
	noCtr  bool
}

// Record stores one event and returns its id.
func (s *Service) Record(ctx context.Context, actor string, in Input) (int64, error) {
	ids, err := s.ingest(ctx, actor, []Input{in}, "")
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// RecordBatch stores events all or nothing and returns how many.
func (s *Service) RecordBatch(ctx context.Context, actor string, ins []Input) (int, error) {
	if len(ins) == 0 {
		return 0, invalid("events", "events must hold at least one event.")
	}
	if len(ins) > MaxBatch {
		return 0, invalid("events", "A batch holds at most %d events; this one has %d.", MaxBatch, len(ins))
	}
	_, err := s.ingest(ctx, actor, ins, "events")
	if err != nil {
		return 0, err
	}
	return len(ins), nil
}

// ingest validates, resolves subjects and stores. With a field prefix
// ("events") errors name the index; ids are returned only for one event.
func (s *Service) ingest(ctx context.Context, actor string, ins []Input, prefix string) ([]int64, error) {
	p, version, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	contracts, err := s.store.Contracts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	evs := make([]checked, len(ins))
	for i, in := range ins {
		field := "event"
		if prefix != "" {
			field = fmt.Sprintf("%s[%d]", prefix, i)
		}
		c, err := s.check(p.Manifest, contracts, in, field, now)
		if err != nil {
			return nil, err
		}
		evs[i] = c
	}
	var ids []int64
	for attempt := 0; ; attempt++ {
		ids, err = s.write(ctx, actor, evs, version.Version, now)
		// Two writers created the same new identity at once: the loser
		// retries and now finds it.
		if err == nil || !store.IsConflict(err) || attempt == conflictRetries {
			return ids, err
		}
	}
}

// check checks an event against the policy in force, in the order its
// errors are reported: the subject and time, the required fields, then
// what the policy declares.
func (s *Service) check(m *policy.Manifest, contracts []custos.Contract, in Input, field string, now time.Time) (checked, error) {
	c := checked{in: in, at: now}
	if err := s.checkSubject(m, &c, field, now); err != nil {
		return c, err
	}
	if err := checkRequired(in, field); err != nil {
		return c, err
	}
	if in.Controller != "" || m.Reserved(in.Category) {
		return c, checkOnBehalf(m, in, field)
	}
	if !slices.ContainsFunc(m.Categories, func(x policy.Category) bool { return x.Key == in.Category }) {
		return c, refuse(CodeUndeclaredCategory, field+".category",
			"The policy in force does not declare the category %q, so it may not be collected or disclosed.", in.Category)
	}
	if !slices.ContainsFunc(m.Purposes, func(x policy.Purpose) bool { return x.Key == in.Purpose }) {
		return c, refuse(CodeUndeclaredPurpose, field+".purpose",
			"The policy in force does not declare the purpose %q, so personal information may not be used for it.", in.Purpose)
	}
	switch in.Kind {
	case custos.EventCollection:
		return c, checkCollection(m, in, field)
	case custos.EventDisclosure:
		return c, checkDisclosure(m, contracts, &c, field)
	case "":
		return c, invalid(field+".kind", "%s.kind is required: collection or disclosure.", field)
	default:
		return c, invalid(field+".kind", "%s.kind must be collection or disclosure, not %q.", field, in.Kind)
	}
}

// checkSubject normalises and blinds the event's identifiers, read in the
// phone region of its jurisdiction, and checks when it occurred.
func (s *Service) checkSubject(m *policy.Manifest, c *checked, field string, now time.Time) error {
	in := c.in
	region := m.Organisation.PhoneRegion
	if in.Jurisdiction != "" {
		if region = PhoneRegion(in.Jurisdiction); region == "" {
			return invalid(field+".jurisdiction", "%s.jurisdiction must name a country, such as US-CA, GB or DE.", field)
		}
	}
	var err error
	if c.ids, err = normaliseIn(in.Subject, field+".subject", region); err != nil {
		return err
	}
	for _, id := range c.ids {
		c.blinds = append(c.blinds, s.blind.Sum(id.kind, id.value))
	}
	if in.OccurredAt != nil {
		c.at = in.OccurredAt.UTC()
		if c.at.After(now.Add(futureTolerance)) {
			return invalid(field+".occurred_at", "%s.occurred_at is in the future.", field)
		}
	}
	return nil
}

// checkRequired checks the fields every event has.
func checkRequired(in Input, field string) error {
	if in.Category == "" {
		return invalid(field+".category", "%s.category is required.", field)
	}
	if in.Purpose == "" {
		return invalid(field+".purpose", "%s.purpose is required.", field)
	}
	if in.Value != nil && len(*in.Value) > 64<<10 {
		return invalid(field+".value", "%s.value is over 64 KiB.", field)
	}
	return nil
}

// checkCollection checks a collection's fields and its declared source.
func checkCollection(m *policy.Manifest, in Input, field string) error {
	if in.Recipient != "" || in.LegalGround != "" {
		return invalid(field+".recipient", "%s: recipient and legal_ground belong to disclosures, not collections.", field)
	}
	if in.Source == "" {
		return invalid(field+".source", "%s.source is required for a collection.", field)
	}
	if !slices.ContainsFunc(m.Sources, func(x policy.Source) bool { return x.Key == in.Source }) {
		return refuse(CodeUndeclaredSource, field+".source",
			"The policy in force does not declare the source %q.", in.Source)
	}
	return nil
}

// checkDisclosure checks a disclosure against its declared recipient, and
// marks it when the recipient needs a contract none covers.
func checkDisclosure(m *policy.Manifest, contracts []custos.Contract, c *checked, field string) error {
	in := c.in
	if in.Source != "" {
		return invalid(field+".source", "%s: source belongs to collections, not disclosures.", field)
	}
	if in.Recipient == "" {
		return invalid(field+".recipient", "%s.recipient is required for a disclosure.", field)
	}
	i := slices.IndexFunc(m.Recipients, func(x policy.Recipient) bool { return x.Key == in.Recipient })
	if i < 0 {
		return refuse(CodeUndeclaredRecipient, field+".recipient",
			"The policy in force does not declare the recipient %q, so nothing may be disclosed to it.", in.Recipient)
	}
	r := m.Recipients[i]
	if len(r.Categories) > 0 && !slices.Contains(r.Categories, in.Category) {
		return refuse(CodeUndeclaredDisclosure, field+".category",
			"The policy in force does not declare that %q receives the category %q.", r.Key, in.Category)
	}
	if len(r.Purposes) > 0 && !slices.Contains(r.Purposes, in.Purpose) {
		return refuse(CodeUndeclaredDisclosure, field+".purpose",
			"The policy in force does not declare that %q receives data for the purpose %q.", r.Key, in.Purpose)
	}
	if r.Kind == policy.KindAuthority && in.LegalGround == "" {
		return invalid(field+".legal_ground", "%s.legal_ground is required for a disclosure to an authority (for example subpoena or court_order).", field)
	}
	if r.ContractRequired {
		c.noCtr = !covered(contracts, r.Key, in.Vendor, c.at)
	}
	return nil
}

// checkOnBehalf checks an event processed for a controller against what
// that controller's agreement covers, not against the company's notice: the
// company's sources, purposes and recipients are its own promises, while
// here it acts on the controller's instructions (GDPR Art. 28(3)(a)).
func checkOnBehalf(m *policy.Manifest, in Input, field string) error {
	if in.Controller == "" {
		return refuse(CodeControllerRequired, field+".controller",
			"The category %q is reserved to data processed on behalf of a controller: the event must name its controller.", in.Category)
	}
	ctl, ok := m.Controller(in.Controller)
	if !ok {
		return refuse(CodeUndeclaredController, field+".controller",
			"The policy in force does not declare the controller %q.", in.Controller)
	}
	if !slices.Contains(ctl.Categories, in.Category) {
		return refuse(CodeNotCovered, field+".category",
			"The agreement with %q does not cover the category %q.", ctl.Key, in.Category)
	}
	if !slices.Contains(ctl.Purposes, in.Purpose) {
		return refuse(CodeNotCovered, field+".purpose",
			"The agreement with %q does not cover the use %q.", ctl.Key, in.Purpose)
	}
	switch in.Kind {
	case custos.EventCollection:
		if in.Recipient != "" || in.LegalGround != "" {
			return invalid(field+".recipient", "%s: recipient and legal_ground belong to disclosures, not collections.", field)
		}
	case custos.EventDisclosure:
		if in.Source != "" {
			return invalid(field+".source", "%s: source belongs to collections, not disclosures.", field)
		}
		if in.Recipient == "" {
			return invalid(field+".recipient", "%s.recipient is required for a disclosure.", field)
		}
	case "":
		return invalid(field+".kind", "%s.kind is required: collection or disclosure.", field)
	default:
		return invalid(field+".kind", "%s.kind must be collection or disclosure, not %q.", field, in.Kind)
	}
	return nil
}

// covered reports whether a contract with the recipient (and vendor, when
// named) was in force at t.
func covered(contracts []custos.Contract, recipient, vendor string, t time.Time) bool {
	for _, c := range contracts {
		if c.Recipient == recipient && (c.Vendor == "" || c.Vendor == vendor) &&
			!c.SignedAt.After(t) && (c.ExpiresAt == nil || c.ExpiresAt.After(t)) {
			return true
		}
	}
	return false
}

// collectsFromMinor reports whether an event is a collection refused for a
// known minor: everything but what the law needs to act on their deletion.
func collectsFromMinor(e checked) bool {
	return e.in.Kind == custos.EventCollection && e.in.Purpose != "essential.legal_obligation"
}

func refuse(code, field, format string, args ...any) error {
	e := custos.Errorf(custos.KindUnprocessable, code, format, args...)
	e.Field = field
	return e
}

// write resolves every event's subject and stores the events in one
// transaction.
func (s *Service) write(ctx context.Context, actor string, evs []checked, version int64, now time.Time) ([]int64, error) {
	var (
		ids      []int64
		changes  []change
		subjects []string
	)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		owner, err := owners(ctx, tx, evs)
		if err != nil {
			return err
		}
		r := &resolver{s: s, tx: tx, now: now, keys: map[string]*vault.SubjectKey{}}
		if err := r.preload(ctx, owner); err != nil {
			return err
		}
		b, err := s.eventRows(ctx, r, evs, owner, version, now)
		if err != nil {
			return err
		}
		subjects = b.subjects
		if err := r.flush(ctx); err != nil {
			return err
		}
		changes = r.changes
		if err := notifyChanges(ctx, tx, r.changes); err != nil {
			return err
		}
		ids, err = s.insertEvents(ctx, tx, actor, b, version)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.publish(changes)
	s.watchValues(ctx, actor, evs, subjects)
	return ids, nil
}

// owners reads, in tx, which subject holds each of the events' identities
// (blind → subject id), and refuses a collection about a known minor.
func owners(ctx context.Context, tx *store.Tx, evs []checked) (map[string]string, error) {
	var all [][]byte
	for _, e := range evs {
		all = append(all, e.blinds...)
	}
	found, err := tx.IdentitiesByBlind(ctx, all)
	if err != nil {
		return nil, err
	}
	// A minor whose data was erased left the minor mark on each of
	// their identities: read in this transaction, so a collection can
	// never slip in between an erasure and the next.
	minorMarked, err := tx.MinorBlinds(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		if !collectsFromMinor(e) {
			continue
		}
		for _, b := range e.blinds {
			if minorMarked[string(b)] {
				return nil, refuse(CodeMinor, "event.subject",
					"This person is known to be under the policy's age threshold: nothing is collected about them until a privacy officer records that they are of age.")
			}
		}
	}
	owner := make(map[string]string, len(found))
	for b, id := range found {
		owner[b] = id.SubjectID
	}
	return owner, nil
}

// batch is the events of one write as stored: their rows, the subject of
// each, and how many subjects were created and merged on the way.
type batch struct {
	rows            []store.EventRow
	subjects        []string
	created, merged int
}

// eventRows resolves each event's subject and makes its row, its value
// sealed with the subject's key.
func (s *Service) eventRows(ctx context.Context, r *resolver, evs []checked, owner map[string]string, version int64, now time.Time) (batch, error) {
	b := batch{rows: make([]store.EventRow, 0, len(evs))}
	for _, e := range evs {
		subject, isNew, mergedNow, err := r.resolve(ctx, e, owner, &b.rows)
		if err != nil {
			return b, err
		}
		if s.refuse != nil && collectsFromMinor(e) && s.refuse(subject) {
			return b, refuse(CodeMinor, "event.subject",
				"This person is known to be under the policy's age threshold: nothing more is collected about them while their data is deleted.")
		}
		if isNew {
			b.created++
		}
		b.merged += mergedNow
		row := store.EventRow{Event: custos.Event{
			SubjectID: subject, Kind: e.in.Kind, Category: e.in.Category, Purpose: e.in.Purpose,
			Source: e.in.Source, Recipient: e.in.Recipient, LegalGround: e.in.LegalGround, Vendor: e.in.Vendor,
			OccurredAt: e.at, RecordedAt: now, PolicyVersion: version, NoContract: e.noCtr, Controller: e.in.Controller,
		}}
		if e.in.Value != nil {
			if row.Sealed, err = r.keys[subject].Seal([]byte(*e.in.Value), eventField+e.in.Category); err != nil {
				return b, err
			}
		}
		b.rows = append(b.rows, row)
		b.subjects = append(b.subjects, subject)
	}
	return b, nil
}

// insertEvents stores the rows and audits the write. Only a single event's
// id is returned: a batch is inserted in one statement.
func (s *Service) insertEvents(ctx context.Context, tx *store.Tx, actor string, b batch, version int64) ([]int64, error) {
	var ids []int64
	if len(b.rows) == 1 {
		id, err := tx.InsertEvent(ctx, b.rows[0])
		if err != nil {
			return nil, err
		}
		ids = []int64{id}
	} else if err := tx.InsertEvents(ctx, b.rows); err != nil {
		return nil, err
	}
	detail := map[string]any{"events": len(b.rows), "new_subjects": b.created, "policy_version": version}
	if b.merged > 0 {
		detail["merged_subjects"] = b.merged
	}
	object := "events"
	if len(ids) == 1 {
		object = fmt.Sprintf("event:%d", ids[0])
	}
	_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "events.record", Object: object, Detail: detail})
	return ids, err
}

// watchValues hands the collected values of watched categories to the
// watcher, once they are stored.
func (s *Service) watchValues(ctx context.Context, actor string, evs []checked, subjects []string) {
	if s.watch == nil {
		return
	}
	for i, e := range evs {
		if e.in.Value != nil && e.in.Kind == custos.EventCollection && slices.Contains(s.watchCategories, e.in.Category) {
			s.watch(ctx, actor, subjects[i], e.in.Category, *e.in.Value)
		}
	}
}

// resolver finds or creates the subject of each event within one
// transaction, keeping the keys it opened. New subjects and identities are
// written together by flush, in a few statements rather than one each.
type resolver struct {
	s             *Service
	tx            *store.Tx
	now           time.Time
	keys          map[string]*vault.SubjectKey
	newSubjects   []store.NewSubject
	newIdentities []store.Identity
	changes       []change
}

// flush writes the subjects and identities created so far.
func (r *resolver) flush(ctx context.Context) error {
	if err := r.tx.InsertSubjects(ctx, r.newSubjects); err != nil {
		return err
	}
	if err := r.tx.InsertIdentities(ctx, r.newIdentities); err != nil {
		return err
	}
	r.newSubjects, r.newIdentities = r.newSubjects[:0], r.newIdentities[:0]
	return nil
}

// preload opens the keys of every subject the batch names, in one query.
func (r *resolver) preload(ctx context.Context, owner map[string]string) error {
	var need []string
	for _, sid := range owner {
		if _, ok := r.keys[sid]; ok {
			continue
		}
		if k, ok := r.s.keys.Get(sid); ok {
			r.keys[sid] = k
			continue
		}
		if !slices.Contains(need, sid) {
			need = append(need, sid)
		}
	}
	if len(need) == 0 {
		return nil
	}
	rows, err := r.tx.Subjects(ctx, need)
	if err != nil {
		return err
	}
	for _, sid := range need {
		row, ok := rows[sid]
		if !ok {
			return fmt.Errorf("records: identity points at missing subject %s", sid)
		}
		k, err := r.s.master.OpenSubjectKey(sid, row.WrappedKey)
		if err != nil {
			return err
		}
		r.keys[sid] = k
		r.s.keys.Put(k)
	}
	return nil
}

// resolve returns the subject of an event: the one its known identities
// belong to, or a new one. Identities not yet known are added to it; when
// they belong to different subjects, those are merged into one, because
// the event says they are the same person.
func (r *resolver) resolve(ctx context.Context, e checked, owner map[string]string, pending *[]store.EventRow) (string, bool, int, error) {
	var subjects []string
	for _, b := range e.blinds {
		if sid, ok := owner[string(b)]; ok && !slices.Contains(subjects, sid) {
			subjects = append(subjects, sid)
		}
	}
	isNew, merged := false, 0
	var subject string
	switch len(subjects) {
	case 0:
		subject = newSubjectID()
		k, wrapped, err := r.s.master.NewSubjectKey(subject)
		if err != nil {
			return "", false, 0, err
		}
		r.newSubjects = append(r.newSubjects, store.NewSubject{ID: subject, WrappedKey: wrapped, CreatedAt: r.now})
		r.keys[subject] = k
		r.s.keys.Put(k)
		isNew = true
	default:
		subject = subjects[0]
		if len(subjects) > 1 {
			// A merge reads the stored state: write what is pending first.
			if err := r.flush(ctx); err != nil {
				return "", false, 0, err
			}
		}
		for _, other := range subjects[1:] {
			if err := r.merge(ctx, other, subject, owner, pending); err != nil {
				return "", false, 0, err
			}
			merged++
		}
	}
	for i, id := range e.ids {
		b := e.blinds[i]
		if _, ok := owner[string(b)]; ok {
			continue
		}
		sealed, err := r.keys[subject].Seal([]byte(id.value), identityField+id.kind)
		if err != nil {
			return "", false, 0, err
		}
		r.newIdentities = append(r.newIdentities, store.Identity{Kind: id.kind, Blind: b, SubjectID: subject, Sealed: sealed, CreatedAt: r.now})
		r.changes = append(r.changes, change{subject: subject, blinds: [][]byte{b}})
		owner[string(b)] = subject
	}
	return subject, isNew, merged, nil
}

// merge moves everything of subject from into subject into, re-sealing each
// value under into's key, and retires from's key.
func (r *resolver) merge(ctx context.Context, from, into string, owner map[string]string, pending *[]store.EventRow) error {
	kf, ki := r.keys[from], r.keys[into]
	ids, err := r.tx.SubjectIdentities(ctx, from)
	if err != nil {
		return err
	}
	for _, id := range ids {
		pt, err := kf.Open(id.Sealed, identityField+id.Kind)
		if err != nil {
			return err
		}
		sealed, err := ki.Seal(pt, identityField+id.Kind)
		if err != nil {
			return err
		}
		if err := r.tx.ReassignIdentity(ctx, id.Kind, id.Blind, into, sealed); err != nil {
			return err
		}
		owner[string(id.Blind)] = into
	}
	evs, err := r.tx.SubjectEvents(ctx, from)
	if err != nil {
		return err
	}
	for _, e := range evs {
		sealed, err := reseal(kf, ki, e.Sealed, eventField+e.Category)
		if err != nil {
			return err
		}
		if err := r.tx.ReassignEvent(ctx, e.ID, into, sealed); err != nil {
			return err
		}
	}
	// A privacy request's free text sealed under from's key follows.
	texts, err := r.tx.RequestTextSealedBy(ctx, from)
	if err != nil {
		return err
	}
	for _, t := range texts {
		sealed, err := reseal(kf, ki, t.Sealed, RequestTextField(t.ID))
		if err != nil {
			return err
		}
		if err := r.tx.ResealRequestText(ctx, t.ID, into, sealed); err != nil {
			return err
		}
	}
	// Events of this batch not yet written move too.
	for i := range *pending {
		p := &(*pending)[i]
		if p.SubjectID != from {
			continue
		}
		if p.Sealed, err = reseal(kf, ki, p.Sealed, eventField+p.Category); err != nil {
			return err
		}
		p.SubjectID = into
	}
	if err := r.tx.MarkMerged(ctx, from, into); err != nil {
		return err
	}
	r.changes = append(r.changes, change{subject: into, mergedFrom: from})
	for b, sid := range owner {
		if sid == from {
			owner[b] = into
		}
	}
	r.s.keys.Forget(from)
	return nil
}

func reseal(from, into *vault.SubjectKey, sealed []byte, field string) ([]byte, error) {
	if sealed == nil {
		return nil, nil
	}
	pt, err := from.Open(sealed, field)
	if err != nil {
		return nil, err
	}
	return into.Seal(pt, field)
}

func newSubjectID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
