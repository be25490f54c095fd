package sqlconn

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// RetrieveBatch answers several Retrieves at once. On PostgreSQL their
// statements go down one connection as one pipeline (pgx's batch): the
// server answers them in order, and the run waits for one round trip
// instead of one per collection. Elsewhere they are asked one by one.
func (c *conn) RetrieveBatch(ctx context.Context, ls []connector.Lookup) ([][]connector.Row, error) {
	out := make([][]connector.Row, len(ls))
	if c.dialect != postgres || len(ls) < 2 {
		for i, l := range ls {
			rows, err := c.Retrieve(ctx, l.Collection, l.Where)
			if err != nil {
				return nil, err
			}
			out[i] = rows
		}
		return out, nil
	}
	rts := make([]*retrieval, 0, len(ls))
	for _, l := range ls {
		rt, err := c.plan(l.Collection, l.Where)
		if err != nil {
			return nil, err
		}
		rts = append(rts, rt)
	}
	sc, err := c.db.Conn(ctx)
	if err != nil {
		return nil, c.safe(err)
	}
	defer sc.Close()
	err = sc.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		var b pgx.Batch
		for _, rt := range rts {
			if rt == nil {
				continue
			}
			for _, s := range rt.stmts {
				b.Queue(s.String(), s.args...)
			}
		}
		if b.Len() == 0 {
			return nil
		}
		br := pc.SendBatch(ctx, &b)
		for _, rt := range rts {
			if rt == nil {
				continue
			}
			for range rt.stmts {
				rows, err := pgRows(pc, br, rt.col)
				if err != nil {
					_ = br.Close()
					return rt.fail(c.safe(err))
				}
				rt.keep(rows)
			}
		}
		return c.safe(br.Close())
	})
	if err != nil {
		return nil, err
	}
	for i, rt := range rts {
		if rt != nil {
			out[i] = rt.out
		}
	}
	return out, nil
}

// pipeline runs the statements queue queues in one PostgreSQL transaction,
// sent as one pipeline, and returns the rows they affected: the per-row
// UPDATEs of an erasure (each row its own HMAC or random mask) cost a round
// trip together, not one each.
func (c *conn) pipeline(ctx context.Context, queue func(b *pgx.Batch)) (int64, error) {
	sc, err := c.db.Conn(ctx)
	if err != nil {
		return 0, c.safe(err)
	}
	defer sc.Close()
	var n int64
	err = sc.Raw(func(dc any) error {
		tx, err := dc.(*stdlib.Conn).Conn().Begin(ctx)
		if err != nil {
			return err
		}
		var b pgx.Batch
		queue(&b)
		br := tx.SendBatch(ctx, &b)
		for range b.Len() {
			tag, err := br.Exec()
			if err != nil {
				_ = br.Close()
				return rollback(ctx, tx, err)
			}
			n += tag.RowsAffected()
		}
		if err := br.Close(); err != nil {
			return rollback(ctx, tx, err)
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return 0, c.safe(err)
	}
	return n, nil
}

// rollback ends a failed transaction; a connection it cannot end is
// dropped from the pool rather than handed on mid-transaction.
func rollback(ctx context.Context, tx pgx.Tx, err error) error {
	if rerr := tx.Rollback(context.WithoutCancel(ctx)); rerr != nil {
		return errors.Join(err, driver.ErrBadConn)
	}
	return err
}

// pgRows reads the next result of a batch into rows of col, with the values
// database/sql would have given (see pgValue), so that a batched lookup
// answers exactly as Retrieve does.
func pgRows(pc *pgx.Conn, br pgx.BatchResults, col *dataset.Collection) ([]connector.Row, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	if len(fds) != len(col.Fields) {
		return nil, fmt.Errorf("the database returned %d columns for %d fields", len(fds), len(col.Fields))
	}
	m := pc.TypeMap()
	conv := make([]func([]byte) (driver.Value, error), len(fds))
	names := make([]string, len(fds))
	for i, fd := range fds {
		conv[i] = pgValue(m, fd)
		names[i] = strconv.FormatInt(int64(fd.DataTypeOID), 10)
		if dt, ok := m.TypeForOID(fd.DataTypeOID); ok {
			names[i] = strings.ToUpper(dt.Name)
		}
	}
	var out []connector.Row
	for rows.Next() {
		raw := rows.RawValues()
		r := make(connector.Row, len(fds))
		for i, f := range col.Fields {
			var v driver.Value
			if raw[i] != nil {
				if v, err = conv[i](raw[i]); err != nil {
					return nil, fmt.Errorf("convert field %d: %w", i, err)
				}
			}
			r[f.Name] = rowValue(v, names[i], f)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// pgValue converts one column's raw values as pgx's database/sql driver
// does (stdlib's Rows.Next): the Go type per PostgreSQL type that Retrieve
// sees, and the text form for every other type.
func pgValue(m *pgtype.Map, fd pgconn.FieldDescription) func([]byte) (driver.Value, error) {
	oid, f := fd.DataTypeOID, fd.Format
	switch oid {
	case pgtype.BoolOID:
		return scanAs(m, oid, f, same[bool])
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		return scanAs(m, oid, f, same[[]byte])
	case pgtype.CIDOID, pgtype.OIDOID, pgtype.XIDOID:
		return scanAs(m, oid, f, valueOf[pgtype.Uint32])
	case pgtype.DateOID:
		return scanAs(m, oid, f, valueOf[pgtype.Date])
	case pgtype.TimestampOID:
		return scanAs(m, oid, f, valueOf[pgtype.Timestamp])
	case pgtype.TimestamptzOID:
		return scanAs(m, oid, f, valueOf[pgtype.Timestamptz])
	case pgtype.Float4OID:
		return scanAs(m, oid, f, func(d float32) (driver.Value, error) { return float64(d), nil })
	case pgtype.Float8OID:
		return scanAs(m, oid, f, same[float64])
	case pgtype.Int2OID:
		return scanAs(m, oid, f, func(d int16) (driver.Value, error) { return int64(d), nil })
	case pgtype.Int4OID:
		return scanAs(m, oid, f, func(d int32) (driver.Value, error) { return int64(d), nil })
	case pgtype.Int8OID:
		return scanAs(m, oid, f, same[int64])
	default:
		return scanAs(m, oid, f, same[string])
	}
}

// scanAs scans a column's values into a T and hands it on as to says.
func scanAs[T any](m *pgtype.Map, oid uint32, format int16, to func(T) (driver.Value, error)) func([]byte) (driver.Value, error) {
	var d T
	plan := m.PlanScan(oid, format, &d)
	return func(src []byte) (driver.Value, error) {
		if err := plan.Scan(src, &d); err != nil {
			return nil, err
		}
		return to(d)
	}
}

func same[T any](d T) (driver.Value, error) { return d, nil }

func valueOf[T driver.Valuer](d T) (driver.Value, error) { return d.Value() }
