package consent

import (
	"testing"
	"time"

	"github.com/custos-privacy/custos"
)

// lawCase is one decision under the law of a jurisdiction, with the
// provision it follows in its name.
type lawCase struct {
	name                            string
	choices                         []ScopeChoice
	restricted                      bool
	principal                       string // "p" when empty
	purpose, category, jurisdiction string
	at                              time.Time // zero: 2026-12-01
	allowed                         bool
	reason                          string
}

func runLawCases(t *testing.T, cases []lawCase) {
	t.Helper()
	m := bundled(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := NewEngine(m, 1)
			at := c.at
			if at.IsZero() {
				at = time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
			}
			e.SetClock(&custos.FixedClock{T: at})
			principal := c.principal
			if principal == "" {
				principal = "p"
			}
			for _, ch := range c.choices {
				e.Apply(principal, ch.Scope, ch.Granted)
			}
			if c.restricted {
				e.SetFlags(principal, false, true, false)
			}
			d := e.Decide(principal, c.purpose, c.category, c.jurisdiction)
			if d.Allowed != c.allowed || d.Reason != c.reason {
				t.Fatalf("Decide(%s, %s, %s) = %+v, want allowed=%v reason=%s", c.purpose, c.category, c.jurisdiction, d, c.allowed, c.reason)
			}
		})
	}
}

func refused(scope string) ScopeChoice { return ScopeChoice{Scope: scope, Granted: false} }
func given(scope string) ScopeChoice   { return ScopeChoice{Scope: scope, Granted: true} }

// TestRestrictionArt18_2: GDPR Art. 18(2): "with the exception of storage,
// only be processed with the data subject's consent or for the
// establishment, exercise or defence of legal claims or for the protection
// of the rights of another natural or legal person or for reasons of
// important public interest". A legal obligation or a contract is not a
// ground; the manifest's restriction_exempt names the ones that are.
func TestRestrictionArt18_2(t *testing.T) {
	t.Parallel()
	runLawCases(t, []lawCase{
		{name: "Art. 18(2): legal obligation is not a ground", restricted: true, purpose: "essential.legal_obligation", jurisdiction: "DE", reason: ReasonRestricted},
		{name: "Art. 18(2): contract is not a ground", restricted: true, purpose: "essential.service", jurisdiction: "DE", reason: ReasonRestricted},
		{name: "Art. 18(2): legitimate interests without a ground", restricted: true, purpose: "analytics.reporting", jurisdiction: "DE", reason: ReasonRestricted},
		{name: "Art. 18(2): legal claims (restriction_exempt: legal_claims)", restricted: true, purpose: "essential.fraud_detection", jurisdiction: "DE",
			allowed: true, reason: ReasonLegitimateInterests},
		{name: "Art. 18(2): rights of another person (restriction_exempt: rights_of_others)", restricted: true, purpose: "operations", jurisdiction: "FR",
			allowed: true, reason: ReasonLegitimateInterests},
		{name: "Art. 18(2): consent given before the restriction does not lift it", restricted: true,
			choices: []ScopeChoice{given("marketing.communications.email")}, purpose: "marketing.communications.email", jurisdiction: "DE", reason: ReasonRestricted},
		{name: "Art. 18(2): not restricted, legal obligation runs", purpose: "essential.legal_obligation", jurisdiction: "DE", allowed: true, reason: ReasonLegalObligation},
	})
}

