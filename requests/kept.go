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
		cat := describeNearest(m, k.Category)
		what := cat
		var msg *Message // the category alone is the company's words
		if k.Purpose != "" {
			what += ", for " + describePurpose(m, k.Purpose)
			msg = say("answer.kept.what.category_purpose", "category", cat, "purpose", describePurpose(m, k.Purpose))
		}
		if k.Records > 1 {
			what += fmt.Sprintf(" (%d records)", k.Records)
			msg = say("answer.kept.what.category_records", "category", cat, "count", k.Records)
			if k.Purpose != "" {
				msg = say("answer.kept.what.category_purpose_records", "category", cat, "purpose", describePurpose(m, k.Purpose), "count", k.Records)
			}
		}
		g := groundKept(what, k.Reason, k.Ground, k.Until.Format("2006-01-02"))
		g.WhatMessage = msg
		out = append(out, g)
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
			g := groundKept(what, f.Reason, f.Ground, f.Until.Format("2006-01-02"))
			g.WhatMessage = say("answer.kept.what.in_system", "category", describeNearest(m, f.Category), "field", f.Field, "collection", r.Collection)
			out = append(out, g)
		}
	}
	return out
}

// groundKept is a Kept on a legal ground. The ground's words are the law
// table's, translated by key (answer.ground.*); a rule's own reason is the
// company's and shown as written.
func groundKept(what, reason, ground, until string) Kept {
	g, known := policy.GroundOf(ground)
	k := Kept{What: what, Why: reason, Ground: g.Words, Citations: g.Citations, Until: until}
	if known {
		k.GroundMessage = say("answer.ground." + g.Key)
	}
	if k.Why == "" {
		k.Why, k.WhyMessage = g.Words, k.GroundMessage
	}
	return k
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
