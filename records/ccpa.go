package records

import (
	"fmt"
	"maps"
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
	t := newCCPATally(ix)
	for _, f := range OwnFacts(facts) {
		t.add(f)
	}
	t.flagSaleWithoutNotice()

	out := CCPA{Period: newPeriod(from, to)}
	out.CategoriesCollected = t.collectedGroups()
	out.Sources = t.sourceList()
	out.Purposes, out.BusinessPurposes = t.purposeList()
	out.ThirdParties = t.thirdPartyList()
	out.SoldOrShared = t.disclosedGroups(true)
	out.DisclosedForBusinessPurpose = t.disclosedGroups(false)
	out.Flags = t.flags.list(ix)
	for _, f := range out.Flags {
		if f.Code == FlagExceedsNotice {
			out.ExceedsNotice = true
		}
	}
	return out
}

// ccpaTally sums the facts of a period by what the statement lists, and
// flags what exceeds the notice as it goes.
type ccpaTally struct {
	ix            *index
	collected     map[string]*CategoryCount
	sources       map[string]*SourceUse
	purposes      map[string]*PurposeUse
	recipients    map[string]*ThirdParty
	recipientCats map[string]map[string]bool
	// disclosed[sold][category] is what went to recipients that are (or
	// are not) sale_or_share.
	disclosed   map[bool]map[string]*DisclosedCategory
	disclosedTo map[bool]map[string]map[string]bool
	flags       flagger
}

func newCCPATally(ix *index) *ccpaTally {
	return &ccpaTally{
		ix:            ix,
		collected:     map[string]*CategoryCount{},
		sources:       map[string]*SourceUse{},
		purposes:      map[string]*PurposeUse{},
		recipients:    map[string]*ThirdParty{},
		recipientCats: map[string]map[string]bool{},
		disclosed:     map[bool]map[string]*DisclosedCategory{true: {}, false: {}},
		disclosedTo:   map[bool]map[string]map[string]bool{true: {}, false: {}},
		flags:         flagger{},
	}
}

// add counts one fact; facts of kinds other than collection and disclosure
// are not in the statement.
func (t *ccpaTally) add(f store.Fact) {
	if f.Kind != custos.EventCollection && f.Kind != custos.EventDisclosure {
		return
	}
	p := t.purposes[f.Purpose]
	if p == nil {
		dp, ok := t.ix.purposes[f.Purpose]
		p = &PurposeUse{Key: f.Purpose, Name: dp.Name, LegalBasis: dp.LegalBasis, Declared: ok}
		t.purposes[f.Purpose] = p
	}
	p.Events += f.Events
	if _, ok := t.ix.categories[f.Category]; !ok {
		t.flags.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredCategory, Category: f.Category}, f.Events)
	}
	if !p.Declared {
		t.flags.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredPurpose, Purpose: f.Purpose}, f.Events)
	}
	switch f.Kind {
	case custos.EventCollection:
		t.addCollection(f)
	case custos.EventDisclosure:
		t.addDisclosure(f)
	}
}

// addCollection counts a collection under its category and source.
func (t *ccpaTally) addCollection(f store.Fact) {
	c := t.collected[f.Category]
	if c == nil {
		c = t.ix.categoryCount(f.Category)
		t.collected[f.Category] = c
	}
	c.add(f)
	s := t.sources[f.Source]
	if s == nil {
		ds, ok := t.ix.sources[f.Source]
		s = &SourceUse{Key: f.Source, Name: ds.Name, Description: ds.Description, Declared: ok}
		t.sources[f.Source] = s
	}
	s.Events += f.Events
	if !s.Declared {
		t.flags.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredSource, Source: f.Source}, f.Events)
	}
}

// addDisclosure counts a disclosure under its recipient and, as sold or
// shared or not by the recipient's declaration, under its category.
func (t *ccpaTally) addDisclosure(f store.Fact) {
	dr, declared := t.ix.recipients[f.Recipient]
	r := t.recipients[f.Recipient]
	if r == nil {
		r = &ThirdParty{Key: f.Recipient, Name: dr.Name, Kind: dr.Kind, CCPADescription: dr.CCPADescription,
			SaleOrShare: dr.SaleOrShare, Declared: declared}
		t.recipients[f.Recipient] = r
		t.recipientCats[f.Recipient] = map[string]bool{}
	}
	r.Events += f.Events
	t.recipientCats[f.Recipient][f.Category] = true

	sold := dr.SaleOrShare
	d := t.disclosed[sold][f.Category]
	if d == nil {
		cc := t.ix.categoryCount(f.Category)
		d = &DisclosedCategory{Key: f.Category, Description: cc.Description, Declared: cc.Declared}
		t.disclosed[sold][f.Category] = d
		t.disclosedTo[sold][f.Category] = map[string]bool{}
	}
	d.Events += f.Events
	t.disclosedTo[sold][f.Category][f.Recipient] = true
	t.flagDisclosure(f, dr, declared)
}

