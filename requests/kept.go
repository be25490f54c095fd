package requests

import (
	"fmt"
	"strings"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
)

// keptRecords says what a deletion kept of Custos' own records on a legal
// ground: per category (and purpose), why in the company's words and the
// law's, the provisions, and until when.
func keptRecords(m *policy.Manifest, kept []records.Kept) []Kept {
	out := make([]Kept, 0, len(kept))
	for _, k := range kept {
		what := describeNearest(m, k.Category)
		if k.Purpose != "" {
			what += ", for " + describePurpose(m, k.Purpose)
		}
		if k.Records > 1 {
			what += fmt.Sprintf(" (%d records)", k.Records)
		}
		out = append(out, groundKept(what, k.Reason, k.Ground, k.Until.Format("2006-01-02")))
	}
	return out
}

// keptInSystems says the same of the fields an erasure left in the
// company's connected systems.
func keptInSystems(m *policy.Manifest, rs []connected.Retention) []Kept {
	var out []Kept
	for _, r := range rs {
		for _, f := range r.Fields {
			what := fmt.Sprintf("%s (%s) in %s", describeNearest(m, f.Category), f.Field, r.Collection)
			out = append(out, groundKept(what, f.Reason, f.Ground, f.Until.Format("2006-01-02")))
		}
	}
	return out
}

func groundKept(what, reason, ground, until string) Kept {
	g, _ := policy.GroundOf(ground)
	why := reason
	if why == "" {
		why = g.Words
	}
	return Kept{What: what, Why: why, Ground: g.Words, Citations: g.Citations, Until: until}
}

// describeNearest describes a category by its own description in the
// manifest, or its nearest declared parent's.
func describeNearest(m *policy.Manifest, key string) string {
	for c := key; c != ""; {
		if d := describeCategory(m, c); d != c {
			return d
		}
		i := strings.LastIndexByte(c, '.')
		if i < 0 {
			break
		}
		c = c[:i]
	}
	return key
}

func describePurpose(m *policy.Manifest, key string) string {
	for _, p := range m.Purposes {
		if p.Key == key && p.Name != "" {
			return strings.ToLower(p.Name[:1]) + p.Name[1:]
		}
	}
	return key
}
