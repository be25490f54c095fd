package redisconn

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

func customers() *dataset.Collection {
	return &dataset.Collection{
		Name: "customers",
		Key:  "customer:{id}",
		Fields: []*dataset.Field{
			{Name: "id", DataType: "integer", PrimaryKey: true},
			{Name: "email", DataType: "string", Identity: "email"},
			{Name: "name"},
			{Name: "score", DataType: "float"},
			{Name: "active", DataType: "boolean"},
		},
	}
}

func profiles() *dataset.Collection {
	return &dataset.Collection{
		Name: "profiles",
		Key:  "profile:{user_id}",
		Kind: "string",
		Fields: []*dataset.Field{
			{Name: "user_id", DataType: "integer", PrimaryKey: true},
			{Name: "email", DataType: "string"},
			{Name: "age", DataType: "integer"},
			{Name: "prefs", DataType: "object"},
			{Name: "big"},
		},
	}
}

func orders() *dataset.Collection {
	return &dataset.Collection{
		Name: "orders",
		Key:  "order:{customer_id}:{id}",
		Fields: []*dataset.Field{
			{Name: "customer_id", DataType: "integer", PrimaryKey: true},
			{Name: "id", DataType: "string", PrimaryKey: true},
			{Name: "total", DataType: "float"},
		},
	}
}

func sortRows(rows []connector.Row, by ...string) {
	sort.Slice(rows, func(i, j int) bool {
		return fmt.Sprint(pick(rows[i], by)) < fmt.Sprint(pick(rows[j], by))
	})
}

func pick(r connector.Row, by []string) []any {
	out := make([]any, len(by))
	for i, f := range by {
		out[i] = r[f]
	}
	return out
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tmpl, prefix string
		wantErr            string
		key                string // from vals
		vals               map[string]string
		pattern            string
	}{
		{name: "one field", tmpl: "customer:{email}", vals: map[string]string{"email": "a@b"}, key: "customer:a@b", pattern: "customer:*"},
		{name: "two fields", tmpl: "order:{c}:{id}", vals: map[string]string{"c": "1", "id": "x:y"}, key: "order:1:x:y", pattern: "order:*:*"},
		{name: "glob literals", tmpl: "w*[?]\\:{id}", prefix: "p*:", vals: map[string]string{"id": "1"}, key: "p*:w*[?]\\:1", pattern: `p\*:w\*\[\?\]\\:*`},
		{name: "trailing literal", tmpl: "user:{id}:profile", vals: map[string]string{"id": "7"}, key: "user:7:profile", pattern: "user:*:profile"},
		{name: "no field", tmpl: "config", wantErr: "names no {field}"},
		{name: "adjacent", tmpl: "{a}{b}", wantErr: "nothing between them"},
		{name: "unclosed", tmpl: "x:{a", wantErr: "unclosed"},
		{name: "stray close", tmpl: "x:a}", wantErr: "without {"},
		{name: "twice", tmpl: "{a}:{a}", wantErr: "twice"},
		{name: "empty", tmpl: "x:{}", wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tm, err := parseTemplate(tt.prefix, tt.tmpl)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tm.key(tt.vals); got != tt.key {
				t.Errorf("key = %q, want %q", got, tt.key)
			}
			if got := tm.pattern(); got != tt.pattern {
				t.Errorf("pattern = %q, want %q", got, tt.pattern)
			}
			back, ok := tm.parse(tt.key)
			if !ok || !reflect.DeepEqual(back, tt.vals) {
				t.Errorf("parse(%q) = %v, %v; want %v", tt.key, back, ok, tt.vals)
			}
			if _, ok := tm.parse("other:" + tt.key); ok {
				t.Errorf("parse accepted a key of another template")
			}
		})
	}
}

