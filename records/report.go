// The reports a privacy office publishes or keeps: the California 12-month
// statement, the GDPR Article 30 record of processing activities, and
// k-anonymous aggregates for analytics. Everything here is a pure function
// of a policy manifest and grouped counts from the store.

package records

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/taxonomy"
)

// Flag codes.
const (
	// FlagNoContract: disclosures were recorded without a contract on
	// record with the recipient.
	FlagNoContract = "no_contract"
	// FlagExceedsNotice: the records show more than the manifest (the
	// published notice) declares.
	FlagExceedsNotice = "exceeds_notice"
)

// Reasons of exceeds_notice flags, in the order flags are listed.
const (
	ReasonUndeclaredCategory  = "undeclared_category"
	ReasonUndeclaredSource    = "undeclared_source"
	ReasonUndeclaredPurpose   = "undeclared_purpose"
	ReasonUndeclaredRecipient = "undeclared_recipient"
	// ReasonCategoryNotAllowed: a category disclosed to a recipient whose
	// declared categories exclude it.
	ReasonCategoryNotAllowed = "category_not_allowed"
	// ReasonPurposeNotAllowed: a disclosure for a purpose the recipient's
	// declared purposes exclude.
	ReasonPurposeNotAllowed = "purpose_not_allowed"
	// ReasonSaleWithoutNotice: something was sold or shared while no
	// recipient of the manifest is declared sale_or_share.
	ReasonSaleWithoutNotice = "sale_without_notice"
)

// Unclassified is the CCPA group key of categories the manifest does not
// declare, so that have no California category. It is listed after the
// statutory categories so that nothing recorded goes missing from the
// statement.
const Unclassified = "unclassified"

var unclassified = taxonomy.Labelled{
	Key:   Unclassified,
	Label: "Not declared in the notice",
	Text:  "categories of personal information the notice does not declare",
}

// Period is the reporting period [from, to), RFC 3339 in UTC.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func newPeriod(from, to time.Time) Period {
	return Period{From: from.UTC().Format(time.RFC3339), To: to.UTC().Format(time.RFC3339)}
}

// CCPA is the California 12-month statement computed from the records:
// what was collected, from where, for what, and to whom it was disclosed,
// sold or shared, with flags wherever the records exceed the notice.
type CCPA struct {
	Period                      Period            `json:"period"`
	CategoriesCollected         []CollectedGroup  `json:"categories_collected"`
	Sources                     []SourceUse       `json:"sources"`
	BusinessPurposes            []BusinessPurpose `json:"business_purposes"`
	Purposes                    []PurposeUse      `json:"purposes"`
	ThirdParties                []ThirdParty      `json:"third_parties"`
	SoldOrShared                []DisclosedGroup  `json:"sold_or_shared"`
	DisclosedForBusinessPurpose []DisclosedGroup  `json:"disclosed_for_business_purpose"`
	Flags                       []Flag            `json:"flags"`
	// ExceedsNotice: at least one flag has code exceeds_notice.
	ExceedsNotice bool `json:"exceeds_notice"`
}

// CollectedGroup is one CCPA category with the fideslang categories
// collected under it (sorted by key).
type CollectedGroup struct {
	Key        string          `json:"key"`
	Label      string          `json:"label"`
	Text       string          `json:"text"`
	Categories []CategoryCount `json:"categories"`
}

// CategoryCount counts the events recorded for one fideslang category.
//
// Facts are groups of events (by kind, category, source, purpose and
// recipient) with distinct subjects counted per group, so the number of
// distinct people across groups is not known: it lies between
// SubjectsAtLeast (the largest group) and SubjectGroups (the sum).
type CategoryCount struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"` // the manifest's, if declared
	Declared    bool   `json:"declared"`
	Sensitive   bool   `json:"sensitive,omitempty"`
	Events      int64  `json:"events"`
	// SubjectGroups is the sum of distinct subjects over fact groups: an
	// upper bound, since one person in several groups counts in each.
	SubjectGroups int64 `json:"subject_groups"`
	// SubjectsAtLeast is the largest group's distinct count: a lower bound.
	SubjectsAtLeast int64 `json:"subjects_at_least"`
}

