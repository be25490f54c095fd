package connected

import (
	"context"
	"sort"
	"time"

	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// Retention is what an erasure leaves in one collection because the
// policy's erasure rules retain some of its fields: the preview shows it
// before approval, the run reports it, the person's answer lists it.
type Retention struct {
	// Collection is "dataset:collection".
	Collection string `json:"collection"`
	// Fields are the retained fields, in the collection's order.
	Fields []RetainedField `json:"fields"`
	// RowsKept: the collection's masking deletes rows, and these rows are
	// masked instead, since a deleted row would take the retained fields
	// with it.
	RowsKept bool `json:"rows_kept,omitempty"`
	// Rows is how many of the person's rows hold the retained fields (set
	// by a run; a plan alone does not know).
	Rows int `json:"rows,omitempty"`
}

// RetainedField is one field left by a rule, with the rule's ground and
// the day its retention ends.
type RetainedField struct {
	Field      string    `json:"field"`
	Categories []string  `json:"categories"`
	Category   string    `json:"category"` // the category the rule kept it for
	Ground     string    `json:"ground"`
	Words      string    `json:"words"`
	Citations  []string  `json:"citations"`
	Reason     string    `json:"reason,omitempty"`
	Until      time.Time `json:"until"`
}

// retainedField reports whether a rule retains a field of a connected
// system. Datasets say nothing of the purpose a collection serves, so only
// rules naming no purpose apply there; a field with several categories is
// kept when any of them is (the law keeps what it keeps whole).
func retainedField(m *policy.Manifest, f *dataset.Field, at time.Time) *RetainedField {
	if m == nil || !f.Personal() {
		return nil
	}
	for _, c := range f.Categories {
		if _, kept, _ := m.ErasureOf(c, "", at); kept != nil {
			return &RetainedField{Field: f.Name, Categories: append([]string(nil), f.Categories...), Category: c,
				Ground: kept.Ground.Key, Words: kept.Ground.Words, Citations: kept.Ground.Citations, Reason: kept.Rule.Reason, Until: kept.Until}
		}
	}
	return nil
}

// Retentions lists, per collection of the plan, the fields an erasure at
// `at` leaves because the manifest's erasure rules retain them. It is the
// one computation the run and the preview share.
func Retentions(m *policy.Manifest, plan *dataset.Plan, at time.Time) []Retention {
	if m == nil || m.Erasure == nil || plan == nil {
		return nil
	}
	var out []Retention
	for _, st := range plan.Steps {
		if st.Collection == nil {
			continue
		}
		if r, ok := retentionOf(m, st.Address, st.Collection, at); ok {
			out = append(out, r)
		}
	}
	return out
}

func retentionOf(m *policy.Manifest, a dataset.Address, c *dataset.Collection, at time.Time) (Retention, bool) {
	r := Retention{Collection: a.String()}
	for _, f := range c.Fields {
		if f.Linking() || f.ReadOnly {
			continue
		}
		if rf := retainedField(m, f, at); rf != nil {
			r.Fields = append(r.Fields, *rf)
		}
	}
	r.RowsKept = len(r.Fields) > 0 && c.Masking != nil && c.Masking.Strategy == dataset.MaskDelete
	return r, len(r.Fields) > 0
}

// ruleMasking is the strategy an erasure rule names for a field of a
// connected system, used where the dataset declares none of its own.
func ruleMasking(m *policy.Manifest, c *dataset.Collection, f *dataset.Field, at time.Time) (dataset.Masking, bool) {
	if m == nil || f.Masking != nil || c.Masking != nil && c.Masking.Strategy != dataset.MaskDelete {
		return dataset.Masking{}, false
	}
	for _, cat := range f.Categories {
		if rule, kept, ok := m.ErasureOf(cat, "", at); ok && kept == nil && rule.Masking != "" {
			return dataset.Masking{Strategy: rule.Masking}, true
		}
	}
	return dataset.Masking{}, false
}

// retainedContext binds the sealed keys of an entry to its request,
// collection and day.
func retainedContext(requestID, collection string, until time.Time) string {
	// The store keeps microseconds; so does the context.
	return "custos/connected-retained/" + requestID + "/" + collection + "/" + until.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// recordRetained notes, for the retention sweep, the person's rows of a
// collection whose fields a rule kept, one entry per day a retention ends:
// when it has, the sweep erases those fields. Recorded after the
// collection's erasure is done; a run resumed after a crash records it
// again, which changes nothing. A collection without a primary key
// cannot name its rows again, and says so in the run's notes instead.
func (r *run) recordRetained(ctx context.Context, a dataset.Address, c *dataset.Collection, ret Retention) error {
	rows := r.found[a]
	pk := c.PrimaryKey()
	if r.dry || len(rows) == 0 || len(pk) == 0 {
		return nil
	}
	// Rows other people's records refer to are theirs too: kept (and
	// reported) by the erasure, and left at the end of retention as well.
	rows, _, err := r.unshared(ctx, a, c, rows)
	if err != nil || len(rows) == 0 {
		return err
	}
	byUntil := map[time.Time][]string{}
	var days []time.Time
	for _, f := range ret.Fields {
		u := f.Until.UTC()
		if _, ok := byUntil[u]; !ok {
			days = append(days, u)
		}
		byUntil[u] = append(byUntil[u], f.Field)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	b, err := encodeRows(keys(rows, pk))
	if err != nil {
		return err
	}
	del := c.Masking != nil && c.Masking.Strategy == dataset.MaskDelete
	var entries []store.ConnectedRetained
	for i, day := range days {
		sealed, err := r.s.Master.Seal(b, retainedContext(r.job.RequestID, a.String(), day))
		if err != nil {
			return err
		}
		fields := byUntil[day]
		// A row erased by deletion goes when its last retained field's
		// retention ends; until then the earlier days mask their fields.
		entries = append(entries, store.ConnectedRetained{RequestID: r.job.RequestID, Collection: a.String(), Fields: fields,
			KeysSealed: sealed, DeleteRows: del && i == len(days)-1, Until: day, CreatedAt: r.s.Clock.Now()})
	}
	return r.s.Store.PutConnectedRetained(ctx, entries)
}
