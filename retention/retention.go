// Package retention makes the policy's promise to keep personal information
// only as long as needed true: sweeps erase what each rule of the manifest
// has expired, legal holds stop any erasure while they stand, and what is
// learnt to come from a child is queued for deletion at once.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Service runs sweeps, holds and the children's rules.
type Service struct {
	store    *store.Store
	master   *vault.Master
	records  *records.Service
	consent  *consent.Service
	requests *requests.Service
	policies *policy.Registry
	log      *audit.Log
	clock    custos.Clock
	logger   *slog.Logger
	// Batch is the width of the id window one statement deletes from.
	Batch int
	// connected sweeps the company's connected databases by the same rules
	// (Config.Connected).
	connected Connected
}

// Connected sweeps connected systems (package dsr).
type Connected interface {
	Sweep(ctx context.Context, actor string, exps []connected.Expiry, held []map[string][]string, dryRun bool) ([]connected.SweepLine, error)
	SweepRetained(ctx context.Context, actor string, asOf time.Time, held []map[string][]string, dryRun bool) ([]connected.SweepLine, error)
}

// Config gathers what a Service needs.
type Config struct {
	Store    *store.Store
	Master   *vault.Master
	Records  *records.Service
	Consent  *consent.Service
	Requests *requests.Service
	Policies *policy.Registry
	Log      *audit.Log
	Clock    custos.Clock
	Logger   *slog.Logger
	// Connected makes sweeps reach the company's connected databases too.
	Connected Connected
}

// New returns a Service. It watches dates of birth as they are recorded
// and refuses further collection from known minors.
func New(c Config) *Service {
	// PostgreSQL deletes a window of a quarter of a million rows in well
	// under a second, and each window costs a statement and a commit; in
	// SQLite a window holds the one write lock, so it stays small.
	batch := 50_000
	if c.Store.Dialect() == store.Postgres {
		batch = 250_000
	}
	s := &Service{store: c.Store, master: c.Master, records: c.Records, consent: c.Consent, requests: c.Requests,
		policies: c.Policies, log: c.Log, clock: c.Clock, logger: c.Logger, Batch: batch, connected: c.Connected}
	c.Records.WatchValues([]string{BirthDateCategory}, s.birthDate)
	c.Records.RefuseCollectionFrom(c.Consent.Engine().IsMinor)
	return s
}

var durationRE = regexp.MustCompile(`^([0-9]+) (day|days|month|months|year|years)$`)

// Before returns t moved back by a manifest duration ("13 months").
func Before(t time.Time, duration string) (time.Time, error) {
	m := durationRE.FindStringSubmatch(duration)
	if m == nil {
		return t, fmt.Errorf("retention: %q is not a duration like \"13 months\"", duration)
	}
	n, _ := strconv.Atoi(m[1])
	switch m[2] {
	case "day", "days":
		return t.AddDate(0, 0, -n), nil
	case "month", "months":
		return t.AddDate(0, -n, 0), nil
	default:
		return t.AddDate(-n, 0, 0), nil
	}
}

// expiries turns the manifest's rules into what has expired at asOf.
func expiries(m *policy.Manifest, asOf time.Time) ([]store.Expiry, error) {
	var out []store.Expiry
	for _, r := range m.Retention.Rules {
		cut, err := Before(asOf, r.Duration)
		if err != nil {
			return nil, err
		}
		if r.Extension != "" {
			if cut, err = Before(cut, r.Extension); err != nil {
				return nil, err
			}
		}
		out = append(out, store.Expiry{Category: r.Category, Purpose: r.Purpose, Trigger: r.Trigger, Cutoff: cut})
	}
	return out, nil
}

// Line is what a sweep did (or would do) under one rule.
type Line struct {
	Category string `json:"category"`
	Purpose  string `json:"purpose,omitempty"`
	Trigger  string `json:"trigger"`
	Duration string `json:"duration"`
	Cutoff   string `json:"cutoff"`
	Events   int64  `json:"events"`
	Subjects int64  `json:"subjects"`
}

