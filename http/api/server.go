// Package api is Custos' HTTP surface: the JSON API under /api/v1, the
// public endpoints (health, GPC, metrics, OpenAPI) and, through package web,
// the pages. Every error leaves as {"error":{"code","message"}}.
package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	_ "embed"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/banner"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/dsr"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/retention"
	"github.com/custos-privacy/custos/store"
)

//go:embed openapi.json
var openAPI []byte

// Deps is what the API needs from the rest of Custos.
type Deps struct {
	Store     *store.Store
	Auth      *auth.Service
	Policies  *policy.Registry
	Records   *records.Service
	Consent   *consent.Service
	Requests  *requests.Service
	Retention *retention.Service
	// DSR manages datasets and connections; Queue reruns a request when an
	// asynchronous system answers.
	DSR   *dsr.Service
	Queue interface {
		Enqueue(context.Context, string) error
	}
	Audit *audit.Log
	// AuditKeys verify checkpoints, by key id.
	AuditKeys map[string]ed25519.PublicKey
	Clock     custos.Clock
	Logger    *slog.Logger
	BaseURL   string
	// SessionKey signs admin console sessions.
	SessionKey []byte
	// SSO offers single sign-on to the console; nil for tokens only.
	SSO *web.SSO
	// MinCell is the smallest number of people an aggregate cell may
	// describe; smaller cells are suppressed.
	MinCell int
	// Parses is how many YAML documents (manifests, dataset files) are
	// parsed at once; 0 is defaultParses.
	Parses int
}

type server struct {
	Deps
	log      *slog.Logger
	mux      *http.ServeMux
	metrics  *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	parses   chan struct{} // the parse slots
}

// NewHandler builds the whole HTTP handler.
func NewHandler(d Deps) http.Handler {
	slots := d.Parses
	if slots <= 0 {
		slots = defaultParses
	}
	s := &server{Deps: d, log: d.Logger, mux: http.NewServeMux(), metrics: prometheus.NewRegistry(), parses: make(chan struct{}, slots)}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "custos_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
	}, []string{"pattern", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "custos_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"pattern"})
	s.metrics.MustRegister(s.requests, s.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.routes()
	return s
}

// Route is one registered endpoint; the OpenAPI test checks each is documented.
type Route struct {
	Pattern string
	Roles   []custos.Role // nil: public
}

func (s *server) routes() {
	for _, rt := range s.table() {
		h := rt.handler
		if rt.roles != nil {
			h = s.authorize(rt.roles, h)
		}
		s.mux.Handle(rt.pattern, h)
	}
	web.Register(s.mux, web.Deps{Policies: s.Policies, Requests: s.Requests, Consent: s.Consent, Auth: s.Auth, Store: s.Store,
		SessionKey: s.SessionKey, Logger: s.log, Clock: s.Clock, DSR: s.DSR, AuditKeys: s.AuditKeys, SSO: s.SSO})
	banner.Register(s.mux, banner.Deps{Policies: s.Policies, Consent: s.Consent, Logger: s.log, Clock: s.Clock, BaseURL: s.BaseURL})
}

type route struct {
	pattern string
	roles   []custos.Role
	handler http.HandlerFunc
}

var (
	anyToken   = []custos.Role{custos.RoleAdmin, custos.RolePrivacyOfficer, custos.RoleAgent, custos.RoleAuditor, custos.RoleIngest}
	adminOnly  = []custos.Role{custos.RoleAdmin}
	auditRoles = []custos.Role{custos.RoleAdmin, custos.RolePrivacyOfficer, custos.RoleAuditor}
	ingest     = []custos.Role{custos.RoleAdmin, custos.RoleIngest}
	reportRole = []custos.Role{custos.RoleAdmin, custos.RolePrivacyOfficer, custos.RoleAuditor}
	officer    = []custos.Role{custos.RoleAdmin, custos.RolePrivacyOfficer}
	agentUp    = []custos.Role{custos.RoleAdmin, custos.RolePrivacyOfficer, custos.RoleAgent}
)

func (s *server) table() []route {
	return []route{
		{"GET /healthz", nil, s.healthz},
		{"GET /.well-known/gpc.json", nil, s.gpc},
		{"GET /metrics", nil, promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{}).ServeHTTP},
		{"GET /api/v1/openapi.json", nil, s.openapi},
		{"GET /api/v1/policy", anyToken, s.getPolicy},
		{"GET /api/v1/policy/versions", anyToken, s.listPolicyVersions},
		{"POST /api/v1/policy/versions", adminOnly, s.publishPolicy},
		{"POST /api/v1/policy/validate", officer, s.validatePolicy},
		{"GET /api/v1/tokens", adminOnly, s.listTokens},
		{"POST /api/v1/tokens", adminOnly, s.createToken},
		{"DELETE /api/v1/tokens/{id}", adminOnly, s.revokeToken},
		{"GET /api/v1/audit", auditRoles, s.listAudit},
		{"GET /api/v1/audit/verify", auditRoles, s.verifyAudit},
		{"POST /api/v1/events", ingest, s.recordEvent},
		{"POST /api/v1/events:batch", ingest, s.recordBatch},
		{"GET /api/v1/contracts", reportRole, s.listContracts},
		{"POST /api/v1/contracts", officer, s.addContract},
		{"GET /api/v1/subjects", agentUp, s.subjectRecords},
		{"GET /api/v1/reports/ccpa", reportRole, s.reportCCPA},
		{"GET /api/v1/reports/ropa", reportRole, s.reportRoPA},
		{"GET /api/v1/reports/aggregate", reportRole, s.reportAggregate},
		{"POST /api/v1/consents", ingest, s.recordConsent},
		{"GET /api/v1/consents", agentUp, s.consentState},
		{"GET /api/v1/consents/receipts/{id}", nil, s.receipt},
		{"GET /.well-known/custos-receipt-key", nil, s.receiptKey},
		{"POST /api/v1/decisions", ingest, s.decide},
		{"POST /api/v1/decisions:batch", ingest, s.decideBatch},
		{"POST /api/v1/unsubscribe-links", ingest, s.unsubscribeLink},
		{"GET /unsubscribe/{token}", nil, s.unsubscribeGet},
		{"POST /unsubscribe/{token}", nil, s.unsubscribePost},
		{"POST /api/v1/privacy-requests", nil, s.submitRequest},
		{"POST /api/v1/privacy-requests/{id}/verify", nil, s.verifyRequest},
		{"GET /api/v1/privacy-requests/{id}", nil, s.requestStatus},
		{"GET /api/v1/privacy-requests/{id}/result", nil, s.requestResult},
		{"GET /api/v1/privacy-requests", agentUp, s.requestQueue},
		{"POST /api/v1/privacy-requests/on-behalf", agentUp, s.submitOnBehalf},
		{"POST /api/v1/privacy-requests/{id}/approve", officer, s.approveRequest},
		{"POST /api/v1/privacy-requests/{id}/deny", officer, s.denyRequest},
		{"POST /api/v1/privacy-requests/{id}/extend", officer, s.extendRequest},
		{"GET /api/v1/reports/requests", reportRole, s.requestMetrics},
		{"GET /api/v1/holds", reportRole, s.listHolds},
		{"POST /api/v1/holds", officer, s.addHold},
		{"POST /api/v1/holds/release", officer, s.releaseHold},
		{"POST /api/v1/subjects/minor", officer, s.reportMinor},
		{"POST /api/v1/subjects/restriction/lift", officer, s.liftRestriction},
		{"POST /api/v1/subjects/lifecycle", ingest, s.setLifecycle},
		{"POST /api/v1/retention/sweep", officer, s.sweep},
		{"GET /api/v1/reports/retention", reportRole, s.retentionReport},
		{"GET /api/v1/privacy-requests/{id}/tasks", agentUp, s.requestTasks},
		{"GET /api/v1/datasets", reportRole, s.listDatasets},
		{"POST /api/v1/datasets", adminOnly, s.importDataset},
		{"GET /api/v1/connections", adminOnly, s.listConnections},
		{"POST /api/v1/connections/{name}/test", adminOnly, s.testConnection},
		{"POST /api/v1/connector-callbacks/{task}", nil, s.connectorCallback},
	}
}

