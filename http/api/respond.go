package api

import (
	"net/http"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/http/httpjson"
)

// writeError maps any error to its status and JSON body. Causes of internal
// errors are logged, never sent.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := custos.AsError(err)
	if httperr.Status(e.Kind) == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="custos"`)
	}
	if status := httpjson.WriteError(w, e); status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "pattern", r.Pattern, "code", e.Code, "err", err)
	}
}
