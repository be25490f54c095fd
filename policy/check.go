package policy

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/custos-privacy/custos/taxonomy"
)

// check finds what the schema cannot: keys unknown to the taxonomy,
// references to undeclared keys, duplicates, and rules that need each other.
func (l *Loader) check(v *validation, m *Manifest) {
	checkHeader(v, m)
	l.checkSubjects(v, m)
	categories := l.checkCategories(v, m)
	unique(v, "sources", len(m.Sources), func(i int) string { return m.Sources[i].Key })
	purposes := l.checkPurposes(v, m)
	checkRecipients(v, m, purposes, categories)
	checkPurposeRules(v, m)
	checkBranding(v, m.Branding)
	checkBanner(v, m)
	checkCookies(v, m, purposes)
	checkRights(v, m, categories)
	checkLaws(v, m)
	l.checkOnBehalf(v, m, categories)
	l.checkErasure(v, m, purposes)
	checkRetention(v, m, categories, purposes)
	checkTranslations(v, m)
}

// checkHeader checks the manifest's dates and organisation settings.
func checkHeader(v *validation, m *Manifest) {
	checkDate(v, []string{"last_updated"}, m.LastUpdated)
	if m.California != nil {
		checkDate(v, []string{"california", "effective"}, m.California.Effective)
	}
	if r := m.Organisation.PhoneRegion; r != "" && phonenumbers.GetCountryCodeForRegion(r) == 0 {
		v.atPath([]string{"organisation", "phone_region"},
			fmt.Sprintf("%q is not a country with a telephone numbering plan: use an ISO 3166-1 alpha-2 code such as US, GB or DE", r))
	}
}

func (l *Loader) checkSubjects(v *validation, m *Manifest) {
	unique(v, "subjects", len(m.Subjects), func(i int) string { return m.Subjects[i].Key })
	for i, s := range m.Subjects {
		l.known(v, l.tax.Subjects, []string{"subjects", strconv.Itoa(i), "key"}, s.Key)
	}
}

// checkCategories checks the categories and that the notice mentions each;
// it returns the declared keys.
func (l *Loader) checkCategories(v *validation, m *Manifest) map[string]bool {
	categories := unique(v, "categories", len(m.Categories), func(i int) string { return m.Categories[i].Key })
	for i, c := range m.Categories {
		l.known(v, l.tax.Categories, []string{"categories", strconv.Itoa(i), "key"}, c.Key)
		if c.SensitiveKind != "" && !c.Sensitive {
			v.atPath([]string{"categories", strconv.Itoa(i), "sensitive_kind"},
				fmt.Sprintf("category %q has a sensitive_kind but is not marked sensitive: true", c.Key))
		}
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
	return categories
}

// checkPurposes checks each purpose's key, consent regimes and uses; it
// returns the declared keys.
func (l *Loader) checkPurposes(v *validation, m *Manifest) map[string]bool {
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
	return purposes
}

func checkRecipients(v *validation, m *Manifest, purposes, categories map[string]bool) {
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
}

// checkPurposeRules checks the rules a purpose may carry for storage,
// restriction and objection.
func checkPurposeRules(v *validation, m *Manifest) {
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
		if p.RestrictionExempt != "" && !slices.Contains(RestrictionGrounds, p.RestrictionExempt) {
			v.atPath(append(at, "restriction_exempt"),
				fmt.Sprintf("purpose %q: restriction_exempt must be one of %s, the grounds of GDPR Art. 18(2) besides storage and consent", p.Key, strings.Join(RestrictionGrounds, ", ")))
		}
		switch {
		case p.CompellingGrounds != "" && p.DirectMarketing:
			// Art. 21(3): an objection to direct marketing is absolute.
			v.atPath(append(at, "compelling_grounds"),
				fmt.Sprintf("purpose %q is direct marketing, where an objection always stops the processing (GDPR Art. 21(3)): remove compelling_grounds", p.Key))
		case p.CompellingGrounds != "" && p.LegalBasis != BasisLegitimateInterests:
			v.atPath(append(at, "compelling_grounds"),
				fmt.Sprintf("purpose %q rests on %s; compelling grounds answer an objection to processing on legitimate interests (GDPR Art. 21(1)): remove compelling_grounds", p.Key, p.LegalBasis))
		case p.CompellingGrounds != "" && strings.TrimSpace(p.CompellingGrounds) == "":
			v.atPath(append(at, "compelling_grounds"), fmt.Sprintf("purpose %q: compelling_grounds must say what the grounds are", p.Key))
		}
		if p.StrictlyNecessary != nil && *p.StrictlyNecessary && p.LegalBasis == BasisConsent {
			v.atPath(append(at, "strictly_necessary"),
				fmt.Sprintf("purpose %q rests on consent, so it cannot run before a choice: it is not strictly necessary", p.Key))
		}
	}
}

func checkBanner(v *validation, m *Manifest) {
	if b := m.Banner; b != nil {
		seen := map[string]bool{}
		for i, j := range b.OptIn {
			if seen[j] {
				v.atPath([]string{"banner", "opt_in", strconv.Itoa(i)}, fmt.Sprintf("jurisdiction %q is listed twice", j))
			}
			seen[j] = true
		}
	}
}

