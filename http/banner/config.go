package banner

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/consent/iab"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/policy"
)

// Experiences of the banner.
const (
	// ExperienceOptIn is a modal banner: nothing that needs consent runs
	// before the person chooses (GDPR, UK GDPR, and wherever the policy
	// asks opt-in consent for a purpose).
	ExperienceOptIn = "opt_in"
	// ExperienceOptOut is a notice: purposes run until the person opts
	// out, with a "Do Not Sell or Share My Personal Information" link
	// where some purpose sells or shares (California and the other US
	// opt-out states).
	ExperienceOptOut = "opt_out"
)

// UnknownJurisdiction stands for "nobody says where the visitor is":
// neither the site (data-jurisdiction) nor a CDN's geolocation header.
// ZZ is a user-assigned ISO 3166-1 code, which CLDR uses for an unknown
// region; the consent ledger records it as it records any other.
const UnknownJurisdiction = "ZZ"

// Config is what the script needs to show the banner in one jurisdiction.
type Config struct {
	PolicyVersion    int64  `json:"policy_version"`
	Jurisdiction     string `json:"jurisdiction"`
	Experience       string `json:"experience"`
	Organisation     string `json:"organisation"`
	PrivacyPolicyURL string `json:"privacy_policy_url"`
	// Lang and Text are the banner's language and its words in it.
	Lang string            `json:"lang"`
	Text map[string]string `json:"text"`
	// DoNotSell: show the "Do Not Sell or Share My Personal Information"
	// link.
	DoNotSell bool `json:"do_not_sell"`
	// Purposes are the policy's purposes that are not strictly
	// necessary, whatever their legal basis: one toggle each, since
	// storing information on the device for them is the person's choice.
	Purposes []Purpose `json:"purposes"`
	// Allowed are the strictly necessary purposes: elements tagged with
	// them run without a choice, everywhere.
	Allowed []string `json:"allowed"`
	// ConsentMode maps each Google Consent Mode v2 signal to the purposes
	// it stands for: the signal is granted when all of them are allowed
	// (see consentModeSignals).
	ConsentMode map[string][]string `json:"consent_mode"`
	// IAB is set where the policy turns on an IAB CMP API that applies
	// here (GPP in the US, TCF where storage is opt-in): the script then
	// loads consent-iab.js, and only then.
	IAB *IABConfig `json:"iab,omitempty"`
	// DeviceToken is issued when the request names a device (?device=ID)
	// for which no token was issued before: a device that chose before
	// tokens existed gets its token at its next visit.
	DeviceToken string `json:"device_token,omitempty"`
}

// IABConfig is what consent-iab.js needs to answer __gpp and __tcfapi.
type IABConfig struct {
	// GPPSection is the GPP section that applies (7 usnat, 8 usca, 9
	// usva, 10 usco, 11 usut, 12 usct); 0 when GPP is off here.
	GPPSection int        `json:"gpp_section,omitempty"`
	TCF        *TCFConfig `json:"tcf,omitempty"`
	// CMPID is the company's registered CMP id (banner.iab.tcf.cmp_id),
	// which GPP reports too; 0 when none is configured.
	CMPID int `json:"cmp_id,omitempty"`
}

// TCFConfig is what a TC string needs.
type TCFConfig struct {
	GDPRApplies       bool  `json:"gdpr_applies"`
	CMPID             int   `json:"cmp_id"`
	CMPVersion        int   `json:"cmp_version"`
	VendorListVersion int   `json:"vendor_list_version"`
	Vendors           []int `json:"vendors"`
	// Purposes maps a TCF purpose (2 to 11) to the banner's purposes it
	// covers (consent/iab's table, by data use): its consent bit is set
	// when every one of them is allowed. Purpose 1 (storage on the device)
	// is set when any purpose that is not strictly necessary is allowed.
	Purposes map[string][]string `json:"purposes"`
}

// gppSections are the US sections go-gpp decodes, so the server reads back
// what the banner writes; other states get US National.
var gppSections = map[string]int{"US-CA": 8, "US-VA": 9, "US-CO": 10, "US-UT": 11, "US-CT": 12}

