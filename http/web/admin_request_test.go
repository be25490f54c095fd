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

func TestConsoleWords(t *testing.T) {
	t.Parallel()
	names := map[string]string{"token:2": "Dana (privacy_officer)"}
	for _, c := range []struct{ in, want string }{
		{"token:2", "Dana (privacy_officer)"}, {"token:9", "Token 9"}, {"system", "Custos"},
		{"subject:request:req_1", "The person"}, {"subject", "The person"}, {"ops@example.com", "ops@example.com"},
	} {
		if got := actorWord(names, c.in); got != c.want {
			t.Errorf("actorWord(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"pending_review", "Pending review"}, {"awaiting_verification", "Awaiting verification"}, {"on_hold", "On hold"}, {"", ""},
	} {
		if got := statusWord(c.in); got != c.want {
			t.Errorf("statusWord(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := typeWord("direct_marketing_disclosures"); got != "Direct marketing disclosures" {
		t.Errorf("typeWord = %q", got)
	}
	if got := dayOf("de", (*time.Time)(nil)); got != "" {
		t.Errorf("dayOf(nil) = %q", got)
	}
	if got := dayOf("fr", time.Time{}); got != "—" {
		t.Errorf("dayOf(zero) = %q", got)
	}
	if got := dayOf("es", time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)); got != "1 de junio de 2026" {
		t.Errorf("dayOf = %q", got)
	}
}
