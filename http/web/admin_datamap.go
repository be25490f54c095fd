package web

import (
	"net/http"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/httperr"
	"github.com/custos-privacy/custos/reports"
)

// The data map page shows reports.DataMap: what Custos holds, why, who
// gets it, and where it lives in the company's systems.

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
{{with .Undeclared}}<table tabindex="0" data-custos-undeclared><caption>Held in connected systems but not declared in the policy</caption>
<thead><tr><th scope="col">Category</th><th scope="col">Where</th></tr></thead>
<tbody>{{range .}}<tr><th scope="row"><code>{{.Key}}</code></th><td>{{range .Held}}<code>{{.}}</code><br>{{end}}</td></tr>{{end}}</tbody></table>{{end}}
{{with .ForControllers}}<table tabindex="0" data-custos-held-for-controllers><caption>Connected collections holding data processed on behalf of controllers (Customer Content): not the company's own, so not in the map above</caption>
<thead><tr><th scope="col">Collection</th><th scope="col">Controller</th><th scope="col">Categories</th></tr></thead>
<tbody>{{range .}}<tr><th scope="row"><code>{{.Collection}}</code></th><td><code>{{.Controller}}</code></td><td>{{range .Categories}}<code>{{.}}</code> {{end}}</td></tr>{{end}}</tbody></table>{{end}}
<table tabindex="0"><caption>Purposes</caption>
<thead><tr><th scope="col">Purpose</th><th scope="col">Legal basis</th><th scope="col">Consent</th><th scope="col">Direct marketing</th></tr></thead>
<tbody>{{range .Purposes}}<tr><th scope="row">{{.Name}} <code>{{.Key}}</code></th><td>{{.LegalBasis}}</td><td>{{.Consent}}</td><td>{{if .DirectMarketing}}yes{{else}}no{{end}}</td></tr>{{end}}</tbody></table>
<table tabindex="0"><caption>Recipients</caption>
<thead><tr><th scope="col">Recipient</th><th scope="col">Kind</th><th scope="col">Sale or sharing</th><th scope="col">For purposes</th><th scope="col">Categories</th></tr></thead>
<tbody>{{range .Recipients}}<tr><th scope="row">{{.Name}} <code>{{.Key}}</code></th><td>{{.Kind}}</td><td>{{if .SaleOrShare}}yes{{else}}no{{end}}</td>
<td>{{range .Purposes}}<code>{{.}}</code> {{else}}any declared{{end}}</td><td>{{with .Categories}}{{len .}} named{{else}}any declared{{end}}</td></tr>{{end}}</tbody></table>
{{end}}{{template "foot" .}}{{end}}
`

// dataMapView is the map with the datasets' failure in words.
type dataMapView struct {
	*reports.DataMap
	DatasetError string
}

func (d Deps) adminDataMap(w http.ResponseWriter, r *http.Request) {
	_, v, ok := d.console(w, r, func(c rights) bool { return c.Reports })
	if !ok {
		return
	}
	ctx := r.Context()
	v.Title, v.Nav = "Data map", "data-map"
	// The last twelve months, and a minute ahead: an event another server
	// recorded just now counts.
	now := d.Clock.Now()
	m, err := d.Reports.DataMap(ctx, now.AddDate(-1, 0, 0), now.Add(time.Minute))
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	page := &dataMapView{DataMap: m}
	if m.DatasetErr != nil {
		e := custos.AsError(m.DatasetErr)
		if httperr.Status(e.Kind) >= 500 {
			d.Logger.ErrorContext(ctx, "data map: datasets unreadable", "err", m.DatasetErr)
		}
		page.DatasetError = "The connected datasets could not be read: " + e.Message
	}
	v.Page = page
	d.adminRender(w, r, http.StatusOK, "data-map", v)
}
