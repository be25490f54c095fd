package web

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The reference is rendered from the repository's openapi.json: every
// operation in it appears, with its roles, and the page loads nothing.
func TestAPIDocs(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile(filepath.Join("..", "api", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := APIDocs(spec)
	if err != nil {
		t.Fatalf("APIDocs: %v", err)
	}
	w := httptest.NewRecorder()
	h(w, httptest.NewRequest("GET", "/api/docs", nil))
	page := w.Body.String()
	if w.Code != 200 || w.Header().Get("Content-Security-Policy") != ContentSecurityPolicy {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	doc, err := readAPIDoc(spec)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range doc.Groups {
		n += len(g.Ops)
	}
	if n < 40 || strings.Count(page, "data-custos-op=") != n {
		t.Fatalf("%d operations read, %d on the page", n, strings.Count(page, "data-custos-op="))
	}
	for _, want := range []string{`data-custos-op="post /api/v1/privacy-requests"`, "<code>privacy_officer</code>", "anyone (no token)",
		`id="schema-Intake"`, "Intake"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %s on the page", want)
		}
	}
	for _, banned := range []string{"<script", "<link", "<img", "<iframe", "<object"} {
		if strings.Contains(page, banned) {
			t.Errorf("the page holds %s", banned)
		}
	}
	if _, err := APIDocs([]byte(`{"paths": [`)); err == nil {
		t.Error("a broken spec was accepted")
	}
}
