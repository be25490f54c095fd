package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/custos-privacy/custos"
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
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/retention"
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
	return cmd
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

func serve(ctx context.Context, env *Env, c serveConfig, policyGiven bool) error {
	log, err := newLogger(env.Stderr, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	if c.minCell < 2 {
		return usageError{msg: "--min-cell must be at least 2: a cell about one person is about that person"}
	}
	if c.smtpURL != "" {
		u, err := url.Parse(c.smtpURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return usageError{msg: "--smtp must look like smtp://user:pass@host:port"}
		}
	}

	// Policy first: a bad manifest should stop us before anything is created.
	loader, err := policy.NewLoader()
	if err != nil {
		return err
	}
	policyName, policySrc := policy.BundledName, policy.Bundled()
	if policyGiven {
		p, err := loadManifest(env, loader, c.policyFile)
		if err != nil {
			return err
		}
		policyName, policySrc = c.policyFile, p.Source
	}

	a, created, err := openApp(ctx, env, c.dsn, c.keyFile, true)
	if err != nil {
		return err
	}
	defer a.Close()
	if created {
		log.Warn("created a new master key; back it up: without it stored personal data cannot be read", "key_file", c.keyFile)
	}
	if a.master.Exposed {
		return custos.Errorf(custos.KindInvalid, "key_file_exposed",
			"The key file %s can be read by other users, and it unlocks every piece of personal data Custos stores: run chmod 600 %s and start again.",
			c.keyFile, c.keyFile)
	}
	// An upgraded chain marks where keyed entries begin before anything else.
	if err := a.audit.EnsureKeyed(ctx, a.store); err != nil {
		return err
	}
	log.Info("store ready", "db", a.store.String(), "dialect", a.store.Dialect())

	// Listen before building what needs the public address: with port 0
	// the address is known only now. Connections wait until Serve.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", c.addr, err)
	}
	defer ln.Close()
	baseURL := c.baseURL
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String()
	}
	var sender mail.Sender
	if c.smtpURL != "" {
		if sender, err = mail.NewSMTP(c.smtpURL, ""); err != nil {
			return err
		}
		log.Info("mail: SMTP", "server", redactURL(c.smtpURL))
	} else {
		if sender, err = mail.NewMaildir(c.mailDir, ""); err != nil {
			return err
		}
		log.Info("mail: Maildir", "dir", c.mailDir)
	}
	var dailyFn func(context.Context)
	opts := wire.Options{Store: a.store, Master: a.master, Audit: a.audit, Clock: a.clock, BaseURL: baseURL, Sender: sender, Logger: log,
		Jobs: jobs.Options{RescueAfter: c.rescueAfter, Daily: func(ctx context.Context) error {
			if dailyFn != nil {
				dailyFn(ctx)
			}
			return nil
		}}}
	svc, err := wire.New(ctx, opts)
	if err != nil {
		return err
	}
	pub, err := svc.Bootstrap(ctx, opts, "system", policyName, policySrc, policyGiven)
	if err != nil {
		return err
	}
	if pub.Unchanged {
		log.Info("policy in store", "version", pub.Version.Version, "last_updated", pub.Version.LastUpdated)
	} else {
		log.Info("policy published", "version", pub.Version.Version, "source", policyName, "material", pub.Version.Material)
	}
	if svc.Requests.AutoApprove, err = autoApprove(c.autoApprove); err != nil {
		return err
	}
	if c.resultDays < 1 {
		return usageError{msg: "--result-days must be at least 1"}
	}
	svc.Requests.ResultTTL = time.Duration(c.resultDays) * 24 * time.Hour
	cons, reqs, ret, outbox, authSvc := svc.Consent, svc.Requests, svc.Retention, svc.Outbox, svc.Auth
	if err := bootstrapAdmin(ctx, a, authSvc, c.keyFile, log); err != nil {
		return err
	}

	deps := svc.APIDeps(log, baseURL, c.minCell)
	if c.bannerGlobal < 1 {
		return usageError{msg: "--banner-global-per-minute must be at least 1"}
	}
	deps.BannerGlobalPerMinute = c.bannerGlobal
	if c.oidcIssuer != "" {
		if c.oidcClientID == "" {
			return usageError{msg: "--oidc-issuer needs --oidc-client-id (and usually --oidc-client-secret)"}
		}
		roles, err := web.ParseRoleMap(c.oidcRoles)
		if err != nil {
			return usageError{msg: "--oidc-roles: " + err.Error()}
		}
		if deps.SSO, err = web.NewSSO(ctx, web.SSOConfig{Issuer: c.oidcIssuer, ClientID: c.oidcClientID, ClientSecret: c.oidcClientSecret,
			RedirectURL: strings.TrimRight(baseURL, "/") + "/admin/sso/callback", RoleClaim: c.oidcRoleClaim, Roles: roles, Name: c.oidcName}); err != nil {
			return err
		}
		log.Info("single sign-on to the admin console", "issuer", c.oidcIssuer)
	}
	handler := api.NewHandler(deps)
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Room for both servers' ends, so neither is stuck sending one.
	errc := make(chan error, 2)
	msrv, err := serveMetrics(env, c.metricsAddr, handler, log, errc)
	if err != nil {
		return err
	}
	if msrv != nil {
		defer msrv.Close()
	}
	go func() { errc <- srv.Serve(ln) }()
	log.Info("custos is serving", "url", baseURL, "notice", baseURL+"/privacy-policy")
	if env.Ready != nil {
		env.Ready(ln.Addr().String())
	}

	go outbox.Run(ctx)
	go watchMasterKey(ctx, a.store, a.master, a.clock, log)
	dailyFn = func(ctx context.Context) { daily(ctx, ret, reqs, a.clock, log) }
	// Requests that reach connected systems run as jobs; a job left
	// running by a crash is rescued and resumes from its checkpoints.
	if err := svc.Queue.Start(ctx); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	if n, err := reqs.Resume(ctx); err != nil {
		log.Error("resuming requests in progress failed", "err", err)
	} else if n > 0 {
		log.Info("resumed requests left in progress", "count", n)
	}
	if pool := a.store.Pool(); pool != nil {
		// Other servers on the same database change decisions too.
		go cons.Listen(ctx, pool, log)
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	policyTick := time.NewTicker(10 * time.Second)
	defer policyTick.Stop()
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("server stopped: %w", err)
		case <-policyTick.C:
			// A version published for a later date takes effect on time.
			if err := cons.RefreshPolicy(ctx); err != nil {
				log.Error("policy refresh failed", "err", err)
			}
		case <-tick.C:
			if err := a.audit.Checkpoint(ctx, a.store); err != nil {
				log.Error("audit checkpoint failed", "err", err)
			}
			if n, err := reqs.ExpireResults(ctx); err != nil {
				log.Error("expiring request results failed", "err", err)
			} else if n > 0 {
				log.Info("expired request results deleted", "count", n)
			}
		case <-ctx.Done():
			log.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 9*time.Second)
			defer cancel()
			err := srv.Shutdown(sctx)
			if msrv != nil {
				_ = msrv.Shutdown(sctx)
			}
			qctx, qcancel := context.WithTimeout(sctx, 5*time.Second)
			if qerr := svc.Queue.Shutdown(qctx); qerr != nil {
				log.Warn("job queue stopped with jobs cut short; they resume on the next start", "err", qerr)
			}
			qcancel()
			_ = svc.DSR.Close()
			if cerr := a.audit.Checkpoint(sctx, a.store); cerr != nil {
				log.Error("final audit checkpoint failed", "err", cerr)
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("shutdown: %w", err)
			}
			log.Info("stopped")
			return nil
		}
	}
}

