package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httpjson"
)

// FuzzDecode: any body either decodes or yields a coded 400, never a panic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"manifest":"a: b"}`, `{"manifest":1}`, `{`, ``, `{"force":true,"effective_at":"2026-01-01T00:00:00Z"}`, `[]`, `{"x":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var req publishRequest
		err := httpjson.Decode(httptest.NewRecorder(), r, &req)
		if err == nil {
			return
		}
		e := custos.AsError(err)
		if e.Kind != custos.KindInvalid || e.Code == "" || e.Message == "" {
			t.Fatalf("decode error not a coded 400: %#v", e)
		}
	})
}
