package connected

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
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

func encodeRows(rows []connector.Row) ([]byte, error) {
	out := make([]map[string]tagged, len(rows))
	for i, r := range rows {
		m := make(map[string]tagged, len(r))
		for k, v := range r {
			switch x := v.(type) {
			case nil:
				m[k] = tagged{}
			case int64:
				m[k] = tagged{T: "i", V: strconv.FormatInt(x, 10)}
			case int:
				m[k] = tagged{T: "i", V: strconv.Itoa(x)}
			case float64:
				m[k] = tagged{T: "f", V: strconv.FormatFloat(x, 'g', -1, 64)}
			case bool:
				m[k] = tagged{T: "b", V: strconv.FormatBool(x)}
			case string:
				m[k] = text(x)
			case []byte:
				m[k] = text(string(x))
			case time.Time:
				m[k] = tagged{T: "t", V: x.UTC().Format(time.RFC3339Nano)}
			default:
				m[k] = tagged{T: "s", V: fmt.Sprint(x)}
			}
		}
		out[i] = m
	}
	return json.Marshal(out)
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
