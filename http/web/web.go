// Package web serves Custos' pages: the public notice rendered from the
// policy in force, and the privacy centre where people make requests. The
// admin console joins them here.
package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/reports"
)

// Reports is what the console's report pages read: each page decodes its
// period, asks here and renders.
type Reports interface {
	DataMap(ctx context.Context, from, to time.Time) (*reports.DataMap, error)
	Activity(ctx context.Context, now time.Time) (reports.Activity, error)
	Consents(ctx context.Context, from, to time.Time) ([]reports.ScopeCount, error)
	Undeliverable(ctx context.Context, limit int) ([]reports.Message, error)
}

// AuditTrail reads the audit log for the console (audit.Trail).
type AuditTrail interface {
	Entries(ctx context.Context, after int64, limit int) ([]custos.AuditEntry, error)
	Count(ctx context.Context) (int64, error)
	Verify(ctx context.Context) (audit.Report, error)
}

// Deps is what the pages need.
type Deps struct {
	Policies Policies
	Requests Requests
	Consent  Consent
	// Auth checks tokens and keeps the console's sessions.
	Auth Auth
	// Reports and Trail serve the console's report and audit pages.
	Reports Reports
	Trail   AuditTrail
	// SessionKey signs console sessions.
	SessionKey []byte
	Logger     *slog.Logger
	Clock      custos.Clock
	// DSR knows the company's connected datasets and how far each request
	// has got in them; nil where none are managed.
	DSR Progress
	// SSO, when set, offers single sign-on to the console.
	SSO *SSO
	// BaseURL is Custos' public address; when it is https, every cookie
	// is Secure.
	BaseURL string
}

// ContentSecurityPolicy is strict: no scripts, no external resources. The
// notice's one inline <style> element is the only exception.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Register adds the pages to mux.
func Register(mux *http.ServeMux, d Deps) {
	mux.HandleFunc("GET /privacy-policy", func(w http.ResponseWriter, r *http.Request) {
		d.notice(w, r, "html", "text/html; charset=utf-8")
	})
	mux.HandleFunc("GET /privacy-policy.md", func(w http.ResponseWriter, r *http.Request) {
		d.notice(w, r, "md", "text/markdown; charset=utf-8")
	})
	if d.Requests != nil {
		mux.HandleFunc("GET /privacy-center", d.centerStart)
		mux.HandleFunc("POST /privacy-center", d.centerSubmit)
		mux.HandleFunc("GET /privacy-center/verify", d.centerCode)
		mux.HandleFunc("POST /privacy-center/verify", d.centerVerify)
		mux.HandleFunc("POST /privacy-center/identity", d.centerIdentity)
		if d.Consent != nil {
			mux.HandleFunc("GET /privacy-center/preferences", d.prefsGet)
			mux.HandleFunc("POST /privacy-center/preferences", d.prefsSend)
			mux.HandleFunc("POST /privacy-center/preferences/verify", d.prefsVerify)
			mux.HandleFunc("POST /privacy-center/preferences/save", d.prefsSave)
			mux.HandleFunc("POST /privacy-center/preferences/sign-out", d.prefsSignOut)
		}
	}
	if d.Auth != nil && len(d.SessionKey) > 0 {
		d.registerAdmin(mux)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/privacy-policy", http.StatusFound)
	})
}

func (d Deps) notice(w http.ResponseWriter, r *http.Request, format, contentType string) {
	ctx := r.Context()
	p, v, err := d.Policies.Active(ctx)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	up, err := d.Policies.Upcoming(ctx)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	// The notice speaks the public pages' language (?lang=, the cookie,
	// Accept-Language); the company's words stay the manifest's.
	l := d.lang(w, r)
	opts := policy.RenderOptions{Version: v.Version, Lang: l}
	for _, c := range languageLinks(l) {
		opts.Languages = append(opts.Languages, policy.LanguageChoice{Code: c.Code, Name: c.Name, Current: c.Current})
	}
	if d.Requests != nil {
		// The links to the privacy centre keep the language, even where no
		// cookie remembers it; English, the fallback, needs no parameter.
		keep := ""
		if l != languages[0].String() {
			keep = "?lang=" + l
		}
		opts.Center = "/privacy-center" + keep
		if d.Consent != nil {
			opts.Preferences = "/privacy-center/preferences" + keep
		}
	}
	for _, u := range up {
		if !u.Material {
			continue
		}
		opts.Upcoming = append(opts.Upcoming, policy.Upcoming{EffectiveAt: u.EffectiveAt, Changes: d.upcomingWords(p, u)})
	}
	var buf bytes.Buffer
	if err := policy.Render(&buf, p.Manifest, format, opts); err != nil {
		d.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Language", l)
	h.Set("Vary", "Accept-Language, Cookie")
	h.Set("ETag", `"`+v.Digest[:16]+"-"+format+"-"+l+`"`)
	_, _ = w.Write(buf.Bytes())
}

func (d Deps) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := custos.AsError(err)
	status := httperr.Status(e.Kind)
	if status >= 500 {
		d.Logger.ErrorContext(r.Context(), "page failed", "pattern", r.Pattern, "code", e.Code, "err", err)
	}
	http.Error(w, e.Message, status)
}

// upcomingWords are the material changes of an announced version, in the
// words of its manifest ("Who we share it with — Data brokers: new
// recipient"). Should the stored version not parse any more, the stored
// summary's lines are shown instead, so the announcement is never lost.
func (d Deps) upcomingWords(active *policy.Policy, u custos.PolicyVersion) []string {
	var lines []string
	if next, err := d.Policies.Parsed(u); err == nil {
		for _, c := range policy.Diff(active.Manifest, next.Manifest) {
			if c.Material {
				lines = append(lines, c.Words(active.Manifest, next.Manifest))
			}
		}
		return lines
	}
	for _, l := range strings.Split(u.Summary, "\n") {
		if rest, ok := strings.CutPrefix(l, "material: "); ok {
			lines = append(lines, rest)
		}
	}
	return lines
}
