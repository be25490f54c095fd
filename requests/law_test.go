package requests_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// Cal. Civ. Code §1798.130(b): a business need not *provide* the
// information of §§1798.110 and 1798.115 more than twice in 12 months. Only
// fulfilled requests count: one denied (by an officer, or under the limit
// itself) or never verified provided nothing and must not extend the
// lockout.
func TestLimitCountsFulfilledOnly_CCPA_1798_130b(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		start := e.clock.T
		day := func(d int) { e.clock.T = start.AddDate(0, 0, d) }
		know := func(typ string) requests.Intake {
			return requests.Intake{Type: typ, Email: "counted@example.com", Jurisdiction: "US-CA"}
		}
		// Day 0: denied by an officer.
		a1 := e.submitAndVerify(know("access"))
		if _, err := e.svc.Deny(ctx, "token:1", a1.ID, requests.DenyExempt, "We hold these records under a legal exemption."); err != nil {
			t.Fatal(err)
		}
		// Day 1: fulfilled.
		day(1)
		a2 := e.submitAndVerify(know("access"))
		if v, err := e.svc.Approve(ctx, "token:1", a2.ID); err != nil || v.Status != requests.StatusCompleted {
			t.Fatalf("second request: %+v, %v", v, err)
		}
		// Day 2: never verified.
		day(2)
		if _, err := e.svc.Submit(ctx, know("categories"), "192.0.2.1", false); err != nil {
			t.Fatal(err)
		}
		// Day 3: the denied and the unverified ones did not count, so this
		// is the second that does.
		day(3)
		a4 := e.submitAndVerify(know("access"))
		if a4.Status != requests.StatusPendingReview {
			t.Fatalf("after one fulfilled request, the next = %+v", a4)
		}
		if v, err := e.svc.Approve(ctx, "token:1", a4.ID); err != nil || v.Status != requests.StatusCompleted {
			t.Fatalf("fourth request: %+v, %v", v, err)
		}
		// Day 4: two fulfilled in 12 months: refused under the limit.
		day(4)
		a5 := e.submitAndVerify(know("portability"))
		if a5.Status != requests.StatusDenied {
			t.Fatalf("a third know-request after two fulfilled = %+v", a5)
		}
		st, err := e.svc.Status(ctx, a5.ID, a5.AccessToken)
		if err != nil || !strings.Contains(st.Reason, "twice") || !strings.Contains(st.Reason, "7 March 2026") {
			t.Fatalf("the refusal names the first that counted (7 March 2026): %q, %v", st.Reason, err)
		}
		// A year and a day after the first fulfilled one it has left the
		// window; the refusal of day 4 does not take its place.
		e.clock.T = time.Date(2027, 3, 7, 15, 0, 0, 0, time.UTC)
		a6 := e.submitAndVerify(know("access"))
		if a6.Status != requests.StatusPendingReview {
			t.Fatalf("the refused request extended the lockout: %+v", a6)
		}
	})
}

// An extension needs notice within the first period: GDPR Art. 12(3)
// ("within one month of receipt of the request"), Cal. Civ. Code
// §1798.130(a)(2)(A) and 11 CCR §7021(b) ("within the first 45-day
// period"). Once the first deadline has passed it is refused, and the
// request stays overdue.
func TestExtensionRefusedAfterFirstDeadline_GDPR_12_3_CCPA_1798_130a2A(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		cases := []struct {
			name, jurisdiction string
			after              time.Duration // after the first deadline; negative is before
			wantErr            string
		}{
			{"GDPR, on the last instant of the month", "DE", 0, ""},
			{"GDPR, a minute late", "DE", time.Minute, requests.CodeExtensionTooLate},
			{"CCPA, the day before day 45", "US-CA", -24 * time.Hour, ""},
			{"CCPA, a day late", "US-CA", 24 * time.Hour, requests.CodeExtensionTooLate},
		}
		for i, c := range cases {
			e.clock.T = time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
			v, err := e.svc.SubmitOnBehalf(ctx, "token:3", requests.Intake{Type: "access", Jurisdiction: c.jurisdiction, Channel: "phone",
				Email: "late" + string(rune('a'+i)) + "@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			e.clock.T = v.DueAt.Add(c.after)
			x, err := e.svc.Extend(ctx, "token:3", v.ID, "We need to search our archives for your records.")
			if got := custos.ErrorCode(err); got != c.wantErr {
				t.Fatalf("%s: extend = %+v, %v; want code %q", c.name, x, err, c.wantErr)
			}
			if c.wantErr == "" {
				if x.ExtendedUntil == nil || x.Overdue {
					t.Fatalf("%s: not extended: %+v", c.name, x)
				}
				continue
			}
			if !errors.Is(err, requests.ErrExtensionTooLate) || custos.AsError(err).Kind != custos.KindConflict {
				t.Fatalf("%s: %v is not the coded conflict", c.name, err)
			}
			after, err := e.svc.Get(ctx, v.ID)
			if err != nil || after.ExtendedUntil != nil || !after.Overdue {
				t.Fatalf("%s: a refused extension changed the request: %+v, %v", c.name, after, err)
			}
			for _, h := range after.History {
				if h.Action == "extended" {
					t.Fatalf("%s: a refused extension is in the history", c.name)
				}
			}
		}
	})
}

