package sqlconn

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/custos-privacy/custos/dataset"
)

// CheckError is what Test returns when collections fail the check: every
// table and column at fault at once, so that whoever fixes the dataset or
// the grants fixes them in one go.
type CheckError struct {
	Database string // the connection, without its password
	Dataset  string
	Problems []Problem
}

func (e *CheckError) Error() string {
	var msgs []string
	for i := 0; i < len(e.Problems); i++ {
		p := e.Problems[i]
		// "permission denied for UPDATE and DELETE" reads better than two
		// entries for one table.
		if i+1 < len(e.Problems) {
			next := e.Problems[i+1]
			deny := "permission denied for "
			if next.Table == p.Table && next.Column == p.Column &&
				strings.HasPrefix(p.Reason, deny) && strings.HasPrefix(next.Reason, deny) && !strings.Contains(p.Reason, "(") {
				p.Reason += " and " + strings.TrimPrefix(next.Reason, deny)
				i++
			}
		}
		msgs = append(msgs, p.String())
	}
	return fmt.Sprintf("sqlconn: dataset %q on %s: %s", e.Dataset, e.Database, strings.Join(msgs, "; "))
}

// Unwrap gives the database errors behind the problems, for errors.Is.
func (e *CheckError) Unwrap() []error {
	var errs []error
	for _, p := range e.Problems {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}

// Problem is one table or column that failed the check.
type Problem struct {
	Table  string
	Column string // empty when the whole table is at fault
	// Statement is the statement that failed: SELECT, UPDATE or DELETE.
	Statement string
	// Reason in words: "does not exist", "permission denied for UPDATE", or
	// the database's own (value-free) words.
	Reason string
	Err    error
}

func (p Problem) String() string {
	switch {
	case p.Column == "" && p.Reason == "does not exist":
		return fmt.Sprintf("table %q does not exist", p.Table)
	case p.Column == "":
		return fmt.Sprintf("table %q: %s", p.Table, p.Reason)
	case p.Reason == "does not exist":
		return fmt.Sprintf("table %q: column %q does not exist", p.Table, p.Column)
	default:
		return fmt.Sprintf("table %q, column %q: %s", p.Table, p.Column, p.Reason)
	}
}

// Test connects, then proves for every collection of d that is processed
// that its declared fields can be selected and, unless the connection is
// read-only, that its rows can be updated and deleted: each with a
// statement that matches no row (WHERE 1=0), in a transaction rolled back,
// so that even statement-level triggers leave nothing behind.
func (c *conn) Test(ctx context.Context, d *dataset.Dataset) error {
	if err := c.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlconn: cannot connect to %s: %w", c.display, c.safe(err))
	}
	if d == nil {
		return nil
	}
	var problems []Problem
	for _, col := range d.Collections {
		if col == nil || col.SkipProcessing {
			continue
		}
		ps, err := c.check(ctx, col)
		if err != nil {
			return fmt.Errorf("sqlconn: check of table %q on %s: %w", col.Name, c.display, err)
		}
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return &CheckError{Database: c.display, Dataset: d.Key, Problems: problems}
	}
	return nil
}

