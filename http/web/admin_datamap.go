package web

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/policy"
)

// The data map answers "what do we hold, why, and who gets it" from the
// policy in force, checked against what was recorded in the last twelve
// months and, where the company's databases are described as datasets,
// against where each category actually lives. A category recorded but not
// declared, or held in a database but not declared, is the gap an officer
// needs to see first, so those are listed too.

const dataMapPage = `{{define "data-map"}}{{template "head" .}}{{with .Page}}
<p>From policy version {{.Version}} ({{.LastUpdated}}); use recorded from {{date .From}} to {{date .To}}.
{{if .Datasets}}{{.Datasets}} connected dataset{{if ne .Datasets 1}}s{{end}} described.{{else}}No connected datasets are described.{{end}}</p>
{{with .DatasetError}}<p class="error" role="alert">{{.}}</p>{{end}}
{{with .AnyCategory}}<p>May receive any declared category: {{range .}}<span class="tag">{{.Name}}</span>{{end}}</p>{{end}}
<div class="table-box" role="region" aria-label="Data map" tabindex="0"><table data-custos-data-map><caption>Categories of personal information, their purposes and recipients</caption>
<thead><tr><th scope="col">Category</th><th scope="col">Purposes</th><th scope="col">Recipients</th><th scope="col">Held in connected systems</th></tr></thead>
<tbody>{{range .Categories}}<tr data-custos-category="{{.Key}}">
<th scope="row"><code>{{.Key}}</code>{{if not .Declared}} <span class="tag warn">not in the policy</span>{{end}}<br>{{.Description}}
{{with .CCPA}}<br><span class="muted">CCPA: {{.}}</span>{{end}}{{if .Sensitive}} <span class="tag warn">sensitive</span>{{end}}</th>
<td>{{range .Purposes}}<span class="tag{{if not .Declared}} warn{{end}}" data-custos-purpose="{{.Key}}">{{.Name}} <code>{{.Key}}</code>{{if .Events}} · {{.Events}} recorded{{end}}{{if not .Declared}} · not in the policy{{end}}</span> {{else}}<span class="muted">none recorded or tied by the policy</span>{{end}}</td>
<td>{{range .Recipients}}<span class="tag{{if not .Declared}} warn{{end}}">{{.Name}}{{if .Events}} · {{.Events}} disclosed{{end}}{{if not .Declared}} · not in the policy{{end}}</span> {{else}}<span class="muted">—</span>{{end}}</td>
<td>{{range .Held}}<code>{{.}}</code><br>{{else}}<span class="muted">—</span>{{end}}</td></tr>
{{end}}</tbody></table></div>
{{with .Undeclared}}<table data-custos-undeclared><caption>Held in connected systems but not declared in the policy</caption>
<thead><tr><th scope="col">Category</th><th scope="col">Where</th></tr></thead>
<tbody>{{range .}}<tr><th scope="row"><code>{{.Key}}</code></th><td>{{range .Held}}<code>{{.}}</code><br>{{end}}</td></tr>{{end}}</tbody></table>{{end}}
<table><caption>Purposes</caption>
<thead><tr><th scope="col">Purpose</th><th scope="col">Legal basis</th><th scope="col">Consent</th><th scope="col">Direct marketing</th></tr></thead>
<tbody>{{range .Purposes}}<tr><th scope="row">{{.Name}} <code>{{.Key}}</code></th><td>{{.LegalBasis}}</td><td>{{.Consent}}</td><td>{{if .DirectMarketing}}yes{{else}}no{{end}}</td></tr>{{end}}</tbody></table>
<table><caption>Recipients</caption>
<thead><tr><th scope="col">Recipient</th><th scope="col">Kind</th><th scope="col">Sale or sharing</th><th scope="col">For purposes</th><th scope="col">Categories</th></tr></thead>
<tbody>{{range .Recipients}}<tr><th scope="row">{{.Name}} <code>{{.Key}}</code></th><td>{{.Kind}}</td><td>{{if .SaleOrShare}}yes{{else}}no{{end}}</td>
<td>{{range .Purposes}}<code>{{.}}</code> {{else}}any declared{{end}}</td><td>{{with .Categories}}{{len .}} named{{else}}any declared{{end}}</td></tr>{{end}}</tbody></table>
{{end}}{{template "foot" .}}{{end}}
`

type mapUse struct {
	Key, Name string
	Declared  bool
	Events    int64
}

type mapCategory struct {
	Key, Description, CCPA string
	Declared, Sensitive    bool
	Purposes               []mapUse
	Recipients             []mapUse
	Held                   []string
}

type mapPurpose struct {
	Key, Name, LegalBasis, Consent string
	DirectMarketing                bool
}

