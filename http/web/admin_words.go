package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/custos-privacy/custos/requests"
)

// The console speaks English words, never storage keys: a status is
// "Pending review", a request type "Direct marketing disclosures", an actor
// the token's name rather than "token:2".

var statusWords = map[string]string{
	requests.StatusAwaitingVerification: "Awaiting verification",
	requests.StatusPendingReview:        "Pending review",
	requests.StatusInProgress:           "In progress",
	requests.StatusCompleted:            "Completed",
	requests.StatusDenied:               "Denied",
	requests.StatusCanceled:             "Canceled",
}

// statusWord names a request status; one added later still reads as words.
func statusWord(s string) string {
	if w, ok := statusWords[s]; ok {
		return w
	}
	return keyWords(s)
}

// typeWord names a request type ("direct_marketing_disclosures" →
// "Direct marketing disclosures").
func typeWord(t string) string {
	switch t {
	case requests.TypeOptOut:
		return "Opt-out of sale or sharing"
	}
	return keyWords(t)
}

// actorWord names who did something, from the audit and history's actor
// strings: tokens by their name, the person as "The person", Custos itself
// as "Custos".
func actorWord(names map[string]string, a string) string {
	if n, ok := names[a]; ok {
		return n
	}
	switch {
	case a == "system":
		return "Custos"
	case a == "subject" || strings.HasPrefix(a, "subject:request:"):
		return "The person"
	case strings.HasPrefix(a, "subject:"):
		return "The person"
	case strings.HasPrefix(a, "token:"):
		return "Token " + strings.TrimPrefix(a, "token:")
	case strings.HasPrefix(a, "cli:"), a == "cli":
		return "Command line"
	}
	return a
}

// actorNames maps "token:N" to the token's name and role, for the pages
// that show who did what. Revoked tokens keep their name: the history
// outlives them.
func (d Deps) actorNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	if d.Auth == nil {
		return out
	}
	toks, err := d.Auth.Tokens(ctx)
	if err != nil {
		return out
	}
	for _, t := range toks {
		name := t.Name
		if name == "" {
			name = "Token " + strconv.FormatInt(t.ID, 10)
		}
		out["token:"+strconv.FormatInt(t.ID, 10)] = name + " (" + string(t.Role) + ")"
	}
	return out
}

// actionWord names an audit action ("request.denied" → "Request denied").
func actionWord(a string) string { return keyWords(a) }

// objectWords name the kinds of thing an audit entry is about, by the
// prefix of its object key ("request:…", "token:3").
var objectWords = map[string]string{
	"request": "Request", "subject": "Person", "token": "Token", "policy": "Policy version",
	"connection": "Connection", "dataset": "Dataset", "sweep": "Retention sweep", "receipt": "Consent receipt",
	"principal": "Consent holder", "contract": "Contract", "event": "Record", "device": "Browser or device",
}

// objectWord names what an audit entry is about: a token by its name, a
// request as "Request …", a key the console does not know as words.
func objectWord(names map[string]string, o string) string {
	if n, ok := names[o]; ok {
		return n
	}
	kind, id, ok := strings.Cut(o, ":")
	if w, known := objectWords[kind]; known && ok {
		return w + " " + id
	}
	if !ok {
		return keyWords(o)
	}
	return keyWords(kind) + " " + id
}

// decisionWord names a request's decision code: the reason an officer
// denied with, or "answered" for a complaint.
func decisionWord(code string) string {
	if code == "answered" {
		return "Answered"
	}
	return denyLabel(code)
}
