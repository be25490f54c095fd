package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/requests"
)

// The privacy centre: a person picks what they want, types their e-mail,
// enters the mailed code and follows the request — with plain forms that
// need no JavaScript. Field names are CONTRACT.md's: type, email,
// jurisdiction, code.

var centerPage = template.Must(template.New("center").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — {{.Org}}</title>
<style>body{font:1rem/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin:1rem 0 .25rem;font-weight:600}select,input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #6b6b6b;border-radius:.25rem}
button{font:inherit;margin-top:1.25rem;padding:.6rem 1.4rem;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;border-radius:.3rem;cursor:pointer}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}.note{padding:.75rem 1rem;border-left:4px solid #0b4f9c;background:#eef4fb}
.error{padding:.75rem 1rem;border-left:4px solid #a4000f;background:#fdecee}</style></head>
<body><main>
<h1>{{.Title}}</h1>
{{if .GPC}}<p class="note" role="status" data-custos-gpc>Opt-out request honored: your browser's Global Privacy Control signal is treated as a request to opt out of the sale and sharing of your personal information.</p>{{end}}
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
{{if eq .Step "start"}}
<p>Tell us what you would like us to do with the personal information {{.Org}} holds about you. We will e-mail you a code to confirm that the address is yours.</p>
<form method="post" action="/privacy-center">
<input type="hidden" name="csrf" value="{{.CSRF}}">
{{with .AppealOf}}<input type="hidden" name="appeal_of" value="{{.}}"><p class="note">You are appealing our decision on request {{.}}.</p>{{end}}
<label for="type">What would you like?</label>
<select id="type" name="type" required>
{{range .Types}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}
</select>
<label for="email">Your e-mail address</label>
<input id="email" name="email" type="email" autocomplete="email" required value="{{.Email}}">
<label for="jurisdiction">Where you live</label>
<select id="jurisdiction" name="jurisdiction" required>
{{range .Jurisdictions}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}
</select>
<button type="submit">Send me a code</button>
</form>
<p><a href="/privacy-policy">Read our privacy policy</a></p>
{{else if eq .Step "code"}}
<p>If {{.Org}} can act on this address, we have sent a six-digit code to it. It is valid for 10 minutes.</p>
<form method="post" action="/privacy-center/verify">
<input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="request" value="{{.Request}}">
<label for="code">Code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Confirm</button>
</form>
{{else if eq .Step "status"}}
<dl><dt>Request</dt><dd>{{.Request}}</dd><dt>Status</dt><dd data-custos-status="{{.Status}}">{{.StatusText}}</dd>
<dt>We will answer by</dt><dd>{{.Due}}</dd>{{with .Reason}}<dt>Why</dt><dd>{{.}}</dd>{{end}}</dl>
{{if .ResultReady}}<p><a href="/api/v1/privacy-requests/{{.Request}}/result?format=html&amp;token={{.Token}}">See your answer</a>
· <a href="/api/v1/privacy-requests/{{.Request}}/result?token={{.Token}}" download>Download it as JSON</a></p>{{end}}
{{end}}
</main></body></html>`))

type option struct {
	Value, Label string
	Selected     bool
}

func requestOptions(selected string) []option {
	if selected == requests.TypeAppeal {
		return []option{{Value: requests.TypeAppeal, Label: "Appeal your decision on my request", Selected: true}}
	}
	labels := []option{
		{Value: requests.TypeAccess, Label: "See my data"},
		{Value: requests.TypePortability, Label: "Get my data in a portable file"},
		{Value: requests.TypeCategories, Label: "Know what kinds of data you hold and share"},
		{Value: requests.TypeCorrection, Label: "Correct my data"},
		{Value: requests.TypeDeletion, Label: "Delete my data"},
		{Value: requests.TypeRestriction, Label: "Restrict what you do with my data"},
		{Value: requests.TypeOptOut, Label: "Do not sell or share my data"},
		{Value: requests.TypeObjection, Label: "Stop marketing to me"},
		{Value: requests.TypeDirectMarketingDisclosures, Label: "Who got my data for their marketing (California Shine the Light)"},
	}
	for i := range labels {
		labels[i].Selected = labels[i].Value == selected
	}
	return labels
}

func jurisdictionOptions(selected string) []option {
	list := []option{
		{Value: "US-CA", Label: "California, United States"}, {Value: "US-VA", Label: "Virginia, United States"},
		{Value: "US-CO", Label: "Colorado, United States"}, {Value: "US-CT", Label: "Connecticut, United States"},
		{Value: "US", Label: "Elsewhere in the United States"}, {Value: "GB", Label: "United Kingdom"},
		{Value: "DE", Label: "Germany"}, {Value: "FR", Label: "France"}, {Value: "IE", Label: "Ireland"},
		{Value: "NL", Label: "Netherlands"}, {Value: "ES", Label: "Spain"}, {Value: "IT", Label: "Italy"},
		{Value: "ZZ", Label: "Somewhere else"},
	}
	for i := range list {
		list[i].Selected = list[i].Value == selected
	}
	return list
}

const csrfCookie = "custos_csrf"

// csrf returns the request's token, setting the cookie when there is none:
// a double-submitted token, so a form posted from another site fails.
func csrf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	t := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil})
	return t
}

func csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}

func tokenCookie(id string) string { return "custos_req_" + id }

func (d Deps) page(w http.ResponseWriter, r *http.Request, status int, data map[string]any) {
	p, _, err := d.Policies.Active(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data["Org"] = p.Organisation.ShortName
	data["CSRF"] = csrf(w, r)
	data["GPC"] = consent.ParseGPC(r.Header.Values("Sec-GPC"))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := centerPage.Execute(w, data); err != nil {
		d.Logger.ErrorContext(r.Context(), "privacy centre page failed", "err", err)
	}
}

func (d Deps) centerStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := q.Get("request"); id != "" {
		d.centerStatus(w, r, id)
		return
	}
	kind, appealOf := q.Get("type"), q.Get("appeal_of")
	if appealOf == "" && kind == requests.TypeAppeal {
		kind = ""
	}
	if appealOf != "" {
		kind = requests.TypeAppeal
	}
	d.page(w, r, http.StatusOK, map[string]any{"Title": "Your privacy choices", "Step": "start", "AppealOf": appealOf,
		"Types": requestOptions(kind), "Jurisdictions": jurisdictionOptions(q.Get("jurisdiction"))})
}

func (d Deps) centerSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !csrfOK(r) {
		d.page(w, r, http.StatusForbidden, map[string]any{"Title": "Your privacy choices", "Step": "start",
			"Error": "This form expired. Please try again.", "Types": requestOptions(""), "Jurisdictions": jurisdictionOptions("")})
		return
	}
	in := requests.Intake{Type: r.PostFormValue("type"), Email: r.PostFormValue("email"), Jurisdiction: r.PostFormValue("jurisdiction"),
		AppealOf: r.PostFormValue("appeal_of")}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	id, err := d.Requests.Submit(r.Context(), in, host, consent.ParseGPC(r.Header.Values("Sec-GPC")))
	if err != nil {
		e := custos.AsError(err)
		status := custos.HTTPStatus(e.Kind)
		if status >= 500 {
			d.fail(w, r, err)
			return
		}
		d.page(w, r, status, map[string]any{"Title": "Your privacy choices", "Step": "start", "Error": e.Message, "Email": in.Email,
			"AppealOf": in.AppealOf, "Types": requestOptions(in.Type), "Jurisdictions": jurisdictionOptions(in.Jurisdiction)})
		return
	}
	http.Redirect(w, r, "/privacy-center/verify?request="+url.QueryEscape(id), http.StatusSeeOther)
}

func (d Deps) centerCode(w http.ResponseWriter, r *http.Request) {
	d.page(w, r, http.StatusOK, map[string]any{"Title": "Check your e-mail", "Step": "code", "Request": r.URL.Query().Get("request")})
}

func (d Deps) centerVerify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	err := r.ParseForm()
	id := r.PostFormValue("request")
	if err != nil || !csrfOK(r) {
		d.page(w, r, http.StatusForbidden, map[string]any{"Title": "Check your e-mail", "Step": "code", "Request": id,
			"Error": "This form expired. Please try again."})
		return
	}
	v, err := d.Requests.Verify(r.Context(), id, strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		e := custos.AsError(err)
		status := custos.HTTPStatus(e.Kind)
		if status >= 500 {
			d.fail(w, r, err)
			return
		}
		d.page(w, r, status, map[string]any{"Title": "Check your e-mail", "Step": "code", "Request": id, "Error": e.Message})
		return
	}
	// The access token lives in a cookie scoped to this request's page; the
	// person can also keep the link from the completion e-mail.
	http.SetCookie(w, &http.Cookie{Name: tokenCookie(v.ID), Value: v.AccessToken, Path: "/privacy-center", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 30 * 24 * 3600})
	http.Redirect(w, r, "/privacy-center?request="+url.QueryEscape(v.ID), http.StatusSeeOther)
}

func (d Deps) centerStatus(w http.ResponseWriter, r *http.Request, id string) {
	token := ""
	if c, err := r.Cookie(tokenCookie(id)); err == nil {
		token = c.Value
	}
	st, err := d.Requests.Status(r.Context(), id, token)
	if err != nil {
		// Not verified here yet (or a stranger's link): ask for the code.
		d.page(w, r, http.StatusOK, map[string]any{"Title": "Check your e-mail", "Step": "code", "Request": id})
		return
	}
	due := st.DueAt
	if st.ExtendedUntil != nil {
		due = *st.ExtendedUntil
	}
	d.page(w, r, http.StatusOK, map[string]any{"Title": "Your request", "Step": "status", "Request": id, "Status": st.Status,
		"StatusText": st.StatusText, "Due": due.Format("2 January 2006"), "Reason": st.Reason, "ResultReady": st.ResultReady,
		"Token": token})
}
