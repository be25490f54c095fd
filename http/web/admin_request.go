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

const requestPage = `{{define "request"}}{{template "head" .}}{{with .Page}}{{$r := .R}}
<p><a href="/admin">← Back to the queue</a></p>
<dl class="facts" data-custos-status="{{$r.Status}}">
<dt>Type</dt><dd>{{kind $r.Type}}</dd>
<dt>Status</dt><dd>{{status $r.Status}}{{if $r.Overdue}} — <strong class="bad">overdue</strong>{{end}}</dd>
<dt>Jurisdiction and law</dt><dd>{{$r.Jurisdiction}} — {{$r.Law}}</dd>
<dt>Person known to Custos</dt><dd>{{if $r.SubjectKnown}}yes{{else}}not yet, or no records{{end}}</dd>
{{with $r.AppealOf}}<dt>Appeal of</dt><dd><a href="/admin/requests/{{.}}">{{.}}</a></dd>{{end}}
{{with $r.DuplicateOf}}<dt>Duplicate of</dt><dd><a href="/admin/requests/{{.}}">{{.}}</a></dd>{{end}}
{{with $r.Decision}}<dt>Decision</dt><dd>{{.Code}} by {{actor $.Actors .By}}: {{.Text}}</dd>{{end}}
</dl>

<h2>Identity verification</h2>
<dl class="facts" data-custos-verification>
<dt>Verified</dt><dd>{{with $r.VerifiedAt}}{{datetime .}}{{else}}not yet{{end}}</dd>
<dt>Channel</dt><dd>{{$r.Channel}} — {{.Verification}}</dd>
{{with .VerifiedBy}}<dt>Taken by</dt><dd>{{.}}</dd>{{end}}
{{with $r.Agent}}<dt>Authorised agent</dt><dd>{{.}} (proof of the person's permission on file)</dd>{{end}}
</dl>

<h2>Deadlines</h2>
<dl class="facts">
<dt>Received</dt><dd>{{datetime $r.ReceivedAt}}</dd>
{{with $r.AcknowledgeBy}}<dt>Acknowledge by</dt><dd>{{date .}}</dd>{{end}}
<dt>Due</dt><dd data-custos-due>{{date $r.DueAt}}</dd>
{{with $r.ExtendedUntil}}<dt>Extended until</dt><dd data-custos-extended>{{date .}}</dd>{{end}}
{{with $r.CompletedAt}}<dt>Closed</dt><dd>{{datetime .}}</dd>{{end}}
</dl>
{{with $r.LawFlag}}<p class="bad" data-custos-law-flag><strong>{{.}}</strong></p>{{end}}

<h2>The law</h2>
<dl class="facts" data-custos-law="{{$r.LawRules.Key}}">
<dt>Law</dt><dd>{{$r.LawRules.Name}}{{with $r.LawRules.Citation}} [{{.}}]{{end}}</dd>
{{with $r.LawRules.Note}}<dt>Note</dt><dd>{{.}}</dd>{{end}}
{{with $r.LawRules.Acknowledge}}<dt>Acknowledge</dt><dd>within {{.}}</dd>{{end}}
<dt>Deadline</dt><dd>{{$r.LawRules.Deadline}}</dd>
<dt>Extension</dt><dd>{{$r.LawRules.Extension}}</dd>
<dt>Appeal</dt><dd>{{with $r.LawRules.Appeal}}decided within {{.Deadline}}; if denied, {{.Authority}}{{with .AuthorityURL}} ({{.}}){{end}} [{{.Citation}}]{{else}}none under this law{{end}}</dd>
<dt>Regulator</dt><dd>{{$r.LawRules.Regulator}}</dd>
{{range $r.LawRules.Overridden}}<dt>Overridden</dt><dd data-custos-overridden>{{.}}</dd>{{end}}
</dl>

{{if eq $r.Type "complaint"}}<h2>The complaint</h2>
{{if .ComplaintShown}}<blockquote class="complaint" data-custos-complaint>{{.Complaint}}</blockquote>
<p class="muted">The person's own words, decrypted for you; your reading is recorded in the audit log.</p>
{{else if .ComplaintError}}<p class="bad">{{.ComplaintError}}</p>
{{else}}<p class="muted">A privacy officer reads the complaint's text.</p>{{end}}{{end}}

{{if .CanPreview}}<h2>What approving erases</h2>
<section data-custos-erasure-preview{{with .Preview}} data-custos-plan="{{.Plan}}"{{end}}>
{{with .PreviewError}}<p class="bad">{{.}}</p>{{end}}
{{with .Preview}}<p>Worked out by the same planner that runs the deletion, from the rows the systems hold now; nothing was written. Counts only, no personal value. Approving below runs exactly this plan: if a dataset, connection or erasure rule changes first, the approval is refused and you preview again.</p>
{{if .Pending}}<p class="bad">A system answers only later (by callback): its collections are not counted.</p>{{end}}
<table data-custos-preview-rows><caption>Per system and collection</caption>
<thead><tr><th scope="col">System</th><th scope="col">Collection</th><th scope="col">Does</th><th scope="col">Rows found</th><th scope="col">Rows deleted or masked</th><th scope="col">Kept or masked: others' rows point at them</th><th scope="col">Retained by a rule</th><th scope="col">Note</th></tr></thead>
<tbody>{{range .Collections}}<tr data-custos-collection="{{.Collection}}"><td>{{.System}}</td><td><code>{{.Collection}}</code></td>
<td>{{if eq .Action "delete"}}delete rows{{else if eq .Action "mask"}}mask {{range $i, $f := .Fields}}{{if $i}}, {{end}}{{$f.Name}} ({{$f.Strategy}}){{end}}{{else if eq .Action "none"}}nothing personal to write{{else}}nothing{{if .ReadOnly}} (read-only){{end}}{{end}}</td>
<td>{{.Found}}</td><td>{{.Written}}</td>
<td>{{if .Shared}}{{.Shared}} {{if eq .SharedTo "mask"}}masked too{{else}}kept{{end}}{{range .Others}}; {{.Rows}} of others' rows in <code>{{.Collection}}</code>{{end}}{{end}}</td>
<td>{{range .Retained}}<div>{{.Field}}: {{.Ground}}, until {{.Until}}</div>{{end}}</td>
<td>{{.Note}}</td></tr>{{end}}</tbody></table>{{end}}
{{if not .Preview}}<form method="get" action="/admin/requests/{{$r.ID}}"><input type="hidden" name="preview" value="1">
<button type="submit" class="secondary">Preview what approving erases</button></form>{{end}}
</section>{{end}}

{{if and .Decide .Open}}<h2>Decide</h2>
<div class="actions">
{{if .CanApprove}}<form method="post" action="/admin/requests/{{$r.ID}}/approve">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
{{with .Preview}}<input type="hidden" name="plan" value="{{.Plan}}">{{end}}
{{if eq $r.Type "complaint"}}<label for="decision">Your answer to the person</label>
<textarea id="decision" name="decision" class="wide" rows="5" maxlength="3000" required>{{.AnswerText}}</textarea>
<p class="muted">The outcome of their complaint (DPA 2018 s. 164A(4)(b)): the person is e-mailed a link to it, with where to go if they are not satisfied, and the answer is recorded in the request's history.</p>
<button type="submit">Send the answer</button>{{else}}
<p>Approving starts the work: Custos' own records now, and every connected system.{{if eq $r.Type "appeal"}} An appeal is decided by someone other than who denied the original request.{{end}}</p>
<button type="submit">Approve</button>{{end}}</form>{{end}}
{{if .CanDeny}}<form method="post" action="/admin/requests/{{$r.ID}}/deny">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<label for="reason_code">Reason</label>
<select id="reason_code" name="reason_code" class="wide" required>{{range .DenyReasons}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select>
<label for="deny_reason">Explanation for the person</label>
<textarea id="deny_reason" name="reason" class="wide" rows="3" minlength="10" required>{{.DenyText}}</textarea>
<p class="muted">It is e-mailed to the person with how to appeal or complain.</p>
<button type="submit" class="danger">Deny</button></form>{{end}}
{{if .CanExtend}}<form method="post" action="/admin/requests/{{$r.ID}}/extend">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<label for="extend_reason">Why more time is needed</label>
<textarea id="extend_reason" name="reason" class="wide" rows="3" minlength="10" required>{{.ExtendText}}</textarea>
<p class="muted">The law allows one extension; the person is e-mailed the new date and this reason.</p>
<button type="submit" class="secondary">Extend the deadline</button></form>{{end}}
{{if not (or .CanApprove .CanDeny .CanExtend)}}<p>Nothing is left to decide on this request.</p>{{end}}
</div>
{{else if .Open}}<p class="muted">A privacy officer decides this request.</p>{{end}}

{{if and .Instruct .Pending}}<h2>Controllers' instructions</h2>
<p>This request reached data the company processes on behalf of the controllers below. Act on each one's instruction once it arrives.</p>
<div class="actions">
{{range .Pending}}<form method="post" action="/admin/requests/{{$r.ID}}/controller-instruction" data-custos-controller="{{.}}">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="controller" value="{{.}}">
<label for="action-{{.}}">Instruction of <code>{{.}}</code></label>
<select id="action-{{.}}" name="action" required><option value="erase">Erase that data</option><option value="export">Export it into the person's answer</option><option value="leave">Leave it as it is</option></select>
<button type="submit" class="secondary">Record and carry out</button></form>
{{end}}</div>{{end}}

{{if eq $r.Status "completed"}}<h2>Result</h2>
<p data-custos-result>{{.Result}}</p>
{{end}}
{{with .Outcome}}<table tabindex="0" data-custos-outcome><caption>Outcome, as recorded in the history</caption>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
<tbody>{{range .}}<tr><td>{{datetime .At}}</td><td>{{.Action}}</td><td>{{.Note}}</td></tr>{{end}}</tbody></table>{{end}}

<h2>Connected systems</h2>
{{if not .Systems}}<p class="muted">No connected systems are configured on this server.</p>
{{else}}<table tabindex="0" data-custos-tasks><caption>Progress in each collection</caption>
<thead><tr><th scope="col">Phase</th><th scope="col">Collection</th><th scope="col">Status</th><th scope="col">Rows found</th><th scope="col">Rows done</th><th scope="col">Attempts</th><th scope="col">Note</th><th scope="col">Updated</th></tr></thead>
<tbody>{{range .Tasks}}<tr><td>{{.Phase}}</td><td><code>{{.Collection}}</code></td><td>{{.Status}}</td><td>{{.Found}}</td><td>{{.Done}}</td><td>{{.Attempts}}</td>
<td>{{with .Error}}<span class="bad">{{.}}</span> {{end}}{{.Note}}</td><td>{{datetime .UpdatedAt}}</td></tr>
{{else}}<tr><td colspan="8">Not run in any connected system{{if eq $r.Status "pending_review" "awaiting_verification"}} yet{{end}}.</td></tr>{{end}}</tbody></table>{{end}}

<table tabindex="0" data-custos-history><caption>History</caption>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Note</th></tr></thead>
<tbody>{{range $r.History}}<tr><td>{{datetime .At}}</td><td>{{actor $.Actors .Actor}}</td><td>{{.Action}}</td><td>{{status .Status}}</td><td>{{.Note}}</td></tr>{{end}}</tbody></table>
{{end}}{{template "foot" .}}{{end}}
`

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
	return code
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
// unsent input when a decision failed.
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
	p.Open = rv.Status == requests.StatusAwaitingVerification || rv.Status == requests.StatusPendingReview || rv.Status == requests.StatusInProgress
	p.CanApprove = v.Can.Decide && rv.Status == requests.StatusPendingReview
	p.CanDeny = v.Can.Decide && (rv.Status == requests.StatusPendingReview || rv.Status == requests.StatusInProgress)
	p.CanExtend = v.Can.Decide && p.Open && rv.ExtendedUntil == nil
	for _, c := range requests.DenyReasons() {
		p.DenyReasons = append(p.DenyReasons, option{Value: c, Label: denyLabel(c), Selected: c == denyCode})
	}
	codeOnly := false // the code entered, the stronger identity check not passed
	for _, h := range rv.History {
		codeOnly = codeOnly || h.Action == "code_verified"
	}
	switch {
	case rv.VerifiedAt == nil && codeOnly:
		p.Verification = "the person entered the code mailed to the address; the stronger identity check (11 CCR §7062(c): data points and a signed declaration) is still to pass"
	case rv.VerifiedAt == nil:
		p.Verification = "the person has not entered the code mailed to the address yet"
	case rv.Channel == "web" && codeOnly:
		p.Verification = "the person entered the code mailed to the address, and passed the stronger identity check (11 CCR §7062(c)) or, failing it, had their request answered as the law says (see the history)"
	case rv.Channel == "web":
		p.Verification = "the person entered the code mailed to the address"
	case rv.Channel == "system":
		p.Verification = "opened by Custos itself (data of a minor)"
	default:
		p.Verification = "taken by an operator, who vouched for the person's identity"
	}
	for _, h := range rv.History {
		if h.Action == "received" && rv.Channel != "web" && p.VerifiedBy == "" {
			p.VerifiedBy = actorWord(v.Actors, h.Actor)
		}
		if outcomeStep(h.Action) {
			p.Outcome = append(p.Outcome, h)
		}
	}
	p.Instruct = v.Can.Instruct
	p.Pending = pendingControllers(rv.History)
	if rv.Type == requests.TypeComplaint && v.Can.Details {
		tok, _ := d.operator(r)
		text, err := d.Requests.ComplaintText(ctx, auth.Actor(tok), id)
		switch e := custos.AsError(err); {
		case err == nil:
			p.Complaint, p.ComplaintShown = text, true
		case httperr.Status(e.Kind) >= 500:
			d.failPage(w, r, v, err)
			return
		default:
			p.ComplaintError = e.Message
		}
		p.AnswerText = r.PostFormValue("decision")
	}
	if rv.Status == requests.StatusCompleted {
		answer, err := d.Requests.AnswerOf(ctx, id)
		if err != nil {
			d.failPage(w, r, v, err)
			return
		}
		p.Result = resultWords(answer, d.Clock.Now())
	}
	if d.DSR != nil {
		ts, err := d.DSR.Progress(ctx, id)
		if err != nil {
			d.failPage(w, r, v, err)
			return
		}
		for _, t := range ts {
			p.Tasks = append(p.Tasks, taskRow{Phase: t.Phase, Collection: t.Collection, Status: t.Status, Found: t.Found, Done: t.Done,
				Attempts: t.Attempts, Error: t.Error, Note: t.Note, UpdatedAt: t.UpdatedAt})
		}
		p.Systems = len(p.Tasks) > 0
		if !p.Systems {
			if p.Systems, err = d.DSR.Any(ctx); err != nil {
				d.failPage(w, r, v, err)
				return
			}
		}
	}
	p.CanPreview = p.CanApprove && p.Systems && rv.Type == requests.TypeDeletion
	if p.CanApprove && p.Systems && rv.Type == requests.TypeAppeal && rv.AppealOf != "" {
		orig, err := d.Requests.Get(ctx, rv.AppealOf)
		p.CanPreview = err == nil && orig.Type == requests.TypeDeletion
	}
	// Shown when asked for, and again after a refused approval of a
	// previewed plan, so that the officer sees the plan now in force.
	if p.CanPreview && (r.URL.Query().Get("preview") != "" || r.PostFormValue("plan") != "") {
		tok, _ := d.operator(r)
		pv, err := d.Requests.ErasurePreview(ctx, auth.Actor(tok), id)
		switch e := custos.AsError(err); {
		case err == nil:
			p.Preview = &pv
		case httperr.Status(e.Kind) >= 500:
			d.failPage(w, r, v, err)
			return
		default:
			p.PreviewError = e.Message
		}
	}
	v.Title = "Request " + rv.ID
	v.Page = &p
	d.adminRender(w, r, status, "request", v)
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
