package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/requests"
)

// One request as the officer works it: what was asked under which law, how
// the person's identity was checked, the deadlines, the history, how far the
// company's connected systems have got, and the decisions still open.
//
// The answer package itself is sealed for the person: requests.Service
// opens it only with the person's access token, and the JSON API has no
// operator route to it. The page does not add one; it shows what the
// history records of the outcome instead.

type requestView struct {
	R            requests.View
	Verification string
	VerifiedBy   string
	Systems      bool
	Tasks        []taskRow
	Result       string
	Outcome      []requests.HistoryRow
	Open         bool
	Decide       bool
	// CanPreview shows the erasure preview panel (a deletion under review
	// with connected systems); Preview is the preview, computed when asked
	// for (?preview=1): it reads the person's rows, an audited read.
	CanPreview   bool
	Preview      *connected.Preview
	PreviewError string
	CanApprove   bool
	CanDeny      bool
	CanExtend    bool
	DenyReasons  []option
	DenyText     string
	ExtendText   string
	// Complaint is a complaint's text, read (audited) for an operator who
	// may (auth.ReadRequestDetails); AnswerText the officer's unsent answer.
	Complaint      string
	ComplaintShown bool
	ComplaintError string
	AnswerText     string
	// Instruct: the officer may act on controllers' instructions; Pending
	// are the controllers the request was routed to that have not given one.
	Instruct bool
	Pending  []string
}

// The decisions an officer takes from the request page.
const (
	actApprove  = "approve"
	actDeny     = "deny"
	actExtend   = "extend"
	actInstruct = "instruction"
	// actInstructing: the instruction's job still waits for a connected
	// system that answers by callback.
	actInstructing = "instruction_running"
)

// outcomeSteps are the history steps that say how a request ended and what
// it caused: the operator's view of what the sealed answer tells the person.
func outcomeStep(action string) bool {
	return slices.Contains([]string{"completed", "denied", "duplicate", "canceled", "recipient_notified",
		"recipient_notice_due", "needs_operator", "result_downloaded",
		"controller_notified", "controller_notice_due", "controller_instruction"}, action)
}

func denyLabel(code string) string {
	switch code {
	case requests.DenyRequestLimit:
		return "Over the law's limit on requests"
	case requests.DenyUnverifiable:
		return "Identity could not be verified"
	case requests.DenyExempt:
		return "An exemption in the law applies"
	case requests.DenyManifestlyUnfounded:
		return "Manifestly unfounded or excessive"
	case requests.DenyNotApplicable:
		return "The right does not apply to this person or data"
	case requests.DenyOther:
		return "Another reason (explain below)"
	}
	return keyWords(code)
}

func doneMessage(action string) string {
	switch action {
	case actApprove:
		return "Approved. The request is being fulfilled."
	case actDeny:
		return "Denied. The person is being told why, and how to appeal or complain."
	case actExtend:
		return "Deadline extended. The person is being told the new date and the reason."
	case actInstruct:
		return "The controller's instruction is recorded and carried out."
	case actInstructing:
		return "The controller's instruction is being carried out in the connected systems; the history records it once they have answered."
	}
	return ""
}

func (d Deps) adminRequest(w http.ResponseWriter, r *http.Request) {
	_, v, ok := d.console(w, r, func(c rights) bool { return c.Requests })
	if !ok {
		return
	}
	v.Notice = doneMessage(r.URL.Query().Get("done"))
	d.showRequest(w, r, http.StatusOK, v, r.PathValue("id"), "", "", "")
}

// showRequest renders the request page, with an error and the officer's
// unsent input when a decision failed. Each panel is filled by its own
// function, in the order the page has always read them (the complaint's
// text and the erasure preview are audited reads).
func (d Deps) showRequest(w http.ResponseWriter, r *http.Request, status int, v adminView, id, denyCode, denyText, extendText string) {
	ctx := r.Context()
	v.Nav = "requests"
	rv, err := d.Requests.Get(ctx, id)
	if err != nil {
		v.Title = "Request " + id
		if custos.AsError(err).Kind == custos.KindNotFound {
			v.Error = "There is no request " + id + "."
		}
		d.failPage(w, r, v, err)
		return
	}
	p := requestView{R: rv, Decide: v.Can.Decide, DenyText: denyText, ExtendText: extendText}
	p.decisions(v.Can, denyCode)
	p.Verification = verificationWords(rv)
	p.history(v.Actors)
	p.Instruct = v.Can.Instruct
	p.Pending = pendingControllers(rv.History)
	for _, panel := range []func() error{
		func() error { return d.complaintPanel(r, v.Can, &p, id) },
		func() error { return d.resultPanel(r, &p, id) },
		func() error { return d.systemsPanel(r, &p, id) },
		func() error { return d.previewPanel(r, &p, id) },
	} {
		if err := panel(); err != nil {
			d.failPage(w, r, v, err)
			return
		}
	}
	v.Title = "Request " + rv.ID
	v.Page = &p
	d.adminRender(w, r, status, "request", v)
}

