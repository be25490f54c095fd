package erasure

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
)

// hand is the baseline: the statements Custos issues for this subject on
// the Fides example, in its order, written out and run through
// database/sql on a pool kept open — what someone would do by hand who
// knew the schema and did exactly Custos' work, no more and no less.
// TestSameStatements checks that it is the same work.
type hand struct {
	db *sql.DB
	// secret is the instance's HMAC masking secret: visit, whose dataset
	// declares no primary key, is erased by the email that selects it,
	// and the email, part of the table's key, is HMAC-masked.
	secret []byte
}

type row = map[string]any

// The access queries, one per collection, in the order Custos' plan
// visits them.
const (
	qCustomer       = `SELECT "address_id", "created", "email", "id", "name" FROM "customer" WHERE "email" = ANY($1)`
	qEmployee       = `SELECT "address_id", "email", "id", "name" FROM "employee" WHERE "email" = ANY($1)`
	qReport         = `SELECT "email", "id", "month", "name", "total_visits", "year" FROM "report" WHERE "email" = ANY($1)`
	qServiceRequest = `SELECT "alt_email", "closed", "email", "employee_id", "id", "opened" FROM "service_request" WHERE "alt_email" = ANY($1) OR "email" = ANY($2)`
	qVisit          = `SELECT "email", "last_visit" FROM "visit" WHERE "email" = ANY($1)`
	qLogin          = `SELECT "customer_id", "id", "time" FROM "login" WHERE "customer_id" = ANY($1)`
	qOrders         = `SELECT "customer_id", "id", "shipping_address_id" FROM "orders" WHERE "customer_id" = ANY($1)`
	qPaymentCard    = `SELECT "billing_address_id", "ccn", "code", "customer_id", "id", "name", "preferred" FROM "payment_card" WHERE "customer_id" = ANY($1)`
	qAddress        = `SELECT "city", "house", "id", "state", "street", "zip" FROM "address" WHERE "id" = ANY($1)`
	qOrderItem      = `SELECT "order_id", "product_id", "quantity" FROM "order_item" WHERE "order_id" = ANY($1)`
	qProduct        = `SELECT "id", "name", "price" FROM "product" WHERE "id" = ANY($1)`
)

// The erasure: personal fields that link nothing become NULL, in
// Custos' erasure order, each row only if it still differs. Before a row
// that others' rows may point at is erased, those references are looked
// up.
const (
	uServiceRequest = `UPDATE "service_request" SET "alt_email" = $1 WHERE "id" = $2 AND ("alt_email" IS DISTINCT FROM $3)`
	uLogin          = `UPDATE "login" SET "time" = $1 WHERE "id" = ANY($2) AND ("time" IS DISTINCT FROM $3)`
	uPaymentCard    = `UPDATE "payment_card" SET "ccn" = $1, "code" = $2, "name" = $3, "preferred" = $4 WHERE "id" = $5 AND ("ccn" IS DISTINCT FROM $6 OR "code" IS DISTINCT FROM $7 OR "name" IS DISTINCT FROM $8 OR "preferred" IS DISTINCT FROM $9)`
	uCustomer       = `UPDATE "customer" SET "email" = $1, "name" = $2 WHERE "id" = $3 AND ("email" IS DISTINCT FROM $4 OR "name" IS DISTINCT FROM $5)`
	uVisit          = `UPDATE "visit" SET "email" = $1 WHERE "email" = $2 AND ("email" IS DISTINCT FROM $3)`

	rCustomerByAddress    = `SELECT "address_id", "created", "email", "id", "name" FROM "customer" WHERE "address_id" = ANY($1)`
	rEmployeeByAddress    = `SELECT "address_id", "email", "id", "name" FROM "employee" WHERE "address_id" = ANY($1)`
	rOrdersByAddress      = `SELECT "customer_id", "id", "shipping_address_id" FROM "orders" WHERE "shipping_address_id" = ANY($1)`
	rPaymentCardByAddress = `SELECT "billing_address_id", "ccn", "code", "customer_id", "id", "name", "preferred" FROM "payment_card" WHERE "billing_address_id" = ANY($1)`
)