// Report is the outcome of a sweep.
type Report struct {
	AsOf           time.Time `json:"as_of"`
	DryRun         bool      `json:"dry_run"`
	Lines          []Line    `json:"rules"`
	Erased         int64     `json:"events_erased"`
	SubjectsErased int64     `json:"subjects_erased"`
	// RetainedErased counts records a deletion had kept on a legal ground
	// whose retention ended by AsOf.
	RetainedErased int64 `json:"retained_erased"`
	// Connected is what the sweep did in the company's connected
	// databases, collection by collection.
	Connected []connected.SweepLine `json:"connected,omitempty"`
	// ConnectedRetained is what erasures had left in connected databases
	// because a rule retained it, erased now that the retention ended.
	ConnectedRetained []connected.SweepLine `json:"connected_retained,omitempty"`
}

// Sweep erases, batch by batch, every event a rule has expired at asOf,
// except those of subjects under a legal hold; subjects left with nothing
// are erased whole (their key destroyed). Each batch commits on its own, so
// a sweep stopped half-way leaves no half-done batch and the next sweep
// carries on. With dryRun it counts and erases nothing.
func (s *Service) Sweep(ctx context.Context, actor string, asOf time.Time, dryRun bool) (Report, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return Report{}, err
	}
	exps, err := expiries(p.Manifest, asOf)
	if err != nil {
		return Report{}, err
	}
	rep := Report{AsOf: asOf, DryRun: dryRun, Lines: []Line{}}
	sweepID, err := s.startSweep(ctx, actor, asOf, dryRun)
	if err != nil {
		return Report{}, err
	}
	top, err := s.store.MaxEventID(ctx)
	if err != nil {
		return rep, err
	}
	held, err := s.store.HeldSubjects(ctx)
	if err != nil {
		return rep, err
	}
	for i := range exps {
		exps[i].Held = held
	}
	touched := map[string]bool{}
	for i, e := range exps {
		line, erased, err := s.sweepRule(ctx, e, p.Retention.Rules[i].Duration, dryRun, top, touched)
		if err != nil {
			return rep, err
		}
		rep.Erased += erased
		rep.Lines = append(rep.Lines, line)
	}
	if !dryRun {
		if err := s.eraseEmptied(ctx, actor, touched, &rep); err != nil {
			return rep, err
		}
		if rep.RetainedErased, err = s.records.EraseRetained(ctx, actor, asOf); err != nil {
			return rep, err
		}
	}
	if s.connected != nil {
		if rep.Connected, err = s.sweepConnected(ctx, actor, p.Manifest, asOf, dryRun); err != nil {
			return rep, err
		}
		held, err := s.heldIdentities(ctx)
		if err != nil {
			return rep, err
		}
		if rep.ConnectedRetained, err = s.connected.SweepRetained(ctx, actor, asOf, held, dryRun); err != nil {
			return rep, err
		}
	}
	if err := s.store.FinishSweep(ctx, sweepID, rep.Erased, rep.SubjectsErased, s.clock.Now()); err != nil {
		return rep, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "retention.sweep", Object: fmt.Sprintf("sweep:%d", sweepID),
			Detail: map[string]any{"dry_run": dryRun, "events_erased": rep.Erased, "subjects_erased": rep.SubjectsErased}})
		return err
	})
	return rep, err
}

// startSweep records that a sweep began, in the store and the audit log.
func (s *Service) startSweep(ctx context.Context, actor string, asOf time.Time, dryRun bool) (int64, error) {
	var sweepID int64
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if sweepID, err = tx.StartSweep(ctx, store.Sweep{StartedAt: s.clock.Now(), AsOf: asOf, DryRun: dryRun, Actor: actor}); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "retention.sweep_started", Object: fmt.Sprintf("sweep:%d", sweepID),
			Detail: map[string]any{"as_of": asOf.Format(time.RFC3339), "dry_run": dryRun}})
		return err
	})
	return sweepID, err
}

// sweepRule erases (or, dry, counts) what one rule has expired among the
// events up to top, adding the subjects it touched; it returns the rule's
// line and how many events were erased.
func (s *Service) sweepRule(ctx context.Context, e store.Expiry, duration string, dryRun bool, top int64, touched map[string]bool) (Line, int64, error) {
	line := Line{Category: e.Category, Purpose: e.Purpose, Trigger: e.Trigger, Duration: duration, Cutoff: e.Cutoff.Format(time.RFC3339)}
	var err error
	if dryRun {
		line.Events, line.Subjects, err = s.store.CountExpired(ctx, e)
		return line, 0, err
	}
	// Most rules have nothing to do on most days: one indexed count
	// saves walking the table for them.
	if found, err := s.store.AnyExpired(ctx, e); err != nil || !found {
		return line, 0, err
	}
	if s.store.Dialect() == store.Postgres && (e.Trigger == "" || e.Trigger == "collected") {
		n, err := s.deleteWindows(ctx, e, touched, &line)
		return line, n, err
	}
	subjects, err := s.store.ExpiredSubjects(ctx, e)
	if err != nil {
		return line, 0, err
	}
	for after := int64(0); after < top; after += int64(s.Batch) {
		var n int64
		if err := s.store.InTx(ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.DeleteExpired(ctx, e, after, min(after+int64(s.Batch), top))
			return err
		}); err != nil {
			return line, 0, err
		}
		line.Events += n
	}
	for _, sid := range subjects {
		touched[sid] = true
	}
	line.Subjects = int64(len(subjects))
	return line, line.Events, nil
}

