package policy

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/taxonomy"
)

// bundledPolicy parses the bundled manifest, failing the test if it does not
// validate.
func bundledPolicy(t *testing.T) *Policy {
	t.Helper()
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Parse(BundledName, Bundled())
	if err != nil {
		t.Fatalf("the bundled manifest does not validate:\n%v", err)
	}
	return p
}

func TestBundledValidates(t *testing.T) {
	t.Parallel()
	p := bundledPolicy(t)
	if p.Digest == "" || !bytes.Equal(p.Source, Bundled()) {
		t.Error("the parsed policy does not carry the bundled source and its digest")
	}
}

func TestBundledIsACopy(t *testing.T) {
	t.Parallel()
	a := Bundled()
	a[0] ^= 0xff
	if b := Bundled(); b[0] == a[0] {
		t.Error("changing what Bundled returned changed the bundled manifest")
	}
}

func TestBundledHasKeys(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	keys := func(n int, key func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = key(i)
		}
		return out
	}
	categories := keys(len(m.Categories), func(i int) string { return m.Categories[i].Key })
	sources := keys(len(m.Sources), func(i int) string { return m.Sources[i].Key })
	purposes := keys(len(m.Purposes), func(i int) string { return m.Purposes[i].Key })
	recipients := keys(len(m.Recipients), func(i int) string { return m.Recipients[i].Key })

	tests := []struct {
		list string
		have []string
		want []string
	}{
		{"categories", categories, []string{
			"user.contact.email", "user.contact.phone_number", "user.contact.address", "user.name",
			"user.financial.credit_card", "user.financial.bank_account", "user.device.ip_address",
			"user.device.cookie_id", "user.location.precise", "user.location.imprecise",
			"user.behavior.browsing_history", "user.behavior.purchase_history", "user.content.self_image",
			"user.demographic.date_of_birth", "user.job_title", "user.account.username",
			"user.authorization.password", "user.biometric.voice", "user.content.public",
			"user.content.private", "user.workplace", "user.demographic.profile",
		}},
		{"sources", sources, []string{
			"online_channels", "offline_channels", "third_parties", "affiliates", "social_media",
			"public_sources", "enrichment_providers", "advertising_networks",
		}},
		{"purposes", purposes, []string{
			"essential.service", "essential.service.payment_processing", "essential.service.operations.support",
			"essential.fraud_detection", "essential.service.security", "essential.legal_obligation",
			"analytics.reporting", "marketing.communications.email", "marketing.advertising.third_party",
			"third_party_sharing",
		}},
		{"recipients", recipients, []string{
			"affiliates", "service_providers", "customers_and_partners", "joint_marketing_partners",
			"third_party_marketers", "authorities", "acquirers", "connected_persons",
		}},
	}
	for _, tt := range tests {
		for _, k := range tt.want {
			if !slices.Contains(tt.have, k) {
				t.Errorf("%s: %q is missing", tt.list, k)
			}
		}
	}

	for _, c := range m.Categories {
		if _, ok := taxonomy.Find(taxonomy.CCPACategories(), c.CCPA); !ok || c.Description == "" {
			t.Errorf("category %s: needs a description and a CCPA category, has %q / %q", c.Key, c.Description, c.CCPA)
		}
	}
	for _, k := range []string{"user.authorization.password", "user.financial.credit_card"} {
		if i := slices.Index(categories, k); i < 0 || !m.Categories[i].Withheld {
			t.Errorf("category %s should be withheld from access packages", k)
		}
	}
	ccpa := map[string]bool{}
	for _, c := range m.Categories {
		ccpa[c.CCPA] = true
	}
	for _, k := range []string{"identifiers", "customer_records", "commercial_information", "internet_activity", "geolocation", "audio_visual", "professional", "inferences"} {
		if !ccpa[k] {
			t.Errorf("no category falls under the CCPA category %q the California statement lists", k)
		}
	}
}

