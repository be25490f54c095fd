package jurisdiction

import "time"

// What a law says of selling sensitive data (SensitiveRules.Sale), beyond
// its Consent model.
const (
	// SaleConsent: sensitive data is sold only with the person's consent,
	// from SaleFrom (Connecticut from 1 July 2026).
	SaleConsent = "consent"
	// SaleNever: sensitive data is never sold, consent or not (Maryland).
	SaleNever = "never"
)

// SensitiveAt returns the rule on sensitive data of the law that governs
// jurisdiction at t, and false when no law in force there has one (a US
// state without a comprehensive law, a country Custos has no law for, a
// law not yet in force at t). Decisions call it for every use of a
// sensitive category, so it allocates nothing for a jurisdiction already
// in canonical form ("US-CA", "DE").
func SensitiveAt(jurisdiction string, t time.Time) (SensitiveRules, bool) {
	key := jurisdictionKey(jurisdiction)
	for i := range laws {
		l := &laws[i]
		if l.Code == key && l.Sensitive != nil && !t.Before(l.Effective) {
			return *l.Sensitive, true
		}
	}
	return SensitiveRules{}, false
}

// SaleNeedsConsent reports whether, at t, the rule requires the person's
// consent to sell sensitive data (beyond what Consent says of processing).
func (s SensitiveRules) SaleNeedsConsent(t time.Time) bool {
	return s.Sale == SaleConsent && !t.Before(s.SaleFrom)
}
