package sqlconn

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"
	"slices"
	"strconv"
	"strings"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// errNoPrimaryKey explains why a collection cannot be written.
var errNoPrimaryKey = errors.New("the dataset marks no field of this collection as primary_key, so rows cannot be addressed one by one; mark the key fields (several for a composite key)")

// target is what Update and Delete need of a collection.
type target struct {
	col    *dataset.Collection
	table  string   // quoted
	pk     []string // field names
	pkCols []string // quoted
}

func (c *conn) target(col *dataset.Collection) (*target, error) {
	if col == nil {
		return nil, errors.New("no collection given")
	}
	table, err := c.dialect.table(col.Name)
	if err != nil {
		return nil, err
	}
	if _, err := c.dialect.names(col); err != nil {
		return nil, err
	}
	pk := col.PrimaryKey()
	if len(pk) == 0 {
		return nil, errNoPrimaryKey
	}
	t := &target{col: col, table: table, pk: pk}
	for _, k := range pk {
		q, err := c.dialect.column(k)
		if err != nil {
			return nil, err
		}
		t.pkCols = append(t.pkCols, q)
	}
	return t, nil
}

// key reads a primary key. ok is false when a value cannot be of the key's
// declared type, so no row can have it.
func (t *target) key(k connector.Row) (_ []any, ok bool, _ error) {
	for name := range k {
		if f := t.col.Field(name); f == nil || !slices.Contains(t.pk, name) {
			return nil, false, fmt.Errorf("the key names %q, which is not part of the primary key (%s)", name, strings.Join(t.pk, ", "))
		}
	}
	out := make([]any, len(t.pk))
	ok = true
	for i, name := range t.pk {
		v, has := k[name]
		if !has || v == nil {
			return nil, false, fmt.Errorf("the key has no value for primary key field %q", name)
		}
		a, err := argValue(v)
		if err != nil {
			return nil, false, fmt.Errorf("primary key field %q: %w", name, err)
		}
		var fits bool
		out[i], fits = coerce(a, t.col.Field(name))
		ok = ok && fits
	}
	return out, ok, nil
}

// update is the merged change of one row.
type update struct {
	key []any
	set map[string]any
}

// group is the rows that receive identical values.
type group struct {
	fields []*dataset.Field // set, in declaration order
	vals   []any
	keys   [][]any
}

// Update applies changes in one transaction (or one statement, atomic by
// itself). Rows that receive identical values (the usual erasure: every
// row of a person gets the same mask) are updated by one statement per
// chunk of keys; rows with values of their own run one statement per row,
// prepared once per set of fields except on PostgreSQL (see url.go).
func (c *conn) Update(ctx context.Context, col *dataset.Collection, changes []connector.Change) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	name := ""
	if col != nil {
		name = col.Name
	}
	fail := func(err error) error { return fmt.Errorf("sqlconn: update table %q: %w", name, err) }
	t, err := c.target(col)
	if err != nil {
		return 0, fail(err)
	}
	n, err := c.update(ctx, t, changes)
	if err != nil {
		return 0, fail(err)
	}
	return n, nil
}

func (c *conn) update(ctx context.Context, t *target, changes []connector.Change) (int64, error) {
	col := t.col
	rows, err := t.merge(changes)
	if err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	b, err := c.updateBatch(t, groupUpdates(col, rows))
	if err != nil {
		return 0, err
	}
	var n int64
	switch {
	case b.single():
		n, err = c.runUpdates(ctx, c.db, b)
	case c.dialect == postgres:
		n, err = c.pipeline(ctx, b.queue)
	default:
		err = c.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = c.runUpdates(ctx, tx, b)
			return err
		})
	}
	return n, err
}