func (c *CategoryCount) add(f store.Fact) {
	c.Events += f.Events
	c.SubjectGroups += f.Subjects
	c.SubjectsAtLeast = max(c.SubjectsAtLeast, f.Subjects)
}

// SourceUse is a source personal information was collected from.
type SourceUse struct {
	Key         string `json:"key"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Declared    bool   `json:"declared"`
	Events      int64  `json:"events"`
}

// BusinessPurpose is a CCPA business purpose served by purposes used in the
// records, with the statute's words.
type BusinessPurpose struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Text  string `json:"text"`
	// Purposes are the fideslang purposes used that serve it, in manifest
	// order.
	Purposes []string `json:"purposes"`
}

// PurposeUse is a fideslang purpose used in the records.
type PurposeUse struct {
	Key        string `json:"key"`
	Name       string `json:"name,omitempty"`
	LegalBasis string `json:"legal_basis,omitempty"`
	Declared   bool   `json:"declared"`
	Events     int64  `json:"events"`
}

// ThirdParty is a recipient disclosed to.
type ThirdParty struct {
	Key             string `json:"key"`
	Name            string `json:"name,omitempty"`
	Kind            string `json:"kind,omitempty"`
	CCPADescription string `json:"ccpa_description,omitempty"`
	SaleOrShare     bool   `json:"sale_or_share"`
	Declared        bool   `json:"declared"`
	// Categories are the fideslang categories disclosed to it, sorted.
	Categories []string `json:"categories"`
	// CCPACategories are their CCPA categories, in the statute's order
	// (unclassified last).
	CCPACategories []string `json:"ccpa_categories"`
	Events         int64    `json:"events"`
}

// DisclosedGroup is one CCPA category with the fideslang categories
// disclosed under it (sorted by key) and to whom.
type DisclosedGroup struct {
	Key        string              `json:"key"`
	Label      string              `json:"label"`
	Text       string              `json:"text"`
	Categories []DisclosedCategory `json:"categories"`
}

// DisclosedCategory is a fideslang category and the recipients (keys,
// sorted) it was disclosed to.
type DisclosedCategory struct {
	Key         string   `json:"key"`
	Description string   `json:"description,omitempty"`
	Declared    bool     `json:"declared"`
	Recipients  []string `json:"recipients"`
	Events      int64    `json:"events"`
}

// Flag is something in the records a privacy officer must look at. The
// key fields name what it is about; Count is the number of events involved
// (for no_contract: the events without a contract).
type Flag struct {
	Code      string `json:"code"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message"`
	Category  string `json:"category,omitempty"`
	Source    string `json:"source,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
	Recipient string `json:"recipient,omitempty"`
	Count     int64  `json:"count"`
}

// index is a manifest looked up by key.
type index struct {
	m          *policy.Manifest
	categories map[string]policy.Category
	sources    map[string]policy.Source
	purposes   map[string]policy.Purpose
	recipients map[string]policy.Recipient
}

func newIndex(m *policy.Manifest) *index {
	if m == nil {
		m = &policy.Manifest{}
	}
	ix := &index{
		m:          m,
		categories: map[string]policy.Category{},
		sources:    map[string]policy.Source{},
		purposes:   map[string]policy.Purpose{},
		recipients: map[string]policy.Recipient{},
	}
	for _, c := range m.Categories {
		ix.categories[c.Key] = c
	}
	for _, s := range m.Sources {
		ix.sources[s.Key] = s
	}
	for _, p := range m.Purposes {
		ix.purposes[p.Key] = p
	}
	for _, r := range m.Recipients {
		ix.recipients[r.Key] = r
	}
	return ix
}

// ccpaOf is the CCPA category of a fideslang category: unclassified when
// the manifest does not declare it.
func (ix *index) ccpaOf(category string) string {
	c, ok := ix.categories[category]
	if !ok {
		return Unclassified
	}
	if _, ok := taxonomy.Find(taxonomy.CCPACategories(), c.CCPA); !ok {
		return Unclassified
	}
	return c.CCPA
}

// ccpaGroups are the CCPA categories in the statute's order, then
// unclassified.
func ccpaGroups() []taxonomy.Labelled {
	return append(taxonomy.CCPACategories(), unclassified)
}

func (ix *index) categoryCount(key string) *CategoryCount {
	c, ok := ix.categories[key]
	return &CategoryCount{Key: key, Description: c.Description, Declared: ok, Sensitive: c.Sensitive}
}

// ordered lists the keys of seen: first those in declared order, then the
// others sorted.
func ordered[V any](seen map[string]V, declared []string) []string {
	out := make([]string, 0, len(seen))
	in := map[string]bool{}
	for _, k := range declared {
		if _, ok := seen[k]; ok && !in[k] {
			out = append(out, k)
			in[k] = true
		}
	}
	var rest []string
	for k := range seen {
		if !in[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func keysOf[T any](list []T, key func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = key(v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CCPAReport computes the California statement for [from, to) from the
// facts of that period (store.EventFacts), against m, the manifest whose
// notice was published. Facts of kinds other than collection and
// disclosure are ignored. Lists are in the manifest's order (taxonomy order
// for CCPA categories and business purposes), undeclared keys after the
// declared ones, sorted. A category the manifest does not declare is listed
// under the CCPA group "unclassified" (after the statutory ones), and a
// recipient it does not declare is not sale_or_share, so what it received
// counts as disclosed for a business purpose; both are flagged.
func CCPAReport(m *policy.Manifest, facts []store.Fact, from, to time.Time) CCPA {
	ix := newIndex(m)
	m = ix.m
	out := CCPA{Period: newPeriod(from, to)}

	collected := map[string]*CategoryCount{}
	sources := map[string]*SourceUse{}
	purposes := map[string]*PurposeUse{}
	recipients := map[string]*ThirdParty{}
	recipientCats := map[string]map[string]bool{}
	// disclosed[sold][category] is what went to recipients that are (or
	// are not) sale_or_share.
	disclosed := map[bool]map[string]*DisclosedCategory{true: {}, false: {}}
	disclosedTo := map[bool]map[string]map[string]bool{true: {}, false: {}}

	fl := flagger{}
	for _, f := range facts {
		if f.Kind != custos.EventCollection && f.Kind != custos.EventDisclosure {
			continue
		}
		p := purposes[f.Purpose]
		if p == nil {
			dp, ok := ix.purposes[f.Purpose]
			p = &PurposeUse{Key: f.Purpose, Name: dp.Name, LegalBasis: dp.LegalBasis, Declared: ok}
			purposes[f.Purpose] = p
		}
		p.Events += f.Events
		if _, ok := ix.categories[f.Category]; !ok {
			fl.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredCategory, Category: f.Category}, f.Events)
		}
		if !p.Declared {
			fl.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredPurpose, Purpose: f.Purpose}, f.Events)
		}

		switch f.Kind {
		case custos.EventCollection:
			c := collected[f.Category]
			if c == nil {
				c = ix.categoryCount(f.Category)
				collected[f.Category] = c
			}
			c.add(f)
			s := sources[f.Source]
			if s == nil {
				ds, ok := ix.sources[f.Source]
				s = &SourceUse{Key: f.Source, Name: ds.Name, Description: ds.Description, Declared: ok}
				sources[f.Source] = s
			}
			s.Events += f.Events
			if !s.Declared {
				fl.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredSource, Source: f.Source}, f.Events)
			}

		case custos.EventDisclosure:
			dr, declared := ix.recipients[f.Recipient]
			r := recipients[f.Recipient]
			if r == nil {
				r = &ThirdParty{Key: f.Recipient, Name: dr.Name, Kind: dr.Kind, CCPADescription: dr.CCPADescription,
					SaleOrShare: dr.SaleOrShare, Declared: declared}
				recipients[f.Recipient] = r
				recipientCats[f.Recipient] = map[string]bool{}
			}
			r.Events += f.Events
			recipientCats[f.Recipient][f.Category] = true

			sold := dr.SaleOrShare
			d := disclosed[sold][f.Category]
			if d == nil {
				cc := ix.categoryCount(f.Category)
				d = &DisclosedCategory{Key: f.Category, Description: cc.Description, Declared: cc.Declared}
				disclosed[sold][f.Category] = d
				disclosedTo[sold][f.Category] = map[string]bool{}
			}
			d.Events += f.Events
			disclosedTo[sold][f.Category][f.Recipient] = true

			if !declared {
				fl.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredRecipient, Recipient: f.Recipient}, f.Events)
			} else {
				if len(dr.Categories) > 0 && !slices.Contains(dr.Categories, f.Category) {
					fl.add(Flag{Code: FlagExceedsNotice, Reason: ReasonCategoryNotAllowed, Category: f.Category, Recipient: f.Recipient}, f.Events)
				}
				if len(dr.Purposes) > 0 && !slices.Contains(dr.Purposes, f.Purpose) {
					fl.add(Flag{Code: FlagExceedsNotice, Reason: ReasonPurposeNotAllowed, Purpose: f.Purpose, Recipient: f.Recipient}, f.Events)
				}
			}
			if f.NoContract > 0 {
				fl.add(Flag{Code: FlagNoContract, Recipient: f.Recipient}, f.NoContract)
			}
		}
	}

	// Something sold or shared while the notice declares no recipient that
	// is sale_or_share. With sale_or_share read from m itself this cannot
	// happen; it guards the statement should the two ever come apart.
	if len(disclosed[true]) > 0 && !slices.ContainsFunc(m.Recipients, func(r policy.Recipient) bool { return r.SaleOrShare }) {
		for cat, d := range disclosed[true] {
			for rec := range disclosedTo[true][cat] {
				fl.add(Flag{Code: FlagExceedsNotice, Reason: ReasonSaleWithoutNotice, Category: cat, Recipient: rec}, d.Events)
			}
		}
	}

	// Categories collected, by CCPA category.
	out.CategoriesCollected = []CollectedGroup{}
	byGroup := map[string][]CategoryCount{}
	for _, k := range sortedKeys(collected) {
		g := ix.ccpaOf(k)
		byGroup[g] = append(byGroup[g], *collected[k])
	}
	for _, g := range ccpaGroups() {
		if cs := byGroup[g.Key]; len(cs) > 0 {
			out.CategoriesCollected = append(out.CategoriesCollected, CollectedGroup{Key: g.Key, Label: g.Label, Text: g.Text, Categories: cs})
		}
	}

	out.Sources = []SourceUse{}
	for _, k := range ordered(sources, keysOf(m.Sources, func(s policy.Source) string { return s.Key })) {
		out.Sources = append(out.Sources, *sources[k])
	}

	out.Purposes = []PurposeUse{}
	bps := map[string][]string{}
	for _, k := range ordered(purposes, keysOf(m.Purposes, func(p policy.Purpose) string { return p.Key })) {
		out.Purposes = append(out.Purposes, *purposes[k])
		dp, ok := ix.purposes[k]
		if !ok {
			continue
		}
		for _, bp := range append([]string{dp.BusinessPurpose}, dp.AdditionalBusinessPurposes...) {
			if bp != "" && !slices.Contains(bps[bp], k) {
				bps[bp] = append(bps[bp], k)
			}
		}
	}
	out.BusinessPurposes = []BusinessPurpose{}
	for _, b := range taxonomy.BusinessPurposes() {
		if ps := bps[b.Key]; len(ps) > 0 {
			out.BusinessPurposes = append(out.BusinessPurposes, BusinessPurpose{Key: b.Key, Label: b.Label, Text: b.Text, Purposes: ps})
		}
	}

	out.ThirdParties = []ThirdParty{}
	for _, k := range ordered(recipients, keysOf(m.Recipients, func(r policy.Recipient) string { return r.Key })) {
		r := *recipients[k]
		r.Categories = sortedKeys(recipientCats[k])
		groups := map[string]bool{}
		for _, c := range r.Categories {
			groups[ix.ccpaOf(c)] = true
		}
		r.CCPACategories = []string{}
		for _, g := range ccpaGroups() {
			if groups[g.Key] {
				r.CCPACategories = append(r.CCPACategories, g.Key)
			}
		}
		out.ThirdParties = append(out.ThirdParties, r)
	}

	disclosedGroups := func(sold bool) []DisclosedGroup {
		byGroup := map[string][]DisclosedCategory{}
		for _, k := range sortedKeys(disclosed[sold]) {
			d := *disclosed[sold][k]
			d.Recipients = sortedKeys(disclosedTo[sold][k])
			g := ix.ccpaOf(k)
			byGroup[g] = append(byGroup[g], d)
		}
		groups := []DisclosedGroup{}
		for _, g := range ccpaGroups() {
			if ds := byGroup[g.Key]; len(ds) > 0 {
				groups = append(groups, DisclosedGroup{Key: g.Key, Label: g.Label, Text: g.Text, Categories: ds})
			}
		}
		return groups
	}
	out.SoldOrShared = disclosedGroups(true)
	out.DisclosedForBusinessPurpose = disclosedGroups(false)

	out.Flags = fl.list(ix)
	for _, f := range out.Flags {
		if f.Code == FlagExceedsNotice {
			out.ExceedsNotice = true
		}
	}
	return out
}

// flagger collects flags, one per code, reason and keys, summing counts.
type flagger map[Flag]int64

func (fl flagger) add(f Flag, n int64) { fl[f] += n }

var flagRank = map[string]int{
	ReasonUndeclaredCategory:  0,
	ReasonUndeclaredSource:    1,
	ReasonUndeclaredPurpose:   2,
	ReasonUndeclaredRecipient: 3,
	ReasonCategoryNotAllowed:  4,
	ReasonPurposeNotAllowed:   5,
	ReasonSaleWithoutNotice:   6,
	"":                        7, // no_contract
}

func (fl flagger) list(ix *index) []Flag {
	out := make([]Flag, 0, len(fl))
	for f, n := range fl {
		f.Count = n
		f.Message = flagMessage(ix, f)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Code != b.Code {
			return a.Code == FlagExceedsNotice // exceeds_notice first
		}
		if flagRank[a.Reason] != flagRank[b.Reason] {
			return flagRank[a.Reason] < flagRank[b.Reason]
		}
		for _, p := range [][2]string{{a.Recipient, b.Recipient}, {a.Category, b.Category}, {a.Purpose, b.Purpose}, {a.Source, b.Source}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
	return out
}

func events(n int64) string {
	if n == 1 {
		return "1 event"
	}
	return strconv.FormatInt(n, 10) + " events"
}

func flagMessage(ix *index, f Flag) string {
	switch f.Reason {
	case ReasonUndeclaredCategory:
		return fmt.Sprintf("Category %q appears in the records (%s) but is not declared in the notice.", f.Category, events(f.Count))
	case ReasonUndeclaredSource:
		return fmt.Sprintf("Personal information was collected from source %q (%s), which is not declared in the notice.", f.Source, events(f.Count))
	case ReasonUndeclaredPurpose:
		return fmt.Sprintf("Purpose %q appears in the records (%s) but is not declared in the notice.", f.Purpose, events(f.Count))
	case ReasonUndeclaredRecipient:
		return fmt.Sprintf("Personal information was disclosed to recipient %q (%s), which is not declared in the notice.", f.Recipient, events(f.Count))
	case ReasonCategoryNotAllowed:
		return fmt.Sprintf("Category %q was disclosed to recipient %q (%s), whose declared categories do not include it.", f.Category, f.Recipient, events(f.Count))
	case ReasonPurposeNotAllowed:
		return fmt.Sprintf("Personal information was disclosed to recipient %q for purpose %q (%s), which is not among the recipient's declared purposes.", f.Recipient, f.Purpose, events(f.Count))
	case ReasonSaleWithoutNotice:
		return fmt.Sprintf("Category %q was sold or shared with recipient %q, but the notice declares no recipient to whom personal information is sold or shared.", f.Category, f.Recipient)
	}
	if f.Code == FlagNoContract {
		if r, ok := ix.recipients[f.Recipient]; ok && r.ContractRequired {
			return fmt.Sprintf("%s disclosed to recipient %q, which requires a contract, had no contract on record.", capitalise(events(f.Count)), f.Recipient)
		}
		return fmt.Sprintf("%s disclosed to recipient %q were recorded without a contract on record.", capitalise(events(f.Count)), f.Recipient)
	}
	return f.Code
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

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
	type acc struct {
		events     int64
		categories map[string]*CategoryCount
		recipients map[string]*ActivityRecipient
	}
	byPurpose := map[string]*acc{}
	get := func(p string) *acc {
		a := byPurpose[p]
		if a == nil {
			a = &acc{categories: map[string]*CategoryCount{}, recipients: map[string]*ActivityRecipient{}}
			byPurpose[p] = a
		}
		return a
	}
	for _, p := range m.Purposes {
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
			Retention:          []string{},
			SecurityMeasures:   append([]string{}, m.Notice.Security...),
			Events:             a.events,
			Period:             period,
		}
		for _, c := range sortedKeys(a.categories) {
			cc := *a.categories[c]
			act.DataCategories = append(act.DataCategories, Described{Key: cc.Key, Description: cc.Description, Declared: cc.Declared})
			act.CategoriesRecorded = append(act.CategoriesRecorded, cc)
		}
		for _, r := range ordered(a.recipients, recipientOrder) {
			act.Recipients = append(act.Recipients, *a.recipients[r])
		}
		for _, rule := range m.Retention.Rules {
			if a.categories[rule.Category] != nil && (rule.Purpose == "" || rule.Purpose == key) {
				act.Retention = append(act.Retention, retentionText(rule))
			}
		}
		if len(act.Retention) == 0 {
			act.Retention = append(act.Retention, m.Notice.Retention...)
		}
		out = append(out, act)
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

// MinK is the smallest k Aggregate uses: a cell about one person is never
// published.
const MinK = 2

// AggregateReport is counts by category, purpose and month in which every
// cell of fewer than K distinct subjects is suppressed, so it can go to
// analytics without personal data.
type AggregateReport struct {
	K      int             `json:"k"`
	Cells  []AggregateCell `json:"cells"`
	Totals []MonthTotal    `json:"totals"`
}

// AggregateCell is one category, purpose and month. When Suppressed, the
// counts are null.
type AggregateCell struct {
	Category   string `json:"category"`
	Purpose    string `json:"purpose"`
	Month      string `json:"month"`
	Suppressed bool   `json:"suppressed"`
	Events     *int64 `json:"events"`
	Subjects   *int64 `json:"subjects"`
}

// MonthTotal sums the unsuppressed cells of a month, so suppressed counts
// cannot be recovered by subtraction. SubjectGroups is the sum of the
// cells' distinct subjects: one person in several cells counts in each.
type MonthTotal struct {
	Month           string `json:"month"`
	Events          int64  `json:"events"`
	SubjectGroups   int64  `json:"subject_groups"`
	Cells           int    `json:"cells"`
	SuppressedCells int    `json:"suppressed_cells"`
}

// Aggregate suppresses every cell with fewer than k distinct subjects. A k
// below MinK (2) is raised to MinK, not an error: a cell about one person
// is never published. Cells are sorted by month, category and purpose;
// totals by month.
func Aggregate(cells []store.Cell, k int) AggregateReport {
	k = max(k, MinK)
	out := AggregateReport{K: k, Cells: make([]AggregateCell, 0, len(cells)), Totals: []MonthTotal{}}
	sorted := slices.Clone(cells)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Purpose < b.Purpose
	})
	for _, c := range sorted {
		ac := AggregateCell{Category: c.Category, Purpose: c.Purpose, Month: c.Month}
		if n := len(out.Totals); n == 0 || out.Totals[n-1].Month != c.Month {
			out.Totals = append(out.Totals, MonthTotal{Month: c.Month})
		}
		t := &out.Totals[len(out.Totals)-1]
		if c.Subjects < int64(k) {
			ac.Suppressed = true
			t.SuppressedCells++
		} else {
			events, subjects := c.Events, c.Subjects
			ac.Events, ac.Subjects = &events, &subjects
			t.Events += c.Events
			t.SubjectGroups += c.Subjects
			t.Cells++
		}
		out.Cells = append(out.Cells, ac)
	}
	return out
}
