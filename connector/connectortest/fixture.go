package connectortest

import (
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
)

// Fixture is a small shop, built fresh on every call so that cases may
// change it: five collections, four customers, and every value a string or
// an integer so that any backend can hold it.
//
//	customer   id (pk), email (identity "email"), name
//	address    id (pk), street, city
//	orders     id (pk, string), customer_id → customer.id, shipping_address_id → address.id
//	order_item order_id + item_no (composite pk) → orders.id, quantity
//	login      id (pk), customer_id → customer.id, time (Unix seconds)
//
// Customer 1 (alice@example.com) has addresses 1 and 2, orders ord-1 and
// ord-2 with three items, logins 1 and 2. Customer 2 (bob@example.com) has
// address 3, order ord-3 with two items, logins 3 and 4. Customer 3
// (Carol@Example.com) has address 4, ord-4 with one item, login 5.
// Customer 4 (ALICE@EXAMPLE.COM, someone else whose email differs from
// Alice's only in case) has address 5, ord-5 with one item, login 6.
// Item numbers repeat across orders, so a composite key matched column by
// column instead of as a pair would hit the wrong rows.
func Fixture() (*dataset.Dataset, map[string][]connector.Row) {
	ref := func(col, field, dir string) []dataset.Reference {
		return []dataset.Reference{{Dataset: "shop", Collection: col, Field: field, Direction: dir}}
	}
	d := &dataset.Dataset{
		Key:         "shop",
		Name:        "Shop",
		Description: "The connector conformance fixture.",
		Collections: []*dataset.Collection{
			{Name: "customer", Fields: []*dataset.Field{
				{Name: "id", DataType: "integer", PrimaryKey: true, Categories: []string{"user.unique_id"}},
				{Name: "email", DataType: "string", Identity: "email", Categories: []string{"user.contact.email"}},
				{Name: "name", DataType: "string", Categories: []string{"user.name"}},
			}},
			{Name: "address", Fields: []*dataset.Field{
				{Name: "id", DataType: "integer", PrimaryKey: true, Categories: []string{"system.operations"}},
				{Name: "street", DataType: "string", Categories: []string{"user.contact.address.street"}},
				{Name: "city", DataType: "string", Categories: []string{"user.contact.address.city"}},
			}},
			{Name: "orders", Fields: []*dataset.Field{
				{Name: "id", DataType: "string", PrimaryKey: true, Categories: []string{"system.operations"}},
				{Name: "customer_id", DataType: "integer", Categories: []string{"user.unique_id"}, References: ref("customer", "id", "from")},
				{Name: "shipping_address_id", DataType: "integer", Categories: []string{"system.operations"}, References: ref("address", "id", "to")},
			}},
			{Name: "order_item", Fields: []*dataset.Field{
				{Name: "order_id", DataType: "string", PrimaryKey: true, Categories: []string{"system.operations"}, References: ref("orders", "id", "from")},
				{Name: "item_no", DataType: "integer", PrimaryKey: true, Categories: []string{"system.operations"}},
				{Name: "quantity", DataType: "integer", Categories: []string{"user.behavior.purchase_history"}},
			}},
			{Name: "login", Fields: []*dataset.Field{
				{Name: "id", DataType: "integer", PrimaryKey: true, Categories: []string{"system.operations"}},
				{Name: "customer_id", DataType: "integer", Categories: []string{"user.unique_id"}, References: ref("customer", "id", "from")},
				{Name: "time", DataType: "integer", Categories: []string{"user.behavior.browsing_history"}},
			}},
		},
	}
	customer := func(id int64, email, name string) connector.Row {
		return connector.Row{"id": id, "email": email, "name": name}
	}
	address := func(id int64, street, city string) connector.Row {
		return connector.Row{"id": id, "street": street, "city": city}
	}
	order := func(id string, customer, address int64) connector.Row {
		return connector.Row{"id": id, "customer_id": customer, "shipping_address_id": address}
	}
	item := func(order string, no, qty int64) connector.Row {
		return connector.Row{"order_id": order, "item_no": no, "quantity": qty}
	}
	login := func(id, customer, at int64) connector.Row {
		return connector.Row{"id": id, "customer_id": customer, "time": at}
	}
	rows := map[string][]connector.Row{
		"customer": {
			customer(1, "alice@example.com", "Alice Archer"),
			customer(2, "bob@example.com", "Bob Baker"),
			customer(3, "Carol@Example.com", "Carol Cooper"),
			customer(4, "ALICE@EXAMPLE.COM", "Alicia Upton"),
		},
		"address": {
			address(1, "1 Apple Row", "Amsterdam"),
			address(2, "2 Acorn Street", "Antwerp"),
			address(3, "3 Birch Lane", "Berlin"),
			address(4, "4 Cedar Court", "Copenhagen"),
			address(5, "5 Upland Road", "Utrecht"),
		},
		"orders": {
			order("ord-1", 1, 1),
			order("ord-2", 1, 2),
			order("ord-3", 2, 3),
			order("ord-4", 3, 4),
			order("ord-5", 4, 5),
		},
		"order_item": {
			item("ord-1", 1, 2),
			item("ord-1", 2, 1),
			item("ord-2", 1, 5),
			item("ord-3", 1, 1),
			item("ord-3", 2, 3),
			item("ord-4", 1, 1),
			item("ord-5", 1, 4),
		},
		"login": {
			login(1, 1, 1700000001),
			login(2, 1, 1700000002),
			login(3, 2, 1700000003),
			login(4, 2, 1700000004),
			login(5, 3, 1700000005),
			login(6, 4, 1700000006),
		},
	}
	return d, rows
}
