package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const fidesDir = "testdata/fides"

func mustLoad(t testing.TB, paths ...string) []*Dataset {
	t.Helper()
	sets, err := LoadFiles(paths...)
	if err != nil {
		t.Fatalf("LoadFiles(%v): %v", paths, err)
	}
	return sets
}

// identityFields lists "collection.field=identity" for a dataset.
func identityList(ds *Dataset) []string {
	var out []string
	for _, c := range ds.Collections {
		for _, f := range c.Fields {
			if f.Identity != "" {
				out = append(out, c.Name+"."+f.Name+"="+f.Identity)
			}
		}
	}
	return out
}

func TestLoadFidesAnchors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file        string
		key         string
		collections int
		identities  []string
		check       func(t *testing.T, ds *Dataset)
	}{
		{
			file:        "postgres_example_test_dataset.yml",
			key:         "postgres_example_test_dataset",
			collections: 11,
			identities: []string{
				"customer.email=email", "employee.email=email", "report.email=email",
				"service_request.alt_email=email", "service_request.email=email", "visit.email=email",
			},
			check: func(t *testing.T, ds *Dataset) {
				if ds.Name != "Postgres Example Test Dataset" || !strings.HasPrefix(ds.Description, "Example of a Postgres dataset") {
					t.Errorf("name/description = %q / %q", ds.Name, ds.Description)
				}
				if ds.Line != 2 || ds.Col != 5 {
					t.Errorf("dataset at %d:%d, want 2:5", ds.Line, ds.Col)
				}
				cust := ds.Collection("customer")
				if cust.Line != 23 || cust.Col != 9 {
					t.Errorf("customer at %d:%d, want 23:9", cust.Line, cust.Col)
				}
				ref := cust.Field("address_id").References
				want := []Reference{{Dataset: "postgres_example_test_dataset", Collection: "address", Field: "id", Direction: "to", Line: 30, Col: 26}}
				if !reflect.DeepEqual(ref, want) {
					t.Errorf("customer.address_id references = %+v, want %+v", ref, want)
				}
				if d := ds.Collection("login").Field("customer_id").References[0].Direction; d != "from" {
					t.Errorf("login.customer_id direction = %q, want from", d)
				}
				if pk := cust.PrimaryKey(); !slices.Equal(pk, []string{"id"}) {
					t.Errorf("customer primary key = %v", pk)
				}
				name := cust.Field("name")
				if name.DataType != "string" || name.Length != 40 || !slices.Equal(name.Categories, []string{"user.name"}) {
					t.Errorf("customer.name = %+v", name)
				}
				en := ds.Collection("employee").Field("name")
				wantMask := &Masking{Strategy: MaskString, Value: "testing", Suffix: "-test", Line: 72, Col: 27}
				if !reflect.DeepEqual(en.Masking, wantMask) {
					t.Errorf("employee.name masking = %+v, want %+v", en.Masking, wantMask)
				}
				if en.Line != 67 || en.Col != 13 {
					t.Errorf("employee.name at %d:%d, want 67:13", en.Line, en.Col)
				}
				if ds.Collection("visit").PrimaryKey() != nil {
					t.Error("visit has no primary key in the anchor")
				}
			},
		},
		{
			file:        "postgres_example_test_extended_dataset.yml",
			key:         "postgres_example_test_extended_dataset",
			collections: 1,
			identities:  []string{"loyalty.id=loyalty_id"},
			check: func(t *testing.T, ds *Dataset) {
				if dt := ds.Collection("loyalty").Field("points").DataType; dt != "integer" {
					t.Errorf("loyalty.points data_type = %q", dt)
				}
			},
		},
		{
			file:        "mysql_example_test_dataset.yml",
			key:         "mysql_example_test_dataset",
			collections: 12,
			identities: []string{
				"customer.email=email", "employee.email=email", "report.email=email",
				"service_request.alt_email=email", "service_request.email=email", "visit.email=email", "Lead.email=email",
			},
			check: func(t *testing.T, ds *Dataset) {
				if ds.Collection("Lead") == nil {
					t.Error("no collection Lead")
				}
				if d := ds.Collection("order_item").Field("product_id").References[0]; d.Direction != "to" || d.Target().String() != "mysql_example_test_dataset:product" {
					t.Errorf("order_item.product_id reference = %+v", d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(fidesDir, tt.file)
			sets := mustLoad(t, path)
			if len(sets) != 1 {
				t.Fatalf("%d datasets, want 1", len(sets))
			}
			ds := sets[0]
			if ds.Key != tt.key || ds.File != path {
				t.Errorf("key, file = %q, %q", ds.Key, ds.File)
			}
			if len(ds.Collections) != tt.collections {
				t.Errorf("%d collections, want %d", len(ds.Collections), tt.collections)
			}
			if got := identityList(ds); !slices.Equal(got, tt.identities) {
				t.Errorf("identities = %v, want %v", got, tt.identities)
			}
			for _, c := range ds.Collections {
				for _, f := range c.Fields {
					if f.Line == 0 || f.Col == 0 || len(f.Categories) == 0 {
						t.Errorf("%s.%s: position %d:%d, categories %v", c.Name, f.Name, f.Line, f.Col, f.Categories)
					}
				}
			}
			if err := Validate(sets); err != nil {
				t.Errorf("Validate: %v", err)
			}
			tt.check(t, ds)
		})
	}
}

func TestLoadRefusesNonDatasets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"taxonomy", "", "testdata/fides/data_categories.yml:1:1: this is a fideslang taxonomy file (data_category:), not a dataset file"},
		{"other keys", "colours: [red]\n", "x.yml:1:1: not a dataset file: expected a top-level dataset: list (Fides) or datasets: list (Custos); found colours"},
		{"list", "- a\n- b\n", "x.yml:1:1: not a dataset file: expected a mapping"},
		{"empty", "", "x.yml:1:1: the file is empty"},
		{"comment only", "# nothing\n", "x.yml:1:1: the file is empty"},
		{"both formats", "dataset: []\ndatasets: []\n", "x.yml:2:1: a file is either Fides (dataset:) or Custos (datasets:), not both"},
		{"fides system", "system: []\n", "x.yml:1:1: this is a Fides system file (system:), not a dataset file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.name == "taxonomy" {
				_, err = LoadFile(filepath.Join(fidesDir, "data_categories.yml"))
			} else {
				_, err = Load("x.yml", []byte(tt.src))
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 {
				t.Fatalf("err = %v, want one problem", err)
			}
			if !strings.HasPrefix(ps[0].String(), tt.want) {
				t.Errorf("problem = %q\nwant prefix %q", ps[0], tt.want)
			}
		})
	}
}