// TestRetrievePaths checks which where clauses read keys directly and that
// both paths return the same, correctly typed rows.
func TestRetrievePaths(t *testing.T) {
	t.Parallel()
	prefix, rdb := isolated(t)
	ctx := context.Background()
	col := customers()
	for _, h := range []struct {
		id     string
		fields map[string]any
	}{
		{"1", map[string]any{"id": "1", "email": "ana@example.com", "name": "Ana", "score": "1.5", "active": "true", "secret": "undeclared"}},
		{"2", map[string]any{"id": "2", "email": "bo@example.com", "name": "Bo", "active": "false"}},
		{"3", map[string]any{"email": "ana@example.com", "score": "not a number"}},
	} {
		if err := rdb.HSet(ctx, prefix+"customer:"+h.id, h.fields).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Keys of another type or another template must be left alone.
	rdb.Set(ctx, prefix+"customer:9", `{"email":"ana@example.com"}`, 0)
	rdb.HSet(ctx, prefix+"customers:1", "email", "ana@example.com")

	ana := connector.Row{"id": int64(1), "email": "ana@example.com", "name": "Ana", "score": 1.5, "active": true}
	bo := connector.Row{"id": int64(2), "email": "bo@example.com", "name": "Bo", "score": nil, "active": false}
	three := connector.Row{"id": int64(3), "email": "ana@example.com", "name": nil, "score": "not a number", "active": nil}

	c := open(t, prefix, true)
	cc, err := compile(col, prefix)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		where  map[string][]any
		direct bool
		want   []connector.Row
	}{
		{"direct by id", map[string][]any{"id": {int64(1), int64(2), int64(99)}}, true, []connector.Row{ana, bo}},
		{"direct by id as text", map[string][]any{"id": {"3", nil}}, true, []connector.Row{three}},
		{"scan by email", map[string][]any{"email": {"ana@example.com"}}, false, []connector.Row{ana, three}},
		{"scan OR across fields", map[string][]any{"id": {int64(2)}, "email": {"ana@example.com"}}, false, []connector.Row{ana, bo, three}},
		{"scan by boolean", map[string][]any{"active": {"1"}}, false, []connector.Row{ana}},
		{"nothing asked", map[string][]any{"email": {}}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := newMatcher(cc, tt.where)
			if err != nil {
				t.Fatal(err)
			}
			if keys, _ := cc.direct(m); (keys != nil) != tt.direct {
				t.Errorf("direct path = %v, want %v", keys != nil, tt.direct)
			}
			rows, err := c.Retrieve(ctx, col, tt.where)
			if err != nil {
				t.Fatal(err)
			}
			sortRows(rows, "id")
			if len(rows) != len(tt.want) || (len(rows) > 0 && !reflect.DeepEqual(rows, tt.want)) {
				t.Errorf("rows = %v\nwant %v", rows, tt.want)
			}
		})
	}
	t.Run("undeclared where field", func(t *testing.T) {
		t.Parallel()
		if _, err := c.Retrieve(ctx, col, map[string][]any{"secret": {"x"}}); err == nil {
			t.Error("a where on an undeclared field was accepted")
		}
	})
}

func TestCompositeTemplate(t *testing.T) {
	t.Parallel()
	prefix, rdb := isolated(t)
	ctx := context.Background()
	for _, k := range []string{"order:1:a", "order:1:b:c", "order:2:a", "order:10:z"} {
		rdb.HSet(ctx, prefix+k, "total", "2.5")
	}
	c := open(t, prefix, false)
	col := orders()
	tests := []struct {
		name  string
		where map[string][]any
		want  []string // customer_id/id
	}{
		{"by first field", map[string][]any{"customer_id": {int64(1)}}, []string{"1/a", "1/b:c"}},
		{"by second field", map[string][]any{"id": {"a"}}, []string{"1/a", "2/a"}},
		{"OR of both", map[string][]any{"customer_id": {int64(10)}, "id": {"b:c"}}, []string{"1/b:c", "10/z"}},
		{"by value", map[string][]any{"total": {2.5}}, []string{"1/a", "1/b:c", "10/z", "2/a"}},
	}
	// The group returns when its parallel reads are done, before the
	// writes below.
	t.Run("reads", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				rows, err := c.Retrieve(ctx, col, tt.where)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rows {
					if r["total"] != 2.5 {
						t.Errorf("total = %#v", r["total"])
					}
					got = append(got, fmt.Sprintf("%v/%v", r["customer_id"], r["id"]))
				}
				sort.Strings(got)
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
	})
	t.Run("update and delete by composite key", func(t *testing.T) {
		n, err := c.Update(ctx, col, []connector.Change{{Key: connector.Row{"customer_id": int64(2), "id": "a"}, Set: connector.Row{"total": 0.0}}})
		if err != nil || n != 1 {
			t.Fatalf("update = %d, %v", n, err)
		}
		if v := rdb.HGet(ctx, prefix+"order:2:a", "total").Val(); v != "0" {
			t.Errorf("total = %q", v)
		}
		n, err = c.Delete(ctx, col, []connector.Row{{"customer_id": int64(10), "id": "z"}, {"customer_id": int64(10), "id": "z"}, {"customer_id": int64(11), "id": "z"}})
		if err != nil || n != 1 {
			t.Fatalf("delete = %d, %v", n, err)
		}
	})
}