// decisions says which decisions the officer may take on the request now,
// and offers the reasons for a denial, denyCode chosen.
func (p *requestView) decisions(can rights, denyCode string) {
	rv := p.R
	p.Open = rv.Status == requests.StatusAwaitingVerification || rv.Status == requests.StatusPendingReview || rv.Status == requests.StatusInProgress
	p.CanApprove = can.Decide && rv.Status == requests.StatusPendingReview
	p.CanDeny = can.Decide && (rv.Status == requests.StatusPendingReview || rv.Status == requests.StatusInProgress)
	p.CanExtend = can.Decide && p.Open && rv.ExtendedUntil == nil
	for _, c := range requests.DenyReasons() {
		p.DenyReasons = append(p.DenyReasons, option{Value: c, Label: denyLabel(c), Selected: c == denyCode})
	}
}

// verificationWords says how the person's identity was checked.
func verificationWords(rv requests.View) string {
	codeOnly := false // the code entered, the stronger identity check not passed
	for _, h := range rv.History {
		codeOnly = codeOnly || h.Action == "code_verified"
	}
	switch {
	case rv.VerifiedAt == nil && codeOnly:
		return "the person entered the code mailed to the address; the stronger identity check (11 CCR §7062(c): data points and a signed declaration) is still to pass"
	case rv.VerifiedAt == nil:
		return "the person has not entered the code mailed to the address yet"
	case rv.Channel == "web" && codeOnly:
		return "the person entered the code mailed to the address, and passed the stronger identity check (11 CCR §7062(c)) or, failing it, had their request answered as the law says (see the history)"
	case rv.Channel == "web":
		return "the person entered the code mailed to the address"
	case rv.Channel == "system":
		return "opened by Custos itself (data of a minor)"
	default:
		return "taken by an operator, who vouched for the person's identity"
	}
}

// history picks from the request's history who took it (when an operator
// did) and the steps that say how it ended.
func (p *requestView) history(actors map[string]string) {
	for _, h := range p.R.History {
		if h.Action == "received" && p.R.Channel != "web" && p.VerifiedBy == "" {
			p.VerifiedBy = actorWord(actors, h.Actor)
		}
		if outcomeStep(h.Action) {
			p.Outcome = append(p.Outcome, h)
		}
	}
}

// complaintPanel reads a complaint's text for an operator who may see it,
// and keeps the officer's unsent answer. A refusal is shown in the panel;
// only a failure of Custos fails the page.
func (d Deps) complaintPanel(r *http.Request, can rights, p *requestView, id string) error {
	if p.R.Type != requests.TypeComplaint || !can.Details {
		return nil
	}
	tok, _ := d.operator(r)
	text, err := d.Requests.ComplaintText(r.Context(), auth.Actor(tok), id)
	switch e := custos.AsError(err); {
	case err == nil:
		p.Complaint, p.ComplaintShown = text, true
	case httperr.Status(e.Kind) >= 500:
		return err
	default:
		p.ComplaintError = e.Message
	}
	p.AnswerText = r.PostFormValue("decision")
	return nil
}

// resultPanel says where a completed request's answer stands.
func (d Deps) resultPanel(r *http.Request, p *requestView, id string) error {
	if p.R.Status != requests.StatusCompleted {
		return nil
	}
	answer, err := d.Requests.AnswerOf(r.Context(), id)
	if err != nil {
		return err
	}
	p.Result = resultWords(answer, d.Clock.Now())
	return nil
}

// systemsPanel shows how far the request has got in the connected
// systems, and whether there are any.
func (d Deps) systemsPanel(r *http.Request, p *requestView, id string) error {
	if d.DSR == nil {
		return nil
	}
	ctx := r.Context()
	ts, err := d.DSR.Progress(ctx, id)
	if err != nil {
		return err
	}
	for _, t := range ts {
		p.Tasks = append(p.Tasks, taskRow{Phase: t.Phase, Collection: t.Collection, Status: t.Status, Found: t.Found, Done: t.Done,
			Attempts: t.Attempts, Error: t.Error, Note: t.Note, UpdatedAt: t.UpdatedAt})
	}
	p.Systems = len(p.Tasks) > 0
	if !p.Systems {
		if p.Systems, err = d.DSR.Any(ctx); err != nil {
			return err
		}
	}
	return nil
}

