package custos

import (
	"errors"
	"fmt"
	"testing"
)

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