// bad.yml lines are numbered in the comments so that the expected positions
// can be checked by eye.
const badLoad = `dataset:
  - fides_key: shop
    colour: blue
    collections:
      - name: customer
        fields:
          - name: email
            data_categories: user.contact.email
            fides_meta:
              identty: email
              primary_key: yes
              length: -1
          - name: id
            fides_meta:
              references:
                - dataset: shop
                  field: orders
                  direction: sideways
`

func TestLoadProblemPositions(t *testing.T) {
	t.Parallel()
	_, err := Load("bad.yml", []byte(badLoad))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	want := []string{
		`bad.yml:3:5: dataset[0]: unknown key "colour"`,
		`bad.yml:8:30: dataset[0].collections[0].fields[0].data_categories: must be a list, not text`,
		`bad.yml:10:15: dataset[0].collections[0].fields[0].fides_meta: unknown key "identty"`,
		`bad.yml:11:28: dataset[0].collections[0].fields[0].fides_meta.primary_key: must be true or false, not text`,
		`bad.yml:12:23: dataset[0].collections[0].fields[0].fides_meta.length: must be a whole number from 0 to 2147483647`,
		`bad.yml:17:26: dataset[0].collections[0].fields[1].fides_meta.references[0].field: field must be collection.field, not "orders"`,
		`bad.yml:18:30: dataset[0].collections[0].fields[1].fides_meta.references[0].direction: direction must be to or from, not "sideways"`,
	}
	got := strings.Split(ps.Error(), "\n")
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadSmallProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"yaml syntax", "dataset:\n  - fides_key: [x\n", "x.yml:2:"},
		{"missing fides_key", "dataset:\n  - collections: []\n", "x.yml:2:5: dataset[0]: missing fides_key"},
		{"missing fields", "dataset:\n  - fides_key: a\n    collections:\n      - name: c\n", "x.yml:4:9: dataset[0].collections[0]: missing fields"},
		{"reference without collection", "datasets:\n  - key: a\n    collections:\n      - name: c\n        fields:\n          - name: f\n            references: [{to: f}]\n",
			`x.yml:7:31: datasets[0].collections[0].fields[0].references[0].to: "f" is not dataset:collection.field or collection.field`},
		{"two reference directions", "datasets:\n  - key: a\n    collections:\n      - name: c\n        fields:\n          - name: f\n            references: [{to: c.f, from: c.f}]\n",
			"x.yml:7:27: datasets[0].collections[0].fields[0].references[0]: a reference is one of to:, from: or both:"},
		{"wrong version", "custos: dataset/v9\ndatasets: []\n", `x.yml:1:9: custos: must be "dataset/v1"`},
		{"undefined alias", "dataset: *nope\n", "x.yml:1:10: YAML: alias *nope names no anchor defined before it"},
		{"sub-field parent with identity", "dataset:\n  - fides_key: a\n    collections:\n      - name: c\n        fields:\n          - name: p\n            fides_meta: {identity: email}\n            fields:\n              - {name: q, data_categories: [user]}\n",
			"x.yml:6:13: dataset[0].collections[0].fields[0]: identity on a field with sub-fields"},
		{"bad after", "dataset:\n  - fides_key: a\n    collections:\n      - name: c\n        fides_meta: {after: [nodot]}\n        fields: []\n",
			`x.yml:5:30: dataset[0].collections[0].fides_meta.after[0]: "nodot" is not dataset.collection`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load("x.yml", []byte(tt.src))
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("err = %v, want Problems", err)
			}
			if !strings.HasPrefix(ps[0].String(), tt.want) {
				t.Errorf("problem = %q\nwant prefix %q", ps.Error(), tt.want)
			}
		})
	}
}

