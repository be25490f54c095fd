package policy

import (
	"regexp"
	"slices"
	"strings"

	"github.com/custos-privacy/custos/jurisdiction"
)

// The notice's rights section lists, per law of the table that reaches
// the people the manifest offers rights to, how to exercise those rights
// and how to appeal: the deadline, the extension, the appeal and where to
// complain, from the law table with the manifest's laws: overrides
// applied. The Virginia-model laws ask the notice for this, e.g. N.J.S.A.
// 56:8-166.6(a)(5): "how consumers may exercise their consumer rights,
// including the controller's contact information and how a consumer may
// appeal a controller's decision with regard to the consumer's request".

// lawRightsView is one law in the notice's rights section.
type lawRightsView struct {
	Place, Name string
	// Respond, Extension, Appeal and Complaint are sentences.
	Respond, Extension, Appeal, Complaint string
	// Overrides are the rules the company reads differently, with why.
	Overrides []string
}

// lawRights returns the laws whose rights the notice describes: those of
// the jurisdictions the manifest's rights name ("default" names none: a
// notice for everyone does not list every law of the table) and those its
// laws: section overrides, in table order. The notice names authorities
// without their addresses: it links to no other site.
func lawRights(m *Manifest) []lawRightsView {
	codes := map[string]bool{}
	for _, j := range m.Rights.Jurisdictions {
		for _, c := range j.Jurisdictions {
			switch c {
			case "default":
			case "EU", "EEA":
				codes["EEA"] = true
			default:
				codes[jurisdiction.For(c, jurisdiction.TypeAccess).Group] = true
			}
		}
	}
	for c := range m.Laws {
		codes[c] = true
	}
	os := m.LawOverrides()
	var out []lawRightsView
	for _, l := range jurisdiction.Laws() {
		if !codes[l.Code] {
			continue
		}
		i := slices.IndexFunc(os.Groups(l.Code), func(g jurisdiction.Group) bool { return g.Rules.Law == l.Law })
		if i < 0 {
			continue
		}
		r := os.Groups(l.Code)[i].Rules
		v := lawRightsView{Place: lawPlace(l.Code), Name: l.Name,
			Respond: "We answer within " + r.Respond.String() + " of receiving your request."}
		if !r.Extension.IsZero() {
			v.Extension = "Where necessary we may extend that once by " + r.Extension.String()
			if r.ExtensionNeedsNotice {
				v.Extension += ", telling you why before the first period ends"
			}
			v.Extension += "."
		}
		if a := r.Appeal; a != nil {
			v.Appeal = "If we decline your request, you may appeal our decision through the link in our answer or by replying to it; we decide an appeal within " +
				a.Respond.String() + ", and if we deny it, you may contact " + withoutURLs(a.Authority)
			v.Appeal += "."
		}
		if r.Complaint != "" && m.Rights.Complaint {
			v.Complaint = "You may complain to " + withoutURLs(r.Complaint) + "."
		}
		for _, o := range r.Overridden {
			v.Overrides = append(v.Overrides, o.Rule+": "+o.Value+o.For()+" ("+strings.TrimSuffix(o.Reason, ".")+").")
		}
		out = append(out, v)
	}
	return out
}

// lawPlace names where a law of the table applies.
func lawPlace(code string) string {
	switch code {
	case "EEA":
		return "The European Economic Area"
	case "CA-QC":
		return "Quebec"
	case "CA":
		return "Canada"
	}
	p := placeName(code)
	if strings.HasPrefix(p, "the ") {
		p = "The " + strings.TrimPrefix(p, "the ")
	}
	return p
}

var urlInParens = regexp.MustCompile(`\s*\(https?://[^)\s]*\)`)

// withoutURLs drops the "(https://…)" addresses from an authority's name.
func withoutURLs(s string) string { return urlInParens.ReplaceAllString(s, "") }
