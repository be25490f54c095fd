package redisconn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/custos-privacy/custos/connector"
)

// raw is a value as Redis holds it, before it is typed by the dataset. Hash
// fields are always strings; a JSON object's members keep their JSON kind, so
// that an untyped 42 becomes int64 but an untyped "42" stays a string.
type raw struct {
	s    string
	kind byte // kindStr, kindNum, kindBool, kindNull or kindJSON
}

const (
	kindStr  = 's'
	kindNum  = 'n'
	kindBool = 'b'
	kindNull = 'z'
	kindJSON = 'o' // an object or array, kept as compact JSON text
)

// toString renders a value the way it is stored in a key or a hash field.
func toString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case int:
		return strconv.Itoa(v), nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", fmt.Errorf("a non-finite number cannot be stored")
		}
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32), nil
	case bool:
		return strconv.FormatBool(v), nil
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	case json.Number:
		return v.String(), nil
	default:
		// Only the type: the value may be personal.
		return "", fmt.Errorf("values of type %T cannot be stored", v)
	}
}

// toJSON renders a value as a member of a JSON object.
func toJSON(v any) (json.RawMessage, error) {
	switch v := v.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case time.Time:
		return json.Marshal(v.Format(time.RFC3339Nano))
	case []byte:
		return json.Marshal(string(v))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("a non-finite number cannot be stored")
		}
	case string, bool, int64, int, int32, uint64, float32, json.Number:
	default:
		return nil, fmt.Errorf("values of type %T cannot be stored", v)
	}
	return json.Marshal(v)
}

// fromJSON reads a member of a JSON object into a raw value.
func fromJSON(m json.RawMessage) (raw, error) {
	m = bytes.TrimSpace(m)
	if len(m) == 0 {
		return raw{kind: kindNull}, nil
	}
	switch m[0] {
	case 'n':
		return raw{kind: kindNull}, nil
	case 't', 'f':
		return raw{s: string(m), kind: kindBool}, nil
	case '"':
		var s string
		if err := json.Unmarshal(m, &s); err != nil {
			return raw{}, err
		}
		return raw{s: s, kind: kindStr}, nil
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, m); err != nil {
			return raw{}, err
		}
		return raw{s: b.String(), kind: kindJSON}, nil
	default:
		return raw{s: string(m), kind: kindNum}, nil
	}
}

// typed converts a raw value to the Row value its declared data type asks
// for. A value that does not parse as its declared type is returned as it
// is held rather than failing the whole read.
func typed(r raw, dataType string) any {
	if r.kind == kindNull {
		return nil
	}
	switch dataType {
	case "integer":
		if n, err := strconv.ParseInt(r.s, 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(r.s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f)
		}
	case "float", "number":
		if f, err := strconv.ParseFloat(r.s, 64); err == nil {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(r.s); err == nil {
			return b
		}
	case "string":
		return r.s
	}
	switch r.kind {
	case kindNum:
		if n, err := strconv.ParseInt(r.s, 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(r.s, 64); err == nil {
			return f
		}
	case kindBool:
		return r.s == "true"
	}
	return r.s
}

// canon is the form two values of a field are compared in: Redis holds
// strings, so "7" in a hash and int64(7) from a where clause must meet, and
// so must "07" and 7 in an integer field.
func canon(s, dataType string) string {
	switch dataType {
	case "integer":
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
	case "float", "number":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	case "boolean":
		if b, err := strconv.ParseBool(s); err == nil {
			return strconv.FormatBool(b)
		}
	}
	return s
}

// matcher holds a where clause in canonical form.
type matcher map[string]map[string]bool

func newMatcher(c *collection, where map[string][]any) (matcher, error) {
	m := matcher{}
	for f, vals := range where {
		fld := c.Field(f)
		if fld == nil {
			return nil, fmt.Errorf("redisconn: collection %q: where names %q, which is not a declared field", c.Name, f)
		}
		for _, v := range vals {
			if v == nil {
				continue // nothing equals NULL, as in SQL
			}
			s, err := toString(v)
			if err != nil {
				return nil, fmt.Errorf("redisconn: collection %q: where %q: %w", c.Name, f, err)
			}
			if m[f] == nil {
				m[f] = map[string]bool{}
			}
			m[f][canon(s, fld.DataType)] = true
		}
	}
	return m, nil
}

// match reports whether any where field holds any of its values in rec.
func (m matcher) match(c *collection, rec map[string]raw) bool {
	for f, vals := range m {
		r, ok := rec[f]
		if !ok || r.kind == kindNull {
			continue
		}
		if vals[canon(r.s, c.Field(f).DataType)] {
			return true
		}
	}
	return false
}

// onlyTemplate reports whether every where field is a template field, so
// keys can be filtered from their names alone.
func (m matcher) onlyTemplate(t *template) bool {
	for f := range m {
		if !t.has(f) {
			return false
		}
	}
	return true
}

// row builds the Row of a record: every declared field, nil when absent.
func (c *collection) row(rec map[string]raw) connector.Row {
	row := make(connector.Row, len(c.Fields))
	for _, f := range c.Fields {
		r, ok := rec[f.Name]
		if !ok {
			row[f.Name] = nil
			continue
		}
		row[f.Name] = typed(r, f.DataType)
	}
	return row
}
