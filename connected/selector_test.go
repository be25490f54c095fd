package connected_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/connected"
)

// TestNoPrimaryKeyErasedBySelection: collections whose dataset declares no
// primary key are erased by the values that found the person's rows — an
// identity, or a primary key of a row of theirs — and kept and reported
// where only a value that is not the person's alone found them.
func TestNoPrimaryKeyErasedBySelection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := t.TempDir() + "/shop.db"
	exec(t, path,
		`CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT, coupon TEXT)`,
		`CREATE TABLE visit (email TEXT NOT NULL, at TEXT NOT NULL, page TEXT, PRIMARY KEY (email, at))`,
		`CREATE TABLE login (customer_id INTEGER, device TEXT)`,
		`CREATE TABLE coupon_use (code TEXT, shopper TEXT)`,
		`INSERT INTO customer VALUES (1, 'ana@example.com', 'SPRING'), (2, 'bob@example.com', 'SPRING')`,
		`INSERT INTO visit VALUES ('ana@example.com', '1', '/a'), ('ana@example.com', '2', '/a'), ('ana@example.com', '3', '/b'), ('bob@example.com', '1', '/a')`,
		`INSERT INTO login VALUES (1, 'ana-phone'), (1, 'ana-laptop'), (1, NULL), (2, 'bob-phone')`,
		`INSERT INTO coupon_use VALUES ('SPRING', 'Ana'), ('SPRING', 'Bob')`)
	src := `dataset:
  - fides_key: shop
    collections:
      - name: customer
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta: {primary_key: true, data_type: integer}
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email}
          - name: coupon
            data_categories: [system.operations]
      - name: visit
        fields:
          - name: email
            data_categories: [user.contact.email]
            fides_meta: {identity: email}
          - name: at
            data_categories: [system.operations]
          - name: page
            data_categories: [user.behavior.browsing_history]
            fides_meta:
              masking_strategy_override: {strategy: random_string_rewrite, configuration: {length: 8}}
      - name: login
        fields:
          - name: customer_id
            data_categories: [system.operations]
            fides_meta:
              references:
                - {dataset: shop, field: customer.id, direction: from}
          - name: device
            data_categories: [user.device.device_id]
            fides_meta:
              masking_strategy_override: {strategy: hmac}
      - name: coupon_use
        fields:
          - name: code
            data_categories: [system.operations]
            fides_meta:
              references:
                - {dataset: shop, field: customer.coupon, direction: from}
          - name: shopper
            data_categories: [user.name]
`
	svc := build(t, "http://127.0.0.1:1", 2) // batches of two: several statements per collection
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(src)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: "sqlite:" + path}); err != nil {
		t.Fatal(err)
	}
	job := connected.Job{RequestID: "r", Kind: connected.KindErasure, Identities: ana()}
	out, err := svc.DSR.Run(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if out.Erased["shop:visit"] != 3 || out.Erased["shop:login"] != 3 {
		t.Fatalf("erased %v", out.Erased)
	}
	hmacRE := regexp.MustCompile(`^[0-9a-f]{64}$`)
	visits := query(t, path, `SELECT email, at, page FROM visit ORDER BY email, at`)
	if len(visits) != 4 || !strings.HasPrefix(visits[3], "bob@example.com|1|/a") && !slices.Contains(visits, "bob@example.com|1|/a") {
		t.Fatalf("visits: %v", visits)
	}
	pages := map[string]bool{}
	for _, v := range visits {
		parts := strings.Split(v, "|")
		if parts[0] == "bob@example.com" {
			continue
		}
		if !hmacRE.MatchString(parts[0]) || len(parts[2]) != 8 || parts[2] == "/a" || parts[2] == "/b" {
			t.Fatalf("ana's visit after erasure: %v", visits)
		}
		pages[parts[2]] = true
	}
	if len(pages) < 2 {
		t.Fatalf("two different pages got one random mask: %v", visits)
	}
	logins := query(t, path, `SELECT customer_id, device FROM login ORDER BY rowid`)
	if logins[3] != "2|bob-phone" || logins[2] != "1|<nil>" || !hmacRE.MatchString(strings.TrimPrefix(logins[0], "1|")) ||
		logins[0] == logins[1] || !strings.HasPrefix(logins[1], "1|") {
		t.Fatalf("logins after erasure: %v", logins)
	}
	// The coupon code is not Ana's alone: Bob's row holds it too.
	if got := query(t, path, `SELECT code, shopper FROM coupon_use ORDER BY rowid`); !slices.Equal(got, []string{"SPRING|Ana", "SPRING|Bob"}) {
		t.Fatalf("coupon uses: %v", got)
	}
	if why := keptFor(out, "shop:coupon_use"); !strings.Contains(why, "not unique to the person") || !strings.Contains(why, "code") {
		t.Fatalf("coupon_use kept for %q; kept %+v", why, out.Kept)
	}
	if why := keptFor(out, "shop:visit"); why != "" {
		t.Fatalf("visit reported: %q", why)
	}
	// Run again: nothing changes.
	before := query(t, path, `SELECT email, at, page FROM visit ORDER BY email, at`)
	if _, err := svc.DSR.Run(ctx, job); err != nil {
		t.Fatal(err)
	}
	if after := query(t, path, `SELECT email, at, page FROM visit ORDER BY email, at`); !slices.Equal(before, after) {
		t.Fatalf("a repeated run changed visits: %v -> %v", before, after)
	}
}