// iabConfig: nil where nothing the policy turns on applies, so the module
// is not loaded.
func iabConfig(m *policy.Manifest, j string, optIn bool, toggles []Purpose) *IABConfig {
	if m.Banner == nil || m.Banner.IAB == nil {
		return nil
	}
	c := &IABConfig{}
	if t := m.Banner.IAB.TCF; t != nil {
		c.CMPID = t.CMPID
	}
	if m.Banner.IAB.GPP && (j == "US" || strings.HasPrefix(j, "US-")) {
		c.GPPSection = 7
		if s, ok := gppSections[j]; ok {
			c.GPPSection = s
		}
	}
	if t := m.Banner.IAB.TCF; t != nil && optIn {
		tc := &TCFConfig{GDPRApplies: ePrivacyApplies(j), CMPID: t.CMPID, CMPVersion: t.CMPVersion,
			VendorListVersion: t.VendorListVersion, Vendors: append([]int{}, t.Vendors...), Purposes: map[string][]string{}}
		for id, uses := range iab.TCFPurposes() {
			if id == 1 {
				continue
			}
			for _, p := range toggles {
				for _, u := range uses {
					if hasPrefix(p.Key, u) || hasPrefix(u, p.Key) {
						tc.Purposes[strconv.Itoa(id)] = append(tc.Purposes[strconv.Itoa(id)], p.Key)
						break
					}
				}
			}
		}
		c.TCF = tc
	}
	if c.GPPSection == 0 && c.TCF == nil {
		return nil
	}
	return c
}

// Purpose is one consent purpose as the banner shows it.
type Purpose struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Regime is opt_in (off until granted) or opt_out (on until refused).
	Regime string `json:"regime"`
	// Exemption names why an opt_out purpose runs before a choice inside
	// an opt-in experience: "uk_statistics" (PECR Sch. A1 para. 5, with
	// the toggle as the simple means of objecting).
	Exemption string `json:"exemption,omitempty"`
	// SaleSharing: using data for it sells or shares it, so a Global
	// Privacy Control signal refuses it.
	SaleSharing bool `json:"sale_sharing"`
}

