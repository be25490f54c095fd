// Package connectortest is the conformance suite every connector runs: the
// same cases, on the same small shop (Fixture), against the real backend.
// A connector's test supplies a Harness that loads the fixture into fresh
// storage; Run does the rest.
//
//	func TestConformance(t *testing.T) {
//		connectortest.Run(t, connectortest.Harness{Name: "redis", Load: loadRedis})
//	}
package connectortest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// Harness is what a connector brings to the suite.
type Harness struct {
	// Name labels the backend in failure messages.
	Name string
	// Load creates fresh storage on the real backend for the collections of
	// d (tables, key spaces, a fake remote system), stores rows (collection
	// name to rows, values string or int64), and returns two connectors on
	// that storage: one read-write, one opened with Options.ReadOnly. Load
	// registers with t.Cleanup whatever must be closed or removed. It is
	// called once per case, from parallel subtests unless Serial is set,
	// and fails the test (t.Fatal) when the backend is unreachable.
	Load func(t *testing.T, d *dataset.Dataset, rows map[string][]connector.Row) (rw, ro connector.Connector)
	// Serial runs the cases one after another, for backends whose storage
	// cannot be made private to one case.
	Serial bool
	// Schemaless backends (a Redis server) cannot tell a missing table or
	// column from an empty one, so the suite does not expect Test to find
	// them.
	Schemaless bool
}

// env is one case's loaded fixture.
type env struct {
	ctx    context.Context
	d      *dataset.Dataset
	rw, ro connector.Connector
	want   map[string][]connector.Row // the fixture as loaded, for expectations
}

func (e *env) col(name string) *dataset.Collection { return e.d.Collection(name) }

