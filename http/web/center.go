package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/requests"
)

// The privacy centre: a person picks what they want, types their e-mail,
// enters the mailed code and follows the request — with plain forms that
// need no JavaScript. Field names are CONTRACT.md's: type, email,
// jurisdiction, code.

var centerPage = pageTemplate(pageFuncs(), "center.html.tmpl", "brand.html.tmpl", "identity.html.tmpl", "public.css")

type option struct {
	Value, Label string
	Selected     bool
}

func requestOptions(selected string) []option {
	if selected == requests.TypeAppeal {
		return []option{{Value: requests.TypeAppeal, Label: "type." + requests.TypeAppeal, Selected: true}}
	}
	labels := []option{
		{Value: requests.TypeAccess, Label: "type." + requests.TypeAccess},
		{Value: requests.TypePortability, Label: "type." + requests.TypePortability},
		{Value: requests.TypeCategories, Label: "type." + requests.TypeCategories},
		{Value: requests.TypeCorrection, Label: "type." + requests.TypeCorrection},
		{Value: requests.TypeDeletion, Label: "type." + requests.TypeDeletion},
		{Value: requests.TypeRestriction, Label: "type." + requests.TypeRestriction},
		{Value: requests.TypeOptOut, Label: "type." + requests.TypeOptOut},
		{Value: requests.TypeObjection, Label: "type." + requests.TypeObjection},
		{Value: requests.TypeDirectMarketingDisclosures, Label: "type." + requests.TypeDirectMarketingDisclosures},
		{Value: requests.TypeComplaint, Label: "type." + requests.TypeComplaint},
	}
	for i := range labels {
		labels[i].Selected = labels[i].Value == selected
	}
	return labels
}

func jurisdictionOptions(selected string) []option {
	list := []option{
		{Value: "US-CA", Label: "jur.US-CA"}, {Value: "US-VA", Label: "jur.US-VA"},
		{Value: "US-CO", Label: "jur.US-CO"}, {Value: "US-CT", Label: "jur.US-CT"},
		{Value: "US", Label: "jur.US"}, {Value: "GB", Label: "jur.GB"},
		{Value: "DE", Label: "jur.DE"}, {Value: "FR", Label: "jur.FR"}, {Value: "IE", Label: "jur.IE"},
		{Value: "NL", Label: "jur.NL"}, {Value: "ES", Label: "jur.ES"}, {Value: "IT", Label: "jur.IT"},
		{Value: "ZZ", Label: "jur.ZZ"},
	}
	for i := range list {
		list[i].Selected = list[i].Value == selected
	}
	return list
}

const csrfCookie = "custos_csrf"

