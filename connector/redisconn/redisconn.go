// Package redisconn is the Redis connector: each collection is a key
// template, and each key of the template is one record.
//
// # Connection URL
//
//	redis://[user:password@]host:port/db[?option=value&…]
//	rediss://…  (TLS)
//	unix://[user:password@]/path/to/redis.sock?db=N
//
// Options are go-redis' own (dial_timeout, read_timeout, pool_size…), plus
// one of Custos': prefix=P puts P in front of every key the connector reads,
// writes or scans, and takes it off again when keys are parsed back into
// fields. It serves Redis servers shared by several applications (and keeps
// tests apart: redis://127.0.0.1:6379/0?prefix=t123:). The prefix is taken
// literally; escape it as any URL query value.
//
// # Collections
//
// Collection.Key is the key template, such as "customer:{email}" or
// "order:{customer_id}:{id}": every {field} is a declared field of the
// collection, and there must be something between two fields, so keys can be
// split back into fields. Collection.Kind is "hash" (the default: one hash
// field per dataset field) or "string" (a JSON object per key; members that
// the dataset does not declare are kept as they are on update).
//
// Retrieve reads keys directly, in one pipeline, when the where clause names
// only the template's field and the template has no other; any other where
// clause (OR between fields, as the Connector contract says) needs every
// record of the template, which is found by SCAN MATCH and filtered here.
// Values are compared as strings, as Redis holds them; fields declared
// integer, float or boolean are compared and returned typed.
//
// Update and Delete find a record's key from its primary key: every field of
// the key template must be a primary key field. Other primary key fields
// play no part in finding the key. Update never creates a key that does not
// exist, and a change cannot move a record to another key (set a template
// field to a new value).
//
// A SCAN walks the whole key space of the database, so on large databases
// give identities their own collection keyed by them ("customer:{email}")
// rather than finding them by a field inside the value.
//
// Test never writes: it checks the configured user's ACL with ACL DRYRUN
// where the user may run it (Redis 7), and otherwise by queueing the writing
// commands inside MULTI and discarding them, as Redis checks ACLs when it
// queues. Redis 6.0 or later is needed (SCAN TYPE, SET KEEPTTL).
package redisconn

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// batch bounds how many keys go into one pipeline or transaction, so a
// request for many people does not build one unbounded reply.
const batch = 500

// scanCount is the COUNT hint of SCAN: keys examined per round trip.
const scanCount = 1000

// maxTxRetries bounds optimistic transactions that lose to concurrent
// writers of the same keys.
const maxTxRetries = 8

type conn struct {
	rdb      *redis.Client
	prefix   string
	readOnly bool
	addr     string // for messages; never the password
	opt      *redis.Options
}

// Open returns a connector for the Redis server at rawURL. It does not
// connect: go-redis dials on first use, and Test says whether the server
// answers and the user may do what the datasets need.
func Open(ctx context.Context, rawURL string, opts connector.Options) (connector.Connector, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("redisconn: the connection URL does not parse: %w", err)
	}
	q := u.Query()
	prefix := q.Get("prefix")
	if q.Has("prefix") {
		// go-redis refuses options it does not know.
		q.Del("prefix")
		u.RawQuery = q.Encode()
	}
	ro, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("redisconn: %w", err)
	}
	return &conn{rdb: redis.NewClient(ro), prefix: prefix, readOnly: opts.ReadOnly, addr: ro.Addr, opt: ro}, nil
}

func (c *conn) Close() error { return c.rdb.Close() }

func (c *conn) Retrieve(ctx context.Context, col *dataset.Collection, where map[string][]any) ([]connector.Row, error) {
	cc, err := compile(col, c.prefix)
	if err != nil {
		return nil, err
	}
	m, err := newMatcher(cc, where)
	if err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil // OR over nothing: no record matches
	}
	if keys, vals := cc.direct(m); keys != nil {
		recs, err := c.fetch(ctx, cc, keys, vals)
		if err != nil {
			return nil, err
		}
		rows := make([]connector.Row, 0, len(recs))
		for _, rec := range recs {
			rows = append(rows, cc.row(rec))
		}
		return rows, nil
	}
	return c.scan(ctx, cc, m)
}

