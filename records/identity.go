package records

import (
	"strings"
	"unicode"

	"github.com/custos-privacy/custos"
)

// identity is one normalised identity of a subject reference.
type identity struct {
	kind, value string
}

// normalise checks a subject reference and returns its identities in a
// fixed order (email, phone, external id). field prefixes error fields.
func normalise(ref custos.SubjectRef, field string) ([]identity, error) {
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
		p, err := NormalisePhone(ref.Phone)
		if err != nil {
			return nil, invalid(field+".phone", "%s.phone must be an international number in E.164 form, such as +14155550100.", field)
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

// NormalisePhone reduces a phone number to E.164: a plus sign and 7 to 15
// digits. Spaces, dashes, dots and brackets are dropped and a leading 00 is
// read as +. A number without a country code is refused: guessing the
// country would link the wrong people.
func NormalisePhone(s string) (string, error) {
	var b strings.Builder
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	for i, r := range s {
		switch {
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", errBadIdentity
		}
	}
	p := b.String()
	if len(p) < 8 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return "", errBadIdentity
	}
	return p, nil
}

var errBadIdentity = custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "Not a valid identity.")

func invalid(field, format string, args ...any) error {
	e := custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, format, args...)
	e.Field = field
	return e
}