// groupUpdates puts the rows that receive identical values (the same
// fields set to the same values) into one group, in the order first seen.
func groupUpdates(col *dataset.Collection, rows []*update) []*group {
	var (
		groups []*group
		byVals = make(map[string]*group, len(rows))
		sig    []byte // reused: a lookup by string(sig) allocates nothing
	)
	for _, u := range rows {
		sig = sig[:0]
		for _, f := range col.Fields {
			if v, ok := u.set[f.Name]; ok {
				sig = append(sig, f.Name...)
				sig = append(sig, 0)
				sig = appendCanon(sig, v)
				sig = append(sig, 0)
			}
		}
		if prev, ok := byVals[string(sig)]; ok {
			prev.keys = append(prev.keys, u.key)
			continue
		}
		g := &group{fields: make([]*dataset.Field, 0, len(u.set)), vals: make([]any, 0, len(u.set)), keys: [][]any{u.key}}
		for _, f := range col.Fields {
			if v, ok := u.set[f.Name]; ok {
				g.fields = append(g.fields, f)
				g.vals = append(g.vals, v)
			}
		}
		byVals[string(sig)] = g
		groups = append(groups, g)
	}
	return groups
}

// updateBatch is the statements of one Update. They are built before any
// runs, so that a call needing only one (the usual erasure of one person's
// rows in a collection) runs it alone: a single statement is atomic by
// itself, and BEGIN and COMMIT would be two more round trips to the
// company's database.
type updateBatch struct {
	// Per-row statements by SQL text (one per set of fields), in the order
	// first built, with the argument lists of their rows.
	order  []string
	shapes map[string][][]any
	// Statements that update a chunk of keys of one group each.
	stmts []*stmt
}

// updateBatch builds the statements for groups: one per-row statement for
// a group of one row, one statement per chunk of keys for a larger group.
func (c *conn) updateBatch(t *target, groups []*group) (*updateBatch, error) {
	b := &updateBatch{shapes: map[string][][]any{}}
	// Rows with values of their own (HMAC and random masks), by the fields
	// they set: on PostgreSQL and MySQL many of them go as a few joined
	// statements (valuesUpdate) rather than one each.
	var (
		ownOrder []string
		own      = map[string][]*group{}
	)
	for _, g := range groups {
		sets, err := c.setClause(g.fields)
		if err != nil {
			return nil, err
		}
		if len(g.keys) == 1 {
			sig := strings.Join(sets, ",")
			if _, ok := own[sig]; !ok {
				ownOrder = append(ownOrder, sig)
			}
			own[sig] = append(own[sig], g)
			continue
		}
		b.stmts = append(b.stmts, c.groupUpdate(t, sets, g)...)
	}
	for _, sig := range ownOrder {
		gs := own[sig]
		sets, _ := c.setClause(gs[0].fields)
		if len(gs) > 1 && c.dialect != sqlite {
			b.stmts = append(b.stmts, c.valuesUpdate(t, sets, gs)...)
			continue
		}
		for _, g := range gs {
			shape, args := c.rowUpdate(t, sets, g)
			if _, ok := b.shapes[shape]; !ok {
				b.order = append(b.order, shape)
			}
			b.shapes[shape] = append(b.shapes[shape], args)
		}
	}
	return b, nil
}

// valuesPerStatement bounds the placeholders of one joined update: both
// servers take 65,535; a few large statements cost less than many small.
const valuesPerStatement = 60_000

