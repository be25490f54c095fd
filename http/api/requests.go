package api

import (
	"bytes"
	"net"
	"net/http"
	"strconv"

	"golang.org/x/text/language"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
)

// clientIP is the peer address: Custos does not trust forwarding headers
// unless a proxy in front is configured to set the remote address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// mailLanguages are the languages mails are written in, English first:
// the fallback of the match.
var mailLanguages = func() language.Matcher {
	var tags []language.Tag
	for _, l := range mail.Languages() {
		tags = append(tags, language.Make(l))
	}
	return language.NewMatcher(tags)
}()

// acceptedLanguage is the best of the mail languages for the request's
// Accept-Language header; English when it names none of them.
func acceptedLanguage(r *http.Request) string {
	h := r.Header.Get("Accept-Language")
	if h == "" || len(h) > 1024 {
		return mail.LanguageEnglish
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return mail.LanguageEnglish
	}
	_, i, conf := mailLanguages.Match(tags...)
	if conf == language.No {
		return mail.LanguageEnglish
	}
	return mail.Languages()[i]
}

func (s *server) submitRequest(w http.ResponseWriter, r *http.Request) {
	var in requests.Intake
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Channel != "" || in.AgentName != "" || in.AgentProof != "" {
		s.writeError(w, r, fieldError("channel", "channel and agent fields are for operators (POST /api/v1/privacy-requests/on-behalf)."))
		return
	}
	// Without a language field the mails follow the caller's
	// Accept-Language, as the privacy centre's pages do.
	if in.Language == "" {
		in.Language = acceptedLanguage(r)
	}
	id, err := s.Requests.Submit(r.Context(), in, clientIP(r), gpcSignal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusAccepted, map[string]string{"id": id, "status": requests.StatusAwaitingVerification})
}

func (s *server) verifyRequest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Requests.Verify(r.Context(), r.PathValue("id"), in.Code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, v)
}

// confirmIdentity takes the stronger identity check after the code; the
// access token comes in the body, not the address, so no log keeps it.
func (s *server) confirmIdentity(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
		requests.IdentityProof
	}
	if err := httpjson.DecodeWith(w, r, &in, httpjson.Limits{Bytes: 8 << 10}); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Requests.ConfirmIdentity(r.Context(), r.PathValue("id"), in.Token, clientIP(r), in.IdentityProof)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, v)
}

