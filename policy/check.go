package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/custos-privacy/custos/taxonomy"
)

// check finds what the schema cannot: keys unknown to the taxonomy,
// references to undeclared keys, duplicates, and rules that need each other.
func (l *Loader) check(v *validation, m *Manifest) {
	checkDate(v, []string{"last_updated"}, m.LastUpdated)
	if m.California != nil {
		checkDate(v, []string{"california", "effective"}, m.California.Effective)
	}
	if r := m.Organisation.PhoneRegion; r != "" && phonenumbers.GetCountryCodeForRegion(r) == 0 {
		v.atPath([]string{"organisation", "phone_region"},
			fmt.Sprintf("%q is not a country with a telephone numbering plan: use an ISO 3166-1 alpha-2 code such as US, GB or DE", r))
	}

	subjects := unique(v, "subjects", len(m.Subjects), func(i int) string { return m.Subjects[i].Key })
	for i, s := range m.Subjects {
		l.known(v, l.tax.Subjects, []string{"subjects", strconv.Itoa(i), "key"}, s.Key)
	}
	_ = subjects

	categories := unique(v, "categories", len(m.Categories), func(i int) string { return m.Categories[i].Key })
	for i, c := range m.Categories {
		l.known(v, l.tax.Categories, []string{"categories", strconv.Itoa(i), "key"}, c.Key)
	}
	covered := map[string]bool{}
	for i, it := range m.InformationTypes {
		for j, c := range it.Categories {
			covered[c] = true
			declared(v, categories, "category", []string{"information_types", strconv.Itoa(i), "categories", strconv.Itoa(j)}, c)
		}
	}
	for i, c := range m.Categories {
		if !covered[c.Key] {
			v.atPath([]string{"categories", strconv.Itoa(i), "key"},
				fmt.Sprintf("category %q is not listed under any information_types entry, so the notice would not mention it", c.Key))
		}
	}

	unique(v, "sources", len(m.Sources), func(i int) string { return m.Sources[i].Key })

	purposes := unique(v, "purposes", len(m.Purposes), func(i int) string { return m.Purposes[i].Key })
	for i, p := range m.Purposes {
		at := []string{"purposes", strconv.Itoa(i)}
		l.known(v, l.tax.Uses, append(at, "key"), p.Key)
		switch {
		case p.LegalBasis == BasisConsent && (p.Consent == nil || len(p.Consent.Regimes) == 0):
			v.atPath(append(at, "legal_basis"),
				fmt.Sprintf("purpose %q rests on consent but has no consent regimes: add consent.regimes with opt_in or opt_out per jurisdiction", p.Key))
		case p.LegalBasis != BasisConsent && p.Consent != nil:
			v.atPath(append(at, "consent"),
				fmt.Sprintf("purpose %q rests on %s, so a consent regime does not apply: remove it or make the legal basis consent", p.Key, p.LegalBasis))
		}
		if len(p.Uses) == 0 {
			v.atPath(append(at, "uses"), fmt.Sprintf("purpose %q needs at least one use for the notice to list", p.Key))
		}
	}

	unique(v, "recipients", len(m.Recipients), func(i int) string { return m.Recipients[i].Key })
	for i, r := range m.Recipients {
		at := []string{"recipients", strconv.Itoa(i)}
		for j, p := range r.Purposes {
			declared(v, purposes, "purpose", append(at, "purposes", strconv.Itoa(j)), p)
		}
		for j, c := range r.Categories {
			declared(v, categories, "category", append(at, "categories", strconv.Itoa(j)), c)
		}
		if r.Kind == KindServiceProvider && r.SaleOrShare {
			v.atPath(append(at, "sale_or_share"),
				fmt.Sprintf("recipient %q is a service provider, which by definition receives data without a sale or sharing; use another kind or set sale_or_share: false", r.Key))
		}
	}

	byKey := map[string]Purpose{}
	for _, p := range m.Purposes {
		byKey[p.Key] = p
	}
	for i, p := range m.Purposes {
		at := []string{"purposes", strconv.Itoa(i)}
		switch {
		case p.UKStatistics && p.IsStrictlyNecessary():
			v.atPath(append(at, "uk_statistics_exemption"),
				fmt.Sprintf("purpose %q is strictly necessary, so it needs no exemption: remove uk_statistics_exemption", p.Key))
		case p.UKStatistics && !strings.HasPrefix(p.Key+".", "analytics."):
			// PECR Sch. A1 para. 5 covers statistics about how the service
			// is used, with a view to improving it: analytics, nothing else.
			v.atPath(append(at, "uk_statistics_exemption"),
				fmt.Sprintf("purpose %q is not an analytics.* use: the UK statistics exemption covers only counting how the service is used to improve it", p.Key))
		case p.UKStatistics && salePurposeKey(m, p.Key):
			v.atPath(append(at, "uk_statistics_exemption"),
				fmt.Sprintf("purpose %q sells or shares personal information, which is more than statistics: it needs consent", p.Key))
		}
		if p.StrictlyNecessary != nil && *p.StrictlyNecessary && p.LegalBasis == BasisConsent {
			v.atPath(append(at, "strictly_necessary"),
				fmt.Sprintf("purpose %q rests on consent, so it cannot run before a choice: it is not strictly necessary", p.Key))
		}
	}
	checkBranding(v, m.Branding)
	if b := m.Banner; b != nil {
		seen := map[string]bool{}
		for i, j := range b.OptIn {
			if seen[j] {
				v.atPath([]string{"banner", "opt_in", strconv.Itoa(i)}, fmt.Sprintf("jurisdiction %q is listed twice", j))
			}
			seen[j] = true
		}
	}

	for i, c := range m.Cookies {
		declared(v, purposes, "purpose", []string{"cookies", strconv.Itoa(i), "purpose"}, c.Purpose)
		if p, ok := byKey[c.Purpose]; ok && c.StrictlyNecessary != nil && *c.StrictlyNecessary != p.IsStrictlyNecessary() {
			word := "not "
			if p.IsStrictlyNecessary() {
				word = ""
			}
			v.atPath([]string{"cookies", strconv.Itoa(i), "strictly_necessary"},
				fmt.Sprintf("cookie %q says strictly_necessary: %t, but its purpose %q is %sstrictly necessary; the banner decides by purpose, so give the cookie a purpose that matches", c.Name, *c.StrictlyNecessary, c.Purpose, word))
		}
		if c.Duration == "session" && c.Lifetime != "" {
			v.atPath([]string{"cookies", strconv.Itoa(i), "lifetime"}, "a session cookie has no lifetime: it ends with the browser session")
		}
	}

	for i, r := range m.Rights.Jurisdictions {
		at := []string{"rights", "jurisdictions", strconv.Itoa(i)}
		offered := map[string]bool{}
		for _, q := range r.Requests {
			offered[q] = true
		}
		for j, lim := range r.Limits {
			for k, q := range lim.Requests {
				if !offered[q] {
					v.atPath(append(at, "limits", strconv.Itoa(j), "requests", strconv.Itoa(k)),
						fmt.Sprintf("limit on %q, which these jurisdictions' requests do not include", q))
				}
			}
		}
	}

	checkLaws(v, m)

	for i, r := range m.Retention.Rules {
		at := []string{"retention", "rules", strconv.Itoa(i)}
		declared(v, categories, "category", append(at, "category"), r.Category)
		if r.Purpose != "" {
			declared(v, purposes, "purpose", append(at, "purpose"), r.Purpose)
		}
	}
}

