package sqlconn

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// Before lists the rows collected before t, a page at a time in key order:
// a retention sweep walks a table of any size in bounded statements, each
// served by the primary-key index and, where the company has one, an index
// on the collection time.
func (c *conn) Before(ctx context.Context, col *dataset.Collection, field string, t time.Time, after connector.Row, limit int) ([]connector.Row, error) {
	fail := func(err error) error { return fmt.Errorf("sqlconn: list expired rows of table %q: %w", col.Name, err) }
	tg, err := c.target(col)
	if err != nil {
		return nil, fail(err)
	}
	if col.Field(field) == nil {
		return nil, fail(fmt.Errorf("the dataset declares no field %q in this collection", field))
	}
	cols, err := c.dialect.names(col)
	if err != nil {
		return nil, fail(err)
	}
	at, err := c.dialect.column(field)
	if err != nil {
		return nil, fail(err)
	}
	if limit <= 0 {
		limit = 1000
	}
	s := &stmt{d: c.dialect}
	s.sql("SELECT ", strings.Join(cols, ", "), " FROM ", tg.table, " WHERE ", at, " < ").arg(t.UTC())
	if after != nil {
		key, ok, err := tg.key(after)
		if err != nil || !ok {
			return nil, fail(fmt.Errorf("the page cursor is not a full primary key"))
		}
		s.sql(" AND (", strings.Join(tg.pkCols, ", "), ") > (")
		for i, v := range key {
			if i > 0 {
				s.sql(", ")
			}
			s.arg(v)
		}
		s.sql(")")
	}
	s.sql(" ORDER BY ", strings.Join(tg.pkCols, ", "), fmt.Sprintf(" LIMIT %d", limit))
	rows, err := c.query(ctx, col, s)
	if err != nil {
		return nil, fail(err)
	}
	return rows, nil
}
