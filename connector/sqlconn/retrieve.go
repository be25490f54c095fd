package sqlconn

import (
	"context"
	"fmt"
	"strings"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// term is one field's part of a WHERE clause: an IN list, or on PostgreSQL
// one array compared with = ANY.
type term struct {
	field string // quoted column
	vals  []any  // IN list
	array any    // typed slice for = ANY
}

// Retrieve selects the declared fields of the rows where any field holds
// any of its values, in one statement unless the values overflow maxParams.
func (c *conn) Retrieve(ctx context.Context, col *dataset.Collection, where map[string][]any) ([]connector.Row, error) {
	rt, err := c.plan(col, where)
	if err != nil || rt == nil {
		return nil, err
	}
	for _, s := range rt.stmts {
		rows, err := c.query(ctx, col, s)
		if err != nil {
			return nil, rt.fail(err)
		}
		rt.keep(rows)
	}
	return rt.out, nil
}

// retrieval is one Retrieve: its statements, and the rows kept so far.
type retrieval struct {
	col   *dataset.Collection
	stmts []*stmt
	wants map[string]*wanted
	pk    []string
	seen  map[string]bool // when several statements may return one row
	out   []connector.Row
}

func (rt *retrieval) fail(err error) error {
	return fmt.Errorf("sqlconn: retrieve from table %q: %w", rt.col.Name, err)
}

// keep adds the rows of one statement that hold a value asked for exactly
// (the database may compare more loosely), once each.
func (rt *retrieval) keep(rows []connector.Row) {
	for _, r := range rows {
		if !matches(r, rt.wants) {
			continue
		}
		if rt.seen != nil {
			k := rowKey(r, rt.pk, rt.col)
			if rt.seen[k] {
				continue
			}
			rt.seen[k] = true
		}
		rt.out = append(rt.out, r)
	}
}

// plan makes the statements of a Retrieve; nil when nothing can match.
func (c *conn) plan(col *dataset.Collection, where map[string][]any) (*retrieval, error) {
	if col == nil {
		return nil, fmt.Errorf("sqlconn: retrieve: no collection given")
	}
	rt := &retrieval{col: col, wants: map[string]*wanted{}, pk: col.PrimaryKey()}
	table, err := c.dialect.table(col.Name)
	if err != nil {
		return nil, rt.fail(err)
	}
	cols, err := c.dialect.names(col)
	if err != nil {
		return nil, rt.fail(err)
	}
	for name := range where {
		if col.Field(name) == nil {
			return nil, rt.fail(fmt.Errorf("the dataset declares no field %q in this collection", name))
		}
	}

	// Terms follow the declaration order so that the same request issues
	// the same statement, which the server's statement cache can reuse.
	var terms []term
	for i, f := range col.Fields {
		given, ok := where[f.Name]
		if !ok {
			continue
		}
		vals, err := lookupValues(given, f)
		if err != nil {
			return nil, rt.fail(err)
		}
		if len(vals) == 0 {
			continue
		}
		terms = append(terms, term{field: cols[i], vals: vals})
		rt.wants[f.Name] = newWanted(vals)
	}
	if len(terms) == 0 {
		return nil, nil // nothing can match: no need to ask
	}

	batches := c.batch(terms)
	if len(batches) > 1 {
		// A row can match one field in one chunk and another in the next.
		rt.seen = map[string]bool{}
	}
	for _, b := range batches {
		s := &stmt{d: c.dialect}
		s.sql("SELECT ", strings.Join(cols, ", "), " FROM ", table, " WHERE ")
		for i, t := range b {
			if i > 0 {
				s.sql(" OR ")
			}
			if t.array != nil {
				s.sql(t.field, " = ANY(").arg(t.array).sql(")")
			} else {
				s.rowIn([]string{t.field}, one(t.vals))
			}
		}
		rt.stmts = append(rt.stmts, s)
	}
	return rt, nil
}

// lookupValues normalises the values asked of field f, leaving out nil
// (NULL equals nothing), duplicates, and values the declared type cannot
// hold.
func lookupValues(given []any, f *dataset.Field) ([]any, error) {
	seen := make(map[string]bool, len(given))
	out := make([]any, 0, len(given))
	for _, v := range given {
		a, err := argValue(v)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Name, err)
		}
		if a == nil {
			continue
		}
		a, ok := coerce(a, f)
		if !ok {
			continue
		}
		k := canon(a)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, a)
	}
	return out, nil
}

// batch splits terms into statements of at most maxParams placeholders. On
// PostgreSQL each field's values are one array parameter, so a Retrieve
// there is one statement however many values it carries.
func (c *conn) batch(terms []term) [][]term {
	var (
		out    [][]term
		cur    []term
		weight int
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur, weight = nil, 0
		}
	}
	for _, t := range terms {
		if c.dialect == postgres {
			if arr, ok := pgArray(t.vals); ok {
				if weight+1 > maxParams {
					flush()
				}
				cur = append(cur, term{field: t.field, array: arr})
				weight++
				continue
			}
		}
		for vals := t.vals; len(vals) > 0; {
			if weight == maxParams {
				flush()
			}
			n := min(maxParams-weight, len(vals))
			cur = append(cur, term{field: t.field, vals: vals[:n]})
			weight += n
			vals = vals[n:]
		}
	}
	flush()
	return out
}

// query runs a SELECT of col's declared fields and normalises the values.
func (c *conn) query(ctx context.Context, col *dataset.Collection, s *stmt) ([]connector.Row, error) {
	rows, err := c.db.QueryContext(ctx, s.String(), s.args...)
	if err != nil {
		return nil, c.safe(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, c.safe(err)
	}
	if len(types) != len(col.Fields) {
		return nil, fmt.Errorf("the database returned %d columns for %d fields", len(types), len(col.Fields))
	}
	dbTypes := make([]string, len(types))
	for i, t := range types {
		dbTypes[i] = t.DatabaseTypeName()
	}
	vals := make([]any, len(col.Fields))
	ptrs := make([]any, len(col.Fields))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []connector.Row
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, c.safe(err)
		}
		r := make(connector.Row, len(col.Fields))
		for i, f := range col.Fields {
			r[f.Name] = rowValue(vals[i], dbTypes[i], f)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, c.safe(err)
	}
	return out, nil
}

// matches reports whether the row holds, in any field asked about, exactly
// one of the values given for it.
func matches(r connector.Row, wants map[string]*wanted) bool {
	for f, w := range wants {
		if w.has(r[f]) {
			return true
		}
	}
	return false
}

// rowKey identifies a row: by its primary key, or by all its values when
// the collection has none.
func rowKey(r connector.Row, pk []string, col *dataset.Collection) string {
	var vs []any
	if len(pk) > 0 {
		for _, k := range pk {
			vs = append(vs, r[k])
		}
	} else {
		for _, f := range col.Fields {
			vs = append(vs, r[f.Name])
		}
	}
	return canonAll(vs)
}

// one turns a list of values into one-column keys.
func one(vals []any) [][]any {
	out := make([][]any, len(vals))
	for i, v := range vals {
		out[i] = []any{v}
	}
	return out
}
