package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// positional adapts the $N placeholders every query is written with to
// SQLite's plain "?" for the modernc driver, which binds "$N" (and "?N") by
// name in time that grows with the square of the parameter count: a
// 400-row INSERT ran 25 times slower than with "?". Arguments are reordered
// (and repeated) to follow the placeholders' order of appearance.
type positional struct{ q querier }

func (p positional) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, args = rebind(query, args)
	return p.q.ExecContext(ctx, query, args...)
}

func (p positional) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, args = rebind(query, args)
	return p.q.QueryContext(ctx, query, args...)
}

func (p positional) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query, args = rebind(query, args)
	return p.q.QueryRowContext(ctx, query, args...)
}

// rebind rewrites $N placeholders outside quoted literals to "?" and returns
// the arguments in the order the placeholders appear. A query without
// placeholders, or one naming an argument that does not exist, is returned
// unchanged so the driver reports the mistake.
func rebind(query string, args []any) (string, []any) {
	if !strings.Contains(query, "$") {
		return query, args
	}
	var (
		b       strings.Builder
		ordered = make([]any, 0, len(args))
		quote   byte
	)
	b.Grow(len(query))
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j > i+1 {
				n, err := strconv.Atoi(query[i+1 : j])
				if err != nil || n < 1 || n > len(args) {
					return query, args
				}
				ordered = append(ordered, args[n-1])
				b.WriteByte('?')
				i = j - 1
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String(), ordered
}