func checkDate(v *validation, path []string, s string) {
	if _, err := time.Parse("2006-01-02", s); err != nil {
		v.atPath(path, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s))
	}
}

// unique reports duplicate keys in a list and returns the set of keys.
func unique(v *validation, list string, n int, key func(int) string) map[string]bool {
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		k := key(i)
		if seen[k] {
			v.atPath([]string{list, strconv.Itoa(i), "key"}, fmt.Sprintf("%q is declared twice", k))
		}
		seen[k] = true
	}
	return seen
}

func declared(v *validation, set map[string]bool, what string, path []string, key string) {
	if !set[key] {
		v.atPath(path, fmt.Sprintf("%s %q is not declared in this manifest", what, key))
	}
}

// known checks a key against a fideslang vocabulary, suggesting near misses.
func (l *Loader) known(v *validation, voc *taxonomy.Vocabulary, path []string, key string) {
	if voc.Has(key) {
		return
	}
	msg := fmt.Sprintf("%q is not a fideslang %s", key, voc.Name)
	if s := voc.Suggest(key); len(s) > 0 {
		msg += " (did you mean " + strings.Join(quoteAll(s), ", ") + "?)"
	}
	v.atPath(path, msg)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// salePurposeKey: a recipient that buys or is shared the data is declared
// for the purpose, or the purpose is third-party sharing or advertising
// (as the decision engine reads it).
func salePurposeKey(m *Manifest, key string) bool {
	for _, r := range m.Recipients {
		if r.SaleOrShare {
			for _, p := range r.Purposes {
				if p == key {
					return true
				}
			}
		}
	}
	for _, prefix := range []string{"third_party_sharing", "marketing.advertising.third_party"} {
		if key == prefix || strings.HasPrefix(key, prefix+".") {
			return true
		}
	}
	return false
}
