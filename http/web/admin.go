package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/requests"
)

// The admin console is where a privacy officer works: sign in with an
// operator token, then the request queue by legal deadline, each request
// with its decisions, the data map, consent statistics, the audit log and
// the reports. Every page is rendered here and every form is a plain POST
// with a CSRF token: the CSP allows no script at all. Each page asks for
// the same roles as its JSON API twin (http/api/server.go), so the console
// is never a way round the API's checks.

const (
	adminCookie = "custos_admin"
	adminTTL    = time.Hour
)

// adminLayout is shared by every console page: the head with its styles,
// the navigation, the messages, and the sign-in form.
const adminLayout = `{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — {{with .Brand.Name}}{{.}} · {{end}}Custos privacy console</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:0 1rem 3rem;color:#1a1a1a}
input,select,textarea{font:inherit;padding:.45rem;border:1px solid #6b6b6b;border-radius:.25rem;box-sizing:border-box}
.wide{width:100%}label{font-weight:600}
button{font:inherit;padding:.45rem 1.1rem;border:2px solid var(--accent,#0b4f9c);background:var(--accent,#0b4f9c);color:#fff;border-radius:.3rem;cursor:pointer}
button.secondary{background:#fff;color:var(--accent,#0b4f9c)}button.danger{border-color:#a4000f;background:#a4000f}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border:1px solid #c4c4c4;padding:.35rem .55rem;text-align:left;vertical-align:top}th{background:#f2f2f2}caption{text-align:left;font-weight:600;padding:.3rem 0}
tr.overdue td{background:#fdecee}.error{padding:.75rem 1rem;border-left:4px solid #a4000f;background:#fdecee}
.notice{padding:.75rem 1rem;border-left:4px solid #0b7a3e;background:#eaf6ef}.muted{color:#555}
nav.console{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;align-items:center;padding:.75rem 0;border-bottom:1px solid #c4c4c4;margin-bottom:1rem}
nav.console a{color:var(--accent,#0b4f9c);font-weight:600}nav.console a[aria-current=page]{color:#1a1a1a;text-decoration:none;border-bottom:3px solid var(--accent,#0b4f9c)}
nav.console form{margin-left:auto}nav.console .who{color:#555}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}.actions form{border:1px solid #c4c4c4;border-radius:.3rem;padding:.75rem}
.actions label{display:block;margin:.5rem 0 .2rem}.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:1rem 0}
.filters label{display:block}figure{margin:1rem 0 2rem}figcaption{font-weight:600;margin-bottom:.5rem}
@media (min-width:60rem){figure.chart-figure{display:grid;grid-template-columns:minmax(0,45rem) minmax(14rem,1fr);gap:0 1.5rem;align-items:start}
figure.chart-figure figcaption{grid-column:1/-1}}table.chart-data{font-size:.875rem;margin-top:0}table.chart-data td{text-align:right}
svg.chart{max-width:100%;height:auto}.table-box{overflow-x:auto}code{font-size:.9em;overflow-wrap:anywhere}
td.nowrap{white-space:nowrap}td.detail{min-width:16rem}blockquote.complaint{white-space:pre-wrap;border-left:4px solid #c4c4c4;margin:.5rem 0;padding:.25rem 1rem}
.tag{display:inline-block;padding:0 .4rem;border-radius:.2rem;background:#eef4fb;margin:0 .2rem .2rem 0}.tag.warn{background:#fdecee}
.ok{color:#0b7a3e;font-weight:700}h1,dd{overflow-wrap:anywhere}header.console-brand{display:flex;align-items:center;gap:.6rem;padding:.6rem 0 0}header.console-brand img{max-height:32px;width:auto}.brand-name{font-weight:700}
@media (max-width:48rem){table{display:block;overflow-x:auto;max-width:100%}.table-box table{display:table;max-width:none}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}}img{max-width:100%}.bad{color:#a4000f;font-weight:700}</style></head>
<body>
{{with .Brand.Accent}}<style>:root{--accent:{{.}}}</style>{{end}}
<header class="console-brand" data-custos-brand>{{with .Brand.Logo}}<img src="{{.}}" alt="" height="32">{{end}}<span class="brand-name">{{with .Brand.Name}}{{.}} · {{end}}Custos privacy console</span></header>
{{if .SignedIn}}<nav class="console" aria-label="Console">
{{if .Can.Requests}}<a href="/admin"{{if eq .Nav "requests"}} aria-current="page"{{end}}>Requests</a>{{end}}
{{if .Can.Reports}}<a href="/admin/data-map"{{if eq .Nav "data-map"}} aria-current="page"{{end}}>Data map</a>
<a href="/admin/consents"{{if eq .Nav "consents"}} aria-current="page"{{end}}>Consents</a>{{end}}
{{if .Can.Audit}}<a href="/admin/audit"{{if eq .Nav "audit"}} aria-current="page"{{end}}>Audit log</a>{{end}}
{{if .Can.Reports}}<a href="/admin/reports"{{if eq .Nav "reports"}} aria-current="page"{{end}}>Reports</a>{{end}}
<form method="post" action="/admin/sign-out"><input type="hidden" name="csrf" value="{{.CSRF}}">
<span class="who">{{.Who}}</span> <button type="submit" class="secondary">Sign out</button></form>
</nav>{{end}}
<main>
<h1>{{.Title}}</h1>
{{with .Notice}}<p class="notice" role="status">{{.}}</p>{{end}}
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
{{end}}

{{define "foot"}}</main></body></html>{{end}}

{{define "sign-in"}}{{template "head" .}}
<p>Sign in to Custos, the privacy console{{with .Brand.Name}} of {{.}}{{end}}, with an operator token (<code>custos token create</code>){{if .SSO}} or single sign-on{{end}}.</p>
<form method="post" action="/admin/sign-in">
<input type="hidden" name="csrf" value="{{.CSRF}}">{{with .Page}}<input type="hidden" name="next" value="{{.}}">{{end}}
<p><label for="token">Operator token</label><br>
<input id="token" class="wide" name="token" type="password" autocomplete="off" required></p>
<button type="submit">Sign in</button>
</form>
{{with .SSO}}<p><a class="button" href="/admin/sso{{with $.Page}}?next={{.}}{{end}}" data-custos-sso>Sign in with {{.}}</a></p>{{end}}
{{template "foot" .}}{{end}}

{{define "message"}}{{template "head" .}}{{template "foot" .}}{{end}}

{{define "queue"}}{{template "head" .}}{{with .Page}}
<form method="get" action="/admin" class="filters" aria-label="Filter the queue">
<div><label for="status">Status</label><select id="status" name="status">
{{range .Statuses}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select></div>
<div><label for="type">Type</label><select id="type" name="type">
{{range .Types}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select></div>
<div><button type="submit">Filter</button></div>
</form>
<p>{{len .Queue}} request{{if ne (len .Queue) 1}}s{{end}}{{if .Overdue}}, <strong>{{.Overdue}} overdue</strong>{{end}}.</p>
<table tabindex="0"><caption>Privacy requests, soonest deadline first</caption>
<thead><tr><th scope="col">Request</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Law</th><th scope="col">Received</th><th scope="col">Due</th></tr></thead>
<tbody>{{range .Queue}}<tr{{if .Overdue}} class="overdue"{{end}} data-custos-request="{{.ID}}">
<td><a href="/admin/requests/{{.ID}}">{{.ID}}</a></td><td>{{kind .Type}}</td><td data-custos-status="{{.Status}}">{{status .Status}}</td><td>{{.Law}} ({{.Jurisdiction}})</td><td>{{date .ReceivedAt}}</td>
<td>{{if .ExtendedUntil}}{{date .ExtendedUntil}} (extended){{else}}{{date .DueAt}}{{end}}{{if .Overdue}} — <strong>overdue</strong>{{end}}{{if .LawFlag}} — <strong class="bad" data-custos-law-flag title="{{.LawFlag}}">moved earlier</strong>{{end}}</td></tr>
{{else}}<tr><td colspan="6">No requests.</td></tr>{{end}}</tbody></table>
{{end}}{{template "foot" .}}{{end}}
`

