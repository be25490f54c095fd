// Package httperr maps Custos' coded errors to HTTP statuses: the one table
// every HTTP surface (the API, the console, the banner) answers by. It
// lives in the HTTP layer because the root package knows nothing of HTTP.
package httperr

import (
	"net/http"

	"github.com/custos-privacy/custos"
)

// Status is the single table from error kinds to HTTP statuses.
func Status(k custos.Kind) int {
	switch k {
	case custos.KindInvalid:
		return http.StatusBadRequest
	case custos.KindUnauthorized:
		return http.StatusUnauthorized
	case custos.KindForbidden:
		return http.StatusForbidden
	case custos.KindNotFound:
		return http.StatusNotFound
	case custos.KindConflict:
		return http.StatusConflict
	case custos.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case custos.KindTooMany:
		return http.StatusTooManyRequests
	case custos.KindUnavailable:
		return http.StatusServiceUnavailable
	case custos.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case custos.KindUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusInternalServerError
	}
}

// Of is the status err answers with: its kind's, or 500 for an error
// without a code.
func Of(err error) int { return Status(custos.AsError(err).Kind) }
