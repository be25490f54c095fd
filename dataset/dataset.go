// Package dataset describes the company's own databases the way Fides
// datasets do: databases hold collections (tables, Redis key patterns, HTTP
// endpoints), collections hold fields, and fields carry data categories,
// identities, primary keys and references to other collections. Custos reads
// Fides dataset YAML unchanged, so a company that already keeps these files
// points Custos at them as they are.
//
// The planner (NewPlan) turns a set of datasets and the identities known for a
// person into the order in which collections are queried, with every
// collection queried once with all its keys batched.
package dataset

import "strings"

// Dataset is one described database.
type Dataset struct {
	Key         string
	Name        string
	Description string
	Collections []*Collection
	// After lists datasets all of whose collections must be queried before
	// any of this one's (Fides' dataset-level fides_meta.after).
	After []string
	// Where it was read from, for messages.
	File string
	Line int
	Col  int
}

// Collection is a table, a Redis key pattern or an HTTP endpoint.
type Collection struct {
	Name   string
	Fields []*Field
	// After lists collections that must be queried before this one even
	// though no reference says so (Fides' fides_meta.after).
	After []Address
	// EraseAfter lists collections whose erasure must finish before this
	// one's starts (Fides' fides_meta.erase_after).
	EraseAfter []Address
	// SkipProcessing leaves the collection out of every request.
	SkipProcessing bool
	// Masking overrides how the collection is erased; strategy "delete"
	// removes whole rows instead of masking fields.
	Masking *Masking
	// CollectedAt names a field holding when the row was collected; retention
	// sweeps of connected databases key on it.
	CollectedAt string
	// Key is the key template of a Redis collection, such as
	// "customer:{email}" or "session:{id}": each {field} is filled with a
	// known value of that field. Empty for tables and endpoints.
	Key string
	// Kind of a Redis collection's values: "hash" (default) or "string"
	// (a JSON object).
	Kind string
	Line int
	Col  int
	// Positions of the After and EraseAfter entries, index for index, so
	// that a wrong entry is reported where it is written.
	afterAt, eraseAfterAt []pos
}

// Field is one column or attribute.
type Field struct {
	Name       string
	Categories []string
	// Identity names the kind of identity this field holds ("email",
	// "phone_number", "loyalty_id"…): a request for a person with that
	// identity starts here.
	Identity   string
	PrimaryKey bool
	// DataType is Fides' data_type: string, integer, float, boolean,
	// object_id, object… Empty means unknown.
	DataType string
	// Length is the maximum length of a string field, when known; masks
	// never exceed it.
	Length int
	// ReadOnly fields are never written, even when their categories ask to
	// be erased.
	ReadOnly   bool
	References []Reference
	Masking    *Masking
	Line, Col  int
}

// Reference says that a field holds values of another collection's field.
type Reference struct {
	Dataset    string
	Collection string
	Field      string
	// Direction is "to" (values flow from this field to the referenced
	// one), "from" (from the referenced field to this one), or "" (both).
	Direction string
	// Where the reference names its target, for messages.
	Line, Col int
}

// Target is the address of the referenced collection.
func (r Reference) Target() Address { return Address{Dataset: r.Dataset, Collection: r.Collection} }

// Masking strategies. The names are Fides' own, so overrides in Fides
// datasets keep working.
const (
	MaskNull         = "null_rewrite"          // set to NULL
	MaskString       = "string_rewrite"        // a fixed string
	MaskRandomString = "random_string_rewrite" // random letters, the original length where the type needs it
	MaskHMAC         = "hmac"                  // HMAC-SHA256 with a per-instance secret
	MaskHash         = "hash"                  // accepted as a synonym of hmac
	MaskDelete       = "delete"                // remove the row (collection level)
)

// Masking is a masking strategy with its configuration.
type Masking struct {
	Strategy string
	// Value is the rewrite value of string_rewrite.
	Value string
	// Suffix is appended by string_rewrite (Fides' format_preservation).
	Suffix string
	// Length of random_string_rewrite; 0 keeps the original length.
	Length int
	// Where the strategy is named, for messages.
	Line, Col int
}

// Address names a collection within a dataset.
type Address struct {
	Dataset    string
	Collection string
}

// String is "dataset:collection", the key of the collection in result packages.
func (a Address) String() string { return a.Dataset + ":" + a.Collection }

// ParseAddress reads "dataset:collection" or "dataset.collection".
func ParseAddress(s string) (Address, bool) {
	if i := strings.IndexAny(s, ":."); i > 0 && i < len(s)-1 {
		return Address{Dataset: s[:i], Collection: s[i+1:]}, true
	}
	return Address{}, false
}

// Collection finds a collection by name.
func (d *Dataset) Collection(name string) *Collection {
	for _, c := range d.Collections {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Field finds a field by name.
func (c *Collection) Field(name string) *Field {
	for _, f := range c.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// PrimaryKey lists the primary key fields in declaration order.
func (c *Collection) PrimaryKey() []string {
	var pk []string
	for _, f := range c.Fields {
		if f.PrimaryKey {
			pk = append(pk, f.Name)
		}
	}
	return pk
}

// Personal reports whether any of the field's categories is personal data
// (the fideslang "user" tree).
func (f *Field) Personal() bool {
	for _, c := range f.Categories {
		if c == "user" || strings.HasPrefix(c, "user.") {
			return true
		}
	}
	return false
}

// Linking reports whether the field ties rows together (a primary key or a
// reference). Linking fields are kept in access results and never masked, so
// erasure cannot break references.
func (f *Field) Linking() bool { return f.PrimaryKey || len(f.References) > 0 }
