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

// prepare returns the query as SQLite takes it, its arguments in order,
// and its prepared statement when there is one.
func (p positional) prepare(ctx context.Context, query string, args []any) (string, []any, *sql.Stmt) {
	b := p.cache.bound(query)
	ordered, ok := b.bind(args)
	if !ok {
		return query, args, nil // the driver refuses it, and says why
	}
	st := p.cache.stmt(ctx, p.db, b, p.tx != nil)
	if st != nil && p.tx != nil {
		// Prepared on the transaction's connection once, then reused:
		// database/sql keeps it with the parent statement.
		st = p.tx.StmtContext(ctx, st)
	}
	return b.text, ordered, st
}

func (p positional) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, args, st := p.prepare(ctx, query, args)
	if st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.q.ExecContext(ctx, query, args...)
}

func (p positional) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, args, st := p.prepare(ctx, query, args)
	if st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.q.QueryContext(ctx, query, args...)
}

func (p positional) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query, args, st := p.prepare(ctx, query, args)
	if st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.q.QueryRowContext(ctx, query, args...)
}

// bound is a query rewritten for SQLite: its text with "?" placeholders,
// which argument each takes, and its statement once prepared.
type bound struct {
	text      string
	order     []int // argument index per placeholder, in order
	max       int   // the highest argument a placeholder names
	invalid   bool  // a placeholder names no argument ($0): left to the driver
	cached    bool  // kept in the cache: only those are prepared, to be closed
	uses      int
	st        *sql.Stmt
	preparing bool
}

// bind puts args in placeholder order; false when they do not fit.
func (b *bound) bind(args []any) ([]any, bool) {
	if b.invalid || b.max > len(args) {
		return nil, false
	}
	if b.order == nil {
		return args, true
	}
	out := make([]any, len(b.order))
	for i, n := range b.order {
		out[i] = args[n]
	}
	return out, true
}

// stmtCache keeps each query's rewriting and prepared statement, up to a
// bound: a workload's queries are few and fixed in shape, and the bound
// keeps an unusual one (a batch of odd size) from growing it without end.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*bound // by the query as written, with $N
	closed bool
	// preparing counts prepares running in the background, which close
	// waits for: one must not hold a connection past Store.Close (SQLite
	// would write its WAL files after the caller thinks the database
	// closed, and removed).
	preparing sync.WaitGroup
}

const (
	maxCachedStmts    = 256
	maxCachedQueryLen = 16 << 10
)

// bound returns the rewriting of query, kept when there is room.
func (c *stmtCache) bound(query string) *bound {
	if c == nil || len(query) > maxCachedQueryLen {
		return planBind(query)
	}
	c.mu.Lock()
	b, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return b
	}
	b = planBind(query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		return prev
	}
	if !c.closed && len(c.m) < maxCachedStmts {
		if c.m == nil {
			c.m = map[string]*bound{}
		}
		c.m[query] = b
		b.cached = true
	}
	return b
}

// stmt returns b's prepared statement, or nil when it is not (yet)
// prepared or cannot be (running it unprepared reports why).
func (c *stmtCache) stmt(ctx context.Context, db *sql.DB, b *bound, inTx bool) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	b.uses++
	// A query is prepared when it comes again: preparing one that runs once
	// (a batch of odd size) would parse it twice.
	if b.st != nil || b.preparing || c.closed || !b.cached || b.uses < 2 {
		st := b.st
		c.mu.Unlock()
		return st
	}
	b.preparing = true
	if inTx {
		// Preparing takes a connection of the pool, and a transaction
		// holding the write lock must not wait for one: the others may all
		// be waiting for that lock. It is prepared once the pool can.
		// Counted under the lock, so close either sees it or comes first.
		c.preparing.Add(1)
		c.mu.Unlock()
		go func() {
			defer c.preparing.Done()
			c.prepare(context.Background(), db, b)
		}()
		return nil
	}
	c.mu.Unlock()
	return c.prepare(context.WithoutCancel(ctx), db, b)
}

func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, b *bound) *sql.Stmt {
	st, err := db.PrepareContext(ctx, b.text)
	c.mu.Lock()
	defer c.mu.Unlock()
	b.preparing = false
	if err != nil || c.closed {
		// It runs unprepared this time, and tells its error; the next
		// call tries again (a table may be migrated in meanwhile).
		if st != nil {
			_ = st.Close()
		}
		return nil
	}
	b.st = st
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
	for q, b := range c.m {
		if b.st != nil {
			_ = b.st.Close()
			b.st = nil
		}
		delete(c.m, q)
	}
}

// wait waits for the prepares running in the background; after the
// database is closed they end at once (no connection is handed out) or
// give theirs back, which closes it.
func (c *stmtCache) wait() {
	if c == nil {
		return
	}
	c.preparing.Wait()
}

// rebind rewrites $N placeholders outside quoted literals to "?" and returns
// the arguments in the order the placeholders appear. A query without
// placeholders, or one naming an argument that does not exist, is returned
// unchanged so the driver reports the mistake.
func rebind(query string, args []any) (string, []any) {
	b := planBind(query)
	if ordered, ok := b.bind(args); ok {
		return b.text, ordered
	}
	return query, args
}

// planBind reads the placeholders of query.
func planBind(query string) *bound {
	if !strings.Contains(query, "$") {
		return &bound{text: query}
	}
	var (
		sb    strings.Builder
		out   = &bound{order: []int{}}
		quote byte
	)
	sb.Grow(len(query))
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
				if err != nil || n < 1 {
					return &bound{text: query, invalid: true}
				}
				out.order = append(out.order, n-1)
				out.max = max(out.max, n)
				sb.WriteByte('?')
				i = j - 1
				continue
			}
		}
		sb.WriteByte(c)
	}
	out.text = sb.String()
	return out
}
