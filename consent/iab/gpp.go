package iab

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	gpp "github.com/prebid/go-gpp"
	"github.com/prebid/go-gpp/constants"
	"github.com/prebid/go-gpp/sections/uspca"
	"github.com/prebid/go-gpp/sections/uspco"
	"github.com/prebid/go-gpp/sections/uspct"
	"github.com/prebid/go-gpp/sections/uspnat"
	"github.com/prebid/go-gpp/sections/usput"
	"github.com/prebid/go-gpp/sections/uspva"
)

// GPP header limits. A header is a handful of characters (six for a single
// section); these bounds only keep hostile headers away from go-gpp, whose
// Fibonacci decoder recurses exponentially on long code words and whose
// section loop never ends on ID 65535.
const (
	gppMaxHeader     = 1024   // characters
	gppMaxFibBits    = 24     // bits of one Fibonacci code word, terminator included
	gppMaxSectionID  = 0xfffe // largest ID go-gpp handles in its uint16 loop
	gppHeaderType    = 3
	gppHeaderVersion = 1
)

// gppNames are the section names of the GPP specification, by ID, for
// sources and messages.
var gppNames = map[constants.SectionID]string{
	constants.SectionTCFEU2: "tcfeuv2",
	constants.SectionUSPV1:  "uspv1",
	constants.SectionUSPNAT: "usnat",
	constants.SectionUSPCA:  "usca",
	constants.SectionUSPVA:  "usva",
	constants.SectionUSPCO:  "usco",
	constants.SectionUSPUT:  "usut",
	constants.SectionUSPCT:  "usct",
}

func gppName(id constants.SectionID) string {
	if n, ok := gppNames[id]; ok {
		return n
	}
	return fmt.Sprintf("section %d", int(id))
}

