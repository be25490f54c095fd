// Package wire builds Custos' services on an open store, in the one order
// they depend on each other: policy registry, records, consent, the
// connected-systems runner, requests, retention, tokens, the job queue. The server, the command line, tests and benchmarks
// all get the same graph from here.
package wire

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/http/banner"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/internal/connectors"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/notify"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/reports"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/retention"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Options are what the services are built from.
type Options struct {
	Store  *store.Store
	Master *vault.Master
	// Audit is the log to append to; nil builds one signing checkpoints
	// with the instance's audit key.
	Audit   *audit.Log
	Clock   custos.Clock
	BaseURL string
	// Sender delivers mail; nil writes nothing until one is set (tests
	// that do not read mail).
	Sender mail.Sender
	Logger *slog.Logger
	// Open opens connectors to the company's systems; nil uses every
	// connector Custos has.
	Open connected.Opener
	// Jobs tunes the durable job queue.
	Jobs jobs.Options
	// Batch is how many rows an erasure statement touches (connected.Config.Batch).
	Batch int
	// Policy is the manifest the store must have; zero: the bundled one
	// into an empty store.
	Policy Policy
}

// Services is the whole graph.
type Services struct {
	Store     *store.Store
	Master    *vault.Master
	Audit     *audit.Log
	Signer    *vault.Signer
	Clock     custos.Clock
	Loader    *policy.Loader
	Policies  *policy.Registry
	Blind     *vault.BlindIndex
	Records   *records.Service
	Consent   *consent.Service
	Outbox    *notify.Outbox
	Requests  *requests.Service
	Retention *retention.Service
	Auth      *auth.Service
	DSR       *connected.Service
	Queue     *jobs.Queue
	// SessionKey signs admin console sessions.
	SessionKey []byte
	// DeviceKey signs the banner's device tokens.
	DeviceKey []byte
	// Published is what New found or published as the policy.
	Published policy.Published
}

// Policy is the manifest New makes sure the store has before it builds
// the services that need a policy in force (see policy.Registry.Bootstrap).
// The zero value keeps the store's policy, or publishes the bundled one
// into an empty store.
type Policy struct {
	// Actor is who the audit log names for a publication.
	Actor string
	// Name is the manifest's file name; Source its text. Empty: the
	// bundled policy.
	Name   string
	Source []byte
	// Explicit publishes Source even when the store has a policy, unless
	// it is the latest version already (the operator named a manifest).
	Explicit bool
}

