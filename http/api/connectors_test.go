package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/connector"
	"github.com/custos-privacy/custos/connector/connectortest/sqltest"
	"github.com/custos-privacy/custos/connector/sqlconn"
	"github.com/custos-privacy/custos/connector/webhook"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// shopYAML is the shop's dataset (sqltest.Shop).
const shopYAML = sqltest.ShopDataset

// crmYAML is reached only by a loyalty number, which no request here has:
// its connection is listed but never opened.
const crmYAML = `dataset:
  - fides_key: crm
    collections:
      - name: member
        fields:
          - name: card
            data_categories: [user.unique_id]
            fides_meta: {identity: loyalty_id, primary_key: true}
`

type connFixture struct {
	*fixture
	svc     *wire.Services
	company string // the shop's SQLite file
	secret  []byte
}

// setupConnected builds Custos behind a real HTTP server whose URL is the
// base URL (so webhook callbacks reach it), with the job queue working, and
// a shop database behind an asynchronous webhook (the reference receiver)
// in front of an SQLite connector.
func setupConnected(t *testing.T, s *store.Store) *connFixture {
	t.Helper()
	ctx := context.Background()
	// Wait is long: a request waiting for a callback must be woken by it,
	// not found by polling. The queue starts only once the datasets and
	// connections are in.
	srv := wiretest.StartServer(t, wiretest.Options{Store: s, Jobs: jobs.Options{Poll: 100 * time.Millisecond, Wait: time.Minute},
		Wrap: func(h http.Handler) http.Handler { return checked(t, h) }}, nil)
	svc := srv.Services
	f := &connFixture{fixture: &fixture{tokens: srv.Tokens(t), store: s, url: srv.URL, outbox: svc.Outbox}, svc: svc}

	f.company = sqltest.SQLiteFile(t, sqltest.Shop()...)
	sets, err := dataset.Load("shop.yml", []byte(shopYAML))
	if err != nil {
		t.Fatal(err)
	}
	backend, err := sqlconn.Open(ctx, "sqlite:"+f.company, connector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backend.Close() })
	f.secret = []byte("the-shop-webhook-secret")
	remote := httptest.NewServer(webhook.Handler(backend, sets[0], f.secret, true))
	t.Cleanup(remote.Close)

	for _, file := range []struct{ name, src string }{{"shop.yml", shopYAML}, {"crm.yml", crmYAML}} {
		status, _, b := f.send(t, "POST", "/api/v1/datasets?name="+file.name, custos.RoleAdmin, "application/yaml", file.src)
		if status != http.StatusCreated {
			t.Fatalf("import %s: %d %s", file.name, status, b)
		}
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop-hook", Dataset: "shop", URL: remote.URL + "/custos", Secret: f.secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "crm-db", Dataset: "crm",
		URL: "postgres://custos:Sup3r%23S3cret@127.0.0.1:5432/crm?sslmode=disable&password=QueryS3cret", ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	srv.StartQueue(t)
	return f
}

// send is do with a content type of its choosing.
func (f *fixture) send(t *testing.T, method, path string, role custos.Role, contentType, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// submit opens a request on the person's behalf, approves it, and waits
// for the job queue to complete it.
func (f *connFixture) submit(t *testing.T, typ string) string {
	t.Helper()
	status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/on-behalf", custos.RoleAgent,
		`{"type":"`+typ+`","email":"ana@example.com","jurisdiction":"US-CA","channel":"phone"}`)
	if status != http.StatusCreated {
		t.Fatalf("on-behalf: %d %s", status, b)
	}
	var v struct{ ID, Status string }
	_ = json.Unmarshal(b, &v)
	if v.Status == "pending_review" {
		status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+v.ID+"/approve", custos.RolePrivacyOfficer, "")
		if status != http.StatusOK {
			t.Fatalf("approve: %d %s", status, b)
		}
	}
	return v.ID
}

