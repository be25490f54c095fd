package policy

import (
	"regexp"
	"slices"
	"strings"

	"github.com/custos-privacy/custos/internal/i18n"
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
func lawRights(w noticeWords, m *Manifest) []lawRightsView {
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
		// The law table's names are English; the catalogue translates
		// those it knows (i18n.Term), keeping the statute's own name.
		v := lawRightsView{Place: w.lawPlace(l.Code), Name: i18n.Term(w.lang, l.Name),
			Respond: w.t("notice.law.respond", "period", w.periodIn(r.Respond))}
		if !r.Extension.IsZero() {
			v.Extension = w.t("notice.law.extension", "period", w.periodIn(r.Extension))
			if r.ExtensionNeedsNotice {
				v.Extension = w.t("notice.law.extension_notice", "period", w.periodIn(r.Extension))
			}
		}
		if a := r.Appeal; a != nil {
			v.Appeal = w.t("notice.law.appeal", "period", w.periodIn(a.Respond), "authority", withoutURLs(i18n.Term(w.lang, a.Authority)))
		}
		if r.Complaint != "" && m.Rights.Complaint {
			v.Complaint = w.t("notice.law.complaint", "authority", withoutURLs(i18n.Term(w.lang, r.Complaint)))
		}
		for _, o := range r.Overridden {
			v.Overrides = append(v.Overrides, o.Rule+": "+o.Value+o.For()+" ("+strings.TrimSuffix(o.Reason, ".")+").")
		}
		out = append(out, v)
	}
	return out
}

// lawPlace names where a law of the table applies.
func (w noticeWords) lawPlace(code string) string {
	switch code {
	case "EEA":
		return capitalise(w.t("notice.place.eea"))
	case "CA-QC":
		return w.t("notice.place.quebec")
	case "CA":
		return w.t("notice.place.canada")
	}
	p := w.placeName(code)
	if strings.HasPrefix(p, "the ") {
		p = "The " + strings.TrimPrefix(p, "the ")
	}
	return p
}

var urlInParens = regexp.MustCompile(`\s*\(https?://[^)\s]*\)`)

// withoutURLs drops the "(https://…)" addresses from an authority's name.
func withoutURLs(s string) string { return urlInParens.ReplaceAllString(s, "") }
