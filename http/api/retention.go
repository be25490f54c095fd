package api

import (
	"net/http"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/httpjson"
)

func (s *server) addHold(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Subject custos.SubjectRef `json:"subject"`
		Reason  string            `json:"reason"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, sid, err := s.Retention.AddHold(r.Context(), auth.Actor(tokenFrom(r.Context())), in.Subject, in.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, map[string]any{"id": id, "subject_id": sid})
}

func (s *server) releaseHold(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Subject custos.SubjectRef `json:"subject"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.Retention.ReleaseHold(r.Context(), auth.Actor(tokenFrom(r.Context())), in.Subject)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"released": n})
}

func (s *server) listHolds(w http.ResponseWriter, r *http.Request) {
	hs, err := s.Retention.Holds(r.Context(), auth.Actor(tokenFrom(r.Context())), r.URL.Query().Get("all") == "true")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"holds": hs})
}

func (s *server) reportMinor(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Subject      custos.SubjectRef `json:"subject"`
		Jurisdiction string            `json:"jurisdiction"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := s.Retention.ReportMinor(r.Context(), auth.Actor(tokenFrom(r.Context())), in.Subject, in.Jurisdiction)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, map[string]any{"minor": true, "deletion_request": id})
}

func (s *server) recordOfAge(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Subject custos.SubjectRef `json:"subject"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.Retention.RecordOfAge(r.Context(), auth.Actor(tokenFrom(r.Context())), in.Subject)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"minor": false, "marks_lifted": n})
}

// LifecycleSkew is how far from the server's clock an ingest token's
// lifecycle event may be dated: clocks of the company's systems drift.
const LifecycleSkew = 5 * time.Minute

func (s *server) setLifecycle(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Subject custos.SubjectRef `json:"subject"`
		Event   string            `json:"event"`
		At      *time.Time        `json:"at"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.Clock.Now()
	at := now
	if in.At != nil {
		at = *in.At
	}
	// An ingest token sits in the company's systems: it tells what happens
	// as it happens. A backdated account_closed would let the next sweep
	// erase the person at once, which only an officer may decide.
	if tok := tokenFrom(r.Context()); !auth.Can(tok.Role, auth.BackdateLifecycle) && (at.Before(now.Add(-LifecycleSkew)) || at.After(now.Add(LifecycleSkew))) {
		e := custos.Errorf(custos.KindForbidden, "backdated_needs_officer",
			"An ingest token records a lifecycle event as of now (within %s of the server's clock); a privacy officer may record one at another time.", LifecycleSkew)
		e.Field = "at"
		s.writeError(w, r, e)
		return
	}
	if err := s.Retention.SetLifecycle(r.Context(), auth.Actor(tokenFrom(r.Context())), in.Subject, in.Event, at); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) sweep(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DryRun bool       `json:"dry_run"`
		Now    *time.Time `json:"now"`
	}
	if err := httpjson.Decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	at := s.Clock.Now()
	if in.Now != nil {
		at = *in.Now
	}
	rep, err := s.Retention.Sweep(r.Context(), auth.Actor(tokenFrom(r.Context())), at, in.DryRun)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, rep)
}

func (s *server) retentionReport(w http.ResponseWriter, r *http.Request) {
	up, err := s.Retention.Upcoming(r.Context(), 30*24*time.Hour)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hist, err := s.Retention.History(r.Context(), s.Clock.Now().AddDate(-1, 0, 0))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"upcoming_30_days": up, "sweeps_by_month": hist})
}