// check returns the problems of one collection. Its error is a failure to
// check at all (the connection dropped, the context ended).
func (c *conn) check(ctx context.Context, col *dataset.Collection) ([]Problem, error) {
	table, err := c.dialect.table(col.Name)
	if err != nil {
		return []Problem{{Table: col.Name, Reason: err.Error()}}, nil
	}
	cols, err := c.dialect.names(col)
	if err != nil {
		return []Problem{{Table: col.Name, Reason: err.Error()}}, nil
	}

	err = c.probe(ctx, false, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+" WHERE 1=0")
	if fatal(ctx, err) {
		return nil, err
	}
	if err != nil {
		// One failed SELECT names at most the first missing column: find
		// out whether the table is at fault, or which columns are.
		if classify(err) != failNoTable {
			terr := c.probe(ctx, false, "SELECT 1 FROM "+table+" WHERE 1=0")
			if fatal(ctx, terr) {
				return nil, terr
			}
			if terr == nil {
				return c.columnProblems(ctx, col, table, cols, "SELECT", err)
			}
			err = terr
		}
		return []Problem{c.problem(col.Name, "", "SELECT", err)}, nil
	}
	if c.readOnly {
		return nil, nil
	}

	var problems []Problem
	// The columns an erasure writes: those neither linking nor read-only.
	// A grant of UPDATE on just these is enough, and is what a careful DBA
	// gives; failing that, any column proves the table privilege.
	var writable []int
	for i, f := range col.Fields {
		if !f.Linking() && !f.ReadOnly {
			writable = append(writable, i)
		}
	}
	if len(writable) == 0 {
		writable = []int{0}
	}
	sets := make([]string, len(writable))
	for i, w := range writable {
		sets[i] = cols[w] + " = " + cols[w]
	}
	err = c.probe(ctx, true, "UPDATE "+table+" SET "+strings.Join(sets, ", ")+" WHERE 1=0")
	if fatal(ctx, err) {
		return nil, err
	}
	if err != nil {
		if len(writable) > 1 && classify(err) == failDenied {
			// Column grants: name the columns lacking one.
			var named []Problem
			for _, w := range writable {
				cerr := c.probe(ctx, true, "UPDATE "+table+" SET "+cols[w]+" = "+cols[w]+" WHERE 1=0")
				if fatal(ctx, cerr) {
					return nil, cerr
				}
				if cerr != nil {
					named = append(named, c.problem(col.Name, col.Fields[w].Name, "UPDATE", cerr))
				}
			}
			if len(named) > 0 && len(named) < len(writable) {
				problems = append(problems, named...)
			} else {
				problems = append(problems, c.problem(col.Name, "", "UPDATE", err))
			}
		} else {
			problems = append(problems, c.problem(col.Name, "", "UPDATE", err))
		}
	}
	err = c.probe(ctx, true, "DELETE FROM "+table+" WHERE 1=0")
	if fatal(ctx, err) {
		return nil, err
	}
	if err != nil {
		problems = append(problems, c.problem(col.Name, "", "DELETE", err))
	}
	return problems, nil
}

// columnProblems selects each column alone to name every one at fault.
func (c *conn) columnProblems(ctx context.Context, col *dataset.Collection, table string, cols []string, op string, whole error) ([]Problem, error) {
	var out []Problem
	for i, f := range col.Fields {
		err := c.probe(ctx, false, "SELECT "+cols[i]+" FROM "+table+" WHERE 1=0")
		if fatal(ctx, err) {
			return nil, err
		}
		if err != nil {
			out = append(out, c.problem(col.Name, f.Name, op, err))
		}
	}
	if len(out) == 0 {
		out = append(out, c.problem(col.Name, "", op, whole))
	}
	return out, nil
}

// probe runs a statement that matches no row. Writes run in a transaction
// that is rolled back.
func (c *conn) probe(ctx context.Context, write bool, query string) error {
	if !write {
		rows, err := c.db.QueryContext(ctx, query)
		if err != nil {
			return c.safe(err)
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		return c.safe(err)
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return c.safe(err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, query)
	return c.safe(err)
}

// fatal reports whether err stops the whole check rather than describing
// one table.
func fatal(ctx context.Context, err error) bool {
	if err == nil {
		return false
	}
	return ctx.Err() != nil || errors.Is(err, sql.ErrConnDone)
}

func (c *conn) problem(table, column, op string, err error) Problem {
	p := Problem{Table: table, Column: column, Statement: op, Err: err}
	switch classify(err) {
	case failNoTable:
		p.Reason = "does not exist"
	case failNoColumn:
		p.Reason = "does not exist"
	case failDenied:
		p.Reason = "permission denied for " + op
		if c.dialect == sqlite {
			p.Reason += " (the database file is read-only to Custos)"
		}
	default:
		p.Reason = op + " failed: " + err.Error()
	}
	return p
}
