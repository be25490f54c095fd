package dataset

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	pg    = "postgres_example_test_dataset"
	pgExt = "postgres_example_test_extended_dataset"
)

func postgresSets(t *testing.T) []*Dataset {
	return mustLoad(t, fidesDir+"/postgres_example_test_dataset.yml", fidesDir+"/postgres_example_test_extended_dataset.yml")
}

// checkOrder fails unless every step comes after everything it takes
// values from or names in Needs, and has at least one input.
func checkOrder(t *testing.T, p *Plan) {
	t.Helper()
	at := map[Address]int{}
	for i, s := range p.Steps {
		if _, dup := at[s.Address]; dup {
			t.Errorf("%s planned twice", s.Address)
		}
		at[s.Address] = i
	}
	for i, s := range p.Steps {
		if len(s.Inputs) == 0 {
			t.Errorf("%s has no inputs", s.Address)
		}
		for _, in := range s.Inputs {
			if in.IsIdentity() {
				continue
			}
			if j, ok := at[in.From]; !ok || j >= i {
				t.Errorf("%s (step %d) takes %s.%s from %s, which is not earlier", s.Address, i+1, in.Field, in.FromField, in.From)
			}
		}
		for _, n := range s.Needs {
			if j, ok := at[n]; !ok || j >= i {
				t.Errorf("%s (step %d) needs %s, which is not earlier", s.Address, i+1, n)
			}
		}
	}
}

func names(addrs []Address) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.Collection
	}
	return out
}

func stepNames(p *Plan) []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Address.Collection
	}
	return out
}

func before(t *testing.T, order []string, first, then string) {
	t.Helper()
	i, j := slices.Index(order, first), slices.Index(order, then)
	if i < 0 || j < 0 || i >= j {
		t.Errorf("%s should come before %s in %v", first, then, order)
	}
}

func TestPlanPostgresEmail(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(postgresSets(t), []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, p)
	order := stepNames(p)
	if len(order) != 11 {
		t.Fatalf("steps %v", order)
	}
	first := slices.Clone(order[:5])
	slices.Sort(first)
	if want := []string{"customer", "employee", "report", "service_request", "visit"}; !slices.Equal(first, want) {
		t.Errorf("first five steps %v, want the identity collections %v", order[:5], want)
	}
	for _, pair := range [][2]string{
		{"customer", "orders"}, {"customer", "login"}, {"customer", "payment_card"},
		{"customer", "address"}, {"employee", "address"}, {"orders", "address"}, {"payment_card", "address"},
		{"orders", "order_item"}, {"order_item", "product"}, {"employee", "service_request"},
	} {
		before(t, order, pair[0], pair[1])
	}
	sr := p.Step(Address{pg, "service_request"})
	want := []Input{
		{Field: "alt_email", Identity: "email"},
		{Field: "email", Identity: "email"},
		{Field: "employee_id", From: Address{pg, "employee"}, FromField: "id"},
	}
	if !slices.Equal(sr.Inputs, want) {
		t.Errorf("service_request inputs %+v, want %+v", sr.Inputs, want)
	}
	orders := p.Step(Address{pg, "orders"})
	if want := []Input{{Field: "customer_id", From: Address{pg, "customer"}, FromField: "id"}}; !slices.Equal(orders.Inputs, want) {
		t.Errorf("orders inputs %+v", orders.Inputs)
	}
	addr := p.Step(Address{pg, "address"})
	if got := names(addr.Needs); !slices.Equal(got, []string{"customer", "employee", "orders", "payment_card"}) {
		t.Errorf("address needs %v", got)
	}
	if len(p.Unreachable) != 1 || p.Unreachable[0].Address != (Address{pgExt, "loyalty"}) ||
		p.Unreachable[0].Reason != "needs identity loyalty_id, which this person has not given" {
		t.Errorf("unreachable %+v", p.Unreachable)
	}
}

