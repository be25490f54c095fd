package connected

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"unicode/utf8"

	"github.com/custos-privacy/custos/dataset"
)

// strategy is the masking that applies to a field: its own override, else
// the collection's, else null.
func strategy(c *dataset.Collection, f *dataset.Field) dataset.Masking {
	if f.Masking != nil {
		return *f.Masking
	}
	if c.Masking != nil && c.Masking.Strategy != dataset.MaskDelete {
		return *c.Masking
	}
	return dataset.Masking{Strategy: dataset.MaskNull}
}

// mask computes the masked value of one field of one row.
func (s *Service) mask(m dataset.Masking, f *dataset.Field, v any) (any, error) {
	return s.masker().mask(m, f, v)
}

// masker masks many rows in a row: it keeps one HMAC, reset for each
// value, rather than a new one per value (an erasure of 10^5 rows with
// per-row masks allocated little else). Not safe for concurrent use.
type masker struct {
	secret []byte
	mac    hash.Hash
	sum    []byte
}

func (s *Service) masker() *masker { return &masker{secret: s.MaskSecret} }

func (mk *masker) mask(m dataset.Masking, f *dataset.Field, v any) (any, error) {
	switch m.Strategy {
	case dataset.MaskNull, "":
		return nil, nil
	case dataset.MaskString:
		return fit(m.Value+m.Suffix, f.Length), nil
	case dataset.MaskRandomString:
		if v == nil {
			return nil, nil // nothing to hide, and nothing to invent
		}
		n := m.Length
		if n <= 0 {
			if str, ok := v.(string); ok {
				n = utf8.RuneCountInString(str)
			}
		}
		if n <= 0 {
			n = 12
		}
		out, err := randomLetters(n)
		return fit(out, f.Length), err
	case dataset.MaskHMAC, dataset.MaskHash:
		if v == nil {
			return nil, nil
		}
		if mk.mac == nil {
			mk.mac = hmac.New(sha256.New, mk.secret)
		} else {
			mk.mac.Reset()
		}
		if str, ok := v.(string); ok {
			_, _ = io.WriteString(mk.mac, str) // what fmt.Fprint writes of a string
		} else {
			fmt.Fprint(mk.mac, v)
		}
		mk.sum = mk.mac.Sum(mk.sum[:0])
		return fit(hex.EncodeToString(mk.sum), f.Length), nil
	}
	return nil, fmt.Errorf("dsr: unknown masking strategy %q", m.Strategy)
}

// fit cuts a mask to a field's declared length, so the write cannot fail on
// a column too narrow for it.
func fit(s string, length int) string {
	if length > 0 && utf8.RuneCountInString(s) > length {
		r := []rune(s)
		return string(r[:length])
	}
	return s
}

func randomLetters(n int) (string, error) {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	// Random bytes below 208 (4 × 52) map evenly onto the letters; the
	// others are drawn again, so no letter is likelier than another.
	const limit = 4 * len(letters)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, letters[int(c)%len(letters)])
			}
		}
	}
	return string(out), nil
}
