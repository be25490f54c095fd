package web

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/reports"
	"github.com/custos-privacy/custos/requests"
)

// Reports: the last twelve months of requests and consents as charts, and
// the yearly request metrics that California's regulations (§7102) ask a
// business of some size to publish. Everything is counted from request
// metadata and the consent ledger's scopes; no person's data is read.

type reportsView struct {
	FromLabel, ToLabel       string
	Received                 int
	Median                   string
	Requests, Days, Consents template.HTML
	Year                     int
	Metrics                  []requests.TypeMetrics
	// MetricsScope and MetricsStatement say whose requests Metrics
	// counts (11 CCR §7102(b)).
	MetricsScope, MetricsStatement string
	// Routed is the processor's side, apart from Metrics.
	Routed *requests.RoutedMetrics
	// Undeliverable is mail that failed for good, latest first.
	Undeliverable []reports.Message
}

func (d Deps) adminReports(w http.ResponseWriter, r *http.Request) {
	_, v, ok := d.console(w, r, func(c rights) bool { return c.Reports })
	if !ok {
		return
	}
	ctx := r.Context()
	v.Title, v.Nav = "Reports", "reports"
	now := d.Clock.Now().UTC()
	year := now.Year() - 1 // the API's default: the last full year
	if s := r.URL.Query().Get("year"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2000 || n > 3000 {
			d.failPage(w, r, v, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "year must be a calendar year such as 2026."))
			return
		}
		year = n
	}
	a, err := d.Reports.Activity(ctx, now)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	months := len(a.Months)
	labels := make([]string, months)
	for i, m := range a.Months {
		labels[i] = m.Format("2006-01")
	}
	page := &reportsView{FromLabel: labels[0], ToLabel: labels[months-1], Year: year, Received: a.Received}
	if a.Answered > 0 {
		page.Median = num(a.Median)
	}
	rc := chart{ID: "requests-by-month", Title: "Requests received per month, by type", Labels: labels, Unit: "requests"}
	for _, t := range a.ByType {
		rc.Series = append(rc.Series, series{Name: t.Type, Values: t.Counts})
	}
	if len(rc.Series) == 0 {
		rc.Series = []series{{Name: "requests", Values: make([]float64, months)}}
		rc.Desc = "No requests were received in these twelve months."
	}
	page.Requests = figure(stackedBarChart(rc), rc)

	dc := chart{ID: "days-to-respond", Title: "Median days to respond, by month received", Labels: labels, Unit: "days",
		Series: []series{{Name: "Median days", Values: a.MedianDays}}}
	if a.Answered == 0 {
		dc.Desc = "No request received in these twelve months has been answered yet."
	}
	page.Days = figure(lineChart(dc), dc)

	cc := chart{ID: "consents-by-month", Title: "Consents granted and withdrawn per month", Labels: labels, Unit: "choices",
		Series: []series{{Name: "Granted", Values: a.Granted}, {Name: "Withdrawn", Values: a.Withdrawn}}}
	page.Consents = figure(lineChart(cc), cc)

	mr, err := d.Requests.Report(ctx, year)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	page.Metrics, page.MetricsScope, page.MetricsStatement, page.Routed = mr.Types, mr.Scope, mr.Statement, mr.ForControllers
	if page.Undeliverable, err = d.Reports.Undeliverable(ctx, 50); err != nil {
		d.failPage(w, r, v, err)
		return
	}
	v.Page = page
	d.adminRender(w, r, http.StatusOK, "reports", v)
}