// flagDisclosure flags a disclosure to a recipient the notice does not
// declare, or outside the categories and purposes it declares, and one
// without a contract.
func (t *ccpaTally) flagDisclosure(f store.Fact, dr policy.Recipient, declared bool) {
	if !declared {
		t.flags.add(Flag{Code: FlagExceedsNotice, Reason: ReasonUndeclaredRecipient, Recipient: f.Recipient}, f.Events)
	} else {
		if len(dr.Categories) > 0 && !slices.Contains(dr.Categories, f.Category) {
			t.flags.add(Flag{Code: FlagExceedsNotice, Reason: ReasonCategoryNotAllowed, Category: f.Category, Recipient: f.Recipient}, f.Events)
		}
		if len(dr.Purposes) > 0 && !slices.Contains(dr.Purposes, f.Purpose) {
			t.flags.add(Flag{Code: FlagExceedsNotice, Reason: ReasonPurposeNotAllowed, Purpose: f.Purpose, Recipient: f.Recipient}, f.Events)
		}
	}
	if f.NoContract > 0 {
		t.flags.add(Flag{Code: FlagNoContract, Recipient: f.Recipient}, f.NoContract)
	}
}

// flagSaleWithoutNotice flags something sold or shared while the notice
// declares no recipient that is sale_or_share. With sale_or_share read
// from the manifest itself this cannot happen; it guards the statement
// should the two ever come apart.
func (t *ccpaTally) flagSaleWithoutNotice() {
	if len(t.disclosed[true]) == 0 || slices.ContainsFunc(t.ix.m.Recipients, func(r policy.Recipient) bool { return r.SaleOrShare }) {
		return
	}
	for cat, d := range t.disclosed[true] {
		for rec := range t.disclosedTo[true][cat] {
			t.flags.add(Flag{Code: FlagExceedsNotice, Reason: ReasonSaleWithoutNotice, Category: cat, Recipient: rec}, d.Events)
		}
	}
}

// collectedGroups lists the categories collected by CCPA category.
func (t *ccpaTally) collectedGroups() []CollectedGroup {
	out := []CollectedGroup{}
	byGroup := map[string][]CategoryCount{}
	for _, k := range slices.Sorted(maps.Keys(t.collected)) {
		g := t.ix.ccpaOf(k)
		byGroup[g] = append(byGroup[g], *t.collected[k])
	}
	for _, g := range ccpaGroups() {
		if cs := byGroup[g.Key]; len(cs) > 0 {
			out = append(out, CollectedGroup{Key: g.Key, Label: g.Label, Text: g.Text, Categories: cs})
		}
	}
	return out
}

// sourceList lists the sources in the manifest's order.
func (t *ccpaTally) sourceList() []SourceUse {
	out := []SourceUse{}
	for _, k := range ordered(t.sources, keysOf(t.ix.m.Sources, func(s policy.Source) string { return s.Key })) {
		out = append(out, *t.sources[k])
	}
	return out
}

// purposeList lists the purposes in the manifest's order, and the CCPA
// business purposes (in taxonomy order) that the declared ones serve.
func (t *ccpaTally) purposeList() ([]PurposeUse, []BusinessPurpose) {
	purposes := []PurposeUse{}
	bps := map[string][]string{}
	for _, k := range ordered(t.purposes, keysOf(t.ix.m.Purposes, func(p policy.Purpose) string { return p.Key })) {
		purposes = append(purposes, *t.purposes[k])
		dp, ok := t.ix.purposes[k]
		if !ok {
			continue
		}
		for _, bp := range append([]string{dp.BusinessPurpose}, dp.AdditionalBusinessPurposes...) {
			if bp != "" && !slices.Contains(bps[bp], k) {
				bps[bp] = append(bps[bp], k)
			}
		}
	}
	business := []BusinessPurpose{}
	for _, b := range taxonomy.BusinessPurposes() {
		if ps := bps[b.Key]; len(ps) > 0 {
			business = append(business, BusinessPurpose{Key: b.Key, Label: b.Label, Text: b.Text, Purposes: ps})
		}
	}
	return purposes, business
}

// thirdPartyList lists the recipients in the manifest's order, each with
// the categories it received and their CCPA categories.
func (t *ccpaTally) thirdPartyList() []ThirdParty {
	out := []ThirdParty{}
	for _, k := range ordered(t.recipients, keysOf(t.ix.m.Recipients, func(r policy.Recipient) string { return r.Key })) {
		r := *t.recipients[k]
		r.Categories = slices.Sorted(maps.Keys(t.recipientCats[k]))
		groups := map[string]bool{}
		for _, c := range r.Categories {
			groups[t.ix.ccpaOf(c)] = true
		}
		r.CCPACategories = []string{}
		for _, g := range ccpaGroups() {
			if groups[g.Key] {
				r.CCPACategories = append(r.CCPACategories, g.Key)
			}
		}
		out = append(out, r)
	}
	return out
}

// disclosedGroups lists what went to recipients that are (sold) or are not
// sale_or_share, by CCPA category.
func (t *ccpaTally) disclosedGroups(sold bool) []DisclosedGroup {
	byGroup := map[string][]DisclosedCategory{}
	for _, k := range slices.Sorted(maps.Keys(t.disclosed[sold])) {
		d := *t.disclosed[sold][k]
		d.Recipients = slices.Sorted(maps.Keys(t.disclosedTo[sold][k]))
		g := t.ix.ccpaOf(k)
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