// A request never verified is closed when the law's period runs out,
// denied as unverifiable, and the address it came from is told: 11 CCR
// §7021(b) (may deny if not verified within the 45 days), §7024(a) (tell
// the requestor it cannot be verified), GDPR Art. 12(4) (say within the
// period why nothing was done).
func TestUnverifiedClosedWhenPeriodEnds_CCR_7021b_7024a(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		start := e.clock.T
		ca, err := e.svc.Submit(ctx, requests.Intake{Type: "access", Email: "never@example.com", Jurisdiction: "US-CA"}, "192.0.2.7", false)
		if err != nil {
			t.Fatal(err)
		}
		de, err := e.svc.Submit(ctx, requests.Intake{Type: "deletion", Email: "nie@example.com", Jurisdiction: "DE"}, "192.0.2.7", false)
		if err != nil {
			t.Fatal(err)
		}
		verified := e.submitAndVerify(requests.Intake{Type: "access", Email: "proven@example.com", Jurisdiction: "US-CA"})
		mailsBefore := len(e.mails("never@example.com"))

		cases := []struct {
			at     time.Time
			closed int
			denied []string // ids denied unverifiable by then
		}{
			{start.AddDate(0, 1, 0), 0, nil},                           // the GDPR month's last instant
			{start.AddDate(0, 1, 0).Add(time.Second), 1, []string{de}}, // past it
			{start.AddDate(0, 0, 45), 0, []string{de}},                 // the CCPA 45 days' last instant
			{start.AddDate(0, 0, 46), 1, []string{de, ca}},
			{start.AddDate(0, 0, 90), 0, []string{de, ca}}, // closed once
		}
		for i, c := range cases {
			e.clock.T = c.at
			n, err := e.svc.CloseUnverified(ctx)
			if err != nil || n != c.closed {
				t.Fatalf("step %d: closed %d, %v; want %d", i, n, err, c.closed)
			}
			for _, id := range c.denied {
				v, err := e.svc.Get(ctx, id)
				if err != nil || v.Status != requests.StatusDenied || v.Decision == nil || v.Decision.Code != requests.DenyUnverifiable {
					t.Fatalf("step %d: %s = %+v, %v", i, id, v, err)
				}
			}
		}
		// Its code no longer opens it.
		if _, err := e.svc.Verify(ctx, ca, e.code("never@example.com")); !errors.Is(err, requests.ErrCodeExpired) {
			t.Fatalf("verifying a closed request: %v", err)
		}
		// The verified request is the officer's still.
		if v, err := e.svc.Get(ctx, verified.ID); err != nil || v.Status != requests.StatusPendingReview {
			t.Fatalf("a verified request was closed: %+v, %v", v, err)
		}
		// The address it came from is told it was received and not verified.
		ms := e.mails("never@example.com")
		if len(ms) != mailsBefore+1 {
			t.Fatalf("%d mails to the requester, want %d", len(ms), mailsBefore+1)
		}
		b, _ := io.ReadAll(ms[len(ms)-1].Body)
		if !strings.Contains(string(b), "never verified") || !strings.Contains(string(b), "make it again") {
			t.Fatalf("closing mail: %s", b)
		}
		// Nothing was created for the unproven address.
		if _, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "never@example.com"}); !errors.Is(err, custos.ErrNotFound) {
			t.Fatalf("a subject for an unverified address: %v", err)
		}
	})
}
