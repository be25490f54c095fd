package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/custos-privacy/custos/jurisdiction"
)

// LawOverride is one rule of the law table as the company's counsel reads
// it: the manifest's laws: section maps a law key of `custos law list`
// ("US-TX", "EEA", "CA-QC") to a list of them.
//
//	laws:
//	  US-TX:
//	    - rule: appeal_deadline
//	      value: 45 days
//	      reason: Counsel advises deciding appeals within 45 days.
type LawOverride struct {
	Rule string `yaml:"rule" json:"rule"`
	// Value is written as YAML gives it: "30 days", yes, 2025-01-01.
	Value any `yaml:"value" json:"value"`
	// Types limits the override to some request types; empty: every type
	// the law governs.
	Types  []string `yaml:"types,omitempty" json:"types,omitempty"`
	Reason string   `yaml:"reason" json:"reason"`
}

// value is the override's value as text: YAML's yes/no become booleans.
func (o LawOverride) value() string {
	switch v := o.Value.(type) {
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case nil:
		return ""
	}
	return fmt.Sprint(o.Value)
}

// LawOverrides returns the manifest's laws: section as the law table's
// overrides, in a stable order (law keys sorted, then as listed). A
// manifest that parsed has valid ones; nil when it has none.
func (m *Manifest) LawOverrides() jurisdiction.Overrides {
	if m == nil || len(m.Laws) == 0 {
		return nil
	}
	var out jurisdiction.Overrides
	for _, code := range slices.Sorted(maps.Keys(m.Laws)) {
		for _, o := range m.Laws[code] {
			out = append(out, jurisdiction.Override{Code: code, Types: slices.Clone(o.Types), Rule: o.Rule, Value: o.value(), Reason: o.Reason})
		}
	}
	return out
}

// checkLaws validates the laws: section against the law table, pointing
// at the key, rule, type or value that is wrong.
func checkLaws(v *validation, m *Manifest) {
	if len(m.Laws) == 0 {
		return
	}
	all := m.LawOverrides()
	// where[i] is the path of all[i] in the manifest.
	var where [][]string
	for _, code := range slices.Sorted(maps.Keys(m.Laws)) {
		for i := range m.Laws[code] {
			where = append(where, []string{"laws", code, strconv.Itoa(i)})
		}
	}
	bad := false
	for i, o := range all {
		if err := o.Check(); err != nil {
			bad = true
			lawProblem(v, where[i], o.Code, err)
		}
	}
	if bad {
		return
	}
	if i, err := all.Check(); err != nil {
		lawProblem(v, where[i], all[i].Code, err)
	}
}

func lawProblem(v *validation, at []string, code string, err error) {
	var oe *jurisdiction.OverrideError
	if !errors.As(err, &oe) {
		v.atPath(at, err.Error())
		return
	}
	switch oe.Field {
	case "law":
		v.at(v.keyNode([]string{"laws"}, code), "laws."+code, oe.Msg)
	case "types":
		v.atPath(append(slices.Clone(at), "types", strconv.Itoa(oe.Index)), oe.Msg)
	default:
		v.atPath(append(slices.Clone(at), oe.Field), oe.Msg)
	}
}