// TestObjectionArt21: GDPR Art. 21(1): after an objection to processing on
// legitimate interests "the controller shall no longer process the
// personal data unless the controller demonstrates compelling legitimate
// grounds"; Art. 21(3): direct marketing stops, always.
func TestObjectionArt21(t *testing.T) {
	t.Parallel()
	obj := []ScopeChoice{refused(ScopeObjection)}
	runLawCases(t, []lawCase{
		{name: "Art. 21(1): analytics stops", choices: obj, purpose: "analytics.reporting", jurisdiction: "DE", reason: ReasonObjected},
		{name: "Art. 21(1): improving the service stops", choices: obj, purpose: "functional.service.improve", jurisdiction: "GB", reason: ReasonObjected},
		{name: "Art. 21(1): compelling grounds recorded (fraud prevention)", choices: obj, purpose: "essential.fraud_detection", jurisdiction: "DE",
			allowed: true, reason: ReasonLegitimateInterests},
		{name: "Art. 21(1)/(3): direct marketing on legitimate interests stops", choices: obj, purpose: "marketing.communications", jurisdiction: "DE", reason: ReasonObjected},
		{name: "Art. 21(1): contract purposes are not objected to", choices: obj, purpose: "essential.service", jurisdiction: "DE", allowed: true, reason: ReasonContract},
		{name: "Art. 21(1): consent purposes are withdrawn, not objected to", choices: []ScopeChoice{given("marketing.advertising.third_party"), refused(ScopeObjection)},
			purpose: "marketing.advertising.third_party", jurisdiction: "DE", allowed: true, reason: ReasonConsentGiven},
		{name: "Art. 21(1): an objection withdrawn", choices: []ScopeChoice{refused(ScopeObjection), given(ScopeObjection)}, purpose: "analytics.reporting", jurisdiction: "DE",
			allowed: true, reason: ReasonLegitimateInterests},
		{name: "Art. 21(3): a direct-marketing objection leaves analytics", choices: []ScopeChoice{refused(ScopeDirectMarketing)}, purpose: "analytics.reporting", jurisdiction: "DE",
			allowed: true, reason: ReasonLegitimateInterests},
		{name: "Art. 21(3): direct marketing objection is absolute", choices: []ScopeChoice{refused(ScopeDirectMarketing)}, purpose: "marketing.communications", jurisdiction: "DE",
			reason: ReasonOptedOut},
	})
}

// TestBannerRefusalHonoured: a device that refused storage for a purpose
// on legitimate interests (Directive 2002/58/EC Art. 5(3)) is not used for
// it; other devices, and other purposes, are not affected.
func TestBannerRefusalHonoured(t *testing.T) {
	t.Parallel()
	runLawCases(t, []lawCase{
		{name: "ePrivacy Art. 5(3): refused device", principal: "device:abcdefgh", choices: []ScopeChoice{refused("analytics.reporting")},
			purpose: "analytics.reporting", jurisdiction: "DE", reason: ReasonStorageRefused},
		{name: "ePrivacy Art. 5(3): another device", principal: "device:ijklmnop", purpose: "analytics.reporting", jurisdiction: "DE",
			allowed: true, reason: ReasonLegitimateInterests},
		{name: "ePrivacy Art. 5(3): accepted device", principal: "device:abcdefgh", choices: []ScopeChoice{given("analytics.reporting")},
			purpose: "analytics.reporting", jurisdiction: "DE", allowed: true, reason: ReasonLegitimateInterests},
		{name: "ePrivacy Art. 5(3): other purposes of the refused device", principal: "device:abcdefgh", choices: []ScopeChoice{refused("analytics.reporting")},
			purpose: "essential.service", jurisdiction: "DE", allowed: true, reason: ReasonContract},
	})
}

