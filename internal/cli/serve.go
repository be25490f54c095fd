package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/vault"
)

type serveConfig struct {
	addr, dsn, policyFile, mailDir, smtpURL, keyFile, baseURL, logFormat, logLevel string
	minCell                                                                        int
	autoApprove                                                                    string
	resultDays                                                                     int
	rescueAfter                                                                    time.Duration
	oidcIssuer, oidcClientID, oidcClientSecret, oidcRoleClaim, oidcRoles, oidcName string
	metricsAddr                                                                    string
	bannerGlobal                                                                   int
}

func serveCmd(env *Env) *cobra.Command {
	var c serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Custos service (API, public notice, metrics)",
		Long: `Run the Custos service. On first start it creates the data directory, the master key
and the database, publishes the bundled policy (or --policy) and writes a bootstrap
admin token to admin.token beside the key file. SIGTERM drains requests and exits 0.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if v := env.Getenv("CUSTOS_MIN_CELL"); v != "" && !cmd.Flags().Changed("min-cell") {
				if _, err := strconv.Atoi(v); err != nil {
					return usageError{msg: fmt.Sprintf("CUSTOS_MIN_CELL=%q is not a whole number", v)}
				}
			}
			policyGiven := cmd.Flags().Changed("policy") || env.Getenv("CUSTOS_POLICY") != ""
			return serve(cmd.Context(), env, c, policyGiven)
		},
	}
	c.flags(cmd, env)
	return cmd
}

// flags adds serve's flags, each defaulting to its environment variable or
// CONTRACT's default; demo takes the same defaults from here.
func (c *serveConfig) flags(cmd *cobra.Command, env *Env) {
	f := cmd.Flags()
	f.StringVar(&c.addr, "addr", flagEnv(env, "CUSTOS_ADDR", defaultAddr), "address to listen on (env CUSTOS_ADDR)")
	dbFlag(cmd, env, &c.dsn)
	f.StringVar(&c.policyFile, "policy", flagEnv(env, "CUSTOS_POLICY", ""), "policy manifest to publish (default: the bundled policy) (env CUSTOS_POLICY)")
	f.StringVar(&c.mailDir, "mail-dir", flagEnv(env, "CUSTOS_MAIL_DIR", defaultMailDir), "Maildir for outgoing mail when --smtp is not set (env CUSTOS_MAIL_DIR)")
	f.StringVar(&c.smtpURL, "smtp", flagEnv(env, "CUSTOS_SMTP_URL", ""), "send mail through smtp://user:pass@host:port (env CUSTOS_SMTP_URL)")
	keyFlag(cmd, env, &c.keyFile)
	f.StringVar(&c.baseURL, "base-url", flagEnv(env, "CUSTOS_BASE_URL", ""), "public URL of this service, for links (default http://ADDR) (env CUSTOS_BASE_URL)")
	f.IntVar(&c.minCell, "min-cell", envInt(env, "CUSTOS_MIN_CELL", 5), "fewest people an aggregate report cell may describe; smaller cells are suppressed (env CUSTOS_MIN_CELL)")
	f.StringVar(&c.autoApprove, "auto-approve", flagEnv(env, "CUSTOS_AUTO_APPROVE", "opt_out,objection"),
		"request types fulfilled without review once verified, comma-separated; empty for none (env CUSTOS_AUTO_APPROVE)")
	f.IntVar(&c.resultDays, "result-days", envInt(env, "CUSTOS_RESULT_DAYS", 30), "days an answer to a request stays downloadable (env CUSTOS_RESULT_DAYS)")
	f.DurationVar(&c.rescueAfter, "rescue-after", envDuration(env, "CUSTOS_RESCUE_AFTER", time.Hour),
		"how long a request run may go without finishing before it is presumed lost to a crash and resumed (env CUSTOS_RESCUE_AFTER)")
	f.StringVar(&c.oidcIssuer, "oidc-issuer", flagEnv(env, "CUSTOS_OIDC_ISSUER", ""), "OpenID Connect issuer URL for single sign-on to the admin console (env CUSTOS_OIDC_ISSUER)")
	f.StringVar(&c.oidcClientID, "oidc-client-id", flagEnv(env, "CUSTOS_OIDC_CLIENT_ID", ""), "OpenID Connect client id (env CUSTOS_OIDC_CLIENT_ID)")
	f.StringVar(&c.oidcClientSecret, "oidc-client-secret", flagEnv(env, "CUSTOS_OIDC_CLIENT_SECRET", ""), "OpenID Connect client secret (env CUSTOS_OIDC_CLIENT_SECRET)")
	f.StringVar(&c.oidcRoleClaim, "oidc-role-claim", flagEnv(env, "CUSTOS_OIDC_ROLE_CLAIM", "groups"), "the ID token claim that lists the person's groups (env CUSTOS_OIDC_ROLE_CLAIM)")
	f.StringVar(&c.oidcRoles, "oidc-roles", flagEnv(env, "CUSTOS_OIDC_ROLES", ""),
		"map groups to roles, group=role,…; default: a group named after a role gives that role (env CUSTOS_OIDC_ROLES)")
	f.StringVar(&c.oidcName, "oidc-name", flagEnv(env, "CUSTOS_OIDC_NAME", ""), "the provider's name on the sign-in button (env CUSTOS_OIDC_NAME)")
	f.StringVar(&c.metricsAddr, "metrics-addr", flagEnv(env, "CUSTOS_METRICS_ADDR", ""),
		"also serve /metrics without a token on this address; bind it to loopback or a private network (default: off) (env CUSTOS_METRICS_ADDR)")
	f.IntVar(&c.bannerGlobal, "banner-global-per-minute", envInt(env, "CUSTOS_BANNER_GLOBAL_PER_MINUTE", 6000),
		"most banner choices all visitors together may record per minute, beside the limit per address (env CUSTOS_BANNER_GLOBAL_PER_MINUTE)")
	f.StringVar(&c.logFormat, "log-format", flagEnv(env, "CUSTOS_LOG_FORMAT", "text"), "text or json (env CUSTOS_LOG_FORMAT)")
	f.StringVar(&c.logLevel, "log-level", flagEnv(env, "CUSTOS_LOG_LEVEL", "info"), "debug, info, warn or error (env CUSTOS_LOG_LEVEL)")
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{msg: fmt.Sprintf("--log-level %q: use debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{msg: fmt.Sprintf("--log-format %q: use text or json", format)}
}

// serve runs the server until ctx ends (SIGTERM) or a part of it fails.
func serve(ctx context.Context, env *Env, c serveConfig, policyGiven bool) error {
	m, err := newServeMain(env, c, policyGiven)
	if err != nil {
		return err
	}
	if err = m.Run(ctx); err == nil {
		m.Wait()
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return err
}

// serveMain is the server as one value, after WTF Dial's Main:
// newServeMain checks the whole configuration and touches nothing; Run
// listens, opens the store, builds the services and starts the background
// work under one errgroup; Close stops it all in order, joins every
// goroutine it started and closes the store.
type serveMain struct {
	env         *Env
	cfg         serveConfig
	log         *slog.Logger
	policy      wire.Policy
	autoApprove []string
	resultTTL   time.Duration
	ssoRoles    map[string]custos.Role

	ln, mln net.Listener
	baseURL string
	app     *app
	svc     *wire.Services
	srv     *http.Server
	msrv    *http.Server
	queued  bool // the job queue was started

	group   *errgroup.Group
	groupCx context.Context
	stopBG  context.CancelFunc
	running atomic.Int32 // background functions that have not returned
	closed  bool
}

// newServeMain validates every flag, the log settings, the policy manifest
// and the key file's mode, before anything is created: a mistake leaves no
// database, no key and no policy version behind.
func newServeMain(env *Env, c serveConfig, policyGiven bool) (*serveMain, error) {
	log, err := newLogger(env.Stderr, c.logFormat, c.logLevel)
	if err != nil {
		return nil, err
	}
	m := &serveMain{env: env, cfg: c, log: log, resultTTL: time.Duration(c.resultDays) * 24 * time.Hour}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if m.autoApprove, err = autoApprove(c.autoApprove); err != nil {
		return nil, err
	}
	if c.oidcIssuer != "" {
		if m.ssoRoles, err = web.ParseRoleMap(c.oidcRoles); err != nil {
			return nil, usageError{msg: "--oidc-roles: " + err.Error()}
		}
	}
	if m.policy, err = servePolicy(env, c.policyFile, policyGiven); err != nil {
		return nil, err
	}
	// Only read here: a key file others can read stops the server before
	// it migrates the database.
	if mk, err := vault.LoadMaster(c.keyFile); err == nil && mk.Exposed {
		return nil, custos.Errorf(custos.KindInvalid, "key_file_exposed",
			"The key file %s can be read by other users, and it unlocks every piece of personal data Custos stores: run chmod 600 %s and start again.",
			c.keyFile, c.keyFile)
	}
	return m, nil
}

// validate checks the flags that need no file or network.
func (c serveConfig) validate() error {
	switch {
	case c.minCell < 2:
		return usageError{msg: "--min-cell must be at least 2: a cell about one person is about that person"}
	case c.resultDays < 1:
		return usageError{msg: "--result-days must be at least 1"}
	case c.bannerGlobal < 1:
		return usageError{msg: "--banner-global-per-minute must be at least 1"}
	case c.oidcIssuer != "" && c.oidcClientID == "":
		return usageError{msg: "--oidc-issuer needs --oidc-client-id (and usually --oidc-client-secret)"}
	}
	if c.smtpURL != "" {
		u, err := url.Parse(c.smtpURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return usageError{msg: "--smtp must look like smtp://user:pass@host:port"}
		}
	}
	return nil
}

// servePolicy reads and checks the manifest to publish: the operator's, or
// the bundled one.
func servePolicy(env *Env, file string, given bool) (wire.Policy, error) {
	p := wire.Policy{Actor: "system", Name: policy.BundledName, Source: policy.Bundled()}
	if !given {
		return p, nil
	}
	loader, err := policy.NewLoader()
	if err != nil {
		return p, err
	}
	m, err := loadManifest(env, loader, file)
	if err != nil {
		return p, err
	}
	p.Name, p.Source, p.Explicit = file, m.Source, true
	return p, nil
}

// Run starts the server and returns once it serves; Wait then blocks until
// it should stop. After Run, whatever it returned, call Close.
func (m *serveMain) Run(ctx context.Context) error {
	// Listen first: a busy port stops us before the database is touched,
	// and with port 0 the public address is known only now. Connections
	// wait until Serve.
	if err := m.listen(); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.build(ctx); err != nil {
		return err
	}
	handler, err := m.handler(ctx)
	if err != nil {
		return err
	}
	return m.start(ctx, handler)
}

func (m *serveMain) listen() error {
	ln, err := net.Listen("tcp", m.cfg.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", m.cfg.addr, err)
	}
	m.ln = ln
	m.baseURL = m.cfg.baseURL
	if m.baseURL == "" {
		m.baseURL = "http://" + ln.Addr().String()
	}
	if m.cfg.metricsAddr == "" {
		return nil
	}
	if m.mln, err = net.Listen("tcp", m.cfg.metricsAddr); err != nil {
		return fmt.Errorf("cannot listen on --metrics-addr %s: %w", m.cfg.metricsAddr, err)
	}
	// Metrics name routes and traffic, so an address every network can
	// reach is warned about.
	if host, _, err := net.SplitHostPort(m.cfg.metricsAddr); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && !ip.IsLoopback() && !ip.IsPrivate() {
			m.log.Warn("metrics are served without a token on an address other networks may reach; bind --metrics-addr to loopback or a private network",
				"metrics_addr", m.cfg.metricsAddr)
		}
	}
	return nil
}

// open opens and migrates the store and loads (or creates) the master key.
func (m *serveMain) open(ctx context.Context) error {
	a, created, err := openApp(ctx, m.env, m.cfg.dsn, m.cfg.keyFile, true)
	if err != nil {
		return err
	}
	m.app = a
	if created {
		m.log.Warn("created a new master key; back it up: without it stored personal data cannot be read", "key_file", m.cfg.keyFile)
	}
	// An upgraded chain marks where keyed entries begin before anything else.
	if err := a.audit.EnsureKeyed(ctx, a.store); err != nil {
		return err
	}
	m.log.Info("store ready", "db", a.store.String(), "dialect", a.store.Dialect())
	return nil
}

// build builds the services, publishing the policy, and makes sure a
// fresh install has an admin token.
func (m *serveMain) build(ctx context.Context) error {
	sender, err := m.sender()
	if err != nil {
		return err
	}
	a := m.app
	m.svc, err = wire.New(ctx, wire.Options{Store: a.store, Master: a.master, Audit: a.audit, Clock: a.clock, BaseURL: m.baseURL,
		Sender: sender, Logger: m.log, Policy: m.policy,
		// The daily job runs only once the queue works, after m.svc is set.
		Jobs: jobs.Options{RescueAfter: m.cfg.rescueAfter, Daily: func(ctx context.Context) error { m.daily(ctx); return nil }}})
	if err != nil {
		return err
	}
	if pub := m.svc.Published; pub.Unchanged {
		m.log.Info("policy in store", "version", pub.Version.Version, "last_updated", pub.Version.LastUpdated)
	} else {
		m.log.Info("policy published", "version", pub.Version.Version, "source", m.policy.Name, "material", pub.Version.Material)
	}
	m.svc.Requests.AutoApprove = m.autoApprove
	m.svc.Requests.ResultTTL = m.resultTTL
	return bootstrapAdmin(ctx, a, m.svc.Auth, m.cfg.keyFile, m.log)
}

func (m *serveMain) sender() (mail.Sender, error) {
	if m.cfg.smtpURL != "" {
		s, err := mail.NewSMTP(m.cfg.smtpURL, "")
		if err == nil {
			m.log.Info("mail: SMTP", "server", redactURL(m.cfg.smtpURL))
		}
		return s, err
	}
	s, err := mail.NewMaildir(m.cfg.mailDir, "")
	if err == nil {
		m.log.Info("mail: Maildir", "dir", m.cfg.mailDir)
	}
	return s, err
}

// handler builds the HTTP handler, with single sign-on when configured
// (its discovery reaches the provider, so it comes after the flags are
// known good).
func (m *serveMain) handler(ctx context.Context) (http.Handler, error) {
	deps := m.svc.APIDeps(m.log, m.baseURL, m.cfg.minCell)
	deps.Banner.GlobalRecordsPerMinute = m.cfg.bannerGlobal
	if c := m.cfg; c.oidcIssuer != "" {
		var err error
		if deps.Pages.SSO, err = web.NewSSO(ctx, web.SSOConfig{Issuer: c.oidcIssuer, ClientID: c.oidcClientID, ClientSecret: c.oidcClientSecret,
			RedirectURL: strings.TrimRight(m.baseURL, "/") + "/admin/sso/callback", RoleClaim: c.oidcRoleClaim, Roles: m.ssoRoles,
			Name: c.oidcName}); err != nil {
			return nil, err
		}
		m.log.Info("single sign-on to the admin console", "issuer", c.oidcIssuer)
	}
	return api.NewHandler(deps), nil
}

// start runs the background work under one errgroup, the first part to
// fail stopping the rest, and then serves; Close joins them all. The
// server says it is ready only once everything runs.
func (m *serveMain) start(ctx context.Context, handler http.Handler) error {
	bg, stop := context.WithCancel(ctx)
	m.stopBG = stop
	m.group, m.groupCx = errgroup.WithContext(bg)
	a, svc := m.app, m.svc
	m.goBackground(func(ctx context.Context) error { svc.Outbox.Run(ctx); return nil })
	m.goBackground(func(ctx context.Context) error { watchMasterKey(ctx, a.store, a.master, a.clock, m.log); return nil })
	if pool := a.store.Pool(); pool != nil {
		// Other servers on the same database change decisions too.
		m.goBackground(func(ctx context.Context) error { svc.Consent.Listen(ctx, pool, m.log); return nil })
	}
	m.goBackground(func(ctx context.Context) error { m.tick(ctx); return nil })
	// Requests that reach connected systems run as jobs; a job left
	// running by a crash is rescued and resumes from its checkpoints.
	// River runs its own goroutines; Close stops it before the group.
	if err := svc.Queue.Start(m.groupCx); err != nil {
		if m.groupCx.Err() != nil {
			return nil // stopped while starting: Wait returns at once, Close cleans up
		}
		return fmt.Errorf("job queue: %w", err)
	}
	m.queued = true
	if n, err := svc.Requests.Resume(m.groupCx); err != nil && m.groupCx.Err() == nil {
		m.log.Error("resuming requests in progress failed", "err", err)
	} else if n > 0 {
		m.log.Info("resumed requests left in progress", "count", n)
	}
	m.serveHTTP(ctx, handler)
	return nil
}

// serveHTTP serves the API and, when configured, the tokenless metrics
// listener, in the group.
func (m *serveMain) serveHTTP(ctx context.Context, handler http.Handler) {
	m.srv = m.httpServer(ctx, handler)
	m.goBackground(func(context.Context) error { return served(m.srv.Serve(m.ln)) })
	if m.mln != nil {
		m.msrv = m.httpServer(ctx, api.MetricsHandler(handler))
		m.goBackground(func(context.Context) error { return served(m.msrv.Serve(m.mln)) })
		m.log.Info("metrics listener", "addr", m.mln.Addr().String())
		if m.env.MetricsReady != nil {
			m.env.MetricsReady(m.mln.Addr().String())
		}
	}
	m.log.Info("custos is serving", "url", m.baseURL, "notice", m.baseURL+"/privacy-policy")
	if m.env.Ready != nil {
		m.env.Ready(m.ln.Addr().String())
	}
}

// goBackground runs fn in the group, counted so that a test can see Close
// has joined them all.
func (m *serveMain) goBackground(fn func(context.Context) error) {
	m.running.Add(1)
	m.group.Go(func() error {
		defer m.running.Add(-1)
		return fn(m.groupCx)
	})
}

func (m *serveMain) httpServer(ctx context.Context, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		// Requests in flight finish after SIGTERM: Shutdown drains them.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// served is Serve's end as the group sees it: closed on purpose is no
// failure.
func served(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("server stopped: %w", err)
}

// tick runs the periodic work of every server until ctx ends.
func (m *serveMain) tick(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	policyTick := time.NewTicker(10 * time.Second)
	defer policyTick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-policyTick.C:
			// A version published for a later date takes effect on time.
			if err := m.svc.Consent.RefreshPolicy(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("policy refresh failed", "err", err)
			}
		case <-tick.C:
			m.minutely(ctx)
		}
	}
}

func (m *serveMain) minutely(ctx context.Context) {
	if err := m.app.audit.Checkpoint(ctx, m.app.store); err != nil && ctx.Err() == nil {
		m.log.Error("audit checkpoint failed", "err", err)
	}
	if n, err := m.svc.Requests.ExpireResults(ctx); err != nil && ctx.Err() == nil {
		m.log.Error("expiring request results failed", "err", err)
	} else if n > 0 {
		m.log.Info("expired request results deleted", "count", n)
	}
	// A request never verified is closed, and its sender told, once the
	// law's period for it has run out (11 CCR §7021(b), §7024(a)).
	if n, err := m.svc.Requests.CloseUnverified(ctx); err != nil && ctx.Err() == nil {
		m.log.Error("closing unverified requests failed", "err", err)
	} else if n > 0 {
		m.log.Info("unverified requests closed", "count", n)
	}
}

// daily is the once-a-day work: the retention sweep and the digest of
// requests due soon or overdue for the privacy team.
func (m *serveMain) daily(ctx context.Context) {
	if rep, err := m.svc.Retention.Sweep(ctx, "system", m.app.clock.Now(), false); err != nil {
		m.log.Error("retention sweep failed", "err", err)
	} else {
		m.log.Info("retention sweep", "events_erased", rep.Erased, "subjects_erased", rep.SubjectsErased)
	}
	// Request records older than the policy's record-keeping period go
	// (11 CCR §7101(a): at least 24 months).
	if n, err := m.svc.Requests.PurgeRecords(ctx, m.app.clock.Now()); err != nil {
		m.log.Error("purging old request records failed", "err", err)
	} else if n > 0 {
		m.log.Info("old request records purged", "requests", n)
	}
	if n, err := m.svc.Requests.Remind(ctx, 5*24*time.Hour); err != nil {
		m.log.Error("request reminders failed", "err", err)
	} else if n > 0 {
		m.log.Info("request reminders sent", "requests", n)
	}
}

// Wait blocks until the server should stop: ctx ended, or a background
// part failed (Close returns its error).
func (m *serveMain) Wait() {
	<-m.groupCx.Done()
	m.log.Info("shutting down")
}

// Close stops the server in order: HTTP drains its requests, the job queue
// lets running jobs checkpoint, the background work is joined, the final
// audit checkpoint is written and the store closed. It returns the first
// background failure, if any, else what went wrong stopping. Safe after a
// failed Run, and more than once.
func (m *serveMain) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	sctx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
	defer cancel()
	stopErr := m.stopServing(sctx)
	if m.queued {
		qctx, qcancel := context.WithTimeout(sctx, 5*time.Second)
		if err := m.svc.Queue.Shutdown(qctx); err != nil {
			m.log.Warn("job queue stopped with jobs cut short; they resume on the next start", "err", err)
		}
		qcancel()
	}
	var failed error
	if m.group != nil {
		m.stopBG()
		failed = m.group.Wait()
	}
	errs := []error{stopErr}
	if m.svc != nil {
		errs = append(errs, m.svc.Close())
	}
	if m.app != nil {
		if err := m.app.audit.Checkpoint(sctx, m.app.store); err != nil {
			m.log.Error("final audit checkpoint failed", "err", err)
		}
		errs = append(errs, m.app.Close())
	}
	if failed != nil {
		return failed
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.log.Info("stopped")
	return nil
}

// stopServing shuts the listeners down, draining requests in flight; a
// listener never served is closed.
func (m *serveMain) stopServing(ctx context.Context) error {
	var err error
	if m.srv != nil {
		if err = m.srv.Shutdown(ctx); err != nil {
			err = fmt.Errorf("shutdown: %w", err)
		}
	} else if m.ln != nil {
		_ = m.ln.Close()
	}
	if m.msrv != nil {
		_ = m.msrv.Shutdown(ctx)
	} else if m.mln != nil {
		_ = m.mln.Close()
	}
	return err
}

// bootstrapAdmin makes a fresh install usable: when no token exists, it
// creates an admin token and writes it to admin.token beside the key file
// (mode 0600), never to the log.
func bootstrapAdmin(ctx context.Context, a *app, svc *auth.Service, keyFile string, log *slog.Logger) error {
	n, err := a.store.CountActiveTokens(ctx)
	if err != nil || n > 0 {
		return err
	}
	secret, _, err := svc.Create(ctx, "system", "admin", "bootstrap admin")
	if err != nil {
		return err
	}
	path := filepath.Join(filepath.Dir(keyFile), "admin.token")
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return fmt.Errorf("cannot write the bootstrap admin token to %s: %w", path, unwrapPath(err))
	}
	log.Warn("created a bootstrap admin token; it is in the file named here, and nowhere else", "file", path)
	return nil
}

// redactURL hides the password of a URL for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

func autoApprove(list string) ([]string, error) {
	var out []string
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !slices.Contains(requests.Types(), t) {
			return nil, usageError{msg: fmt.Sprintf("--auto-approve: %q is not a request type (%s)", t, strings.Join(requests.Types(), ", "))}
		}
		out = append(out, t)
	}
	return out, nil
}

// envDuration reads a duration from the environment, or def.
func envDuration(env *Env, name string, def time.Duration) time.Duration {
	if v := env.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}
