package sqlconn

import (
	"strings"
	"testing"

	"github.com/custos-privacy/custos/dataset"
)

// TestBatch checks how many statements a Retrieve issues: one whenever the
// values fit, on PostgreSQL one whatever their number.
func TestBatch(t *testing.T) {
	t.Parallel()
	vals := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = int64(i)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		d     dialect
		terms []term
		want  int
	}{
		{"small", mysql, []term{{field: "a", vals: vals(10)}, {field: "b", vals: vals(10)}}, 1},
		{"exactly full", sqlite, []term{{field: "a", vals: vals(maxParams)}}, 1},
		{"one over", sqlite, []term{{field: "a", vals: vals(maxParams + 1)}}, 2},
		{"two fields over", mysql, []term{{field: "a", vals: vals(1250)}, {field: "b", vals: vals(1250)}}, 3},
		{"postgres arrays", postgres, []term{{field: "a", vals: vals(2500)}, {field: "b", vals: []any{"x", int64(1)}}}, 1},
	} {
		got := (&conn{dialect: tc.d}).batch(tc.terms)
		if len(got) != tc.want {
			t.Errorf("%s: %d statements, want %d", tc.name, len(got), tc.want)
		}
		n := 0
		for _, b := range got {
			params := 0
			for _, tm := range b {
				if tm.array != nil {
					params++
					// An array literal: {"v1","v2",…}
					n += strings.Count(tm.array.(string), `","`) + 1
				} else {
					params += len(tm.vals)
					n += len(tm.vals)
				}
			}
			if params > maxParams {
				t.Errorf("%s: a statement with %d placeholders", tc.name, params)
			}
		}
		total := 0
		for _, tm := range tc.terms {
			total += len(tm.vals)
		}
		if n != total {
			t.Errorf("%s: %d values in the statements, want %d", tc.name, n, total)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:s3cret@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgres://u@h/db?password=s3cret", "postgres://u@h/db?password=xxxxx"},
		{"mysql://u:p%40ss@h/db", "mysql://u:xxxxx@h/db"},
		{"mysql://u:s3cret@h:notaport/db", "mysql://u:xxxxx@h:notaport/db"},
		{"mysql://u:s3c@ret@h:bad port/db", "mysql://u:xxxxx@h:bad port/db"},
		{"sqlite:/var/lib/shop.db", "sqlite:/var/lib/shop.db"},
	} {
		if got := redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d          dialect
		name, want string
	}{
		{postgres, "orders", `"orders"`},
		{postgres, "sales.orders", `"sales"."orders"`},
		{postgres, `we"ird`, `"we""ird"`},
		{mysql, "order", "`order`"},
		{mysql, "shop.order", "`shop`.`order`"},
		{mysql, "we`ird", "`we``ird`"},
		{sqlite, "main.t", `"main"."t"`},
	} {
		got, err := tc.d.table(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("%v table(%q) = %q, %v; want %q", tc.d, tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "a.b.c", ".t", "t.", "a\x00b"} {
		if _, err := postgres.table(bad); err == nil {
			t.Errorf("table(%q) accepted", bad)
		}
	}
}

func TestWanted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		given []any
		row   any
		want  bool
	}{
		{"same string", []any{"alice@example.com"}, "alice@example.com", true},
		{"other case", []any{"alice@example.com"}, "ALICE@example.com", false},
		{"trailing space", []any{"a"}, "a ", false},
		{"integer as text", []any{int64(7)}, "7", true},
		{"text starting with the integer", []any{int64(7)}, "7abc", false},
		{"text for an integer column", []any{"7"}, int64(7), true},
		{"zero is not any text", []any{"abc"}, int64(0), false},
		{"numeric reads as text", []any{12.5}, "12.50", true},
		{"float column, text given", []any{"0.5"}, 0.5, true},
		{"boolean for tinyint", []any{true}, int64(1), true},
		{"boolean for other text", []any{true}, "Abc", false},
		{"null never matches", []any{"x"}, nil, false},
	} {
		if got := newWanted(tc.given).has(tc.row); got != tc.want {
			t.Errorf("%s: has(%#v) with %#v = %v, want %v", tc.name, tc.row, tc.given, got, tc.want)
		}
	}
}