var adminPages = template.Must(template.New("admin").Funcs(template.FuncMap{
	"date":     func(v any) string { return formatTime(v, "2006-01-02") },
	"datetime": func(v any) string { return formatTime(v, "2006-01-02 15:04 MST") },
	"num":      num,
	"status":   statusWord,
	"kind":     typeWord,
	"actor":    actorWord,
}).Parse(adminLayout + requestPage + dataMapPage + consentsPage + auditPage + reportsPage))

func formatTime(v any, layout string) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format(layout)
	case *time.Time:
		if t != nil {
			return t.UTC().Format(layout)
		}
	}
	return ""
}

// rights are what the signed-in role may open, read from the one
// permission table (auth.Can) that the API's routes use too.
type rights struct {
	Requests bool // auth.ReadRequests: the queue, a request and its progress
	Decide   bool // auth.DecideRequests: approve, deny, extend
	Details  bool // auth.ReadRequestDetails: a complaint's text, decrypted and audited
	Instruct bool // auth.InstructForController: act on a controller's instruction
	Reports  bool // auth.ReadReports: data map, consent statistics, reports
	Audit    bool // auth.ReadAudit: the audit log and its verification
}

func rightsOf(r custos.Role) rights {
	return rights{
		Requests: auth.Can(r, auth.ReadRequests),
		Decide:   auth.Can(r, auth.DecideRequests),
		Details:  auth.Can(r, auth.ReadRequestDetails),
		Instruct: auth.Can(r, auth.InstructForController),
		Reports:  auth.Can(r, auth.ReadReports),
		Audit:    auth.Can(r, auth.ReadAudit),
	}
}

