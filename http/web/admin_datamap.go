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
