package policy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Ground is a legal ground on which a deletion may keep data, with the
// provisions that allow it. The table is law, not company data: a
// manifest names a ground by key, and the answer a person reads gives its
// words and citations.
type Ground struct {
	Key   string `json:"key"`
	Words string `json:"words"`
	// Citations are the provisions that make the exception, GDPR first.
	Citations []string `json:"citations"`
}

// Grounds are the exceptions to the right to erasure a rule may name.
// GDPR Art. 17(3) lists when paragraphs 1 and 2 do not apply; Cal. Civ.
// Code §1798.105(d) lists when a business need not comply with a request
// to delete (numbering as amended by the CPRA: (2) is security and
// integrity, (8) compliance with a legal obligation). Security and fraud
// has no paragraph of its own in Art. 17(3): under the GDPR, data still
// necessary for that purpose falls outside Art. 17(1)(a), and an objection
// (Art. 17(1)(c)) yields to overriding legitimate grounds — Recital 47
// names preventing fraud and Recital 49 network and information security
// as legitimate interests.
var grounds = []Ground{
	{"legal_obligation", "A law requires us to keep it.",
		[]string{"GDPR Art. 17(3)(b)", "Cal. Civ. Code §1798.105(d)(8)"}},
	{"legal_claims", "We need it to establish, exercise or defend legal claims.",
		[]string{"GDPR Art. 17(3)(e)"}},
	{"security_fraud", "We need it to detect security incidents and protect against malicious, deceptive, fraudulent or illegal activity.",
		[]string{"GDPR Art. 17(1)(a) and (c), Recitals 47 and 49", "Cal. Civ. Code §1798.105(d)(2)"}},
	{"ccpa_1798_105_d_1", "We need it to complete the transaction it was collected for, provide a good or service you asked for, or perform a contract with you.",
		[]string{"Cal. Civ. Code §1798.105(d)(1)"}},
	{"ccpa_1798_105_d_2", "We need it to help ensure security and integrity, as far as reasonably necessary and proportionate.",
		[]string{"Cal. Civ. Code §1798.105(d)(2)"}},
	{"ccpa_1798_105_d_3", "We need it to debug and repair errors that impair existing intended functionality.",
		[]string{"Cal. Civ. Code §1798.105(d)(3)"}},
	{"ccpa_1798_105_d_4", "We need it to exercise free speech, ensure another person's right of free speech, or exercise another right provided by law.",
		[]string{"Cal. Civ. Code §1798.105(d)(4)"}},
	{"ccpa_1798_105_d_5", "We need it to comply with the California Electronic Communications Privacy Act.",
		[]string{"Cal. Civ. Code §1798.105(d)(5)"}},
	{"ccpa_1798_105_d_6", "We need it for research in the public interest that you consented to, which deleting it would seriously impair.",
		[]string{"Cal. Civ. Code §1798.105(d)(6)"}},
	{"ccpa_1798_105_d_7", "We need it for solely internal uses reasonably aligned with what you expect from your relationship with us.",
		[]string{"Cal. Civ. Code §1798.105(d)(7)"}},
	{"ccpa_1798_105_d_8", "A law requires us to keep it.",
		[]string{"Cal. Civ. Code §1798.105(d)(8)"}},
}

// GroundOf returns the ground with this key.
func GroundOf(key string) (Ground, bool) {
	for _, g := range grounds {
		if g.Key == key {
			g.Citations = append([]string(nil), g.Citations...)
			return g, true
		}
	}
	return Ground{}, false
}

// GroundKeys lists the keys of the known grounds.
func GroundKeys() []string {
	out := make([]string, len(grounds))
	for i, g := range grounds {
		out[i] = g.Key
	}
	return out
}

// retainForRE accepts "7 years", "84 months", "30 days", "7y", "84m",
// "30d": a manifest writer's two usual spellings.
var retainForRE = regexp.MustCompile(`^([0-9]{1,4}) ?(d|day|days|m|month|months|y|year|years)$`)

// RetainFor parses an erasure rule's duration into years, months, days.
func RetainFor(s string) (years, months, days int, err error) {
	m := retainForRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, 0, 0, fmt.Errorf("%q is not a duration such as \"7 years\", \"84 months\" or \"30d\"", s)
	}
	n, _ := strconv.Atoi(m[1])
	if n == 0 {
		return 0, 0, 0, fmt.Errorf("%q keeps nothing: a retained category needs a duration above zero", s)
	}
	switch m[2][0] {
	case 'd':
		return 0, 0, n, nil
	case 'm':
		return 0, n, 0, nil
	default:
		return n, 0, 0, nil
	}
}

// Retained is what a deletion keeps of one category: the rule's ground and
// the day its retention ends.
type Retained struct {
	Rule   ErasureRule
	Ground Ground
	Until  time.Time
}

// ErasureOf is what a deletion at `at` does with data of a category held
// for a purpose (empty when unknown): the most specific rule that covers
// it — a longer category key first, then a rule naming the purpose over
// one that names none. ok is false when no rule covers it (it is erased),
// retained is nil for an erase rule.
func (m *Manifest) ErasureOf(category, purpose string, at time.Time) (rule ErasureRule, retained *Retained, ok bool) {
	if m == nil || m.Erasure == nil {
		return ErasureRule{}, nil, false
	}
	best, bestScore := -1, -1
	for i, r := range m.Erasure.Rules {
		if r.Category != category && !strings.HasPrefix(category, r.Category+".") {
			continue
		}
		score := len(r.Category) * 2
		if r.Purpose != "" {
			if r.Purpose != purpose && !strings.HasPrefix(purpose, r.Purpose+".") {
				continue
			}
			score++
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return ErasureRule{}, nil, false
	}
	rule = m.Erasure.Rules[best]
	if rule.Action != ActionRetain {
		return rule, nil, true
	}
	y, mo, d, err := RetainFor(rule.For)
	g, known := GroundOf(rule.Ground)
	if err != nil || !known {
		// A validated manifest never gets here; erasing is the safe
		// reading of a rule that cannot say how long or why.
		return rule, nil, true
	}
	return rule, &Retained{Rule: rule, Ground: g, Until: at.AddDate(y, mo, d)}, true
}
