package api

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/records"
)

// period reads from and to (RFC 3339 or YYYY-MM-DD); by default the twelve
// months before now, the California look-back.
func (s *server) period(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	to := s.Clock.Now()
	if v := q.Get("to"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return time.Time{}, time.Time{}, fieldError("to", "to must be RFC 3339 or YYYY-MM-DD.")
		}
		to = t
	}
	from := to.AddDate(-1, 0, 0)
	if v := q.Get("from"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return time.Time{}, time.Time{}, fieldError("from", "from must be RFC 3339 or YYYY-MM-DD.")
		}
		from = t
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, fieldError("from", "from must be before to.")
	}
	return from, to, nil
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", v)
}

func fieldError(field, msg string) error { return httpjson.Invalid(field, "%s", msg) }

func (s *server) reportCCPA(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.period(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Reports.CCPA(r.Context(), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, rep)
}

func (s *server) reportRoPA(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.period(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" && r.Header.Get("Accept") == "text/csv" {
		format = "csv"
	}
	if format != "" && format != "json" && format != "csv" {
		s.writeError(w, r, fieldError("format", "format must be json or csv."))
		return
	}
	switch role := r.URL.Query().Get("role"); role {
	case "", "controller":
	case "processor":
		s.reportProcessor(w, r, from, to, format)
		return
	default:
		s.writeError(w, r, fieldError("role", "role must be controller (Article 30(1)) or processor (Article 30(2))."))
		return
	}
	acts, err := s.Reports.RoPA(r.Context(), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format == "csv" {
		var buf bytes.Buffer
		if err := records.RoPACSV(&buf, acts); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="record-of-processing.csv"`)
		_, _ = w.Write(buf.Bytes())
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"activities": acts})
}

// reportProcessor answers ?role=processor: the record of what the company
// processes on behalf of controllers (GDPR Art. 30(2)).
func (s *server) reportProcessor(w http.ResponseWriter, r *http.Request, from, to time.Time, format string) {
	acts, err := s.Reports.ProcessorRecord(r.Context(), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format == "csv" {
		var buf bytes.Buffer
		if err := records.ProcessorCSV(&buf, acts); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="processor-record.csv"`)
		_, _ = w.Write(buf.Bytes())
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"role": "processor", "activities": acts})
}

func (s *server) reportAggregate(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.period(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	k := s.MinCell
	if v := r.URL.Query().Get("k"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < s.MinCell {
			s.writeError(w, r, fieldError("k", "k must be a whole number of at least "+strconv.Itoa(s.MinCell)+", the smallest cell this server publishes."))
			return
		}
		k = n
	}
	rep, err := s.Reports.Aggregate(r.Context(), from, to, k)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, rep)
}
