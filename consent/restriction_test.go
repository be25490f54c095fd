package consent_test

import (
	"context"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestRestrictionConsentArt18_2: GDPR Art. 18(2) lets restricted data be
// processed "with the data subject's consent": a consent given after the
// restriction began allows its purpose, one given before does not, and
// the index keeps the difference across a restart and a reload.
func TestRestrictionConsentArt18_2(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		const who, email, ads = "lea@example.com", "marketing.communications.email", "marketing.advertising.third_party"
		record := func(svc *consent.Service, purpose string, granted bool) {
			t.Helper()
			if _, err := svc.Record(ctx, "test", consent.Choice{Subject: custos.SubjectRef{Email: who}, Purpose: purpose, Granted: granted,
				Jurisdiction: "DE", Method: "web_form"}, false); err != nil {
				t.Fatal(err)
			}
		}
		record(e.svc, email, true) // before the restriction
		sid, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: who})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.T = e.clock.T.Add(time.Hour)
		if err := e.svc.SetRestricted(ctx, "test", sid, true); err != nil {
			t.Fatal(err)
		}
		e.clock.T = e.clock.T.Add(time.Hour)
		record(e.svc, ads, true) // after it
		check := func(svc *consent.Service, when string) {
			t.Helper()
			if d := e.decide(t, svc, who, email, "DE"); d.Allowed || d.Reason != consent.ReasonRestricted {
				t.Errorf("%s: consent given before the restriction: %+v", when, d)
			}
			if d := e.decide(t, svc, who, ads, "DE"); !d.Allowed || d.Reason != consent.ReasonConsentGiven {
				t.Errorf("%s: consent given during the restriction: %+v", when, d)
			}
			if d := e.decide(t, svc, who, "essential.service", "DE"); d.Reason != consent.ReasonRestricted {
				t.Errorf("%s: contract purpose: %+v", when, d)
			}
		}
		check(e.svc, "live")
		again := e.restart(t)
		check(again, "after a restart")
		if err := again.Reload(ctx, sid); err != nil {
			t.Fatal(err)
		}
		check(again, "after a reload")
		// Withdrawn, it no longer counts; given again, it does.
		e.clock.T = e.clock.T.Add(time.Hour)
		record(again, ads, false)
		if d := e.decide(t, again, who, ads, "DE"); d.Allowed {
			t.Fatalf("withdrawn during the restriction: %+v", d)
		}
		// A new restriction makes earlier consent count as "before" again.
		e.clock.T = e.clock.T.Add(time.Hour)
		record(again, ads, true)
		e.clock.T = e.clock.T.Add(time.Hour)
		if err := again.SetRestricted(ctx, "test", sid, true); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, again, who, ads, "DE"); d.Allowed {
			t.Fatalf("consent before the latest restriction: %+v", d)
		}
	})
}
