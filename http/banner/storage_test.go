package banner

import (
	"slices"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
)

func yes() *bool { b := true; return &b }

// storageManifest: a consent purpose for advertising, analytics on
// legitimate interests with a cookie, a contract purpose with no cookie,
// and an essential one.
func storageManifest(banner *policy.Banner, ukStats bool) *policy.Manifest {
	return &policy.Manifest{
		Organisation: policy.Organisation{Name: "Example Ltd", ShortName: "Example"},
		Purposes: []policy.Purpose{
			{Key: "essential.service", Name: "Service", LegalBasis: policy.BasisContract, Uses: []string{"run the service"}},
			{Key: "analytics.reporting", Name: "Statistics", LegalBasis: policy.BasisLegitimateInterests, UKStatistics: ukStats, Uses: []string{"count visits"}},
			{Key: "functional.service", Name: "Admin links", LegalBasis: policy.BasisContract, Uses: []string{"connect admins"}},
			{Key: "functional.service.improve", Name: "Keeping it up", LegalBasis: policy.BasisLegitimateInterests, StrictlyNecessary: yes(), Uses: []string{"balance load"}},
			{Key: "marketing.advertising.third_party", Name: "Ads", LegalBasis: policy.BasisConsent,
				Consent: &policy.Consent{Regimes: map[string]string{"EU": policy.OptIn, "US": policy.OptOut, "default": policy.OptOut}}, Uses: []string{"show ads"}},
		},
		Cookies: []policy.Cookie{
			{Name: "Stats", Party: "first", Duration: "persistent", Purpose: "analytics.reporting"},
			{Name: "Session", Party: "first", Duration: "session", Purpose: "essential.service"},
		},
		Banner: banner,
	}
}

func TestStorageDecidesApartFromLegalBasis(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		banner     *policy.Banner
		ukStats    bool
		j          string
		experience string
		regimes    map[string]string // toggle → regime ("exempt" for an exemption)
	}{
		{"Germany: analytics waits although on legitimate interests", nil, false, "DE", ExperienceOptIn,
			map[string]string{"analytics.reporting": policy.OptIn, "marketing.advertising.third_party": policy.OptIn}},
		{"Norway (EEA) likewise", nil, false, "NO", ExperienceOptIn,
			map[string]string{"analytics.reporting": policy.OptIn, "marketing.advertising.third_party": policy.OptIn}},
		{"UK without the exemption", nil, false, "GB", ExperienceOptIn,
			map[string]string{"analytics.reporting": policy.OptIn, "marketing.advertising.third_party": policy.OptIn}},
		{"UK with the statistics exemption: on, with a toggle to object", nil, true, "GB", ExperienceOptIn,
			map[string]string{"analytics.reporting": "exempt", "marketing.advertising.third_party": policy.OptIn}},
		{"the exemption is the UK's alone", nil, true, "FR", ExperienceOptIn,
			map[string]string{"analytics.reporting": policy.OptIn, "marketing.advertising.third_party": policy.OptIn}},
		{"California: everything not necessary can be refused", nil, false, "US-CA", ExperienceOptOut,
			map[string]string{"analytics.reporting": policy.OptOut, "marketing.advertising.third_party": policy.OptOut}},
		{"unknown location: opt-in by default", nil, false, UnknownJurisdiction, ExperienceOptIn,
			map[string]string{"analytics.reporting": policy.OptIn, "marketing.advertising.third_party": policy.OptIn}},
		{"unknown location: the manifest may say opt-out", &policy.Banner{UnknownLocation: policy.OptOut}, false, UnknownJurisdiction, ExperienceOptOut,
			map[string]string{"analytics.reporting": policy.OptOut, "marketing.advertising.third_party": policy.OptOut}},
		{"a jurisdiction the manifest lists as opt-in", &policy.Banner{OptIn: []string{"CH"}}, false, "CH", ExperienceOptIn,
			map[string]string{"analytics.reporting": policy.OptIn, "marketing.advertising.third_party": policy.OptIn}},
		{"a country listed covers its subdivisions", &policy.Banner{OptIn: []string{"CA"}}, false, "CA-QC", ExperienceOptIn,
			map[string]string{"analytics.reporting": policy.OptIn, "marketing.advertising.third_party": policy.OptIn}},
		{"not listed", &policy.Banner{OptIn: []string{"CH"}}, false, "JP", ExperienceOptOut,
			map[string]string{"analytics.reporting": policy.OptOut, "marketing.advertising.third_party": policy.OptOut}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := buildConfig(storageManifest(tc.banner, tc.ukStats), 1, tc.j, "https://x/privacy-policy")
			if cfg.Experience != tc.experience {
				t.Errorf("experience %s, want %s", cfg.Experience, tc.experience)
			}
			got := map[string]string{}
			for _, p := range cfg.Purposes {
				got[p.Key] = p.Regime
				if p.Exemption == "uk_statistics" && p.Regime == policy.OptOut {
					got[p.Key] = "exempt"
				} else if p.Exemption != "" {
					t.Errorf("%s: exemption %q with regime %s", p.Key, p.Exemption, p.Regime)
				}
			}
			if len(got) != len(tc.regimes) {
				t.Errorf("toggles %v, want %v", got, tc.regimes)
			}
			for k, want := range tc.regimes {
				if got[k] != want {
					t.Errorf("%s: %s, want %s", k, got[k], want)
				}
			}
			// Only strictly necessary purposes run without a choice; a
			// purpose that neither rests on consent nor has a cookie is
			// no toggle and never runs.
			slices.Sort(cfg.Allowed)
			if !slices.Equal(cfg.Allowed, []string{"essential.service", "functional.service.improve"}) {
				t.Errorf("allowed %v", cfg.Allowed)
			}
			if ads := cfg.ConsentMode["ad_storage"]; !slices.Equal(ads, []string{"marketing.advertising.third_party"}) ||
				!slices.Equal(cfg.ConsentMode["analytics_storage"], []string{"analytics.reporting"}) {
				t.Errorf("consent mode %v", cfg.ConsentMode)
			}
			if _, ok := cfg.ConsentMode["functionality_storage"]; ok {
				t.Errorf("functionality_storage maps to a purpose the banner does not offer: %v", cfg.ConsentMode)
			}
		})
	}
}

