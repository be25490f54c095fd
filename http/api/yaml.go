package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/internal/yamlpos"
	"github.com/custos-privacy/custos/policy"
)

// defaultParses is how many YAML documents the server parses at once. The
// parser takes a few hundred bytes of heap per byte it reads, so a few
// parses of the largest documents allowed already take a few hundred MB.
const defaultParses = 2

// parseWait is how long a request waits for a parse slot before it is
// answered 503.
const parseWait = 10 * time.Second

// parsing runs parse, the parse of a YAML document from the request, in one
// of the server's few parse slots. The body has been read (and bounded)
// already, so a slow upload does not hold a slot. A request waits for a
// slot, with its own context, rather than failing at once: only privileged
// tokens reach these routes and a parse is short, so a burst of them is
// queued; but it waits no longer than parseWait, after which it is answered
// 503 with Retry-After, so that waiting requests cannot pile up without end.
func (s *server) parsing(w http.ResponseWriter, r *http.Request, parse func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(r.Context(), parseWait)
	defer cancel()
	select {
	case s.parses <- struct{}{}:
	case <-ctx.Done():
		w.Header().Set("Retry-After", "1")
		return custos.Errorf(custos.KindUnavailable, "busy", "The server is reading other documents; try again shortly.")
	}
	defer func() { <-s.parses }()
	return parse(r.Context())
}

// refused answers a document the YAML guard turned away before it was
// parsed: 413 when it is too large, 422 when it nests too deep or its
// aliases expand too far, with the place in the document as a problem.
func refused(w http.ResponseWriter, err error) bool {
	var rf *yamlpos.Refusal
	if !errors.As(err, &rf) {
		return false
	}
	e := rf.Coded()
	httpjson.Write(w, httperr.Status(e.Kind), map[string]any{"error": httpjson.Detail{Code: e.Code, Message: e.Message},
		"problems": problemsJSON(policy.Problems{rf.Problem})})
	return true
}
