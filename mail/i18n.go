package mail

import (
	"github.com/custos-privacy/custos/internal/i18n"
)

// Mails to a person are written in the language they used: English,
// Spanish, French or German, the languages of the public pages. Each
// language has its own templates (templates/<lang>/); the sentences
// callers put into the templates' data (request types, the law a request
// is handled under, the appeal and complaint routes) and the months of
// the dates come from the one catalogue, internal/i18n, under mail.* and
// date.*. Legal citations ("Cal. Civ. Code §1798.100", "Regulation (EU)
// 2016/679") are left as they are in every language, so that the
// provision can be looked up.

// LanguageEnglish is the language of a mail when none is asked for.
const LanguageEnglish = i18n.English

// Languages returns the tags mails are written in: en, es, fr, de.
func Languages() []string { return i18n.Languages() }

// SupportedLanguage returns the tag of a supported language, matched
// without regard to case ("DE" is "de"), and whether it is one.
func SupportedLanguage(s string) (string, bool) { return i18n.Supported(s) }
