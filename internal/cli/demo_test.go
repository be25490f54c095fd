package cli

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/internal/demo"
)

// TestDemo is a newcomer's first request on the demo: custos demo in an
// empty directory, serve on what it wrote, then an access request and a
// deletion for demo customers through the API, each verified with the
// mailed code and approved. The access answer carries the person's rows
// from the demo company database; the deletion masks theirs in the file
// and leaves the other customers' alone.
func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errs := run(t, nil, "demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	data := filepath.Join(dir, "custos-data")
	for _, want := range []string{"demo-shop", "customer-1@example.com", "token create --role privacy_officer", "/api/v1/privacy-requests"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo's output does not say %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"custos.db", "master.key", "admin.token", demo.ShopFile} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("demo wrote no %s: %v", f, err)
		}
	}
	// A second run refuses, naming the database; --existing goes ahead.
	if code, _, errs := run(t, nil, "demo", "--dir", dir); code != 1 ||
		!strings.Contains(errs, filepath.Join(data, "custos.db")+" already holds a Custos database") || !strings.Contains(errs, "--existing") {
		t.Fatalf("second demo: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, nil, "demo", "--dir", dir, "--existing"); code != 0 {
		t.Fatalf("demo --existing: exit %d: %s", code, errs)
	}

	vars := map[string]string{
		"CUSTOS_DB":       "sqlite:" + filepath.Join(data, "custos.db"),
		"CUSTOS_KEY_FILE": filepath.Join(data, "master.key"),
		"CUSTOS_MAIL_DIR": filepath.Join(data, "mail"),
		"CUSTOS_ADDR":     "127.0.0.1:0",
	}
	// The dataset and connection are there before the server starts.
	if code, out, errs := run(t, vars, "connection", "list"); code != 0 || !strings.Contains(out, demo.Connection) || !strings.Contains(out, demo.DatasetKey) {
		t.Fatalf("connection list: %d %q %s", code, out, errs)
	}
	s := startServe(t, vars)

	access, accessToken := demoRequest(t, s, vars, "access", "customer-1@example.com")
	if status, b := s.do(t, "POST", "/api/v1/privacy-requests/"+access+"/approve", ""); status != 200 {
		t.Fatalf("approve access: %d %s", status, b)
	}
	waitStatus(t, s, access, "completed")
	status, b := publicDo(t, "GET", s.base+"/api/v1/privacy-requests/"+access+"/result?token="+accessToken, "")
	var answer struct {
		PersonalInformation []struct{ Category, Value string } `json:"personal_information"`
		Collections         map[string][]map[string]any        `json:"collections"`
	}
	if status != 200 || json.Unmarshal(b, &answer) != nil {
		t.Fatalf("result: %d %.300s", status, b)
	}
	customers := answer.Collections[demo.DatasetKey+":customer"]
	if len(customers) != 1 || customers[0]["name"] != "John Customer" || customers[0]["email"] != "customer-1@example.com" {
		t.Errorf("the answer's customer rows: %v", customers)
	}
	// ord_aaa-aaa, ord_ccc-ccc and ord_ddd-ddd are John's (customer_id 1).
	if orders := answer.Collections[demo.DatasetKey+":orders"]; len(orders) != 3 {
		t.Errorf("the answer's orders: %v", orders)
	}
	if len(answer.PersonalInformation) == 0 {
		t.Error("the answer holds none of what the demo recorded about John")
	}

	del, _ := demoRequest(t, s, vars, "deletion", "customer-2@example.com")
	status, b = s.do(t, "GET", "/api/v1/privacy-requests/"+del+"/erasure-preview", "")
	var preview struct{ Plan string }
	if status != 200 || json.Unmarshal(b, &preview) != nil || preview.Plan == "" {
		t.Fatalf("erasure preview: %d %.300s", status, b)
	}
	if status, b := s.do(t, "POST", "/api/v1/privacy-requests/"+del+"/approve", `{"plan":"`+preview.Plan+`"}`); status != 200 {
		t.Fatalf("approve deletion: %d %s", status, b)
	}
	waitStatus(t, s, del, "completed")
	status, b = s.do(t, "GET", "/api/v1/privacy-requests/"+del+"/tasks", "")
	var tasks struct {
		Tasks []struct {
			Phase, Collection, Status string
			Done                      int
		}
	}
	if status != 200 || json.Unmarshal(b, &tasks) != nil {
		t.Fatalf("tasks: %d %.300s", status, b)
	}
	erased := map[string]int{}
	for _, tk := range tasks.Tasks {
		if tk.Phase == "erasure" && tk.Status == "done" {
			erased[strings.TrimPrefix(tk.Collection, demo.DatasetKey+":")] = tk.Done
		}
	}
	if erased["customer"] != 1 || erased["payment_card"] != 1 || erased["login"] != 1 {
		t.Errorf("erasure tasks: %v", erased)
	}

	shop, err := sql.Open("sqlite", filepath.Join(data, demo.ShopFile))
	if err != nil {
		t.Fatal(err)
	}
	defer shop.Close()
	checkShopRow(t, shop, `SELECT COUNT(*) FROM customer WHERE id = 2 AND email IS NULL AND name IS NULL`, 1)
	checkShopRow(t, shop, `SELECT COUNT(*) FROM payment_card WHERE id = 'pay_bbb-bbb' AND ccn IS NULL AND code IS NULL`, 1)
	checkShopRow(t, shop, `SELECT COUNT(*) FROM login WHERE customer_id = 2 AND time IS NULL`, 1)
	checkShopRow(t, shop, `SELECT COUNT(*) FROM visit WHERE email = 'customer-2@example.com'`, 0)
	// Everyone else is as they were.
	checkShopRow(t, shop, `SELECT COUNT(*) FROM customer WHERE email IN ('customer-1@example.com', 'jane@example.com') AND name IS NOT NULL`, 2)
	checkShopRow(t, shop, `SELECT COUNT(*) FROM payment_card WHERE ccn IS NOT NULL`, 2)
}

