// The reports a privacy office publishes or keeps: the California 12-month
// statement, the GDPR Article 30 record of processing activities, and
// k-anonymous aggregates for analytics. Everything here is a pure function
// of a policy manifest and grouped counts from the store. Each report has
// its own file (ccpa.go, ropa.go, aggregate.go); this one holds what they
// share.

package records

import (
	"sort"
	"time"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// Period is the reporting period [from, to), RFC 3339 in UTC.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func newPeriod(from, to time.Time) Period {
	return Period{From: from.UTC().Format(time.RFC3339), To: to.UTC().Format(time.RFC3339)}
}

// CategoryCount counts the events recorded for one fideslang category.
//
// Facts are groups of events (by kind, category, source, purpose and
// recipient) with distinct subjects counted per group, so the number of
// distinct people across groups is not known: it lies between
// SubjectsAtLeast (the largest group) and SubjectGroups (the sum).
type CategoryCount struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"` // the manifest's, if declared
	Declared    bool   `json:"declared"`
	Sensitive   bool   `json:"sensitive,omitempty"`
	Events      int64  `json:"events"`
	// SubjectGroups is the sum of distinct subjects over fact groups: an
	// upper bound, since one person in several groups counts in each.
	SubjectGroups int64 `json:"subject_groups"`
	// SubjectsAtLeast is the largest group's distinct count: a lower bound.
	SubjectsAtLeast int64 `json:"subjects_at_least"`
}

func (c *CategoryCount) add(f store.Fact) {
	c.Events += f.Events
	c.SubjectGroups += f.Subjects
	c.SubjectsAtLeast = max(c.SubjectsAtLeast, f.Subjects)
}

// index is a manifest looked up by key.
type index struct {
	m          *policy.Manifest
	categories map[string]policy.Category
	sources    map[string]policy.Source
	purposes   map[string]policy.Purpose
	recipients map[string]policy.Recipient
}

func newIndex(m *policy.Manifest) *index {
	if m == nil {
		m = &policy.Manifest{}
	}
	ix := &index{
		m:          m,
		categories: map[string]policy.Category{},
		sources:    map[string]policy.Source{},
		purposes:   map[string]policy.Purpose{},
		recipients: map[string]policy.Recipient{},
	}
	for _, c := range m.Categories {
		ix.categories[c.Key] = c
	}
	for _, s := range m.Sources {
		ix.sources[s.Key] = s
	}
	for _, p := range m.Purposes {
		ix.purposes[p.Key] = p
	}
	for _, r := range m.Recipients {
		ix.recipients[r.Key] = r
	}
	return ix
}

func (ix *index) categoryCount(key string) *CategoryCount {
	c, ok := ix.categories[key]
	return &CategoryCount{Key: key, Description: c.Description, Declared: ok, Sensitive: c.Sensitive}
}

// ordered lists the keys of seen: first those in declared order, then the
// others sorted.
func ordered[V any](seen map[string]V, declared []string) []string {
	out := make([]string, 0, len(seen))
	in := map[string]bool{}
	for _, k := range declared {
		if _, ok := seen[k]; ok && !in[k] {
			out = append(out, k)
			in[k] = true
		}
	}
	var rest []string
	for k := range seen {
		if !in[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func keysOf[T any](list []T, key func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = key(v)
	}
	return out
}
