package redisconn

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/connectortest"
	"github.com/custos-privacy/custos/dataset"
)

// TestConformance runs the shared suite twice: records as hashes, and as
// JSON objects in strings.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{kindHash, kindString} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			connectortest.Run(t, connectortest.Harness{
				Name:       "redis-" + kind,
				Schemaless: true,
				Load: func(t *testing.T, d *dataset.Dataset, rows map[string][]connector.Row) (rw, ro connector.Connector) {
					return load(t, kind, d, rows)
				},
			})
		})
	}
}

// load gives each collection of d a key template of its primary key
// ("customer:{id}", "order_item:{order_id}:{item_no}") and writes rows
// under a prefix of the case's own. The cases use d as changed here.
func load(t *testing.T, kind string, d *dataset.Dataset, rows map[string][]connector.Row) (rw, ro connector.Connector) {
	t.Helper()
	prefix, rdb := isolated(t)
	ctx := context.Background()
	pipe := rdb.Pipeline()
	for _, col := range d.Collections {
		var parts []string
		for _, f := range col.PrimaryKey() {
			parts = append(parts, "{"+f+"}")
		}
		col.Key = col.Name + ":" + strings.Join(parts, ":")
		col.Kind = kind
		cc, err := compile(col, prefix)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[col.Name] {
			key, err := cc.keyOf(r)
			if err != nil {
				t.Fatal(err)
			}
			if kind == kindString {
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				pipe.Set(ctx, key, b, 0)
				continue
			}
			var args []any
			for f, v := range r {
				if v == nil {
					continue
				}
				s, err := toString(v)
				if err != nil {
					t.Fatal(err)
				}
				args = append(args, f, s)
			}
			pipe.HSet(ctx, key, args...)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("loading the fixture: %v", err)
	}
	return open(t, prefix, false), open(t, prefix, true)
}