// eraseEmptied erases whole the touched subjects left with no event.
func (s *Service) eraseEmptied(ctx context.Context, actor string, touched map[string]bool, rep *Report) error {
	if len(touched) == 0 {
		return nil
	}
	ids := make([]string, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	empty, err := s.store.SubjectsWithoutEvents(ctx, ids)
	if err != nil {
		return err
	}
	for _, sid := range empty {
		erased, err := s.records.EraseIfEmpty(ctx, actor, sid, "retention: every record expired")
		if err != nil {
			return err
		}
		if erased {
			rep.SubjectsErased++
		}
	}
	return nil
}

// deleteWindows sweeps a collected-trigger rule on PostgreSQL in windows of
// the primary key, each its own transaction, naming the subjects as it goes.
func (s *Service) deleteWindows(ctx context.Context, e store.Expiry, touched map[string]bool, line *Line) (int64, error) {
	var (
		total int64
		seen  = map[string]bool{}
	)
	top, err := s.store.MaxEventID(ctx)
	if err != nil {
		return 0, err
	}
	for after := int64(0); after < top; after += int64(s.Batch) {
		var (
			n    int64
			subs []string
		)
		err := s.store.InTx(ctx, func(tx *store.Tx) error {
			var err error
			n, subs, err = tx.DeleteExpiredRange(ctx, e, after, min(after+int64(s.Batch), top))
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		for _, sid := range subs {
			touched[sid], seen[sid] = true, true
		}
	}
	line.Events, line.Subjects = total, int64(len(seen))
	return total, nil
}

// Upcoming counts, per rule, what will expire within the next window: the
// privacy officer's weekly look ahead.
func (s *Service) Upcoming(ctx context.Context, window time.Duration) ([]Line, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	later, err := expiries(p.Manifest, now.Add(window))
	if err != nil {
		return nil, err
	}
	current, err := expiries(p.Manifest, now)
	if err != nil {
		return nil, err
	}
	held, err := s.store.HeldSubjects(ctx)
	if err != nil {
		return nil, err
	}
	out := []Line{}
	for i := range later {
		later[i].Held, current[i].Held = held, held
		n1, s1, err := s.store.CountExpired(ctx, later[i])
		if err != nil {
			return nil, err
		}
		n0, s0, err := s.store.CountExpired(ctx, current[i])
		if err != nil {
			return nil, err
		}
		r := p.Retention.Rules[i]
		out = append(out, Line{Category: r.Category, Purpose: r.Purpose, Trigger: r.Trigger, Duration: r.Duration,
			Cutoff: later[i].Cutoff.Format(time.RFC3339), Events: n1 - n0, Subjects: max(s1-s0, 0)})
	}
	return out, nil
}

// MonthLine is what sweeps erased in a month.
type MonthLine struct {
	Month          string `json:"month"`
	Sweeps         int    `json:"sweeps"`
	EventsErased   int64  `json:"events_erased"`
	SubjectsErased int64  `json:"subjects_erased"`
}

// History sums finished, non-dry sweeps per month since a time.
func (s *Service) History(ctx context.Context, since time.Time) ([]MonthLine, error) {
	sweeps, err := s.store.Sweeps(ctx, since)
	if err != nil {
		return nil, err
	}
	out := []MonthLine{}
	for _, sw := range sweeps {
		if sw.DryRun || sw.FinishedAt == nil {
			continue
		}
		m := sw.StartedAt.Format("2006-01")
		if len(out) == 0 || out[len(out)-1].Month != m {
			out = append(out, MonthLine{Month: m})
		}
		l := &out[len(out)-1]
		l.Sweeps++
		l.EventsErased += sw.Erased
		l.SubjectsErased += sw.Subjects
	}
	return out, nil
}
