package records

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"slices"
	"strings"
	"unicode"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
)

// PhoneCategory is the data category whose values are the phone identities
// Custos keeps a blind index of.
const PhoneCategory = "user.contact.phone_number"

// MatchDataPoints compares the values a person gives for some data
// categories with what Custos holds about subjectID, for the stronger
// identity check of 11 CCR §7062(c), and returns the categories whose
// value matched. A phone number is compared by its blind index with the
// subject's phone identities (normalised in region first), so no phone is
// decrypted; any other category's value with the values of the subject's
// recorded events of that category or one under it (user.contact.address
// covers user.contact.address.street), opened here and compared as
// fingerprints of their normalised text. Nothing given or read leaves this
// function: the audit entry names the categories compared and how many
// matched, never a value. A subject with no key (erased) matches nothing.
func (s *Service) MatchDataPoints(ctx context.Context, actor, reason, subjectID, region string, given map[string]string) ([]string, error) {
	if len(given) == 0 {
		return nil, nil
	}
	row, err := s.store.Subject(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	matched := map[string]bool{}
	if p, ok := given[PhoneCategory]; ok {
		if n, err := NormalisePhone(p, region); err == nil {
			found, err := s.store.IdentitiesByBlind(ctx, [][]byte{s.blind.Sum(custos.IdentityPhone, n)})
			if err != nil {
				return nil, err
			}
			for _, id := range found {
				if id.SubjectID == subjectID && id.Kind == custos.IdentityPhone {
					matched[PhoneCategory] = true
				}
			}
		}
	}
	want := map[string][]byte{}
	for c, v := range given {
		if c != PhoneCategory {
			if f := fingerprint(v); f != nil {
				want[c] = f
			}
		}
	}
	if len(want) > 0 && row.WrappedKey != nil {
		key, err := s.key(subjectID, row.WrappedKey)
		if err != nil {
			return nil, err
		}
		evs, err := s.store.SubjectEvents(ctx, subjectID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.Sealed == nil {
				continue
			}
			for c, f := range want {
				if matched[c] || (e.Category != c && !strings.HasPrefix(e.Category, c+".")) {
					continue
				}
				pt, err := key.Open(e.Sealed, eventField+e.Category)
				if err != nil {
					return nil, err
				}
				if hmac.Equal(fingerprint(string(pt)), f) {
					matched[c] = true
				}
			}
		}
	}
	out := make([]string, 0, len(matched))
	compared := make([]string, 0, len(given))
	for c := range given {
		compared = append(compared, c)
		if matched[c] {
			out = append(out, c)
		}
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "subject.match", Object: "subject:" + subjectID,
			Detail: map[string]any{"reason": reason, "compared": sortedCopy(compared), "matched": len(out)}})
		return err
	})
	return sortedCopy(out), err
}

// fingerprint is a value's normalised text hashed, so two values are
// compared in constant time whatever their lengths: lower-cased, every run of spaces and punctuation one space, trimmed. "" (or
// nothing but punctuation) has none and matches nothing.
func fingerprint(v string) []byte {
	var b strings.Builder
	space := false
	for _, r := range v {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		space = true
	}
	if b.Len() == 0 {
		return nil
	}
	sum := sha256.Sum256([]byte(b.String()))
	return sum[:]
}

func sortedCopy(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}
