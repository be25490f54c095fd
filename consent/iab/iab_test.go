package iab

import (
	"encoding/base64"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/taxonomy"
	gpp "github.com/prebid/go-gpp"
	"github.com/prebid/go-gpp/constants"
	"github.com/prebid/go-gpp/sections"
	"github.com/prebid/go-gpp/sections/uspca"
	"github.com/prebid/go-gpp/sections/uspco"
	"github.com/prebid/go-gpp/sections/uspct"
	"github.com/prebid/go-gpp/sections/uspnat"
	"github.com/prebid/go-gpp/sections/usput"
	"github.com/prebid/go-gpp/sections/uspva"
)

// Public example strings. iabTCF is the TC string of the IAB GPP
// documentation (go-gpp's tests use it too); go-gdpr reads it as vendor list
// 126, CMP 31, no purpose consented. The GPP strings are go-gpp's test
// vectors, whose fields its tests spell out.
const (
	iabTCF     = "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"
	iabGPPTCF  = "DBABMA~" + iabTCF                   // section 2
	iabGPPTCF5 = "DBABM~" + iabTCF                    // the same, header not padded to a base64 quantum
	iabGPPBoth = "DBACNY~" + iabTCF + "~1YNN"         // sections 2 and 6 (uspv1, not decoded)
	iabGPPNat  = "DBABLA~DSJgmkoZJSA.YA"              // usnat: SaleOptOut 2, SharingOptOut 0, TargetedAdvertisingOptOut 0, GPC
	iabGPPCA   = "DBABBgA~xlgWEYCZAA"                 // usca: SaleOptOut 2, SharingOptOut 0
	iabGPPVA   = "DBABRgA~bSFgmiU"                    // usva: SaleOptOut 0, TargetedAdvertisingOptOut 1
	hangingGPP = "DBABVVVVVVVVVVVVVWA~DSJgmkoZJSA.YA" // a 70-bit Fibonacci code word: go-gpp never returns
)

// bitWriter builds the bit strings of both formats.
type bitWriter struct{ bits []byte }

func (w *bitWriter) add(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v>>i&1))
	}
}

func (w *bitWriter) flag(b bool) {
	if b {
		w.add(1, 1)
	} else {
		w.add(0, 1)
	}
}

// fibonacci adds n in the Fibonacci coding of GPP headers (weights 1, 2, 3,
// 5, …, then a closing 1).
func (w *bitWriter) fibonacci(n int) {
	weights := []int{1, 2}
	for weights[len(weights)-1] <= n {
		weights = append(weights, weights[len(weights)-1]+weights[len(weights)-2])
	}
	bits := make([]uint64, len(weights))
	for i := len(weights) - 1; i >= 0; i-- {
		if weights[i] <= n {
			bits[i] = 1
			n -= weights[i]
		}
	}
	for len(bits) > 0 && bits[len(bits)-1] == 0 {
		bits = bits[:len(bits)-1]
	}
	for _, b := range bits {
		w.add(b, 1)
	}
	w.add(1, 1)
}

func (w *bitWriter) bytes() []byte {
	out := make([]byte, (len(w.bits)+7)/8)
	for i, b := range w.bits {
		out[i/8] |= b << (7 - i%8)
	}
	return out
}

func (w *bitWriter) base64() string { return base64.RawURLEncoding.EncodeToString(w.bytes()) }

// tcString describes a TC string, encoded field by field as the TCF v2
// specification lays out the core segment.
type tcString struct {
	version             int   // 0 means 2
	vendorListVersion   int   // 0 means 150; -1 encodes 0
	consents            []int // purposes with PurposesConsent set
	legitimateInterests []int // purposes with PurposesLITransparency set
	purposeOneTreatment bool
	vendors             []int // vendors with consent
	rangeEncoding       bool
	truncate            int      // cut the core segment to this many bytes
	segments            []string // further segments (disclosed vendors, publisher TC)
}

func bitset(ids []int, n int) uint64 {
	var v uint64
	for _, id := range ids {
		v |= 1 << (n - id)
	}
	return v
}

