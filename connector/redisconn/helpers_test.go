package redisconn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/custos-privacy/custos/connector"
)

// testURL is the Redis the tests use: CUSTOS_TEST_REDIS, or the one on this
// machine. Tests never touch keys outside their own random prefix.
func testURL() string {
	if u := os.Getenv("CUSTOS_TEST_REDIS"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// isolated returns a random key prefix and a client for seeding and
// inspecting keys; every key under the prefix is removed when t ends.
func isolated(t *testing.T) (string, *redis.Client) {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	prefix := "custos-test:" + hex.EncodeToString(b) + ":"
	opt, err := redis.ParseURL(testURL())
	if err != nil {
		t.Fatalf("CUSTOS_TEST_REDIS: %v", err)
	}
	rdb := redis.NewClient(opt)
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis for tests at %s (set CUSTOS_TEST_REDIS to change): %v", opt.Addr, err)
	}
	t.Cleanup(func() {
		defer rdb.Close()
		ctx := context.Background()
		var cursor uint64
		for {
			keys, next, err := rdb.Scan(ctx, cursor, globEscape(prefix)+"*", 1000).Result()
			if err != nil {
				t.Errorf("cleaning up test keys: %v", err)
				return
			}
			if len(keys) > 0 {
				rdb.Del(ctx, keys...)
			}
			if cursor = next; cursor == 0 {
				return
			}
		}
	})
	return prefix, rdb
}

// withPrefix adds the prefix option to a connection URL.
func withPrefix(t *testing.T, raw, prefix string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("prefix", prefix)
	u.RawQuery = q.Encode()
	return u.String()
}

// open opens a connector on the test Redis under prefix.
func open(t *testing.T, prefix string, readOnly bool) connector.Connector {
	t.Helper()
	c, err := Open(context.Background(), withPrefix(t, testURL(), prefix), connector.Options{ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
