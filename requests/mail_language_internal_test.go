package requests

import (
	"strings"
	"testing"

	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/mail"
)

// lawTableRules is every set of rules the law table gives a person: each
// row of each law, the US states the table does not name, and a country
// no law of the table governs.
func lawTableRules() []jurisdiction.Rules {
	var out []jurisdiction.Rules
	for _, code := range append(jurisdiction.Codes(), "DE", "US-AK", "JP") {
		for _, g := range jurisdiction.Groups(code) {
			out = append(out, g.Rules)
		}
		for _, t := range Types() {
			out = append(out, jurisdiction.For(code, t))
		}
	}
	return out
}

// Every law, appeal authority and complaint route the law table can put
// in a person's mail has a translation in every language, so no Spanish,
// French or German mail names them in English; each keeps its citation
// and web addresses as they are.
func TestLawTableTranslatedForMails(t *testing.T) {
	t.Parallel()
	for _, r := range lawTableRules() {
		names := []string{r.Complaint}
		if r.Law != jurisdiction.LawNone && r.Law != jurisdiction.LawPolicy {
			names = append(names, r.Name)
		}
		if r.Appeal != nil {
			names = append(names, r.Appeal.Authority)
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			for _, l := range mail.Languages() {
				if !i18n.HasTerm(l, n) {
					t.Errorf("%s (%s): no %s translation of %q", r.Group, r.Law, l, n)
				}
			}
		}
	}
}

// In English the mails' sentences are what they were before they were
// translated; in the other languages they are in the language, with the
// citation as it is.
func TestLawLinesInEveryLanguage(t *testing.T) {
	t.Parallel()
	tx := jurisdiction.For("US-TX", TypeDeletion)
	gdpr := jurisdiction.For("DE", TypeAccess)
	cases := []struct {
		lang               string
		law, appeal, gdprL string
	}{
		{"en", "Your request is handled under the Texas Data Privacy and Security Act (Tex. Bus. & Com. Code ch. 541).",
			"If we refuse it, you can appeal our decision (the refusal tells you how); we decide an appeal within 60 days, and if we deny it you can contact the Texas Attorney General",
			"Your request is handled under the General Data Protection Regulation (Regulation (EU) 2016/679)."},
		{"es", "Normativa aplicable a su solicitud: Ley de Privacidad y Seguridad de Datos de Texas (Texas Data Privacy and Security Act; Tex. Bus. & Com. Code ch. 541).",
			"resolvemos una apelación en un plazo de 60 días y, si la desestimamos, puede ponerse en contacto con el Fiscal General de Texas",
			"Normativa aplicable a su solicitud: Reglamento General de Protección de Datos (Regulation (EU) 2016/679)."},
		{"fr", "Législation applicable à votre demande : Loi du Texas sur la confidentialité et la sécurité des données (Texas Data Privacy and Security Act; Tex. Bus. & Com. Code ch. 541).",
			"nous statuons sur un recours dans un délai de 60 jours et, si nous le rejetons, vous pouvez saisir le procureur général du Texas",
			"Législation applicable à votre demande : Règlement général sur la protection des données (Regulation (EU) 2016/679)."},
		{"de", "Für Ihre Anfrage maßgebliches Recht: Gesetz über Datenschutz und Datensicherheit von Texas (Texas Data Privacy and Security Act; Tex. Bus. & Com. Code ch. 541).",
			"über einen Einspruch entscheiden wir innerhalb von 60 Tagen, und weisen wir ihn zurück, können Sie sich an folgende Stelle wenden: Generalstaatsanwaltschaft von Texas",
			"Für Ihre Anfrage maßgebliches Recht: Datenschutz-Grundverordnung (Regulation (EU) 2016/679)."},
	}
	for _, c := range cases {
		if got := lawLine(c.lang, tx); got != c.law {
			t.Errorf("lawLine(%s, TX) = %q\nwant %q", c.lang, got, c.law)
		}
		if got := appealLine(c.lang, tx); !strings.Contains(got, c.appeal) || !strings.Contains(got, tx.Appeal.AuthorityURL) {
			t.Errorf("appealLine(%s, TX) = %q\nwant it to contain %q and the URL", c.lang, got, c.appeal)
		}
		if got := lawLine(c.lang, gdpr); got != c.gdprL {
			t.Errorf("lawLine(%s, DE) = %q\nwant %q", c.lang, got, c.gdprL)
		}
	}
	// A name the company's manifest sets is not in the catalogue: it
	// goes as the company wrote it.
	r := tx
	r.Complaint = "the Acme Privacy Ombudsman"
	if got := extensionComplaint("de", r); !strings.HasSuffix(got, ": the Acme Privacy Ombudsman.") {
		t.Errorf("an override's complaint route = %q", got)
	}
}

// Period.In in English is jurisdiction.Period.String, for every period of
// the law table.
func TestPeriodInEnglishIsString(t *testing.T) {
	t.Parallel()
	ps := []jurisdiction.Period{{Days: 1}, {Days: 45}, {Months: 1}, {Months: 2}, {Days: 1, BusinessDays: true}, {Days: 10, BusinessDays: true},
		{Days: 15, BusinessDays: true, Holidays: jurisdiction.CalendarCalifornia}, {Months: 1, Days: 10, BusinessDays: true}, {}}
	for _, r := range lawTableRules() {
		ps = append(ps, r.Respond, r.Extension)
		if r.Appeal != nil {
			ps = append(ps, r.Appeal.Respond)
		}
	}
	for _, p := range ps {
		if got, want := p.In(mail.LanguageEnglish), p.String(); got != want {
			t.Errorf("Period.In(en, %+v) = %q, want %q", p, got, want)
		}
	}
	if got := (jurisdiction.Period{Months: 2}).In("de"); got != "2 Monaten" {
		t.Errorf("Period.In(de, 2 months) = %q", got)
	}
	if got := (jurisdiction.Period{Days: 15, BusinessDays: true, Holidays: jurisdiction.CalendarCalifornia}).In("fr"); got != "15 jours ouvrables (jours fériés de US-CA exclus)" {
		t.Errorf("Period.In(fr, 15 business days) = %q", got)
	}
}

// Every request type has words in every language.
func TestRequestTypesInEveryLanguage(t *testing.T) {
	t.Parallel()
	for _, l := range mail.Languages() {
		for _, ty := range Types() {
			if got := describeIn(l, ty); got == "" || strings.HasPrefix(got, "type.") {
				t.Errorf("describeIn(%s, %s) = %q", l, ty, got)
			}
		}
	}
	if got := yourRequest("en", TypeAccess); got != "your request for a copy of your personal information" {
		t.Errorf("yourRequest(en) = %q", got)
	}
}
