// Package iab turns the consent strings of IAB consent management platforms
// into Custos consent choices.
//
// It reads two formats:
//
//   - the TC string of the IAB Europe Transparency & Consent Framework v2
//     ("TCF v2.x", specification "Transparency and Consent String with Global
//     Vendor & CMP List Formats"), decoded with github.com/prebid/go-gdpr.
//     The user's consent to each of the 11 TCF purposes (core segment,
//     PurposesConsent) becomes one choice per fideslang data use the purpose
//     maps to, see TCFPurposes;
//   - the string of the IAB Tech Lab Global Privacy Platform ("GPP",
//     specification "Consent String Specification" v1), decoded with
//     github.com/prebid/go-gpp. The opt-outs of its US sections — usnat
//     (section ID 7, "US National Privacy Technical Specification"), usca (8),
//     usva (9), usco (10), usut (11) and usct (12) — become choices on the
//     reserved scopes ScopeSaleSharing and ScopeTargetedAdvertising, and an
//     embedded TCF EU v2 section (ID 2) is read like a TC string.
//
// What is deliberately not read: the TCF legitimate-interest signals
// (PurposesLITransparency is not consent, and a 0 bit cannot tell "objected"
// from "not relied on"), the TCF special features, vendor-level consents and
// the Publisher TC segment (go-gdpr does not decode it); the GPP sections
// go-gpp v0.2.0 does not decode (uspv1, tcfcav1, the US states after
// Connecticut) are skipped without error, and the GPC subsection of a US
// section is not turned into a choice (the CMP already reflects GPC in the
// opt-out fields).
//
// Every malformed string gives a *custos.Error of kind KindInvalid whose
// message says in plain words what is wrong. The messages never quote the
// string itself, which the law may treat as personal data.
package iab

import (
	"fmt"

	"github.com/custos-privacy/custos"
)

// Choice is one consent decision derived from an IAB string.
type Choice struct {
	Purpose string // a fideslang data-use key, or the reserved scopes "sale_sharing" / "targeted_advertising"
	Granted bool
	Source  string // e.g. "tcf:purpose:3", "gpp:usnat:SaleOptOut"
}

// Reserved scopes of the US opt-outs, which are not fideslang data uses:
// they cover every purpose that sells or shares personal information, or
// that targets advertising, whatever its data use.
const (
	ScopeSaleSharing         = "sale_sharing"
	ScopeTargetedAdvertising = "targeted_advertising"
)

// Error codes of malformed strings.
const (
	CodeMalformedTCF = "malformed_tcf_string"
	CodeMalformedGPP = "malformed_gpp_string"
)

// maxLen bounds the strings this package reads. Real TC strings are a few
// kilobytes at most, GPP strings a little more; go-gpp counts bits in a
// uint16, so a larger section could not be read correctly anyway.
const maxLen = 64 << 10

// tcfPurpose is one line of the mapping from TCF v2 purposes to fideslang.
type tcfPurpose struct {
	ID   int
	Name string // the name of the purpose in TCF v2.2 (Policies, Appendix A)
	Uses []string
}

// tcfPurposes is the one table from the 11 TCF v2 purposes to fideslang data
// uses (fideslang data_uses.yml). Every key must exist in the taxonomy; a test
// proves it.
var tcfPurposes = []tcfPurpose{
	{1, "Store and/or access information on a device", []string{"functional.storage"}},
	{2, "Use limited data to select advertising", []string{"marketing.advertising.serving", "marketing.advertising.first_party.contextual"}},
	{3, "Create profiles for personalised advertising", []string{"marketing.advertising.profiling"}},
	{4, "Use profiles to select personalised advertising", []string{"marketing.advertising.first_party.targeted", "marketing.advertising.third_party.targeted"}},
	{5, "Create profiles to personalise content", []string{"personalize.content.profiling"}},
	{6, "Use profiles to select personalised content", []string{"personalize.content.profiled"}},
	{7, "Measure advertising performance", []string{"analytics.reporting.ad_performance"}},
	{8, "Measure content performance", []string{"analytics.reporting.content_performance"}},
	{9, "Understand audiences through statistics or combinations of data from different sources", []string{"analytics.reporting"}},
	{10, "Develop and improve services", []string{"functional.service.improve"}},
	{11, "Use limited data to select content", []string{"personalize.content.limited"}},
}

// TCFPurposes is the table from the 11 TCF v2 purposes to fideslang data
// uses. The map is a fresh copy: callers may change it.
func TCFPurposes() map[int][]string {
	m := make(map[int][]string, len(tcfPurposes))
	for _, p := range tcfPurposes {
		m[p.ID] = append([]string(nil), p.Uses...)
	}
	return m
}

// invalid builds the error of a malformed string.
func invalid(code string, cause error, format string, args ...any) error {
	e := custos.Errorf(custos.KindInvalid, code, format, args...)
	e.Err = cause
	return e
}

// checkBase64URL reports the first character of s outside the base64url
// alphabet, in words, or "" when there is none. offset is the position of s
// in the whole string, so the message points at the right character.
func checkBase64URL(s string, offset int, what string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			continue
		}
		shown := fmt.Sprintf("%q", string(rune(c)))
		if c >= 0x80 {
			shown = "a non-ASCII byte"
		}
		return fmt.Sprintf("Character %d of the %s is %s, which is not in the base64url alphabet (A-Z, a-z, 0-9, '-', '_', without '=' padding).", offset+i+1, what, shown)
	}
	return ""
}
