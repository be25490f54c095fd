package api_test

import (
	"net/http"
	"testing"

	"github.com/custos-privacy/custos/internal/openapicheck"
)

// checked wraps the handler under test so that every response any API
// test receives is held to openapi.json: its status documented for the
// operation, its body matching the documented schema.
func checked(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	return openapicheck.Wrap(t, "openapi.json", h)
}
