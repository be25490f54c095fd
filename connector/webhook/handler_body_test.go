package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/custos-privacy/custos/connector/webhook"
)

// TestHandlerBodyBound: the reference receiver reads at most its bound and
// answers a larger call 413 too_large in the protocol's shape, before it
// checks the signature.
func TestHandlerBodyBound(t *testing.T) {
	t.Parallel()
	h := webhook.Handler(nil, nil, []byte("secret"), false)
	cases := []struct {
		name   string
		size   int
		status int
		code   string
	}{
		{"over the bound", 32<<20 + 1, 413, "too_large"},
		{"within it, unsigned", 1 << 10, 401, "signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("POST", "/", bytes.NewReader(make([]byte, c.size))))
			var a struct {
				Error string `json:"error"`
				Code  string `json:"code"`
			}
			if w.Code != c.status || json.Unmarshal(w.Body.Bytes(), &a) != nil || a.Code != c.code || a.Error == "" {
				t.Fatalf("answer %d %s", w.Code, w.Body.String())
			}
		})
	}
}