// serveMetrics starts the tokenless /metrics listener when addr is set; it
// stops with the main server. Metrics name routes and traffic, so an
// address every network can reach is warned about.
func serveMetrics(env *Env, addr string, handler http.Handler, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on --metrics-addr %s: %w", addr, err)
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && !ip.IsLoopback() && !ip.IsPrivate() {
			log.Warn("metrics are served without a token on an address other networks may reach; bind --metrics-addr to loopback or a private network",
				"metrics_addr", addr)
		}
	}
	srv := &http.Server{
		Handler:           api.MetricsHandler(handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() { errc <- srv.Serve(ln) }()
	log.Info("metrics listener", "addr", ln.Addr().String())
	if env.MetricsReady != nil {
		env.MetricsReady(ln.Addr().String())
	}
	return srv, nil
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

// daily is the once-a-day work: the retention sweep and the digest of
// requests due soon or overdue for the privacy team.
func daily(ctx context.Context, ret *retention.Service, reqs *requests.Service, clock custos.Clock, log *slog.Logger) {
	if rep, err := ret.Sweep(ctx, "system", clock.Now(), false); err != nil {
		log.Error("retention sweep failed", "err", err)
	} else {
		log.Info("retention sweep", "events_erased", rep.Erased, "subjects_erased", rep.SubjectsErased)
	}
	if n, err := reqs.Remind(ctx, 5*24*time.Hour); err != nil {
		log.Error("request reminders failed", "err", err)
	} else if n > 0 {
		log.Info("request reminders sent", "requests", n)
	}
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