func TestBundledPurposes(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	byKey := map[string]Purpose{}
	for _, p := range m.Purposes {
		byKey[p.Key] = p
	}
	optInEurope := map[string]string{"EU": OptIn, "GB": OptIn, "US-CA": OptOut, "US": OptOut, "default": OptIn}
	tests := []struct {
		key     string
		basis   string
		regimes map[string]string
		dm      bool
	}{
		{"essential.service", BasisContract, nil, false},
		{"essential.service.payment_processing", BasisContract, nil, false},
		{"essential.service.operations.support", BasisContract, nil, false},
		{"essential.fraud_detection", BasisLegitimateInterests, nil, false},
		{"essential.service.security", BasisLegitimateInterests, nil, false},
		{"essential.legal_obligation", BasisLegalObligation, nil, false},
		{"analytics.reporting", BasisLegitimateInterests, nil, false},
		{"marketing.communications.email", BasisConsent, map[string]string{"EU": OptIn, "GB": OptIn, "US": OptOut, "default": OptIn}, true},
		{"marketing.advertising.third_party", BasisConsent, optInEurope, false},
		{"third_party_sharing", BasisConsent, optInEurope, false},
	}
	for _, tt := range tests {
		p, ok := byKey[tt.key]
		if !ok {
			t.Errorf("purpose %s is missing", tt.key)
			continue
		}
		if p.LegalBasis != tt.basis {
			t.Errorf("purpose %s: legal basis %q, want %q", tt.key, p.LegalBasis, tt.basis)
		}
		if tt.regimes != nil && (p.Consent == nil || !mapsEqual(p.Consent.Regimes, tt.regimes)) {
			t.Errorf("purpose %s: consent %+v, want regimes %v", tt.key, p.Consent, tt.regimes)
		}
		if tt.dm && !p.DirectMarketing {
			t.Errorf("purpose %s: direct_marketing should be set", tt.key)
		}
	}

	// The California statement's business purposes all come from purposes.
	bps := map[string]bool{}
	for _, p := range m.Purposes {
		bps[p.BusinessPurpose] = true
		for _, b := range p.AdditionalBusinessPurposes {
			bps[b] = true
		}
	}
	for _, k := range []string{"auditing", "security", "debugging", "short_term_transient_use", "performing_services", "internal_research", "quality_and_safety"} {
		if !bps[k] {
			t.Errorf("no purpose serves the business purpose %q the California statement lists", k)
		}
	}

	// Every line of "How We Use Personal Information" is the use of exactly
	// one purpose.
	for _, line := range policyList(t, useIntro) {
		n := 0
		for _, p := range m.Purposes {
			n += count(p.Uses, line)
		}
		if n != 1 {
			t.Errorf("use %q is in %d purposes, want 1", line, n)
		}
	}
	// And every line of the types of personal information is an
	// information type, word for word.
	var texts []string
	for _, it := range m.InformationTypes {
		texts = append(texts, it.Text)
	}
	for _, line := range policyList(t, typesIntro) {
		if count(texts, line) != 1 {
			t.Errorf("information type %q is not in the manifest exactly once", line)
		}
	}
}

