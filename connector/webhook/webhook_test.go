package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/connectortest"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/connector/webhook"
	"github.com/custos-privacy/custos/dataset"
)

func customer() *dataset.Collection {
	return &dataset.Collection{Name: "customer", Fields: []*dataset.Field{
		{Name: "id", DataType: "integer", PrimaryKey: true},
		{Name: "email", DataType: "string"},
		{Name: "score", DataType: "float"},
	}}
}

// remote is a fake SaaS endpoint: it checks every call's signature, keeps
// the calls, and answers with status and body.
type remote struct {
	mu    sync.Mutex
	calls []webhook.Request
	heads []http.Header
}

func newRemote(t *testing.T, secret []byte, status int, body string) (*remote, string) {
	t.Helper()
	rm := &remote{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r, b, 0, time.Now()); err != nil {
			t.Errorf("remote: %v", err)
			http.Error(w, `{"error":"bad signature"}`, http.StatusUnauthorized)
			return
		}
		var req webhook.Request
		if err := json.Unmarshal(b, &req); err != nil {
			t.Errorf("remote: %v", err)
		}
		rm.mu.Lock()
		rm.calls = append(rm.calls, req)
		rm.heads = append(rm.heads, r.Header.Clone())
		rm.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return rm, srv.URL
}

func TestOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		secret  string
		wantErr string
	}{
		{url: "https://saas.example/custos", secret: "k"},
		{url: "http://127.0.0.1:8080/hook", secret: "k"},
		{url: "http://localhost/hook", secret: "k"},
		{url: "http://[::1]:9/hook", secret: "k"},
		{url: "http://saas.example/custos", secret: "k", wantErr: "plain http is allowed only to this machine"},
		{url: "http://10.0.0.1/custos", secret: "k", wantErr: "plain http"},
		{url: "ftp://saas.example/", secret: "k", wantErr: "neither https nor http"},
		{url: "https:///nohost", secret: "k", wantErr: "no host"},
		{url: "https://user:pa55word@saas.example:bad/", secret: "k", wantErr: "does not parse"},
		{url: "https://saas.example/custos", wantErr: "secret is needed"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			c, err := webhook.Open(context.Background(), tt.url, connector.Options{Secret: []byte(tt.secret)})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "pa55word") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestCallShape checks the body and headers of each action.
func TestCallShape(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	rm, url := newRemote(t, secret, http.StatusOK, `{"rows":[{"id":7,"email":12345678901234567,"score":2,"extra":"dropped"},{"id":8}],"affected":1}`)
	c := openWebhook(t, url, secret, false)
	ctx := connector.WithCall(context.Background(), connector.Call{RequestID: "req-1", Task: "task-1"})
	col := customer()

	rows, err := c.Retrieve(ctx, col, map[string][]any{"email": {"ana@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	// Typed by the dataset, undeclared fields dropped, missing ones null.
	want := []connector.Row{
		{"id": int64(7), "email": "12345678901234567", "score": float64(2)},
		{"id": int64(8), "email": nil, "score": nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %#v, want %#v", rows, want)
	}
	if _, err := c.Update(ctx, col, []connector.Change{{Key: connector.Row{"id": int64(7)}, Set: connector.Row{"email": nil}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Delete(ctx, col, []connector.Row{{"id": int64(7)}}); err != nil || n != 1 {
		t.Fatalf("delete = %d, %v", n, err)
	}
	if err := c.Test(ctx, &dataset.Dataset{Collections: []*dataset.Collection{col}}); err != nil {
		t.Fatal(err)
	}
	// Nothing to do: no call.
	if rows, err := c.Retrieve(ctx, col, map[string][]any{"email": {}}); err != nil || rows != nil {
		t.Errorf("empty retrieve = %v, %v", rows, err)
	}
	if n, err := c.Delete(ctx, col, nil); err != nil || n != 0 {
		t.Errorf("empty delete = %d, %v", n, err)
	}

	rm.mu.Lock()
	defer rm.mu.Unlock()
	if len(rm.calls) != 4 {
		t.Fatalf("%d calls, want 4", len(rm.calls))
	}
	for i, action := range []string{"retrieve", "update", "delete", "test"} {
		got := rm.calls[i]
		if got.Action != action || got.RequestID != "req-1" || got.Task != "task-1" {
			t.Errorf("call %d = %+v", i, got)
		}
		if h := rm.heads[i]; h.Get("Content-Type") != "application/json" {
			t.Errorf("call %d Content-Type = %q", i, h.Get("Content-Type"))
		}
	}
	if f := rm.calls[0].Fields; !reflect.DeepEqual(f, []string{"id", "email", "score"}) {
		t.Errorf("fields = %v", f)
	}
	if w := rm.calls[0].Where["email"]; len(w) != 1 || w[0] != "ana@example.com" {
		t.Errorf("where = %v", rm.calls[0].Where)
	}
	if ch := rm.calls[1].Changes; len(ch) != 1 || ch[0].Set["email"] != nil || rm.calls[1].PrimaryKey[0] != "id" {
		t.Errorf("changes = %+v", rm.calls[1])
	}
	if ts := rm.calls[3].Collections; len(ts) != 1 || ts[0].Name != "customer" || len(ts[0].Fields) != 3 {
		t.Errorf("test collections = %+v", ts)
	}
}

func TestPending(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	rm, url := newRemote(t, secret, http.StatusAccepted, `{"task":"task-9"}`)
	c := openWebhook(t, url, secret, false)
	col := customer()
	call := connector.Call{RequestID: "req-9", Task: "task-9", CallbackURL: "https://custos.example/callback/task-9"}

	_, err := c.Retrieve(connector.WithCall(context.Background(), call), col, map[string][]any{"id": {int64(1)}})
	if !errors.Is(err, connector.ErrPending) {
		t.Fatalf("Retrieve = %v, want ErrPending", err)
	}
	if got := rm.calls[0]; got.CallbackURL != call.CallbackURL || got.Task != call.Task || got.RequestID != call.RequestID {
		t.Errorf("call = %+v", got)
	}
	_, err = c.Delete(connector.WithCall(context.Background(), call), col, []connector.Row{{"id": int64(1)}})
	if !errors.Is(err, connector.ErrPending) {
		t.Errorf("Delete = %v, want ErrPending", err)
	}
	// 202 with nowhere to answer to is an error, not a wait for nothing.
	_, err = c.Retrieve(context.Background(), col, map[string][]any{"id": {int64(1)}})
	if err == nil || errors.Is(err, connector.ErrPending) || !strings.Contains(err.Error(), "no callback URL") {
		t.Errorf("Retrieve without callback = %v", err)
	}
}

// TestAsyncHandler runs the reference receiver in async mode in front of
// SQLite and checks that the signed Result reaches the callback.
func TestAsyncHandler(t *testing.T) {
	t.Parallel()
	d, rows := connectortest.Fixture()
	backend, _ := sqltest.Load(t, sqltest.SQLite, d, rows)
	secret := newSecret(t)
	c := openWebhook(t, serve(t, backend, d, secret, true), secret, false)

	results := make(chan webhook.Result, 4)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := webhook.ReadResult(r, secret, 0, time.Now())
		if err != nil {
			t.Errorf("callback: %v", err)
			http.Error(w, `{"error":"bad"}`, http.StatusUnauthorized)
			return
		}
		results <- res
	}))
	t.Cleanup(cb.Close)
	wait := func() webhook.Result {
		t.Helper()
		select {
		case res := <-results:
			return res
		case <-time.After(10 * time.Second):
			t.Fatal("no callback")
			return webhook.Result{}
		}
	}

	tests := []struct {
		name string
		do   func(ctx context.Context) error
		want webhook.Result
	}{
		{
			name: "retrieve",
			do: func(ctx context.Context) error {
				_, err := c.Retrieve(ctx, d.Collection("customer"), map[string][]any{"email": {"alice@example.com"}})
				return err
			},
			want: webhook.Result{Rows: []connector.Row{{"id": int64(1), "email": "alice@example.com", "name": "Alice Archer"}}},
		},
		{
			name: "update",
			do: func(ctx context.Context) error {
				_, err := c.Update(ctx, d.Collection("customer"), []connector.Change{{Key: connector.Row{"id": int64(2)}, Set: connector.Row{"name": nil}}})
				return err
			},
			want: webhook.Result{Affected: 1},
		},
		{
			name: "delete",
			do: func(ctx context.Context) error {
				_, err := c.Delete(ctx, d.Collection("login"), []connector.Row{{"id": int64(1)}, {"id": int64(2)}, {"id": int64(99)}})
				return err
			},
			want: webhook.Result{Affected: 2},
		},
		{
			name: "error reported in the result",
			do: func(ctx context.Context) error {
				_, err := c.Retrieve(ctx, d.Collection("customer"), map[string][]any{"nickname": {"x"}})
				return err
			},
			want: webhook.Result{Error: "nickname"},
		},
	}
	// One at a time: each waits for its own callback.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := connector.Call{RequestID: "req-1", Task: "task-" + tt.name, CallbackURL: cb.URL + "/callback"}
			if err := tt.do(connector.WithCall(context.Background(), call)); !errors.Is(err, connector.ErrPending) {
				t.Fatalf("err = %v, want ErrPending", err)
			}
			res := wait()
			if res.Task != call.Task || res.RequestID != call.RequestID {
				t.Errorf("result for %q/%q", res.RequestID, res.Task)
			}
			if tt.want.Error != "" {
				if !strings.Contains(res.Error, tt.want.Error) {
					t.Errorf("error = %q, want it to mention %q", res.Error, tt.want.Error)
				}
				return
			}
			if res.Error != "" || res.Affected != tt.want.Affected || !reflect.DeepEqual(res.Rows, tt.want.Rows) {
				t.Errorf("result = %+v, want %+v", res, tt.want)
			}
		})
	}

	// Without a callback URL, and for test calls, the handler answers at once.
	got, err := c.Retrieve(context.Background(), d.Collection("customer"), map[string][]any{"id": {int64(3)}})
	if err != nil || len(got) != 1 {
		t.Errorf("synchronous retrieve = %v, %v", got, err)
	}
	ctx := connector.WithCall(context.Background(), connector.Call{Task: "t", CallbackURL: cb.URL})
	if err := c.Test(ctx, d); err != nil {
		t.Errorf("Test = %v", err)
	}
}

func TestPostResultRefusesPlainHTTPElsewhere(t *testing.T) {
	t.Parallel()
	err := webhook.PostResult(context.Background(), "http://custos.example/cb", []byte("k"), webhook.Result{Task: "t"})
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("PostResult = %v", err)
	}
}

// TestErrorAnswers checks how answers other than success become errors:
// the status, the remote's message if JSON, and never a value of the call.
func TestErrorAnswers(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1000)
	tests := []struct {
		name     string
		status   int
		body     string
		want     []string
		not      []string
		readOnly bool
		code     int
	}{
		{name: "message with values", status: 404, body: `{"error":"no customer ANA@example.com with id 424242"}`,
			want: []string{"404 Not Found", "no customer [value] with id [value]"}, not: []string{"ANA@", "424242"}, code: 404},
		{name: "message object", status: 500, body: `{"error":{"message":"database down"}}`, want: []string{"500 Internal Server Error: database down"}, code: 500},
		{name: "html page", status: 502, body: `<html><body>ana@example.com upstream</body></html>`, want: []string{"502 Bad Gateway"}, not: []string{"html", "ana@"}, code: 502},
		{name: "long message", status: 400, body: `{"error":"` + long + `"}`, want: []string{"400 Bad Request", "…"}, not: []string{long[:450]}, code: 400},
		{name: "control characters", status: 400, body: `{"error":"line\nbreak\u001b[31m"}`, want: []string{"line break [31m"}, code: 400},
		{name: "remote read-only", status: 403, body: `{"error":"the connection is read-only","code":"read_only"}`, readOnly: true, code: 403},
		{name: "error in a 200", status: 200, body: `{"error":"quota exceeded for ana@example.com"}`, want: []string{"quota exceeded for [value]"}, not: []string{"ana@"}, code: 200},
		{name: "not JSON in a 200", status: 200, body: `ok`, want: []string{"not the protocol's JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			secret := newSecret(t)
			_, url := newRemote(t, secret, tt.status, tt.body)
			c := openWebhook(t, url, secret, false)
			_, err := c.Retrieve(context.Background(), customer(), map[string][]any{"email": {"ana@example.com"}, "id": {int64(424242)}})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(err.Error(), n) {
					t.Errorf("error has %q: %v", n, err)
				}
			}
			if errors.Is(err, connector.ErrReadOnly) != tt.readOnly {
				t.Errorf("errors.Is(ErrReadOnly) = %v: %v", !tt.readOnly, err)
			}
			var se *webhook.StatusError
			if tt.code != 0 && (!errors.As(err, &se) || se.StatusCode != tt.code) {
				t.Errorf("StatusError = %+v, want code %d", se, tt.code)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	_, good := newRemote(t, secret, http.StatusOK, `{"rows":[]}`)
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusPermanentRedirect)
		case "/away":
			// Another host: the loopback test server by name instead of IP.
			http.Redirect(w, r, strings.Replace(good, "127.0.0.1", "localhost", 1), http.StatusTemporaryRedirect)
		case "/here":
			b, _ := io.ReadAll(r.Body)
			if err := webhook.Verify(secret, r, b, 0, time.Now()); err != nil {
				t.Errorf("redirected call: %v", err)
			}
			io.WriteString(w, `{"rows":[]}`)
		}
	}))
	t.Cleanup(srv.Close)
	where := map[string][]any{"id": {int64(1)}}
	if _, err := openWebhook(t, srv.URL+"/moved", secret, false).Retrieve(context.Background(), customer(), where); err != nil {
		t.Errorf("same-host redirect: %v", err)
	}
	_, err := openWebhook(t, srv.URL+"/away", secret, false).Retrieve(context.Background(), customer(), where)
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("redirect to another host: %v", err)
	}
}