// Run runs every case against h, each on freshly loaded storage.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Load == nil {
		t.Fatalf("connectortest: harness %q has no Load", h.Name)
	}
	for _, c := range cases(h) {
		t.Run(c.name, func(t *testing.T) {
			if !h.Serial {
				t.Parallel()
			}
			d, rows := Fixture()
			rw, ro := h.Load(t, d, rows)
			if rw == nil || ro == nil {
				t.Fatalf("connectortest: %s: Load returned no connector", h.Name)
			}
			_, want := Fixture()
			c.run(t, &env{ctx: t.Context(), d: d, rw: rw, ro: ro, want: want})
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, e *env)
}

func cases(h Harness) []testCase {
	return []testCase{
		{"retrieve/identity exact", retrieveIdentity},
		{"retrieve/two fields ORed", retrieveTwoFields},
		{"retrieve/many values", retrieveMany},
		{"retrieve/nothing", retrieveNothing},
		{"retrieve/value types", retrieveTypes},
		{"update/identical values", updateGrouped},
		{"update/per-row values", updatePerRow},
		{"update/to null", updateNull},
		{"update/idempotent", updateIdempotent},
		{"composite key/update and delete", compositeKey},
		{"delete/count and idempotent", deleteRows},
		{"others untouched", othersUntouched},
		{"read-only refuses writes", readOnly},
		{"no primary key", noPrimaryKey},
		{"test/good dataset", testGood},
		{"test/missing table and column", func(t *testing.T, e *env) { testBad(t, e, h.Schemaless) }},
	}
}

func retrieveIdentity(t *testing.T, e *env) {
	for _, tc := range []struct {
		email string
		ids   []int64
	}{
		{"alice@example.com", []int64{1}}, // not customer 4, ALICE@EXAMPLE.COM
		{"ALICE@EXAMPLE.COM", []int64{4}},
		{"Carol@Example.com", []int64{3}},
		{"carol@example.com", nil},
		{"alice@example.com ", nil}, // trailing space: not the value given
	} {
		got := retrieve(t, e.rw, e.col("customer"), map[string][]any{"email": {tc.email}})
		equalRows(t, "customer", fmt.Sprintf("email %q", tc.email), got, pick(e.want["customer"], "id", tc.ids...))
	}
}

func retrieveTwoFields(t *testing.T, e *env) {
	got := retrieve(t, e.rw, e.col("orders"), map[string][]any{
		"customer_id":         {int64(1)},
		"shipping_address_id": {int64(3)},
	})
	equalRows(t, "orders", "customer_id 1 or shipping_address_id 3", got, pick(e.want["orders"], "id", "ord-1", "ord-2", "ord-3"))

	// A row matching both fields comes back once.
	got = retrieve(t, e.rw, e.col("login"), map[string][]any{
		"id":          {int64(3), int64(6)},
		"customer_id": {int64(2)},
	})
	equalRows(t, "login", "id 3, 6 or customer_id 2", got, pick(e.want["login"], "id", int64(3), int64(4), int64(6)))
}

// retrieveMany asks with more values than any statement should carry, with
// the matches spread so that they fall into different chunks.
func retrieveMany(t *testing.T, e *env) {
	ids := make([]any, 2500)
	for i := range ids {
		ids[i] = int64(10_000 + i)
	}
	ids[0], ids[1250], ids[2499] = int64(1), int64(3), int64(2)
	got := retrieve(t, e.rw, e.col("customer"), map[string][]any{"id": ids})
	equalRows(t, "customer", "2,500 ids", got, pick(e.want["customer"], "id", int64(1), int64(2), int64(3)))

	// Alice matches by id in the first values and by email in the last:
	// one row, however the values were split.
	ids, emails := make([]any, 1250), make([]any, 1250)
	for i := range ids {
		ids[i] = int64(20_000 + i)
		emails[i] = fmt.Sprintf("nobody-%d@example.com", i)
	}
	ids[0] = int64(1)
	emails[600], emails[1249] = "bob@example.com", "alice@example.com"
	got = retrieve(t, e.rw, e.col("customer"), map[string][]any{"id": ids, "email": emails})
	equalRows(t, "customer", "1,250 ids or 1,250 emails", got, pick(e.want["customer"], "id", int64(1), int64(2)))
}

func retrieveNothing(t *testing.T, e *env) {
	for _, where := range []map[string][]any{
		{"email": {"nobody@example.com"}},
		{"id": {int64(99)}},
		{"email": {}},
		{},
	} {
		got := retrieve(t, e.rw, e.col("customer"), where)
		if len(got) != 0 {
			t.Errorf("Retrieve(customer, %v) = %d rows, want none", where, len(got))
		}
	}
}

// retrieveTypes reads every row back: values are of the documented types
// (string and int64 here, never []byte or int32) and equal to what was
// loaded.
func retrieveTypes(t *testing.T, e *env) {
	for _, c := range e.d.Collections {
		got := all(t, e, e.rw, c.Name)
		for _, r := range got {
			for _, f := range c.Fields {
				v, ok := r[f.Name]
				if !ok {
					t.Errorf("%s row %v lacks declared field %q", c.Name, keyOf(c, r), f.Name)
					continue
				}
				switch v.(type) {
				case nil, bool, int64, float64, string, time.Time:
				default:
					t.Errorf("%s.%s is %T; a Row holds nil, bool, int64, float64, string or time.Time", c.Name, f.Name, v)
				}
				if want := map[string]string{"integer": "int64", "string": "string"}[f.DataType]; want != "" && fmt.Sprintf("%T", v) != want {
					t.Errorf("%s.%s (data_type %s) is %T, want %s", c.Name, f.Name, f.DataType, v, want)
				}
			}
		}
		equalRows(t, c.Name, "all rows", got, e.want[c.Name])
	}
}

func updateGrouped(t *testing.T, e *env) {
	n := update(t, e.rw, e.col("customer"), []connector.Change{
		{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"name": "erased", "email": "erased@example.invalid"}},
		{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"name": "erased", "email": "erased@example.invalid"}},
		{Key: connector.Row{"id": int64(99)}, Set: connector.Row{"name": "erased", "email": "erased@example.invalid"}}, // no such row
	})
	if n != 2 {
		t.Errorf("Update of customers 1, 2 and missing 99 = %d, want 2", n)
	}
	want := set(e.want["customer"], "id", []any{int64(1), int64(2)}, connector.Row{"name": "erased", "email": "erased@example.invalid"})
	equalRows(t, "customer", "after update", all(t, e, e.rw, "customer"), want)
}