// complaintText gives the operator who answers a complaint its text,
// decrypted and audited; the answer goes through approve's decision.
func (s *server) complaintText(w http.ResponseWriter, r *http.Request) {
	text, err := s.Requests.ComplaintText(r.Context(), auth.Actor(tokenFrom(r.Context())), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpjson.Write(w, http.StatusOK, map[string]string{"id": r.PathValue("id"), "details": text})
}

// requestStatus serves the person (with ?token=) and operators (with a
// bearer token) at the same address, as the contract has it.
func (s *server) requestStatus(w http.ResponseWriter, r *http.Request) {
	if token := r.URL.Query().Get("token"); token != "" || r.Header.Get("Authorization") == "" {
		v, err := s.Requests.Status(r.Context(), r.PathValue("id"), token)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		httpjson.Write(w, http.StatusOK, v)
		return
	}
	s.authorize(auth.ReadRequests, func(w http.ResponseWriter, r *http.Request) {
		v, err := s.Requests.Get(r.Context(), r.PathValue("id"))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		httpjson.Write(w, http.StatusOK, v)
	})(w, r)
}

func (s *server) requestResult(w http.ResponseWriter, r *http.Request) {
	p, err := s.Requests.Result(r.Context(), r.PathValue("id"), r.URL.Query().Get("token"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("format") == "html" {
		// The page names sources, purposes and choices in the words of
		// the policy in force; without it, the keys are still readable.
		var m *policy.Manifest
		if pol, _, err := s.Policies.Active(r.Context()); err == nil {
			m = pol.Manifest
		}
		brand := web.BrandingOf(m)
		var buf bytes.Buffer
		if err := web.RenderResult(&buf, r, p, m, brand); err != nil {
			s.log.ErrorContext(r.Context(), "result page failed", "err", err)
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", brand.CSP())
		_, _ = w.Write(buf.Bytes())
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		// Rendered whole first: a bound hit half way answers an error, not
		// a truncated archive.
		var buf bytes.Buffer
		if err := requests.RenderCSV(&buf, p); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", `attachment; filename="`+r.PathValue("id")+`.zip"`)
		_, _ = w.Write(buf.Bytes())
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+r.PathValue("id")+`.json"`)
	httpjson.Write(w, http.StatusOK, p)
}

func (s *server) requestQueue(w http.ResponseWriter, r *http.Request) {
	q, err := s.Requests.Queue(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"requests": q})
}

func (s *server) submitOnBehalf(w http.ResponseWriter, r *http.Request) {
	var in requests.Intake
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Requests.SubmitOnBehalf(r.Context(), auth.Actor(tokenFrom(r.Context())), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, v)
}

func (s *server) approveRequest(w http.ResponseWriter, r *http.Request) {
	// The body is optional: {"plan": DIGEST} approves a deletion only as
	// its erasure preview showed it.
	var in struct {
		Plan string `json:"plan"`
		// Decision answers a complaint (the outcome the person reads).
		Decision string `json:"decision"`
	}
	body, err := httpjson.Read(w, r, 4<<10)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := httpjson.Unmarshal(body, &in, 2); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	v, err := s.Requests.ApproveWith(r.Context(), auth.Actor(tokenFrom(r.Context())), r.PathValue("id"), in.Plan, in.Decision)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, v)
}

func (s *server) denyRequest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ReasonCode string `json:"reason_code"`
		Reason     string `json:"reason"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.ReasonCode == "" {
		in.ReasonCode = requests.DenyOther
	}
	v, err := s.Requests.Deny(r.Context(), auth.Actor(tokenFrom(r.Context())), r.PathValue("id"), in.ReasonCode, in.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, v)
}

func (s *server) extendRequest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Requests.Extend(r.Context(), auth.Actor(tokenFrom(r.Context())), r.PathValue("id"), in.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, v)
}

// controllerInstruction acts on a controller's instruction about the data
// a request reached that the company processes on its behalf.
func (s *server) controllerInstruction(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Controller string `json:"controller"`
		Action     string `json:"action"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Requests.ControllerInstruction(r.Context(), auth.Actor(tokenFrom(r.Context())), r.PathValue("id"), in.Controller, in.Action)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if requests.Running(v, in.Controller) {
		// A connected system answers later, by callback: the instruction's
		// job finishes it then, and the history records it.
		status = http.StatusAccepted
	}
	httpjson.Write(w, status, v)
}

func (s *server) requestMetrics(w http.ResponseWriter, r *http.Request) {
	year := s.Clock.Now().Year() - 1
	if v := r.URL.Query().Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 3000 {
			s.writeError(w, r, fieldError("year", "year must be a calendar year such as 2026."))
			return
		}
		year = n
	}
	m, err := s.Requests.Report(r.Context(), year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// "year" and "types" as before; "scope", "statement" and
	// "jurisdictions" say whose requests are counted (11 CCR §7102(b)).
	httpjson.Write(w, http.StatusOK, m)
}

func (s *server) liftRestriction(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Subject custos.SubjectRef `json:"subject"`
		Reason  string            `json:"reason"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Requests.LiftRestriction(r.Context(), auth.Actor(tokenFrom(r.Context())), in.Subject, in.Reason); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// erasurePreview shows what approving a deletion would do in the connected
// systems: counts and field names, never a value; nothing is written.
func (s *server) erasurePreview(w http.ResponseWriter, r *http.Request) {
	p, err := s.Requests.ErasurePreview(r.Context(), auth.Actor(tokenFrom(r.Context())), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, p)
}