// valuesUpdate is the statements that give each row of gs (one key each)
// its own values, as a join on the rows' keys and values:
//
//	PostgreSQL: UPDATE t AS u SET f = v.s0 FROM (VALUES (COALESCE($1, (NULL::t).k),
//	            COALESCE($2, (NULL::t).f)), ($3, $4), …) AS v (k0, s0)
//	            WHERE u.k = v.k0 AND (u.f IS DISTINCT FROM v.s0)
//	MySQL:      UPDATE t AS u JOIN (SELECT ? AS k0, ? AS s0 UNION ALL SELECT ?, ? …) AS v
//	            ON u.k = v.k0 SET u.f = v.s0 WHERE (NOT (u.f <=> CAST(v.s0 AS CHAR)))
//
// The first row's COALESCE with a NULL of each column gives PostgreSQL the
// columns' types for the VALUES, whose parameters would otherwise be text
// (and a bigint key could not be compared with them). Rows that already
// hold their values are left alone, as in every update here.
func (c *conn) valuesUpdate(t *target, sets []string, gs []*group) []*stmt {
	width := len(t.pkCols) + len(sets)
	per := max(1, valuesPerStatement/width)
	var out []*stmt
	for chunk := range slices.Chunk(gs, per) {
		s := &stmt{d: c.dialect}
		names := make([]string, 0, width)
		for i := range t.pkCols {
			names = append(names, "k"+strconv.Itoa(i))
		}
		for i := range sets {
			names = append(names, "s"+strconv.Itoa(i))
		}
		cols := slices.Concat(t.pkCols, sets)
		row := func(g *group, first bool) {
			key := g.keys[0]
			for i := range width {
				var v any
				if i < len(key) {
					v = key[i]
				} else {
					v = g.vals[i-len(key)]
				}
				if i > 0 {
					s.sql(", ")
				}
				switch {
				case first && c.dialect == postgres:
					// The first row types the VALUES: each parameter as
					// its column is, read off the table's row type.
					s.sql("COALESCE(").arg(v).sql(", (NULL::", t.table, ").", cols[i], ")")
				case first:
					s.arg(v).sql(" AS ", names[i])
				default:
					s.arg(v)
				}
			}
		}
		if c.dialect == postgres {
			s.sql("UPDATE ", t.table, " AS u SET ")
			for i, set := range sets {
				if i > 0 {
					s.sql(", ")
				}
				s.sql(set, " = v.s", strconv.Itoa(i))
			}
			s.sql(" FROM (VALUES ")
			for i, g := range chunk {
				if i > 0 {
					s.sql(", ")
				}
				s.sql("(")
				row(g, i == 0)
				s.sql(")")
			}
			s.sql(") AS v (", strings.Join(names, ", "), ") WHERE ")
		} else {
			s.sql("UPDATE ", t.table, " AS u JOIN (")
			for i, g := range chunk {
				if i > 0 {
					s.sql(" UNION ALL ")
				}
				s.sql("SELECT ")
				row(g, i == 0)
			}
			s.sql(") AS v ON ")
		}
		for i, k := range t.pkCols {
			if i > 0 {
				s.sql(" AND ")
			}
			s.sql("u.", k, " = v.k", strconv.Itoa(i))
		}
		if c.dialect == mysql {
			s.sql(" SET ")
			for i, set := range sets {
				if i > 0 {
					s.sql(", ")
				}
				s.sql("u.", set, " = v.s", strconv.Itoa(i))
			}
			s.sql(" WHERE ")
		} else {
			s.sql(" AND ")
		}
		s.sql("(")
		for i, set := range sets {
			if i > 0 {
				s.sql(" OR ")
			}
			v := "v.s" + strconv.Itoa(i)
			if c.dialect == postgres {
				s.sql("u.", set, " IS DISTINCT FROM ", v)
			} else {
				s.sql("NOT (u.", set, " <=> CAST(", v, " AS CHAR))")
			}
		}
		s.sql(")")
		out = append(out, s)
	}
	return out
}

// rowUpdate is the per-row statement for the fields g sets, with its
// placeholders left open so that rows setting the same fields share its
// text, and the arguments of g's one row.
func (c *conn) rowUpdate(t *target, sets []string, g *group) (string, []any) {
	placeholders := make([]any, len(sets)) // bound per row, so rows setting these fields share the text
	s := c.updateSet(t, sets, placeholders)
	for i, k := range t.pkCols {
		if i > 0 {
			s.sql(" AND ")
		}
		s.sql(k, " = ").arg(nil)
	}
	s.changed(sets, placeholders)
	args := make([]any, 0, 2*len(g.vals)+len(g.keys[0]))
	for _, v := range slices.Concat(g.vals, g.keys[0], g.vals) {
		args = append(args, c.dialect.param(v))
	}
	return s.String(), args
}