// ParseGPP decodes a GPP string: US sections give opt-outs of sale/sharing
// and targeted advertising (opt-out = Granted false; explicitly "did not opt
// out" = Granted true; "not applicable"/0 values give no choice), and an
// embedded TCF EU v2 section is mapped as in ParseTCF.
//
// The fields read are SaleOptOut and SharingOptOut (scope ScopeSaleSharing)
// and TargetedAdvertisingOptOut (scope ScopeTargetedAdvertising) of usnat,
// usca (which has no targeted-advertising field: California's "sharing" is
// its word for cross-context behavioural advertising), usva, usco, usut and
// usct; sources read "gpp:<section>:<field>", for example
// "gpp:usnat:SaleOptOut". The TCF EU v2 section gives the choices of
// ParseTCF with sources "gpp:tcfeuv2:purpose:<n>".
//
// Choices come in section order, then field order. One string may hold
// several US sections and so several choices on the same scope, which may
// disagree: which section applies to a person is said by the CMP's
// applicableSections (gpp_sid), which is not part of the string. Callers that
// do not know it should let any Granted false win.
func ParseGPP(s string) ([]Choice, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, invalid(CodeMalformedGPP, nil, "The GPP string is empty.")
	}
	if len(s) > maxLen {
		return nil, invalid(CodeMalformedGPP, nil, "The GPP string is %d characters long; this service reads GPP strings of at most %d.", len(s), maxLen)
	}
	parts := strings.Split(s, "~")
	if err := checkGPPHeader(parts[0], len(parts)-1); err != nil {
		return nil, err
	}
	offset := len(parts[0]) + 1
	for i, p := range parts[1:] {
		if p == "" {
			return nil, invalid(CodeMalformedGPP, nil, "Section %d of the GPP string is empty.", i+1)
		}
		for _, seg := range strings.Split(p, ".") {
			if msg := checkBase64URL(seg, offset, "GPP string"); msg != "" {
				return nil, invalid(CodeMalformedGPP, nil, "%s", msg)
			}
			offset += len(seg) + 1
		}
	}

	c, errs, panicked := parseGPP(s)
	if panicked != nil {
		return nil, invalid(CodeMalformedGPP, panicked, "The GPP string could not be decoded.")
	}
	if len(errs) > 0 {
		return nil, gppSectionError(c, errs)
	}
	if len(c.Sections) != len(c.SectionTypes) {
		return nil, invalid(CodeMalformedGPP, nil, "The GPP header lists %d sections but %d were decoded.", len(c.SectionTypes), len(c.Sections))
	}

	var out []Choice
	for i, sec := range c.Sections {
		name := gppName(c.SectionTypes[i])
		var (
			fields []optOut
			err    error
		)
		switch v := sec.(type) {
		case uspnat.USPNAT:
			fields = []optOut{
				{"SaleOptOut", v.CoreSegment.SaleOptOut, ScopeSaleSharing},
				{"SharingOptOut", v.CoreSegment.SharingOptOut, ScopeSaleSharing},
				{"TargetedAdvertisingOptOut", v.CoreSegment.TargetedAdvertisingOptOut, ScopeTargetedAdvertising},
			}
		case uspca.USPCA:
			fields = []optOut{
				{"SaleOptOut", v.CoreSegment.SaleOptOut, ScopeSaleSharing},
				{"SharingOptOut", v.CoreSegment.SharingOptOut, ScopeSaleSharing},
			}
		case uspva.USPVA:
			fields = commonOptOuts(v.CoreSegment.SaleOptOut, v.CoreSegment.TargetedAdvertisingOptOut)
		case uspco.USPCO:
			fields = commonOptOuts(v.CoreSegment.SaleOptOut, v.CoreSegment.TargetedAdvertisingOptOut)
		case usput.USPUT:
			fields = commonOptOuts(v.CoreSegment.SaleOptOut, v.CoreSegment.TargetedAdvertisingOptOut)
		case uspct.USPCT:
			fields = commonOptOuts(v.CoreSegment.SaleOptOut, v.CoreSegment.TargetedAdvertisingOptOut)
		default:
			if sec.GetID() == constants.SectionTCFEU2 {
				tcf, err := parseTCF(sec.GetValue(), "gpp:tcfeuv2:", "TCF EU v2 section of the GPP string", CodeMalformedGPP)
				if err != nil {
					return nil, err
				}
				out = append(out, tcf...)
			}
			// Sections go-gpp does not decode give no choice.
			continue
		}
		out, err = appendOptOuts(out, name, fields)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// optOut is one opt-out field of a US section.
type optOut struct {
	field string
	value byte
	scope string
}

func commonOptOuts(sale, targeted byte) []optOut {
	return []optOut{
		{"SaleOptOut", sale, ScopeSaleSharing},
		{"TargetedAdvertisingOptOut", targeted, ScopeTargetedAdvertising},
	}
}

// appendOptOuts turns the 2-bit opt-out values of the GPP US sections into
// choices: 0 not applicable (no choice), 1 opted out, 2 did not opt out.
func appendOptOuts(out []Choice, section string, fields []optOut) ([]Choice, error) {
	for _, f := range fields {
		switch f.value {
		case 0:
		case 1:
			out = append(out, Choice{Purpose: f.scope, Granted: false, Source: "gpp:" + section + ":" + f.field})
		case 2:
			out = append(out, Choice{Purpose: f.scope, Granted: true, Source: "gpp:" + section + ":" + f.field})
		default:
			return nil, invalid(CodeMalformedGPP, nil, "The %s field of the %s section of the GPP string is %d, a value GPP does not define (0 not applicable, 1 opted out, 2 did not opt out).", f.field, section, f.value)
		}
	}
	return out, nil
}

// parseGPP runs go-gpp, turning a panic into an error.
func parseGPP(s string) (c gpp.GppContainer, errs []error, panicked error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Errorf("go-gpp panicked: %v", r)
		}
	}()
	c, errs = gpp.Parse(s)
	return c, errs, nil
}

// gppSectionError names the first section go-gpp could not decode. go-gpp
// leaves a zero section, whose ID is 0, in the place of each one it failed
// on, and returns the errors in section order.
func gppSectionError(c gpp.GppContainer, errs []error) error {
	cause := errors.Join(errs...)
	for i, sec := range c.Sections {
		if i < len(c.SectionTypes) && (sec == nil || sec.GetID() != c.SectionTypes[i]) {
			id := c.SectionTypes[i]
			return invalid(CodeMalformedGPP, cause, "The %s section (ID %d, section %d of the string) of the GPP string is malformed or cut short.", gppName(id), int(id), i+1)
		}
	}
	return invalid(CodeMalformedGPP, cause, "A section of the GPP string is malformed or cut short.")
}

