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

// TestVerificationWords pins what the request page says of the identity
// check, for every way a request arrives.
func TestVerificationWords(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	code := []requests.HistoryRow{{Action: "received"}, {Action: "code_verified"}}
	cases := []struct {
		name string
		rv   requests.View
		want string
	}{
		{"code entered, stronger check open", requests.View{Channel: "web", History: code},
			"the person entered the code mailed to the address; the stronger identity check (11 CCR §7062(c): data points and a signed declaration) is still to pass"},
		{"no code yet", requests.View{Channel: "web"}, "the person has not entered the code mailed to the address yet"},
		{"stronger check passed", requests.View{Channel: "web", VerifiedAt: &at, History: code},
			"the person entered the code mailed to the address, and passed the stronger identity check (11 CCR §7062(c)) or, failing it, had their request answered as the law says (see the history)"},
		{"code entered", requests.View{Channel: "web", VerifiedAt: &at}, "the person entered the code mailed to the address"},
		{"opened by Custos", requests.View{Channel: "system", VerifiedAt: &at}, "opened by Custos itself (data of a minor)"},
		{"taken by an operator", requests.View{Channel: "operator", VerifiedAt: &at}, "taken by an operator, who vouched for the person's identity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := verificationWords(c.rv); got != c.want {
				t.Errorf("verificationWords = %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestRequestDecisions pins which decisions the page offers, by status
// and right.
func TestRequestDecisions(t *testing.T) {
	t.Parallel()
	ext := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	type offer struct{ open, approve, deny, extend bool }
	cases := []struct {
		name   string
		rv     requests.View
		decide bool
		want   offer
	}{
		{"awaiting verification", requests.View{Status: requests.StatusAwaitingVerification}, true, offer{true, false, false, true}},
		{"pending review", requests.View{Status: requests.StatusPendingReview}, true, offer{true, true, true, true}},
		{"pending review, extended", requests.View{Status: requests.StatusPendingReview, ExtendedUntil: &ext}, true, offer{true, true, true, false}},
		{"in progress", requests.View{Status: requests.StatusInProgress}, true, offer{true, false, true, true}},
		{"completed", requests.View{Status: requests.StatusCompleted}, true, offer{false, false, false, false}},
		{"pending review, read only", requests.View{Status: requests.StatusPendingReview}, false, offer{true, false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := requestView{R: c.rv}
			p.decisions(rights{Decide: c.decide}, requests.DenyExempt)
			if got := (offer{p.Open, p.CanApprove, p.CanDeny, p.CanExtend}); got != c.want {
				t.Errorf("offer = %+v, want %+v", got, c.want)
			}
			if len(p.DenyReasons) != len(requests.DenyReasons()) {
				t.Fatalf("%d deny reasons, want %d", len(p.DenyReasons), len(requests.DenyReasons()))
			}
			for _, o := range p.DenyReasons {
				if o.Selected != (o.Value == requests.DenyExempt) || o.Label != denyLabel(o.Value) {
					t.Errorf("deny reason %+v", o)
				}
			}
		})
	}
}

// TestRequestHistory: who took a request is named only when an operator
// did, and the outcome keeps the steps that say how it ended, in order.
func TestRequestHistory(t *testing.T) {
	t.Parallel()
	hs := []requests.HistoryRow{{Action: "received", Actor: "token:2"}, {Action: "approved"}, {Action: "completed"}, {Action: "result_downloaded"}}
	actors := map[string]string{"token:2": "Dana (privacy_officer)"}
	for _, c := range []struct{ channel, by string }{{"operator", "Dana (privacy_officer)"}, {"web", ""}} {
		p := requestView{R: requests.View{Channel: c.channel, History: hs}}
		p.history(actors)
		if p.VerifiedBy != c.by {
			t.Errorf("%s: VerifiedBy = %q, want %q", c.channel, p.VerifiedBy, c.by)
		}
		if len(p.Outcome) != 2 || p.Outcome[0].Action != "completed" || p.Outcome[1].Action != "result_downloaded" {
			t.Errorf("%s: outcome %+v", c.channel, p.Outcome)
		}
	}
}
