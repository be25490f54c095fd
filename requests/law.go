package requests

import (
	"context"
	"strings"

	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/store"
)

// The law of a request is the law table's rules with the active policy's
// laws: overrides applied (jurisdiction.Overrides). Every lookup of a
// request's rules goes through rules, so the deadline, extension, limits,
// appeal and complaint route all see the same overrides.

// overrides returns the active policy's overrides of the law table.
func (s *Service) overrides(ctx context.Context) (jurisdiction.Overrides, error) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	return p.LawOverrides(), nil
}

// rules returns the rules that govern r under the active policy.
func (s *Service) rules(ctx context.Context, r store.Request) (jurisdiction.Rules, error) {
	os, err := s.overrides(ctx)
	if err != nil {
		return jurisdiction.Rules{}, err
	}
	return os.ForAt(r.Jurisdiction, r.Type, r.ReceivedAt), nil
}

// LawView is the law of a request as operators see it: which law, its
// deadline, extension, appeal route and regulator, and what the policy's
// manifest overrides.
type LawView struct {
	// Key is the key of the law table ("US-TX", "EEA"); Law the short
	// name ("TDPSA"), Name the full one.
	Key      string `json:"key"`
	Law      string `json:"law"`
	Name     string `json:"name"`
	Citation string `json:"citation"`
	// Note says where rules come from when no law governs the request.
	Note        string `json:"note,omitempty"`
	Acknowledge string `json:"acknowledge,omitempty"`
	Deadline    string `json:"deadline"`
	// Extension is "none" or the period, and whether notice is needed.
	Extension string      `json:"extension"`
	Appeal    *AppealView `json:"appeal"`
	Regulator string      `json:"regulator"`
	// Overridden are the rules the manifest overrides, with the reasons.
	Overridden []jurisdiction.Overridden `json:"overridden,omitempty"`
}

// AppealView is a law's appeal route.
type AppealView struct {
	Deadline     string `json:"deadline"`
	Authority    string `json:"authority"`
	AuthorityURL string `json:"authority_url,omitempty"`
	Citation     string `json:"citation"`
}

// lawView describes rules for operators and the person's mails.
func lawView(r jurisdiction.Rules) LawView {
	v := LawView{Key: r.Group, Law: r.Law, Name: r.Name, Citation: r.Citation, Note: r.Note,
		Deadline: r.Respond.String() + " from receipt", Extension: extensionText(r), Regulator: r.Complaint,
		Overridden: r.Overridden}
	if !r.Acknowledge.IsZero() {
		v.Acknowledge = r.Acknowledge.String()
	}
	if a := r.Appeal; a != nil {
		v.Appeal = &AppealView{Deadline: a.Respond.String(), Authority: a.Authority, AuthorityURL: a.AuthorityURL, Citation: a.Citation}
	}
	return v
}

func extensionText(r jurisdiction.Rules) string {
	switch {
	case r.Extension.IsZero():
		return "none"
	case r.ExtensionNeedsNotice:
		return "once, by " + r.Extension.String() + ", with notice and reasons before the first deadline"
	}
	return "once, by " + r.Extension.String()
}

// lawLine names the law in the person's mails, in their language:
// "California Consumer Privacy Act …", or the policy's own promises when
// no law governs. The law's name is the mail catalogue's translation, its
// citation left as it is.
func lawLine(lang string, r jurisdiction.Rules) string {
	if r.Law == jurisdiction.LawNone || r.Law == jurisdiction.LawPolicy {
		return i18n.T(lang, "mail.law.none")
	}
	name := i18n.Term(lang, r.Name)
	if lang == mail.LanguageEnglish {
		name = strings.TrimPrefix(name, "the ")
	}
	return i18n.T(lang, "mail.law.under", "law", name)
}

// appealLine tells the person, before any decision, how to challenge a
// refusal: the law's appeal, or where to complain.
func appealLine(lang string, r jurisdiction.Rules) string {
	if a := r.Appeal; a != nil {
		authority := i18n.Term(lang, a.Authority)
		if a.AuthorityURL != "" {
			authority += " (" + a.AuthorityURL + ")"
		}
		return i18n.T(lang, "mail.appeal.line", "period", a.Respond.In(lang), "authority", authority)
	}
	if r.Complaint != "" {
		return i18n.T(lang, "mail.complaint.line", "authority", i18n.Term(lang, r.Complaint))
	}
	return ""
}

// extensionComplaint tells the person, with an extension, where to
// complain about it (PIPEDA s. 8(4)(b): the notice gives the right to make
// a complaint to the Commissioner in respect of the extension).
func extensionComplaint(lang string, r jurisdiction.Rules) string {
	if r.Complaint == "" {
		return ""
	}
	return i18n.T(lang, "mail.extension.complaint", "authority", i18n.Term(lang, r.Complaint))
}