// groupUpdate is the statements that give g's rows its values, one per
// chunk of keys.
func (c *conn) groupUpdate(t *target, sets []string, g *group) []*stmt {
	var stmts []*stmt
	per := c.dialect.keysPerStatement(len(t.pk), len(g.vals), g.keys)
	for chunk := range slices.Chunk(g.keys, per) {
		s := c.updateSet(t, sets, g.vals)
		s.keyMatch(t.pkCols, chunk)
		s.changed(sets, g.vals)
		stmts = append(stmts, s)
	}
	return stmts
}

// updateSet starts an UPDATE of t that sets each of sets to the value at
// its index in vals, up to its WHERE.
func (c *conn) updateSet(t *target, sets []string, vals []any) *stmt {
	s := &stmt{d: c.dialect}
	s.sql("UPDATE ", t.table, " SET ")
	for i, set := range sets {
		if i > 0 {
			s.sql(", ")
		}
		s.sql(set, " = ").arg(vals[i])
	}
	s.sql(" WHERE ")
	return s
}

// single reports a batch of one statement run once, which needs no
// transaction.
func (b *updateBatch) single() bool {
	return len(b.stmts)+len(b.order) == 1 && (len(b.order) == 0 || len(b.shapes[b.order[0]]) == 1)
}

// queue puts the batch's statements on a PostgreSQL pipeline, in the order
// runUpdates runs them.
func (b *updateBatch) queue(pb *pgx.Batch) {
	for _, shape := range b.order {
		for _, args := range b.shapes[shape] {
			pb.Queue(shape, args...)
		}
	}
	for _, s := range b.stmts {
		pb.Queue(s.String(), s.args...)
	}
}

