package consent

import (
	"math/rand"
	"testing"

	"github.com/custos-privacy/custos/policy"
)

func bundled(t testing.TB) *policy.Manifest {
	t.Helper()
	l, err := policy.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Parse(policy.BundledName, policy.Bundled())
	if err != nil {
		t.Fatal(err)
	}
	return p.Manifest
}

func TestDecideReasons(t *testing.T) {
	t.Parallel()
	m := bundled(t)
	type setup func(e *Engine)
	grant := func(scope string, g bool) setup {
		return func(e *Engine) { e.mu.Lock(); e.apply("p", scope, g); e.mu.Unlock() }
	}
	flags := func(erased, restricted, minor bool) setup {
		return func(e *Engine) { e.SetFlags("p", erased, restricted, minor) }
	}
	cases := []struct {
		name                            string
		setups                          []setup
		purpose, category, jurisdiction string
		allowed                         bool
		reason, basis, regime           string
	}{
		{"contract", nil, "essential.service", "user.contact.email", "US-CA", true, ReasonContract, "contract", ""},
		{"legitimate interests", nil, "essential.fraud_detection", "", "DE", true, ReasonLegitimateInterests, "legitimate_interests", ""},
		{"legal obligation", nil, "essential.legal_obligation", "", "GB", true, ReasonLegalObligation, "legal_obligation", ""},
		{"opt-in without consent (EU)", nil, "marketing.communications.email", "", "DE", false, ReasonNoConsent, "consent", "opt_in"},
		{"opt-in without consent (GB)", nil, "marketing.communications.email", "", "GB", false, ReasonNoConsent, "consent", "opt_in"},
		{"opt-in with consent", []setup{grant("marketing.communications.email", true)}, "marketing.communications.email", "", "FR", true, ReasonConsentGiven, "consent", "opt_in"},
		{"opt-in withdrawn", []setup{grant("marketing.communications.email", true), grant("marketing.communications.email", false)}, "marketing.communications.email", "", "FR", false, ReasonConsentWithdrawn, "consent", "opt_in"},
		{"opt-out regime, no choice (US)", nil, "marketing.communications.email", "", "US-TX", true, ReasonNotOptedOut, "consent", "opt_out"},
		{"opt-out regime, opted out", []setup{grant("marketing.communications.email", false)}, "marketing.communications.email", "", "US", false, ReasonOptedOut, "consent", "opt_out"},
		{"sale opt-out blocks sharing (California)", []setup{grant(ScopeSaleSharing, false)}, "third_party_sharing", "", "US-CA", false, ReasonOptedOut, "consent", ""},
		{"sharing allowed in California until opt-out", nil, "third_party_sharing", "", "US-CA", true, ReasonNotOptedOut, "consent", "opt_out"},
		{"sale opt-out leaves contract uses", []setup{grant(ScopeSaleSharing, false)}, "essential.service", "", "US-CA", true, ReasonContract, "contract", ""},
		{"objection to direct marketing", []setup{grant("marketing.communications.email", true), grant(ScopeDirectMarketing, false)}, "marketing.communications.email", "", "US", false, ReasonOptedOut, "consent", ""},
		{"restricted: no use", []setup{flags(false, true, false)}, "essential.service", "", "DE", false, ReasonRestricted, "contract", ""},
		// GDPR Art. 18(2) names no legal obligation among its grounds
		// (LAW-REVIEW item 13): a restriction stops it too.
		{"restricted: legal obligation too (Art. 18(2))", []setup{flags(false, true, false)}, "essential.legal_obligation", "", "DE", false, ReasonRestricted, "legal_obligation", ""},
		{"erased", []setup{flags(true, false, false)}, "essential.service", "", "DE", false, ReasonErased, "contract", ""},
		{"minor: no marketing even with consent", []setup{grant("marketing.communications.email", true), flags(false, false, true)}, "marketing.communications.email", "", "US", false, ReasonMinor, "consent", ""},
		{"minor: no sharing", []setup{flags(false, false, true)}, "third_party_sharing", "", "US-CA", false, ReasonMinor, "consent", ""},
		{"minor: service still", []setup{flags(false, false, true)}, "essential.service", "", "US-CA", true, ReasonContract, "contract", ""},
		{"undeclared purpose", nil, "train_ai_system", "", "US", false, ReasonUndeclaredPurpose, "", ""},
		{"undeclared category", nil, "essential.service", "user.biometric.retinal", "US", false, ReasonUndeclaredCategory, "contract", ""},
		{"unknown jurisdiction falls to default", nil, "marketing.communications.email", "", "JP", false, ReasonNoConsent, "consent", "opt_in"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := NewEngine(m, 1)
			for _, s := range c.setups {
				s(e)
			}
			d := e.Decide("p", c.purpose, c.category, c.jurisdiction)
			if d.Allowed != c.allowed || d.Reason != c.reason || d.Basis != c.basis || d.Regime != c.regime {
				t.Fatalf("Decide = %+v, want allowed=%v reason=%s basis=%s regime=%s", d, c.allowed, c.reason, c.basis, c.regime)
			}
		})
	}
}