func TestChoicesOnlyForTheBannersPurposes(t *testing.T) {
	t.Parallel()
	m := storageManifest(nil, false)
	for _, tc := range []struct {
		key  string
		code string
	}{
		{"analytics.reporting", ""},
		{"marketing.advertising.third_party", ""},
		{"essential.service", "not_a_consent_purpose"},
		{"functional.service.improve", "not_a_consent_purpose"},
		{"functional.service", "not_a_consent_purpose"},
		{"marketing.spam", "undeclared_purpose"},
	} {
		_, err := checkChoices(m, map[string]bool{tc.key: false})
		got := ""
		if err != nil {
			got = errorCodeOf(err)
		}
		if got != tc.code {
			t.Errorf("%s: %q (%v), want %q", tc.key, got, err, tc.code)
		}
	}
}

func errorCodeOf(err error) string { return custos.ErrorCode(err) }

// The IAB module is configured only where the policy turns an API on and
// it applies: GPP in the US (the state's section where go-gpp decodes
// one), TCF where storage is opt-in.
func TestIABConfigWhereItApplies(t *testing.T) {
	t.Parallel()
	on := &policy.Banner{IAB: &policy.BannerIAB{GPP: true, TCF: &policy.BannerTCF{CMPID: 999, VendorListVersion: 120, Vendors: []int{755}}}}
	for _, tc := range []struct {
		j       string
		banner  *policy.Banner
		section int
		tcf     bool
	}{
		{"DE", on, 0, true},
		{"US-CA", on, 8, false},
		{"US-VA", on, 9, false},
		{"US-CO", on, 10, false},
		{"US-UT", on, 11, false},
		{"US-CT", on, 12, false},
		{"US-TX", on, 7, false},
		{"US", on, 7, false},
		{"JP", on, 0, false},
		{UnknownJurisdiction, on, 0, true},
		{"DE", nil, 0, false},
		{"US-CA", &policy.Banner{IAB: &policy.BannerIAB{TCF: on.IAB.TCF}}, 0, false},
	} {
		cfg := buildConfig(storageManifest(tc.banner, false), 1, tc.j, "https://x/privacy-policy")
		if tc.section == 0 && !tc.tcf {
			if cfg.IAB != nil {
				t.Errorf("%s: IAB %+v, want none (the module is not loaded)", tc.j, cfg.IAB)
			}
			continue
		}
		if cfg.IAB == nil || cfg.IAB.GPPSection != tc.section || (cfg.IAB.TCF != nil) != tc.tcf || cfg.IAB.CMPID != 999 {
			t.Errorf("%s: IAB %+v, want section %d, TCF %v", tc.j, cfg.IAB, tc.section, tc.tcf)
			continue
		}
		if tc.tcf {
			p := cfg.IAB.TCF.Purposes
			if !slices.Equal(p["9"], []string{"analytics.reporting"}) || !slices.Contains(p["4"], "marketing.advertising.third_party") ||
				cfg.IAB.TCF.GDPRApplies != (tc.j == "DE") || len(p["1"]) != 0 {
				t.Errorf("%s: TCF %+v", tc.j, cfg.IAB.TCF)
			}
		}
	}
}
