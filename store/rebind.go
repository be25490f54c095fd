package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// positional adapts the $N placeholders every query is written with to
// SQLite's plain "?" for the modernc driver, which binds "$N" (and "?N") by
// name in time that grows with the square of the parameter count: a
// 400-row INSERT ran 25 times slower than with "?". Arguments are reordered
// (and repeated) to follow the placeholders' order of appearance. Queries
// run through statements prepared once (stmtCache): parsing is a third of
// what a small write costs there.
type positional struct {
	q     querier // the pool or the transaction
	db    *sql.DB
	tx    *sql.Tx // nil outside a transaction
	cache *stmtCache
}

func (p positional) stmt(ctx context.Context, query string) *sql.Stmt {
	st := p.cache.get(ctx, p.db, query, p.tx != nil)
	if st != nil && p.tx != nil {
		// Prepared on the transaction's connection once, then reused:
		// database/sql keeps it with the parent statement.
		st = p.tx.StmtContext(ctx, st)
	}
	return st
}

func (p positional) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, args = rebind(query, args)
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.q.ExecContext(ctx, query, args...)
}

func (p positional) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, args = rebind(query, args)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.q.QueryContext(ctx, query, args...)
}

func (p positional) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query, args = rebind(query, args)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.q.QueryRowContext(ctx, query, args...)
}

// stmtCache keeps statements prepared by query text, up to a bound: a
// workload's queries are few and fixed in shape, and the bound keeps an
// unusual one (a batch of odd size) from growing it without end.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt // nil while being prepared
	closed bool
}

const (
	maxCachedStmts    = 256
	maxCachedQueryLen = 16 << 10
)

// get returns the prepared statement for query, or nil when it is not (yet)
// prepared, not to be, or cannot be (running it unprepared reports why).
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string, inTx bool) *sql.Stmt {
	if c == nil || len(query) > maxCachedQueryLen {
		return nil
	}
	c.mu.Lock()
	st, ok := c.m[query]
	if ok || c.closed || len(c.m) >= maxCachedStmts {
		c.mu.Unlock()
		return st
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = nil
	c.mu.Unlock()
	if inTx {
		// Preparing takes a connection of the pool, and a transaction
		// holding the write lock must not wait for one: the others may all
		// be waiting for that lock. It is prepared once the pool can.
		go c.prepare(context.Background(), db, query)
		return nil
	}
	return c.prepare(context.WithoutCancel(ctx), db, query)
}

func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	st, err := db.PrepareContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.closed {
		// It runs unprepared this time, and tells its error; the next
		// call tries again (a table may be migrated in meanwhile).
		if st != nil {
			_ = st.Close()
		}
		if !c.closed {
			delete(c.m, query)
		}
		return nil
	}
	c.m[query] = st
	return st
}

// close closes every statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.m {
		if st != nil {
			_ = st.Close()
		}
		delete(c.m, q)
	}
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