func TestRegime(t *testing.T) {
	t.Parallel()
	r := map[string]string{"EU": "opt_in", "GB": "opt_in", "US": "opt_out", "US-CA": "opt_in", "default": "opt_out"}
	cases := map[string]string{"US-CA": "opt_in", "US-NY": "opt_out", "US": "opt_out", "DE": "opt_in", "FR": "opt_in",
		"GB": "opt_in", "NO": "opt_out", "JP": "opt_out", "": "opt_out"}
	for j, want := range cases {
		if got := Regime(r, j); got != want {
			t.Errorf("Regime(%q) = %s, want %s", j, got, want)
		}
	}
	if got := Regime(map[string]string{"EEA": "opt_in"}, "NO"); got != "opt_in" {
		t.Errorf("EEA member = %s", got)
	}
	if got := Regime(map[string]string{}, "US"); got != "opt_in" {
		t.Errorf("no regimes = %s, want the safe opt_in", got)
	}
}

// TestDecideMatchesReferenceModel: any sequence of grants and withdrawals
// leaves Decide equal to a model that replays the same choices naively.
func TestDecideMatchesReferenceModel(t *testing.T) {
	t.Parallel()
	m := bundled(t)
	scopes := []string{"marketing.communications.email", "third_party_sharing", "marketing.advertising.third_party", ScopeSaleSharing, ScopeDirectMarketing}
	purposes := []string{"marketing.communications.email", "third_party_sharing", "marketing.advertising.third_party", "essential.service"}
	jurisdictions := []string{"US-CA", "US", "DE", "GB", "JP"}
	info := map[string]*policy.Purpose{}
	for i := range m.Purposes {
		info[m.Purposes[i].Key] = &m.Purposes[i]
	}
	model := func(history map[string][]bool, purpose, j string) (bool, string) {
		last := func(scope string) (bool, bool) {
			h := history[scope]
			if len(h) == 0 {
				return false, false
			}
			return h[len(h)-1], true
		}
		p := info[purpose]
		if p.LegalBasis != policy.BasisConsent {
			return true, p.LegalBasis
		}
		saleShare := purpose == "third_party_sharing" || purpose == "marketing.advertising.third_party"
		if g, ok := last(ScopeSaleSharing); saleShare && ok && !g {
			return false, ReasonOptedOut
		}
		if g, ok := last(ScopeDirectMarketing); p.DirectMarketing && ok && !g {
			return false, ReasonOptedOut
		}
		regime := Regime(p.Consent.Regimes, j)
		g, ok := last(purpose)
		switch {
		case ok && g:
			return true, ReasonConsentGiven
		case ok && regime == policy.OptOut:
			return false, ReasonOptedOut
		case ok:
			return false, ReasonConsentWithdrawn
		case regime == policy.OptOut:
			return true, ReasonNotOptedOut
		}
		return false, ReasonNoConsent
	}
	rng := rand.New(rand.NewSource(7))
	for run := 0; run < 300; run++ {
		e := NewEngine(m, 1)
		history := map[string][]bool{}
		for step := 0; step < 1+rng.Intn(12); step++ {
			scope := scopes[rng.Intn(len(scopes))]
			g := rng.Intn(2) == 0
			history[scope] = append(history[scope], g)
			e.mu.Lock()
			e.apply("p", scope, g)
			e.mu.Unlock()
			for _, p := range purposes {
				for _, j := range jurisdictions {
					d := e.Decide("p", p, "", j)
					allowed, reason := model(history, p, j)
					if d.Allowed != allowed || d.Reason != reason {
						t.Fatalf("run %d step %d: %s in %s after %v: got %+v, model says %v %s", run, step, p, j, history, d, allowed, reason)
					}
				}
			}
		}
	}
}

