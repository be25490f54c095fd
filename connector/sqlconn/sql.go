package sqlconn

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/custos-privacy/custos/dataset"
)

// quoteIdent quotes one identifier: names come from dataset files, and a
// column called "time" or "order" must still work.
func (d dialect) quoteIdent(name string) string {
	q := `"`
	if d == mysql {
		q = "`"
	}
	return q + strings.ReplaceAll(name, q, q+q) + q
}

// table quotes a collection name as a table, "schema.table" as two parts.
func (d dialect) table(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) {
		return "", errors.New("the collection has no valid table name")
	}
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return "", fmt.Errorf("table name %q has more than one '.': write schema.table", name)
	}
	for i, p := range parts {
		if p == "" {
			return "", fmt.Errorf("table name %q has an empty part", name)
		}
		parts[i] = d.quoteIdent(p)
	}
	return strings.Join(parts, "."), nil
}

// column quotes a field name; it is never split, since a dot in a field name
// is part of the name.
func (d dialect) column(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) {
		return "", errors.New("a field has no valid name")
	}
	return d.quoteIdent(name), nil
}

// stmt builds one statement and its arguments, numbering placeholders the
// way the dialect wants them.
type stmt struct {
	d    dialect
	sb   strings.Builder
	args []any
}

func (s *stmt) sql(parts ...string) *stmt {
	for _, p := range parts {
		s.sb.WriteString(p)
	}
	return s
}

// param is v as it travels to the database.
func (d dialect) param(v any) any {
	if d == postgres {
		return pgText(v)
	}
	return v
}

// arg adds v as the next argument and writes its placeholder.
func (s *stmt) arg(v any) *stmt {
	s.args = append(s.args, s.d.param(v))
	if s.d == postgres {
		var buf [24]byte
		s.sb.Write(strconv.AppendInt(append(buf[:0], '$'), int64(len(s.args)), 10))
	} else {
		s.sb.WriteString("?")
	}
	return s
}

func (s *stmt) String() string { return s.sb.String() }

// changed writes ` AND (a <differs from> ? OR …)`: rows that already hold
// the new values are left alone. A rerun after a crash between a write and
// its checkpoint then writes nothing again, so each row is written once
// (triggers and replication see one change), and a second identical update
// counts 0.
func (s *stmt) changed(sets []string, vals []any) {
	s.sql(" AND (")
	for i, set := range sets {
		if i > 0 {
			s.sql(" OR ")
		}
		switch s.d {
		case postgres:
			s.sql(set, " IS DISTINCT FROM ").arg(vals[i])
		case mysql:
			// As text: MySQL would otherwise compare a text column with a
			// number numerically, and fail on every value that is no number.
			s.sql("NOT (", set, " <=> CAST(").arg(vals[i]).sql(" AS CHAR))")
		default:
			s.sql(set, " IS NOT ").arg(vals[i])
		}
	}
	s.sql(")")
}

// rowIn writes `(a, b) IN ((?, ?), …)` (or `a IN (?, …)` for one column)
// for the tuples in keys.
func (s *stmt) rowIn(cols []string, keys [][]any) {
	if len(cols) == 1 {
		s.sql(cols[0], " IN (")
		for i, k := range keys {
			if i > 0 {
				s.sql(", ")
			}
			s.arg(k[0])
		}
		s.sql(")")
		return
	}
	s.sql("(", strings.Join(cols, ", "), ") IN (")
	for i, k := range keys {
		if i > 0 {
			s.sql(", ")
		}
		s.sql("(")
		for j, v := range k {
			if j > 0 {
				s.sql(", ")
			}
			s.arg(v)
		}
		s.sql(")")
	}
	s.sql(")")
}

// keyMatch writes the condition matching keys on the primary key columns:
// `pk = ANY($n)` on PostgreSQL for a one-column key (one statement however
// many keys), row-value IN lists otherwise.
func (s *stmt) keyMatch(cols []string, keys [][]any) {
	if s.d == postgres && len(cols) == 1 {
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = k[0]
		}
		if arr, ok := pgArray(vals); ok {
			s.sql(cols[0], " = ANY(").arg(arr).sql(")")
			return
		}
	}
	s.rowIn(cols, keys)
}

// keysPerStatement is how many keys of width cols fit one statement
// besides the extra placeholders it already holds.
func (d dialect) keysPerStatement(cols, extra int, keys [][]any) int {
	if d == postgres && cols == 1 && len(keys) > 0 {
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = k[0]
		}
		if _, ok := pgArray(vals); ok {
			return len(keys) // one array parameter, whatever its length
		}
	}
	n := (maxParams - extra) / cols
	if n < 1 {
		n = 1
	}
	return n
}

// names quotes the declared fields of c in declaration order.
func (d dialect) names(c *dataset.Collection) ([]string, error) {
	if len(c.Fields) == 0 {
		return nil, fmt.Errorf("collection %q declares no fields", c.Name)
	}
	cols := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		if f == nil {
			return nil, fmt.Errorf("collection %q has an empty field entry", c.Name)
		}
		q, err := d.column(f.Name)
		if err != nil {
			return nil, fmt.Errorf("collection %q: %w", c.Name, err)
		}
		cols[i] = q
	}
	return cols, nil
}
