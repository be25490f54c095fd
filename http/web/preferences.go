package web

import (
	"fmt"
	"html/template"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/banner"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/policy"
)

// The preferences page: after proving their address with a mailed code, a
// person sees every consent and opt-out the policy offers, with their
// current choice, and changes any of them. Plain forms; no JavaScript.

var prefsPage = pageTemplate(pageFuncs(), "preferences.html.tmpl", "brand.html.tmpl", "public.css")

const prefsCookie = "custos_prefs"

type choiceView struct {
	// Name, Hint, State and the labels are message keys; a policy
	// purpose's own name and uses, which have none, show as written.
	// State says in plain words what is in force ("Off until you agree"),
	// so no radio button has to stand for a choice nobody made.
	Scope, ID, Name, Hint, YesLabel, NoLabel, Since, State string
	SinceAt                                                *time.Time
	Yes                                                    bool
	// Locked: the Global Privacy Control signal opted the person out, so
	// allowing it again is not offered here (11 CCR §7025(c)(3)).
	Locked bool
	// Refused: the ledger holds the person's refusal of the scope.
	Refused bool
}

func (d Deps) prefs(w http.ResponseWriter, r *http.Request, status int, data map[string]any) {
	p, _, err := d.Policies.Active(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	l := d.lang(w, r)
	data["Org"] = inLanguage(p.Manifest, l).Organisation.ShortName
	data["Brand"] = BrandingOf(p.Manifest)
	data["CSRF"] = d.csrf(w, r)
	if data["Title"] == nil {
		data["Title"] = "title.prefs"
	}
	if e, ok := data["Error"].(string); ok && e != "" {
		data["Error"] = errorText(l, fmt.Sprint(data["ErrorCode"]), e)
	}
	// 11 CCR §7025(c)(6): show that the opt-out preference signal was
	// processed, on every step of the page.
	data["GPC"] = consent.ParseGPC(r.Header.Values("Sec-GPC"))
	if cs, ok := data["Choices"].([]choiceView); ok {
		for i := range cs {
			if cs[i].SinceAt != nil {
				cs[i].Since = date(l, *cs[i].SinceAt)
			}
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", BrandingOf(p.Manifest).CSP())
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", l)
	w.WriteHeader(status)
	if err := render(w, prefsPage, l, data); err != nil {
		d.Logger.ErrorContext(r.Context(), "preferences page failed", "err", err)
	}
}

// session returns the proven address of the page's session, if any.
func (d Deps) prefsSession(r *http.Request) (string, bool) {
	c, err := r.Cookie(prefsCookie)
	if err != nil {
		return "", false
	}
	email, err := d.Requests.OpenPreferencesSession(c.Value)
	return email, err == nil
}

func (d Deps) prefsGet(w http.ResponseWriter, r *http.Request) {
	email, ok := d.prefsSession(r)
	if !ok {
		d.prefs(w, r, http.StatusOK, map[string]any{"Step": "start", "Jurisdictions": jurisdictionOptions(r.URL.Query().Get("jurisdiction"))})
		return
	}
	jur := r.URL.Query().Get("jurisdiction")
	if jur == "" {
		jur = "US"
	}
	saved := ""
	if r.URL.Query().Get("saved") != "" {
		saved = "yes"
	}
	choices, err := d.choices(r, email, jur)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if gpcUnrecorded(r, choices) {
		// The person is known: the signal opts them out too, not only this
		// browser (11 CCR §7025(c)(1)). Recorded once, then shown as theirs.
		if _, err := d.Consent.Record(r.Context(), "subject:preferences", consent.Choice{Subject: custos.SubjectRef{Email: email},
			Jurisdiction: jurisdictionForLedger(jur), Method: "browser_signal", GPC: true}, true); err != nil {
			d.fail(w, r, err)
			return
		}
		if choices, err = d.choices(r, email, jur); err != nil {
			d.fail(w, r, err)
			return
		}
	}
	d.prefs(w, r, http.StatusOK, map[string]any{"Step": "choices", "Email": email, "Jurisdiction": jur, "Choices": choices, "Saved": saved,
		"DeviceOnly": deviceOnly(d, r)})
}

// choices lists every scope a person can decide on: the policy's consent
// purposes (named and described as the banner does), the sale and sharing
// of their information, and direct marketing, each with what is in force
// now: their choice, else the default where they live.
func (d Deps) choices(r *http.Request, email, jur string) ([]choiceView, error) {
	p, _, err := d.Policies.Active(r.Context())
	if err != nil {
		return nil, err
	}
	st, err := d.Consent.StateOf(r.Context(), "subject:preferences", custos.SubjectRef{Email: email}, "")
	if err != nil && custos.ErrorCode(err) != custos.CodeNotFound {
		return nil, err
	}
	current := map[string]consent.Current{}
	for _, c := range st.Current {
		current[c.Scope] = c
	}
	gpc := consent.ParseGPC(r.Header.Values("Sec-GPC"))
	optedOut := current[consent.ScopeSaleSharing]
	saleOff := gpc || (optedOut.Scope != "" && !optedOut.Granted)
	sale := banner.SalePurposes(p.Manifest)
	// The purposes' names and uses in the page's language where the
	// manifest translates them.
	m := inLanguage(p.Manifest, readLang(r, ""))
	var out []choiceView
	// optIn: nothing runs until the person agrees, so the labels are
	// "I agree"/"I do not agree"; otherwise it runs until they opt out.
	add := func(scope, name, hint string, optIn, sells bool) {
		v := choiceView{Scope: scope, ID: strings.NewReplacer(".", "-", "_", "-").Replace(scope), Name: name, Hint: hint,
			YesLabel: "prefs.allow", NoLabel: "prefs.opt_out", Yes: !optIn, State: "prefs.state.on_default"}
		switch scope {
		case consent.ScopeSaleSharing:
			v.NoLabel = "prefs.dont_sell"
		case consent.ScopeDirectMarketing:
			v.NoLabel = "prefs.object"
		}
		if optIn {
			v.YesLabel, v.NoLabel, v.State = "prefs.agree", "prefs.disagree", "prefs.state.off_default"
		}
		if c, ok := current[scope]; ok {
			at := c.At
			v.Yes, v.Since, v.SinceAt, v.Refused = c.Granted, at.Format("2006-01-02"), &at, !c.Granted
			switch {
			case c.Granted && optIn:
				v.State = "prefs.state.on_agreed"
			case c.Granted:
				v.State = "prefs.state.on_allowed"
			default:
				v.State = "prefs.state.off_chosen"
			}
		}
		if sells && gpc {
			v.Yes, v.Locked, v.State, v.Since, v.SinceAt = false, true, "prefs.state.off_gpc", "", nil
		} else if sells && saleOff && v.Yes {
			// The opt-out of sale and sharing blocks every purpose that
			// sells or shares, whatever its own toggle says.
			v.Yes, v.State, v.Since, v.SinceAt = false, "prefs.state.off_chosen", optedOut.At.Format("2006-01-02"), &optedOut.At
		}
		out = append(out, v)
	}
	var consentPurposes []policy.Purpose
	for _, pu := range m.Purposes {
		if pu.LegalBasis == policy.BasisConsent {
			consentPurposes = append(consentPurposes, pu)
		}
	}
	sort.SliceStable(consentPurposes, func(i, j int) bool { return consentPurposes[i].Name < consentPurposes[j].Name })
	for _, pu := range consentPurposes {
		optIn := true
		if pu.Consent != nil {
			optIn = consent.Regime(pu.Consent.Regimes, jur) != policy.OptOut
		}
		add(pu.Key, pu.Name, banner.Describe(pu.Uses), optIn, sale[pu.Key])
	}
	add(consent.ScopeSaleSharing, "scope.sale_sharing", "scope.sale_sharing.hint", false, true)
	add(consent.ScopeDirectMarketing, "scope.direct_marketing", "scope.direct_marketing.hint", false, false)
	return out, nil
}

// gpcUnrecorded: the request carries Global Privacy Control and the
// person's ledger does not yet hold an opt-out of sale and sharing.
func gpcUnrecorded(r *http.Request, choices []choiceView) bool {
	if !consent.ParseGPC(r.Header.Values("Sec-GPC")) {
		return false
	}
	for _, c := range choices {
		if c.Scope == consent.ScopeSaleSharing {
			return !c.Refused
		}
	}
	return true
}

// deviceOnly names the banner's purposes that are no consent of the
// person but a choice of each browser (storage for purposes on another
// legal basis, such as analytics): the page says where to make it.
func deviceOnly(d Deps, r *http.Request) string {
	p, _, err := d.Policies.Active(r.Context())
	if err != nil {
		return ""
	}
	choosable := banner.Choosable(p.Manifest)
	var names []string
	for _, pu := range inLanguage(p.Manifest, readLang(r, "")).Purposes {
		if choosable[pu.Key] && pu.LegalBasis != policy.BasisConsent {
			names = append(names, pu.Name)
		}
	}
	return strings.Join(names, ", ")
}

// jurisdictionForLedger: the ledger takes an ISO 3166 code; the page's
// form may carry anything.
func jurisdictionForLedger(j string) string {
	j = strings.ToUpper(strings.TrimSpace(j))
	if len(j) >= 2 && len(j) <= 6 && strings.Trim(j, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == "" && (len(j) == 2 || j[2] == '-') {
		return j
	}
	return "ZZ"
}

func (d Deps) prefsSend(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !csrfOK(r) {
		d.prefs(w, r, http.StatusForbidden, map[string]any{"Step": "start", "Error": "x", "ErrorCode": "form_expired",
			"Jurisdictions": jurisdictionOptions("")})
		return
	}
	email, jur := r.PostFormValue("email"), r.PostFormValue("jurisdiction")
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	// The code's mail is in the page's language.
	ticket, err := d.Requests.SendPreferencesCode(r.Context(), email, host, d.lang(w, r))
	if err != nil {
		e := custos.AsError(err)
		if httperr.Status(e.Kind) >= 500 {
			d.fail(w, r, err)
			return
		}
		d.prefs(w, r, httperr.Status(e.Kind), map[string]any{"Step": "start", "Error": e.Message, "ErrorCode": e.Code, "Email": email,
			"Jurisdictions": jurisdictionOptions(jur)})
		return
	}
	d.prefs(w, r, http.StatusOK, map[string]any{"Title": "title.check", "Step": "code", "Email": email, "Jurisdiction": jur, "Ticket": ticket})
}

func (d Deps) prefsVerify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	err := r.ParseForm()
	email, jur, ticket := r.PostFormValue("email"), r.PostFormValue("jurisdiction"), r.PostFormValue("ticket")
	retry := map[string]any{"Title": "title.check", "Step": "code", "Email": email, "Jurisdiction": jur, "Ticket": ticket}
	if err != nil || !csrfOK(r) {
		retry["Error"], retry["ErrorCode"] = "x", "form_expired"
		d.prefs(w, r, http.StatusForbidden, retry)
		return
	}
	if err := d.Requests.CheckPreferencesCode(email, ticket, r.PostFormValue("code")); err != nil {
		e := custos.AsError(err)
		retry["Error"], retry["ErrorCode"] = e.Message, e.Code
		d.prefs(w, r, httperr.Status(e.Kind), retry)
		return
	}
	value, err := d.Requests.PreferencesSession(email)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.setCookie(w, prefsCookie, value, "/privacy-center", http.SameSiteStrictMode, 30*60)
	http.Redirect(w, r, "/privacy-center/preferences?jurisdiction="+template.URLQueryEscaper(jur), http.StatusSeeOther)
}

func (d Deps) prefsSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	email, ok := d.prefsSession(r)
	if err := r.ParseForm(); err != nil || !csrfOK(r) || !ok {
		d.prefs(w, r, http.StatusForbidden, map[string]any{"Step": "start", "Error": "x", "ErrorCode": "session_expired",
			"Jurisdictions": jurisdictionOptions("")})
		return
	}
	jur := r.PostFormValue("jurisdiction")
	if jur == "" {
		jur = "US"
	}
	current, err := d.choices(r, email, jur)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	var changes []consent.ScopeChoice
	for _, c := range current {
		v := r.PostFormValue("scope:" + c.Scope)
		if v != "yes" && v != "no" || c.Locked && c.Refused && v == "no" {
			// Nothing given, or a refusal the signal already recorded.
			continue
		}
		// Record what the person set, also where it equals a default they
		// never chose: an explicit choice outlives a change of defaults.
		if want := v == "yes"; want != c.Yes || c.Since == "" {
			changes = append(changes, consent.ScopeChoice{Scope: c.Scope, Granted: want})
		}
	}
	if len(changes) > 0 {
		if _, err := d.Consent.Record(r.Context(), "subject:preferences", consent.Choice{Subject: custos.SubjectRef{Email: email},
			Jurisdiction: jur, Method: "web_form", Scopes: changes}, consent.ParseGPC(r.Header.Values("Sec-GPC"))); err != nil {
			e := custos.AsError(err)
			if httperr.Status(e.Kind) >= 500 {
				d.fail(w, r, err)
				return
			}
			d.prefs(w, r, httperr.Status(e.Kind), map[string]any{"Step": "choices", "Email": email, "Jurisdiction": jur,
				"Choices": current, "Error": e.Message, "ErrorCode": e.Code})
			return
		}
	}
	http.Redirect(w, r, "/privacy-center/preferences?saved=1&jurisdiction="+template.URLQueryEscaper(jur), http.StatusSeeOther)
}

// prefsSignOut checks the form's token like every other form: otherwise
// any site could sign a person out of their preferences.
func (d Deps) prefsSignOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !csrfOK(r) {
		email, ok := d.prefsSession(r)
		if !ok {
			d.prefs(w, r, http.StatusForbidden, map[string]any{"Step": "start", "Error": "x", "ErrorCode": "form_expired",
				"Jurisdictions": jurisdictionOptions("")})
			return
		}
		jur := r.PostFormValue("jurisdiction")
		if jur == "" {
			jur = "US"
		}
		choices, err := d.choices(r, email, jur)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		d.prefs(w, r, http.StatusForbidden, map[string]any{"Step": "choices", "Email": email, "Jurisdiction": jur, "Choices": choices,
			"Error": "x", "ErrorCode": "form_expired"})
		return
	}
	d.setCookie(w, prefsCookie, "", "/privacy-center", http.SameSiteStrictMode, -1)
	http.Redirect(w, r, "/privacy-center/preferences", http.StatusSeeOther)
}
