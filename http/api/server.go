// Package api is Custos' HTTP surface: the JSON API under /api/v1, the
// public endpoints (health, GPC, metrics, OpenAPI) and, through package web,
// the pages. Every error leaves as {"error":{"code","message"}}.
package api

import (
	"bytes"
	"context"
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
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/banner"
	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/records"
)

//go:embed openapi.json
var openAPI []byte

// Reports is what the report endpoints and the console's report pages
// read (reports.Service).
type Reports interface {
	web.Reports
	CCPA(ctx context.Context, from, to time.Time) (records.CCPA, error)
	RoPA(ctx context.Context, from, to time.Time) ([]records.ProcessingActivity, error)
	ProcessorRecord(ctx context.Context, from, to time.Time) ([]records.ProcessorActivity, error)
	Aggregate(ctx context.Context, from, to time.Time, k int) (records.AggregateReport, error)
}

// Pinger says whether the database answers (*sql.DB): the health check.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// Deps is what the API needs from the rest of Custos: the services, each
// through the narrow interface its handlers call (deps.go), never the
// store.
type Deps struct {
	// Health is pinged by /healthz.
	Health    Pinger
	Auth      Tokens
	Policies  Policies
	Records   Records
	Consent   Consent
	Requests  Requests
	Retention Retention
	// DSR manages datasets and connections; Queue reruns a request when an
	// asynchronous system answers.
	DSR   Connected
	Queue interface {
		Enqueue(context.Context, string) error
	}
	// Trail reads and verifies the audit log.
	Trail web.AuditTrail
	// Reports computes the reports from the stored facts.
	Reports Reports
	Clock   custos.Clock
	Logger  *slog.Logger
	BaseURL string
	// MinCell is the smallest number of people an aggregate cell may
	// describe; smaller cells are suppressed.
	MinCell int
	// Parses is how many YAML documents (manifests, dataset files) are
	// parsed at once; 0 is defaultParses.
	Parses int
	// Pages is what the pages (the notice, the privacy centre, the admin
	// console with its session key and single sign-on) are served from;
	// Banner what the consent banner's endpoints are. Their Logger, Clock
	// and BaseURL, when unset, are the API's.
	Pages  web.Deps
	Banner banner.Deps
}

type server struct {
	Deps
	log      *slog.Logger
	mux      *http.ServeMux
	metrics  *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// https: the public address is https, so browsers are told to keep
	// to it (HSTS).
	https  bool
	parses chan struct{} // the parse slots
}

// NewHandler builds the whole HTTP handler.
func NewHandler(d Deps) http.Handler {
	slots := d.Parses
	if slots <= 0 {
		slots = defaultParses
	}
	s := &server{Deps: d, log: d.Logger, mux: http.NewServeMux(), metrics: prometheus.NewRegistry(), https: web.SecureBaseURL(d.BaseURL),
		parses: make(chan struct{}, slots)}
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

func (s *server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{})
}

// MetricsHandler serves the metrics of h, a handler NewHandler built,
// without a token: for a listener of its own on a loopback or private
// address (serve --metrics-addr), never the public one.
func MetricsHandler(h http.Handler) http.Handler {
	s, ok := h.(*server)
	if !ok {
		return http.NotFoundHandler()
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	return mux
}

// Route is one registered endpoint; the OpenAPI test checks each is documented.
type Route struct {
	Pattern string
	// Right is what the caller's token must hold; "" for a public route.
	Right auth.Right
	Roles []custos.Role // the roles holding Right; nil: public
}

func (s *server) routes() {
	for _, rt := range s.table() {
		h := rt.handler
		if rt.right != public {
			h = s.authorize(rt.right, h)
		}
		s.mux.Handle(rt.pattern, h)
	}
	pages := s.Pages
	if pages.Logger == nil {
		pages.Logger = s.log
	}
	if pages.Clock == nil {
		pages.Clock = s.Clock
	}
	if pages.BaseURL == "" {
		pages.BaseURL = s.BaseURL
	}
	web.Register(s.mux, pages)
	// The API reference is a page, not an endpoint: it is rendered once
	// from the embedded openapi.json, which a test checks can be.
	docs, err := web.APIDocs(openAPI)
	if err != nil {
		s.log.Error("the API reference cannot be rendered", "err", err)
		docs = func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "The API reference is not available.", http.StatusInternalServerError)
		}
	}
	s.mux.HandleFunc("GET /api/docs", docs)
	bn := s.Banner
	if bn.Logger == nil {
		bn.Logger = s.log
	}
	if bn.Clock == nil {
		bn.Clock = s.Clock
	}
	if bn.BaseURL == "" {
		bn.BaseURL = s.BaseURL
	}
	banner.Register(s.mux, bn)
}

type route struct {
	pattern string
	right   auth.Right // public: no token needed
	handler http.HandlerFunc
}

// public marks a route that takes no operator token. Such a route proves
// its caller some other way (a mailed code, a request's access token, a
// signature) or serves nothing personal.
const public auth.Right = ""

