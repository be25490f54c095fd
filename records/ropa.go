package records

import (
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
)

// ProcessingActivity is one entry of the GDPR Article 30 record of
// processing activities: one purpose.
type ProcessingActivity struct {
	Purpose string `json:"purpose"`
	Name    string `json:"name,omitempty"`
	// Declared is false for a purpose seen in the records but not in the
	// manifest.
	Declared     bool        `json:"declared"`
	LegalBasis   string      `json:"legal_basis,omitempty"`
	Controller   Controller  `json:"controller"`
	DataSubjects []Described `json:"data_subjects"`
	// DataCategories are the categories seen in the records for this
	// purpose (collected or disclosed), sorted by key.
	DataCategories []Described `json:"data_categories"`
	// CategoriesRecorded counts the events of each of DataCategories.
	CategoriesRecorded []CategoryCount `json:"categories_recorded"`
	// Recipients are those disclosed to for this purpose, in manifest
	// order, undeclared ones after, sorted.
	Recipients []ActivityRecipient `json:"recipients"`
	// Transfers to third countries: the manifest has no transfer model
	// yet, so always "none declared".
	Transfers string `json:"transfers"`
	// Retention is the manifest's retention rules for DataCategories
	// (rules for this purpose or for any purpose), or the notice's
	// retention paragraphs when there are none.
	Retention        []string `json:"retention"`
	SecurityMeasures []string `json:"security_measures"`
	Events           int64    `json:"events"`
	Period           Period   `json:"period"`
}

// TransfersNone is the transfers entry while manifests cannot declare
// transfers.
const TransfersNone = "none declared"

// Controller is who is responsible for the processing.
type Controller struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Described is a key with the manifest's description of it.
type Described struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"`
	Declared    bool   `json:"declared"`
}