// TestSensitiveByLaw: a category the manifest marks sensitive (the bundled
// user.location.precise) follows the sensitive-data model of the law of
// the jurisdiction, from the law table (jurisdiction.SensitiveAt).
func TestSensitiveByLaw(t *testing.T) {
	t.Parallel()
	const geo = "user.location.precise"
	consent := []ScopeChoice{given(ScopeSensitive)}
	limit := []ScopeChoice{refused(ScopeSensitive)}
	runLawCases(t, []lawCase{
		// Opt-in.
		{name: "Va. Code §59.1-578(A)(5) opt-in: no consent", purpose: "essential.service", category: geo, jurisdiction: "US-VA", reason: ReasonSensitiveNoConsent},
		{name: "Va. Code §59.1-578(A)(5) opt-in: consent", choices: consent, purpose: "essential.service", category: geo, jurisdiction: "US-VA", allowed: true, reason: ReasonContract},
		{name: "Va. Code §59.1-578(A)(5) opt-in: consent withdrawn", choices: []ScopeChoice{given(ScopeSensitive), refused(ScopeSensitive)},
			purpose: "essential.service", category: geo, jurisdiction: "US-VA", reason: ReasonSensitiveNoConsent},
		{name: "Tex. Bus. & Com. Code §541.101(b)(4) opt-in", purpose: "analytics.reporting", category: geo, jurisdiction: "US-TX", reason: ReasonSensitiveNoConsent},
		// Precise location is not a special category of GDPR Art. 9(1):
		// the purpose's own basis decides.
		{name: "GDPR Art. 9(1): precise location is not a special category", purpose: "analytics.reporting", category: geo, jurisdiction: "DE", allowed: true, reason: ReasonLegitimateInterests},
		{name: "UK GDPR Art. 9(1): nor in the UK", purpose: "essential.service", category: geo, jurisdiction: "GB", allowed: true, reason: ReasonContract},
		{name: "UK GDPR Art. 9(1): a password is not either", purpose: "essential.service", category: "user.authorization.password", jurisdiction: "GB", allowed: true, reason: ReasonContract},
		{name: "Va. Code §59.1-575: credentials are not sensitive data", purpose: "essential.service", category: "user.authorization.password", jurisdiction: "US-VA", allowed: true, reason: ReasonContract},
		{name: "both consents needed: the purpose's and the sensitive data's", choices: []ScopeChoice{given("marketing.communications.email")},
			purpose: "marketing.communications.email", category: geo, jurisdiction: "US-VA", reason: ReasonSensitiveNoConsent},
		{name: "Conn. Gen. Stat. §42-520(a)(4), P.A. 25-113: no sale without consent", choices: []ScopeChoice{given("third_party_sharing")},
			purpose: "third_party_sharing", category: geo, jurisdiction: "US-CT", reason: ReasonSensitiveNoConsent},
		{name: "Conn. Gen. Stat. §42-520(a)(4), P.A. 25-113: sale with consent", choices: []ScopeChoice{given("third_party_sharing"), given(ScopeSensitive)},
			purpose: "third_party_sharing", category: geo, jurisdiction: "US-CT", allowed: true, reason: ReasonConsentGiven},
		{name: "Ind. Code 24-15-4-1: not in force before 2026-01-01", purpose: "essential.service", category: geo, jurisdiction: "US-IN",
			at: time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC), allowed: true, reason: ReasonContract},
		{name: "Ind. Code 24-15-4-1: in force from 2026-01-01", purpose: "essential.service", category: geo, jurisdiction: "US-IN", reason: ReasonSensitiveNoConsent},
		{name: "PIPEDA: precise location read as not sensitive (UNSURE: PIPEDA's sensitivity is contextual)", purpose: "essential.service", category: geo, jurisdiction: "CA", allowed: true, reason: ReasonContract},
		{name: "unknown place: opt-in, the safe reading", purpose: "essential.service", category: geo, jurisdiction: "", reason: ReasonSensitiveNoConsent},
		{name: "no state law (US): the policy's rules", purpose: "essential.service", category: geo, jurisdiction: "US", allowed: true, reason: ReasonContract},
		{name: "no law Custos knows (JP): the policy's rules", purpose: "essential.service", category: geo, jurisdiction: "JP", allowed: true, reason: ReasonContract},
		{name: "a category not sensitive is not affected", purpose: "essential.service", category: "user.contact.email", jurisdiction: "US-VA", allowed: true, reason: ReasonContract},
		// Opt-out and California's right to limit.
		{name: "Cal. Civ. Code §1798.121: allowed until limited", purpose: "analytics.reporting", category: geo, jurisdiction: "US-CA", allowed: true, reason: ReasonLegitimateInterests},
		{name: "Cal. Civ. Code §1798.121(b): analytics (internal research) stops after a limit", choices: limit, purpose: "analytics.reporting", category: geo, jurisdiction: "US-CA", reason: ReasonSensitiveLimited},
		{name: "11 CCR §7027(m)(1): the service expected goes on", choices: limit, purpose: "essential.service", category: geo, jurisdiction: "US-CA", allowed: true, reason: ReasonContract},
		{name: "11 CCR §7027(m)(2)-(3): fraud prevention goes on", choices: limit, purpose: "essential.fraud_detection", category: geo, jurisdiction: "US-CA", allowed: true, reason: ReasonLegitimateInterests},
		{name: "§1798.140(e)(3) debugging is not a §1798.121(a) purpose", choices: limit, purpose: "functional.service.improve", category: geo, jurisdiction: "US-CA", reason: ReasonSensitiveLimited},
		{name: "§1798.140(e)(6) advertising is not a §1798.121(a) purpose", choices: limit, purpose: "marketing.advertising.third_party", category: geo, jurisdiction: "US-CA", reason: ReasonSensitiveLimited},
		{name: "Cal. Civ. Code §1798.121: a limit leaves other categories", choices: limit, purpose: "analytics.reporting", category: "user.contact.email", jurisdiction: "US-CA", allowed: true, reason: ReasonLegitimateInterests},
		{name: "Utah Code §13-61-302(3): opt-out", purpose: "analytics.reporting", category: geo, jurisdiction: "US-UT", allowed: true, reason: ReasonLegitimateInterests},
		{name: "Utah Code §13-61-302(3): opted out", choices: limit, purpose: "analytics.reporting", category: geo, jurisdiction: "US-UT", reason: ReasonSensitiveLimited},
		{name: "Iowa Code §715D.4(2): opted out", choices: limit, purpose: "analytics.reporting", category: geo, jurisdiction: "US-IA", reason: ReasonSensitiveLimited},
		// Strictly necessary only, and never sold.
		{name: "Md. Code, Com. Law §14-4607(a)(1): strictly necessary, no consent needed", purpose: "essential.service", category: geo, jurisdiction: "US-MD", allowed: true, reason: ReasonContract},
		{name: "Md. Code, Com. Law §14-4607(a)(1): not necessary, consent does not help", choices: consent, purpose: "analytics.reporting", category: geo, jurisdiction: "US-MD", reason: ReasonSensitiveNotNecessary},
		{name: "Md. Code, Com. Law §14-4607(a)(2): never sold", choices: []ScopeChoice{given("third_party_sharing"), given(ScopeSensitive)},
			purpose: "third_party_sharing", category: geo, jurisdiction: "US-MD", reason: ReasonSensitiveSale},
	})
}

