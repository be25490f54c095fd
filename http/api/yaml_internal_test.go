package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
)

// TestParsingIsBounded: a parse waits for a free slot, and a request whose
// context ends first is answered 503 busy with Retry-After, its parse never
// run.
func TestParsingIsBounded(t *testing.T) {
	t.Parallel()
	s := &server{parses: make(chan struct{}, 1)}
	s.parses <- struct{}{} // the one slot is taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("POST", "/api/v1/policy/validate", nil).WithContext(ctx)
	w := httptest.NewRecorder()
	ran := false
	err := s.parsing(w, r, func(context.Context) error { ran = true; return nil })
	if ran || custos.ErrorCode(err) != "busy" || httperr.Of(err) != http.StatusServiceUnavailable ||
		w.Header().Get("Retry-After") == "" {
		t.Fatalf("full: ran %v, err %v, headers %v", ran, err, w.Header())
	}
	<-s.parses // the slot is free again
	want := errors.New("parse error")
	if err := s.parsing(w, httptest.NewRequest("POST", "/", nil), func(context.Context) error { ran = true; return want }); !ran || err != want {
		t.Fatalf("free: ran %v, err %v", ran, err)
	}
	if len(s.parses) != 0 {
		t.Fatal("the slot was not given back")
	}
}
