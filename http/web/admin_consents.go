package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/custos-privacy/custos/consent"
)

// Consent statistics: how many people's choices granted and withdrew each
// purpose, counted from the ledger's scopes and choices alone. No person's
// entries are read, so the page needs no audit entry of its own.

type consentRow struct {
	Scope, Name             string
	Granted, Withdrawn, GPC int64
}

type consentsView struct {
	Periods                 []option
	Span                    string
	Granted, Withdrawn, GPC int64
	Rows                    []consentRow
	Chart                   template.HTML
}

// scopeName is a consent scope in words: a purpose's name from the policy,
// or one of the ledger's own scopes.
func scopeName(scope string, names map[string]string) string {
	switch scope {
	case consent.ScopeSaleSharing:
		return "Sale and sharing (opt-out)"
	case consent.ScopeDirectMarketing:
		return "Direct marketing (objection)"
	}
	if n := names[scope]; n != "" {
		return n
	}
	return scope
}

func (d Deps) adminConsents(w http.ResponseWriter, r *http.Request) {
	_, v, ok := d.console(w, r, func(c rights) bool { return c.Reports })
	if !ok {
		return
	}
	ctx := r.Context()
	v.Title, v.Nav = "Consents", "consents"
	p, _, err := d.Policies.Active(ctx)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	names := map[string]string{}
	for _, pu := range p.Manifest.Purposes {
		names[pu.Key] = pu.Name
	}
	period := r.URL.Query().Get("period")
	if period != "all" {
		period = "12m"
	}
	// A minute ahead: a choice recorded by another server whose clock runs
	// slightly ahead still counts.
	now := d.Clock.Now()
	to, from, span := now.Add(time.Minute), now.AddDate(-1, 0, 0), "in the last 12 months"
	if period == "all" {
		from, span = time.Unix(0, 0), "since the ledger began"
	}
	counts, err := d.Reports.Consents(ctx, from, to)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	page := &consentsView{Span: span, Periods: []option{
		{Value: "12m", Label: "Last 12 months", Selected: period == "12m"},
		{Value: "all", Label: "All time", Selected: period == "all"},
	}}
	c := chart{ID: "consents-by-purpose", Title: "Consents granted and withdrawn by purpose, " + span, Unit: "choices",
		Series: []series{{Name: "Granted"}, {Name: "Withdrawn"}}}
	for _, n := range counts {
		row := consentRow{Scope: n.Scope, Name: scopeName(n.Scope, names), Granted: n.Granted, Withdrawn: n.Withdrawn, GPC: n.GPC}
		page.Rows = append(page.Rows, row)
		page.Granted += n.Granted
		page.Withdrawn += n.Withdrawn
		page.GPC += n.GPC
		c.Labels = append(c.Labels, row.Name)
		c.Series[0].Values = append(c.Series[0].Values, float64(n.Granted))
		c.Series[1].Values = append(c.Series[1].Values, float64(n.Withdrawn))
	}
	if len(counts) > 0 {
		page.Chart = figure(stackedBarChart(c), c)
	}
	v.Page = page
	d.adminRender(w, r, http.StatusOK, "consents", v)
}