func TestPlanLoyalty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		identities []string
		reachable  bool
	}{
		{[]string{"email"}, false},
		{[]string{"email", "loyalty_id"}, true},
		{[]string{"loyalty_id"}, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.identities, "+"), func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(postgresSets(t), tt.identities)
			if err != nil {
				t.Fatal(err)
			}
			checkOrder(t, p)
			s := p.Step(Address{pgExt, "loyalty"})
			if (s != nil) != tt.reachable {
				t.Fatalf("loyalty planned = %t, want %t", s != nil, tt.reachable)
			}
			if s != nil && !slices.Equal(s.Inputs, []Input{{Field: "id", Identity: "loyalty_id"}}) {
				t.Errorf("loyalty inputs %+v", s.Inputs)
			}
			if tt.identities[0] == "loyalty_id" {
				// Only loyalty is reachable; every email collection says why not.
				if len(p.Steps) != 1 || len(p.Unreachable) != 11 {
					t.Errorf("steps %v, unreachable %d", stepNames(p), len(p.Unreachable))
				}
				for _, u := range p.Unreachable {
					if u.Address.Collection == "orders" && u.Reason != "only postgres_example_test_dataset:customer leads here, and it is not reachable" {
						t.Errorf("orders: %s", u.Reason)
					}
				}
			}
		})
	}
}

func TestPlanCycle(t *testing.T) {
	t.Parallel()
	// a -> b -> c -> a, with a reachable from email and c also leading to
	// d; b and c also point back at each other (no direction).
	src := custosDoc(`      - name: a
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
          - {name: b_ref, categories: [system.operations], references: [{to: b.id}]}
      - name: b
        fields:
          - {name: id, categories: [system.operations], primary_key: true, references: [{both: c.b_id}]}
      - name: c
        fields:
          - {name: b_id, categories: [system.operations], references: [{to: a.b_ref}]}
          - {name: id, categories: [system.operations], primary_key: true}
      - name: d
        fields:
          - {name: c_id, categories: [system.operations], references: [{from: c.id}]}
`)
	sets, err := Load("cycle.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(sets); err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(sets, []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, p)
	if got := stepNames(p); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("order %v", got)
	}
	// Within the cycle values flow the way they were first reached: c does
	// not feed a, and c takes b's ids rather than giving them.
	if s := p.Step(Address{"d", "a"}); len(s.Inputs) != 1 {
		t.Errorf("a inputs %+v", s.Inputs)
	}
	if s := p.Step(Address{"d", "c"}); !slices.Equal(s.Inputs, []Input{{Field: "b_id", From: Address{"d", "b"}, FromField: "id"}}) {
		t.Errorf("c inputs %+v", s.Inputs)
	}
	if got := names(p.ErasureOrder()); len(got) != 4 {
		t.Errorf("erasure order %v", got)
	}
}

func TestPlanMultipleIdentities(t *testing.T) {
	t.Parallel()
	src := custosDoc(`      - name: accounts
        fields:
          - {name: id, categories: [user.unique_id], primary_key: true}
          - {name: email, categories: [user.contact.email], identity: email}
          - {name: phone, categories: [user.contact.phone_number], identity: phone_number}
      - name: sms
        fields:
          - {name: phone, categories: [user.contact.phone_number], identity: phone_number}
          - {name: account_id, categories: [user.unique_id], references: [{from: accounts.id}]}
      - name: devices
        fields:
          - {name: device_id, categories: [user.device.device_id], identity: device_id}
`)
	sets, err := Load("multi.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ids         []string
		steps       []string
		sms         int // inputs of sms
		unreachable []string
		unused      []string
	}{
		{[]string{"email"}, []string{"accounts", "sms"}, 1, []string{"devices"}, nil},
		{[]string{"phone_number"}, []string{"accounts", "sms"}, 2, []string{"devices"}, nil},
		{[]string{"phone_number", "email", "email"}, []string{"accounts", "sms"}, 2, []string{"devices"}, nil},
		{[]string{"device_id", "email", "phone_number", "ssn"}, []string{"accounts", "devices", "sms"}, 2, nil, []string{"ssn"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.ids, "+"), func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(sets, tt.ids)
			if err != nil {
				t.Fatal(err)
			}
			checkOrder(t, p)
			if got := stepNames(p); !slices.Equal(got, tt.steps) {
				t.Errorf("steps %v, want %v", got, tt.steps)
			}
			if s := p.Step(Address{"d", "sms"}); s == nil || len(s.Inputs) != tt.sms {
				t.Errorf("sms step %+v", s)
			}
			var un []string
			for _, u := range p.Unreachable {
				un = append(un, u.Address.Collection)
			}
			if !slices.Equal(un, tt.unreachable) || !slices.Equal(p.UnusedIdentities, tt.unused) {
				t.Errorf("unreachable %v, unused %v", un, p.UnusedIdentities)
			}
			if !slices.IsSorted(p.Identities) || slices.Compact(slices.Clone(p.Identities)) == nil {
				t.Errorf("identities %v", p.Identities)
			}
		})
	}
}

