package policy

import (
	"fmt"
	"strings"
)

// onBehalfParagraphs renders the notice's opening section on data the
// company processes for others: what it is, for whom, the log data kept
// with it, that the agreements (not this notice) govern it, and whom a
// person asks about it. Nil without a processing_on_behalf section.
func onBehalfParagraphs(m *Manifest) []string {
	ob := m.OnBehalf
	if ob == nil {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "In connection with %s, %s processes %s (“%s”) on behalf of and at the direction of %s",
		ob.Services, m.Organisation.ShortName, ob.Content, ob.Term, ob.OnBehalfOf)
	subject := "such " + ob.Term
	if ob.LogData != nil {
		fmt.Fprintf(&b, ", as well as %s that we collect for %s across our services", ob.LogData.Description, ob.LogData.For)
		subject += " and log data"
	}
	fmt.Fprintf(&b, ". Our use of %s is subject to the terms of %s and is not governed by this %s.", subject, ob.Agreements, titleOr(m))
	if ob.OwnData != "" {
		b.WriteString(" " + ob.OwnData)
	}
	out := []string{b.String()}
	for _, c := range ob.Controllers {
		how := c.Contact.How
		if how == "" {
			how = c.Contact.Email
		} else if c.Contact.Email != "" {
			how += " (" + c.Contact.Email + ")"
		}
		out = append(out, fmt.Sprintf("If your request concerns %s we process for %s, please contact %s; requests about it that reach us we pass on to them.",
			ob.Term, c.Name, how))
	}
	return out
}

func titleOr(m *Manifest) string {
	if m.Notice.Title != "" {
		return m.Notice.Title
	}
	return "Privacy Policy"
}