func (tc tcString) encode() string {
	version, vlv := tc.version, tc.vendorListVersion
	if version == 0 {
		version = 2
	}
	switch vlv {
	case 0:
		vlv = 150
	case -1:
		vlv = 0
	}
	when := uint64(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Unix() * 10) // deciseconds
	w := &bitWriter{}
	w.add(uint64(version), 6)
	w.add(when, 36)                               // Created
	w.add(when, 36)                               // LastUpdated
	w.add(300, 12)                                // CmpId
	w.add(2, 12)                                  // CmpVersion
	w.add(1, 6)                                   // ConsentScreen
	w.add('E'-'A', 6)                             // ConsentLanguage "EN"
	w.add('N'-'A', 6)                             //
	w.add(uint64(vlv), 12)                        // VendorListVersion
	w.add(4, 6)                                   // TcfPolicyVersion (TCF v2.2)
	w.add(1, 1)                                   // IsServiceSpecific
	w.add(0, 1)                                   // UseNonStandardTexts
	w.add(0, 12)                                  // SpecialFeatureOptIns
	w.add(bitset(tc.consents, 24), 24)            // PurposesConsent
	w.add(bitset(tc.legitimateInterests, 24), 24) // PurposesLITransparency
	w.flag(tc.purposeOneTreatment)                // PurposeOneTreatment
	w.add('D'-'A', 6)                             // PublisherCC "DE"
	w.add('E'-'A', 6)                             //
	maxVendor := 0
	for _, v := range tc.vendors {
		maxVendor = max(maxVendor, v)
	}
	w.add(uint64(maxVendor), 16) // vendor consent section: MaxVendorId
	w.flag(tc.rangeEncoding)     // IsRangeEncoding
	if tc.rangeEncoding {
		w.add(uint64(len(tc.vendors)), 12) // NumEntries
		for _, v := range tc.vendors {
			w.add(0, 1) // IsARange
			w.add(uint64(v), 16)
		}
	} else {
		for id := 1; id <= maxVendor; id++ {
			w.flag(slices.Contains(tc.vendors, id))
		}
	}
	w.add(0, 16) // vendor legitimate interest section: MaxVendorId
	w.add(0, 1)  // IsRangeEncoding
	w.add(0, 12) // NumPubRestrictions
	b := w.bytes()
	if tc.truncate > 0 {
		b = b[:tc.truncate]
	}
	return strings.Join(append([]string{base64.RawURLEncoding.EncodeToString(b)}, tc.segments...), ".")
}

// disclosedVendors is a Disclosed Vendors segment naming vendors 1 and 2.
func disclosedVendors() string {
	w := &bitWriter{}
	w.add(1, 3)  // SegmentType
	w.add(2, 16) // MaxVendorId
	w.add(0, 1)  // IsRangeEncoding
	w.add(3, 2)  // vendors 1 and 2
	return w.base64()
}

// gppHeader encodes a GPP header by hand, for headers go-gpp's Encode
// refuses to write.
func gppHeader(version int, ranges ...[2]int) string {
	w := &bitWriter{}
	w.add(3, 6)
	w.add(uint64(version), 6)
	w.add(uint64(len(ranges)), 12)
	prev := 0
	for _, r := range ranges {
		if r[0] == r[1] {
			w.add(0, 1)
			w.fibonacci(r[0] - prev)
		} else {
			w.add(1, 1)
			w.fibonacci(r[0] - prev)
			w.fibonacci(r[1] - r[0])
		}
		prev = r[1]
	}
	return w.base64()
}

// tcfSection is a TCF EU v2 section for go-gpp's Encode, which has no type of
// its own for it.
type tcfSection string

func (s tcfSection) GetID() constants.SectionID { return constants.SectionTCFEU2 }
func (s tcfSection) GetValue() string           { return string(s) }
func (s tcfSection) Encode(bool) []byte         { return []byte(s) }