func (f *connFixture) waitCompleted(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := f.store.Request(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == "completed" {
			return
		}
		if time.Now().After(deadline) {
			_, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/tasks", custos.RoleAdmin, "")
			t.Fatalf("request %s is still %s: %s", id, r.Status, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type taskView struct {
	Phase      string `json:"phase"`
	Collection string `json:"collection"`
	Status     string `json:"status"`
	Found      int64  `json:"found"`
	Done       int64  `json:"done"`
	Attempts   int64  `json:"attempts"`
	Error      string `json:"error"`
	Note       string `json:"note"`
	UpdatedAt  string `json:"updated_at"`
}

func (f *connFixture) tasks(t *testing.T, id string) map[string]taskView {
	t.Helper()
	status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/tasks", custos.RoleAgent, "")
	if status != http.StatusOK {
		t.Fatalf("tasks: %d %s", status, b)
	}
	var out struct {
		RequestID string     `json:"request_id"`
		Tasks     []taskView `json:"tasks"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.RequestID != id {
		t.Fatalf("tasks body %s: %v", b, err)
	}
	m := map[string]taskView{}
	for _, x := range out.Tasks {
		m[x.Phase+"/"+x.Collection] = x
	}
	return m
}

// TestAsyncWebhookEndToEnd: a deletion reaches the shop through a webhook
// that answers every call 202 and posts the signed result back to
// /api/v1/connector-callbacks/{task}; each callback wakes the request's
// job, which runs on until the request completes.
func TestAsyncWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setupConnected(t, s)
		id := f.submit(t, "deletion")
		f.waitCompleted(t, id)

		rows := query(t, f.company, `SELECT COALESCE(email, '-') || '|' || COALESCE(name, '-') FROM customer ORDER BY id`)
		if strings.Join(rows, ",") != "-|-,bob@example.com|Bob Stone" {
			t.Fatalf("customers after the deletion: %v", rows)
		}
		if rows := query(t, f.company, `SELECT id FROM login WHERE device IS NOT NULL`); strings.Join(rows, ",") != "3" {
			t.Fatalf("logins left: %v", rows)
		}
		ts := f.tasks(t, id)
		want := map[string]string{
			"access/shop:customer": "done 1/0", "access/shop:login": "done 2/0", "access/crm:member": "skipped 0/0",
			"erasure/shop:customer": "done 1/1", "erasure/shop:login": "done 2/2",
		}
		if len(ts) != len(want) {
			t.Fatalf("tasks %+v", ts)
		}
		for k, w := range want {
			x := ts[k]
			if got := x.Status + " " + strconv.FormatInt(x.Found, 10) + "/" + strconv.FormatInt(x.Done, 10); got != w {
				t.Errorf("task %s: %s, want %s", k, got, w)
			}
			if _, err := time.Parse(time.RFC3339, x.UpdatedAt); err != nil {
				t.Errorf("task %s updated_at %q", k, x.UpdatedAt)
			}
		}
		if !strings.Contains(ts["access/crm:member"].Note, "loyalty_id") {
			t.Errorf("unreachable note %q", ts["access/crm:member"].Note)
		}
	})
}

func query(t *testing.T, path, q string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestConnectorCallbacks: callbacks that are not signed with the
// connection's secret are refused with a JSON 401 and change nothing; a
// repeated callback is harmless.
func TestConnectorCallbacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.OpenSQLite(t)
	f := setupConnected(t, s)
	id := f.submit(t, "access")
	f.waitCompleted(t, id)
	before := f.tasks(t, id)
	entries := func() int64 {
		n, err := s.CountAuditEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	audited := entries()

	task := connected.TaskID(id, connected.PhaseAccess, "shop:customer")
	post := func(secret []byte, path, body string, skew time.Duration) (int, []byte) {
		req, _ := http.NewRequest("POST", f.url+"/api/v1/connector-callbacks/"+url.PathEscape(path), bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		if secret != nil {
			ts, sig := webhook.Sign(secret, []byte(body), time.Now().Add(skew))
			req.Header.Set(webhook.HeaderTimestamp, ts)
			req.Header.Set(webhook.HeaderSignature, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("callback answered %s", ct)
		}
		return resp.StatusCode, b
	}
	evil := `{"task":"` + task + `","request_id":"` + id + `","rows":[{"id":1,"email":"mallory@example.com","name":"Mallory"}]}`
	cases := []struct {
		name   string
		secret []byte
		path   string
		body   string
		skew   time.Duration
		status int
		code   string
	}{
		{"unsigned", nil, task, evil, 0, 401, "bad_signature"},
		{"wrong secret", []byte("not-the-secret"), task, evil, 0, 401, "bad_signature"},
		{"too old", f.secret, task, evil, -10 * time.Minute, 401, "bad_signature"},
		{"body names another task", f.secret, task, `{"task":"` + connected.TaskID(id, connected.PhaseAccess, "shop:login") + `","request_id":"` + id + `"}`, 0, 400, "task_mismatch"},
		{"body names no request", f.secret, task, `{"task":"` + task + `","rows":[]}`, 0, 400, "callback_unnamed"},
		{"no such task", f.secret, "garbage", `{}`, 0, 404, "unknown_task"},
		{"repeated, already answered", f.secret, task, evil, 0, 202, ""},
	}
	for _, c := range cases {
		status, b := post(c.secret, c.path, c.body, c.skew)
		if status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, status, b, c.status)
			continue
		}
		if c.code != "" {
			if code := errorCode(t, b); code != c.code {
				t.Errorf("%s: code %s, want %s", c.name, code, c.code)
			}
		}
	}
	after := f.tasks(t, id)
	for k, x := range before {
		y := after[k]
		if x.Status != y.Status || x.Found != y.Found || x.Done != y.Done || x.Attempts != y.Attempts || x.Error != y.Error {
			t.Errorf("task %s changed: %+v -> %+v", k, x, y)
		}
	}
	if n := entries(); n != audited {
		t.Errorf("refused or repeated callbacks wrote %d audit entries", n-audited)
	}
	r, _ := s.Request(ctx, id)
	if r.Status != "completed" {
		t.Fatalf("request %s after the callbacks", r.Status)
	}
}

// TestConnectorAdminAPI: datasets, connections and tasks through the API.
func TestConnectorAdminAPI(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	f := setupConnected(t, s)

	t.Run("datasets", func(t *testing.T) {
		status, _, b := f.do(t, "GET", "/api/v1/datasets", custos.RoleAuditor, "")
		if status != 200 {
			t.Fatalf("%d %s", status, b)
		}
		var out struct {
			Datasets []struct {
				Key         string `json:"key"`
				Name        string `json:"name"`
				Connection  string `json:"connection"`
				Collections []struct {
					Name   string `json:"name"`
					Fields []struct {
						Name       string   `json:"name"`
						Categories []string `json:"data_categories"`
						Identity   string   `json:"identity"`
						PrimaryKey bool     `json:"primary_key"`
						References []string `json:"references"`
					} `json:"fields"`
				} `json:"collections"`
			} `json:"datasets"`
		}
		if err := json.Unmarshal(b, &out); err != nil || len(out.Datasets) != 2 {
			t.Fatalf("%s: %v", b, err)
		}
		crm, shop := out.Datasets[0], out.Datasets[1]
		if crm.Key != "crm" || crm.Connection != "crm-db" || shop.Key != "shop" || shop.Name != "Shop" || shop.Connection != "shop-hook" || len(shop.Collections) != 2 {
			t.Fatalf("datasets %+v", out.Datasets)
		}
		login := shop.Collections[1]
		if login.Name != "login" || len(login.Fields) != 3 || strings.Join(login.Fields[1].References, ",") != "shop:customer.id" || !login.Fields[0].PrimaryKey {
			t.Fatalf("login %+v", login)
		}
		if email := shop.Collections[0].Fields[1]; email.Identity != "email" || strings.Join(email.Categories, ",") != "user.contact.email" {
			t.Fatalf("email field %+v", email)
		}
	})

	t.Run("bad dataset files", func(t *testing.T) {
		cases := []struct {
			name, file, body string
			status           int
			code             string
			where            string // FILE:LINE:COL the message must hold
		}{
			{"no key", "broken.yml", "dataset:\n  - name: No key\n    collections: []\n", 422, "invalid_dataset", "broken.yml:2:"},
			{"bad yaml", "tabs.yml", "dataset:\n  - fides_key: x\n\tcollections: [\n", 422, "invalid_dataset", "tabs.yml:"},
			{"reference to nothing", "ref.yml", "dataset:\n  - fides_key: ref\n    collections:\n      - name: a\n        fields:\n          - name: b\n            fides_meta:\n              references:\n                - {dataset: nowhere, field: c.d}\n", 422, "invalid_dataset", "ref.yml:"},
			{"unnamed upload", "", "dataset: 7\n", 422, "invalid_dataset", "upload.yml:1:"},
		}
		loc := regexp.MustCompile(`[\w.]+:\d+:\d+: `)
		for _, c := range cases {
			path := "/api/v1/datasets"
			if c.file != "" {
				path += "?name=" + c.file
			}
			status, _, b := f.send(t, "POST", path, custos.RoleAdmin, "application/yaml", c.body)
			if status != c.status {
				t.Errorf("%s: %d %s", c.name, status, b)
				continue
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			_ = json.Unmarshal(b, &e)
			if e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.where) || !loc.MatchString(e.Error.Message) {
				t.Errorf("%s: %s", c.name, b)
			}
		}
		// Nothing of a refused file was imported.
		if ds, _ := s.Datasets(context.Background()); len(ds) != 2 {
			t.Errorf("datasets after refused imports: %d", len(ds))
		}
		if status, _, _ := f.send(t, "POST", "/api/v1/datasets", custos.RolePrivacyOfficer, "application/yaml", shopYAML); status != 403 {
			t.Errorf("a privacy officer imported a dataset: %d", status)
		}
	})

	t.Run("connections never show a password", func(t *testing.T) {
		status, _, b := f.do(t, "GET", "/api/v1/connections", custos.RoleAdmin, "")
		if status != 200 {
			t.Fatalf("%d %s", status, b)
		}
		for _, secret := range []string{"Sup3r", "S3cret", "QueryS3cret", string(f.secret)} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("the listing shows %q: %s", secret, b)
			}
		}
		var out struct {
			Connections []struct {
				Name, Dataset, URL string
				ReadOnly           bool `json:"read_only"`
			} `json:"connections"`
		}
		if err := json.Unmarshal(b, &out); err != nil || len(out.Connections) != 2 {
			t.Fatalf("%s: %v", b, err)
		}
		crm := out.Connections[0]
		if crm.Name != "crm-db" || crm.Dataset != "crm" || !crm.ReadOnly || crm.URL != "postgres://custos:xxxxx@127.0.0.1:5432/crm" {
			t.Fatalf("crm connection %+v", crm)
		}
		if hook := out.Connections[1]; hook.Name != "shop-hook" || !strings.HasSuffix(hook.URL, "/custos") || hook.ReadOnly {
			t.Fatalf("shop connection %+v", hook)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/connections", custos.RolePrivacyOfficer, ""); status != 403 {
			t.Fatalf("privacy officer listing connections: %d", status)
		}
	})

	t.Run("test a connection", func(t *testing.T) {
		if status, _, b := f.do(t, "POST", "/api/v1/connections/shop-hook/test", custos.RoleAdmin, ""); status != 200 || !strings.Contains(string(b), `"ok":true`) {
			t.Fatalf("test shop-hook: %d %s", status, b)
		}
		status, _, b := f.do(t, "POST", "/api/v1/connections/crm-db/test", custos.RoleAdmin, "")
		if status != 503 || errorCode(t, b) != "connection_failed" || strings.Contains(string(b), "S3cret") {
			t.Fatalf("test crm-db: %d %s", status, b)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/connections/nope/test", custos.RoleAdmin, ""); status != 404 {
			t.Fatalf("test nope: %d %s", status, b)
		}
	})

	t.Run("tasks", func(t *testing.T) {
		id := f.submit(t, "access")
		f.waitCompleted(t, id)
		ts := f.tasks(t, id)
		if len(ts) != 3 || ts["access/shop:customer"].Status != "done" || ts["access/shop:customer"].Found != 1 ||
			ts["access/shop:login"].Found != 2 || ts["access/crm:member"].Status != "skipped" {
			t.Fatalf("tasks %+v", ts)
		}
		if status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/req_nope/tasks", custos.RoleAgent, ""); status != 404 {
			t.Fatalf("tasks of no request: %d %s", status, b)
		}
		if status, _, _ := f.do(t, "GET", "/api/v1/privacy-requests/"+id+"/tasks", custos.RoleIngest, ""); status != 403 {
			t.Fatalf("ingest token reading tasks: %d", status)
		}
	})
}
