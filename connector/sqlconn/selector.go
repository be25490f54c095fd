package sqlconn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// UpdateWhere writes the rows of a collection without a declared primary
// key, matched by the field values of each change's Key (see
// connector.Selector). Changes with the same key fields go as one
// statement per chunk where their values agree, as Update does.
func (c *conn) UpdateWhere(ctx context.Context, col *dataset.Collection, changes []connector.Change) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	fail := func(err error) error { return fmt.Errorf("sqlconn: update table %q: %w", colName(col), err) }
	order, byShape, err := shapes(col, len(changes), func(i int) connector.Row { return changes[i].Key })
	if err != nil {
		return 0, fail(err)
	}
	var n int64
	// Shapes run one after the other: each is atomic by itself, and a
	// batch cut short is repeated whole by the run, which writes nothing
	// twice (every UPDATE skips rows already holding its values).
	for _, shape := range order {
		t, err := c.selectorTarget(col, shape)
		if err != nil {
			return n, fail(err)
		}
		part := make([]connector.Change, 0, len(byShape[shape]))
		for _, i := range byShape[shape] {
			part = append(part, changes[i])
		}
		m, err := c.update(ctx, t, part)
		n += m
		if err != nil {
			return n, fail(err)
		}
	}
	return n, nil
}

// DeleteWhere deletes the rows of a collection without a declared primary
// key that hold all the field values of one of keys.
func (c *conn) DeleteWhere(ctx context.Context, col *dataset.Collection, keys []connector.Row) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	fail := func(err error) error { return fmt.Errorf("sqlconn: delete from table %q: %w", colName(col), err) }
	order, byShape, err := shapes(col, len(keys), func(i int) connector.Row { return keys[i] })
	if err != nil {
		return 0, fail(err)
	}
	var n int64
	for _, shape := range order {
		t, err := c.selectorTarget(col, shape)
		if err != nil {
			return n, fail(err)
		}
		part := make([]connector.Row, 0, len(byShape[shape]))
		for _, i := range byShape[shape] {
			part = append(part, keys[i])
		}
		m, err := c.delete(ctx, t, part)
		n += m
		if err != nil {
			return n, fail(err)
		}
	}
	return n, nil
}

func colName(col *dataset.Collection) string {
	if col == nil {
		return ""
	}
	return col.Name
}

// shapes groups keys by the fields they name (sorted, joined by commas),
// in the order first seen. A collection with a declared primary key is
// refused: its rows are written by key (Update, Delete).
func shapes(col *dataset.Collection, n int, key func(int) connector.Row) ([]string, map[string][]int, error) {
	if col == nil {
		return nil, nil, errors.New("no collection given")
	}
	if len(col.PrimaryKey()) > 0 {
		return nil, nil, errors.New("the collection has a primary key: write its rows by key")
	}
	var order []string
	by := map[string][]int{}
	for i := 0; i < n; i++ {
		k := key(i)
		if len(k) == 0 {
			return nil, nil, fmt.Errorf("key %d names no field: it would match every row", i+1)
		}
		names := make([]string, 0, len(k))
		for name, v := range k {
			if v == nil {
				return nil, nil, fmt.Errorf("key %d: field %q has no value", i+1, name)
			}
			names = append(names, name)
		}
		slices.Sort(names)
		shape := strings.Join(names, ",")
		if _, ok := by[shape]; !ok {
			order = append(order, shape)
		}
		by[shape] = append(by[shape], i)
	}
	return order, by, nil
}

// selectorTarget is a target whose "key" is the fields of shape.
func (c *conn) selectorTarget(col *dataset.Collection, shape string) (*target, error) {
	table, err := c.dialect.table(col.Name)
	if err != nil {
		return nil, err
	}
	if _, err := c.dialect.names(col); err != nil {
		return nil, err
	}
	t := &target{col: col, table: table}
	for _, name := range strings.Split(shape, ",") {
		if col.Field(name) == nil {
			return nil, fmt.Errorf("the key names %q, which the dataset does not declare", name)
		}
		q, err := c.dialect.column(name)
		if err != nil {
			return nil, err
		}
		t.pk, t.pkCols = append(t.pk, name), append(t.pkCols, q)
	}
	return t, nil
}