func TestCoerce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dataType string
		in, want any
		ok       bool
	}{
		{"string", int64(7), "7", true},
		{"integer", "7", int64(7), true},
		{"integer", "seven", "seven", false},
		{"integer", 7.0, int64(7), true},
		{"integer", 7.5, 7.5, false},
		{"float", int64(2), 2.0, true},
		{"boolean", int64(1), true, true},
		{"boolean", int64(2), int64(2), false},
		{"", int64(7), int64(7), true},
		{"object", "x", "x", true},
	} {
		got, ok := coerce(tc.in, &dataset.Field{Name: "f", DataType: tc.dataType})
		if got != tc.want || ok != tc.ok {
			t.Errorf("coerce(%#v, %q) = %#v, %v; want %#v, %v", tc.in, tc.dataType, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCheckErrorText(t *testing.T) {
	t.Parallel()
	e := &CheckError{Database: "postgres://u@h/db", Dataset: "shop", Problems: []Problem{
		{Table: "coupon", Statement: "SELECT", Reason: "does not exist"},
		{Table: "customer", Column: "nickname", Statement: "SELECT", Reason: "does not exist"},
		{Table: "orders", Statement: "UPDATE", Reason: "permission denied for UPDATE"},
		{Table: "orders", Statement: "DELETE", Reason: "permission denied for DELETE"},
	}}
	want := `sqlconn: dataset "shop" on postgres://u@h/db: table "coupon" does not exist; ` +
		`table "customer": column "nickname" does not exist; table "orders": permission denied for UPDATE and DELETE`
	if got := e.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if strings.Count(e.Error(), "orders") != 1 {
		t.Error("orders named twice")
	}
}

// TestValuesUpdate checks how rows with values of their own are written:
// on PostgreSQL and MySQL as joined statements of up to
// valuesPerStatement placeholders, on SQLite (in-process, where a
// prepared statement per row costs little) and for a lone row one by one.
func TestValuesUpdate(t *testing.T) {
	t.Parallel()
	col := &dataset.Collection{Name: "visit", Fields: []*dataset.Field{
		{Name: "id", PrimaryKey: true}, {Name: "email"}, {Name: "page"},
	}}
	groups := func(n int) []*group {
		out := make([]*group, n)
		for i := range out {
			out[i] = &group{fields: col.Fields[1:2], vals: []any{"mask-" + string(rune('a'+i%26))}, keys: [][]any{{int64(i)}}}
		}
		return out
	}
	for _, tc := range []struct {
		name          string
		d             dialect
		rows          int
		stmts, single int
		prefix        string
	}{
		{"postgres many", postgres, 1000, 1, 0, `UPDATE "visit" AS u SET "email" = v.s0 FROM (VALUES (COALESCE($1, (NULL::"visit")."id"), COALESCE($2, (NULL::"visit")."email")), ($3, $4)`},
		{"postgres over one statement", postgres, valuesPerStatement/2 + 1, 2, 0, ""},
		{"mysql many", mysql, 1000, 1, 0, "UPDATE `visit` AS u JOIN (SELECT ? AS k0, ? AS s0 UNION ALL SELECT ?, ?"},
		{"mysql lone row", mysql, 1, 0, 1, ""},
		{"sqlite", sqlite, 1000, 0, 1000, ""},
	} {
		c := &conn{dialect: tc.d}
		tg, err := c.target(col)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.updateBatch(tg, groups(tc.rows))
		if err != nil {
			t.Fatal(err)
		}
		single := 0
		for _, shape := range b.order {
			single += len(b.shapes[shape])
		}
		if len(b.stmts) != tc.stmts || single != tc.single {
			t.Errorf("%s: %d joined statements and %d one-row ones, want %d and %d", tc.name, len(b.stmts), single, tc.stmts, tc.single)
		}
		params := 0
		for _, s := range b.stmts {
			if len(s.args) > valuesPerStatement {
				t.Errorf("%s: %d placeholders in one statement", tc.name, len(s.args))
			}
			params += len(s.args)
		}
		if tc.stmts > 0 && params != 2*tc.rows {
			t.Errorf("%s: %d arguments for %d rows", tc.name, params, tc.rows)
		}
		if tc.prefix != "" && !strings.HasPrefix(b.stmts[0].String(), tc.prefix) {
			t.Errorf("%s: %s", tc.name, b.stmts[0].String()[:200])
		}
	}
}
