package iab

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/prebid/go-gdpr/consentconstants"
	tcf2 "github.com/prebid/go-gdpr/vendorconsent/tcf2"
)

// tcfCoreMinBytes is the shortest core segment go-gdpr accepts: the 213
// fixed bits up to PublisherCC plus the head of the vendor consent section.
const tcfCoreMinBytes = 29

// tcfVendorListVersionBit is where the 12 bits of VendorListVersion start in
// the core segment (after Version 6, Created 36, LastUpdated 36, CmpId 12,
// CmpVersion 12, ConsentScreen 6 and ConsentLanguage 12).
const tcfVendorListVersionBit = 120

// ParseTCF decodes a TCF v2 consent string and maps its purposes to fideslang
// data uses.
//
// Each purpose of TCFPurposes gives one Choice per data use it maps to,
// Granted when the user consented to the purpose (PurposesConsent bit set),
// with Source "tcf:purpose:<n>". The choices come in purpose order. When
// PurposeOneTreatment is set, purpose 1 was not disclosed to the user, so it
// gives no choice.
func ParseTCF(s string) ([]Choice, error) {
	return parseTCF(s, "tcf:", "TCF string", CodeMalformedTCF)
}

// parseTCF is ParseTCF with the prefix of the sources, the name of the string
// in messages and the error code, so that GPP can reuse it for its TCF EU v2
// section.
func parseTCF(s, prefix, what, code string) ([]Choice, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, invalid(code, nil, "The %s is empty.", what)
	}
	if len(s) > maxLen {
		return nil, invalid(code, nil, "The %s is %d characters long; a TCF string is at most %d.", what, len(s), maxLen)
	}
	segments := strings.Split(s, ".")
	offset := 0
	for i, seg := range segments {
		if seg == "" {
			return nil, invalid(code, nil, "Segment %d of the %s is empty (two dots in a row, or a dot at an end).", i+1, what)
		}
		if msg := checkBase64URL(seg, offset, what); msg != "" {
			return nil, invalid(code, nil, "%s", msg)
		}
		offset += len(seg) + 1
	}
	core, err := base64.RawURLEncoding.DecodeString(segments[0])
	if err != nil {
		return nil, invalid(code, err, "The core segment of the %s has %d characters, a length no base64 text can have: it is cut short.", what, len(segments[0]))
	}
	if v := core[0] >> 2; v != 2 {
		if v == 1 {
			return nil, invalid(code, nil, "The %s is a TCF v1 string; only TCF v2 strings are accepted.", what)
		}
		return nil, invalid(code, nil, "The %s has version %d; only TCF v2 strings are accepted.", what, v)
	}
	if len(core) < tcfCoreMinBytes {
		return nil, invalid(code, nil, "The core segment of the %s is %d bytes long; a TCF v2 core segment has at least %d: it is cut short.", what, len(core), tcfCoreMinBytes)
	}

	if fieldAt(core, tcfVendorListVersionBit, 12) == 0 {
		return nil, invalid(code, nil, "The %s names vendor list version 0; vendor list versions start at 1.", what)
	}

	tc, err := decodeTCF2(core)
	if err != nil {
		return nil, invalid(code, err, "The vendor sections of the %s are malformed or cut short.", what)
	}

	var out []Choice
	for _, p := range tcfPurposes {
		if p.ID == 1 && tc.PurposeOneTreatment() {
			continue
		}
		granted := tc.PurposeAllowed(consentconstants.Purpose(p.ID))
		source := prefix + "purpose:" + strconv.Itoa(p.ID)
		for _, use := range p.Uses {
			out = append(out, Choice{Purpose: use, Granted: granted, Source: source})
		}
	}
	return out, nil
}

// tcfCore is the part of go-gdpr's tcf2.ConsentMetadata this package reads.
type tcfCore interface {
	PurposeAllowed(consentconstants.Purpose) bool
	PurposeOneTreatment() bool
}

// decodeTCF2 runs go-gdpr on a decoded core segment. go-gdpr indexes the
// bytes without a bounds check in places (a core segment that ends right
// after the MaxVendorId of the legitimate-interest section makes it read
// past the end), so a panic is turned into an error.
func decodeTCF2(core []byte) (tc tcfCore, err error) {
	defer func() {
		if r := recover(); r != nil {
			tc, err = nil, fmt.Errorf("go-gdpr panicked: %v", r)
		}
	}()
	vc, err := tcf2.Parse(core)
	if err != nil {
		return nil, err
	}
	c, ok := vc.(tcfCore)
	if !ok {
		return nil, fmt.Errorf("go-gdpr returned %T, which does not report PurposeOneTreatment", vc)
	}
	return c, nil
}