// demoRequest makes a privacy request as the person does: the form's
// call, then the code from their mail. It returns the request's id and the
// person's access token.
func demoRequest(t *testing.T, s *server, vars map[string]string, typ, email string) (string, string) {
	t.Helper()
	status, b := publicDo(t, "POST", s.base+"/api/v1/privacy-requests", `{"type":"`+typ+`","email":"`+email+`","jurisdiction":"US-CA"}`)
	var created struct{ ID string }
	if status != 202 || json.Unmarshal(b, &created) != nil || created.ID == "" {
		t.Fatalf("%s request: %d %s", typ, status, b)
	}
	code, out, errs := run(t, vars, "mail", "last", "--to", email, "--code", "--wait", "30s")
	if code != 0 {
		t.Fatalf("mail last: %d %s", code, errs)
	}
	status, b = publicDo(t, "POST", s.base+"/api/v1/privacy-requests/"+created.ID+"/verify", `{"code":"`+strings.TrimSpace(out)+`"}`)
	var verified struct {
		Status      string
		AccessToken string `json:"access_token"`
	}
	if status != 200 || json.Unmarshal(b, &verified) != nil || verified.Status != "pending_review" {
		t.Fatalf("verify %s: %d %s", typ, status, b)
	}
	return created.ID, verified.AccessToken
}

// waitStatus waits for the request's job to bring it to status.
func waitStatus(t *testing.T, s *server, id, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		status, b := s.do(t, "GET", "/api/v1/privacy-requests/"+id, "")
		var r struct{ Status string }
		if status == 200 && json.Unmarshal(b, &r) == nil && r.Status == want {
			return
		}
		last = string(b)
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("request %s never became %s: %.300s", id, want, last)
}

func checkShopRow(t *testing.T, db *sql.DB, query string, want int) {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil || n != want {
		t.Errorf("%s: %d (%v), want %d", query, n, err, want)
	}
}

// publicDo calls the API as the public does, without a token.
func publicDo(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestDemoRefuses: a directory that already holds a database of the
// demo's, or no directory at all, is refused before anything is written,
// naming what is in the way.
func TestDemoRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		present string // a file already in custos-data
		noDir   bool
		code    int
		want    string
	}{
		{"custos database", "custos.db", false, 1, "custos.db already holds a Custos database"},
		{"demo shop", demo.ShopFile, false, 1, demo.ShopFile + " already holds a demo company database"},
		{"no directory", "", true, 2, "is not a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			data := filepath.Join(dir, "custos-data")
			if c.present != "" {
				if err := os.Mkdir(data, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(data, c.present), []byte("someone's data"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			target := dir
			if c.noDir {
				target = filepath.Join(dir, "missing")
			}
			code, out, errs := run(t, nil, "demo", "--dir", target)
			if code != c.code || out != "" || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d, out %q, stderr %q; want %d and %q", code, out, errs, c.code, c.want)
			}
			if c.code == 1 && !strings.Contains(errs, "--existing") {
				t.Errorf("the refusal names no way on: %s", errs)
			}
			left, _ := os.ReadDir(data)
			if want := map[bool]int{true: 1, false: 0}[c.present != ""]; len(left) != want {
				t.Errorf("demo left %d files in custos-data after refusing, want %d", len(left), want)
			}
			if b, err := os.ReadFile(filepath.Join(data, c.present)); c.present != "" && (err != nil || string(b) != "someone's data") {
				t.Errorf("%s was changed: %q %v", c.present, b, err)
			}
		})
	}
}

// TestDemoNextCommands: the commands demo prints work where they are
// pasted. Without --dir at the repository root they are the README's (make
// run, go run ./cmd/custos); without --dir anywhere else (an installed
// binary) they are the binary's, in the same directory; with --dir they
// cd there first, the directory quoted for the shell. It changes the
// working directory, so it and its cases cannot run in parallel.
func TestDemoNextCommands(t *testing.T) {
	cases := []struct {
		name     string
		checkout bool   // the directory is a checkout (cmd/custos/main.go)
		dir      string // --dir, under the directory; "" for none
		want     []string
		not      []string
	}{
		{name: "at the repository root", checkout: true,
			want: []string{"make run &", "DPO=$(go run ./cmd/custos token create"},
			not:  []string{"cd ", "\n  custos serve"}},
		{name: "an installed binary elsewhere",
			want: []string{"\n  custos serve &", "DPO=$(custos token create"},
			not:  []string{"make run", "go run", "cd "}},
		{name: "a --dir with a space and a quote", dir: "Ana's demo",
			want: []string{`cd 'Ana'\''s demo'`, "\n  custos serve &", "DPO=$(custos token create"},
			not:  []string{"make run", "go run"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if c.checkout {
				if err := os.MkdirAll(filepath.Join(root, "cmd", "custos"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, "cmd", "custos", "main.go"), []byte("package main\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(root)
			args := []string{"demo"}
			if c.dir != "" {
				if err := os.Mkdir(c.dir, 0o755); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--dir", c.dir)
			}
			code, out, errs := run(t, nil, args...)
			if code != 0 {
				t.Fatalf("demo: exit %d: %s", code, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("demo does not print %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("demo prints %q, which does not work here:\n%s", n, out)
				}
			}
		})
	}
}
