package consent_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

type env struct {
	store   *store.Store
	master  *vault.Master
	records *records.Service
	reg     *policy.Registry
	log     *audit.Log
	clock   *custos.FixedClock
	svc     *consent.Service
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{store: s, clock: &custos.FixedClock{T: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}}
	var err error
	if e.master, _, err = vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key")); err != nil {
		t.Fatal(err)
	}
	e.log = audit.New(nil, "", e.clock)
	loader, _ := policy.NewLoader()
	e.reg = policy.NewRegistry(s, loader, e.log, e.clock)
	if _, err := e.reg.Bootstrap(ctx, "test", policy.BundledName, policy.Bundled(), false); err != nil {
		t.Fatal(err)
	}
	e.svc = e.restart(t)
	return e
}

// restart builds the services anew on the same store, as a server restart
// (or a second server) would.
func (e *env) restart(t *testing.T) *consent.Service {
	t.Helper()
	ctx := context.Background()
	blind, err := vault.InstanceBlindIndex(ctx, e.store, e.master, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.records = records.New(e.store, e.master, blind, e.log, e.reg, e.clock)
	svc, err := consent.New(ctx, consent.Config{Store: e.store, Records: e.records, Policies: e.reg, Master: e.master,
		Log: e.log, Clock: e.clock, BaseURL: "https://custos.example"})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (e *env) decide(t *testing.T, svc *consent.Service, email, purpose, j string) consent.Decision {
	t.Helper()
	d, err := svc.DecideFor(custos.SubjectRef{Email: email}, "", purpose, "", j)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConsentLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ana := custos.SubjectRef{Email: "ana@example.com"}
		const mkt = "marketing.communications.email"
		if d := e.decide(t, e.svc, "ana@example.com", mkt, "DE"); d.Allowed || d.Reason != consent.ReasonNoConsent {
			t.Fatalf("before any choice: %+v", d)
		}
		rec, err := e.svc.Record(ctx, "test", consent.Choice{Subject: ana, Purpose: mkt, Granted: true, Jurisdiction: "DE", Method: "web_form"}, false)
		if err != nil {
			t.Fatal(err)
		}
		// The receipt verifies with the published key and says what was chosen.
		kid, pub := e.svc.ReceiptKey()
		payload, err := consent.VerifyJWS(rec.JWS, ed25519.PublicKey(pub))
		if err != nil {
			t.Fatal(err)
		}
		var r consent.Receipt
		if err := json.Unmarshal(payload, &r); err != nil {
			t.Fatal(err)
		}
		if r.Version != "KI-CR-v1.1.0" || r.ConsentReceiptID != rec.ReceiptID || r.Jurisdiction != "DE" || r.CollectionMethod != "web_form" ||
			r.PIIPrincipalID != rec.Principal || r.PolicyURL != "https://custos.example/privacy-policy?version=1" ||
			r.PIIControllers[0].PIIController != "IMAJine Legal Solutions, Inc." || r.Services[0].Purposes[0].PurposeCategory[0] != mkt ||
			!r.Custos.Choices[0].Granted || kid == "" || strings.Contains(string(payload), "ana@example.com") {
			t.Fatalf("receipt = %s", payload)
		}
		if stored, _ := e.svc.ReceiptJWS(ctx, rec.ReceiptID); stored != rec.JWS {
			t.Fatal("stored receipt differs")
		}
		// An altered receipt does not verify.
		forged := strings.Replace(rec.JWS, ".", ".e30", 1)
		if _, err := consent.VerifyJWS(forged, ed25519.PublicKey(pub)); err == nil {
			t.Fatal("altered receipt verified")
		}
		if d := e.decide(t, e.svc, "ANA@example.com", mkt, "DE"); !d.Allowed || d.Reason != consent.ReasonConsentGiven {
			t.Fatalf("after grant: %+v", d)
		}
		// Withdrawal is the same call, and takes effect at once.
		if _, err := e.svc.Record(ctx, "test", consent.Choice{Subject: ana, Purpose: mkt, Granted: false, Jurisdiction: "DE"}, false); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, e.svc, "ana@example.com", mkt, "DE"); d.Allowed || d.Reason != consent.ReasonConsentWithdrawn {
			t.Fatalf("after withdrawal: %+v", d)
		}
		// A Global Privacy Control signal opts out of sale and sharing alone.
		if _, err := e.svc.Record(ctx, "test", consent.Choice{Subject: ana, Jurisdiction: "US-CA", Method: "browser_signal"}, true); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, e.svc, "ana@example.com", "third_party_sharing", "US-CA"); d.Allowed || d.Reason != consent.ReasonOptedOut {
			t.Fatalf("after GPC: %+v", d)
		}
		st, err := e.svc.StateOf(ctx, "test", ana, "")
		if err != nil || len(st.History) != 3 || len(st.Current) != 2 || st.Current[0].Granted || !st.History[2].GPC {
			t.Fatalf("state = %+v, %v", st, err)
		}
		// Everything survives a restart: the index is rebuilt from the ledger.
		again := e.restart(t)
		if d := e.decide(t, again, "ana@example.com", mkt, "DE"); d.Reason != consent.ReasonConsentWithdrawn {
			t.Fatalf("after restart: %+v", d)
		}
		if d := e.decide(t, again, "ana@example.com", "third_party_sharing", "US-CA"); d.Reason != consent.ReasonOptedOut {
			t.Fatalf("GPC after restart: %+v", d)
		}
	})
}

