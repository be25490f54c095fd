package redisconn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// op is one change, checked and rendered before anything is written, so a
// bad value fails the call before any record has changed.
type op struct {
	key  string
	hset []any                      // field, value, field, value… (hash)
	hdel []string                   // fields set to nil (hash)
	json map[string]json.RawMessage // members to set (string kind)
}

func (c *conn) Update(ctx context.Context, col *dataset.Collection, changes []connector.Change) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	cc, err := compile(col, c.prefix)
	if err != nil {
		return 0, err
	}
	if err := cc.writable(); err != nil {
		return 0, err
	}
	ops := make([]op, 0, len(changes))
	for i, ch := range changes {
		o, err := cc.op(ch)
		if err != nil {
			return 0, fmt.Errorf("redisconn: collection %q: change %d: %w", cc.Name, i, err)
		}
		ops = append(ops, o)
	}
	var n int64
	for start := 0; start < len(ops); start += batch {
		got, err := c.apply(ctx, cc, ops[start:min(start+batch, len(ops))])
		n += got
		if err != nil {
			return n, fmt.Errorf("redisconn: collection %q: update: %w", cc.Name, err)
		}
	}
	return n, nil
}

func (cc *collection) op(ch connector.Change) (op, error) {
	key, err := cc.keyOf(ch.Key)
	if err != nil {
		return op{}, err
	}
	o := op{key: key}
	if !cc.hash {
		o.json = make(map[string]json.RawMessage, len(ch.Set))
	}
	for f, v := range ch.Set {
		fld := cc.Field(f)
		if fld == nil {
			return op{}, fmt.Errorf("sets %q, which is not a declared field", f)
		}
		if cc.tmpl.has(f) {
			// The key is made of this field: a new value would have to move
			// the record, which is not an update.
			was, _ := toString(ch.Key[f])
			now, err := toString(v)
			if v == nil || err != nil || canon(now, fld.DataType) != canon(was, fld.DataType) {
				return op{}, fmt.Errorf("sets key template field %q to another value; that would move the record to another key", f)
			}
		}
		if !cc.hash {
			m, err := toJSON(v)
			if err != nil {
				return op{}, fmt.Errorf("field %q: %w", f, err)
			}
			o.json[f] = m
			continue
		}
		if v == nil {
			o.hdel = append(o.hdel, f)
			continue
		}
		s, err := toString(v)
		if err != nil {
			return op{}, fmt.Errorf("field %q: %w", f, err)
		}
		o.hset = append(o.hset, f, s)
	}
	return o, nil
}

// apply runs ops in one optimistic transaction: WATCH the keys, read which
// exist (and the JSON objects), then MULTI/EXEC the writes. Writing only to
// keys seen to exist means an update never brings back a record that was
// deleted, even one deleted while the update ran.
func (c *conn) apply(ctx context.Context, cc *collection, ops []op) (int64, error) {
	keys := make([]string, 0, len(ops))
	dup := map[string]bool{}
	for _, o := range ops {
		if !dup[o.key] {
			dup[o.key] = true
			keys = append(keys, o.key)
		}
	}
	var n int64
	txf := func(tx *redis.Tx) error {
		n = 0
		exists := make(map[string]bool, len(keys))
		objs := map[string]map[string]json.RawMessage{}
		pipe := tx.Pipeline()
		ex := make([]*redis.IntCmd, len(keys))
		gets := make([]*redis.StringCmd, len(keys))
		for i, k := range keys {
			if cc.hash {
				ex[i] = pipe.Exists(ctx, k)
			} else {
				gets[i] = pipe.Get(ctx, k)
			}
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		for i, k := range keys {
			if cc.hash {
				exists[k] = ex[i].Val() > 0
				continue
			}
			s, err := gets[i].Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
				return fmt.Errorf("a key of kind string does not hold a JSON object")
			}
			exists[k] = true
			objs[k] = obj
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, o := range ops {
				if !exists[o.key] {
					continue
				}
				n++
				if !cc.hash {
					for f, m := range o.json {
						objs[o.key][f] = m
					}
					continue
				}
				if len(o.hset) > 0 {
					p.HSet(ctx, o.key, o.hset...)
				}
				if len(o.hdel) > 0 {
					p.HDel(ctx, o.key, o.hdel...)
				}
			}
			for k, obj := range objs {
				b, err := json.Marshal(obj)
				if err != nil {
					return err
				}
				// KEEPTTL: a record that was due to expire still is.
				p.SetArgs(ctx, k, b, redis.SetArgs{KeepTTL: true})
			}
			return nil
		})
		return err
	}
	for try := 0; ; try++ {
		err := c.rdb.Watch(ctx, txf, keys...)
		if errors.Is(err, redis.TxFailedErr) && try < maxTxRetries {
			continue // another client wrote one of the keys; read again
		}
		return n, err
	}
}

func (c *conn) Delete(ctx context.Context, col *dataset.Collection, keys []connector.Row) (int64, error) {
	if c.readOnly {
		return 0, connector.ErrReadOnly
	}
	cc, err := compile(col, c.prefix)
	if err != nil {
		return 0, err
	}
	if err := cc.writable(); err != nil {
		return 0, err
	}
	names := make([]string, 0, len(keys))
	dup := map[string]bool{}
	for i, pk := range keys {
		k, err := cc.keyOf(pk)
		if err != nil {
			return 0, fmt.Errorf("redisconn: collection %q: key %d: %w", cc.Name, i, err)
		}
		if !dup[k] {
			dup[k] = true
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return 0, nil
	}
	pipe := c.rdb.Pipeline()
	var dels []*redis.IntCmd
	for start := 0; start < len(names); start += batch {
		dels = append(dels, pipe.Del(ctx, names[start:min(start+batch, len(names))]...))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("redisconn: collection %q: delete: %w", cc.Name, err)
	}
	var n int64
	for _, d := range dels {
		n += d.Val()
	}
	return n, nil
}

// decodeObject reads a JSON object held in a string key.
func decodeObject(s string) (map[string]raw, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		return nil, errors.New("the value is not valid JSON or not an object")
	}
	if obj == nil {
		return nil, errors.New("the value is null")
	}
	rec := make(map[string]raw, len(obj))
	for f, m := range obj {
		r, err := fromJSON(m)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", f, err)
		}
		rec[f] = r
	}
	return rec, nil
}