func updatePerRow(t *testing.T, e *env) {
	n := update(t, e.rw, e.col("address"), []connector.Change{
		{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"street": "masked-1"}},
		{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"street": "masked-2", "city": "masked-city"}},
		{Key: connector.Row{"id": int64(3)}, Set: connector.Row{"city": "masked-3"}},
	})
	if n != 3 {
		t.Errorf("Update of addresses 1, 2, 3 = %d, want 3", n)
	}
	want := set(e.want["address"], "id", []any{int64(1)}, connector.Row{"street": "masked-1"})
	want = set(want, "id", []any{int64(2)}, connector.Row{"street": "masked-2", "city": "masked-city"})
	want = set(want, "id", []any{int64(3)}, connector.Row{"city": "masked-3"})
	equalRows(t, "address", "after update", all(t, e, e.rw, "address"), want)
}

func updateNull(t *testing.T, e *env) {
	n := update(t, e.rw, e.col("customer"), []connector.Change{
		{Key: connector.Row{"id": int64(3)}, Set: connector.Row{"name": nil}},
	})
	if n != 1 {
		t.Errorf("Update of customer 3 = %d, want 1", n)
	}
	want := set(e.want["customer"], "id", []any{int64(3)}, connector.Row{"name": nil})
	equalRows(t, "customer", "after setting name to null", all(t, e, e.rw, "customer"), want)
}

func updateIdempotent(t *testing.T, e *env) {
	changes := []connector.Change{
		{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"time": int64(0)}},
		{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"time": int64(0)}},
		{Key: connector.Row{"id": int64(5)}, Set: connector.Row{"time": int64(5)}},
	}
	first := update(t, e.rw, e.col("login"), changes)
	if first != 3 {
		t.Errorf("first Update = %d, want 3", first)
	}
	after := all(t, e, e.rw, "login")
	second := update(t, e.rw, e.col("login"), changes)
	// "Changed" may count rows matched (SQL) or rows whose values differ;
	// either way nothing new happens.
	if second != first && second != 0 {
		t.Errorf("second Update = %d, want %d or 0", second, first)
	}
	equalRows(t, "login", "after the second update", all(t, e, e.rw, "login"), after)
	want := set(e.want["login"], "id", []any{int64(1), int64(2)}, connector.Row{"time": int64(0)})
	want = set(want, "id", []any{int64(5)}, connector.Row{"time": int64(5)})
	equalRows(t, "login", "after the updates", after, want)
}

// compositeKey addresses order items by both key fields. Matching the
// fields separately would also hit (ord-1, 1) and (ord-3, 2).
func compositeKey(t *testing.T, e *env) {
	items := e.col("order_item")
	keys := []connector.Row{{"order_id": "ord-1", "item_no": int64(2)}, {"order_id": "ord-3", "item_no": int64(1)}}
	n := update(t, e.rw, items, []connector.Change{
		{Key: keys[0], Set: connector.Row{"quantity": int64(0)}},
		{Key: keys[1], Set: connector.Row{"quantity": int64(0)}},
	})
	if n != 2 {
		t.Errorf("Update of two items = %d, want 2", n)
	}
	want := slices.Clone(e.want["order_item"])
	for i, r := range want {
		if isKey(r, keys...) {
			want[i] = merge(r, connector.Row{"quantity": int64(0)})
		}
	}
	equalRows(t, "order_item", "after update", all(t, e, e.rw, "order_item"), want)

	n = del(t, e.rw, items, keys)
	if n != 2 {
		t.Errorf("Delete of two items = %d, want 2", n)
	}
	want = slices.DeleteFunc(want, func(r connector.Row) bool { return isKey(r, keys...) })
	equalRows(t, "order_item", "after delete", all(t, e, e.rw, "order_item"), want)
	if n := del(t, e.rw, items, keys); n != 0 {
		t.Errorf("second Delete of two items = %d, want 0", n)
	}
}

