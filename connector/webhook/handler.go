package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/http/httpjson"
)

const (
	// maxRequest bounds a call's body; a batch of a few thousand keys is far
	// below it.
	maxRequest = 32 << 20
	// asyncTimeout bounds the work behind one 202 and its callback.
	asyncTimeout = 15 * time.Minute
	// callbackTries is how often a callback is tried before it is given up.
	callbackTries = 3
)

// Handler is the reference receiving side of the protocol: it verifies each
// call's signature with secret and serves it from conn, whose collections d
// describes. A company can put any database Custos has a connector for
// behind a webhook this way, and the connector is tested against it.
//
// With async, calls that carry a callback_url are answered 202 at once and
// their Result is posted to callback_url when done; calls without one, and
// test calls, are answered synchronously. A callback that cannot be
// delivered after a few tries is dropped: Custos sees the task time out.
func Handler(conn connector.Connector, d *dataset.Dataset, secret []byte, async bool) http.Handler {
	if d == nil {
		d = &dataset.Dataset{} // serves nothing, rather than panicking
	}
	return &handler{conn: conn, d: d, secret: append([]byte(nil), secret...), async: async}
}

type handler struct {
	conn   connector.Connector
	d      *dataset.Dataset
	secret []byte
	async  bool
}

// failure is an error answer: status, code and message. Messages never
// carry values of the call.
type failure struct {
	status int
	code   string
	msg    string
}

func (f *failure) Error() string { return f.msg }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, &failure{http.StatusMethodNotAllowed, "method", "only POST is served"})
		return
	}
	body, err := httpjson.Read(w, r, maxRequest)
	if custos.ErrorCode(err) == httpjson.CodeTooLarge {
		writeError(w, &failure{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is larger than %d bytes", maxRequest)})
		return
	}
	if err != nil {
		writeError(w, &failure{http.StatusBadRequest, "body", "the body could not be read"})
		return
	}
	if err := Verify(h.secret, r, body, DefaultMaxSkew, time.Now()); err != nil {
		writeError(w, &failure{http.StatusUnauthorized, "signature", err.Error()})
		return
	}
	var req Request
	if err := decodeJSON(body, &req); err != nil {
		writeError(w, &failure{http.StatusBadRequest, "json", "the body is not a JSON call: " + err.Error()})
		return
	}
	switch req.Action {
	case ActionRetrieve, ActionUpdate, ActionDelete, ActionTest:
	default:
		writeError(w, &failure{http.StatusBadRequest, "action", fmt.Sprintf("unknown action %q", req.Action)})
		return
	}
	if err := normalizeRequest(&req); err != nil {
		writeError(w, &failure{http.StatusBadRequest, "value", err.Error()})
		return
	}
	if h.async && req.CallbackURL != "" && req.Action != ActionTest {
		if _, err := checkURL(req.CallbackURL); err != nil {
			writeError(w, &failure{http.StatusBadRequest, "callback_url", "callback_url: " + err.Error()})
			return
		}
		if _, f := h.collection(&req); f != nil {
			writeError(w, f)
			return
		}
		// The call is done after the answer, so it must not die with it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), asyncTimeout)
		go func() {
			defer cancel()
			res := Result{Task: req.Task, RequestID: req.RequestID}
			a, err := h.serve(ctx, &req)
			if err != nil {
				res.Error = err.Error()
			} else {
				res.Rows, res.Affected = a.Rows, a.Affected
			}
			for try := range callbackTries {
				if PostResult(ctx, req.CallbackURL, h.secret, res) == nil {
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Duration(try+1) * time.Second):
				}
			}
		}()
		writeJSON(w, http.StatusAccepted, map[string]string{"task": req.Task})
		return
	}
	a, err := h.serve(r.Context(), &req)
	if err != nil {
		writeError(w, err)
		return
	}
	if req.Action == ActionRetrieve {
		writeJSON(w, http.StatusOK, struct {
			Rows []connector.Row `json:"rows"`
		}{a.Rows})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Affected int64 `json:"affected"`
	}{a.Affected})
}

// served is what one call produced.
type served struct {
	Rows     []connector.Row
	Affected int64
}

func (h *handler) collection(req *Request) (*dataset.Collection, *failure) {
	if req.Action == ActionTest {
		return nil, nil
	}
	col := h.d.Collection(req.Collection)
	if col == nil {
		return nil, &failure{http.StatusNotFound, "unknown_collection", fmt.Sprintf("no collection %q here", req.Collection)}
	}
	return col, nil
}