// Routes lists every API route with the roles it admits.
func Routes() []Route {
	var out []Route
	for _, rt := range (&server{}).table() {
		out = append(out, Route{Pattern: rt.pattern, Roles: rt.roles})
	}
	return out
}

type ctxKey int

const tokenKey ctxKey = 0

// tokenFrom returns the authenticated token of a request.
func tokenFrom(ctx context.Context) custos.Token {
	t, _ := ctx.Value(tokenKey).(custos.Token)
	return t
}

func (s *server) authorize(roles []custos.Role, next http.HandlerFunc) http.HandlerFunc {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			s.writeError(w, r, custos.Errorf(custos.KindUnauthorized, custos.CodeUnauthorized,
				"This endpoint needs an operator token: send Authorization: Bearer TOKEN."))
			return
		}
		tok, err := s.Auth.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !auth.Allow(tok.Role, roles...) {
			s.writeError(w, r, custos.Errorf(custos.KindForbidden, custos.CodeForbidden,
				"A token with role %s cannot do this; it needs one of: %s.", tok.Role, strings.Join(names, ", ")))
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), tokenKey, tok)))
	}
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bufferWriter captures what the mux's own 404 and 405 handlers write so
// they can be answered in JSON instead.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) WriteHeader(code int)        { b.status = code }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }

func (s *server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(r.Context(), "panic in handler", "pattern", r.Pattern, "panic", p)
			if w.status == 0 {
				s.writeError(w, r, custos.Errorf(custos.KindInternal, custos.CodeInternal, "An internal error occurred."))
			}
		}
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		status := w.status
		if status == 0 {
			status = http.StatusOK
		}
		s.requests.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
		s.latency.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
		// Path and query are left out on purpose: they can carry tokens.
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("pattern", pattern), slog.Int("status", status),
			slog.Duration("duration", time.Since(start)))
	}()
	handler, pattern := s.mux.Handler(r)
	if pattern == "" {
		// No route: let the mux decide between 404 and 405, then say it in JSON.
		b := &bufferWriter{header: http.Header{}}
		handler.ServeHTTP(b, r)
		if b.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", b.header.Get("Allow"))
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: custos.CodeMethod,
				Message: r.Method + " is not allowed here; allowed: " + b.header.Get("Allow") + "."}})
			return
		}
		if b.status >= 300 && b.status < 400 { // the mux's own redirects (trailing slashes)
			for k, v := range b.header {
				w.Header()[k] = v
			}
			w.WriteHeader(b.status)
			_, _ = w.Write(b.body.Bytes())
			return
		}
		s.writeError(w, r, custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "There is nothing at this address."))
		return
	}
	s.mux.ServeHTTP(w, r)
}
