package decide

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/policy"
)

const (
	subjects  = 10_000
	questions = 1 << 14 // a power of two: the benchmarks index with a mask
	seed      = 20260501
)

// jurisdictions asked about: California (sensitive data until limited),
// a state without a comprehensive law, two GDPR countries, a country
// Custos has no law for, Virginia (sensitive data only with consent) and
// Maryland (sensitive data only where strictly necessary, never sold).
var jurisdictions = []string{"US-CA", "US", "DE", "GB", "JP", "US-VA", "US-MD"}

// subject is what the ledger and the records say of one person, replayed:
// the latest choice per scope (1 granted, -1 withdrawn) and the flags.
type subject struct {
	id                        string
	ledger                    []entry // choices in ledger order
	choices                   map[string]int8
	erased, restricted, minor bool
}

type entry struct {
	scope   string
	granted bool
}

type question struct {
	principal, purpose, category, jurisdiction string
}

// purpose is one row of the compiled purpose table, as consent's compile
// derives it from the manifest; OPA and Cedar read it as data.
type purpose struct {
	key                                   string
	basis                                 string
	regimes                               map[string]string
	saleShare, directMarketing, marketing bool
	// restrictionExempt: goes on while processing is restricted (GDPR
	// Art. 18(2)); compelling: overrides an Art. 21(1) objection;
	// necessary: strictly necessary (Maryland); limitExempt: left by a
	// limit on sensitive data (Cal. Civ. Code §1798.121(a)).
	restrictionExempt, compelling, necessary, limitExempt bool
}

// sensitiveLaw is one jurisdiction's rule on sensitive data at the time
// of the run, from the jurisdiction table, as data for OPA and Cedar.
type sensitiveLaw struct {
	known            bool   // a law in force there has a rule
	model            string // opt_in, opt_out or strictly_necessary
	saleNever        bool
	saleNeedsConsent bool
}

func sensitiveLaws(now time.Time) map[string]sensitiveLaw {
	out := map[string]sensitiveLaw{}
	for _, j := range jurisdictions {
		r, ok := jurisdiction.SensitiveAt(j, now)
		out[j] = sensitiveLaw{known: ok, model: r.Consent, saleNever: r.Sale == jurisdiction.SaleNever, saleNeedsConsent: r.SaleNeedsConsent(now)}
	}
	return out
}

// categoryKind mirrors consent's sensitivityOfCategory: which laws'
// definition of sensitive data a category marked sensitive falls under.
func categoryKind(c policy.Category) string {
	if !c.Sensitive {
		return ""
	}
	switch c.SensitiveKind {
	case policy.SensitiveSpecial:
		return "special"
	case policy.SensitivePrecise:
		return "precise"
	case policy.SensitiveCalifornia:
		return "california"
	}
	key := c.Key
	for _, p := range []string{"user.health_and_medical", "user.biometric", "user.genetic", "user.demographic.race_ethnicity",
		"user.demographic.religious_belief", "user.demographic.sexual_orientation", "user.demographic.political_opinion", "user.criminal_history"} {
		if hasPrefix(key, p) {
			return "special"
		}
	}
	if hasPrefix(key, "user.location.precise") {
		return "precise"
	}
	return "california"
}

// limitLeaves mirrors consent's limitPurpose: the business purposes a
// limit on sensitive personal information leaves.
var limitLeaves = map[string]bool{"performing_services": true, "security": true, "short_term_transient_use": true, "quality_and_safety": true}

func limitExempt(p policy.Purpose) bool {
	if !limitLeaves[p.BusinessPurpose] {
		return false
	}
	for _, b := range p.AdditionalBusinessPurposes {
		if !limitLeaves[b] {
			return false
		}
	}
	return true
}

type fixture struct {
	manifest   *policy.Manifest
	purposes   []purpose
	categories []string
	kinds      map[string]string // category → categoryKind
	laws       map[string]sensitiveLaw
	subjects   []subject
	questions  []question
}

func hasPrefix(key, prefix string) bool {
	return key == prefix || strings.HasPrefix(key, prefix+".")
}

