package httperr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind custos.Kind
		want int
	}{
		{custos.KindInternal, http.StatusInternalServerError},
		{custos.KindInvalid, http.StatusBadRequest},
		{custos.KindUnauthorized, http.StatusUnauthorized},
		{custos.KindForbidden, http.StatusForbidden},
		{custos.KindNotFound, http.StatusNotFound},
		{custos.KindConflict, http.StatusConflict},
		{custos.KindUnprocessable, http.StatusUnprocessableEntity},
		{custos.KindTooMany, http.StatusTooManyRequests},
		{custos.KindUnavailable, http.StatusServiceUnavailable},
		{custos.KindTooLarge, http.StatusRequestEntityTooLarge},
		{custos.KindUnsupportedMedia, http.StatusUnsupportedMediaType},
		// A kind the table does not know is a fault, never a 2xx.
		{custos.Kind(99), http.StatusInternalServerError},
	}
	for _, c := range cases {
		if got := httperr.Status(c.kind); got != c.want {
			t.Errorf("Status(%d) = %d, want %d", c.kind, got, c.want)
		}
	}
}

func TestOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"coded", custos.Errorf(custos.KindConflict, "taken", "Taken."), http.StatusConflict},
		{"wrapped", fmt.Errorf("saving: %w", custos.ErrNotFound), http.StatusNotFound},
		{"uncoded", errors.New("disk on fire"), http.StatusInternalServerError},
	}
	for _, c := range cases {
		if got := httperr.Of(c.err); got != c.want {
			t.Errorf("%s: Of = %d, want %d", c.name, got, c.want)
		}
	}
}