func deleteRows(t *testing.T, e *env) {
	logins := e.col("login")
	keys := []connector.Row{{"id": int64(1)}, {"id": int64(2)}, {"id": int64(99)}}
	if n := del(t, e.rw, logins, keys); n != 2 {
		t.Errorf("Delete of logins 1, 2 and missing 99 = %d, want 2", n)
	}
	if n := del(t, e.rw, logins, keys); n != 0 {
		t.Errorf("second Delete = %d, want 0", n)
	}
	if n := del(t, e.rw, logins, nil); n != 0 {
		t.Errorf("Delete of no keys = %d, want 0", n)
	}
	equalRows(t, "login", "after delete", all(t, e, e.rw, "login"), drop(e.want["login"], "id", int64(1), int64(2)))
}

// othersUntouched erases Bob the way an erasure request would, across every
// collection, and checks that nobody else's rows moved.
func othersUntouched(t *testing.T, e *env) {
	update(t, e.rw, e.col("customer"), []connector.Change{{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"email": nil, "name": "erased"}}})
	update(t, e.rw, e.col("address"), []connector.Change{{Key: connector.Row{"id": int64(3)}, Set: connector.Row{"street": "erased", "city": "erased"}}})
	del(t, e.rw, e.col("order_item"), []connector.Row{{"order_id": "ord-3", "item_no": int64(1)}, {"order_id": "ord-3", "item_no": int64(2)}})
	del(t, e.rw, e.col("login"), []connector.Row{{"id": int64(3)}, {"id": int64(4)}})

	want := map[string][]connector.Row{
		"customer":   set(e.want["customer"], "id", []any{int64(2)}, connector.Row{"email": nil, "name": "erased"}),
		"address":    set(e.want["address"], "id", []any{int64(3)}, connector.Row{"street": "erased", "city": "erased"}),
		"orders":     e.want["orders"],
		"order_item": drop(e.want["order_item"], "order_id", "ord-3"),
		"login":      drop(e.want["login"], "id", int64(3), int64(4)),
	}
	for _, c := range e.d.Collections {
		equalRows(t, c.Name, "after erasing customer 2", all(t, e, e.rw, c.Name), want[c.Name])
	}
}

func readOnly(t *testing.T, e *env) {
	_, err := e.ro.Update(e.ctx, e.col("customer"), []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"name": "erased"}}})
	if !errors.Is(err, connector.ErrReadOnly) {
		t.Errorf("read-only Update: err = %v, want ErrReadOnly", err)
	}
	_, err = e.ro.Delete(e.ctx, e.col("login"), []connector.Row{{"id": int64(1)}})
	if !errors.Is(err, connector.ErrReadOnly) {
		t.Errorf("read-only Delete: err = %v, want ErrReadOnly", err)
	}
	_, err = e.ro.Delete(e.ctx, e.col("order_item"), []connector.Row{{"order_id": "ord-1", "item_no": int64(1)}})
	if !errors.Is(err, connector.ErrReadOnly) {
		t.Errorf("read-only Delete: err = %v, want ErrReadOnly", err)
	}
	for _, c := range e.d.Collections {
		// Read back through both: the read-only connector still reads.
		equalRows(t, c.Name, "after refused writes (read-only connector)", all(t, e, e.ro, c.Name), e.want[c.Name])
		equalRows(t, c.Name, "after refused writes", all(t, e, e.rw, c.Name), e.want[c.Name])
	}
}

