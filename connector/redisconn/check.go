package redisconn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/custos-privacy/custos/dataset"
)

// probeValue fills template fields in the key Test asks about. No record
// has it, and Test never writes, so nothing real is touched.
const probeValue = "custos-connection-test"

// Test checks that the server answers PING and that the configured user may
// run every command the connector uses on the keys of every collection of d
// (and only the reading ones when read-only). It never changes a key.
//
// Permissions are asked with ACL DRYRUN when the user may run it (Redis 7
// and an administrative user). Otherwise the commands are queued inside
// MULTI and thrown away with DISCARD: Redis checks ACLs when it queues a
// command, so a refusal shows up without anything running.
func (c *conn) Test(ctx context.Context, d *dataset.Dataset) error {
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		return c.explain(err)
	}
	if d == nil {
		return nil
	}
	var probes []probe
	var errs []error
	for _, col := range d.Collections {
		if col.SkipProcessing {
			continue
		}
		cc, err := compile(col, c.prefix)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !c.readOnly {
			if err := cc.writable(); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		probes = append(probes, c.probes(cc)...)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if len(probes) == 0 {
		return nil
	}
	denied, err := c.dryRun(ctx, probes)
	if err != nil {
		denied, err = c.queueCheck(ctx, probes)
	}
	if err != nil {
		return fmt.Errorf("redisconn: checking the user's permissions on %s: %w", c.addr, c.explain(err))
	}
	return errors.Join(denied...)
}

// probe is one command the connector runs on a collection's keys.
type probe struct {
	collection string
	args       []any
	write      bool
}

func (c *conn) probes(cc *collection) []probe {
	vals := map[string]string{}
	for _, f := range cc.tmpl.fields {
		vals[f] = probeValue
	}
	key := cc.tmpl.key(vals)
	typ := kindHash
	if !cc.hash {
		typ = kindString
	}
	cmds := [][]any{{"scan", "0", "match", cc.tmpl.pattern(), "count", "1", "type", typ}}
	if cc.hash {
		cmds = append(cmds, []any{"hgetall", key})
	} else {
		cmds = append(cmds, []any{"get", key})
	}
	reads := len(cmds)
	if !c.readOnly {
		cmds = append(cmds, []any{"exists", key})
		reads++
		cmds = append(cmds, []any{"del", key})
		if cc.hash {
			cmds = append(cmds, []any{"hset", key, "f", "v"}, []any{"hdel", key, "f"})
		} else {
			cmds = append(cmds, []any{"set", key, "{}", "keepttl"})
		}
	}
	ps := make([]probe, len(cmds))
	for i, args := range cmds {
		ps[i] = probe{collection: cc.Name, args: args, write: i >= reads}
	}
	return ps
}

func (p probe) denied(reason string) error {
	return fmt.Errorf("redisconn: collection %q: the user may not run %s on its keys: %s",
		p.collection, strings.ToUpper(p.args[0].(string)), reason)
}

// dryRun asks ACL DRYRUN about every probe in one pipeline. An error means
// the question could not be asked, not that a probe was refused.
func (c *conn) dryRun(ctx context.Context, probes []probe) ([]error, error) {
	user, err := c.rdb.ACLWhoAmI(ctx).Result()
	if err != nil {
		return nil, err
	}
	pipe := c.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(probes))
	var key any
	for i, p := range probes {
		args := append([]any{"acl", "dryrun", user}, p.args...)
		cmds[i] = pipe.Do(ctx, args...)
		if p.write {
			key = p.args[1]
		}
	}
	// Update's optimistic transaction.
	var tx []*redis.Cmd
	if key != nil {
		tx = append(tx, pipe.Do(ctx, "acl", "dryrun", user, "watch", key),
			pipe.Do(ctx, "acl", "dryrun", user, "multi"),
			pipe.Do(ctx, "acl", "dryrun", user, "exec"))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	var denied []error
	for i, cmd := range cmds {
		if s, _ := cmd.Val().(string); s != "OK" {
			denied = append(denied, probes[i].denied(s))
		}
	}
	for _, cmd := range tx {
		if s, _ := cmd.Val().(string); s != "OK" {
			denied = append(denied, fmt.Errorf("redisconn: the user may not run %s, which updates need: %s",
				strings.ToUpper(fmt.Sprint(cmd.Args()[3])), s))
		}
	}
	return denied, nil
}

// queueCheck is for users who may not ask ACL DRYRUN. The reading probes
// run for real: they only read a key no record has. The writing ones are
// queued inside MULTI and thrown away with DISCARD: Redis checks ACLs when
// it queues a command, so a refusal shows without anything being written.
// The commands of Update's optimistic transaction are checked around them
// (WATCH/UNWATCH, and an empty MULTI/EXEC), which change nothing either.
func (c *conn) queueCheck(ctx context.Context, probes []probe) ([]error, error) {
	// A client of its own, closed afterwards: a connection left inside
	// MULTI must never go back to the connector's pool.
	opt := *c.opt
	opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns = 1, 0, 0
	rdb := redis.NewClient(&opt)
	defer rdb.Close()
	cn := rdb.Conn()
	defer cn.Close()

	var reads, writes []probe
	var key any
	for _, p := range probes {
		if p.write {
			writes = append(writes, p)
			key = p.args[1]
		} else {
			reads = append(reads, p)
		}
	}
	var denied []error
	check := func(cmds []*redis.Cmd, ps []probe) error {
		for i, cmd := range cmds {
			err := cmd.Err()
			if err == nil || errors.Is(err, redis.Nil) {
				continue
			}
			if !isNoPerm(err) {
				return err
			}
			if ps != nil {
				denied = append(denied, ps[i].denied(err.Error()))
			} else {
				denied = append(denied, fmt.Errorf("redisconn: the user may not run %s, which updates need: %w",
					strings.ToUpper(fmt.Sprint(cmd.Args()[0])), err))
			}
		}
		return nil
	}

	pipe := cn.Pipeline()
	rcmds := make([]*redis.Cmd, len(reads))
	for i, p := range reads {
		rcmds[i] = pipe.Do(ctx, p.args...)
	}
	var tx []*redis.Cmd
	if len(writes) > 0 {
		tx = append(tx, pipe.Do(ctx, "watch", key), pipe.Do(ctx, "unwatch"))
	}
	_, _ = pipe.Exec(ctx) // each answer is looked at below
	if err := check(rcmds, reads); err != nil {
		return nil, err
	}
	if err := check(tx, nil); err != nil {
		return nil, err
	}
	if len(writes) == 0 {
		return denied, nil
	}
	// MULTI on its own: writes must not be sent unless it took, or they
	// would run.
	if err := cn.Do(ctx, "multi").Err(); err != nil {
		if !isNoPerm(err) {
			return nil, err
		}
		denied = append(denied, fmt.Errorf("redisconn: the user may not run MULTI, which updates need: %w", err))
		return denied, nil
	}
	pipe = cn.Pipeline()
	wcmds := make([]*redis.Cmd, len(writes))
	for i, p := range writes {
		wcmds[i] = pipe.Do(ctx, p.args...)
	}
	discard := pipe.Do(ctx, "discard")
	tx = []*redis.Cmd{pipe.Do(ctx, "multi"), pipe.Do(ctx, "exec")}
	_, _ = pipe.Exec(ctx)
	if err := discard.Err(); err != nil {
		return nil, err
	}
	if err := check(wcmds, writes); err != nil {
		return nil, err
	}
	if err := check(tx, nil); err != nil {
		return nil, err
	}
	return denied, nil
}

func isNoPerm(err error) bool { return strings.HasPrefix(err.Error(), "NOPERM") }

// explain puts a failure to reach or log in to Redis into words.
func (c *conn) explain(err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "WRONGPASS"):
		return fmt.Errorf("redisconn: Redis at %s refused the user name or password of the connection URL (or the user is disabled): %w", c.addr, err)
	case strings.HasPrefix(msg, "NOAUTH"):
		return fmt.Errorf("redisconn: Redis at %s needs a password; put it in the connection URL (redis://user:password@host:port/db): %w", c.addr, err)
	case strings.HasPrefix(msg, "NOPERM"):
		return fmt.Errorf("redisconn: the user of the connection URL may not run this command on Redis at %s: %w", c.addr, err)
	case strings.Contains(msg, "connection refused"):
		return fmt.Errorf("redisconn: nothing listens at %s (is Redis running, on that port?): %w", c.addr, err)
	case strings.Contains(msg, "no such host"):
		return fmt.Errorf("redisconn: the host of %s is not known: %w", c.addr, err)
	case strings.Contains(msg, "timeout") || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("redisconn: Redis at %s did not answer in time: %w", c.addr, err)
	}
	return fmt.Errorf("redisconn: Redis at %s: %w", c.addr, err)
}