func TestLoadIgnoresFidesLegalKeys(t *testing.T) {
	t.Parallel()
	src := `dataset:
  - fides_key: docs
    organization_fides_key: default_organization
    tags: [a]
    meta: {owner: team}
    data_categories: [user]
    data_qualifier: aggregated.anonymized
    retention: 30 days
    fides_meta: {resource_id: x, namespace: {schema: public}, after: [other]}
    collections:
      - name: profile
        description: user profiles
        data_categories: [user]
        retention: null
        fides_meta: {skip_processing: false, partitioning: {field: ts}}
        fields:
          - name: _id
            data_categories: [system.operations]
            data_qualifier: aggregated
            fides_meta: {primary_key: true, data_type: object_id}
          - name: emails
            data_categories: [user.contact.email]
            data_subjects: [customer]
            fides_meta: {identity: email, data_type: "string[]", return_all_elements: true, custom_request_field: x}
          - name: address
            data_categories: [user.contact.address]
            fides_meta: {data_type: object, read_only: true}
            fields:
              - name: city
              - name: geo
                fields:
                  - name: lat
                    data_categories: [user.location]
                    fides_meta: {data_type: float}
  - fides_key: other
    collections: []
`
	sets, err := Load("docs.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ds := sets[0]
	if !slices.Equal(ds.After, []string{"other"}) {
		t.Errorf("dataset after = %v", ds.After)
	}
	var names []string
	for _, f := range ds.Collections[0].Fields {
		names = append(names, fmt.Sprintf("%s%v ro=%t", f.Name, f.Categories, f.ReadOnly))
	}
	want := []string{
		"_id[system.operations] ro=false",
		"emails[user.contact.email] ro=false",
		"address.city[user.contact.address] ro=true",
		"address.geo.lat[user.location] ro=true",
	}
	if !slices.Equal(names, want) {
		t.Errorf("fields = %v, want %v", names, want)
	}
	if err := Validate(sets); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// strip clears what differs between two files saying the same thing: where
// it is written.
func strip(sets []*Dataset) []*Dataset {
	var out []*Dataset
	for _, ds := range sets {
		d := *ds
		d.File, d.Line, d.Col = "", 0, 0
		d.Collections = nil
		for _, c := range ds.Collections {
			cc := *c
			cc.Line, cc.Col, cc.afterAt, cc.eraseAfterAt = 0, 0, nil, nil
			cc.Fields = nil
			if c.Masking != nil {
				m := *c.Masking
				m.Line, m.Col = 0, 0
				cc.Masking = &m
			}
			for _, f := range c.Fields {
				ff := *f
				ff.Line, ff.Col = 0, 0
				ff.References = nil
				for _, r := range f.References {
					r.Line, r.Col = 0, 0
					ff.References = append(ff.References, r)
				}
				if f.Masking != nil {
					m := *f.Masking
					m.Line, m.Col = 0, 0
					ff.Masking = &m
				}
				cc.Fields = append(cc.Fields, &ff)
			}
			d.Collections = append(d.Collections, &cc)
		}
		out = append(out, &d)
	}
	return out
}

func TestCustosFormatMatchesFides(t *testing.T) {
	t.Parallel()
	fides := strip(mustLoad(t, "testdata/shop.fides.yml"))
	for _, file := range []string{"testdata/shop.custos.yml", "testdata/shop.custos.json"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			custos := strip(mustLoad(t, file))
			if !reflect.DeepEqual(custos, fides) {
				t.Errorf("%s differs from shop.fides.yml:\n got %s\nwant %s", file, dump(custos), dump(fides))
			}
		})
	}
	sets := mustLoad(t, "testdata/shop.fides.yml")
	if err := Validate(sets); err != nil {
		t.Errorf("Validate: %v", err)
	}
	orders := sets[0].Collection("orders")
	if orders.After[0] != (Address{"shop", "customer"}) || orders.EraseAfter[0] != (Address{"shop", "order_line"}) {
		t.Errorf("orders after %v erase_after %v", orders.After, orders.EraseAfter)
	}
	if m := sets[0].Collection("order_line").Masking; m == nil || m.Strategy != MaskDelete {
		t.Errorf("order_line masking = %+v", m)
	}
	if !sets[0].Collection("audit").SkipProcessing {
		t.Error("audit is not skipped")
	}
}

