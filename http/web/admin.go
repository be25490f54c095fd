package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
)

// The admin console starts with what a privacy officer needs first: sign
// in with an operator token, then the request queue by legal deadline.

const (
	adminCookie = "custos_admin"
	adminTTL    = time.Hour
)

var adminPage = template.Must(template.New("admin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — Custos</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #6b6b6b;border-radius:.25rem}
button{font:inherit;margin-top:1rem;padding:.5rem 1.2rem;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;border-radius:.3rem}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #c4c4c4;padding:.4rem .6rem;text-align:left}th{background:#f2f2f2}
tr.overdue td{background:#fdecee}.error{padding:.75rem 1rem;border-left:4px solid #a4000f;background:#fdecee}</style></head>
<body><main>
<h1>{{.Title}}</h1>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
{{if .SignIn}}
<form method="post" action="/admin/sign-in">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="token">Operator token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Sign in</button>
</form>
{{else}}
<p>Signed in as {{.Who}}. <a href="/admin?status=pending_review">Pending review</a> · <a href="/admin">All</a></p>
<table><caption>Privacy requests, soonest deadline first</caption>
<thead><tr><th scope="col">Request</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Law</th><th scope="col">Received</th><th scope="col">Due</th></tr></thead>
<tbody>{{range .Queue}}<tr{{if .Overdue}} class="overdue"{{end}} data-custos-request="{{.ID}}">
<td>{{.ID}}</td><td>{{.Type}}</td><td>{{.Status}}</td><td>{{.Law}} ({{.Jurisdiction}})</td><td>{{.ReceivedAt.Format "2006-01-02"}}</td>
<td>{{if .ExtendedUntil}}{{.ExtendedUntil.Format "2006-01-02"}} (extended){{else}}{{.DueAt.Format "2006-01-02"}}{{end}}{{if .Overdue}} — overdue{{end}}</td></tr>
{{else}}<tr><td colspan="6">No requests.</td></tr>{{end}}</tbody></table>
{{end}}
</main></body></html>`))

// session is a signed, short-lived cookie naming the token that signed in;
// the token itself never goes into the cookie.
func (d Deps) session(id int64, until time.Time) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(id))
	b = binary.BigEndian.AppendUint64(b, uint64(until.Unix()))
	m := hmac.New(sha256.New, d.SessionKey)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(append(b, m.Sum(nil)...))
}

// operator returns the signed-in token, or false.
func (d Deps) operator(r *http.Request) (custos.Token, bool) {
	c, err := r.Cookie(adminCookie)
	if err != nil {
		return custos.Token{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(raw) != 16+sha256.Size {
		return custos.Token{}, false
	}
	m := hmac.New(sha256.New, d.SessionKey)
	m.Write(raw[:16])
	if !hmac.Equal(m.Sum(nil), raw[16:]) || d.Clock.Now().Unix() > int64(binary.BigEndian.Uint64(raw[8:16])) {
		return custos.Token{}, false
	}
	tok, err := d.Store.TokenByID(r.Context(), int64(binary.BigEndian.Uint64(raw[:8])))
	if err != nil || tok.RevokedAt != nil {
		return custos.Token{}, false
	}
	return tok, true
}

func (d Deps) adminRender(w http.ResponseWriter, r *http.Request, status int, data map[string]any) {
	data["CSRF"] = csrf(w, r)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := adminPage.Execute(w, data); err != nil {
		d.Logger.ErrorContext(r.Context(), "admin page failed", "err", err)
	}
}

func (d Deps) adminHome(w http.ResponseWriter, r *http.Request) {
	tok, ok := d.operator(r)
	if !ok {
		d.adminRender(w, r, http.StatusOK, map[string]any{"Title": "Sign in", "SignIn": true})
		return
	}
	if !auth.Allow(tok.Role, custos.RolePrivacyOfficer, custos.RoleAgent, custos.RoleAuditor) {
		d.adminRender(w, r, http.StatusForbidden, map[string]any{"Title": "Sign in", "SignIn": true,
			"Error": "This token's role cannot use the console."})
		return
	}
	q, err := d.Requests.Queue(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.adminRender(w, r, http.StatusOK, map[string]any{"Title": "Requests", "Queue": q, "Who": tok.Name + " (" + string(tok.Role) + ")"})
}

func (d Deps) adminSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil || !csrfOK(r) {
		d.adminRender(w, r, http.StatusForbidden, map[string]any{"Title": "Sign in", "SignIn": true, "Error": "This form expired. Please try again."})
		return
	}
	tok, err := d.Auth.Authenticate(r.Context(), strings.TrimSpace(r.PostFormValue("token")))
	if err != nil {
		d.adminRender(w, r, http.StatusUnauthorized, map[string]any{"Title": "Sign in", "SignIn": true, "Error": "That token is not valid."})
		return
	}
	until := d.Clock.Now().Add(adminTTL)
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: d.session(tok.ID, until), Path: "/admin", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(adminTTL.Seconds())})
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}