// ActivityRecipient is a recipient of a processing activity.
type ActivityRecipient struct {
	Key      string `json:"key"`
	Name     string `json:"name,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Declared bool   `json:"declared"`
	Events   int64  `json:"events"`
}

// RoPA computes the record of processing activities for [from, to): one
// activity per purpose declared in m, in manifest order (with zero events
// and no categories if unused), then one per undeclared purpose seen in
// facts, sorted by key.
func RoPA(m *policy.Manifest, facts []store.Fact, from, to time.Time) []ProcessingActivity {
	ix := newIndex(m)
	m = ix.m
	byPurpose := tallyByPurpose(ix, OwnFacts(facts))

	subjects := make([]Described, 0, len(m.Subjects))
	for _, s := range m.Subjects {
		subjects = append(subjects, Described{Key: s.Key, Description: s.Description, Declared: true})
	}
	recipientOrder := keysOf(m.Recipients, func(r policy.Recipient) string { return r.Key })
	period := newPeriod(from, to)

	out := []ProcessingActivity{}
	for _, key := range ordered(byPurpose, keysOf(m.Purposes, func(p policy.Purpose) string { return p.Key })) {
		a := byPurpose[key]
		dp, declared := ix.purposes[key]
		act := ProcessingActivity{
			Purpose:            key,
			Name:               dp.Name,
			Declared:           declared,
			LegalBasis:         dp.LegalBasis,
			Controller:         Controller{Name: m.Organisation.Name, Email: m.Contact.Email},
			DataSubjects:       slices.Clone(subjects),
			DataCategories:     []Described{},
			CategoriesRecorded: []CategoryCount{},
			Recipients:         []ActivityRecipient{},
			Transfers:          TransfersNone,
			Retention:          a.retention(m, key),
			SecurityMeasures:   append([]string{}, m.Notice.Security...),
			Events:             a.events,
			Period:             period,
		}
		for _, c := range slices.Sorted(maps.Keys(a.categories)) {
			cc := *a.categories[c]
			act.DataCategories = append(act.DataCategories, Described{Key: cc.Key, Description: cc.Description, Declared: cc.Declared})
			act.CategoriesRecorded = append(act.CategoriesRecorded, cc)
		}
		for _, r := range ordered(a.recipients, recipientOrder) {
			act.Recipients = append(act.Recipients, *a.recipients[r])
		}
		out = append(out, act)
	}
	return out
}

// purposeTally is what the records show for one purpose.
type purposeTally struct {
	events     int64
	categories map[string]*CategoryCount
	recipients map[string]*ActivityRecipient
}

// tallyByPurpose sums the collections and disclosures of facts by purpose,
// starting from every purpose m declares so that unused ones are listed too.
func tallyByPurpose(ix *index, facts []store.Fact) map[string]*purposeTally {
	byPurpose := map[string]*purposeTally{}
	get := func(p string) *purposeTally {
		a := byPurpose[p]
		if a == nil {
			a = &purposeTally{categories: map[string]*CategoryCount{}, recipients: map[string]*ActivityRecipient{}}
			byPurpose[p] = a
		}
		return a
	}
	for _, p := range ix.m.Purposes {
		get(p.Key)
	}
	for _, f := range facts {
		if f.Kind != custos.EventCollection && f.Kind != custos.EventDisclosure {
			continue
		}
		a := get(f.Purpose)
		a.events += f.Events
		c := a.categories[f.Category]
		if c == nil {
			c = ix.categoryCount(f.Category)
			a.categories[f.Category] = c
		}
		c.add(f)
		if f.Kind == custos.EventDisclosure {
			r := a.recipients[f.Recipient]
			if r == nil {
				dr, ok := ix.recipients[f.Recipient]
				r = &ActivityRecipient{Key: f.Recipient, Name: dr.Name, Kind: dr.Kind, Declared: ok}
				a.recipients[f.Recipient] = r
			}
			r.Events += f.Events
		}
	}
	return byPurpose
}

// retention is the manifest's retention rules for the categories recorded
// for purpose (rules for it or for any purpose), or the notice's retention
// paragraphs when none applies.
func (a *purposeTally) retention(m *policy.Manifest, purpose string) []string {
	out := []string{}
	for _, rule := range m.Retention.Rules {
		if a.categories[rule.Category] != nil && (rule.Purpose == "" || rule.Purpose == purpose) {
			out = append(out, retentionText(rule))
		}
	}
	if len(out) == 0 {
		out = append(out, m.Notice.Retention...)
	}
	return out
}

// retentionText is one rule in words: "user.contact.email: 13 months after
// last activity (reason)".
func retentionText(r policy.RetentionRule) string {
	s := r.Category + ": " + r.Duration
	switch r.Trigger {
	case "collected":
		s += " after it is collected"
	case "last_activity":
		s += " after the person's last activity"
	case "account_closed":
		s += " after the account is closed"
	case "relationship_ended":
		s += " after the relationship ends"
	}
	if r.Extension != "" {
		s += ", plus up to " + r.Extension + " where the law requires it"
	}
	if r.Reason != "" {
		s += " (" + r.Reason + ")"
	}
	return s
}

// RoPAHeader is the header row RoPACSV writes.
var RoPAHeader = []string{
	"purpose", "name", "declared", "legal_basis", "controller", "controller_email",
	"data_subjects", "data_categories", "categories_recorded", "recipients",
	"transfers", "retention", "security_measures", "events", "period_from", "period_to",
}

// RoPACSV writes acts as RFC 4180 CSV (CRLF line ends) with a header row
// (RoPAHeader). Multi-valued cells are joined with "; ": data subjects,
// categories and recipients by key, categories recorded as "key: events",
// retention and security as their paragraphs.
func RoPACSV(w io.Writer, acts []ProcessingActivity) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(RoPAHeader); err != nil {
		return err
	}
	join := func(ss []string) string { return strings.Join(ss, "; ") }
	for _, a := range acts {
		recorded := make([]string, len(a.CategoriesRecorded))
		for i, c := range a.CategoriesRecorded {
			recorded[i] = c.Key + ": " + strconv.FormatInt(c.Events, 10)
		}
		row := []string{
			a.Purpose, a.Name, strconv.FormatBool(a.Declared), a.LegalBasis, a.Controller.Name, a.Controller.Email,
			join(keysOf(a.DataSubjects, func(d Described) string { return d.Key })),
			join(keysOf(a.DataCategories, func(d Described) string { return d.Key })),
			join(recorded),
			join(keysOf(a.Recipients, func(r ActivityRecipient) string { return r.Key })),
			a.Transfers, join(a.Retention), join(a.SecurityMeasures),
			strconv.FormatInt(a.Events, 10), a.Period.From, a.Period.To,
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
