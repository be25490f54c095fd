package web

import (
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
)

// Reports: the last twelve months of requests and consents as charts, and
// the yearly request metrics that California's regulations (§7102) ask a
// business of some size to publish. Everything is counted from request
// metadata and the consent ledger's scopes; no person's data is read.

const reportMonths = 12

const reportsPage = `{{define "reports"}}{{template "head" .}}{{with .Page}}
<p>The twelve months from {{.FromLabel}} to {{.ToLabel}}: {{.Received}} request{{if ne .Received 1}}s{{end}} received{{with .Median}}; median time to answer {{.}} days{{end}}.</p>
{{.Requests}}
{{.Days}}
{{.Consents}}
<h2 id="metrics">Request metrics for {{.Year}}</h2>
<form method="get" action="/admin/reports#metrics" class="filters" aria-label="Year of the metrics">
<div><label for="year">Year</label><input id="year" name="year" type="number" min="2000" max="3000" value="{{.Year}}" inputmode="numeric"></div>
<div><button type="submit">Show</button></div></form>
<table data-custos-metrics><caption>Requests received in {{.Year}} and how they were answered (Cal. Code Regs. tit. 11 §7102)</caption>
<thead><tr><th scope="col">Type</th><th scope="col">Received</th><th scope="col">Complied with in whole or in part</th><th scope="col">Denied</th><th scope="col">Still open</th><th scope="col">Median days to respond</th><th scope="col">Mean days to respond</th></tr></thead>
<tbody>{{range .Metrics}}<tr><th scope="row">{{.Type}}</th><td>{{.Received}}</td><td>{{.Complied}}</td><td>{{.Denied}}</td><td>{{.Open}}</td>
<td>{{with .MedianDays}}{{num .}}{{else}}—{{end}}</td><td>{{with .MeanDays}}{{num .}}{{else}}—{{end}}</td></tr>{{end}}</tbody></table>
<h2 id="undeliverable">Undeliverable mail</h2>
{{if .Undeliverable}}<table data-custos-undeliverable><caption>Messages the mail server refused for good (an address that does not exist): they are not tried again. Check the address the person gave.</caption>
<thead><tr><th scope="col">Message</th><th scope="col">Written</th><th scope="col">Failed</th><th scope="col">Attempts</th><th scope="col">Reason</th></tr></thead>
<tbody>{{range .Undeliverable}}<tr data-custos-message="{{.ID}}"><th scope="row">{{.ID}}</th><td>{{date .CreatedAt}}</td><td>{{with .FailedAt}}{{date .}}{{end}}</td><td>{{.Attempts}}</td><td>{{.LastError}}</td></tr>{{end}}</tbody></table>
{{else}}<p>No message has failed for good.</p>{{end}}
{{end}}{{template "foot" .}}{{end}}
`

type reportsView struct {
	FromLabel, ToLabel       string
	Received                 int
	Median                   string
	Requests, Days, Consents template.HTML
	Year                     int
	Metrics                  []requests.TypeMetrics
	// Undeliverable is mail that failed for good, latest first.
	Undeliverable []store.Mail
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
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
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1-reportMonths, 0)
	// A minute ahead: what another server recorded just now still counts.
	end := now.Add(time.Minute)
	labels := make([]string, reportMonths)
	for i := range labels {
		labels[i] = first.AddDate(0, i, 0).Format("2006-01")
	}
	monthOf := func(t time.Time) int {
		t = t.UTC()
		i := (t.Year()-first.Year())*12 + int(t.Month()) - int(first.Month())
		if i < 0 || i >= reportMonths {
			return -1
		}
		return i
	}
	reqs, err := d.Store.RequestsReceived(ctx, first, end)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	byType := map[string][]float64{}
	days := make([][]float64, reportMonths)
	var all []float64
	page := &reportsView{FromLabel: labels[0], ToLabel: labels[reportMonths-1], Year: year}
	for _, q := range reqs {
		i := monthOf(q.ReceivedAt)
		if i < 0 {
			continue
		}
		page.Received++
		if byType[q.Type] == nil {
			byType[q.Type] = make([]float64, reportMonths)
		}
		byType[q.Type][i]++
		// Answered means completed or denied, as in the yearly metrics.
		if (q.Status == requests.StatusCompleted || q.Status == requests.StatusDenied) && q.CompletedAt != nil {
			dd := q.CompletedAt.Sub(q.ReceivedAt).Hours() / 24
			days[i] = append(days[i], dd)
			all = append(all, dd)
		}
	}
	if len(all) > 0 {
		page.Median = num(median(all))
	}
	rc := chart{ID: "requests-by-month", Title: "Requests received per month, by type", Labels: labels, Unit: "requests"}
	for _, t := range requests.Types() {
		if byType[t] != nil {
			rc.Series = append(rc.Series, series{Name: t, Values: byType[t]})
		}
	}
	if len(rc.Series) == 0 {
		rc.Series = []series{{Name: "requests", Values: make([]float64, reportMonths)}}
		rc.Desc = "No requests were received in these twelve months."
	}
	page.Requests = figure(stackedBarChart(rc), rc)

	med := series{Name: "Median days", Values: make([]float64, reportMonths)}
	for i := range med.Values {
		med.Values[i] = median(days[i])
	}
	dc := chart{ID: "days-to-respond", Title: "Median days to respond, by month received", Labels: labels, Unit: "days",
		Series: []series{med}}
	if len(all) == 0 {
		dc.Desc = "No request received in these twelve months has been answered yet."
	}
	page.Days = figure(lineChart(dc), dc)

	months, err := d.Store.ConsentCountsByMonth(ctx, first, end)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	granted := series{Name: "Granted", Values: make([]float64, reportMonths)}
	withdrawn := series{Name: "Withdrawn", Values: make([]float64, reportMonths)}
	for _, m := range months {
		if i := monthOf(m.Month); i >= 0 {
			granted.Values[i] += float64(m.Granted)
			withdrawn.Values[i] += float64(m.Withdrawn)
		}
	}
	cc := chart{ID: "consents-by-month", Title: "Consents granted and withdrawn per month", Labels: labels, Unit: "choices",
		Series: []series{granted, withdrawn}}
	page.Consents = figure(lineChart(cc), cc)

	if page.Metrics, err = d.Requests.Metrics(ctx, year); err != nil {
		d.failPage(w, r, v, err)
		return
	}
	if page.Undeliverable, err = d.Store.UndeliverableMail(ctx, 50); err != nil {
		d.failPage(w, r, v, err)
		return
	}
	v.Page = page
	d.adminRender(w, r, http.StatusOK, "reports", v)
}
