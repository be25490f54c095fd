package sqlconn

import (
	"context"
	"database/sql/driver"
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
	oid, format := fd.DataTypeOID, fd.Format
	scan := func(dst any) func([]byte) error {
		plan := m.PlanScan(oid, format, dst)
		return func(src []byte) error { return plan.Scan(src, dst) }
	}
	switch oid {
	case pgtype.BoolOID:
		var d bool
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return d, err }
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		var d []byte
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return d, err }
	case pgtype.CIDOID, pgtype.OIDOID, pgtype.XIDOID:
		var d pgtype.Uint32
		return valuer(scan(&d), &d)
	case pgtype.DateOID:
		var d pgtype.Date
		return valuer(scan(&d), &d)
	case pgtype.TimestampOID:
		var d pgtype.Timestamp
		return valuer(scan(&d), &d)
	case pgtype.TimestamptzOID:
		var d pgtype.Timestamptz
		return valuer(scan(&d), &d)
	case pgtype.Float4OID:
		var d float32
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return float64(d), err }
	case pgtype.Float8OID:
		var d float64
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return d, err }
	case pgtype.Int2OID:
		var d int16
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return int64(d), err }
	case pgtype.Int4OID:
		var d int32
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return int64(d), err }
	case pgtype.Int8OID:
		var d int64
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return d, err }
	default:
		var d string
		s := scan(&d)
		return func(src []byte) (driver.Value, error) { err := s(src); return d, err }
	}
}

func valuer(s func([]byte) error, d driver.Valuer) func([]byte) (driver.Value, error) {
	return func(src []byte) (driver.Value, error) {
		if err := s(src); err != nil {
			return nil, err
		}
		return d.Value()
	}
}