// serve runs a call against the connector behind the handler.
func (h *handler) serve(ctx context.Context, req *Request) (*served, error) {
	col, f := h.collection(req)
	if f != nil {
		return nil, f
	}
	var (
		out served
		err error
	)
	switch req.Action {
	case ActionRetrieve:
		out.Rows, err = h.conn.Retrieve(ctx, col, req.Where)
		if out.Rows == nil {
			out.Rows = []connector.Row{}
		}
		if len(req.Fields) > 0 {
			// Answer only what the caller asked for.
			for _, row := range out.Rows {
				for k := range row {
					if !slices.Contains(req.Fields, k) {
						delete(row, k)
					}
				}
			}
		}
	case ActionUpdate:
		if f := samePrimaryKey(col, req.PrimaryKey); f != nil {
			return nil, f
		}
		changes := make([]connector.Change, len(req.Changes))
		for i, ch := range req.Changes {
			changes[i] = connector.Change{Key: ch.Key, Set: ch.Set}
		}
		out.Affected, err = h.conn.Update(ctx, col, changes)
	case ActionDelete:
		if f := samePrimaryKey(col, req.PrimaryKey); f != nil {
			return nil, f
		}
		out.Affected, err = h.conn.Delete(ctx, col, req.Keys)
	case ActionTest:
		if err := h.test(ctx, req.Collections); err != nil {
			return nil, err
		}
		return &out, nil
	default:
		return nil, &failure{http.StatusBadRequest, "action", fmt.Sprintf("unknown action %q", req.Action)}
	}
	if err != nil {
		return nil, backendFailure(err)
	}
	return &out, nil
}

// backendFailure maps an error of the connector behind the handler.
func backendFailure(err error) *failure {
	switch {
	case errors.Is(err, connector.ErrReadOnly):
		return &failure{http.StatusForbidden, CodeReadOnly, "the connection is read-only"}
	case errors.Is(err, connector.ErrPending):
		return &failure{http.StatusBadGateway, "pending", "the connection behind this webhook answers later itself; chaining asynchronous connectors is not supported"}
	default:
		// Connectors' errors carry no values, by their contract.
		return &failure{http.StatusInternalServerError, "backend", err.Error()}
	}
}

// test checks that every collection the caller will use is served here
// with all its fields, then has the connector test those collections.
func (h *handler) test(ctx context.Context, specs []CollectionSpec) error {
	d := h.d
	var problems []string
	if specs != nil {
		sub := *h.d
		sub.Collections = nil
		for _, s := range specs {
			c := h.d.Collection(s.Name)
			if c == nil {
				problems = append(problems, fmt.Sprintf("collection %q is not served here", s.Name))
				continue
			}
			for _, f := range s.Fields {
				if c.Field(f) == nil {
					problems = append(problems, fmt.Sprintf("collection %q: field %q is not served here", s.Name, f))
				}
			}
			sub.Collections = append(sub.Collections, c)
		}
		d = &sub
	}
	if err := h.conn.Test(ctx, d); err != nil {
		f := backendFailure(err)
		if len(problems) == 0 {
			return f
		}
		problems = append(problems, f.msg)
	}
	if len(problems) > 0 {
		return &failure{http.StatusUnprocessableEntity, "test_failed", strings.Join(problems, "; ")}
	}
	return nil
}

// samePrimaryKey refuses a write when the caller's idea of the primary key
// differs from this side's: the keys sent would pick other rows than meant.
func samePrimaryKey(col *dataset.Collection, theirs []string) *failure {
	if theirs == nil {
		return nil
	}
	ours := col.PrimaryKey()
	a, b := slices.Clone(ours), slices.Clone(theirs)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return &failure{http.StatusConflict, "primary_key", fmt.Sprintf("collection %q: the caller's primary key (%s) is not this side's (%s)",
			col.Name, strings.Join(theirs, ", "), strings.Join(ours, ", "))}
	}
	return nil
}

// normalizeRequest turns decoded JSON numbers into int64 or float64 and
// refuses objects and arrays, which no connector compares or stores.
func normalizeRequest(req *Request) error {
	for f, vals := range req.Where {
		for i, v := range vals {
			n, err := normalize(v, true)
			if err != nil {
				return fmt.Errorf("where %q: %w", f, err)
			}
			vals[i] = n
		}
	}
	for i := range req.Changes {
		var err error
		if req.Changes[i].Key, err = normalizeRow(req.Changes[i].Key, true); err != nil {
			return fmt.Errorf("change %d key: %w", i, err)
		}
		if req.Changes[i].Set, err = normalizeRow(req.Changes[i].Set, true); err != nil {
			return fmt.Errorf("change %d set: %w", i, err)
		}
	}
	for i := range req.Keys {
		var err error
		if req.Keys[i], err = normalizeRow(req.Keys[i], true); err != nil {
			return fmt.Errorf("key %d: %w", i, err)
		}
	}
	return nil
}

func writeError(w http.ResponseWriter, err error) {
	var f *failure
	if !errors.As(err, &f) {
		f = &failure{http.StatusInternalServerError, "backend", err.Error()}
	}
	writeJSON(w, f.status, struct {
		Error string `json:"error"`
		Code  string `json:"code,omitempty"`
	}{f.msg, f.code})
}

// writeJSON answers in the protocol's own shape ({"error", "code"}, see
// README.md), which companies implement; it is not the API's, so only the
// reading of the body is shared with it (httpjson).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"the answer could not be encoded","code":"encoding"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
