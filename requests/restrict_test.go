package requests_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestObjectionArt21_1: an objection request is a general objection (GDPR
// Art. 21): direct marketing stops (Art. 21(3)), and so does every purpose
// on legitimate interests without compelling grounds in the manifest
// (Art. 21(1)); the answer lists those that go on, with their grounds.
func TestObjectionArt21_1(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		v := e.submitAndVerify(requests.Intake{Type: "objection", Email: "obj@example.com", Jurisdiction: "DE"})
		if v.Status != requests.StatusCompleted {
			t.Fatalf("objection status %s", v.Status)
		}
		for _, c := range []struct {
			purpose string
			allowed bool
			reason  string
		}{
			{"analytics.reporting", false, consent.ReasonObjected},
			{"functional.service.improve", false, consent.ReasonObjected},
			{"marketing.communications", false, consent.ReasonOptedOut},
			{"marketing.communications.email", false, consent.ReasonOptedOut},
			{"essential.fraud_detection", true, consent.ReasonLegitimateInterests},
			{"essential.service", true, consent.ReasonContract},
		} {
			d, err := e.consent.DecideFor(custos.SubjectRef{Email: "obj@example.com"}, "", c.purpose, "", "DE")
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != c.allowed || d.Reason != c.reason {
				t.Errorf("%s after the objection: %+v, want allowed=%v reason=%s", c.purpose, d, c.allowed, c.reason)
			}
		}
		p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Summary, "legitimate interests") || len(p.Kept) != 4 {
			t.Fatalf("objection answer = %+v", p)
		}
		for _, k := range p.Kept {
			if !strings.Contains(k.Why, "compelling legitimate grounds") {
				t.Errorf("kept without its grounds: %+v", k)
			}
		}
	})
}

// TestCaliforniaRestrictionLimitsSensitive: a Californian's restriction
// request is the right to limit the use of sensitive personal information
// (Cal. Civ. Code §1798.121; 11 CCR §7027): sensitive categories are then
// used only for the purposes of §7027(m), and nothing else is frozen (no
// GDPR restriction that blocks contract purposes).
func TestCaliforniaRestrictionLimitsSensitive(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		e.seed("ca@example.com", collected("user.location.precise", "37.77,-122.42"))
		v := e.submitAndVerify(requests.Intake{Type: "restriction", Email: "ca@example.com", Jurisdiction: "US-CA"})
		if v.Status != requests.StatusCompleted {
			if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
				t.Fatal(err)
			}
		}
		decide := func(purpose, category string) consent.Decision {
			d, err := e.consent.DecideFor(custos.SubjectRef{Email: "ca@example.com"}, "", purpose, category, "US-CA")
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		const geo = "user.location.precise"
		for _, c := range []struct {
			name, purpose, category string
			allowed                 bool
			reason                  string
		}{
			{"§7027(m)(1): the service expected", "essential.service", geo, true, consent.ReasonContract},
			{"§7027(m)(2)-(3): security and fraud", "essential.fraud_detection", geo, true, consent.ReasonLegitimateInterests},
			{"§1798.121(b): other uses of sensitive data stop", "analytics.reporting", geo, false, consent.ReasonSensitiveLimited},
			{"§1798.121: other categories are not limited", "analytics.reporting", "user.contact.email", true, consent.ReasonLegitimateInterests},
			{"not a GDPR freeze: contract purposes run", "essential.service", "", true, consent.ReasonContract},
		} {
			if d := decide(c.purpose, c.category); d.Allowed != c.allowed || d.Reason != c.reason {
				t.Errorf("%s: %+v, want allowed=%v reason=%s", c.name, d, c.allowed, c.reason)
			}
		}
		sid, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "ca@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if e.consent.Engine().IsRestricted(sid) {
			t.Fatal("a Californian's restriction request froze processing")
		}
		p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Summary, "limit the use of your sensitive personal information") {
			t.Fatalf("answer = %+v", p)
		}
	})
}
