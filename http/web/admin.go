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

// adminPages are the console's templates: admin.html.tmpl is shared by
// every console page (the head with its styles, the navigation, the
// messages, the sign-in form and the queue); each other page has its file.
var adminPages = template.Must(template.New("admin").Funcs(template.FuncMap{
	"date":     func(v any) string { return formatTime(v, "2006-01-02") },
	"datetime": func(v any) string { return formatTime(v, "2006-01-02 15:04 MST") },
	"num":      num,
	"status":   statusWord,
	"kind":     typeWord,
	"actor":    actorWord,
	"action":   actionWord,
	"object":   objectWord,
	"decision": decisionWord,
}).ParseFS(templateFS, "templates/admin.html.tmpl", "templates/admin_request.html.tmpl", "templates/admin_datamap.html.tmpl",
	"templates/admin_consents.html.tmpl", "templates/admin_audit.html.tmpl", "templates/admin_reports.html.tmpl"))

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