// checkGPPHeader decodes the GPP header the way go-gpp does and checks it
// before go-gpp sees it: type 3, version 1, and a Fibonacci range of section
// IDs, one per section after it.
func checkGPPHeader(h string, sections int) error {
	bad := func(format string, args ...any) error {
		return invalid(CodeMalformedGPP, nil, format, args...)
	}
	if h == "" {
		return bad("The GPP string has no header before its first '~'.")
	}
	if len(h) > gppMaxHeader {
		return bad("The GPP header is %d characters long; a GPP header is a few characters.", len(h))
	}
	if msg := checkBase64URL(h, 0, "GPP string"); msg != "" {
		return bad("%s", msg)
	}
	if h[0] != 'D' {
		// 'D' is the 6-bit header type 3.
		if h[0] == 'C' || h[0] == 'B' {
			return bad("The string looks like a TCF string, not a GPP string: a GPP string starts with the header type 'D'.")
		}
		return bad("The GPP string does not start with a GPP header: a GPP string starts with 'D'.")
	}
	// go-gpp pads the last quantum with zero bits, then decodes.
	padded := h
	if len(padded)%4 != 0 {
		padded += "A"
	}
	b, err := base64.RawURLEncoding.DecodeString(padded)
	if err != nil {
		return invalid(CodeMalformedGPP, err, "The GPP header has %d characters, a length no base64 text can have: it is cut short.", len(h))
	}
	if len(b) < 3 {
		return bad("The GPP header is cut short: it has %d characters.", len(h))
	}
	r := &bitReader{b: b}
	typ, _ := r.read(6)
	if typ != gppHeaderType {
		return bad("The GPP header has type %d; a GPP header has type 3.", typ)
	}
	version, _ := r.read(6)
	if version != gppHeaderVersion {
		return bad("The GPP header has version %d; only GPP version 1 is defined.", version)
	}
	entries, ok := r.read(12)
	if !ok {
		return bad("The GPP header is cut short before its list of sections.")
	}
	count, maxID := 0, 0
	for i := 0; i < entries; i++ {
		isRange, ok := r.read(1)
		if !ok {
			return bad("The GPP header is cut short in its list of sections.")
		}
		first, err := readFibonacci(r)
		if err != nil {
			return err
		}
		start, end := maxID+first, maxID+first
		if isRange == 1 {
			span, err := readFibonacci(r)
			if err != nil {
				return err
			}
			end = start + span
		}
		if end > gppMaxSectionID {
			return bad("The GPP header lists section ID %d; section IDs this large are not defined.", end)
		}
		maxID = end
		count += end - start + 1
	}
	if count != sections {
		return bad("The GPP header lists %s, but %d follow it.", plural(count, "section"), sections)
	}
	return nil
}

// readFibonacci reads one Fibonacci-coded integer of the GPP header: bit k
// (from 1) weighs the (k+1)th Fibonacci number 1, 2, 3, 5, 8, …, and the
// code word ends with two 1 bits in a row.
func readFibonacci(r *bitReader) (int, error) {
	v, a, b := 0, 1, 2 // a is the weight of the current bit, b the next
	prev := 0
	for n := 1; ; n++ {
		if n > gppMaxFibBits {
			return 0, invalid(CodeMalformedGPP, nil, "The GPP header holds a section ID too large to be valid.")
		}
		bit, ok := r.read(1)
		if !ok {
			return 0, invalid(CodeMalformedGPP, nil, "The GPP header is cut short in its list of sections.")
		}
		if bit == 1 && prev == 1 {
			return v, nil
		}
		if bit == 1 {
			v += a
		}
		prev = bit
		a, b = b, a+b
	}
}

// plural writes n and a noun, in the singular when n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