func TestRefusedChoices(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ana := custos.SubjectRef{Email: "ana@example.com"}
		cases := []struct {
			c    consent.Choice
			code string
		}{
			{consent.Choice{Subject: ana, Purpose: "train_ai_system", Granted: true, Jurisdiction: "US"}, "undeclared_purpose"},
			{consent.Choice{Subject: ana, Purpose: "essential.service", Granted: false, Jurisdiction: "US"}, "not_a_consent_purpose"},
			{consent.Choice{Subject: ana, Purpose: "marketing.communications.email", Jurisdiction: "California"}, "invalid_request"},
			{consent.Choice{Subject: ana, Purpose: "marketing.communications.email", Jurisdiction: "US", Method: "carrier_pigeon"}, "invalid_request"},
			{consent.Choice{Purpose: "marketing.communications.email", Jurisdiction: "US"}, "invalid_request"},
			{consent.Choice{DeviceID: "x", Purpose: "marketing.communications.email", Jurisdiction: "US"}, "invalid_request"},
			{consent.Choice{Subject: ana, Jurisdiction: "US"}, "invalid_request"},
		}
		for _, c := range cases {
			if _, err := e.svc.Record(ctx, "test", c.c, false); custos.ErrorCode(err) != c.code {
				t.Errorf("%+v: %v, want %s", c.c, err, c.code)
			}
		}
	})
}

func TestUnsubscribeAndSuppression(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		const mkt = "marketing.communications.email"
		link, err := e.svc.UnsubscribeLink(ctx, "Bo@Example.com", mkt)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(link.URL, "https://custos.example/unsubscribe/") || link.Headers["List-Unsubscribe"] != "<"+link.URL+">" ||
			link.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || strings.Contains(strings.ToLower(link.URL), "bo@example") {
			t.Fatalf("link = %+v", link)
		}
		token := strings.TrimPrefix(link.URL, "https://custos.example/unsubscribe/")
		// Forged and altered tokens are refused.
		body, mac, _ := strings.Cut(token, ".")
		for _, bad := range []string{"", "x", body, body + ".AAAAAAAAAAAAAAAAAAAAAA", flip(body) + "." + mac, body + "." + flip(mac)} {
			if _, err := e.svc.Unsubscribe(ctx, bad, "", false); custos.ErrorCode(err) != "invalid_token" {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		if d := e.decide(t, e.svc, "bo@example.com", mkt, "US"); !d.Allowed {
			t.Fatalf("before unsubscribing: %+v", d)
		}
		if _, err := e.svc.Unsubscribe(ctx, token, "", false); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, e.svc, "bo@example.com", mkt, "US"); d.Allowed || d.Reason != consent.ReasonOptedOut {
			t.Fatalf("after unsubscribing: %+v", d)
		}
		// Erasure takes the person, not the opt-out: when the address comes
		// back, it is still opted out — also after a restart.
		sid, _ := e.records.FindSubject(ctx, custos.SubjectRef{Email: "bo@example.com"})
		if _, err := e.records.EraseSubject(ctx, "test", sid, "test"); err != nil {
			t.Fatal(err)
		}
		v := "Bo"
		if _, err := e.records.Record(ctx, "test", records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "bo@example.com"},
			Category: "user.name", Source: "online_channels", Purpose: "essential.service", Value: &v}); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, e.svc, "bo@example.com", mkt, "US"); d.Allowed {
			t.Fatalf("returning address after erasure: %+v", d)
		}
		again := e.restart(t)
		if d := e.decide(t, again, "bo@example.com", mkt, "US"); d.Allowed {
			t.Fatalf("returning address after restart: %+v", d)
		}
	})
}

