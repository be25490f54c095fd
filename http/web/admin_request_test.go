package web

import (
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/requests"
)

func TestResultWords(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	later, earlier := now.AddDate(0, 0, 30), now.AddDate(0, 0, -1)
	cases := []struct {
		name string
		a    requests.Answer
		want string
	}{
		{"held", requests.Answer{Held: true, ExpiresAt: &later}, "ready for the person behind their own link until 1 July 2026"},
		{"expired", requests.Answer{ExpiresAt: &earlier}, "expired on 31 May 2026 and was deleted"},
		{"none", requests.Answer{}, "No answer is held"},
		{"deleted early", requests.Answer{ExpiresAt: &later}, "No answer is held"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := resultWords(c.a, now); !strings.Contains(got, c.want) {
				t.Errorf("resultWords(%+v) = %q; want %q in it", c.a, got, c.want)
			}
		})
	}
}
