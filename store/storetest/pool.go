package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"

	"github.com/custos-privacy/custos/store"
)

// schemaPool hands PostgreSQL schemas to tests, as River's riverdbtest does:
// a schema is created and migrated once, emptied when its test ends and
// handed to the next, so a test run migrates as many schemas as it runs
// tests at once, not one per test.
//
// The schemas of one process share a random prefix, and the process holds
// a session advisory lock on it for as long as it lives. A process that
// died (a test binary killed mid-run) leaves its schemas behind with the
// lock released; the next process to start drops them.
type schemaPool struct {
	once   sync.Once
	err    error
	admin  *store.Store // creates, empties and drops schemas
	holder *sql.Conn    // holds the lock that marks the prefix alive
	prefix string

	mu     sync.Mutex
	free   []string
	n      int
	tables []string // the tables a migrated schema holds, learnt once
}

// schemas is the process' pool. A package variable because a pool shared by
// every test in the process is the point: there is one per test binary.
var schemas schemaPool

const poolSchemaPrefix = "custos_pool_"

// lockKey is the advisory lock marking a prefix's process alive.
func lockKey(prefix string) int64 {
	h := fnv.New64a()
	h.Write([]byte("custos-storetest:" + prefix))
	return int64(h.Sum64() >> 1)
}

func (p *schemaPool) init() {
	ctx := context.Background()
	p.admin, p.err = store.Open(ctx, PostgresDSN())
	if p.err != nil {
		return
	}
	if p.holder, p.err = p.admin.DB().Conn(ctx); p.err != nil {
		return
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	p.prefix = hex.EncodeToString(b)
	var ok bool
	if p.err = p.holder.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(p.prefix)).Scan(&ok); p.err == nil && !ok {
		p.err = errors.New("schema pool: the prefix lock is taken")
	}
	if p.err == nil {
		p.err = p.dropOrphans(ctx)
	}
}

// dropOrphans drops the schemas of pools whose process is gone: those whose
// prefix lock this process can take.
func (p *schemaPool) dropOrphans(ctx context.Context) error {
	rows, err := p.admin.DB().QueryContext(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, poolSchemaPrefix)
	if err != nil {
		return err
	}
	byPrefix := map[string][]string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		prefix, _, _ := strings.Cut(strings.TrimPrefix(name, poolSchemaPrefix), "_")
		byPrefix[prefix] = append(byPrefix[prefix], name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for prefix, names := range byPrefix {
		if prefix == p.prefix {
			continue
		}
		var dead bool
		if err := p.holder.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(prefix)).Scan(&dead); err != nil {
			return err
		}
		if !dead {
			continue // its process still runs
		}
		for _, name := range names {
			if _, err := p.admin.DB().ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
				return err
			}
		}
		if _, err := p.holder.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(prefix)); err != nil {
			return err
		}
	}
	return nil
}

// take returns an empty schema, and whether it is new and needs migrating.
func (p *schemaPool) take(ctx context.Context) (name string, fresh bool, err error) {
	p.once.Do(p.init)
	if p.err != nil {
		return "", false, p.err
	}
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		name = p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return name, false, nil
	}
	p.n++
	name = fmt.Sprintf("%s%s_%d", poolSchemaPrefix, p.prefix, p.n)
	p.mu.Unlock()
	if _, err := p.admin.DB().ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		return "", false, fmt.Errorf("create schema: %w", err)
	}
	return name, true, nil
}

// learn records the tables of a freshly migrated schema: a schema is only
// handed on while it has exactly these.
func (p *schemaPool) learn(ctx context.Context, name string) error {
	tables, err := p.tablesOf(ctx, name)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tables == nil {
		p.tables = tables
	}
	return nil
}

func (p *schemaPool) tablesOf(ctx context.Context, name string) ([]string, error) {
	rows, err := p.admin.DB().QueryContext(ctx,
		`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// give empties a schema and puts it back in the pool. A schema whose test
// changed its tables (a queue's own tables, a table made by hand) is
// dropped instead: the next test must find what a migration alone makes.
func (p *schemaPool) give(ctx context.Context, name string) error {
	tables, err := p.tablesOf(ctx, name)
	p.mu.Lock()
	same := err == nil && p.tables != nil && slices.Equal(tables, p.tables)
	p.mu.Unlock()
	if !same {
		return p.drop(ctx, name)
	}
	var quoted []string
	for _, t := range tables {
		if t != "goose_db_version" {
			quoted = append(quoted, name+`."`+t+`"`)
		}
	}
	err = p.truncate(ctx, quoted)
	if err != nil {
		return p.drop(ctx, name)
	}
	p.mu.Lock()
	p.free = append(p.free, name)
	p.mu.Unlock()
	return nil
}

// truncate empties the tables and restarts their id sequences, as a new
// schema would number them.
func (p *schemaPool) truncate(ctx context.Context, tables []string) error {
	tx, err := p.admin.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// A connection a test left open on the schema must not hang the run:
	// past the timeout the schema is dropped rather than handed on.
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(tables, ", ")+` RESTART IDENTITY CASCADE`); err != nil {
		return err
	}
	return tx.Commit()
}

func (p *schemaPool) drop(ctx context.Context, name string) error {
	_, err := p.admin.DB().ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`)
	return err
}

// discard drops a schema a test could not use.
func (p *schemaPool) discard(ctx context.Context, name string) { _ = p.drop(ctx, name) }
