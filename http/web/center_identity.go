package web

import (
	"net"
	"net/http"
	"net/url"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/requests"
)

// The stronger identity check (11 CCR §7062(c)) in the privacy centre: a
// step of the request's own page after the code, where the policy asks for
// it. The person gives some details they gave the company before and signs
// the declaration by typing their name; the page flow of the contract
// (type, email, jurisdiction; then code; then the status) is unchanged
// around it.

type identityField struct{ Key, Label string }

func (d Deps) identityPage(w http.ResponseWriter, r *http.Request, status int, id string, ask *requests.IdentityAsk, msg, code string) {
	p, _, err := d.Policies.Active(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	labels := map[string]string{}
	for _, c := range inLanguage(p.Manifest, d.lang(w, r)).Categories {
		labels[c.Key] = c.Description
	}
	fields := make([]identityField, 0, len(ask.Categories))
	for _, c := range ask.Categories {
		l := labels[c]
		if l == "" {
			l = c
		}
		fields = append(fields, identityField{Key: c, Label: l})
	}
	data := map[string]any{"Title": "title.identity", "Step": "identity", "Request": id, "Ask": ask, "Fields": fields}
	if msg != "" {
		data["Error"], data["ErrorCode"] = msg, code
	}
	d.page(w, r, status, data)
}

// centerIdentity takes the identity form. A match, or the last failure,
// leads to the request's page; a failure with tries left shows the form
// again with what went wrong.
func (d Deps) centerIdentity(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	err := r.ParseForm()
	id := r.PostFormValue("request")
	if err != nil || !csrfOK(r) {
		d.page(w, r, http.StatusForbidden, map[string]any{"Title": "title.check", "Step": "code", "Request": id,
			"Error": "x", "ErrorCode": "form_expired"})
		return
	}
	token := ""
	if c, err := r.Cookie(tokenCookie(id)); err == nil {
		token = c.Value
	}
	ask, err := d.Requests.IdentityCheck(r.Context(), id, token)
	if err != nil || ask == nil {
		// A stranger's form, or a check already done: the request's page
		// says which.
		http.Redirect(w, r, "/privacy-center?request="+url.QueryEscape(id), http.StatusSeeOther)
		return
	}
	in := requests.IdentityProof{DataPoints: map[string]string{}, Declaration: r.PostFormValue("declaration") == "yes",
		SignedName: r.PostFormValue("signed_name")}
	for _, c := range ask.Categories {
		if v := r.PostFormValue("dp." + c); v != "" {
			in.DataPoints[c] = v
		}
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if _, err := d.Requests.ConfirmIdentity(r.Context(), id, token, host, in); err != nil {
		e := custos.AsError(err)
		status := httperr.Status(e.Kind)
		if status >= 500 {
			d.fail(w, r, err)
			return
		}
		if now, err := d.Requests.IdentityCheck(r.Context(), id, token); err == nil && now != nil {
			ask = now
		}
		d.identityPage(w, r, status, id, ask, e.Message, e.Code)
		return
	}
	http.Redirect(w, r, "/privacy-center?request="+url.QueryEscape(id), http.StatusSeeOther)
}