// previewPanel offers the erasure preview for a deletion (or the appeal
// of one) under review with connected systems, and computes it when asked
// for.
func (d Deps) previewPanel(r *http.Request, p *requestView, id string) error {
	rv := p.R
	p.CanPreview = p.CanApprove && p.Systems && rv.Type == requests.TypeDeletion
	if p.CanApprove && p.Systems && rv.Type == requests.TypeAppeal && rv.AppealOf != "" {
		orig, err := d.Requests.Get(r.Context(), rv.AppealOf)
		p.CanPreview = err == nil && orig.Type == requests.TypeDeletion
	}
	// Shown when asked for, and again after a refused approval of a
	// previewed plan, so that the officer sees the plan now in force.
	if !p.CanPreview || (r.URL.Query().Get("preview") == "" && r.PostFormValue("plan") == "") {
		return nil
	}
	tok, _ := d.operator(r)
	pv, err := d.Requests.ErasurePreview(r.Context(), auth.Actor(tok), id)
	switch e := custos.AsError(err); {
	case err == nil:
		p.Preview = &pv
	case httperr.Status(e.Kind) >= 500:
		return err
	default:
		p.PreviewError = e.Message
	}
	return nil
}

// pendingControllers are the controllers a request was routed to whose
// instruction is neither recorded nor being carried out, in the order
// they were told.
func pendingControllers(hs []requests.HistoryRow) []string {
	var routed, done []string
	for _, h := range hs {
		key, _, ok := strings.Cut(h.Note, ":")
		if !ok {
			continue
		}
		switch h.Action {
		case "controller_notified", "controller_notice_due":
			if !slices.Contains(routed, key) {
				routed = append(routed, key)
			}
		case "controller_instruction", "controller_instruction_started":
			done = append(done, key)
		}
	}
	return slices.DeleteFunc(routed, func(k string) bool { return slices.Contains(done, k) })
}

// adminInstruct acts on a controller's instruction, as the API's
// controller-instruction endpoint does, then returns to the request page.
func (d Deps) adminInstruct(w http.ResponseWriter, r *http.Request) {
	if !d.form(w, r) {
		return
	}
	tok, v, ok := d.console(w, r, func(c rights) bool { return c.Instruct })
	if !ok {
		return
	}
	id := r.PathValue("id")
	rv, err := d.Requests.ControllerInstruction(r.Context(), auth.Actor(tok), id, r.PostFormValue("controller"), r.PostFormValue("action"))
	if err != nil {
		e := custos.AsError(err)
		status := httperr.Status(e.Kind)
		if status >= 500 || e.Kind == custos.KindNotFound {
			d.failPage(w, r, v, err)
			return
		}
		v.Error = e.Message
		d.showRequest(w, r, status, v, id, "", "", "")
		return
	}
	done := actInstruct
	if requests.Running(rv, r.PostFormValue("controller")) {
		done = actInstructing
	}
	http.Redirect(w, r, "/admin/requests/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

// taskRow is how far a request got in one connected collection.
type taskRow struct {
	Phase, Collection, Status string
	Found, Done, Attempts     int64
	Error, Note               string
	UpdatedAt                 time.Time
}

// resultWords says where the person's answer stands, without opening it.
func resultWords(a requests.Answer, now time.Time) string {
	switch {
	case a.Held && a.ExpiresAt != nil:
		return "The answer is ready for the person behind their own link until " + a.ExpiresAt.UTC().Format("2 January 2006") +
			". It is sealed for them: operators get no copy. The outcome below is what the history records."
	case a.ExpiresAt != nil && !now.Before(*a.ExpiresAt):
		return "The answer expired on " + a.ExpiresAt.UTC().Format("2 January 2006") + " and was deleted."
	default:
		return "No answer is held for this request."
	}
}

// adminAct takes one decision on a request, as the API's approve, deny and
// extend endpoints do, then returns to the request page.
func (d Deps) adminAct(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !d.form(w, r) {
			return
		}
		tok, v, ok := d.console(w, r, func(c rights) bool { return c.Decide })
		if !ok {
			return
		}
		ctx, id, actor := r.Context(), r.PathValue("id"), auth.Actor(tok)
		code, text := r.PostFormValue("reason_code"), strings.TrimSpace(r.PostFormValue("reason"))
		var err error
		switch action {
		case actApprove:
			// A complaint is approved with its answer (ApproveWith); other
			// types send none.
			_, err = d.Requests.ApproveWith(ctx, actor, id, r.PostFormValue("plan"), strings.TrimSpace(r.PostFormValue("decision")))
		case actDeny:
			if code == "" {
				code = requests.DenyOther
			}
			_, err = d.Requests.Deny(ctx, actor, id, code, text)
		case actExtend:
			_, err = d.Requests.Extend(ctx, actor, id, text)
		}
		if err != nil {
			e := custos.AsError(err)
			status := httperr.Status(e.Kind)
			if status >= 500 || e.Kind == custos.KindNotFound {
				d.failPage(w, r, v, err)
				return
			}
			v.Error = e.Message
			denyText, extendText := "", ""
			if action == actDeny {
				denyText = text
			} else if action == actExtend {
				extendText = text
			}
			d.showRequest(w, r, status, v, id, code, denyText, extendText)
			return
		}
		http.Redirect(w, r, "/admin/requests/"+url.PathEscape(id)+"?done="+action, http.StatusSeeOther)
	}
}