func usnat(sale, sharing, targeted byte) gpp.Section {
	return uspnat.USPNAT{
		SectionID: constants.SectionUSPNAT,
		CoreSegment: uspnat.USPNATCoreSegment{
			Version: 1, SharingNotice: 1, SaleOptOutNotice: 1, SharingOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1,
			SaleOptOut: sale, SharingOptOut: sharing, TargetedAdvertisingOptOut: targeted,
			SensitiveDataProcessing: make([]byte, 12), KnownChildSensitiveDataConsents: make([]byte, 2),
			MspaCoveredTransaction: 2, MspaOptOutOptionMode: 2, MspaServiceProviderMode: 2,
		},
		GPCSegment: sections.CommonUSGPCSegment{SubsectionType: 1, Gpc: true},
	}
}

func usca(sale, sharing byte) gpp.Section {
	return uspca.USPCA{
		SectionID: constants.SectionUSPCA,
		CoreSegment: uspca.USPCACoreSegment{
			Version: 1, SaleOptOutNotice: 1, SharingOptOutNotice: 1, SaleOptOut: sale, SharingOptOut: sharing,
			SensitiveDataProcessing: make([]byte, 9), KnownChildSensitiveDataConsents: make([]byte, 2),
			MspaCoveredTransaction: 2, MspaOptOutOptionMode: 2, MspaServiceProviderMode: 2,
		},
		GPCSegment: sections.CommonUSGPCSegment{SubsectionType: 1},
	}
}

func common(sale, targeted byte, sensitive, child int) sections.CommonUSCoreSegment {
	return sections.CommonUSCoreSegment{
		Version: 1, SharingNotice: 1, SaleOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1,
		SaleOptOut: sale, TargetedAdvertisingOptOut: targeted,
		SensitiveDataProcessing: make([]byte, sensitive), KnownChildSensitiveDataConsents: make([]byte, child),
		MspaCoveredTransaction: 2, MspaOptOutOptionMode: 2, MspaServiceProviderMode: 2,
	}
}

func usva(sale, targeted byte) gpp.Section {
	return uspva.USPVA{SectionID: constants.SectionUSPVA, CoreSegment: common(sale, targeted, 8, 1)}
}

func usco(sale, targeted byte) gpp.Section {
	return uspco.USPCO{SectionID: constants.SectionUSPCO, CoreSegment: common(sale, targeted, 7, 1),
		GPCSegment: sections.CommonUSGPCSegment{SubsectionType: 1}}
}

func usct(sale, targeted byte) gpp.Section {
	return uspct.USPCT{SectionID: constants.SectionUSPCT, CoreSegment: common(sale, targeted, 8, 3),
		GPCSegment: sections.CommonUSGPCSegment{SubsectionType: 1}}
}

func usut(sale, targeted byte) gpp.Section {
	return usput.USPUT{SectionID: constants.SectionUSPUT, CoreSegment: usput.USPUTCoreSegment{
		Version: 1, SharingNotice: 1, SaleOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1,
		SaleOptOut: sale, TargetedAdvertisingOptOut: targeted, SensitiveDataProcessing: make([]byte, 8),
		MspaCoveredTransaction: 2, MspaOptOutOptionMode: 2, MspaServiceProviderMode: 2,
	}}
}

func encodeGPP(t testing.TB, secs ...gpp.Section) string {
	t.Helper()
	s, err := gpp.Encode(secs)
	if err != nil {
		t.Fatalf("gpp.Encode: %v", err)
	}
	return s
}

// tcfChoices is every choice of a TC string whose consented purposes are
// granted, with sources under prefix.
func tcfChoices(prefix string, skipPurposeOne bool, granted ...int) []Choice {
	var out []Choice
	for p := 1; p <= 11; p++ {
		if p == 1 && skipPurposeOne {
			continue
		}
		for _, use := range TCFPurposes()[p] {
			out = append(out, Choice{use, slices.Contains(granted, p), prefix + "purpose:" + strconv.Itoa(p)})
		}
	}
	return out
}