// validJurisdiction accepts what the consent ledger does: an ISO 3166-1
// code, or one with a subdivision (US-CA).
func validJurisdiction(j string) bool {
	country, sub, hasSub := strings.Cut(j, "-")
	if len(country) != 2 || !allIn(country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return false
	}
	return !hasSub || len(sub) >= 1 && len(sub) <= 3 && allIn(sub, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}

func allIn(s, chars string) bool {
	for _, r := range s {
		if !strings.ContainsRune(chars, r) {
			return false
		}
	}
	return true
}

// config answers GET /api/v1/banner?jurisdiction=J. It changes with the
// policy, so it is revalidated on every load; the ETag keeps that cheap.
func (h *handler) config(w http.ResponseWriter, r *http.Request) {
	cors(w)
	w.Header().Set("Vary", "Accept-Language, CF-IPCountry, CF-Region-Code, CF-Region, CloudFront-Viewer-Country, CloudFront-Viewer-Country-Region, X-Region")
	j, err := jurisdictionOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.d.Policies == nil {
		h.fail(w, r, noConsent())
		return
	}
	p, v, err := h.d.Policies.Active(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cfg := buildConfig(p.Manifest, v.Version, j, h.policyURL(r))
	cfg.Lang = textLanguage(r)
	cfg.Text = i18n.Namespace(cfg.Lang, "banner.")
	if dev := r.URL.Query().Get("device"); dev != "" && validDeviceID(dev) && h.devicesReady() && h.mayClaim(r) {
		if cfg.DeviceToken, err = h.authorizeDevice(r.Context(), dev, ""); err != nil && custos.ErrorCode(err) != CodeDeviceTokenRequired {
			h.fail(w, r, err)
			return
		}
	}
	body, err := json.Marshal(cfg)
	if err != nil {
		h.fail(w, r, fmt.Errorf("banner: encode config: %w", err))
		return
	}
	if cfg.DeviceToken != "" {
		// This answer is for one browser alone: never cached, never 304.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(append(body, '\n'))
		return
	}
	sum := sha256.Sum256(body)
	tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:15]) + `"`
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	if etagMatch(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(append(body, '\n'))
}

func etagMatch(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}

func (h *handler) policyURL(r *http.Request) string {
	if h.d.BaseURL != "" {
		return strings.TrimRight(h.d.BaseURL, "/") + "/privacy-policy"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/privacy-policy"
}

// jurisdictionOf takes the jurisdiction the site names (the script passes
// its tag's data-jurisdiction), else the one a CDN's geolocation headers
// give, else UnknownJurisdiction. A person who forges the headers only
// changes the banner they see themselves.
func jurisdictionOf(r *http.Request) (string, error) {
	if q := r.URL.Query().Get("jurisdiction"); q != "" {
		j := strings.ToUpper(strings.TrimSpace(q))
		if !validJurisdiction(j) {
			return "", invalid("jurisdiction", "jurisdiction must be an ISO 3166 code such as US-CA, US, GB or DE.")
		}
		return j, nil
	}
	country := ""
	for _, name := range []string{"CF-IPCountry", "CloudFront-Viewer-Country"} {
		c := strings.ToUpper(strings.TrimSpace(r.Header.Get(name)))
		// Cloudflare says XX for unknown and T1 for Tor.
		if len(c) == 2 && c != "XX" && c != "T1" && validJurisdiction(c) {
			country = c
			break
		}
	}
	if country == "" {
		return UnknownJurisdiction, nil
	}
	if country == "US" {
		for _, name := range []string{"CF-Region-Code", "CloudFront-Viewer-Country-Region", "CF-Region", "X-Region"} {
			if st := usState(r.Header.Get(name)); st != "" {
				return "US-" + st, nil
			}
		}
	}
	return country, nil
}

// usStates maps the states' (and DC's) postal codes to their names, as
// geolocation headers give either.
const usStates = "AL=Alabama;AK=Alaska;AZ=Arizona;AR=Arkansas;CA=California;CO=Colorado;CT=Connecticut;DE=Delaware;" +
	"DC=District of Columbia;FL=Florida;GA=Georgia;HI=Hawaii;ID=Idaho;IL=Illinois;IN=Indiana;IA=Iowa;KS=Kansas;" +
	"KY=Kentucky;LA=Louisiana;ME=Maine;MD=Maryland;MA=Massachusetts;MI=Michigan;MN=Minnesota;MS=Mississippi;" +
	"MO=Missouri;MT=Montana;NE=Nebraska;NV=Nevada;NH=New Hampshire;NJ=New Jersey;NM=New Mexico;NY=New York;" +
	"NC=North Carolina;ND=North Dakota;OH=Ohio;OK=Oklahoma;OR=Oregon;PA=Pennsylvania;RI=Rhode Island;" +
	"SC=South Carolina;SD=South Dakota;TN=Tennessee;TX=Texas;UT=Utah;VT=Vermont;VA=Virginia;WA=Washington;" +
	"WV=West Virginia;WI=Wisconsin;WY=Wyoming"

// usState returns the postal code of a state given as "CA", "US-CA" or
// "California"; "" for anything else.
func usState(v string) string {
	v = strings.TrimSpace(v)
	if len(v) == 5 && strings.EqualFold(v[:3], "US-") {
		v = v[3:]
	}
	for _, pair := range strings.Split(usStates, ";") {
		code, name, _ := strings.Cut(pair, "=")
		if strings.EqualFold(v, code) || strings.EqualFold(v, name) {
			return code
		}
	}
	return ""
}

// ePrivacyApplies: in the EU and the EEA (Directive 2002/58/EC Art. 5(3))
// and the UK (PECR reg. 6) storing or reading anything on the device that
// is not strictly necessary needs consent first, whatever the policy says.
func ePrivacyApplies(j string) bool {
	law := jurisdiction.For(j, jurisdiction.TypeAccess).Law
	return law == jurisdiction.LawGDPR || law == jurisdiction.LawUKGDPR
}

func ukApplies(j string) bool {
	return jurisdiction.For(j, jurisdiction.TypeAccess).Law == jurisdiction.LawUKGDPR
}

// storageOptIn: only strictly necessary storage runs before a choice, by
// law (ePrivacyApplies), by the manifest's banner.opt_in list (exact, or
// the country of a subdivision), or because nobody knows where the
// visitor is and the manifest does not say opt_out for that case.
func storageOptIn(m *policy.Manifest, j string) bool {
	if ePrivacyApplies(j) {
		return true
	}
	b := m.Banner
	if j == UnknownJurisdiction {
		return b == nil || b.UnknownLocation != policy.OptOut
	}
	if b == nil {
		return false
	}
	country, _, _ := strings.Cut(j, "-")
	for _, o := range b.OptIn {
		if o == j || o == country || o == "EU" && jurisdiction.IsEU(country) || o == "EEA" && jurisdiction.IsEEA(country) {
			return true
		}
	}
	return false
}

// SalePurposes are the purposes whose use sells or shares personal
// information. It mirrors the decision engine (consent.compile), which
// does not export it: purposes a sale_or_share recipient is declared for,
// sharing with third parties, and third-party advertising.
func SalePurposes(m *policy.Manifest) map[string]bool {
	out := map[string]bool{}
	for _, r := range m.Recipients {
		if r.SaleOrShare {
			for _, p := range r.Purposes {
				out[p] = true
			}
		}
	}
	for _, p := range m.Purposes {
		for _, prefix := range []string{"third_party_sharing", "marketing.advertising.third_party"} {
			if p.Key == prefix || strings.HasPrefix(p.Key, prefix+".") {
				out[p.Key] = true
			}
		}
	}
	return out
}

func buildConfig(m *policy.Manifest, version int64, j, policyURL string) Config {
	sale := SalePurposes(m)
	org := m.Organisation.ShortName
	if org == "" {
		org = m.Organisation.Name
	}
	c := Config{PolicyVersion: version, Jurisdiction: j, Organisation: org, PrivacyPolicyURL: policyURL,
		Purposes: []Purpose{}, Allowed: []string{}}
	// The experience is opt-in where the law or the manifest asks consent
	// before storage, and where any consent purpose's regime is opt-in
	// here: then nothing that is not strictly necessary runs first.
	optIn := storageOptIn(m, j)
	for _, p := range m.Purposes {
		if !p.IsStrictlyNecessary() && p.LegalBasis == policy.BasisConsent && p.Consent != nil &&
			consent.Regime(p.Consent.Regimes, j) == policy.OptIn {
			optIn = true
		}
	}
	uk := ukApplies(j)
	anySale := false
	choosable := Choosable(m)
	for _, p := range m.Purposes {
		if p.IsStrictlyNecessary() {
			c.Allowed = append(c.Allowed, p.Key)
			continue
		}
		if !choosable[p.Key] {
			continue
		}
		regime, exemption := policy.OptOut, ""
		switch {
		case optIn && uk && p.UKStatistics:
			// PECR Sch. A1 para. 5: statistics to improve the service may
			// run in the UK with clear information and a simple objection,
			// the toggle the banner shows for it.
			exemption = "uk_statistics"
		case optIn:
			regime = policy.OptIn
		case p.LegalBasis == policy.BasisConsent && p.Consent != nil:
			regime = consent.Regime(p.Consent.Regimes, j)
		}
		anySale = anySale || sale[p.Key]
		c.Purposes = append(c.Purposes, Purpose{Key: p.Key, Name: p.Name, Description: Describe(p.Uses),
			Regime: regime, Exemption: exemption, SaleSharing: sale[p.Key]})
	}
	c.Experience = ExperienceOptOut
	if optIn {
		c.Experience = ExperienceOptIn
	}
	c.DoNotSell = c.Experience == ExperienceOptOut && anySale
	c.ConsentMode = consentModeSignals(m)
	c.IAB = iabConfig(m, j, optIn, c.Purposes)
	return c
}

// Choosable are the purposes the banner offers a choice on: those that
// are not strictly necessary and either rest on consent or have a cookie
// (or similar technology) the manifest declares. Other purposes store
// nothing on the device, so an element tagged with one never runs.
func Choosable(m *policy.Manifest) map[string]bool {
	cookie := map[string]bool{}
	for _, c := range m.Cookies {
		cookie[c.Purpose] = true
	}
	out := map[string]bool{}
	for _, p := range m.Purposes {
		if !p.IsStrictlyNecessary() && (p.LegalBasis == policy.BasisConsent || cookie[p.Key]) {
			out[p.Key] = true
		}
	}
	return out
}

// consentModeSignals maps Google Consent Mode v2's signals to the
// purposes they stand for, by data use: advertising (ad_storage,
// ad_user_data, ad_personalization) to marketing.advertising.* and the
// purposes that sell or share, analytics_storage to analytics.*,
// functionality_storage to functional.*, personalization_storage to
// personalize.*. A signal with no purpose stays denied; security_storage
// is always granted (strictly necessary), so it is not listed.
func consentModeSignals(m *policy.Manifest) map[string][]string {
	sale := SalePurposes(m)
	choosable := Choosable(m)
	var ads, analytics, functional, personal []string
	for _, p := range m.Purposes {
		if !choosable[p.Key] {
			continue
		}
		switch {
		case hasPrefix(p.Key, "marketing.advertising") || sale[p.Key]:
			ads = append(ads, p.Key)
		case hasPrefix(p.Key, "analytics"):
			analytics = append(analytics, p.Key)
		case hasPrefix(p.Key, "functional"):
			functional = append(functional, p.Key)
		case hasPrefix(p.Key, "personalize"):
			personal = append(personal, p.Key)
		}
	}
	out := map[string][]string{}
	for signal, keys := range map[string][]string{"ad_storage": ads, "ad_user_data": ads, "ad_personalization": ads,
		"analytics_storage": analytics, "functionality_storage": functional, "personalization_storage": personal} {
		if len(keys) > 0 {
			out[signal] = keys
		}
	}
	return out
}

func hasPrefix(key, prefix string) bool {
	return key == prefix || strings.HasPrefix(key, prefix+".")
}

// Describe turns a purpose's notice lines ("show you advertising …") into
// one sentence for the toggle.
func Describe(uses []string) string {
	s := strings.TrimSpace(strings.Join(uses, "; "))
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// checkChoices accepts the policy's purposes that are not strictly
// necessary (the banner's toggles) only, and returns
// them as scopes in the policy's order, so receipts read the same way
// whatever order the JSON object had.
func checkChoices(m *policy.Manifest, choices map[string]bool) ([]consent.ScopeChoice, error) {
	declared := map[string]policy.Purpose{}
	for _, p := range m.Purposes {
		declared[p.Key] = p
	}
	choosable := Choosable(m)
	for key := range choices {
		p, ok := declared[key]
		if !ok {
			e := custos.Errorf(custos.KindUnprocessable, consent.ReasonUndeclaredPurpose, "The policy in force does not declare the purpose %q.", key)
			e.Field = "choices." + key
			return nil, e
		}
		if !choosable[key] {
			why := "it is strictly necessary, so it runs without a choice"
			if !p.IsStrictlyNecessary() {
				why = fmt.Sprintf("it rests on %s and stores nothing on the device (no cookie of the policy serves it)", p.LegalBasis)
			}
			e := custos.Errorf(custos.KindUnprocessable, "not_a_consent_purpose",
				"The purpose %q is not a choice of the banner: %s.", key, why)
			e.Field = "choices." + key
			return nil, e
		}
	}
	var out []consent.ScopeChoice
	for _, p := range m.Purposes {
		if g, ok := choices[p.Key]; ok {
			out = append(out, consent.ScopeChoice{Scope: p.Key, Granted: g})
		}
	}
	return out, nil
}