func TestPlanUnreachableReasons(t *testing.T) {
	t.Parallel()
	src := custosDoc(`      - name: a
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
      - name: island
        fields:
          - {name: id, categories: [system.operations]}
      - name: member
        fields:
          - {name: card, categories: [user.unique_id], identity: member_card}
          - {name: id, categories: [system.operations], primary_key: true}
      - name: points
        fields:
          - {name: member_id, categories: [system.operations], references: [{from: member.id}]}
      - name: skipped
        skip_processing: true
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
`)
	sets, err := Load("r.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(sets, []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Unreachable{
		{Address{"d", "island"}, "no reference or identity leads here"},
		{Address{"d", "member"}, "needs identity member_card, which this person has not given"},
		{Address{"d", "points"}, "only d:member leads here, and it is not reachable"},
	}
	if !slices.Equal(p.Unreachable, want) {
		t.Errorf("unreachable %+v", p.Unreachable)
	}
	if !slices.Equal(p.Skipped, []Address{{"d", "skipped"}}) || !slices.Equal(stepNames(p), []string{"a"}) {
		t.Errorf("skipped %v, steps %v", p.Skipped, stepNames(p))
	}
}

func TestPlanAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after string // after of collection a
		order []string
		note  bool
	}{
		{"none", "[]", []string{"a", "c", "b"}, false},
		{"a after c", "[c]", []string{"c", "a", "b"}, false},
		// b takes a's values, so "a after b" cannot hold; it is set aside.
		{"against the flow", "[b]", []string{"c", "a", "b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := custosDoc(`      - name: a
        after: ` + tt.after + `
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
          - {name: id, categories: [user.unique_id], primary_key: true}
      - name: b
        fields:
          - {name: a_id, categories: [user.unique_id], references: [{from: a.id}]}
      - name: c
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
`)
			sets, err := Load("after.yml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPlan(sets, []string{"email"})
			if err != nil {
				t.Fatal(err)
			}
			if got := stepNames(p); !slices.Equal(got, tt.order) {
				t.Errorf("order %v, want %v", got, tt.order)
			}
			if (len(p.Notes) > 0) != tt.note {
				t.Errorf("notes %v", p.Notes)
			}
			if tt.note && p.Notes[0] != "d:a is queried before d:b although after says otherwise: the afters and the flow of values form a cycle" {
				t.Errorf("note %q", p.Notes[0])
			}
			if !tt.note {
				checkOrder(t, p)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	good := postgresSets(t)
	dangling, err := Load("dangling.yml", []byte(custosDoc(`      - name: a
        fields:
          - {name: email, categories: [user.contact.email], identity: email, references: [{to: "nowhere:x.y"}]}
`)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		sets []*Dataset
		ids  []string
		want string
	}{
		{"no identities", good, nil, "no identities"},
		{"empty identity", good, []string{"email", " "}, "an identity kind is empty"},
		{"unknown dataset", dangling, []string{"email"}, "dangling.yml:6:96: d:a.email.references[0]: reference to unknown dataset nowhere"},
		{"duplicate dataset", append(slices.Clone(good), good[0]), []string{"email"}, "dataset key postgres_example_test_dataset is already used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(tt.sets, tt.ids)
			if err == nil || p != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewPlan = %v, %v; want error containing %q", p, err, tt.want)
			}
			var ps Problems
			if strings.HasPrefix(tt.name, "unknown") && !errors.As(err, &ps) {
				t.Errorf("error does not wrap Problems: %v", err)
			}
		})
	}
}

func TestErasureOrder(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(postgresSets(t), []string{"email", "loyalty_id"})
	if err != nil {
		t.Fatal(err)
	}
	order := names(p.ErasureOrder())
	if len(order) != len(p.Steps) {
		t.Fatalf("erasure order %v has %d collections, plan %d", order, len(order), len(p.Steps))
	}
	for _, pair := range [][2]string{
		{"order_item", "orders"}, {"orders", "customer"}, {"order_item", "product"},
		{"login", "customer"}, {"payment_card", "customer"}, {"service_request", "employee"},
		{"customer", "address"}, {"employee", "address"}, {"orders", "address"}, {"payment_card", "address"},
	} {
		before(t, order, pair[0], pair[1])
	}

	// erase_after and a cycle of keys.
	src := custosDoc(`      - name: a
        erase_after: [c]
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
          - {name: id, categories: [user.unique_id], primary_key: true}
          - {name: b_id, categories: [user.unique_id], references: [{to: b.id}]}
      - name: b
        fields:
          - {name: id, categories: [user.unique_id], primary_key: true}
          - {name: a_id, categories: [user.unique_id], references: [{to: a.id}]}
      - name: c
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
`)
	sets, err := Load("e.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err = NewPlan(sets, []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	got := names(p.ErasureOrder())
	before(t, got, "c", "a")
	if len(got) != 3 || !slices.Equal(got, names(p.ErasureOrder())) {
		t.Errorf("erasure order %v is not complete and stable", got)
	}
}

func TestPlanFormat(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(postgresSets(t), []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := p.Format(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, re := range []string{
		`(?m)^Plan for email: 11 collections$`,
		`(?m)^ 1\. postgres_example_test_dataset:customer  where email = identity email$`,
		`(?m)^ \d\. postgres_example_test_dataset:orders  where customer_id in customer\.id$`,
		`(?m)^ \d\. postgres_example_test_dataset:service_request  where alt_email = identity email or email = identity email or employee_id in employee\.id$`,
		`(?m)^Unreachable:\n  postgres_example_test_extended_dataset:loyalty: needs identity loyalty_id, which this person has not given$`,
		`(?m)^Erasure order:\n( \d|\d\d)\. `,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
	if out != p.String() {
		t.Error("String differs from Format")
	}
}

func TestPlanSkipsSkipProcessing(t *testing.T) {
	t.Parallel()
	sets := mustLoad(t, "testdata/shop.fides.yml")
	p, err := NewPlan(sets, []string{"email"})
	if err != nil {
		t.Fatal(err)
	}
	checkOrder(t, p)
	if got := stepNames(p); !slices.Equal(got, []string{"customer", "orders", "order_line"}) {
		t.Errorf("steps %v", got)
	}
	if !slices.Equal(p.Skipped, []Address{{"shop", "audit"}}) {
		t.Errorf("skipped %v", p.Skipped)
	}
	// order_line references orders.id without a direction: it takes the
	// values the way orders was reached first.
	if s := p.Step(Address{"shop", "order_line"}); !slices.Equal(s.Inputs, []Input{{Field: "order_id", From: Address{"shop", "orders"}, FromField: "id"}}) {
		t.Errorf("order_line inputs %+v", s.Inputs)
	}
	// erase_after: orders is erased after order_line, which also holds its key.
	before(t, names(p.ErasureOrder()), "order_line", "orders")
}