// noPrimaryKey describes the login table without its key: reading works,
// writing is refused with an error rather than guessing at rows.
func noPrimaryKey(t *testing.T, e *env) {
	c := clone(e.col("login"))
	for _, f := range c.Fields {
		f.PrimaryKey = false
	}
	got := retrieve(t, e.rw, c, map[string][]any{"customer_id": {int64(1)}})
	equalRows(t, "login", "without a primary key", got, pick(e.want["login"], "customer_id", int64(1)))
	n, err := e.rw.Update(e.ctx, c, []connector.Change{{Key: connector.Row{"id": int64(1)}, Set: connector.Row{"time": int64(0)}}})
	if err == nil || n != 0 {
		t.Errorf("Update without a primary key = %d, %v; want an error", n, err)
	}
	safeError(t, e, err)
	n, err = e.rw.Delete(e.ctx, c, []connector.Row{{"id": int64(1)}})
	if err == nil || n != 0 {
		t.Errorf("Delete without a primary key = %d, %v; want an error", n, err)
	}
	safeError(t, e, err)
	equalRows(t, "login", "after refused writes", all(t, e, e.rw, "login"), e.want["login"])
}

func testGood(t *testing.T, e *env) {
	d := cloneDataset(e.d)
	// Collections left out of processing are not checked.
	d.Collections = append(d.Collections, &dataset.Collection{Name: "legacy_archive", SkipProcessing: true, Fields: []*dataset.Field{
		{Name: "id", DataType: "integer", PrimaryKey: true},
	}})
	for name, c := range map[string]connector.Connector{"read-write": e.rw, "read-only": e.ro} {
		if err := c.Test(e.ctx, d); err != nil {
			t.Errorf("%s Test of the fixture: %v", name, err)
		}
	}
}

func testBad(t *testing.T, e *env, schemaless bool) {
	if schemaless {
		t.Skip("a schemaless backend cannot tell a missing table or column from an empty one")
	}
	d := cloneDataset(e.d)
	d.Collections = append(d.Collections, &dataset.Collection{Name: "coupon", Fields: []*dataset.Field{
		{Name: "code", DataType: "string", PrimaryKey: true},
		{Name: "customer_id", DataType: "integer"},
	}})
	cust := d.Collection("customer")
	cust.Fields = append(cust.Fields, &dataset.Field{Name: "nickname", DataType: "string", Categories: []string{"user.name"}})
	for name, c := range map[string]connector.Connector{"read-write": e.rw, "read-only": e.ro} {
		err := c.Test(e.ctx, d)
		if err == nil {
			t.Errorf("%s Test of a dataset naming a missing table and column succeeded", name)
			continue
		}
		msg := err.Error()
		for _, must := range []string{`"coupon"`, `"nickname"`} {
			if !strings.Contains(msg, must) {
				t.Errorf("%s Test error does not name %s: %v", name, must, err)
			}
		}
		for _, fine := range []string{`"orders"`, `"address"`, `"order_item"`} {
			if strings.Contains(msg, fine) {
				t.Errorf("%s Test error names %s, which is fine: %v", name, fine, err)
			}
		}
		safeError(t, e, err)
	}
}

// retrieve, update and del call the connector and fail the test on error,
// checking that the error holds no row values either way.

func retrieve(t *testing.T, c connector.Connector, col *dataset.Collection, where map[string][]any) []connector.Row {
	t.Helper()
	rows, err := c.Retrieve(t.Context(), col, where)
	if err != nil {
		t.Fatalf("Retrieve(%s): %v", col.Name, err)
	}
	return rows
}

func update(t *testing.T, c connector.Connector, col *dataset.Collection, changes []connector.Change) int64 {
	t.Helper()
	n, err := c.Update(t.Context(), col, changes)
	if err != nil {
		t.Fatalf("Update(%s): %v", col.Name, err)
	}
	return n
}

func del(t *testing.T, c connector.Connector, col *dataset.Collection, keys []connector.Row) int64 {
	t.Helper()
	n, err := c.Delete(t.Context(), col, keys)
	if err != nil {
		t.Fatalf("Delete(%s): %v", col.Name, err)
	}
	return n
}

