package dataset

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// badValidate loads but does not validate. Line numbers matter.
const badValidate = `dataset:
  - fides_key: shop
    collections:
      - name: customer
        fields:
          - name: email
            data_categories: [user.contact.email]
            fides_meta:
              identity: email
          - name: id
            data_categories: [user.unique_id]
            fides_meta:
              primary_key: true
          - name: nickname
            fides_meta:
              masking_strategy_override:
                strategy: scramble
      - name: orders
        fields:
          - name: customer_id
            data_categories: [user.unique_id]
            fides_meta:
              references:
                - dataset: shop
                  field: custome.id
                  direction: from
`

func validateProblems(t *testing.T, file, src string) []string {
	t.Helper()
	sets, err := Load(file, []byte(src))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	err = Validate(sets)
	if err == nil {
		return nil
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Validate error is not Problems: %v", err)
	}
	return strings.Split(ps.Error(), "\n")
}

func TestValidatePositions(t *testing.T) {
	t.Parallel()
	got := validateProblems(t, "bad.yml", badValidate)
	want := []string{
		`bad.yml:14:13: shop:customer.nickname: no data categories: say what the field holds (for example user.contact.email, or system.operations for bookkeeping)`,
		`bad.yml:17:27: shop:customer.nickname.masking: unknown masking strategy "scramble" (null_rewrite, string_rewrite, random_string_rewrite, hmac or hash)`,
		`bad.yml:18:9: shop:orders: no identity entry point: the collection has no identity field, and no reference leads here from a collection an identity reaches`,
		`bad.yml:25:26: shop:orders.customer_id.references[0]: reference to unknown collection shop:custome: dataset shop has no collection custome`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// custosDoc wraps collections into a Custos file of dataset "d".
func custosDoc(collections string) string {
	return "datasets:\n  - key: d\n    collections:\n" + collections
}

func TestValidateProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // problem lines, exactly
	}{
		{
			name: "fine",
			src: custosDoc(`      - name: a
        fields:
          - {name: id, categories: [user.unique_id], primary_key: true, identity: user_id}
`),
		},
		{
			name: "duplicate collection and field",
			src: custosDoc(`      - name: a
        fields:
          - {name: id, categories: [user.unique_id], identity: user_id}
          - {name: id, categories: [user.unique_id]}
      - name: a
        fields: []
`),
			want: []string{
				"x.yml:7:14: d:a.id: field id appears twice in d:a (first at line 6)",
				"x.yml:8:9: d:a: collection a appears twice in dataset d (first at line 4)",
			},
		},
		{
			name: "unknown field and dataset",
			src: custosDoc(`      - name: a
        fields:
          - name: id
            categories: [user.unique_id]
            identity: user_id
            references: [{to: a.nope}, {from: elsewhere:a.id}]
`),
			want: []string{
				"x.yml:9:31: d:a.id.references[0]: reference to unknown field d:a.nope: collection d:a has no field nope",
				"x.yml:9:47: d:a.id.references[1]: reference to unknown dataset elsewhere",
			},
		},
		{
			name: "masks that do not fit",
			src: custosDoc(`      - name: a
        masking: {strategy: hmac}
        fields:
          - {name: id, categories: [user.unique_id], identity: user_id}
          - name: age
            categories: [user.demographic.age_range]
            data_type: integer
            masking: {strategy: string_rewrite, value: x}
          - name: gone
            categories: [user.name]
            masking: {strategy: delete}
          - name: ok
            categories: [user.name]
            data_type: boolean
            masking: {strategy: null_rewrite}
`),
			want: []string{
				"x.yml:5:29: d:a.masking: a collection can only be masked with delete; set hmac on its fields",
				"x.yml:11:33: d:a.age.masking: string_rewrite writes text, but the field holds integer; use null_rewrite",
				"x.yml:14:33: d:a.gone.masking: delete removes whole rows: set it on the collection, not on a field",
			},
		},
		{
			name: "after and erase_after",
			src: custosDoc(`      - name: a
        after: [b, d:a]
        erase_after: [other:x]
        fields:
          - {name: id, categories: [user.unique_id], identity: user_id}
`),
			want: []string{
				"x.yml:5:17: d:a.after[0]: after names d:b, but dataset d has no collection b",
				"x.yml:5:20: d:a.after[1]: after names the collection itself",
				"x.yml:6:23: d:a.erase_after[0]: erase_after names other:x, but there is no dataset other",
			},
		},
		{
			name: "redis and data types",
			src: custosDoc(`      - name: a
        key: "a:{emial}"
        kind: list
        collected_at: when
        fields:
          - {name: email, categories: [user.contact.email], identity: email, data_type: text}
`),
			want: []string{
				"x.yml:4:9: d:a.collected_at: collected_at names when, which is not a field of d:a",
				`x.yml:4:9: d:a.kind: kind must be hash or string, not "list"`,
				`x.yml:4:9: d:a.key: key template "a:{emial}" names {emial}, which is not a field of d:a`,
				`x.yml:9:14: d:a.email: unknown data_type "text" (string, integer, float, boolean, object_id, object or no_op, with [] for a list)`,
			},
		},
		{
			name: "cycle without an entry point",
			src: custosDoc(`      - name: root
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
      - name: a
        fields:
          - name: b_id
            categories: [system.operations]
            references: [{to: b.id}]
      - name: b
        fields:
          - name: id
            categories: [system.operations]
            references: [{to: c.id}]
      - name: c
        fields:
          - name: id
            categories: [system.operations]
            references: [{to: a.b_id}]
`),
			want: []string{
				"x.yml:7:9: d:a: no identity entry point for d:a, d:b, d:c: none has an identity field, and no reference leads to them from a collection an identity reaches",
			},
		},
		{
			name: "cycle reached from an identity",
			src: custosDoc(`      - name: a
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
          - name: b_id
            categories: [system.operations]
            references: [{to: b.id}]
      - name: b
        fields:
          - name: id
            categories: [system.operations]
            references: [{to: a.b_id}]
`),
		},
		{
			name: "skipped collections need no entry point",
			src: custosDoc(`      - name: a
        skip_processing: true
        fields:
          - {name: x, categories: [system.operations]}
`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := validateProblems(t, "x.yml", tt.src)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestValidateAcrossFiles(t *testing.T) {
	t.Parallel()
	a, err := Load("a.yml", []byte(custosDoc(`      - name: c
        fields:
          - {name: email, categories: [user.contact.email], identity: email}
`)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load("b.yml", []byte(`datasets:
  - key: other
    collections:
      - name: o
        fields:
          - name: email
            categories: [user.contact.email]
            references: [{from: "d:c.email"}]
  - key: d
    collections: []
`))
	if err != nil {
		t.Fatal(err)
	}
	err = Validate(append(a, b...))
	want := "b.yml:9:5: d: dataset key d is already used at a.yml:2"
	if err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
	// Without the duplicate, the reference across files reaches o.
	if err := Validate(append(a, b[0])); err != nil {
		t.Errorf("Validate = %v", err)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	sets := mustLoad(t, fidesDir+"/postgres_example_test_dataset.yml")
	// visit declares no primary key, but its email identity selects the
	// person's rows: erased by it, no warning.
	if got := Warnings(sets); len(got) != 0 {
		t.Errorf("Warnings = %v", got)
	}
	sets, err := Load("w.yml", []byte(custosDoc(`      - name: a
        fields:
          - {name: id, categories: [user.unique_id], identity: user_id, primary_key: true, masking: {strategy: hmac}}
      - name: logs
        fields:
          - {name: line, categories: [system.operations]}
          - {name: id, categories: [user.unique_id], references: [{from: a.id}]}
      - name: tags
        fields:
          - {name: label, categories: [user.content], references: [{from: logs.line}]}
`)))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range Warnings(sets) {
		lines = append(lines, p.String())
	}
	want := []string{
		"w.yml:6:112: d:a.id.masking: primary keys and references are never masked, so that erasure cannot break links; this override has no effect",
		"w.yml:11:9: d:tags: no primary key, and neither an identity nor a reference to a primary key selects its rows: an erasure cannot tell a person's rows from others' and only reports them",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("Warnings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestKeyFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"customer:{email}", []string{"email"}, false},
		{"s:{a}:{b}", []string{"a", "b"}, false},
		{"plain", nil, false},
		{"x:{a", nil, true},
		{"x:a}", nil, true},
		{"x:{}", nil, true},
		{"x:{a{b}}", nil, true},
	}
	for _, tt := range tests {
		got, err := KeyFields(tt.in)
		if (err != nil) != tt.wantErr || !tt.wantErr && !slices.Equal(got, tt.want) {
			t.Errorf("KeyFields(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestValidateHandBuilt(t *testing.T) {
	t.Parallel()
	// Models built in code, with no positions and stray nils, are checked
	// without panicking.
	sets := []*Dataset{nil, {Key: "k", Collections: []*Collection{nil, {Name: "c", Fields: []*Field{nil, {Name: "f"}}}}}}
	err := Validate(sets)
	if err == nil || !strings.Contains(err.Error(), "k:c.f: no data categories") {
		t.Errorf("Validate = %v", err)
	}
	_ = Warnings(sets)
}