// csrf returns the request's token, setting the cookie when there is none:
// a double-submitted token, so a form posted from another site fails.
func (d Deps) csrf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	t := hex.EncodeToString(b)
	d.setCookie(w, csrfCookie, t, "/", http.SameSiteStrictMode, 0)
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
	l := d.lang(w, r)
	data["Org"] = inLanguage(p.Manifest, l).Organisation.ShortName
	data["Brand"] = BrandingOf(p.Manifest)
	data["CSRF"] = d.csrf(w, r)
	data["GPC"] = consent.ParseGPC(r.Header.Values("Sec-GPC"))
	if e, ok := data["Error"].(string); ok && e != "" {
		data["Error"] = errorText(l, fmt.Sprint(data["ErrorCode"]), e)
	}
	if d, ok := data["DueAt"].(time.Time); ok {
		data["Due"] = date(l, d)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", BrandingOf(p.Manifest).CSP())
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", l)
	w.WriteHeader(status)
	if err := render(w, centerPage, l, data); err != nil {
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
	d.page(w, r, http.StatusOK, map[string]any{"Title": "title.choices", "Step": "start", "AppealOf": appealOf,
		"Types": requestOptions(kind), "Jurisdictions": jurisdictionOptions(q.Get("jurisdiction"))})
}

func (d Deps) centerSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !csrfOK(r) {
		d.page(w, r, http.StatusForbidden, map[string]any{"Title": "title.choices", "Step": "start",
			"Error": "x", "ErrorCode": "form_expired", "Types": requestOptions(""), "Jurisdictions": jurisdictionOptions("")})
		return
	}
	in := requests.Intake{Type: r.PostFormValue("type"), Email: r.PostFormValue("email"), Jurisdiction: r.PostFormValue("jurisdiction"),
		AppealOf: r.PostFormValue("appeal_of"), DeviceID: bannerDevice(r), Language: d.lang(w, r)}
	// The look-back (Cal. Civ. Code §1798.130(a)(2)(B)) only means
	// something for a request that covers a period; ticked for another
	// type it is ignored rather than refused.
	if r.PostFormValue("beyond_12_months") == "yes" && (in.Type == requests.TypeAccess || in.Type == requests.TypeCategories) {
		in.BeyondTwelveMonths = true
	}
	// A complaint's text (DPA 2018 s. 164A); the box sent empty with
	// another type is ignored rather than refused.
	if in.Type == requests.TypeComplaint {
		in.Details = r.PostFormValue("details")
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	id, err := d.Requests.Submit(r.Context(), in, host, consent.ParseGPC(r.Header.Values("Sec-GPC")))
	if err != nil {
		e := custos.AsError(err)
		status := httperr.Status(e.Kind)
		if status >= 500 {
			d.fail(w, r, err)
			return
		}
		d.page(w, r, status, map[string]any{"Title": "title.choices", "Step": "start", "Error": e.Message, "ErrorCode": e.Code, "Email": in.Email,
			"AppealOf": in.AppealOf, "Types": requestOptions(in.Type), "Jurisdictions": jurisdictionOptions(in.Jurisdiction)})
		return
	}
	http.Redirect(w, r, "/privacy-center/verify?request="+url.QueryEscape(id), http.StatusSeeOther)
}

// bannerDevice is the consent banner's device id, from the first-party
// cookie the banner keeps its choice in ({"i": id, …}), where the privacy
// centre is served on the same site; "" when there is none or it is not
// one. A GPC signal with a request is recorded for this browser.
func bannerDevice(r *http.Request) string {
	c, err := r.Cookie("custos_consent")
	if err != nil {
		return ""
	}
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	var st struct {
		I string `json:"i"`
	}
	if json.Unmarshal([]byte(v), &st) != nil || !deviceIDRE.MatchString(st.I) {
		return ""
	}
	return st.I
}

var deviceIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)

func (d Deps) centerCode(w http.ResponseWriter, r *http.Request) {
	d.page(w, r, http.StatusOK, map[string]any{"Title": "title.check", "Step": "code", "Request": r.URL.Query().Get("request")})
}

func (d Deps) centerVerify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	err := r.ParseForm()
	id := r.PostFormValue("request")
	if err != nil || !csrfOK(r) {
		d.page(w, r, http.StatusForbidden, map[string]any{"Title": "title.check", "Step": "code", "Request": id,
			"Error": "x", "ErrorCode": "form_expired"})
		return
	}
	v, err := d.Requests.Verify(r.Context(), id, strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		e := custos.AsError(err)
		status := httperr.Status(e.Kind)
		if status >= 500 {
			d.fail(w, r, err)
			return
		}
		d.page(w, r, status, map[string]any{"Title": "title.check", "Step": "code", "Request": id, "Error": e.Message, "ErrorCode": e.Code})
		return
	}
	// The access token lives in a cookie scoped to this request's page; the
	// person can also keep the link from the completion e-mail.
	d.setCookie(w, tokenCookie(v.ID), v.AccessToken, "/privacy-center", http.SameSiteStrictMode, 30*24*3600)
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
		d.page(w, r, http.StatusOK, map[string]any{"Title": "title.check", "Step": "code", "Request": id})
		return
	}
	if st.IdentityCheck != nil {
		d.identityPage(w, r, http.StatusOK, id, st.IdentityCheck, "", "")
		return
	}
	due := st.DueAt
	if st.ExtendedUntil != nil {
		due = *st.ExtendedUntil
	}
	d.page(w, r, http.StatusOK, map[string]any{"Title": "title.request", "Step": "status", "Request": id, "Status": st.Status,
		"StatusText": st.StatusText, "DueAt": due, "Reason": st.Reason, "ResultReady": st.ResultReady,
		"Token": token})
}
