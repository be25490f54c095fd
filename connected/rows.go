package connected

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/custos-privacy/custos/connector"
)

// Checkpoints keep found rows as JSON with each value tagged by its Go type,
// so that an integer key read back is still an integer and a time still a
// time: plain JSON would turn both into something a database compares
// differently.
type tagged struct {
	T string `json:"t,omitempty"` // "", i, f, b, s, t; x for a string that is not UTF-8, base64
	V string `json:"v,omitempty"`
}

// text tags a string: JSON would replace bytes that are not UTF-8 (a
// BINARY(16) key read as a string, say) with U+FFFD, and the key read back
// would then match no row.
func text(s string) tagged {
	if utf8.ValidString(s) {
		return tagged{T: "s", V: s}
	}
	return tagged{T: "x", V: base64.StdEncoding.EncodeToString([]byte(s))}
}

// encodeRows writes rows as decodeRows reads them: a JSON array of objects,
// each value tagged. It writes the JSON itself, keys sorted as
// encoding/json would, rather than building a map per row for json.Marshal:
// an erasure's checkpoint may hold 10^5 rows, and those maps were most of
// what sealing it allocated.
func encodeRows(rows []connector.Row) ([]byte, error) {
	b := make([]byte, 0, encodedSize(rows))
	b = append(b, '[')
	var names []string
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		names = names[:0]
		for k := range r {
			names = append(names, k)
		}
		slices.Sort(names)
		b = append(b, '{')
		for j, k := range names {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendTagged(b, r[k])
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// encodedSize is about what encodeRows writes of rows, so that its buffer
// is allocated once rather than doubled a dozen times for 10^5 rows.
func encodedSize(rows []connector.Row) int {
	n := 2
	for _, r := range rows {
		n += 3
		for k, v := range r {
			n += len(k) + 24 // quotes, colon, comma and the tag's object
			switch x := v.(type) {
			case string:
				n += len(x) + len(x)/8 // a little for escapes
			case []byte:
				n += len(x) + len(x)/8
			default:
				n += 24
			}
		}
	}
	return n
}

// appendTagged writes one value as its tagged object ({} for null).
func appendTagged(b []byte, v any) []byte {
	var t tagged
	switch x := v.(type) {
	case nil:
		return append(b, "{}"...)
	case int64:
		return append(strconv.AppendInt(append(b, `{"t":"i","v":"`...), x, 10), '"', '}')
	case int:
		return append(strconv.AppendInt(append(b, `{"t":"i","v":"`...), int64(x), 10), '"', '}')
	case float64:
		t = tagged{T: "f", V: strconv.FormatFloat(x, 'g', -1, 64)}
	case bool:
		t = tagged{T: "b", V: strconv.FormatBool(x)}
	case string:
		t = text(x)
	case []byte:
		t = text(string(x))
	case time.Time:
		t = tagged{T: "t", V: x.UTC().Format(time.RFC3339Nano)}
	default:
		t = tagged{T: "s", V: fmt.Sprint(x)}
	}
	b = append(b, `{"t":"`...)
	b = append(b, t.T...) // one of a few letters, nothing to escape
	b = append(b, '"')
	if t.V != "" {
		b = append(b, `,"v":`...)
		b = appendJSONString(b, t.V)
	}
	return append(b, '}')
}

// appendJSONString writes s, valid UTF-8 (text base64s what is not), as a
// JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func decodeRows(b []byte) ([]connector.Row, error) {
	var in []map[string]tagged
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&in); err != nil {
		return nil, err
	}
	rows := make([]connector.Row, len(in))
	for i, m := range in {
		r := make(connector.Row, len(m))
		for k, t := range m {
			var err error
			switch t.T {
			case "":
				r[k] = nil
			case "i":
				r[k], err = strconv.ParseInt(t.V, 10, 64)
			case "f":
				r[k], err = strconv.ParseFloat(t.V, 64)
			case "b":
				r[k], err = strconv.ParseBool(t.V)
			case "t":
				r[k], err = time.Parse(time.RFC3339Nano, t.V)
			case "x":
				var b []byte
				b, err = base64.StdEncoding.DecodeString(t.V)
				r[k] = string(b)
			default:
				r[k] = t.V
			}
			if err != nil {
				return nil, err
			}
		}
		rows[i] = r
	}
	return rows, nil
}

// keyOf renders a value as a map key, so values found in one collection can
// be deduplicated before they query the next.
func keyOf(v any) string {
	switch x := v.(type) {
	case time.Time:
		return "t" + x.UTC().Format(time.RFC3339Nano)
	case string:
		return "s" + x
	case []byte:
		return "s" + string(x)
	default:
		return fmt.Sprintf("%T%v", v, v)
	}
}