func dump(sets []*Dataset) string {
	var b strings.Builder
	for _, ds := range sets {
		fmt.Fprintf(&b, "%+v\n", *ds)
		for _, c := range ds.Collections {
			fmt.Fprintf(&b, "  %+v masking=%+v\n", *c, c.Masking)
			for _, f := range c.Fields {
				fmt.Fprintf(&b, "    %+v masking=%+v\n", *f, f.Masking)
			}
		}
	}
	return b.String()
}

func TestCustosOnlyFields(t *testing.T) {
	t.Parallel()
	src := `datasets:
  - key: cache
    collections:
      - name: session
        key: "session:{email}"
        kind: string
        collected_at: created
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
          - {name: created, categories: [system.operations]}
`
	sets, err := Load("cache.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := sets[0].Collections[0]
	if c.Key != "session:{email}" || c.Kind != "string" || c.CollectedAt != "created" {
		t.Errorf("collection = %+v", c)
	}
	if err := Validate(sets); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if names, err := KeyFields(c.Key); err != nil || !slices.Equal(names, []string{"email"}) {
		t.Errorf("KeyFields = %v, %v", names, err)
	}
}

func TestLoadAliases(t *testing.T) {
	t.Parallel()
	src := `x-meta: &email {identity: email, data_type: string}
dataset:
  - fides_key: a
    collections:
      - name: c
        fields:
          - name: e
            data_categories: &cats [user.contact.email]
            fides_meta:
              <<: *email
              read_only: true
          - name: f
            data_categories: *cats
            fides_meta: *email
`
	// x-meta is not a Fides key: anchors must live inside the document.
	if _, err := Load("a.yml", []byte(src)); err == nil || !strings.Contains(err.Error(), `a.yml:1:1: unknown key "x-meta"`) {
		t.Errorf("err = %v", err)
	}
	src = strings.Replace(src, "x-meta: &email {identity: email, data_type: string}\n", "", 1)
	src = strings.Replace(src, "    collections:\n", "    meta: {x: &email {identity: email, data_type: string}}\n    collections:\n", 1)
	sets, err := Load("a.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sets[0].Collections[0].Fields {
		if f.Identity != "email" || f.DataType != "string" || !slices.Equal(f.Categories, []string{"user.contact.email"}) {
			t.Errorf("field %+v", f)
		}
	}
	if !sets[0].Collections[0].Fields[0].ReadOnly {
		t.Error("merge lost read_only")
	}
}

func TestLoadRefusesAliasBombs(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("dataset:\n  - fides_key: a\n    meta:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "      a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("    collections: []\n")
	_, err := Load("bomb.yml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to over") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadFilesCollectsEveryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := filepath.Join(dir, "a.yml")
	b := filepath.Join(dir, "b.yml")
	if err := os.WriteFile(a, []byte("dataset: [{fides_key: a, collections: [], bogus: 1}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("nothing: here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFiles(a, b)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 2 || ps[0].File != a || ps[1].File != b {
		t.Errorf("err = %v", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yml")); err == nil || errors.As(err, &ps) {
		t.Errorf("missing file: %v", err)
	}
}

// TestReadmeExamples keeps the examples in README.md loadable and valid.
func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(src), "```yaml\n")[1:]
	if len(blocks) != 2 {
		t.Fatalf("%d YAML examples in README.md, want 2", len(blocks))
	}
	for i, b := range blocks {
		yml, _, _ := strings.Cut(b, "```")
		sets, err := Load(fmt.Sprintf("README.md example %d", i+1), []byte(yml))
		if err != nil {
			t.Errorf("example %d: %v", i+1, err)
			continue
		}
		if err := Validate(sets); err != nil {
			t.Errorf("example %d: %v", i+1, err)
		}
		if _, err := NewPlan(sets, []string{"email"}); err != nil {
			t.Errorf("example %d: %v", i+1, err)
		}
	}
}
