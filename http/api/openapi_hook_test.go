package api_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/custos-privacy/custos/internal/openapicheck"
)

// checked wraps the handler under test so that every response any API
// test receives is held to openapi.json: its status documented for the
// operation, its body matching the documented schema.
func checked(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	spec, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := openapicheck.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c.Handler(t, h)
}
