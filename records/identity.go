package records

import (
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"

	"github.com/custos-privacy/custos"
)

// identity is one normalised identity of a subject reference.
type identity struct {
	kind, value string
}

// normalise checks a subject reference and returns its identities in a
// fixed order (email, phone, external id). field prefixes error fields.
func normalise(ref custos.SubjectRef, field string) ([]identity, error) {
	return normaliseIn(ref, field, "")
}

// normaliseIn is normalise with national phone numbers read in region.
func normaliseIn(ref custos.SubjectRef, field, region string) ([]identity, error) {
	if ref.Empty() {
		return nil, invalid(field, "%s needs at least one of email, phone or external_id.", field)
	}
	var out []identity
	if ref.Email != "" {
		e, err := NormaliseEmail(ref.Email)
		if err != nil {
			return nil, invalid(field+".email", "%s.email is not an e-mail address.", field)
		}
		out = append(out, identity{custos.IdentityEmail, e})
	}
	if ref.Phone != "" {
		p, err := NormalisePhone(ref.Phone, region)
		if err != nil && region == "" {
			return nil, invalid(field+".phone", "%s.phone must start with its country code, such as +1 415 555 0100; for a national number such as (415) 555-0100 send the event's jurisdiction (e.g. US-CA) or set phone_region in the manifest.", field)
		}
		if err != nil {
			return nil, invalid(field+".phone", "%s.phone is not a possible phone number in %s.", field, region)
		}
		out = append(out, identity{custos.IdentityPhone, p})
	}
	if ref.ExternalID != "" {
		x := strings.TrimSpace(ref.ExternalID)
		if x == "" || len(x) > 200 {
			return nil, invalid(field+".external_id", "%s.external_id must be 1 to 200 characters.", field)
		}
		out = append(out, identity{custos.IdentityExternalID, x})
	}
	return out, nil
}

// NormaliseEmail lowercases and trims an address, so addresses compare
// case-insensitively as people expect (RFC 5321 lets the local part be
// case-sensitive; no provider in practice treats it so).
func NormaliseEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 || len(e) > 254 || strings.Count(e, "@") != 1 ||
		!strings.Contains(e[at+1:], ".") || strings.IndexFunc(e, unicode.IsSpace) >= 0 ||
		strings.HasPrefix(e[at+1:], ".") || strings.HasSuffix(e, ".") {
		return "", errBadIdentity
	}
	return e, nil
}

// maxPhoneInput bounds what is handed to the phone parser.
const maxPhoneInput = 64

// NormalisePhone reduces a phone number to E.164 with libphonenumber's
// rules (nyaruka/phonenumbers, a maintained port): "+1 (415) 555-0100" and,
// with region "US", "(415) 555-0100" both become +14155550100, so an offline
// form and an online account meet as one person. region is an ISO 3166-1
// alpha-2 country (the event's jurisdiction or the manifest's phone_region);
// without one, a number must carry its country code (+ or 00): guessing the
// country would link the wrong people. Extensions are refused: they name a
// desk, not a person.
func NormalisePhone(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxPhoneInput {
		return "", errBadIdentity
	}
	for _, r := range s {
		// libphonenumber reads letters as keypad digits and words as
		// extensions; neither belongs in an identity.
		if unicode.IsLetter(r) || unicode.IsControl(r) {
			return "", errBadIdentity
		}
	}
	if strings.HasPrefix(s, "00") && region == "" {
		s = "+" + s[2:]
	}
	if region == "" && !strings.HasPrefix(s, "+") {
		return "", errBadIdentity
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(region))
	if err != nil || n.GetExtension() != "" || !phonenumbers.IsPossibleNumber(n) {
		return "", errBadIdentity
	}
	p := phonenumbers.Format(n, phonenumbers.E164)
	if len(p) < 8 || len(p) > 16 {
		return "", errBadIdentity
	}
	return p, nil
}

// PhoneRegion returns the country phone numbers are read in for a
// jurisdiction code such as "US-CA", "DE" or "CA-QC", or "" when the code
// names no single country (e.g. "EEA").
func PhoneRegion(jurisdiction string) string {
	c, _, _ := strings.Cut(strings.TrimSpace(jurisdiction), "-")
	c = strings.ToUpper(c)
	if len(c) != 2 || phonenumbers.GetCountryCodeForRegion(c) == 0 {
		return ""
	}
	return c
}

var errBadIdentity = custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "Not a valid identity.")

func invalid(field, format string, args ...any) error {
	e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, format, args...)
	e.Field = field
	return e
}