func flip(s string) string {
	b := []byte(s)
	if b[len(b)/2] == 'A' {
		b[len(b)/2] = 'B'
	} else {
		b[len(b)/2] = 'A'
	}
	return string(b)
}

func TestRestrictionAndMinor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		sid, _, err := e.records.EnsureSubject(ctx, "test", custos.SubjectRef{Email: "kid@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetMinor(ctx, "test", sid, true); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, e.svc, "kid@example.com", "marketing.communications.email", "US"); d.Reason != consent.ReasonMinor {
			t.Fatalf("minor: %+v", d)
		}
		if err := e.svc.SetRestricted(ctx, "test", sid, true); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, e.svc, "kid@example.com", "essential.service", "US"); d.Reason != consent.ReasonRestricted {
			t.Fatalf("restricted: %+v", d)
		}
		again := e.restart(t)
		if d := e.decide(t, again, "kid@example.com", "essential.service", "US"); d.Reason != consent.ReasonRestricted {
			t.Fatalf("restricted after restart: %+v", d)
		}
		if err := again.SetRestricted(ctx, "test", sid, false); err != nil {
			t.Fatal(err)
		}
		if d := e.decide(t, again, "kid@example.com", "essential.service", "US"); !d.Allowed {
			t.Fatalf("restriction lifted: %+v", d)
		}
		if err := again.SetMinor(ctx, "test", "no-such-subject", true); custos.ErrorCode(err) != "not_found" {
			t.Fatalf("unknown subject: %v", err)
		}
	})
}

// TestSecondServerHearsChanges: on PostgreSQL a second server's index
// follows the first's writes through notifications.
func TestSecondServerHearsChanges(t *testing.T) {
	t.Parallel()
	s := storetest.OpenPostgres(t)
	e := newEnv(t, s)
	other := e.restart(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go other.Listen(ctx, s.Pool(), discardLogger())
	time.Sleep(200 * time.Millisecond) // let it LISTEN
	const mkt = "marketing.communications.email"
	if _, err := e.svc.Record(context.Background(), "test", consent.Choice{Subject: custos.SubjectRef{Email: "cy@example.com"},
		Purpose: mkt, Granted: true, Jurisdiction: "DE"}, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if d := e.decide(t, other, "cy@example.com", mkt, "DE"); d.Allowed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the second server never heard of the consent")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIABStrings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{Email: "va@example.com"}
		if d := e.decide(t, e.svc, "va@example.com", "marketing.advertising.third_party", "US-VA"); !d.Allowed {
			t.Fatalf("before: %+v", d)
		}
		// A GPP usva section that opted out of targeted advertising.
		rec, err := e.svc.Record(ctx, "test", consent.Choice{Subject: ref, Jurisdiction: "US-VA", Method: "banner", GPP: "DBABRgA~bSFgmiU"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Choices) != 1 || rec.Choices[0].Scope != "marketing.advertising.third_party" || rec.Choices[0].Granted {
			t.Fatalf("choices = %+v", rec.Choices)
		}
		if d := e.decide(t, e.svc, "va@example.com", "marketing.advertising.third_party", "US-VA"); d.Allowed || d.Reason != consent.ReasonOptedOut {
			t.Fatalf("after: %+v", d)
		}
		if _, err := e.svc.Record(ctx, "test", consent.Choice{Subject: ref, Jurisdiction: "US-VA", GPP: "not a gpp string"}, false); custos.AsError(err).Field != "gpp" {
			t.Fatalf("malformed GPP: %v", err)
		}
		if _, err := e.svc.Record(ctx, "test", consent.Choice{Subject: ref, Jurisdiction: "DE", TCF: "C!!"}, false); custos.AsError(err).Field != "tcf" {
			t.Fatalf("malformed TCF: %v", err)
		}
	})
}
