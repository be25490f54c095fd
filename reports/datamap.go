package reports

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
)

// The data map answers "what do we hold, why, and who gets it" from the
// policy in force, checked against what was recorded and, where the
// company's databases are described as datasets, against where each
// category actually lives. A category recorded but not declared, or held
// in a database but not declared, is the gap an officer needs to see
// first, so those are listed too.

// MapUse is a purpose or recipient tied to a category: by the policy, by
// recorded events (Events), or both. Declared is false when the policy
// does not know the key.
type MapUse struct {
	Key, Name string
	Declared  bool
	Events    int64
}

// MapCategory is one category with what uses it and where it is held
// (dataset:collection.field).
type MapCategory struct {
	Key, Description, CCPA string
	Declared, Sensitive    bool
	Purposes               []MapUse
	Recipients             []MapUse
	Held                   []string
}

// MapPurpose is a declared purpose with its legal basis and consent
// regimes in words.
type MapPurpose struct {
	Key, Name, LegalBasis, Consent string
	DirectMarketing                bool
}

// DataMap is the map for one period.
type DataMap struct {
	Version     int64
	LastUpdated string
	From, To    time.Time
	// Datasets is how many connected datasets are described.
	Datasets int
	// DatasetErr is why the connected datasets could not be read; the
	// rest of the map stands without them.
	DatasetErr  error
	AnyCategory []policy.Recipient // recipients that may receive any declared category
	Categories  []*MapCategory     // declared first, in the policy's order, then the undeclared met
	Undeclared  []*MapCategory     // held in connected systems, not declared; by key
	// ForControllers are the connected collections the policy says hold
	// data processed on behalf of controllers (Customer Content): not
	// where the company's own categories live, so listed apart.
	ForControllers []HeldFor
	Purposes       []MapPurpose
	Recipients     []policy.Recipient
}

// HeldFor is a connected collection held for a controller, with the
// categories of its personal fields.
type HeldFor struct {
	Collection string // dataset:collection
	Controller string
	Categories []string
}

// ConsentWords is a purpose's consent regimes in one line: "opt_in: DE,
// EU; opt_out: default".
func ConsentWords(p policy.Purpose) string {
	if p.Consent == nil || len(p.Consent.Regimes) == 0 {
		return "not needed (" + p.LegalBasis + ")"
	}
	by := map[string][]string{}
	for where, regime := range p.Consent.Regimes {
		by[regime] = append(by[regime], where)
	}
	var parts []string
	for _, regime := range slices.Sorted(maps.Keys(by)) {
		slices.Sort(by[regime])
		parts = append(parts, regime+": "+strings.Join(by[regime], ", "))
	}
	return strings.Join(parts, "; ")
}

// holds reports whether a dataset field's category falls under a policy
// category: fideslang keys are a hierarchy, so user.contact.email is held
// under user.contact as well as under itself.
func holds(policyKey, fieldKey string) bool {
	return fieldKey == policyKey || strings.HasPrefix(fieldKey, policyKey+".")
}

