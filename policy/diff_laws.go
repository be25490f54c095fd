package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// laws lists the changes of the laws: section, one per law key. Every one
// is material: it changes the deadline, appeal or limits people are
// promised under that law, and telling a lengthening from a shortening
// rule by rule would be a guess the officer is better placed to make.
func (d *differ) laws(old, new *Manifest) {
	keys := slices.Sorted(maps.Keys(old.Laws))
	for k := range new.Laws {
		if _, ok := old.Laws[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		a, b := lawLines(old.Laws[k]), lawLines(new.Laws[k])
		switch {
		case slices.Equal(a, b):
		case len(a) == 0:
			d.add(true, "laws", k, "overridden: "+strings.Join(b, "; "))
		case len(b) == 0:
			d.add(true, "laws", k, "overrides removed; the law table applies as it is")
		default:
			d.add(true, "laws", k, fmt.Sprintf("%s → %s", strings.Join(a, "; "), strings.Join(b, "; ")))
		}
	}
}

func lawLines(os []LawOverride) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Rule + " " + o.value()
		if len(o.Types) > 0 {
			out[i] += " for " + strings.Join(o.Types, ", ")
		}
	}
	return out
}