// direct returns the keys of a where clause that names exactly the
// template's single field, with the field values each key was built from.
// Anything else returns nil: with several template fields, OR between them
// (the contract) is not a set of keys.
func (c *collection) direct(m matcher) ([]string, []map[string]string) {
	if len(c.tmpl.fields) != 1 || len(m) != 1 {
		return nil, nil
	}
	f := c.tmpl.fields[0]
	vals, ok := m[f]
	if !ok {
		return nil, nil
	}
	keys := make([]string, 0, len(vals))
	fields := make([]map[string]string, 0, len(vals))
	for v := range vals {
		fv := map[string]string{f: v}
		keys = append(keys, c.tmpl.key(fv))
		fields = append(fields, fv)
	}
	return keys, fields
}

// fetch reads keys in pipelines of batch keys and returns the records that
// exist, with the template fields of each key (vals[i], or parsed from the
// key when vals is nil) over whatever the value holds for them: the key is
// what the record is found by.
func (c *conn) fetch(ctx context.Context, cc *collection, keys []string, vals []map[string]string) ([]map[string]raw, error) {
	var recs []map[string]raw
	for start := 0; start < len(keys); start += batch {
		end := min(start+batch, len(keys))
		pipe := c.rdb.Pipeline()
		hashes := make([]*redis.MapStringStringCmd, 0, end-start)
		strs := make([]*redis.StringCmd, 0, end-start)
		for _, k := range keys[start:end] {
			if cc.hash {
				hashes = append(hashes, pipe.HGetAll(ctx, k))
			} else {
				strs = append(strs, pipe.Get(ctx, k))
			}
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("redisconn: collection %q: reading keys: %w", cc.Name, err)
		}
		for i := range end - start {
			var rec map[string]raw
			if cc.hash {
				h := hashes[i].Val()
				if len(h) == 0 {
					continue // no such key
				}
				rec = make(map[string]raw, len(h))
				for f, s := range h {
					rec[f] = raw{s: s, kind: kindStr}
				}
			} else {
				s, err := strs[i].Result()
				if errors.Is(err, redis.Nil) {
					continue
				}
				if rec, err = decodeObject(s); err != nil {
					return nil, fmt.Errorf("redisconn: collection %q: a key of kind string does not hold a JSON object: %w", cc.Name, err)
				}
			}
			var kv map[string]string
			if vals != nil {
				kv = vals[start+i]
			} else {
				var ok bool
				if kv, ok = cc.tmpl.parse(keys[start+i]); !ok {
					continue
				}
			}
			for f, s := range kv {
				rec[f] = raw{s: s, kind: kindStr}
			}
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// scan walks every key of the template and keeps the records that match.
// When the where clause names template fields only, keys are filtered by
// name before their values are read.
func (c *conn) scan(ctx context.Context, cc *collection, m matcher) ([]connector.Row, error) {
	typ := kindHash
	if !cc.hash {
		typ = kindString
	}
	byName := m.onlyTemplate(cc.tmpl)
	seen := map[string]bool{} // SCAN may return a key more than once
	var rows []connector.Row
	var pending []string
	flush := func() error {
		recs, err := c.fetch(ctx, cc, pending, nil)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if m.match(cc, rec) {
				rows = append(rows, cc.row(rec))
			}
		}
		pending = pending[:0]
		return nil
	}
	pattern := cc.tmpl.pattern()
	var cursor uint64
	for {
		keys, next, err := c.rdb.ScanType(ctx, cursor, pattern, scanCount, typ).Result()
		if err != nil {
			return nil, fmt.Errorf("redisconn: collection %q: scanning keys: %w", cc.Name, err)
		}
		for _, k := range keys {
			if seen[k] {
				continue
			}
			seen[k] = true
			kv, ok := cc.tmpl.parse(k)
			if !ok {
				continue
			}
			if byName {
				rec := make(map[string]raw, len(kv))
				for f, s := range kv {
					rec[f] = raw{s: s, kind: kindStr}
				}
				if !m.match(cc, rec) {
					continue
				}
			}
			pending = append(pending, k)
			if len(pending) >= batch {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return rows, nil
}

// Synchronous is true: Redis answers in the call.
func (c *conn) Synchronous() bool { return true }
