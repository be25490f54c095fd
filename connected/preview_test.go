package connected_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/policy"
)

// previewShopDataset describes sqltest.Shop() with the orders and
// addresses previewShop adds: Ana's first order ships to address 1, which
// Bob's order ships to as well; her second one to address 2, hers alone.
var previewShopDataset = sqltest.ShopDatasetWith("", `      - name: orders
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true, data_type: integer}
          - name: customer_id
            data_categories: [user.unique_id]
            fides_meta:
              references:
                - {dataset: shop, field: customer.id, direction: from}
          - name: ship_to
            data_categories: [system.operations]
            fides_meta:
              references:
                - {dataset: shop, field: address.id, direction: to}
          - name: note
            data_categories: [user.content]
      - name: address
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true, data_type: integer}
          - name: street
            data_categories: [user.contact.address.street]
      - name: badge
        fields:
          - name: code
            data_categories: [user.unique_id]
            fides_meta: {identity: badge_number, primary_key: true}
`)

var previewTables = []string{"customer", "login", "orders", "address"}

// previewShop makes the shared shop on dialect and returns its URL.
func previewShop(t *testing.T, dialect string) string {
	t.Helper()
	url := sqltest.NewURL(t, dialect)
	sqltest.Exec(t, url, append(sqltest.Shop(),
		`CREATE TABLE address (id INTEGER PRIMARY KEY, street TEXT)`,
		`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, ship_to INTEGER, note TEXT)`,
		`INSERT INTO address VALUES (1, '1 Shared Street'), (2, '2 Own Road')`,
		`INSERT INTO orders VALUES (10, 1, 1, 'leave at the door'), (11, 1, 2, 'ring twice'), (12, 2, 1, 'bob''s')`)...)
	return url
}

// dump reads every row of tables, each as "col=value …", sorted.
func dump(t *testing.T, url string, tables []string) map[string][]string {
	t.Helper()
	db, _ := sqltest.DB(t, url)
	defer db.Close()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Strings(out[table])
	}
	return out
}

func previewServices(t *testing.T, mask bool, url string) *wire.Services {
	t.Helper()
	src := policy.Bundled()
	if mask {
		// Added to the bundled policy's own erasure section.
		src = []byte(strings.Replace(string(src), "\nerasure:\n", "\nerasure:\n  shared_rows:\n    shop:address: mask\n", 1))
	}
	svc := servicesWith(t, src)
	ctx := context.Background()
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(previewShopDataset)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop-db", Dataset: "shop", URL: url}); err != nil {
		t.Fatal(err)
	}
	return svc
}

func previewOf(p connected.Preview, coll string) connected.CollectionPreview {
	for _, c := range p.Collections {
		if c.Collection == coll {
			return c
		}
	}
	return connected.CollectionPreview{}
}

// TestPreviewIsTheRun: the preview writes nothing — not a row of the
// company's database (and on SQLite not a byte of its file), not a task —
// and then the run does exactly what it said, collection by collection,
// on SQLite and PostgreSQL, with shared rows kept (the default) or masked.
func TestPreviewIsTheRun(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqltest.SQLite, sqltest.Postgres} {
		for _, mask := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/mask=%t", dialect, mask), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				url := previewShop(t, dialect)
				svc := previewServices(t, mask, url)
				job := connected.Job{RequestID: "req-preview", Kind: connected.KindErasure, Identities: ana()}

				before := dump(t, url, previewTables)
				var file []byte
				if dialect == sqltest.SQLite {
					var err error
					if file, err = os.ReadFile(strings.TrimPrefix(url, "sqlite:")); err != nil {
						t.Fatal(err)
					}
				}
				p, err := svc.DSR.Preview(ctx, job)
				if err != nil {
					t.Fatal(err)
				}
				again, err := svc.DSR.Preview(ctx, job)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(p.Plan, "sha256:") || again.Plan != p.Plan {
					t.Fatalf("plan digests %q, %q: want one sha256 digest", p.Plan, again.Plan)
				}
				if after := dump(t, url, previewTables); !equalDump(before, after) {
					t.Fatalf("the preview changed the database:\n%v\n%v", before, after)
				}
				if dialect == sqltest.SQLite {
					now, err := os.ReadFile(strings.TrimPrefix(url, "sqlite:"))
					if err != nil || !bytes.Equal(file, now) {
						t.Fatalf("the preview changed the SQLite file (%v)", err)
					}
				}
				if ts, err := svc.DSR.Progress(ctx, job.RequestID); err != nil || len(ts) != 0 {
					t.Fatalf("the preview left tasks: %+v, %v", ts, err)
				}

				// What the preview says, in the words of the test's data.
				want := map[string]struct {
					action         string
					found, written int
					shared         int
				}{
					"shop:customer": {"mask", 1, 1, 0},
					"shop:login":    {"mask", 2, 2, 0},
					"shop:orders":   {"mask", 2, 2, 0},
					// Address 1 is Bob's too: kept, or masked with
					// shared_rows: mask; the id links, the street is masked.
					"shop:address": {"mask", 2, 1, 1},
				}
				if mask {
					w := want["shop:address"]
					w.written = 2
					want["shop:address"] = w
				}
				for coll, w := range want {
					c := previewOf(p, coll)
					if c.Action != w.action || c.Found != w.found || c.Written != w.written || c.Shared != w.shared || c.System != "shop-db" {
						t.Errorf("%s previewed %+v, want %+v", coll, c, w)
					}
				}
				addr := previewOf(p, "shop:address")
				wantShared := policy.SharedKeep
				if mask {
					wantShared = policy.SharedMask
				}
				if addr.SharedTo != wantShared || !slices.Equal(addr.Others, []connected.OthersRows{{Collection: "shop:orders", Rows: 1}}) {
					t.Errorf("address shared rows: %s, others %+v", addr.SharedTo, addr.Others)
				}
				if b := previewOf(p, "shop:badge"); b.Action != "skip" || b.Note == "" || b.Retained == nil {
					t.Errorf("badge, reached only by a badge number, previewed %+v", b)
				}
				for _, c := range p.Collections {
					if strings.Contains(fmt.Sprintf("%+v", c), "ana") || strings.Contains(fmt.Sprintf("%+v", c), "Shared Street") {
						t.Errorf("the preview shows a personal value: %+v", c)
					}
				}

				// The run approved with that plan does what the preview said.
				job.Plan = p.Plan
				out, err := svc.DSR.Run(ctx, job)
				if err != nil {
					t.Fatal(err)
				}
				after := dump(t, url, previewTables)
				changed := map[string]int{}
				for table, rows := range after {
					for _, r := range rows {
						if !slices.Contains(before[table], r) {
							changed["shop:"+table]++
						}
					}
				}
				for _, c := range p.Collections {
					if got := int(out.Erased[c.Collection]); got != c.Written || changed[c.Collection] != c.Written {
						t.Errorf("%s: previewed %d rows written; the run reports %d and changed %d", c.Collection, c.Written, got, changed[c.Collection])
					}
					if c.Found == 0 {
						continue
					}
					if tk := task(t, svc, job.RequestID, connected.PhaseErasure, c.Collection); tk.Note != c.Note {
						t.Errorf("%s: previewed note %q, the run's %q", c.Collection, c.Note, tk.Note)
					}
				}
			})
		}
	}
}