// TestHandlerRefuses sends the reference receiver calls it must refuse.
func TestHandlerRefuses(t *testing.T) {
	t.Parallel()
	d, rows := connectortest.Fixture()
	backend, _ := sqltest.Load(t, sqltest.SQLite, d, rows)
	secret := newSecret(t)
	url := serve(t, backend, d, secret, false)

	signed := func(body string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		ts, sig := webhook.Sign(secret, []byte(body), time.Now())
		r.Header.Set(webhook.HeaderTimestamp, ts)
		r.Header.Set(webhook.HeaderSignature, sig)
		return r
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
	}{
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"action":"test"}`))
			return r
		}, 401, "signature"},
		{"wrong secret", func() *http.Request {
			body := `{"action":"test"}`
			r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			ts, sig := webhook.Sign([]byte("guess"), []byte(body), time.Now())
			r.Header.Set(webhook.HeaderTimestamp, ts)
			r.Header.Set(webhook.HeaderSignature, sig)
			return r
		}, 401, "signature"},
		{"stale", func() *http.Request {
			body := `{"action":"test"}`
			r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			ts, sig := webhook.Sign(secret, []byte(body), time.Now().Add(-time.Hour))
			r.Header.Set(webhook.HeaderTimestamp, ts)
			r.Header.Set(webhook.HeaderSignature, sig)
			return r
		}, 401, "signature"},
		{"GET", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, url, nil); return r }, 405, "method"},
		{"not JSON", func() *http.Request { return signed(`{"action":`) }, 400, "json"},
		{"unknown action", func() *http.Request { return signed(`{"action":"drop"}`) }, 400, "action"},
		{"unknown collection", func() *http.Request {
			return signed(`{"action":"retrieve","collection":"coupon","where":{"id":[1]}}`)
		}, 404, "unknown_collection"},
		{"object value", func() *http.Request {
			return signed(`{"action":"retrieve","collection":"customer","where":{"id":[{"$ne":0}]}}`)
		}, 400, "value"},
		{"other primary key", func() *http.Request {
			return signed(`{"action":"delete","collection":"login","primary_key":["customer_id"],"keys":[{"customer_id":1}]}`)
		}, 409, "primary_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct{ Error, Code string }
			b, _ := io.ReadAll(resp.Body)
			if err := json.NewDecoder(bytes.NewReader(b)).Decode(&got); err != nil {
				t.Fatalf("answer %s: %v", b, err)
			}
			if resp.StatusCode != tt.status || got.Code != tt.code {
				t.Errorf("answer %d %s, want %d code %q", resp.StatusCode, b, tt.status, tt.code)
			}
		})
	}
	// Nothing was deleted by the refused call.
	c := openWebhook(t, url, secret, false)
	got, err := c.Retrieve(context.Background(), d.Collection("login"), map[string][]any{"customer_id": {int64(1)}})
	if err != nil || len(got) != 2 {
		t.Errorf("logins of customer 1 = %v, %v", got, err)
	}
}

// TestDeclared: rows from a remote system keep only declared fields, each
// in its declared type, whether they came in the answer or by callback.
func TestDeclared(t *testing.T) {
	t.Parallel()
	c := &dataset.Collection{Fields: []*dataset.Field{
		{Name: "id", DataType: "integer"}, {Name: "email"}, {Name: "code", DataType: "string"}, {Name: "score", DataType: "float"}}}
	got := webhook.Declared(c, []connector.Row{
		{"id": 1.0, "email": "a@example.com", "code": int64(7), "score": int64(3), "password_hash": "x"},
		{"id": int64(2)},
	})
	want := []connector.Row{
		{"id": int64(1), "email": "a@example.com", "code": "7", "score": 3.0},
		{"id": int64(2), "email": nil, "code": nil, "score": nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Declared = %#v", got)
	}
}
