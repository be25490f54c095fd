package api

import (
	"context"
	"io"
	"net/http"

	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/http/httpjson"
)

func (s *server) requestTasks(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.Requests.Get(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	ts, err := s.DSR.Progress(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	type task struct {
		Phase      string `json:"phase"`
		Collection string `json:"collection"`
		Status     string `json:"status"`
		Found      int64  `json:"found"`
		Done       int64  `json:"done"`
		Attempts   int64  `json:"attempts"`
		Error      string `json:"error,omitempty"`
		Note       string `json:"note,omitempty"`
		UpdatedAt  string `json:"updated_at"`
	}
	out := make([]task, 0, len(ts))
	for _, t := range ts {
		out = append(out, task{Phase: t.Phase, Collection: t.Collection, Status: t.Status, Found: t.Found, Done: t.Done,
			Attempts: t.Attempts, Error: t.Error, Note: t.Note, UpdatedAt: t.UpdatedAt.Format("2006-01-02T15:04:05Z07:00")})
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"request_id": id, "tasks": out})
}

func (s *server) listDatasets(w http.ResponseWriter, r *http.Request) {
	cat, err := s.DSR.Catalog(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	type field struct {
		Name       string   `json:"name"`
		Categories []string `json:"data_categories"`
		Identity   string   `json:"identity,omitempty"`
		PrimaryKey bool     `json:"primary_key,omitempty"`
		References []string `json:"references,omitempty"`
	}
	type collection struct {
		Name   string  `json:"name"`
		Fields []field `json:"fields"`
	}
	type set struct {
		Key         string       `json:"key"`
		Name        string       `json:"name,omitempty"`
		Connection  string       `json:"connection,omitempty"`
		Collections []collection `json:"collections"`
	}
	out := []set{}
	for _, d := range cat.Datasets {
		x := set{Key: d.Key, Name: d.Name, Collections: []collection{}}
		if c, ok := cat.Connections[d.Key]; ok {
			x.Connection = c.Name
		}
		for _, c := range d.Collections {
			col := collection{Name: c.Name, Fields: []field{}}
			for _, f := range c.Fields {
				fl := field{Name: f.Name, Categories: f.Categories, Identity: f.Identity, PrimaryKey: f.PrimaryKey}
				for _, ref := range f.References {
					fl.References = append(fl.References, dataset.Address{Dataset: ref.Dataset, Collection: ref.Collection}.String()+"."+ref.Field)
				}
				col.Fields = append(col.Fields, fl)
			}
			x.Collections = append(x.Collections, col)
		}
		out = append(out, x)
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"datasets": out})
}

// importDataset takes a dataset file as the body (Fides YAML unchanged, or
// Custos' format); ?name= names it in problems.
func (s *server) importDataset(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, dataset.MaxBytes))
	if err != nil {
		s.writeError(w, r, httpjson.BodyError(err))
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload.yml"
	}
	var keys []string
	err = s.parsing(w, r, func(ctx context.Context) (err error) {
		keys, err = s.DSR.Import(ctx, auth.Actor(tokenFrom(ctx)), name, body)
		return err
	})
	if err != nil {
		if !refused(w, err) {
			s.writeError(w, r, err)
		}
		return
	}
	httpjson.Write(w, http.StatusCreated, map[string]any{"imported": keys})
}

func (s *server) listConnections(w http.ResponseWriter, r *http.Request) {
	cs, err := s.DSR.Connections(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	type conn struct {
		Name     string `json:"name"`
		Dataset  string `json:"dataset"`
		URL      string `json:"url"`
		ReadOnly bool   `json:"read_only"`
	}
	out := make([]conn, 0, len(cs))
	for _, c := range cs {
		out = append(out, conn{Name: c.Name, Dataset: c.Dataset, URL: c.URL, ReadOnly: c.ReadOnly})
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"connections": out})
}

func (s *server) testConnection(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.DSR.TestConnection(r.Context(), auth.Actor(tokenFrom(r.Context())), name); err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"name": name, "ok": true})
}

// connectorCallback takes the signed answer of an asynchronous system and
// runs the request on.
func (s *server) connectorCallback(w http.ResponseWriter, r *http.Request) {
	// Bounded here, before anything reads it; the signature check needs
	// the exact bytes.
	body, err := httpjson.Read(w, r, connected.MaxAnswerBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := s.DSR.Callback(r.Context(), r.PathValue("task"), connected.SignedAnswer{Body: body, Header: r.Header.Get})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.Queue != nil {
		// The request's job is asleep waiting for this answer, or about
		// to be: wake it rather than enqueue, which a job still finishing
		// would swallow.
		wake := s.Queue.Enqueue
		if w, ok := s.Queue.(interface {
			Wake(context.Context, string) error
		}); ok {
			wake = w.Wake
		}
		if err := wake(r.Context(), id); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	httpjson.Write(w, http.StatusAccepted, map[string]any{"status": "accepted"})
}