func TestJSONStringKind(t *testing.T) {
	t.Parallel()
	prefix, rdb := isolated(t)
	ctx := context.Background()
	col := profiles()
	rdb.Set(ctx, prefix+"profile:1", `{"user_id":1,"email":"ana@example.com","age":41,"prefs":{"news":true},"big":9007199254740993,"extra":"kept"}`, time.Hour)
	rdb.Set(ctx, prefix+"profile:2", `{"email":"bo@example.com","age":"7"}`, 0)
	rdb.Set(ctx, prefix+"profile:3", `not json`, 0)
	c := open(t, prefix, false)

	rows, err := c.Retrieve(ctx, col, map[string][]any{"user_id": {int64(1), int64(2)}})
	if err != nil {
		t.Fatal(err)
	}
	sortRows(rows, "user_id")
	want := []connector.Row{
		{"user_id": int64(1), "email": "ana@example.com", "age": int64(41), "prefs": `{"news":true}`, "big": int64(9007199254740993)},
		{"user_id": int64(2), "email": "bo@example.com", "age": int64(7), "prefs": nil, "big": nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows = %v\nwant %v", rows, want)
	}
	if _, err := c.Retrieve(ctx, col, map[string][]any{"user_id": {int64(3)}}); err == nil || strings.Contains(err.Error(), "not json") {
		t.Errorf("a non-JSON value: err = %v (want an error that does not quote it)", err)
	}

	n, err := c.Update(ctx, col, []connector.Change{
		{Key: connector.Row{"user_id": int64(1)}, Set: connector.Row{"email": nil, "age": int64(0)}},
		{Key: connector.Row{"user_id": int64(404)}, Set: connector.Row{"email": nil}},
	})
	if err != nil || n != 1 {
		t.Fatalf("update = %d, %v", n, err)
	}
	got := rdb.Get(ctx, prefix+"profile:1").Val()
	for _, part := range []string{`"email":null`, `"age":0`, `"extra":"kept"`, `"big":9007199254740993`} {
		if !strings.Contains(got, part) {
			t.Errorf("after update %s lacks %s", got, part)
		}
	}
	if ttl := rdb.TTL(ctx, prefix+"profile:1").Val(); ttl <= 0 {
		t.Errorf("update dropped the TTL: %v", ttl)
	}
	if rdb.Exists(ctx, prefix+"profile:404").Val() != 0 {
		t.Error("update created a record that did not exist")
	}
}

func TestUpdateDeleteHash(t *testing.T) {
	t.Parallel()
	prefix, rdb := isolated(t)
	ctx := context.Background()
	col := customers()
	rdb.HSet(ctx, prefix+"customer:1", "id", "1", "email", "ana@example.com", "name", "Ana", "score", "1")
	rdb.HSet(ctx, prefix+"customer:2", "id", "2", "email", "bo@example.com")
	c := open(t, prefix, false)

	tests := []struct {
		name    string
		changes []connector.Change
		want    int64
		wantErr string
	}{
		{"set and remove", []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"email": "x@masked", "name": nil, "active": false}}}, 1, ""},
		{"missing record untouched", []connector.Change{{Key: connector.Row{"id": int64(3)}, Set: connector.Row{"email": "x"}}}, 0, ""},
		{"same key value is fine", []connector.Change{{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"id": "2", "name": "B"}}}, 1, ""},
		{"moving the key", []connector.Change{{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"id": int64(5)}}}, 0, "another key"},
		{"undeclared field", []connector.Change{{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"secret": "x"}}}, 0, "not a declared field"},
		{"no key", []connector.Change{{Key: connector.Row{"email": "ana@example.com"}, Set: connector.Row{"name": "x"}}}, 0, `primary key field "id" is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := c.Update(ctx, col, tt.changes)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "ana@example.com") {
					t.Errorf("error echoes a value: %v", err)
				}
				return
			}
			if err != nil || n != tt.want {
				t.Fatalf("update = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
	h := rdb.HGetAll(ctx, prefix+"customer:1").Val()
	if want := map[string]string{"id": "1", "email": "x@masked", "score": "1", "active": "false"}; !reflect.DeepEqual(h, want) {
		t.Errorf("hash = %v, want %v", h, want)
	}
	if rdb.Exists(ctx, prefix+"customer:3").Val() != 0 {
		t.Error("update created a record")
	}
	// Twice is harmless.
	for range 2 {
		n, err := c.Delete(ctx, col, []connector.Row{{"id": int64(1)}, {"id": "2"}, {"id": int64(3)}})
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 && n != 0 {
			t.Errorf("deleted %d", n)
		}
	}
	if rdb.Exists(ctx, prefix+"customer:1", prefix+"customer:2").Val() != 0 {
		t.Error("records survived delete")
	}
}

func TestTemplateFieldNotPrimaryKey(t *testing.T) {
	t.Parallel()
	prefix, _ := isolated(t)
	col := customers()
	col.Key = "customer:{email}"
	c := open(t, prefix, false)
	ctx := context.Background()
	if _, err := c.Update(ctx, col, []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"name": "x"}}}); err == nil || !strings.Contains(err.Error(), "not part of the primary key") {
		t.Errorf("update: %v", err)
	}
	if _, err := c.Delete(ctx, col, []connector.Row{{"id": int64(1)}}); err == nil || !strings.Contains(err.Error(), "not part of the primary key") {
		t.Errorf("delete: %v", err)
	}
	// Reading by such a template is fine.
	if _, err := c.Retrieve(ctx, col, map[string][]any{"email": {"a"}}); err != nil {
		t.Errorf("retrieve: %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	prefix, rdb := isolated(t)
	ctx := context.Background()
	rdb.HSet(ctx, prefix+"customer:1", "email", "ana@example.com")
	c := open(t, prefix, true)
	if _, err := c.Update(ctx, customers(), []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"email": nil}}}); !errors.Is(err, connector.ErrReadOnly) {
		t.Errorf("update: %v", err)
	}
	if _, err := c.Delete(ctx, customers(), []connector.Row{{"id": int64(1)}}); !errors.Is(err, connector.ErrReadOnly) {
		t.Errorf("delete: %v", err)
	}
	if rdb.HGet(ctx, prefix+"customer:1", "email").Val() != "ana@example.com" {
		t.Error("a read-only connection wrote")
	}
}

func TestPrefixIsolation(t *testing.T) {
	t.Parallel()
	p1, rdb := isolated(t)
	p2, _ := isolated(t)
	ctx := context.Background()
	c1, c2 := open(t, p1, false), open(t, p2, false)
	rdb.HSet(ctx, p1+"customer:1", "email", "one@example.com")
	rdb.HSet(ctx, p2+"customer:1", "email", "two@example.com")
	for _, tt := range []struct {
		name  string
		c     connector.Connector
		where map[string][]any
		want  string
	}{
		{"direct 1", c1, map[string][]any{"id": {int64(1)}}, "one@example.com"},
		{"direct 2", c2, map[string][]any{"id": {int64(1)}}, "two@example.com"},
		{"scan 1", c1, map[string][]any{"email": {"one@example.com", "two@example.com"}}, "one@example.com"},
		{"scan 2", c2, map[string][]any{"email": {"one@example.com", "two@example.com"}}, "two@example.com"},
	} {
		rows, err := tt.c.Retrieve(ctx, customers(), tt.where)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0]["email"] != tt.want || rows[0]["id"] != int64(1) {
			t.Errorf("%s: rows = %v", tt.name, rows)
		}
	}
	if n, err := c1.Delete(ctx, customers(), []connector.Row{{"id": int64(1)}}); err != nil || n != 1 {
		t.Fatalf("delete = %d, %v", n, err)
	}
	if rdb.Exists(ctx, p2+"customer:1").Val() != 1 {
		t.Error("deleting under one prefix removed a key under another")
	}
}

func TestOpenURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		wantErr string
	}{
		{"redis://127.0.0.1:6379/0?prefix=a:b:", ""},
		{"redis://u:s3cret@127.0.0.1:6379/0?prefix=x&dial_timeout=1s", ""},
		{"redis://127.0.0.1:6379/0?bogus=1", "unexpected option"},
		{"mysql://u:s3cret@host/db", "scheme"},
		{"redis://u:s3cret@[::1:6379/0", "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			c, err := Open(context.Background(), tt.url, connector.Options{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	c, err := Open(context.Background(), "redis://127.0.0.1:6379/0?prefix=a%3Ab%2A", connector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.(*conn).prefix; p != "a:b*" {
		t.Errorf("prefix = %q", p)
	}
}