func (s *server) table() []route {
	return []route{
		{"GET /healthz", public, s.healthz},
		{"GET /.well-known/gpc.json", public, s.gpc},
		{"GET /metrics", auth.ReadMetrics, s.metricsHandler().ServeHTTP},
		{"GET /api/v1/openapi.json", public, s.openapi},
		{"GET /api/v1/policy", auth.ReadPolicy, s.getPolicy},
		{"GET /api/v1/policy/versions", auth.ReadPolicy, s.listPolicyVersions},
		{"POST /api/v1/policy/versions", auth.PublishPolicy, s.publishPolicy},
		{"POST /api/v1/policy/validate", auth.ValidatePolicy, s.validatePolicy},
		{"GET /api/v1/tokens", auth.ManageTokens, s.listTokens},
		{"POST /api/v1/tokens", auth.ManageTokens, s.createToken},
		{"DELETE /api/v1/tokens/{id}", auth.ManageTokens, s.revokeToken},
		{"GET /api/v1/audit", auth.ReadAudit, s.listAudit},
		{"GET /api/v1/audit/verify", auth.ReadAudit, s.verifyAudit},
		{"POST /api/v1/events", auth.Ingest, s.recordEvent},
		{"POST /api/v1/events:batch", auth.Ingest, s.recordBatch},
		{"GET /api/v1/contracts", auth.ReadReports, s.listContracts},
		{"POST /api/v1/contracts", auth.ManageContracts, s.addContract},
		{"GET /api/v1/subjects", auth.ReadSubjects, s.subjectRecords},
		{"GET /api/v1/reports/ccpa", auth.ReadReports, s.reportCCPA},
		{"GET /api/v1/reports/ropa", auth.ReadReports, s.reportRoPA},
		{"GET /api/v1/reports/aggregate", auth.ReadReports, s.reportAggregate},
		{"POST /api/v1/consents", auth.Ingest, s.recordConsent},
		{"GET /api/v1/consents", auth.ReadSubjects, s.consentState},
		{"GET /api/v1/consents/receipts/{id}", public, s.receipt},
		{"GET /.well-known/custos-receipt-key", public, s.receiptKey},
		{"POST /api/v1/decisions", auth.Ingest, s.decide},
		{"POST /api/v1/decisions:batch", auth.Ingest, s.decideBatch},
		{"POST /api/v1/unsubscribe-links", auth.Ingest, s.unsubscribeLink},
		{"GET /unsubscribe/{token}", public, s.unsubscribeGet},
		{"POST /unsubscribe/{token}", public, s.unsubscribePost},
		{"POST /api/v1/privacy-requests", public, s.submitRequest},
		{"POST /api/v1/privacy-requests/{id}/verify", public, s.verifyRequest},
		{"POST /api/v1/privacy-requests/{id}/identity", public, s.confirmIdentity},
		{"GET /api/v1/privacy-requests/{id}", public, s.requestStatus},
		{"GET /api/v1/privacy-requests/{id}/result", public, s.requestResult},
		{"GET /api/v1/privacy-requests", auth.ReadRequests, s.requestQueue},
		{"POST /api/v1/privacy-requests/on-behalf", auth.SubmitRequests, s.submitOnBehalf},
		{"POST /api/v1/privacy-requests/{id}/approve", auth.DecideRequests, s.approveRequest},
		{"GET /api/v1/privacy-requests/{id}/erasure-preview", auth.DecideRequests, s.erasurePreview},
		{"GET /api/v1/privacy-requests/{id}/complaint", auth.ReadRequestDetails, s.complaintText},
		{"POST /api/v1/privacy-requests/{id}/deny", auth.DecideRequests, s.denyRequest},
		{"POST /api/v1/privacy-requests/{id}/extend", auth.DecideRequests, s.extendRequest},
		{"POST /api/v1/privacy-requests/{id}/controller-instruction", auth.InstructForController, s.controllerInstruction},
		{"GET /api/v1/reports/requests", auth.ReadReports, s.requestMetrics},
		{"GET /api/v1/holds", auth.ReadReports, s.listHolds},
		{"POST /api/v1/holds", auth.ManageHolds, s.addHold},
		{"POST /api/v1/holds/release", auth.ManageHolds, s.releaseHold},
		{"POST /api/v1/subjects/minor", auth.ManageSubjects, s.reportMinor},
		{"POST /api/v1/subjects/of-age", auth.ManageSubjects, s.recordOfAge},
		{"POST /api/v1/subjects/restriction/lift", auth.ManageSubjects, s.liftRestriction},
		{"POST /api/v1/subjects/lifecycle", auth.RecordLifecycle, s.setLifecycle},
		{"POST /api/v1/retention/sweep", auth.SweepRetention, s.sweep},
		{"GET /api/v1/reports/retention", auth.ReadReports, s.retentionReport},
		{"GET /api/v1/privacy-requests/{id}/tasks", auth.ReadRequests, s.requestTasks},
		{"GET /api/v1/datasets", auth.ReadReports, s.listDatasets},
		{"POST /api/v1/datasets", auth.ManageSystems, s.importDataset},
		{"GET /api/v1/connections", auth.ManageSystems, s.listConnections},
		{"POST /api/v1/connections/{name}/test", auth.ManageSystems, s.testConnection},
		{"POST /api/v1/connector-callbacks/{task}", public, s.connectorCallback},
	}
}

// Routes lists every API route with the roles it admits.
func Routes() []Route {
	var out []Route
	for _, rt := range (&server{}).table() {
		r := Route{Pattern: rt.pattern, Right: rt.right}
		if rt.right != public {
			r.Roles = auth.RolesFor(rt.right)
		}
		out = append(out, r)
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

func (s *server) authorize(right auth.Right, next http.HandlerFunc) http.HandlerFunc {
	roles := auth.RolesFor(right)
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
		if !auth.Can(tok.Role, right) {
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
	if s.https {
		// Not includeSubDomains: the company's other hosts are not ours
		// to pin to https.
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
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
			httpjson.Write(w, http.StatusMethodNotAllowed, httpjson.ErrorBody{Error: httpjson.Detail{Code: custos.CodeMethod,
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