func equalDump(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestPlanChanged: a run or an approval with a digest the plan in force no
// longer has refuses with plan_changed, naming what changed, and writes
// nothing.
func TestPlanChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := previewShop(t, sqltest.SQLite)
	svc := previewServices(t, false, url)
	job := connected.Job{RequestID: "req-changed", Kind: connected.KindErasure, Identities: ana()}
	p, err := svc.DSR.Preview(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DSR.PlanDigest(ctx, ana(), p.Plan); err != nil {
		t.Fatalf("the digest of the plan in force: %v", err)
	}
	// The dataset is imported again: orders' note is no longer personal.
	changed := strings.Replace(previewShopDataset, "          - name: note\n            data_categories: [user.content]", "          - name: note\n            data_categories: [system.operations]", 1)
	if changed == previewShopDataset {
		t.Fatal("the dataset edit did not apply")
	}
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(changed)); err != nil {
		t.Fatal(err)
	}
	before := dump(t, url, previewTables)
	for name, check := range map[string]func() error{
		"approve": func() error { return svc.DSR.PlanDigest(ctx, ana(), p.Plan) },
		"run": func() error {
			_, err := svc.DSR.Run(ctx, connected.Job{RequestID: job.RequestID, Kind: connected.KindErasure, Identities: ana(), Plan: p.Plan})
			return err
		},
	} {
		err := check()
		var ce *custos.Error
		if !errors.As(err, &ce) || ce.Code != connected.CodePlanChanged || ce.Kind != custos.KindConflict || !strings.Contains(ce.Message, "shop:orders") {
			t.Errorf("%s with the old digest: %v", name, err)
		}
	}
	if !equalDump(before, dump(t, url, previewTables)) {
		t.Fatal("a refused run wrote")
	}
	if ts, _ := svc.DSR.Progress(ctx, job.RequestID); len(ts) != 0 {
		t.Fatalf("a refused run left tasks: %+v", ts)
	}
}

// TestPreviewReadOnly: the preview marks the collections of a read-only
// connection as such (from the connection, whatever its note says), and
// no others.
func TestPreviewReadOnly(t *testing.T) {
	t.Parallel()
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("read_only=%t", readOnly), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := previewShop(t, sqltest.SQLite)
			svc := servicesWith(t, policy.Bundled())
			if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(previewShopDataset)); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop-db", Dataset: "shop", URL: url, ReadOnly: readOnly}); err != nil {
				t.Fatal(err)
			}
			p, err := svc.DSR.Preview(ctx, connected.Job{RequestID: "req-preview", Kind: connected.KindErasure, Identities: ana()})
			if err != nil {
				t.Fatal(err)
			}
			c := previewOf(p, "shop:customer")
			if c.Found != 1 || c.ReadOnly != readOnly {
				t.Fatalf("customer %+v, want read_only %t", c, readOnly)
			}
			if readOnly && (c.Written != 0 || !strings.Contains(c.Note, "read-only")) {
				t.Fatalf("customer %+v: a read-only connection would be written", c)
			}
		})
	}
}