// all reads every row of a collection that the fixture could hold, by the
// first primary key field.
func all(t *testing.T, e *env, c connector.Connector, name string) []connector.Row {
	t.Helper()
	col := e.col(name)
	k := col.PrimaryKey()[0]
	var vals []any
	seen := map[any]bool{}
	for _, r := range e.want[name] {
		if !seen[r[k]] {
			seen[r[k]] = true
			vals = append(vals, r[k])
		}
	}
	return retrieve(t, c, col, map[string][]any{k: vals})
}

// safeError fails the test if err quotes any value of the fixture: connector
// errors reach logs and API answers.
func safeError(t *testing.T, e *env, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, rows := range e.want {
		for _, r := range rows {
			for _, v := range r {
				// Numbers are left out: error codes and counts are numbers too.
				if s, ok := v.(string); ok && strings.Contains(msg, s) {
					t.Errorf("error quotes the row value %q: %v", s, err)
				}
			}
		}
	}
}

// equalRows compares rows as sets, in any order. A field missing from a
// got row counts as null: a backend may drop a field set to null.
func equalRows(t *testing.T, col, what string, got, want []connector.Row) {
	t.Helper()
	g, w := render(got, want), render(want, want)
	if !slices.Equal(g, w) {
		t.Errorf("%s, %s:\n got  %s\n want %s", col, what, strings.Join(g, "\n      "), strings.Join(w, "\n      "))
	}
}

// render writes rows as sorted lines of field=value(type), with the fields
// of like (nil when absent), so that rows compare as text.
func render(rows, like []connector.Row) []string {
	fields := map[string]bool{}
	for _, r := range append(slices.Clone(rows), like...) {
		for k := range r {
			fields[k] = true
		}
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(names))
		for j, k := range names {
			parts[j] = fmt.Sprintf("%s=%#v", k, r[k])
		}
		out[i] = strings.Join(parts, " ")
	}
	if len(out) == 0 {
		return nil
	}
	sort.Strings(out)
	return out
}

func keyOf(c *dataset.Collection, r connector.Row) string {
	var parts []string
	for _, k := range c.PrimaryKey() {
		parts = append(parts, fmt.Sprintf("%s=%v", k, r[k]))
	}
	return strings.Join(parts, ",")
}

// pick returns the rows whose field holds one of vals, in their order.
func pick[T comparable](rows []connector.Row, field string, vals ...T) []connector.Row {
	var out []connector.Row
	for _, r := range rows {
		for _, v := range vals {
			if r[field] == any(v) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// drop returns rows without those whose field holds one of vals.
func drop(rows []connector.Row, field string, vals ...any) []connector.Row {
	return slices.DeleteFunc(slices.Clone(rows), func(r connector.Row) bool { return slices.Contains(vals, r[field]) })
}

// set returns rows with the fields of s changed in the rows whose field
// holds one of vals.
func set(rows []connector.Row, field string, vals []any, s connector.Row) []connector.Row {
	out := slices.Clone(rows)
	for i, r := range out {
		if slices.Contains(vals, r[field]) {
			out[i] = merge(r, s)
		}
	}
	return out
}

func merge(r, s connector.Row) connector.Row {
	out := make(connector.Row, len(r))
	for k, v := range r {
		out[k] = v
	}
	for k, v := range s {
		out[k] = v
	}
	return out
}

func isKey(r connector.Row, keys ...connector.Row) bool {
	for _, k := range keys {
		match := true
		for f, v := range k {
			if r[f] != v {
				match = false
			}
		}
		if match {
			return true
		}
	}
	return false
}

func clone(c *dataset.Collection) *dataset.Collection {
	cc := *c
	cc.Fields = make([]*dataset.Field, len(c.Fields))
	for i, f := range c.Fields {
		ff := *f
		cc.Fields[i] = &ff
	}
	return &cc
}

func cloneDataset(d *dataset.Dataset) *dataset.Dataset {
	dd := *d
	dd.Collections = make([]*dataset.Collection, len(d.Collections))
	for i, c := range d.Collections {
		dd.Collections[i] = clone(c)
	}
	return &dd
}
