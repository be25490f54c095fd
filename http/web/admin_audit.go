package web

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
)

// The audit log, newest first, with the verdict of walking the whole chain
// (hashes, links and signed checkpoints) as GET /api/v1/audit/verify gives
// it: the page is only worth trusting if the chain behind it verifies.

const auditPageSize = 50

type auditRow struct {
	Seq                           int64
	At                            time.Time
	Actor, Action, Object, Detail string
	Hash, Short                   string
	// Decision is the reason code a request was denied with, shown in
	// words beside the raw detail.
	Decision string
}

// decisionOf reads the decision code from a request's denial entry, whose
// detail note is the code the officer (or Custos) denied with.
func decisionOf(action, detail string) string {
	if action != "request.denied" || detail == "" {
		return ""
	}
	var d struct {
		Note string `json:"note"`
	}
	if json.Unmarshal([]byte(detail), &d) != nil {
		return ""
	}
	return d.Note
}

type auditView struct {
	Report             audit.Report
	Entries            []auditRow
	Total, First, Last int64
	Newer, Older       int64 // the "before" of the neighbouring pages; 0 when none
}

func (d Deps) adminAudit(w http.ResponseWriter, r *http.Request) {
	_, v, ok := d.console(w, r, func(c rights) bool { return c.Audit })
	if !ok {
		return
	}
	ctx := r.Context()
	v.Title, v.Nav = "Audit log", "audit"
	rep, err := d.Trail.Verify(ctx)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	total, err := d.Trail.Count(ctx)
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	// Entries are numbered from 1 without gaps (Verify says so when they
	// are not), so a page is the run of numbers below "before".
	before := total + 1
	if s := r.URL.Query().Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			d.failPage(w, r, v, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "before must be an entry number."))
			return
		}
		before = min(n, total+1)
	}
	after := max(before-1-auditPageSize, 0)
	entries, err := d.Trail.Entries(ctx, after, int(before-1-after))
	if err != nil {
		d.failPage(w, r, v, err)
		return
	}
	page := &auditView{Report: rep, Total: total}
	for _, e := range slices.Backward(entries) {
		h := hex.EncodeToString(e.Hash)
		page.Entries = append(page.Entries, auditRow{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Object: e.Object,
			Detail: e.Detail, Hash: h, Short: h[:min(12, len(h))] + "…", Decision: decisionOf(e.Action, e.Detail)})
	}
	if len(entries) > 0 {
		page.First, page.Last = entries[0].Seq, entries[len(entries)-1].Seq
		if page.First > 1 {
			page.Older = page.First
		}
	}
	if before <= total {
		page.Newer = min(before+auditPageSize, total+1)
	}
	v.Page = page
	d.adminRender(w, r, http.StatusOK, "audit", v)
}
