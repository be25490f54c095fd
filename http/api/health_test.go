package api_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestHealthUnreachable: /healthz answers 503 unavailable when the
// database does not answer its ping, and when the server was built
// without one to ask.
func TestHealthUnreachable(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := []struct {
		name string
		deps api.Deps
	}{
		{"closed database", api.Deps{Health: s.DB(), Logger: quiet}},
		{"no database", api.Deps{Logger: quiet}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			api.NewHandler(c.deps).ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
			if w.Code != 503 || !strings.Contains(w.Body.String(), `"code":"unavailable"`) {
				t.Fatalf("healthz %d %s", w.Code, w.Body.String())
			}
		})
	}
}