func (h *hand) query(ctx context.Context, q string, args ...any) ([]row, error) {
	rows, err := h.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []row
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make(row, len(cols))
		for i, c := range cols {
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ints and strs gather a field's distinct non-NULL values over rows.
func ints(sets ...any) []int64 {
	var out []int64
	for i := 0; i < len(sets); i += 2 {
		for _, r := range sets[i].([]row) {
			if v, ok := r[sets[i+1].(string)].(int64); ok && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

func strs(rows []row, field string) []string {
	var out []string
	for _, r := range rows {
		if v, ok := r[field].(string); ok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// access finds the subject's rows, collection by collection, each query
// fed by the keys the earlier ones found; none is asked without keys.
func (h *hand) access(ctx context.Context, emails []string) (map[string][]row, error) {
	f := map[string][]row{}
	var err error
	get := func(table, q string, args ...any) {
		if err == nil {
			f[table], err = h.query(ctx, q, args...)
		}
	}
	get("customer", qCustomer, emails)
	get("employee", qEmployee, emails)
	get("report", qReport, emails)
	if len(f["employee"]) > 0 {
		// Fides' service requests are also reached from the employee
		// who handled them; this subject is no employee.
		return nil, fmt.Errorf("the baseline is written for a subject who is no employee")
	}
	get("service_request", qServiceRequest, emails, emails)
	get("visit", qVisit, emails)
	if c := ints(f["customer"], "id"); len(c) > 0 {
		get("login", qLogin, c)
		get("orders", qOrders, c)
		get("payment_card", qPaymentCard, c)
	}
	if a := ints(f["customer"], "address_id", f["orders"], "shipping_address_id", f["payment_card"], "billing_address_id"); len(a) > 0 {
		get("address", qAddress, a)
	}
	if o := strs(f["orders"], "id"); len(o) > 0 {
		get("order_item", qOrderItem, o)
	}
	if p := ints(f["order_item"], "product_id"); len(p) > 0 {
		get("product", qProduct, p)
	}
	return f, err
}

// erase nulls the subject's personal fields, given what access found. It
// returns the rows written per table.
func (h *hand) erase(ctx context.Context, f map[string][]row) (map[string]int64, error) {
	n := map[string]int64{}
	var err error
	exec := func(table, q string, args ...any) {
		if err != nil {
			return
		}
		var res sql.Result
		if res, err = h.db.ExecContext(ctx, q, args...); err == nil {
			m, _ := res.RowsAffected()
			n[table] += m
		}
	}
	one := func(table string) any {
		if len(f[table]) != 1 {
			err = fmt.Errorf("the baseline is written for a subject with one %s row, not %d", table, len(f[table]))
			return nil
		}
		return f[table][0]["id"]
	}
	if len(f["service_request"]) > 0 {
		exec("service_request", uServiceRequest, nil, one("service_request"), nil)
	}
	for _, e := range strs(f["visit"], "email") {
		mac := hmac.New(sha256.New, h.secret)
		mac.Write([]byte(e))
		m := hex.EncodeToString(mac.Sum(nil))
		exec("visit", uVisit, m, e, m)
	}
	if l := ints(f["login"], "id"); len(l) > 0 {
		exec("login", uLogin, nil, l, nil)
	}
	if len(f["payment_card"]) > 0 {
		exec("payment_card", uPaymentCard, nil, nil, nil, nil, one("payment_card"), nil, nil, nil, nil)
	}
	// A customer row stays while logins, orders or cards of someone else
	// point at it.
	if c := ints(f["customer"], "id"); len(c) > 0 && err == nil {
		shared := false
		for _, ref := range []struct{ table, q string }{{"login", qLogin}, {"orders", qOrders}, {"payment_card", qPaymentCard}} {
			var refs []row
			if refs, err = h.query(ctx, ref.q, c); err != nil {
				return nil, err
			}
			shared = shared || !allFound(refs, f[ref.table], "id")
		}
		if !shared {
			exec("customer", uCustomer, nil, nil, one("customer"), nil, nil)
		}
	}
	// So does an address that anyone else's customer, employee, order or
	// card points at: here, every address the subject has.
	if a := ints(f["address"], "id"); len(a) > 0 && err == nil {
		shared := map[int64]bool{}
		for _, ref := range []struct{ table, q, field string }{
			{"customer", rCustomerByAddress, "address_id"},
			{"employee", rEmployeeByAddress, "address_id"},
			{"orders", rOrdersByAddress, "shipping_address_id"},
			{"payment_card", rPaymentCardByAddress, "billing_address_id"},
		} {
			refs, err := h.query(ctx, ref.q, a)
			if err != nil {
				return nil, err
			}
			for _, r := range refs {
				if !allFound([]row{r}, f[ref.table], "id") {
					shared[r[ref.field].(int64)] = true
				}
			}
		}
		for _, id := range a {
			if !shared[id] {
				return nil, fmt.Errorf("the baseline is written for a subject whose addresses are all shared; address %d is not", id)
			}
		}
	}
	return n, err
}

// allFound reports whether every row of refs is, by key, among mine.
func allFound(refs, mine []row, key string) bool {
	for _, r := range refs {
		if !slices.ContainsFunc(mine, func(m row) bool { return m[key] == r[key] }) {
			return false
		}
	}
	return true
}

// run does what an access request and then an erasure request of the
// subject make Custos do: the access queries twice, since an erasure
// starts by finding the rows again, then the writes.
func (h *hand) run(ctx context.Context, emails []string) (found map[string][]row, erased map[string]int64, err error) {
	if found, err = h.access(ctx, emails); err != nil {
		return nil, nil, err
	}
	again, err := h.access(ctx, emails)
	if err != nil {
		return nil, nil, err
	}
	erased, err = h.erase(ctx, again)
	return found, erased, err
}
