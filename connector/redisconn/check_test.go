package redisconn

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

func testDataset() *dataset.Dataset {
	return &dataset.Dataset{Key: "cache", Collections: []*dataset.Collection{customers(), profiles(), orders()}}
}

// aclUser creates a Redis user with rules for the length of t and returns
// a connection URL that logs in as it.
func aclUser(t *testing.T, prefix string, rules ...string) string {
	t.Helper()
	_, rdb := isolated(t)
	ctx := context.Background()
	name := strings.TrimSuffix(prefix, ":") + "-user"
	name = strings.ReplaceAll(name, ":", "-")
	args := []any{"acl", "setuser", name, "reset", "on", ">pw"}
	for _, r := range rules {
		args = append(args, r)
	}
	if err := rdb.Do(ctx, args...).Err(); err != nil {
		t.Fatalf("ACL SETUSER: %v", err)
	}
	t.Cleanup(func() { rdb.Do(context.Background(), "acl", "deluser", name) })
	u, err := url.Parse(testURL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(name, "pw")
	return withPrefix(t, u.String(), prefix)
}

func TestConnectionTest(t *testing.T) {
	t.Parallel()
	prefix, rdb := isolated(t)
	// Runs after the subtests, before the keys are cleaned up.
	t.Cleanup(func() {
		left, err := rdb.Keys(context.Background(), globEscape(prefix)+"*").Result()
		if err != nil || len(left) > 0 {
			t.Errorf("Test left keys behind: %v %v", left, err)
		}
	})
	keys := "~" + globEscape(prefix) + "*"
	// Logging in and the handshake go-redis does need @connection.
	reader := []string{keys, "+@read", "+@connection"}
	// The same, but allowed to ask ACL DRYRUN about itself.
	asker := append([]string{"+acl|whoami", "+acl|dryrun"}, reader...)
	// May run MULTI, so what it may not write is found by queueing.
	queuer := append([]string{"+@transaction"}, reader...)
	writer := []string{keys, "+@read", "+@write", "+@connection", "+@transaction", "+@keyspace"}
	elsewhere := []string{"~other:*", "+@read", "+@write", "+@connection", "+@transaction", "+@keyspace"}

	noKey := &dataset.Collection{Name: "sessions", Fields: []*dataset.Field{{Name: "id"}}}
	badKind := customers()
	badKind.Kind = "list"
	notPK := customers()
	notPK.Key = "customer:{email}"

	tests := []struct {
		name     string
		url      string
		rules    []string // for a user of its own; nil: the URL as given
		readOnly bool
		d        *dataset.Dataset
		wantErr  []string // all in the message; none: success
	}{
		{name: "default user", d: testDataset()},
		{name: "default user read-only", readOnly: true, d: testDataset()},
		{name: "no dataset", d: nil},
		{name: "reader may not write", rules: reader, d: testDataset(), wantErr: []string{"may not run MULTI"}},
		{name: "queuer may not write", rules: queuer, d: testDataset(), wantErr: []string{"may not run HSET", `collection "customers"`, "may not run SET", `collection "profiles"`, "may not run DEL"}},
		{name: "reader read-only", rules: reader, readOnly: true, d: testDataset()},
		{name: "asker may not write (ACL DRYRUN)", rules: asker, d: testDataset(), wantErr: []string{"may not run HSET", "no permissions", "may not run MULTI"}},
		{name: "asker read-only", rules: asker, readOnly: true, d: testDataset()},
		{name: "writer", rules: writer, d: testDataset()},
		{name: "keys elsewhere", rules: elsewhere, readOnly: true, d: testDataset(), wantErr: []string{"may not run HGETALL", "may not run GET"}},
		{name: "no key template", d: &dataset.Dataset{Collections: []*dataset.Collection{noKey}}, wantErr: []string{`"sessions" has no key template`}},
		{name: "bad kind", d: &dataset.Dataset{Collections: []*dataset.Collection{badKind}}, wantErr: []string{`kind "list"`}},
		{name: "template field not primary key", d: &dataset.Dataset{Collections: []*dataset.Collection{notPK}}, wantErr: []string{"not part of the primary key"}},
		{name: "template field not primary key, read-only", readOnly: true, d: &dataset.Dataset{Collections: []*dataset.Collection{notPK}}},
		{name: "wrong password", url: "redis://nobody:wrong@127.0.0.1:6379/0", d: testDataset(), wantErr: []string{"refused the user name or password"}},
		{name: "nothing listening", url: "redis://127.0.0.1:1/0?dial_timeout=1s", d: testDataset(), wantErr: []string{"nothing listens at 127.0.0.1:1"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := withPrefix(t, testURL(), prefix)
			switch {
			case tt.url != "":
				raw = tt.url
			case tt.rules != nil:
				raw = aclUser(t, fmt.Sprintf("%s%d:", prefix, i), tt.rules...)
			}
			c, err := Open(context.Background(), raw, connector.Options{ReadOnly: tt.readOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.Test(context.Background(), tt.d)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Test: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Test passed, want an error with %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "wrong@") || strings.Contains(err.Error(), ":pw@") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
}
