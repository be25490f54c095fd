package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/http/httpjson"
)

func gpcSignal(r *http.Request) bool { return consent.ParseGPC(r.Header.Values("Sec-GPC")) }

func (s *server) recordConsent(w http.ResponseWriter, r *http.Request) {
	var c consent.Choice
	if err := httpjson.Decode(w, r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, err := s.Consent.Record(r.Context(), auth.Actor(tokenFrom(r.Context())), c, gpcSignal(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, rec)
}

func (s *server) consentState(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref := custos.SubjectRef{Email: q.Get("email"), Phone: q.Get("phone"), ExternalID: q.Get("external_id")}
	st, err := s.Consent.StateOf(r.Context(), auth.Actor(tokenFrom(r.Context())), ref, q.Get("device_id"))
	if errors.Is(err, custos.ErrNotFound) {
		s.writeError(w, r, custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "No person with that identity is on record."))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, st)
}

// receipt is public: its id is random and unguessable, it names the person
// only by a pseudonymous id, and anyone must be able to check it.
func (s *server) receipt(w http.ResponseWriter, r *http.Request) {
	jws, err := s.Consent.ReceiptJWS(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	parts := strings.Split(jws, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	httpjson.Write(w, http.StatusOK, map[string]any{"receipt_id": r.PathValue("id"), "jws": jws, "receipt": json.RawMessage(payload)})
}

func (s *server) receiptKey(w http.ResponseWriter, r *http.Request) {
	kid, pub := s.Consent.ReceiptKey()
	w.Header().Set("Cache-Control", "public, max-age=3600")
	httpjson.Write(w, http.StatusOK, consent.JWK(pub, kid))
}

type decisionRequest struct {
	Subject      custos.SubjectRef `json:"subject"`
	DeviceID     string            `json:"device_id"`
	Purpose      string            `json:"purpose"`
	Category     string            `json:"category"`
	Jurisdiction string            `json:"jurisdiction"`
}

type decisionResponse struct {
	consent.Decision
	PolicyVersion int64 `json:"policy_version"`
}

func (s *server) decide(w http.ResponseWriter, r *http.Request) {
	var req decisionRequest
	if err := httpjson.Decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := httpjson.Required("purpose", req.Purpose); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.Consent.DecideFor(req.Subject, req.DeviceID, req.Purpose, req.Category, req.Jurisdiction)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch d.Reason {
	case consent.ReasonUndeclaredPurpose:
		e := custos.Errorf(custos.KindUnprocessable, d.Reason, "The policy in force does not declare the purpose %q.", req.Purpose)
		e.Field = "purpose"
		s.writeError(w, r, e)
		return
	case consent.ReasonUndeclaredCategory:
		e := custos.Errorf(custos.KindUnprocessable, d.Reason, "The policy in force does not declare the category %q.", req.Category)
		e.Field = "category"
		s.writeError(w, r, e)
		return
	}
	httpjson.Write(w, http.StatusOK, decisionResponse{Decision: d, PolicyVersion: s.Consent.Engine().PolicyVersion()})
}

func (s *server) decideBatch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Decisions []decisionRequest `json:"decisions"`
	}
	if err := httpjson.DecodeWith(w, r, &req, httpjson.Limits{Bytes: maxBatchBody}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Decisions) == 0 || len(req.Decisions) > 10000 {
		s.writeError(w, r, fieldError("decisions", "decisions must hold 1 to 10,000 questions."))
		return
	}
	out := make([]consent.Decision, len(req.Decisions))
	for i, q := range req.Decisions {
		d, err := s.Consent.DecideFor(q.Subject, q.DeviceID, q.Purpose, q.Category, q.Jurisdiction)
		if err != nil {
			e := custos.AsError(err)
			e.Field = "decisions[" + strconv.Itoa(i) + "]." + e.Field
			s.writeError(w, r, e)
			return
		}
		out[i] = d
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"decisions": out, "policy_version": s.Consent.Engine().PolicyVersion()})
}

func (s *server) unsubscribeLink(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email   string `json:"email"`
		Purpose string `json:"purpose"`
	}
	if err := httpjson.Decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	link, err := s.Consent.UnsubscribeLink(r.Context(), req.Email, req.Purpose)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, link)
}

var unsubscribePage = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font:1rem/1.6 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
button{font:inherit;padding:.6rem 1.2rem;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;border-radius:.3rem;cursor:pointer}
button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}</style></head>
<body><main><h1>{{.Title}}</h1>
{{if .Done}}<p role="status">You will no longer receive {{.Name}}. A receipt of this choice was recorded{{if .GPC}}, and your browser's Global Privacy Control signal was honoured as an opt-out of the sale and sharing of your personal information{{end}}.</p>
{{else}}<p>Stop receiving {{.Name}}?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>{{end}}
</main></body></html>`))

// unsubscribePage answers GET without changing anything: mail scanners
// follow links, so only the POST of RFC 8058 (or the form) unsubscribes.
func (s *server) unsubscribeGet(w http.ResponseWriter, r *http.Request) {
	u, err := s.Consent.ParseToken(r.Context(), r.PathValue("token"))
	if err != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_ = unsubscribePage.Execute(w, map[string]any{"Title": "This link is not valid", "Done": false, "Name": "messages"})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	_ = unsubscribePage.Execute(w, map[string]any{"Title": "Unsubscribe", "Done": false, "Name": u.Name})
}

func (s *server) unsubscribePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("List-Unsubscribe") != "One-Click" {
		s.writeError(w, r, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "Send List-Unsubscribe=One-Click (RFC 8058)."))
		return
	}
	u, err := s.Consent.ParseToken(r.Context(), r.PathValue("token"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	gpc := gpcSignal(r)
	rec, err := s.Consent.Unsubscribe(r.Context(), r.PathValue("token"), "", gpc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		_ = unsubscribePage.Execute(w, map[string]any{"Title": "You are unsubscribed", "Done": true, "Name": u.Name, "GPC": gpc})
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"unsubscribed": true, "receipt_id": rec.ReceiptID})
}