func checkCookies(v *validation, m *Manifest, purposes map[string]bool) {
	byKey := map[string]Purpose{}
	for _, p := range m.Purposes {
		byKey[p.Key] = p
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
}

func checkRights(v *validation, m *Manifest, categories map[string]bool) {
	if sv := m.Rights.StrongerVerification; sv != nil {
		at := []string{"rights", "stronger_verification"}
		for i, c := range sv.Categories {
			declared(v, categories, "category", append(at, "categories", strconv.Itoa(i)), c)
			if c == "user.contact.email" {
				// The mailed code has proven the address already: a
				// second "match" of it would prove nothing more.
				v.atPath(append(at, "categories", strconv.Itoa(i)), "user.contact.email is what the mailed code proves; a data point must be something else the records hold")
			}
		}
		if sv.DataPoints > len(sv.Categories) {
			v.atPath(append(at, "data_points"), fmt.Sprintf("%d data points must match, but only %d categories are listed to give them from", sv.DataPoints, len(sv.Categories)))
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
}

func checkRetention(v *validation, m *Manifest, categories, purposes map[string]bool) {
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

// checkOnBehalf checks the processor side: its reserved categories are
// fideslang keys the company does not also hold as its own (an own event in
// one would be refused), and each controller's agreement covers only
// categories the manifest knows and fideslang uses.
func (l *Loader) checkOnBehalf(v *validation, m *Manifest, own map[string]bool) {
	ob := m.OnBehalf
	if ob == nil {
		return
	}
	at := []string{"processing_on_behalf"}
	reserved := map[string]bool{}
	reserve := func(path []string, key string) {
		l.known(v, l.tax.Categories, path, key)
		switch {
		case own[key]:
			v.atPath(path, fmt.Sprintf("category %q is also one of the company's own categories: a category is either reserved to processing on behalf or the company's own, so that an event's controller can be required", key))
		case reserved[key]:
			v.atPath(path, fmt.Sprintf("category %q is reserved twice", key))
		}
		reserved[key] = true
	}
	for i, c := range ob.Categories {
		reserve(append(slices.Clone(at), "categories", strconv.Itoa(i), "key"), c.Key)
	}
	if ob.LogData != nil {
		for i, c := range ob.LogData.Categories {
			reserve(append(slices.Clone(at), "log_data", "categories", strconv.Itoa(i)), c)
		}
	}
	seen := map[string]bool{}
	for i, c := range ob.Controllers {
		cat := append(slices.Clone(at), "controllers", strconv.Itoa(i))
		if seen[c.Key] {
			v.atPath(append(slices.Clone(cat), "key"), fmt.Sprintf("controller %q is declared twice", c.Key))
		}
		seen[c.Key] = true
		if c.Contact.Email == "" && c.Contact.How == "" {
			v.atPath(append(slices.Clone(cat), "contact"), fmt.Sprintf("controller %q needs a contact: an email Custos can notify, or how to reach them", c.Key))
		}
		checkDate(v, append(slices.Clone(cat), "agreement", "date"), c.Agreement.Date)
		for j, k := range c.Categories {
			path := append(slices.Clone(cat), "categories", strconv.Itoa(j))
			if !reserved[k] && !own[k] {
				v.atPath(path, fmt.Sprintf("category %q is neither reserved to processing on behalf nor declared in this manifest", k))
			}
		}
		for j, k := range c.Purposes {
			l.known(v, l.tax.Uses, append(slices.Clone(cat), "purposes", strconv.Itoa(j)), k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(reserved)) {
		if !slices.ContainsFunc(ob.Controllers, func(c Controller) bool { return slices.Contains(c.Categories, k) }) {
			v.atPath(at, fmt.Sprintf("reserved category %q is covered by no controller's agreement, so no event could be recorded in it", k))
		}
	}
}

// checkErasure validates the erasure rules: a fideslang category (a parent
// such as user.financial covers its subcategories), a declared purpose,
// and for a retained category a known ground and a duration.
func (l *Loader) checkErasure(v *validation, m *Manifest, purposes map[string]bool) {
	if m.Erasure == nil {
		return
	}
	seen := map[string]bool{}
	for i, r := range m.Erasure.Rules {
		at := []string{"erasure", "rules", strconv.Itoa(i)}
		l.known(v, l.tax.Categories, append(at, "category"), r.Category)
		if r.Purpose != "" {
			declared(v, purposes, "purpose", append(at, "purpose"), r.Purpose)
		}
		if k := r.Category + "|" + r.Purpose; seen[k] {
			v.atPath(append(at, "category"), fmt.Sprintf("a rule for %q%s is already given", r.Category, forPurpose(r.Purpose)))
		}
		seen[r.Category+"|"+r.Purpose] = true
		switch r.Action {
		case ActionRetain:
			if _, ok := GroundOf(r.Ground); !ok {
				msg := "a retained category needs a ground"
				if r.Ground != "" {
					msg = fmt.Sprintf("%q is not a ground; one of %s", r.Ground, strings.Join(GroundKeys(), ", "))
				}
				v.atPath(append(at, ground(r)), msg)
			}
			if r.For == "" {
				v.atPath(append(at, "action"), "a retained category needs `for`: how long it is kept (e.g. \"7 years\")")
			} else if _, _, _, err := RetainFor(r.For); err != nil {
				v.atPath(append(at, "for"), err.Error())
			}
			if r.Masking != "" {
				v.atPath(append(at, "masking"), "a retained category is not masked")
			}
		case ActionErase:
			if r.Ground != "" {
				v.atPath(append(at, "ground"), "an erased category has no ground to keep it")
			}
			if r.For != "" {
				v.atPath(append(at, "for"), "an erased category is not kept: `for` is for action: retain")
			}
		}
	}
}

func ground(r ErasureRule) string {
	if r.Ground == "" {
		return "action"
	}
	return "ground"
}

func forPurpose(p string) string {
	if p == "" {
		return ""
	}
	return " for purpose " + strconv.Quote(p)
}