// DataMap maps the policy in force against the events of [from, to) and
// the connected datasets.
func (s *Service) DataMap(ctx context.Context, from, to time.Time) (*DataMap, error) {
	p, ver, err := s.policies.Active(ctx)
	if err != nil {
		return nil, err
	}
	m := p.Manifest
	facts, err := s.store.EventFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	// The map holds the company's own promises against its own events;
	// data processed for controllers answers to their agreements.
	facts = records.OwnFacts(facts)
	page := &DataMap{Version: ver.Version, LastUpdated: m.LastUpdated, From: from, To: to, Recipients: m.Recipients}
	purposes := map[string]policy.Purpose{}
	for _, pu := range m.Purposes {
		purposes[pu.Key] = pu
		page.Purposes = append(page.Purposes, MapPurpose{Key: pu.Key, Name: pu.Name, LegalBasis: pu.LegalBasis,
			Consent: ConsentWords(pu), DirectMarketing: pu.DirectMarketing})
	}
	recipients := map[string]policy.Recipient{}
	for _, rc := range m.Recipients {
		recipients[rc.Key] = rc
		if len(rc.Categories) == 0 {
			page.AnyCategory = append(page.AnyCategory, rc)
		}
	}
	byKey := map[string]*MapCategory{}
	for _, c := range m.Categories {
		mc := &MapCategory{Key: c.Key, Description: c.Description, CCPA: c.CCPA, Declared: true, Sensitive: c.Sensitive}
		byKey[c.Key] = mc
		page.Categories = append(page.Categories, mc)
	}
	category := func(key string) *MapCategory {
		if mc := byKey[key]; mc != nil {
			return mc
		}
		mc := &MapCategory{Key: key, Description: "Recorded or named, but the policy does not declare this category."}
		byKey[key] = mc
		page.Categories = append(page.Categories, mc)
		return mc
	}
	use := func(list *[]MapUse, key, name string, declared bool, events int64) {
		for i := range *list {
			if (*list)[i].Key == key {
				(*list)[i].Events += events
				return
			}
		}
		if name == "" {
			name = key
		}
		*list = append(*list, MapUse{Key: key, Name: name, Declared: declared, Events: events})
	}
	// What the policy ties to each category: recipients that name it, with
	// the purposes they receive it for, and retention rules for a purpose.
	for _, rc := range m.Recipients {
		for _, ck := range rc.Categories {
			mc := category(ck)
			use(&mc.Recipients, rc.Key, rc.Name, true, 0)
			for _, pk := range rc.Purposes {
				_, ok := purposes[pk]
				use(&mc.Purposes, pk, purposes[pk].Name, ok, 0)
			}
		}
	}
	for _, rule := range m.Retention.Rules {
		if rule.Purpose != "" {
			_, ok := purposes[rule.Purpose]
			use(&category(rule.Category).Purposes, rule.Purpose, purposes[rule.Purpose].Name, ok, 0)
		}
	}
	// What was recorded.
	for _, f := range facts {
		if f.Kind != custos.EventCollection && f.Kind != custos.EventDisclosure {
			continue
		}
		mc := category(f.Category)
		_, ok := purposes[f.Purpose]
		use(&mc.Purposes, f.Purpose, purposes[f.Purpose].Name, ok, f.Events)
		if f.Kind == custos.EventDisclosure {
			rc, ok := recipients[f.Recipient]
			use(&mc.Recipients, f.Recipient, rc.Name, ok, f.Events)
		}
	}
	if s.datasets != nil {
		s.held(ctx, page, m, byKey)
	}
	return page, nil
}

// held adds where each category lives in the company's own systems. A
// catalog that cannot be read is noted on the map, not a failure of it.
func (s *Service) held(ctx context.Context, page *DataMap, m *policy.Manifest, byKey map[string]*MapCategory) {
	cat, err := s.datasets.Catalog(ctx)
	if err != nil {
		page.DatasetErr = err
		return
	}
	page.Datasets = len(cat.Datasets)
	undeclared := map[string]*MapCategory{}
	for _, ds := range cat.Datasets {
		for _, col := range ds.Collections {
			if c := m.ControllerOfCollection(ds.Key, col.Name); c != "" {
				hf := HeldFor{Collection: ds.Key + ":" + col.Name, Controller: c}
				for _, fl := range col.Fields {
					for _, fc := range fl.Categories {
						if !slices.Contains(hf.Categories, fc) {
							hf.Categories = append(hf.Categories, fc)
						}
					}
				}
				page.ForControllers = append(page.ForControllers, hf)
				continue
			}
			for _, fl := range col.Fields {
				where := ds.Key + ":" + col.Name + "." + fl.Name
				for _, fc := range fl.Categories {
					found := false
					for _, c := range m.Categories {
						if holds(c.Key, fc) {
							found = true
							if mc := byKey[c.Key]; !slices.Contains(mc.Held, where) {
								mc.Held = append(mc.Held, where)
							}
						}
					}
					if !found {
						u := undeclared[fc]
						if u == nil {
							u = &MapCategory{Key: fc}
							undeclared[fc] = u
						}
						u.Held = append(u.Held, where)
					}
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(undeclared)) {
		page.Undeclared = append(page.Undeclared, undeclared[k])
	}
}