func TestDecideAllocatesNothing(t *testing.T) {
	m := bundled(t)
	e := NewEngine(m, 1)
	e.mu.Lock()
	e.apply("subject-1", "marketing.communications.email", true)
	e.mu.Unlock()
	allocs := testing.AllocsPerRun(1000, func() {
		_ = e.Decide("subject-1", "marketing.communications.email", "user.contact.email", "US-CA")
		_ = e.Decide("nobody", "third_party_sharing", "", "DE")
	})
	if allocs != 0 {
		t.Fatalf("Decide allocates %.1f times per call", allocs)
	}
}

func TestParseGPC(t *testing.T) {
	t.Parallel()
	cases := []struct {
		values []string
		want   bool
	}{
		{[]string{"1"}, true},
		{nil, false},
		{[]string{"0"}, false},
		{[]string{" 1"}, false},
		{[]string{"1 "}, false},
		{[]string{"true"}, false},
		{[]string{"1", "1"}, false},
		{[]string{"01"}, false},
	}
	for _, c := range cases {
		if got := ParseGPC(c.values); got != c.want {
			t.Errorf("ParseGPC(%q) = %v", c.values, got)
		}
	}
}

func TestMergeKeepsWithdrawalsAndMarks(t *testing.T) {
	t.Parallel()
	e := NewEngine(bundled(t), 1)
	const mkt = "marketing.communications.email"
	e.Apply("a", mkt, true)
	e.Apply("b", mkt, false)
	e.SetFlags("b", false, false, true)
	e.Merged("b", "a")
	if d := e.Decide("a", mkt, "", "US"); d.Allowed {
		t.Fatalf("a merge undid a withdrawal or a minor mark: %+v", d)
	}
	if !e.IsMinor("a") || !e.IsMinor("b") {
		t.Fatal("the minor mark did not follow the merge")
	}
}

// TestMinorMarkOutlivesErasure: erasing a minor leaves the minor mark on
// each identity; whoever comes back with one is a minor again, and a
// person Custos holds nothing else of is answered as one.
func TestMinorMarkOutlivesErasure(t *testing.T) {
	t.Parallel()
	const share = "third_party_sharing"
	cases := []struct {
		name  string
		minor bool
	}{{"minor", true}, {"adult", false}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := NewEngine(bundled(t), 1)
			e.Identities("kid", [][]byte{[]byte("b1"), []byte("b2")})
			e.SetFlags("kid", false, false, c.minor)
			e.Erased("kid")
			for _, b := range []string{"b1", "b2"} {
				if got := e.MinorByBlind([]byte(b)); got != c.minor {
					t.Fatalf("MinorByBlind(%s) = %v", b, got)
				}
			}
			if e.MinorByBlind([]byte("other")) {
				t.Fatal("an unknown identity is marked")
			}
			e.Identities("again", [][]byte{[]byte("b2")})
			if e.IsMinor("again") != c.minor {
				t.Fatalf("new subject with a marked identity: minor = %v", e.IsMinor("again"))
			}
			d := e.Decide("again", share, "", "US")
			if d.Allowed == c.minor {
				t.Fatalf("sharing for the new subject: %+v", d)
			}
		})
	}
	e := NewEngine(bundled(t), 1)
	if d := e.DecideAsMinor(share, "", "US"); d.Allowed || d.Reason != ReasonMinor {
		t.Fatalf("DecideAsMinor sharing = %+v", d)
	}
	if d := e.DecideAsMinor("essential.service", "", "US"); !d.Allowed {
		t.Fatalf("DecideAsMinor service = %+v", d)
	}
	if d := e.DecideAsMinor("nope", "", "US"); d.Reason != ReasonUndeclaredPurpose {
		t.Fatalf("DecideAsMinor undeclared = %+v", d)
	}
}