func TestBundledRecipientsAndRights(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	byKey := map[string]Recipient{}
	for _, r := range m.Recipients {
		byKey[r.Key] = r
	}
	kinds := map[string][]string{
		"affiliates":               {KindAffiliate},
		"service_providers":        {KindServiceProvider},
		"customers_and_partners":   {KindCustomer, KindBusinessPartner},
		"joint_marketing_partners": {KindBusinessPartner},
		"third_party_marketers":    {KindThirdPartyOwnMarketing},
		"authorities":              {KindAuthority},
		"acquirers":                {KindAcquirer},
		"connected_persons":        {KindPersonConnectedToSubject},
	}
	for k, want := range kinds {
		if r := byKey[k]; !slices.Contains(want, r.Kind) {
			t.Errorf("recipient %s: kind %q, want one of %v", k, r.Kind, want)
		}
	}
	if r := byKey["service_providers"]; !r.ContractRequired || r.SaleOrShare {
		t.Errorf("service providers: contract_required %v, sale_or_share %v", r.ContractRequired, r.SaleOrShare)
	}
	if r := byKey["third_party_marketers"]; !r.SaleOrShare || !r.DirectMarketing || r.CCPADescription == "" {
		t.Errorf("third-party marketers: sale_or_share %v, direct_marketing %v, ccpa_description %q", r.SaleOrShare, r.DirectMarketing, r.CCPADescription)
	}
	if g := byKey["authorities"].Grounds; len(g) != 5 {
		t.Errorf("authorities: %d grounds, want the policy's 5", len(g))
	}

	rs := m.Rights
	if !rs.Unsubscribe || !rs.VerifyIdentity || rs.Fee != "permitted_by_law" || !rs.Complaint {
		t.Errorf("rights flags: %+v", rs)
	}
	want := map[string][]string{
		"default": {"access", "correction", "deletion", "restriction", "objection"},
		"EU":      {"access", "correction", "deletion", "restriction", "portability", "objection"},
		"GB":      {"access", "correction", "deletion", "restriction", "portability", "objection", "complaint"},
		"US-CA":   {"access", "categories", "deletion", "opt_out", "direct_marketing_disclosures"},
		"US-VA":   {"access", "correction", "deletion", "portability", "opt_out", "appeal"},
		"US-CO":   {"access", "correction", "deletion", "portability", "opt_out", "appeal"},
		"US-CT":   {"access", "correction", "deletion", "portability", "opt_out", "appeal"},
	}
	for place, reqs := range want {
		found := false
		for _, j := range rs.Jurisdictions {
			if slices.Contains(j.Jurisdictions, place) {
				found = true
				if !sameSet(j.Requests, reqs) {
					t.Errorf("rights in %s: %v, want %v", place, j.Requests, reqs)
				}
				if place == "US-CA" {
					if len(j.Limits) != 2 ||
						!sameSet(j.Limits[0].Requests, []string{"access", "categories"}) || j.Limits[0].Count != 2 || j.Limits[0].Period != "12_months" ||
						!sameSet(j.Limits[1].Requests, []string{"direct_marketing_disclosures"}) || j.Limits[1].Count != 1 || j.Limits[1].Period != "calendar_year" {
						t.Errorf("California limits: %+v", j.Limits)
					}
				}
			}
		}
		if !found {
			t.Errorf("no rights for %s", place)
		}
	}

	if m.Children.AgeThreshold != 18 || m.Children.DirectedTo || m.Children.DeletionWindow != "72h" {
		t.Errorf("children: %+v", m.Children)
	}
	if m.Contact.Email != "support@clientwiseportal.com" || m.LastUpdated != "2020-10-29" ||
		m.California == nil || m.California.Effective != "2020-10-29" ||
		m.Organisation.Name != "IMAJine Legal Solutions, Inc." || m.Organisation.ShortName != "Clientwise" ||
		m.Changes.NoticeOfMaterialChanges != "website" {
		t.Errorf("identity, dates or changes are wrong: %+v %+v %s %+v %+v", m.Organisation, m.Contact, m.LastUpdated, m.California, m.Changes)
	}

	var first, third, session, persistent bool
	for _, c := range m.Cookies {
		first = first || c.Party == "first"
		third = third || c.Party == "third"
		session = session || c.Duration == "session"
		persistent = persistent || c.Duration == "persistent"
	}
	if !first || !third || !session || !persistent {
		t.Errorf("cookies should include first- and third-party, session and persistent ones: %+v", m.Cookies)
	}
}