func (r rights) any() bool { return r.Requests || r.Decide || r.Reports || r.Audit }

// adminView is what every console page is rendered with; Page holds the
// page's own data.
type adminView struct {
	Title    string
	Nav      string
	SignedIn bool
	Who      string
	Can      rights
	CSRF     string
	Notice   string
	Error    string
	Page     any
	// SSO names the single sign-on provider, when one is configured.
	SSO string
	// Actors names the tokens for the pages that show who did what.
	Actors map[string]string
	// Brand is the organisation's look, from the policy in force.
	Brand Branding
}

// registerAdmin adds the console's pages to mux.
func (d Deps) registerAdmin(mux *http.ServeMux) {
	for _, p := range d.adminPages() {
		mux.HandleFunc(p.pattern, p.handler)
	}
	// "/admin/" is how people type the console's address: it is the
	// console's home, not a 404.
	mux.HandleFunc("GET /admin/{$}", func(w http.ResponseWriter, r *http.Request) {
		target := "/admin"
		if q := r.URL.RawQuery; q != "" {
			target += "?" + q
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
}

type page struct {
	pattern string
	handler http.HandlerFunc
}

// adminPages is every console route. Each handler asks console() for the
// right it needs; the sign-in, sign-out and single sign-on routes are open
// to everyone, as a sign-in form must be.
func (d Deps) adminPages() []page {
	pages := []page{
		{"GET /admin", d.adminHome},
		{"POST /admin/sign-in", d.adminSignIn},
		{"POST /admin/sign-out", d.adminSignOut},
		{"GET /admin/requests/{id}", d.adminRequest},
		{"POST /admin/requests/{id}/approve", d.adminAct(actApprove)},
		{"POST /admin/requests/{id}/deny", d.adminAct(actDeny)},
		{"POST /admin/requests/{id}/extend", d.adminAct(actExtend)},
		{"POST /admin/requests/{id}/controller-instruction", d.adminInstruct},
		{"GET /admin/data-map", d.adminDataMap},
		{"GET /admin/consents", d.adminConsents},
		{"GET /admin/audit", d.adminAudit},
		{"GET /admin/reports", d.adminReports},
	}
	if d.SSO != nil {
		pages = append(pages, page{"GET /admin/sso", d.ssoStart}, page{"GET /admin/sso/callback", d.ssoCallback})
	}
	return pages
}

// ConsoleRoutes lists the console's route patterns, with the single
// sign-on routes when sso is set; the role-matrix test checks each.
func ConsoleRoutes(sso bool) []string {
	d := Deps{}
	if sso {
		d.SSO = &SSO{}
	}
	var out []string
	for _, p := range d.adminPages() {
		out = append(out, p.pattern)
	}
	return out
}

// A console session is a row on the server (console_sessions) and a
// signed, short-lived cookie naming it: a random session id, the token that
// signed in and the end, with an HMAC. The token itself never goes into
// the cookie. Signing out deletes the row, so a copy of the cookie taken
// before stops working; revoking the token ends all its sessions.
const sessionIDLen = 16

// session starts a console session for a token and returns the cookie's
// value. Sessions that have ended are pruned on the way.
func (d Deps) session(ctx context.Context, tokenID int64, until time.Time) (string, error) {
	sid := make([]byte, sessionIDLen)
	if _, err := rand.Read(sid); err != nil {
		return "", fmt.Errorf("web: session id: %w", err)
	}
	if err := d.Auth.StartSession(ctx, sid, tokenID, until); err != nil {
		return "", err
	}
	b := append([]byte(nil), sid...)
	b = binary.BigEndian.AppendUint64(b, uint64(tokenID))
	b = binary.BigEndian.AppendUint64(b, uint64(until.Unix()))
	m := hmac.New(sha256.New, d.SessionKey)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(append(b, m.Sum(nil)...)), nil
}

// sessionCookie checks the console cookie's signature and end, and returns
// the session id and token id it names.
func (d Deps) sessionCookie(r *http.Request) (sid []byte, tokenID int64, ok bool) {
	c, err := r.Cookie(adminCookie)
	if err != nil {
		return nil, 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	const body = sessionIDLen + 16
	if err != nil || len(raw) != body+sha256.Size {
		return nil, 0, false
	}
	m := hmac.New(sha256.New, d.SessionKey)
	m.Write(raw[:body])
	if !hmac.Equal(m.Sum(nil), raw[body:]) || d.Clock.Now().Unix() > int64(binary.BigEndian.Uint64(raw[sessionIDLen+8:body])) {
		return nil, 0, false
	}
	return raw[:sessionIDLen], int64(binary.BigEndian.Uint64(raw[sessionIDLen : sessionIDLen+8])), true
}

// operator returns the signed-in token, or false: the cookie must be
// signed and current, its session still on record (not signed out) and its
// token not revoked.
func (d Deps) operator(r *http.Request) (custos.Token, bool) {
	sid, id, ok := d.sessionCookie(r)
	if !ok {
		return custos.Token{}, false
	}
	tok, err := d.Auth.Session(r.Context(), sid, id)
	if err != nil {
		return custos.Token{}, false
	}
	return tok, true
}

func who(t custos.Token) string {
	name := t.Name
	if name == "" {
		name = "token " + strconv.FormatInt(t.ID, 10)
	}
	return name + " (" + string(t.Role) + ")"
}

// adminRender writes a page whole or not at all: a template failure half
// way must not leave a truncated page that looks complete.
func (d Deps) adminRender(w http.ResponseWriter, r *http.Request, status int, name string, v adminView) {
	v.CSRF = d.csrf(w, r)
	v.Brand = d.branding(r.Context())
	var buf bytes.Buffer
	if err := adminPages.ExecuteTemplate(&buf, name, v); err != nil {
		d.Logger.ErrorContext(r.Context(), "admin page failed", "page", name, "err", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", v.Brand.CSP())
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// signIn shows the sign-in form; next is where to go once signed in.
func (d Deps) signIn(w http.ResponseWriter, r *http.Request, status int, next, msg, notice string) {
	v := adminView{Title: "Sign in", Error: msg, Notice: notice, Page: next}
	if d.SSO != nil {
		v.SSO = d.SSO.Name
	}
	d.adminRender(w, r, status, "sign-in", v)
}

// localNext keeps a post-sign-in destination inside the console, so the
// form cannot be used to send someone elsewhere.
func localNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "//") {
		return "/admin"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/admin"
	}
	return next
}

// console admits the request when a signed-in operator's role may use the
// page; otherwise it answers (sign-in form or 403) and returns false.
func (d Deps) console(w http.ResponseWriter, r *http.Request, may func(rights) bool) (custos.Token, adminView, bool) {
	tok, ok := d.operator(r)
	if !ok {
		status := http.StatusUnauthorized
		if r.Method == http.MethodGet && r.URL.Path == "/admin" {
			status = http.StatusOK
		}
		next, notice := "", ""
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
			if r.URL.Path == "/admin" {
				next = "" // the default
				if r.URL.Query().Has("signed-out") {
					notice = "You are signed out."
				}
			}
		}
		d.signIn(w, r, status, next, "", notice)
		return tok, adminView{}, false
	}
	v := adminView{SignedIn: true, Who: who(tok), Can: rightsOf(tok.Role), Actors: d.actorNames(r.Context())}
	if !may(v.Can) {
		v.Title = "Not allowed"
		v.Error = "A token with role " + string(tok.Role) + " cannot open this part of the console."
		if !v.Can.any() {
			// Nothing in the console is open to this role: offer a different token.
			d.signIn(w, r, http.StatusForbidden, "", "This token's role cannot use the console.", "")
			return tok, v, false
		}
		d.adminRender(w, r, http.StatusForbidden, "message", v)
		return tok, v, false
	}
	return tok, v, true
}

// form reads a POSTed console form and checks its CSRF token; on failure it
// has answered 403.
func (d Deps) form(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !csrfOK(r) {
		v := adminView{Title: "Form expired", Error: "This form expired or did not come from the console. Go back, reload the page and try again."}
		if tok, ok := d.operator(r); ok {
			v.SignedIn, v.Who, v.Can = true, who(tok), rightsOf(tok.Role)
		}
		d.adminRender(w, r, http.StatusForbidden, "message", v)
		return false
	}
	return true
}

// failPage shows an error inside the console: the caller's words or the
// error's own message when a person can act on it; for internal errors the
// message is AsError's generic one and the cause goes to the log only.
func (d Deps) failPage(w http.ResponseWriter, r *http.Request, v adminView, err error) {
	e := custos.AsError(err)
	status := httperr.Status(e.Kind)
	if status >= 500 {
		d.Logger.ErrorContext(r.Context(), "admin page failed", "pattern", r.Pattern, "code", e.Code, "err", err)
	}
	if v.Title == "" {
		v.Title = "Something went wrong"
	}
	if v.Error == "" || status >= 500 {
		v.Error = e.Message
	}
	d.adminRender(w, r, status, "message", v)
}

type queuePage struct {
	Queue           []requests.View
	Overdue         int
	Statuses, Types []option
}

func (d Deps) adminHome(w http.ResponseWriter, r *http.Request) {
	_, v, ok := d.console(w, r, func(c rights) bool { return c.any() })
	if !ok {
		return
	}
	if !v.Can.Requests {
		// Auditors have no queue in the API either: their first page is
		// the reports.
		http.Redirect(w, r, "/admin/reports", http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	status, kind := q.Get("status"), q.Get("type")
	v.Title, v.Nav = "Requests", "requests"
	p := queuePage{Statuses: []option{{Value: "", Label: "Any status"}}, Types: []option{{Value: "", Label: "Any type"}}}
	for _, s := range []string{requests.StatusAwaitingVerification, requests.StatusPendingReview, requests.StatusInProgress,
		requests.StatusCompleted, requests.StatusDenied, requests.StatusCanceled} {
		p.Statuses = append(p.Statuses, option{Value: s, Label: statusWord(s), Selected: s == status})
	}
	for _, t := range requests.Types() {
		p.Types = append(p.Types, option{Value: t, Label: typeWord(t), Selected: t == kind})
	}
	v.Page = &p
	if kind != "" && !slices.Contains(requests.Types(), kind) {
		v.Error = "type must be one of " + strings.Join(requests.Types(), ", ") + "."
		d.adminRender(w, r, http.StatusBadRequest, "queue", v)
		return
	}
	all, err := d.Requests.Queue(r.Context(), status)
	if err != nil {
		if e := custos.AsError(err); e.Kind == custos.KindInvalid {
			v.Error = e.Message
			d.adminRender(w, r, http.StatusBadRequest, "queue", v)
			return
		}
		d.failPage(w, r, v, err)
		return
	}
	for _, x := range all {
		if kind != "" && x.Type != kind {
			continue
		}
		p.Queue = append(p.Queue, x)
		if x.Overdue {
			p.Overdue++
		}
	}
	d.adminRender(w, r, http.StatusOK, "queue", v)
}

func (d Deps) adminSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil || !csrfOK(r) {
		d.signIn(w, r, http.StatusForbidden, "", "This form expired. Please try again.", "")
		return
	}
	next := localNext(r.PostFormValue("next"))
	tok, err := d.Auth.Authenticate(r.Context(), strings.TrimSpace(r.PostFormValue("token")))
	if err != nil {
		d.signIn(w, r, http.StatusUnauthorized, next, "That token is not valid.", "")
		return
	}
	if !rightsOf(tok.Role).any() {
		// No session for a role the console has nothing for (ingest).
		d.signIn(w, r, http.StatusForbidden, next, "This token's role cannot use the console.", "")
		return
	}
	value, err := d.session(r.Context(), tok.ID, d.Clock.Now().Add(adminTTL))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.setCookie(w, adminCookie, value, "/admin", http.SameSiteStrictMode, int(adminTTL.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// adminSignOut ends the session on the server, so the cookie stops working
// wherever a copy of it is, and clears it in this browser. Revoking the
// token ends all of its sessions.
func (d Deps) adminSignOut(w http.ResponseWriter, r *http.Request) {
	if !d.form(w, r) {
		return
	}
	if sid, _, ok := d.sessionCookie(r); ok {
		if err := d.Auth.EndSession(r.Context(), sid); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	d.setCookie(w, adminCookie, "", "/admin", http.SameSiteStrictMode, -1)
	http.Redirect(w, r, "/admin?signed-out", http.StatusSeeOther)
}