type dataMapView struct {
	Version      int64
	LastUpdated  string
	From, To     time.Time
	Datasets     int
	DatasetError string
	AnyCategory  []policy.Recipient
	Categories   []*mapCategory
	Undeclared   []*mapCategory
	Purposes     []mapPurpose
	Recipients   []policy.Recipient
}

// consentWords is a purpose's consent regimes in one line: "opt_in: DE, EU;
// opt_out: default".
func consentWords(p policy.Purpose) string {
	if p.Consent == nil || len(p.Consent.Regimes) == 0 {
		return "not needed (" + p.LegalBasis + ")"
	}
	by := map[string][]string{}
	for where, regime := range p.Consent.Regimes {
		by[regime] = append(by[regime], where)
	}
	var parts []string
	for _, regime := range sortedKeys(by) {
		sort.Strings(by[regime])
		parts = append(parts, regime+": "+strings.Join(by[regime], ", "))
	}
	return strings.Join(parts, "; ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// holds reports whether a dataset field's category falls under a policy
// category: fideslang keys are a hierarchy, so user.contact.email is held
// under user.contact as well as under itself.
func holds(policyKey, fieldKey string) bool {
	return fieldKey == policyKey || strings.HasPrefix(fieldKey, policyKey+".")
}

func (d Deps) adminDataMap(w http.ResponseWriter, r *http.Request) {
	_, v, ok := d.console(w, r, func(c rights) bool { return c.Reports })
	if !ok {
		return
	}
	ctx := r.Context()
	v.Title, v.Nav = "Data map", "data-map"
	p, ver, err := d.Policies.Active(ctx)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	m := p.Manifest
	// A minute ahead: an event another server recorded just now counts.
	now := d.Clock.Now()
	from, to := now.AddDate(-1, 0, 0), now.Add(time.Minute)
	facts, err := d.Store.EventFacts(ctx, from, to)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	page := &dataMapView{Version: ver.Version, LastUpdated: m.LastUpdated, From: from, To: to, Recipients: m.Recipients}
	purposes := map[string]policy.Purpose{}
	for _, pu := range m.Purposes {
		purposes[pu.Key] = pu
		page.Purposes = append(page.Purposes, mapPurpose{Key: pu.Key, Name: pu.Name, LegalBasis: pu.LegalBasis,
			Consent: consentWords(pu), DirectMarketing: pu.DirectMarketing})
	}
	recipients := map[string]policy.Recipient{}
	for _, rc := range m.Recipients {
		recipients[rc.Key] = rc
		if len(rc.Categories) == 0 {
			page.AnyCategory = append(page.AnyCategory, rc)
		}
	}
	byKey := map[string]*mapCategory{}
	for _, c := range m.Categories {
		mc := &mapCategory{Key: c.Key, Description: c.Description, CCPA: c.CCPA, Declared: true, Sensitive: c.Sensitive}
		byKey[c.Key] = mc
		page.Categories = append(page.Categories, mc)
	}
	category := func(key string) *mapCategory {
		if mc := byKey[key]; mc != nil {
			return mc
		}
		mc := &mapCategory{Key: key, Description: "Recorded or named, but the policy does not declare this category."}
		byKey[key] = mc
		page.Categories = append(page.Categories, mc)
		return mc
	}
	use := func(list *[]mapUse, key, name string, declared bool, events int64) {
		for i := range *list {
			if (*list)[i].Key == key {
				(*list)[i].Events += events
				return
			}
		}
		if name == "" {
			name = key
		}
		*list = append(*list, mapUse{Key: key, Name: name, Declared: declared, Events: events})
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
	// Where it lives in the company's own systems.
	if d.DSR != nil {
		cat, err := d.DSR.Catalog(ctx)
		if err != nil {
			e := custos.AsError(err)
			if httperr.Status(e.Kind) >= 500 {
				d.Logger.ErrorContext(ctx, "data map: datasets unreadable", "err", err)
			}
			page.DatasetError = "The connected datasets could not be read: " + e.Message
		} else {
			page.Datasets = len(cat.Datasets)
			undeclared := map[string]*mapCategory{}
			for _, ds := range cat.Datasets {
				for _, col := range ds.Collections {
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
									u = &mapCategory{Key: fc}
									undeclared[fc] = u
								}
								u.Held = append(u.Held, where)
							}
						}
					}
				}
			}
			for _, k := range sortedKeys(undeclared) {
				page.Undeclared = append(page.Undeclared, undeclared[k])
			}
		}
	}
	v.Page = page
	d.adminRender(w, r, http.StatusOK, "data-map", v)
}
