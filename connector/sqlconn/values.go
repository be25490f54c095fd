package sqlconn

import (
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos/dataset"
)

// argValue brings a value handed in by the caller to the types of
// connector.Row, so that statements and comparisons see one representation.
// The error names the type only, never the value.
func argValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, int64, float64, bool:
		return x, nil
	case time.Time:
		return x.UTC(), nil
	case []byte:
		return string(x), nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		if uint64(x) <= math.MaxInt64 {
			return int64(x), nil
		}
		return strconv.FormatUint(uint64(x), 10), nil
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), nil
		}
		return strconv.FormatUint(x, 10), nil
	case float32:
		return float64(x), nil
	}
	return nil, fmt.Errorf("values of type %T are not supported", v)
}

// coerce converts v to the field's declared data type when that loses
// nothing: an order id that reached the planner as the integer 7 is looked
// up as "7" in a string column, which PostgreSQL would otherwise refuse and
// MySQL would compare as numbers (where 'abc' = 0). ok is false when v can
// never equal a value of that type; v is then returned unchanged.
func coerce(v any, f *dataset.Field) (_ any, ok bool) {
	if f == nil || v == nil {
		return v, true
	}
	switch f.DataType {
	case "string":
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10), true
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), true
		}
	case "integer":
		switch x := v.(type) {
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, true
			}
			return v, false
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), true
			}
			return v, false
		case bool:
			return v, false
		}
	case "float":
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case string:
			if n, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return n, true
			}
			return v, false
		case bool:
			return v, false
		}
	case "boolean":
		switch x := v.(type) {
		case int64:
			if x == 0 || x == 1 {
				return x == 1, true
			}
			return v, false
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, true
			}
			return v, false
		}
	}
	return v, true
}

// pgArray turns values into one array parameter for = ANY($n), or reports
// that they do not fit (a nil). The array travels as its text literal: a
// string goes in text format at once, where a []string would be tried in
// binary against the column's array type first, and fail expensively,
// on every statement.
func pgArray(vals []any) (any, bool) {
	if len(vals) == 0 {
		return nil, false
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		s, ok := pgText(v).(string)
		if !ok {
			return nil, false
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), true
}

// pgText is how a value travels to PostgreSQL: as text, which the server
// parses as the column's own type. Binary parameters would have pgx refuse
// an integer for a text column or a boolean for an integer one whenever the
// dataset leaves data_type out or gets it wrong; text lets the server decide,
// as MySQL and SQLite do, and the inferred parameter type keeps the index.
func pgText(v any) any {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return v
}

// rowValue brings a scanned value to the types of connector.Row. dbType is
// the column's type as the driver names it: MySQL's text protocol hands
// numbers over as bytes.
func rowValue(v any, dbType string, f *dataset.Field) any {
	var out any
	switch x := v.(type) {
	case nil, string, int64, bool:
		out = x
	case time.Time:
		out = x.UTC()
	case float64:
		out = x
		if strings.EqualFold(dbType, "FLOAT4") {
			// pgx widens real to float64: undo as for float32 below.
			out, _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', -1, 32), 64)
		}
	case []byte:
		out = bytesValue(x, dbType)
	case float32:
		// Through its shortest decimal form: float64(float32(0.1)) is
		// 0.10000000149011612, not what the column shows.
		out, _ = strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	default:
		if a, err := argValue(x); err == nil {
			out = a
		} else if dv, ok := x.(driver.Valuer); ok {
			if y, err := dv.Value(); err == nil {
				return rowValue(y, dbType, f)
			}
			out = fmt.Sprint(x)
		} else {
			out = fmt.Sprint(x)
		}
	}
	// Booleans are integers in MySQL (TINYINT(1)) and SQLite; the dataset
	// says which columns mean true and false.
	if f != nil && f.DataType == "boolean" {
		if n, ok := out.(int64); ok && (n == 0 || n == 1) {
			out = n == 1
		}
	}
	return out
}

func bytesValue(b []byte, dbType string) any {
	s := string(b)
	switch strings.ToUpper(dbType) {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "YEAR",
		"UNSIGNED TINYINT", "UNSIGNED SMALLINT", "UNSIGNED MEDIUMINT", "UNSIGNED INT", "UNSIGNED BIGINT":
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case "FLOAT", "DOUBLE", "REAL":
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return n
		}
	}
	return s
}

// canon is a type-tagged text form of v, for grouping identical values and
// keys in maps.
func canon(v any) string { return string(appendCanon(nil, v)) }

// appendCanon appends canon(v) to b. A string goes as its length and its
// bytes, not quoted: quoting cost more than the rest of grouping an
// erasure's 10^5 per-row masks, and a length prefix keeps the form
// unambiguous, also in a sequence of values (canonAll).
func appendCanon(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case string:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		return append(b, x...)
	case int64:
		return strconv.AppendInt(append(b, 'i'), x, 10)
	case float64:
		return strconv.AppendFloat(append(b, 'f'), x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(append(b, 'b'), x)
	case time.Time:
		return x.UTC().AppendFormat(append(b, 't'), time.RFC3339Nano)
	}
	return fmt.Appendf(b, "?%T", v)
}

func canonAll(vs []any) string {
	var b []byte
	for _, v := range vs {
		b = appendCanon(b, v)
		b = append(b, 0)
	}
	return string(b)
}

// wanted holds the values asked for in one field, to check the database's
// matches against. Databases compare more loosely than "the value given":
// MySQL's default collations ignore case and trailing spaces, citext and
// COLLATE NOCASE columns ignore case, and MySQL compares a string column
// with a number as numbers ('7abc' = 7). A person's access request must not
// return someone else's row because of that.
type wanted struct {
	strs    map[string]bool  // strings, exactly as given
	strNums map[float64]bool // strings given that read as numbers, for numeric columns
	ints    map[int64]bool   // integers given
	floats  map[float64]bool // floating-point numbers given
	bools   map[bool]bool    // booleans given, for integer columns holding 0 and 1
	// times records that times were given: matching them against text
	// (SQLite keeps times as text) is left to the database.
	times bool
}

func newWanted(vals []any) *wanted {
	w := &wanted{strs: map[string]bool{}, strNums: map[float64]bool{}, ints: map[int64]bool{},
		floats: map[float64]bool{}, bools: map[bool]bool{}}
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			w.strs[x] = true
			if n, err := strconv.ParseFloat(x, 64); err == nil {
				w.strNums[n] = true
			}
		case int64:
			w.ints[x] = true
		case float64:
			w.floats[x] = true
		case bool:
			w.bools[x] = true
		case time.Time:
			w.times = true
		}
	}
	return w
}

// has reports whether the database's value v is one of the values asked for.
func (w *wanted) has(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		if w.strs[x] {
			return true
		}
		// A number asked of a text column (or of PostgreSQL's numeric,
		// which reads as text): the text must be that number.
		if n, err := strconv.ParseInt(x, 10, 64); err == nil && w.ints[n] {
			return true
		}
		if n, err := strconv.ParseFloat(x, 64); err == nil && w.floats[n] {
			return true
		}
		return w.times
	case int64:
		return w.ints[x] || w.floats[float64(x)] || w.strs[strconv.FormatInt(x, 10)] ||
			((x == 0 || x == 1) && w.bools[x == 1])
	case float64:
		return w.floats[x] || w.strNums[x] || (x == math.Trunc(x) && math.Abs(x) < 1<<63 && w.ints[int64(x)])
	}
	return true // booleans and times: the database compared them exactly
}