func TestTCFPurposesAreFideslangDataUses(t *testing.T) {
	t.Parallel()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	table := TCFPurposes()
	if len(table) != 11 {
		t.Errorf("TCFPurposes has %d purposes, want the 11 of TCF v2", len(table))
	}
	seen := map[string]int{}
	for p := 1; p <= 11; p++ {
		uses := table[p]
		if len(uses) == 0 {
			t.Errorf("purpose %d maps to no data use", p)
		}
		for _, use := range uses {
			if !tax.Uses.Has(use) {
				t.Errorf("purpose %d maps to %q, which is not a fideslang data use; near: %v", p, use, tax.Uses.Suggest(use))
			}
			if q, dup := seen[use]; dup {
				t.Errorf("%q is mapped from purposes %d and %d", use, q, p)
			}
			seen[use] = p
		}
	}
	for _, scope := range []string{ScopeSaleSharing, ScopeTargetedAdvertising} {
		if tax.Uses.Has(scope) {
			t.Errorf("reserved scope %q collides with a fideslang data use", scope)
		}
	}
	table[1][0] = "changed"
	if TCFPurposes()[1][0] != "functional.storage" {
		t.Error("TCFPurposes returns the package's own table")
	}
}

func TestParseTCF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Choice
	}{
		{
			name: "purposes 1 and 3 granted, 4 not",
			in:   tcString{consents: []int{1, 3}, vendors: []int{2, 5, 8}}.encode(),
			want: []Choice{
				{"functional.storage", true, "tcf:purpose:1"},
				{"marketing.advertising.serving", false, "tcf:purpose:2"},
				{"marketing.advertising.first_party.contextual", false, "tcf:purpose:2"},
				{"marketing.advertising.profiling", true, "tcf:purpose:3"},
				{"marketing.advertising.first_party.targeted", false, "tcf:purpose:4"},
				{"marketing.advertising.third_party.targeted", false, "tcf:purpose:4"},
				{"personalize.content.profiling", false, "tcf:purpose:5"},
				{"personalize.content.profiled", false, "tcf:purpose:6"},
				{"analytics.reporting.ad_performance", false, "tcf:purpose:7"},
				{"analytics.reporting.content_performance", false, "tcf:purpose:8"},
				{"analytics.reporting", false, "tcf:purpose:9"},
				{"functional.service.improve", false, "tcf:purpose:10"},
				{"personalize.content.limited", false, "tcf:purpose:11"},
			},
		},
		{
			name: "every purpose granted, range-encoded vendors",
			in:   tcString{consents: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, vendors: []int{1, 755}, rangeEncoding: true}.encode(),
			want: tcfChoices("tcf:", false, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
		},
		{
			name: "no purpose granted: the IAB example string",
			in:   iabTCF,
			want: tcfChoices("tcf:", false),
		},
		{
			name: "legitimate interest is not consent",
			in:   tcString{legitimateInterests: []int{2, 7, 8, 9, 10, 11}}.encode(),
			want: tcfChoices("tcf:", false),
		},
		{
			name: "purpose one treatment: purpose 1 was not disclosed",
			in:   tcString{consents: []int{1, 2}, purposeOneTreatment: true}.encode(),
			want: tcfChoices("tcf:", true, 2),
		},
		{
			name: "bits past purpose 11 give no choice",
			in:   tcString{consents: []int{5, 12, 24}}.encode(),
			want: tcfChoices("tcf:", false, 5),
		},
		{
			name: "further segments are read past",
			in:   tcString{consents: []int{7}, segments: []string{disclosedVendors()}}.encode(),
			want: tcfChoices("tcf:", false, 7),
		},
		{
			name: "surrounding white space",
			in:   " " + tcString{consents: []int{10}}.encode() + "\n",
			want: tcfChoices("tcf:", false, 10),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTCF(tt.in)
			if err != nil {
				t.Fatalf("ParseTCF: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseTCF\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestParseTCFErrors(t *testing.T) {
	t.Parallel()
	valid := tcString{consents: []int{1}}.encode()
	tests := []struct {
		name string
		in   string
		want string // in the message
	}{
		{"empty", "", "The TCF string is empty."},
		{"blank", " \t\n", "The TCF string is empty."},
		{"not base64url", "CPX+xRf", `Character 4 of the TCF string is "+"`},
		{"padding", valid + "==", `is "="`},
		{"non-ASCII", "CPXé", "Character 4 of the TCF string is a non-ASCII byte"},
		{"empty segment", valid + ".", "Segment 2 of the TCF string is empty"},
		{"impossible length", "CPXxR", "a length no base64 text can have"},
		{"TCF v1", "BONciguONcjGKADACHENAOLS1rAHDAFAAEAASABQAMwAeACEAFw", "is a TCF v1 string; only TCF v2 strings are accepted"},
		{"version 3", tcString{version: 3}.encode(), "has version 3; only TCF v2"},
		{"core cut short", valid[:20], "is 15 bytes long; a TCF v2 core segment has at least 29"},
		{"vendor list version 0", tcString{vendorListVersion: -1}.encode(), "names vendor list version 0"},
		{"vendor bit field cut short", tcString{vendors: []int{1, 100}, truncate: 30}.encode(), "vendor sections of the TCF string are malformed or cut short"},
		// go-gdpr panics on this one: it ends right after the MaxVendorId of
		// the legitimate-interest section and go-gdpr reads the next bit.
		{"ends after legitimate-interest MaxVendorId", tcString{vendors: []int{2}, truncate: 31}.encode(), "vendor sections of the TCF string are malformed or cut short"},
		{"a GPP string", iabGPPTCF, `Character 7 of the TCF string is "~"`},
		{"too long", strings.Repeat("C", maxLen+1), "characters long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTCF(tt.in)
			checkInvalid(t, got, err, CodeMalformedTCF, tt.want)
		})
	}
}

func checkInvalid(t *testing.T, got []Choice, err error, code, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, got %v", got)
	}
	if got != nil {
		t.Errorf("choices %v returned with an error", got)
	}
	var e *custos.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is a %T, not a *custos.Error", err, err)
	}
	if e.Kind != custos.KindInvalid || e.Code != code {
		t.Errorf("error kind %d code %q, want KindInvalid %q", e.Kind, e.Code, code)
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("message %q does not say %q", e.Message, want)
	}
}

func TestParseGPP(t *testing.T) {
	t.Parallel()
	tcf13 := tcString{consents: []int{1, 3}}.encode()
	tests := []struct {
		name string
		in   string
		want []Choice
	}{
		{
			name: "usnat opted out of sale",
			in:   encodeGPP(t, usnat(1, 0, 0)),
			want: []Choice{{ScopeSaleSharing, false, "gpp:usnat:SaleOptOut"}},
		},
		{
			name: "usnat every field",
			in:   encodeGPP(t, usnat(2, 1, 1)),
			want: []Choice{
				{ScopeSaleSharing, true, "gpp:usnat:SaleOptOut"},
				{ScopeSaleSharing, false, "gpp:usnat:SharingOptOut"},
				{ScopeTargetedAdvertising, false, "gpp:usnat:TargetedAdvertisingOptOut"},
			},
		},
		{
			name: "usnat all not applicable",
			in:   encodeGPP(t, usnat(0, 0, 0)),
			want: nil,
		},
		{
			name: "usca",
			in:   encodeGPP(t, usca(1, 2)),
			want: []Choice{{ScopeSaleSharing, false, "gpp:usca:SaleOptOut"}, {ScopeSaleSharing, true, "gpp:usca:SharingOptOut"}},
		},
		{
			name: "usva",
			in:   encodeGPP(t, usva(2, 1)),
			want: []Choice{{ScopeSaleSharing, true, "gpp:usva:SaleOptOut"}, {ScopeTargetedAdvertising, false, "gpp:usva:TargetedAdvertisingOptOut"}},
		},
		{
			name: "usco",
			in:   encodeGPP(t, usco(1, 2)),
			want: []Choice{{ScopeSaleSharing, false, "gpp:usco:SaleOptOut"}, {ScopeTargetedAdvertising, true, "gpp:usco:TargetedAdvertisingOptOut"}},
		},
		{
			name: "usut",
			in:   encodeGPP(t, usut(1, 0)),
			want: []Choice{{ScopeSaleSharing, false, "gpp:usut:SaleOptOut"}},
		},
		{
			name: "usct",
			in:   encodeGPP(t, usct(0, 1)),
			want: []Choice{{ScopeTargetedAdvertising, false, "gpp:usct:TargetedAdvertisingOptOut"}},
		},
		{
			name: "TCF EU v2 section",
			in:   encodeGPP(t, tcfSection(tcf13)),
			want: tcfChoices("gpp:tcfeuv2:", false, 1, 3),
		},
		{
			name: "several sections, in section order",
			in:   encodeGPP(t, usca(2, 1), usnat(1, 0, 2), tcfSection(tcf13)),
			want: append(tcfChoices("gpp:tcfeuv2:", false, 1, 3),
				Choice{ScopeSaleSharing, false, "gpp:usnat:SaleOptOut"},
				Choice{ScopeTargetedAdvertising, true, "gpp:usnat:TargetedAdvertisingOptOut"},
				Choice{ScopeSaleSharing, true, "gpp:usca:SaleOptOut"},
				Choice{ScopeSaleSharing, false, "gpp:usca:SharingOptOut"},
			),
		},
		{
			name: "no sections",
			in:   encodeGPP(t),
			want: nil,
		},
		{name: "IAB TCF example", in: iabGPPTCF, want: tcfChoices("gpp:tcfeuv2:", false)},
		{name: "IAB TCF example, short header", in: iabGPPTCF5, want: tcfChoices("gpp:tcfeuv2:", false)},
		{name: "uspv1 is skipped", in: iabGPPBoth, want: tcfChoices("gpp:tcfeuv2:", false)},
		{name: "go-gpp usnat vector", in: iabGPPNat, want: []Choice{{ScopeSaleSharing, true, "gpp:usnat:SaleOptOut"}}},
		{name: "go-gpp usca vector", in: iabGPPCA, want: []Choice{{ScopeSaleSharing, true, "gpp:usca:SaleOptOut"}}},
		{name: "go-gpp usva vector", in: iabGPPVA, want: []Choice{{ScopeTargetedAdvertising, false, "gpp:usva:TargetedAdvertisingOptOut"}}},
		{name: "unknown section is skipped", in: gppHeader(1, [2]int{30, 30}) + "~AAAA", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseGPP(tt.in)
			if err != nil {
				t.Fatalf("ParseGPP(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseGPP(%q)\n got %v\nwant %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseGPPErrors(t *testing.T) {
	t.Parallel()
	nat := encodeGPP(t, usnat(1, 0, 0))
	natHeader, natSection, _ := strings.Cut(nat, "~")
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "The GPP string is empty."},
		{"no header", "~" + natSection, "no header"},
		{"a TCF string", iabTCF, "looks like a TCF string"},
		{"not a header", "XBABLA~" + natSection, "does not start with a GPP header"},
		{"header not base64url", "DB*BLA~" + natSection, `Character 3 of the GPP string is "*"`},
		{"header cut short", "DB~" + natSection, "The GPP header is cut short"},
		{"version 2", gppHeader(2, [2]int{7, 7}) + "~" + natSection, "version 2; only GPP version 1"},
		{"header without sections", natHeader, "lists 1 section, but 0 follow it"},
		{"header lists fewer", natHeader + "~" + natSection + "~" + natSection, "lists 1 section, but 2 follow it"},
		{"header lists more", "DBACNY~" + iabTCF, "lists 2 sections, but 1 follow it"},
		{"Fibonacci code word too long", hangingGPP, "section ID too large"},
		{"section ID 65535", gppHeader(1, [2]int{1, 65535}) + "~" + natSection, "section ID 65535"},
		{"header too long", "D" + strings.Repeat("A", gppMaxHeader) + "~" + natSection, "a GPP header is a few characters"},
		{"empty section", "DBACNY~~1YNN", "Section 1 of the GPP string is empty"},
		{"section not base64url", natHeader + "~" + natSection[:4] + "*", `Character 12 of the GPP string is "*"`},
		{"usnat cut short", natHeader + "~" + natSection[:3], "The usnat section (ID 7, section 1 of the string) of the GPP string is malformed"},
		{"usnat GPC subsection malformed", natHeader + "~" + strings.Split(natSection, ".")[0] + ".AA", "usnat section"},
		{"opt-out value 3", encodeGPP(t, usnat(3, 0, 0)), "The SaleOptOut field of the usnat section of the GPP string is 3"},
		{"bad TCF section", "DBABMA~" + iabTCF[:10], "TCF EU v2 section of the GPP string"},
		{"TCF v1 in the TCF section", "DBABMA~BONciguONcjGKADACHENAOLS1rAHDAFAAEAASABQAMwAeACEAFw", "TCF EU v2 section of the GPP string is a TCF v1 string"},
		{"too long", "DBABLA~" + strings.Repeat("A", maxLen), "characters long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				got  []Choice
				err  error
				done = make(chan struct{})
			)
			go func() { defer close(done); got, err = ParseGPP(tt.in) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ParseGPP did not return")
			}
			checkInvalid(t, got, err, CodeMalformedGPP, tt.want)
		})
	}
}

// seeds are strings for the fuzz targets: every valid string of the tests,
// and a few broken ones.
func seeds(f *testing.F) []string {
	return []string{
		tcString{consents: []int{1, 3}, vendors: []int{2, 5, 8}}.encode(),
		tcString{consents: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, vendors: []int{1, 755}, rangeEncoding: true}.encode(),
		tcString{consents: []int{1, 2}, purposeOneTreatment: true, segments: []string{disclosedVendors()}}.encode(),
		tcString{vendors: []int{2}, truncate: 31}.encode(),
		iabTCF,
		encodeGPP(f, usnat(1, 2, 0)),
		encodeGPP(f, usca(2, 1), usnat(1, 0, 2), usva(1, 1), usco(2, 2), usut(1, 2), usct(2, 1), tcfSection(iabTCF)),
		iabGPPTCF, iabGPPTCF5, iabGPPBoth, iabGPPNat, iabGPPCA, iabGPPVA, hangingGPP,
		"", "D", "DBABLA~", "C",
	}
}

func FuzzParseTCF(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	table := TCFPurposes()
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTCF(s)
		if err != nil {
			checkFuzzError(t, got, err, CodeMalformedTCF)
			return
		}
		for _, c := range got {
			n, ok := strings.CutPrefix(c.Source, "tcf:purpose:")
			if !ok || !slices.Contains(table[atoi(n)], c.Purpose) {
				t.Fatalf("choice %v is not in the TCF table", c)
			}
		}
	})
}

func FuzzParseGPP(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	table := TCFPurposes()
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseGPP(s)
		if err != nil {
			checkFuzzError(t, got, err, CodeMalformedGPP)
			return
		}
		for _, c := range got {
			if n, ok := strings.CutPrefix(c.Source, "gpp:tcfeuv2:purpose:"); ok {
				if !slices.Contains(table[atoi(n)], c.Purpose) {
					t.Fatalf("choice %v is not in the TCF table", c)
				}
				continue
			}
			if c.Purpose != ScopeSaleSharing && c.Purpose != ScopeTargetedAdvertising || !strings.HasPrefix(c.Source, "gpp:us") {
				t.Fatalf("choice %v is neither TCF nor a US opt-out", c)
			}
		}
	})
}

func checkFuzzError(t *testing.T, got []Choice, err error, code string) {
	t.Helper()
	var e *custos.Error
	switch {
	case err.Error() == "":
		t.Fatal("empty error message")
	case !errors.As(err, &e) || e.Kind != custos.KindInvalid || e.Code != code || e.Message == "":
		t.Fatalf("error %v is not an invalid-input error with code %s and a message", err, code)
	case got != nil:
		t.Fatalf("choices %v returned with error %v", got, err)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
