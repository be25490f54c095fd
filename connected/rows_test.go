package connected

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// marshalRows is how checkpoints were written before encodeRows wrote its
// JSON itself: what it wrote must still open, and both must say the same.
func marshalRows(rows []connector.Row) []byte {
	out := make([]map[string]tagged, len(rows))
	for i, r := range rows {
		m := map[string]tagged{}
		for k, v := range r {
			b, _ := encodeRows([]connector.Row{{k: v}})
			var one []map[string]tagged
			if err := json.Unmarshal(b, &one); err != nil {
				panic(err)
			}
			m[k] = one[0][k]
		}
		out[i] = m
	}
	b, _ := json.Marshal(out)
	return b
}

func TestEncodeRowsIsJSON(t *testing.T) {
	t.Parallel()
	rows := []connector.Row{
		{"id": int64(-7), "name": `quote " back \ slash`, "ctl": "a\x00b\x1f\n\r\t", "html": "<a href='x'>&</a>", "u": "é \u2028 ✓"},
		{"n": nil, "f": 2.5, "b": true, "i": 42, "bin": string([]byte{0xff, 0x00}), "raw": []byte("bytes"), "t": time.Unix(1700000000, 5).UTC()},
		{},
		{"empty": ""},
	}
	b, err := encodeRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("encodeRows wrote invalid JSON: %s", b)
	}
	got, err := decodeRows(b)
	if err != nil {
		t.Fatal(err)
	}
	old, err := decodeRows(marshalRows(rows))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, old) {
		t.Fatalf("encodeRows and json.Marshal disagree:\n%#v\n%#v", got, old)
	}
	if got[0]["ctl"] != "a\x00b\x1f\n\r\t" || got[1]["bin"] != string([]byte{0xff, 0x00}) || got[1]["i"] != int64(42) {
		t.Fatalf("values changed on the way: %#v", got)
	}
}

// FuzzRowsRoundTrip: any string, as a value or a field name, comes back as
// it went.
func FuzzRowsRoundTrip(f *testing.F) {
	f.Add("name", "value", int64(1))
	f.Add("\"\\", "\x00\xff<>&\u2028", int64(-1))
	f.Fuzz(func(t *testing.T, k, v string, n int64) {
		in := []connector.Row{{k + "!": v, k + "#": n, k + "?": nil}}
		b, err := encodeRows(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRows(b)
		if err != nil {
			t.Fatalf("decodeRows(%q): %v", b, err)
		}
		want := in
		if !validKey(k) {
			return // JSON carries only UTF-8 names; dataset field names are
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %#v = %#v", in, got)
		}
	})
}

func validKey(k string) bool { return utf8.ValidString(k) }

// TestMaskerReuse: one masker over many rows gives each value the HMAC a
// fresh one gives it, and random masks use every letter and only letters.
func TestMaskerReuse(t *testing.T) {
	t.Parallel()
	s := New(Config{MaskSecret: []byte("secret")})
	hm := dataset.Masking{Strategy: dataset.MaskHMAC}
	f := &dataset.Field{Name: "x"}
	mk := s.masker()
	for _, v := range []any{"a", int64(7), "a", "", 2.5, "Zoë", int64(7)} {
		got, err := mk.mask(hm, f, v)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := s.masker().mask(hm, f, v)
		if got != want {
			t.Fatalf("mask of %#v: reused %v, fresh %v", v, got, want)
		}
	}
	seen := map[rune]bool{}
	for range 50 {
		out, err := randomLetters(40)
		if err != nil || len(out) != 40 {
			t.Fatalf("randomLetters(40) = %q, %v", out, err)
		}
		for _, c := range out {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				t.Fatalf("randomLetters gave %q", out)
			}
			seen[c] = true
		}
	}
	if len(seen) != 52 {
		t.Fatalf("2,000 random letters used %d of 52", len(seen))
	}
}