// TestSensitiveDecideAllocatesNothing: the engine's promise (bench/decide)
// holds for decisions on sensitive categories too. (Not parallel:
// AllocsPerRun forbids it.)
func TestSensitiveDecideAllocatesNothing(t *testing.T) {
	e := NewEngine(bundled(t), 1)
	e.SetClock(&custos.FixedClock{T: time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)})
	e.Apply("p", ScopeSensitive, false)
	places := []string{"US-CA", "US-VA", "US-MD", "DE", "GB", "US", "JP", ""}
	i := 0
	if n := testing.AllocsPerRun(200, func() {
		_ = e.Decide("p", "analytics.reporting", "user.location.precise", places[i%len(places)])
		i++
	}); n != 0 {
		t.Fatalf("Decide allocates %.2f times a decision", n)
	}
}

// TestConsentAfterRestriction: GDPR Art. 18(2), "with the data subject's
// consent": a grant recorded after the restriction began counts, one
// recorded at or before it does not, and a later merge keeps the later
// restriction.
func TestConsentAfterRestriction(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
	e := NewEngine(bundled(t), 1)
	e.SetClock(&custos.FixedClock{T: t0})
	e.SetFlags("p", false, true, false)
	e.mu.Lock()
	e.applyAt("p", "marketing.communications.email", true, t0)                     // same instant: not after
	e.applyAt("p", "marketing.advertising.third_party", true, t0.Add(time.Second)) // after
	e.mu.Unlock()
	if d := e.Decide("p", "marketing.communications.email", "", "DE"); d.Reason != ReasonRestricted {
		t.Fatalf("consent at the restriction's instant: %+v", d)
	}
	if d := e.Decide("p", "marketing.advertising.third_party", "", "DE"); !d.Allowed || d.Reason != ReasonConsentGiven {
		t.Fatalf("consent after the restriction: %+v", d)
	}
	// Merged into a subject restricted later: the consent predates that.
	e.SetClock(&custos.FixedClock{T: t0.Add(time.Minute)})
	e.SetFlags("q", false, true, false)
	e.Merged("p", "q")
	if d := e.Decide("q", "marketing.advertising.third_party", "", "DE"); d.Reason != ReasonRestricted {
		t.Fatalf("after merging into a later restriction: %+v", d)
	}
}

// TestSensitivityByLaw: each law's own definition of sensitive data
// decides whether its rule applies (GDPR Art. 9(1); Va. Code §59.1-575;
// Cal. Civ. Code §1798.140(ae)).
func TestSensitivityByLaw(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key   string
		where string
		want  bool
	}{
		{"user.health_and_medical", "DE", true},
		{"user.demographic.religious_belief", "GB", true},
		{"user.health_and_medical", "US-VA", true},
		{"user.location.precise", "DE", false},
		{"user.location.precise", "US-VA", true},
		{"user.authorization.password", "US-VA", false},
		{"user.authorization.password", "US-CA", true},
		{"user.authorization.password", "GB", false},
		{"user.authorization.password", "", true},
	}
	for _, c := range cases {
		if got := sensitivityOf(c.key, true).coveredIn(c.where); got != c.want {
			t.Errorf("%s in %q: covered = %v, want %v", c.key, c.where, got, c.want)
		}
	}
	if sensitivityOf("user.health_and_medical", false).coveredIn("DE") {
		t.Error("a category the manifest does not mark sensitive is covered")
	}
}