// New builds the whole graph in one pass, each service after the ones it
// needs: audit log, job tables, policy registry (publishing o.Policy),
// records, consent, outbox, the connected-systems runner, requests,
// retention, tokens, the job queue. Nothing is set afterwards. Close
// releases what it opened.
func New(ctx context.Context, o Options) (*Services, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = custos.SystemClock{}
	}
	s := &Services{Store: o.Store, Master: o.Master, Audit: o.Audit, Clock: o.Clock}
	if err := s.build(ctx, o); err != nil {
		// What was opened before the failure (connections) is released.
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

func (s *Services) build(ctx context.Context, o Options) error {
	var err error
	if s.Audit == nil {
		if s.Audit, s.Signer, err = AuditLog(ctx, o.Store, o.Master, o.Clock); err != nil {
			return err
		}
	}
	// River's tables live beside Custos' own; migrating is a no-op when
	// they are current.
	if err := jobs.Migrate(ctx, o.Store); err != nil {
		return err
	}
	if s.Loader, err = policy.NewLoader(); err != nil {
		return err
	}
	s.Policies = policy.NewRegistry(o.Store, s.Loader, s.Audit, o.Clock)
	if s.Published, err = s.publish(ctx, o.Policy); err != nil {
		return err
	}
	if s.Blind, err = vault.InstanceBlindIndex(ctx, s.Store, s.Master, s.Clock.Now()); err != nil {
		return err
	}
	s.Records = records.New(s.Store, s.Master, s.Blind, s.Audit, s.Policies, s.Clock)
	if s.Consent, err = consent.New(ctx, consent.Config{Store: s.Store, Records: s.Records, Policies: s.Policies, Master: s.Master,
		Log: s.Audit, Clock: s.Clock, BaseURL: o.BaseURL}); err != nil {
		return err
	}
	sender := o.Sender
	if sender == nil {
		sender = unsent{}
	}
	s.Outbox = notify.New(s.Store, s.Master, sender, s.Clock, o.Logger)
	if err := s.buildConnected(ctx, o); err != nil {
		return err
	}
	jo := o.Jobs
	if jo.Logger == nil {
		jo.Logger = o.Logger
	}
	// Requests enqueue their runs, and the queue's workers run requests:
	// the requests service enqueues through an insert-only client on the
	// same tables, and the working client is built after it, on it.
	inserter, err := jobs.New(s.Store, nil, jo)
	if err != nil {
		return err
	}
	if s.Requests, err = requests.New(ctx, requests.Config{Store: s.Store, Master: s.Master, Records: s.Records, Consent: s.Consent,
		Policies: s.Policies, Outbox: s.Outbox, Log: s.Audit, Clock: s.Clock, BaseURL: o.BaseURL,
		Runner: s.DSR, Queue: inserter}); err != nil {
		return err
	}
	s.Retention = retention.New(retention.Config{Store: s.Store, Master: s.Master, Records: s.Records, Consent: s.Consent,
		Requests: s.Requests, Policies: s.Policies, Log: s.Audit, Clock: s.Clock, Logger: o.Logger, Connected: s.DSR})
	s.Auth = auth.New(s.Store, s.Audit, s.Clock)
	if s.SessionKey, err = vault.InstanceSecret(ctx, s.Store, s.Master, "admin-session", s.Clock.Now()); err != nil {
		return err
	}
	if s.DeviceKey, err = vault.InstanceSecret(ctx, s.Store, s.Master, "banner-device", s.Clock.Now()); err != nil {
		return err
	}
	s.Queue, err = jobs.New(s.Store, s.Requests, jo)
	return err
}

// publish makes sure the store has a policy: p's manifest, or the bundled
// one.
func (s *Services) publish(ctx context.Context, p Policy) (policy.Published, error) {
	name, src := p.Name, p.Source
	if src == nil {
		name, src = policy.BundledName, policy.Bundled()
	}
	actor := p.Actor
	if actor == "" {
		actor = "system"
	}
	return s.Policies.Bootstrap(ctx, actor, name, src, p.Explicit)
}

// buildConnected builds the runner that reaches the company's connected
// systems; requests and retention are built on it.
func (s *Services) buildConnected(ctx context.Context, o Options) error {
	maskSecret, err := vault.InstanceSecret(ctx, s.Store, s.Master, "mask", s.Clock.Now())
	if err != nil {
		return err
	}
	open := o.Open
	if open == nil {
		open = connectors.Open
	}
	s.DSR = connected.New(connected.Config{Store: s.Store, Master: s.Master, Audit: s.Audit, Clock: s.Clock, Open: open, MaskSecret: maskSecret,
		Answers: connectors.Answers{}, CallbackURL: strings.TrimRight(o.BaseURL, "/") + "/api/v1/connector-callbacks", Batch: o.Batch, Logger: o.Logger,
		Policy: func(ctx context.Context) (*policy.Manifest, error) {
			p, _, err := s.Policies.Active(ctx)
			if err != nil {
				return nil, err
			}
			return p.Manifest, nil
		}})
	return nil
}

// Close releases what the services hold open: the connections to the
// company's systems. The store is the caller's, and stays open; the job
// queue, when started, is stopped by whoever started it (it needs a
// deadline). Close may be called more than once.
func (s *Services) Close() error {
	if s == nil || s.DSR == nil {
		return nil
	}
	return s.DSR.Close()
}

// unsent keeps mail in the outbox: without a sender nothing is delivered,
// and nothing is lost.
type unsent struct{}

func (unsent) Send(context.Context, mail.Message) error {
	return custos.Errorf(custos.KindUnavailable, "no_mail_sender", "No mail sender is configured.")
}

// AuditLog is the audit log every process that appends uses: checkpoints
// signed with the instance's audit key, entries keyed with its chain key,
// both sealed by the master key.
func AuditLog(ctx context.Context, s *store.Store, m *vault.Master, clock custos.Clock) (*audit.Log, *vault.Signer, error) {
	signer, err := vault.InstanceSigner(ctx, s, m, "audit", clock.Now())
	if err != nil {
		return nil, nil, err
	}
	chain, err := vault.InstanceSecret(ctx, s, m, "audit-chain", clock.Now())
	if err != nil {
		return nil, nil, err
	}
	return audit.NewKeyed(signer, signer.ID, chain, clock), signer, nil
}

// APIDeps is what the HTTP handler needs from the services.
func (s *Services) APIDeps(log *slog.Logger, baseURL string, minCell int) api.Deps {
	rc := reports.Config{Store: s.Store, Policies: s.Policies}
	if s.DSR != nil {
		rc.Datasets = s.DSR
	}
	rep := reports.New(rc)
	// The keys the log writes with verify it, however the log was built:
	// the server's verdict is the command line's.
	trail := audit.NewTrail(s.Store, s.Audit.Keys())
	pages := web.Deps{Policies: s.Policies, Requests: s.Requests, Consent: s.Consent, Auth: s.Auth, Reports: rep, Trail: trail,
		SessionKey: s.SessionKey, Logger: log, Clock: s.Clock, BaseURL: baseURL}
	// The pages test DSR against nil: a nil *connected.Service would be a
	// non-nil interface.
	if s.DSR != nil {
		pages.DSR = s.DSR
	}
	return api.Deps{Health: s.Store.DB(), Auth: s.Auth, Policies: s.Policies, Records: s.Records, Consent: s.Consent, Requests: s.Requests,
		Retention: s.Retention, DSR: s.DSR, Queue: s.Queue, Reports: rep, Trail: trail, Clock: s.Clock, Logger: log,
		BaseURL: baseURL, MinCell: minCell,
		Pages: pages,
		Banner: banner.Deps{Policies: s.Policies, Consent: s.Consent, Logger: log, Clock: s.Clock, BaseURL: baseURL,
			Devices: s.Store, DeviceKey: s.DeviceKey}}
}