// runUpdates runs the batch on q (the pool or a transaction): the per-row
// statements first, then the chunks; it returns the rows changed.
func (c *conn) runUpdates(ctx context.Context, q execer, b *updateBatch) (int64, error) {
	var n int64
	for _, shape := range b.order {
		m, err := c.execRows(ctx, q, shape, b.shapes[shape])
		n += m
		if err != nil {
			return n, err
		}
	}
	for _, s := range b.stmts {
		m, err := c.affected(q.ExecContext(ctx, s.String(), s.args...))
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// execRows runs one per-row statement with each of rows' argument lists.
// On PostgreSQL a statement is already one round trip (pgx's statement
// cache, or its exec mode if the URL asks for it), so preparing would only
// add one to prepare and one to close; elsewhere a statement prepared once
// serves its many rows.
func (c *conn) execRows(ctx context.Context, q execer, shape string, rows [][]any) (int64, error) {
	var n int64
	if len(rows) == 1 || c.dialect == postgres {
		for _, args := range rows {
			m, err := c.affected(q.ExecContext(ctx, shape, args...))
			n += m
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}
	ps, err := q.PrepareContext(ctx, shape)
	if err != nil {
		return 0, c.safe(err)
	}
	defer ps.Close()
	for _, args := range rows {
		m, err := c.affected(ps.ExecContext(ctx, args...))
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// affected is the rows a statement changed, its error made safe to show.
func (c *conn) affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, c.safe(err)
	}
	m, _ := res.RowsAffected()
	return m, nil
}

// execer is a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// merge checks changes and folds those of one row together, so that each
// row is written once and counted once. Two changes giving one field of one
// row different values are refused: which would win is not defined.
func (t *target) merge(changes []connector.Change) ([]*update, error) {
	var (
		out   []*update
		byKey = make(map[string]*update, len(changes))
	)
	for i, ch := range changes {
		key, ok, err := t.key(ch.Key)
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", i+1, err)
		}
		if len(ch.Set) == 0 {
			continue
		}
		set := make(map[string]any, len(ch.Set))
		for name, v := range ch.Set {
			f := t.col.Field(name)
			switch {
			case f == nil:
				return nil, fmt.Errorf("change %d sets %q, which the dataset does not declare", i+1, name)
			case f.PrimaryKey:
				return nil, fmt.Errorf("change %d sets %q, which is part of the primary key: keys are never rewritten", i+1, name)
			case f.ReadOnly:
				return nil, fmt.Errorf("change %d sets %q, which the dataset marks read-only", i+1, name)
			}
			a, err := argValue(v)
			if err != nil {
				return nil, fmt.Errorf("change %d, field %q: %w", i+1, name, err)
			}
			set[name], _ = coerce(a, f) // a value that does not fit is the database's to refuse
		}
		if !ok {
			continue // no row can have this key
		}
		k := canonAll(key)
		u, seen := byKey[k]
		if !seen {
			// The row's first change: its checked values are the row's.
			u = &update{key: key, set: set}
			byKey[k] = u
			out = append(out, u)
			continue
		}
		for name, v := range set {
			if prev, dup := u.set[name]; dup && canon(prev) != canon(v) {
				return nil, fmt.Errorf("change %d sets %q of a row that an earlier change sets to another value", i+1, name)
			}
			u.set[name] = v
		}
	}
	return out, nil
}

func (c *conn) setClause(fields []*dataset.Field) ([]string, error) {
	out := make([]string, len(fields))
	for i, f := range fields {
		q, err := c.dialect.column(f.Name)
		if err != nil {
			return nil, err
		}
		out[i] = q
	}
	return out, nil
}

// Delete removes the rows with these keys in one transaction (or one
// statement), in chunks of maxParams placeholders (one array on
// PostgreSQL for a one-column key).
func (c *conn) Delete(ctx context.Context, col *dataset.Collection, keys []connector.Row) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	name := ""
	if col != nil {
		name = col.Name
	}
	fail := func(err error) error { return fmt.Errorf("sqlconn: delete from table %q: %w", name, err) }
	t, err := c.target(col)
	if err != nil {
		return 0, fail(err)
	}
	n, err := c.delete(ctx, t, keys)
	if err != nil {
		return 0, fail(err)
	}
	return n, nil
}

func (c *conn) delete(ctx context.Context, t *target, keys []connector.Row) (int64, error) {
	var (
		list [][]any
		seen = map[string]bool{}
		err  error
	)
	for i, k := range keys {
		key, ok, err := t.key(k)
		if err != nil {
			return 0, fmt.Errorf("key %d: %w", i+1, err)
		}
		if !ok || seen[canonAll(key)] {
			continue
		}
		seen[canonAll(key)] = true
		list = append(list, key)
	}
	if len(list) == 0 {
		return 0, nil
	}
	var stmts []*stmt
	for chunk := range slices.Chunk(list, c.dialect.keysPerStatement(len(t.pk), 0, list)) {
		s := &stmt{d: c.dialect}
		s.sql("DELETE FROM ", t.table, " WHERE ")
		s.keyMatch(t.pkCols, chunk)
		stmts = append(stmts, s)
	}
	var n int64
	run := func(q execer) error {
		for _, s := range stmts {
			m, err := c.affected(q.ExecContext(ctx, s.String(), s.args...))
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	}
	if len(stmts) == 1 {
		err = run(c.db) // atomic alone, as in Update
	} else {
		err = c.inTx(ctx, func(tx *sql.Tx) error { return run(tx) })
	}
	return n, err
}

// IdempotentWrites is true: every UPDATE carries a condition that the row
// differs from what it is set to (see stmt.changed), and DELETE by key
// deletes a row once.
func (c *conn) IdempotentWrites() bool { return true }

// Synchronous is true: a database answers in the call.
func (c *conn) Synchronous() bool { return true }