// purposeTable mirrors consent's compile. TestSameAnswers would catch a drift.
func purposeTable(m *policy.Manifest) []purpose {
	sale := map[string]bool{}
	for _, r := range m.Recipients {
		if r.SaleOrShare {
			for _, p := range r.Purposes {
				sale[p] = true
			}
		}
	}
	var out []purpose
	for _, p := range m.Purposes {
		x := purpose{key: p.Key, basis: p.LegalBasis, regimes: map[string]string{}, directMarketing: p.DirectMarketing}
		x.saleShare = sale[p.Key] || hasPrefix(p.Key, "third_party_sharing") || hasPrefix(p.Key, "marketing.advertising.third_party")
		x.marketing = hasPrefix(p.Key, "marketing") || p.DirectMarketing || x.saleShare
		x.restrictionExempt = hasPrefix(p.Key, "functional.storage") || p.RestrictionExempt != ""
		x.compelling = p.LegalBasis == policy.BasisLegitimateInterests && strings.TrimSpace(p.CompellingGrounds) != ""
		x.necessary = p.IsStrictlyNecessary()
		x.limitExempt = !x.marketing && limitExempt(p)
		if p.Consent != nil {
			for j, r := range p.Consent.Regimes {
				x.regimes[j] = r
			}
		}
		out = append(out, x)
	}
	return out
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	l, err := policy.NewLoader()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := l.Parse(policy.BundledName, policy.Bundled())
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{manifest: p.Manifest, purposes: purposeTable(p.Manifest), kinds: map[string]string{}, laws: sensitiveLaws(time.Now())}
	for _, c := range p.Manifest.Categories {
		f.categories = append(f.categories, c.Key)
		f.kinds[c.Key] = categoryKind(c)
	}
	var consentPurposes, otherPurposes, allPurposes []string
	for _, p := range f.purposes {
		allPurposes = append(allPurposes, p.key)
		if p.basis == policy.BasisConsent {
			consentPurposes = append(consentPurposes, p.key)
		} else {
			otherPurposes = append(otherPurposes, p.key)
		}
	}
	sort.Strings(consentPurposes)
	r := rand.New(rand.NewPCG(seed, seed))
	f.subjects = make([]subject, subjects)
	for i := range f.subjects {
		s := &f.subjects[i]
		s.id = fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64()) // 32 hex digits, like subject ids
		// Grants, some later withdrawn; withdrawals never preceded by a grant.
		for _, p := range consentPurposes {
			switch x := r.IntN(100); {
			case x < 30:
				s.ledger = append(s.ledger, entry{p, true})
				if r.IntN(4) == 0 {
					s.ledger = append(s.ledger, entry{p, false})
				}
			case x < 40:
				s.ledger = append(s.ledger, entry{p, false})
			}
		}
		if r.IntN(100) < 12 {
			s.ledger = append(s.ledger, entry{consent.ScopeSaleSharing, false})
		}
		if r.IntN(100) < 3 { // opted out, then back in
			s.ledger = append(s.ledger, entry{consent.ScopeSaleSharing, false}, entry{consent.ScopeSaleSharing, true})
		}
		if r.IntN(100) < 8 {
			s.ledger = append(s.ledger, entry{consent.ScopeDirectMarketing, false})
		}
		if r.IntN(100) < 6 { // an Art. 21(1) objection
			s.ledger = append(s.ledger, entry{consent.ScopeObjection, false})
		}
		if r.IntN(100) < 3 { // storage refused in the banner for a purpose not on consent
			s.ledger = append(s.ledger, entry{otherPurposes[r.IntN(len(otherPurposes))], false})
		}
		switch x := r.IntN(100); { // consent to, or a limit on, sensitive data
		case x < 20:
			s.ledger = append(s.ledger, entry{consent.ScopeSensitive, true})
		case x < 35:
			s.ledger = append(s.ledger, entry{consent.ScopeSensitive, false})
		}
		s.restricted = r.IntN(100) < 3
		s.minor = r.IntN(100) < 4
		s.erased = r.IntN(100) < 2
		s.choices = map[string]int8{}
		for _, e := range s.ledger {
			if e.granted {
				s.choices[e.scope] = 1
			} else {
				s.choices[e.scope] = -1
			}
		}
	}
	var sensitive []string
	for _, c := range f.categories {
		if f.kinds[c] != "" {
			sensitive = append(sensitive, c)
		}
	}
	if len(sensitive) == 0 {
		tb.Fatal("the bundled policy marks no category sensitive")
	}
	f.questions = make([]question, questions)
	for i := range f.questions {
		q := &f.questions[i]
		q.principal = f.subjects[r.IntN(subjects)].id
		switch x := r.IntN(100); {
		case x == 0:
			q.purpose = "train_ai_system" // undeclared
		case x < 40: // consent purposes are the interesting ones
			q.purpose = consentPurposes[r.IntN(len(consentPurposes))]
		default:
			q.purpose = allPurposes[r.IntN(len(allPurposes))]
		}
		switch x := r.IntN(100); {
		case x == 0:
			q.category = "user.biometric.retinal" // undeclared
		case x < 10: // a sensitive category, where one is declared
			q.category = sensitive[r.IntN(len(sensitive))]
		case x < 50:
			q.category = f.categories[r.IntN(len(f.categories))]
		}
		q.jurisdiction = jurisdictions[r.IntN(len(jurisdictions))]
	}
	return f
}

// custosEngine builds the engine from the same ledger and flags.
func (f *fixture) custosEngine() *consent.Engine {
	e := consent.NewEngine(f.manifest, 1)
	for _, s := range f.subjects {
		for _, c := range s.ledger {
			e.Apply(s.id, c.scope, c.granted)
		}
		if s.erased || s.restricted || s.minor {
			e.SetFlags(s.id, s.erased, s.restricted, s.minor)
		}
	}
	return e
}
