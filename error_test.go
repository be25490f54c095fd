package custos

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestHTTPStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind Kind
		want int
	}{
		{KindInternal, http.StatusInternalServerError},
		{KindInvalid, http.StatusBadRequest},
		{KindUnauthorized, http.StatusUnauthorized},
		{KindForbidden, http.StatusForbidden},
		{KindNotFound, http.StatusNotFound},
		{KindConflict, http.StatusConflict},
		{KindUnprocessable, http.StatusUnprocessableEntity},
		{KindTooMany, http.StatusTooManyRequests},
		{KindUnavailable, http.StatusServiceUnavailable},
		{KindTooLarge, http.StatusRequestEntityTooLarge},
		{KindUnsupportedMedia, http.StatusUnsupportedMediaType},
	}
	for _, c := range cases {
		if got := HTTPStatus(c.kind); got != c.want {
			t.Errorf("HTTPStatus(%d) = %d, want %d", c.kind, got, c.want)
		}
	}
}

func TestAsError(t *testing.T) {
	t.Parallel()
	coded := Errorf(KindUnprocessable, "undeclared_purpose", "Purpose %q is not declared.", "x")
	wrapped := fmt.Errorf("recording event: %w", coded)
	if e := AsError(wrapped); e != coded || ErrorCode(wrapped) != "undeclared_purpose" {
		t.Fatalf("AsError lost the code: %v", e)
	}
	plain := errors.New("pq: relation does not exist, user alice@example.com")
	e := AsError(plain)
	if e.Kind != KindInternal || e.Code != CodeInternal || e.Message == plain.Error() || !errors.Is(e, plain) {
		t.Fatalf("uncoded error = %#v", e)
	}
	if AsError(nil) != nil || ErrorCode(nil) != "" {
		t.Fatal("nil error")
	}
	if _, err := ParseRole("superuser"); ErrorCode(err) != "invalid_role" {
		t.Fatalf("ParseRole = %v", err)
	}
}

func TestIsByCode(t *testing.T) {
	t.Parallel()
	sentinel := &Error{Kind: KindNotFound, Code: "erased", Message: "gone"}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"the sentinel", sentinel, true},
		{"wrapped with %w", fmt.Errorf("reading: %w", sentinel), true},
		{"built anew with its code", Errorf(KindNotFound, "erased", "The person's data was erased."), true},
		{"a coded error wrapping it", Wrap(sentinel, KindInternal, CodeInternal, "failed"), true},
		{"another code", Errorf(KindNotFound, CodeNotFound, "Not found."), false},
		{"a plain error", errors.New("erased"), false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		if got := errors.Is(c.err, sentinel); got != c.want {
			t.Errorf("%s: errors.Is = %v, want %v", c.name, got, c.want)
		}
	}
	if errors.Is(sentinel, &Error{}) {
		t.Error("an error without a code matched")
	}
}