// bundledRetention is how long the bundled manifest keeps each category.
var bundledRetention = []struct {
	category, duration, trigger string
	reason                      []string // words the reason gives
}{
	// Analytics: a year-over-year comparison, the CNIL's 13 months.
	{"user.behavior.browsing_history", "13 months", "collected", []string{"year", "CNIL"}},
	{"user.device.cookie_id", "13 months", "collected", []string{"year", "CNIL"}},
	{"user.device.ip_address", "13 months", "collected", []string{"year", "CNIL"}},
	{"user.device.device_id", "13 months", "collected", []string{"year", "CNIL"}},
	{"user.telemetry", "13 months", "collected", []string{"year", "CNIL"}},
	{"user.location.imprecise", "13 months", "collected", []string{"year", "CNIL"}},
	{"user.location.precise", "30 days", "collected", []string{"sensitive"}},
	// Facility access records.
	{"user.sensor", "12 months", "collected", []string{"access records"}},
	// Support records: the statute of limitations for claims.
	{"user.content.private", "3 years", "relationship_ended", []string{"support", "statute of limitations"}},
	{"user.biometric.voice", "3 years", "relationship_ended", []string{"support", "statute of limitations"}},
	// Billing and payment records: tax and accounting.
	{"user.financial.credit_card", "7 years", "collected", []string{"Tax and accounting"}},
	{"user.financial.bank_account", "7 years", "collected", []string{"Tax and accounting"}},
	{"user.behavior.purchase_history", "7 years", "collected", []string{"Tax and accounting"}},
	// Account and contact data: the written-contract limitation period.
	{"user.name", "4 years", "account_closed", []string{"written contract", "§ 337"}},
	{"user.contact.email", "4 years", "account_closed", []string{"written contract", "§ 337"}},
	{"user.contact.phone_number", "4 years", "account_closed", []string{"written contract", "§ 337"}},
	{"user.contact.address", "4 years", "account_closed", []string{"written contract", "§ 337"}},
	{"user.account.username", "4 years", "account_closed", []string{"written contract", "§ 337"}},
	{"user.workplace", "4 years", "account_closed", []string{"written contract", "§ 337"}},
	{"user.job_title", "4 years", "account_closed", []string{"written contract", "§ 337"}},
	{"user.behavior.media_consumption", "4 years", "account_closed", []string{"written contract"}},
	// A password is no use once the account is closed.
	{"user.authorization.password", "30 days", "account_closed", []string{"reopen"}},
	// The rest.
	{"user.demographic.profile", "13 months", "last_activity", []string{"out of date"}},
	{"user.content.self_image", "3 years", "relationship_ended", []string{"statute of limitations"}},
	{"user.content.public", "3 years", "relationship_ended", []string{"statute of limitations"}},
	{"user.demographic.date_of_birth", "1 year", "collected", []string{"eligible"}},
}

func TestBundledRetention(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	// A rule for one purpose leaves the others unlimited: every category
	// needs exactly one rule for all purposes.
	general := map[string]RetentionRule{}
	for i, r := range m.Retention.Rules {
		if strings.TrimSpace(r.Reason) == "" {
			t.Errorf("retention rule %d (%s): no reason", i, r.Category)
		}
		if r.Purpose != "" {
			continue
		}
		if _, dup := general[r.Category]; dup {
			t.Errorf("category %s has two retention rules for all purposes", r.Category)
		}
		general[r.Category] = r
	}
	for _, c := range m.Categories {
		if _, ok := general[c.Key]; !ok {
			t.Errorf("category %s has no retention rule: it would be kept forever", c.Key)
		}
	}

	seen := map[string]bool{}
	for _, tt := range bundledRetention {
		seen[tt.category] = true
		r, ok := general[tt.category]
		if !ok {
			t.Errorf("%s: no retention rule for all purposes", tt.category)
			continue
		}
		if r.Duration != tt.duration || r.Trigger != tt.trigger || r.Extension != "" {
			t.Errorf("%s: kept %q after %s (extension %q), want %q after %s", tt.category, r.Duration, r.Trigger, r.Extension, tt.duration, tt.trigger)
		}
		for _, w := range tt.reason {
			if !strings.Contains(r.Reason, w) {
				t.Errorf("%s: the reason %q does not mention %q", tt.category, r.Reason, w)
			}
		}
	}
	for _, c := range m.Categories {
		if !seen[c.Key] {
			t.Errorf("category %s: add its retention period to bundledRetention", c.Key)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
