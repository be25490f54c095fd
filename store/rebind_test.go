package store

import (
	"reflect"
	"testing"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		query    string
		args     []any
		want     string
		wantArgs []any
	}{
		{"SELECT 1", nil, "SELECT 1", nil},
		{"SELECT * FROM t WHERE a = $1 AND b = $2", []any{1, 2}, "SELECT * FROM t WHERE a = ? AND b = ?", []any{1, 2}},
		{"UPDATE t SET a = $2 WHERE b = $1", []any{"b", "a"}, "UPDATE t SET a = ? WHERE b = ?", []any{"a", "b"}},
		{"SELECT $1, $1, $10", []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "SELECT ?, ?, ?", []any{1, 1, 10}},
		{"SELECT '$1 stays', \"$2\" FROM t WHERE x = $1", []any{"x", "y"}, "SELECT '$1 stays', \"$2\" FROM t WHERE x = ?", []any{"x"}},
		{"SELECT strftime('%Y-%m', a) FROM t WHERE a > $1", []any{5}, "SELECT strftime('%Y-%m', a) FROM t WHERE a > ?", []any{5}},
		{"SELECT $3", []any{1}, "SELECT $3", []any{1}}, // out of range: left for the driver to refuse
		{"SELECT $ FROM t", nil, "SELECT $ FROM t", []any{}},
	}
	for _, c := range cases {
		got, args := rebind(c.query, c.args)
		if got != c.want || len(args) != len(c.wantArgs) || len(args) > 0 && !reflect.DeepEqual(args, c.wantArgs) {
			t.Errorf("rebind(%q) = %q %v; want %q %v", c.query, got, args, c.want, c.wantArgs)
		}
	}
}
