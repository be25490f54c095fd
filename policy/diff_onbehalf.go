package policy

import (
	"fmt"
	"slices"
	"strings"
)

// onBehalf diffs the processor side. Processing for a new controller, or
// a controller's agreement now covering a category or use it did not,
// means more personal data handled: material, as the notice tells people
// whose data it is. Removals and rewording are editorial.
func (d *differ) onBehalf(old, new *Manifest) {
	const section = "processing_on_behalf"
	var o, n OnBehalf
	if old.OnBehalf != nil {
		o = *old.OnBehalf
	}
	if new.OnBehalf != nil {
		n = *new.OnBehalf
	}
	compare(d, section, "reserved category", o.Categories, n.Categories, func(c OnBehalfCategory) string { return c.Key },
		func(k string, a, b OnBehalfCategory) {
			d.scalar(false, section, k, a.Description, b.Description)
		})
	var ol, nl []string
	if o.LogData != nil {
		ol = o.LogData.Categories
	}
	if n.LogData != nil {
		nl = n.LogData.Categories
	}
	for _, k := range nl {
		if !slices.Contains(ol, k) {
			d.add(true, section, k, "new log data category")
		}
	}
	for _, k := range ol {
		if !slices.Contains(nl, k) {
			d.add(false, section, k, "log data category removed")
		}
	}
	compare(d, section, "controller", o.Controllers, n.Controllers, func(c Controller) string { return c.Key },
		func(k string, a, b Controller) {
			for _, c := range b.Categories {
				if !slices.Contains(a.Categories, c) {
					d.add(true, section, k, fmt.Sprintf("the agreement now covers the category %q", c))
				}
			}
			for _, p := range b.Purposes {
				if !slices.Contains(a.Purposes, p) {
					d.add(true, section, k, fmt.Sprintf("the agreement now covers the use %q", p))
				}
			}
			for _, s := range b.Datasets {
				if !slices.Contains(a.Datasets, s) {
					d.add(true, section, k, fmt.Sprintf("the dataset %q now holds its data", s))
				}
			}
			if strings.Join(a.Transfers, "\n") != strings.Join(b.Transfers, "\n") {
				d.add(len(b.Transfers) > len(a.Transfers), section, k, "transfers changed")
			}
			if a.Agreement != b.Agreement || a.Contact != b.Contact || a.Name != b.Name || a.NotifyWithinDays != b.NotifyWithinDays ||
				len(b.Categories) < len(a.Categories) || len(b.Purposes) < len(a.Purposes) {
				d.add(false, section, k, "the controller's name, contact, agreement, window or coverage was updated")
			}
		})
	if fmt.Sprint(o.Term, o.Services, o.Content, o.OnBehalfOf, o.Agreements, o.OwnData, o.LogData, o.SecurityMeasures) !=
		fmt.Sprint(n.Term, n.Services, n.Content, n.OnBehalfOf, n.Agreements, n.OwnData, n.LogData, n.SecurityMeasures) {
		d.add(false, section, "", "the wording of the section on data processed for others changed")
	}
}
