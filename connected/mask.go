package connected

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
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
		mac := hmac.New(sha256.New, s.MaskSecret)
		fmt.Fprint(mac, v)
		return fit(hex.EncodeToString(mac.Sum(nil)), f.Length), nil
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
	b := make([]byte, n)
	max := big.NewInt(int64(len(letters)))
	for i := range b {
		x, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = letters[x.Int64()]
	}
	return string(b), nil
}
