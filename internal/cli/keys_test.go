package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/records"
)

func TestKeysRotate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, vars := dataDir(t)
	a, services := openServices(t, vars)
	svc := services.Records
	v := "Quinn"
	ref := custos.SubjectRef{Email: "quinn@example.com"}
	if _, err := svc.Record(ctx, "test", records.Input{Kind: "collection", Subject: ref, Category: "user.name",
		Source: "online_channels", Purpose: "essential.service", Value: &v}); err != nil {
		t.Fatal(err)
	}
	const ds = "dataset:\n  - fides_key: shop\n    collections:\n      - name: customer\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n            fides_meta: {identity: email}\n"
	if _, err := services.DSR.Import(ctx, "test", "shop.yml", []byte(ds)); err != nil {
		t.Fatal(err)
	}
	if _, err := services.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: "postgres://u:s3cret@db.example/shop"}); err != nil {
		t.Fatal(err)
	}
	before, err := a.store.Connection(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	code, out, errs := run(t, vars, "keys", "rotate")
	if code != 0 || !strings.Contains(out, "2 keys") || !strings.Contains(out, "1 subject keys re-wrapped") || !strings.Contains(out, "1 connections re-sealed") {
		t.Fatalf("rotate: %d %q %s", code, out, errs)
	}

	a, services = openServices(t, vars)
	defer a.Close()
	svc = services.Records
	sid, err := svc.FindSubject(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := svc.SubjectRecords(ctx, "test", "test", sid)
	if err != nil || *recs.Events[0].Value != "Quinn" {
		t.Fatalf("after rotation: %+v, %v", recs, err)
	}
	if code, out, _ := run(t, vars, "audit", "verify"); code != 0 || !strings.Contains(out, "ok ") {
		t.Fatalf("audit after rotation: %d %s", code, out)
	}
	after, err := a.store.Connection(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	// Tink puts the id of the sealing key in the first five bytes: a
	// connection re-sealed under the new primary starts differently.
	if string(after.URLSealed[:5]) == string(before.URLSealed[:5]) {
		t.Fatal("the connection URL is still sealed under the old key")
	}
	cs, err := services.DSR.Connections(ctx)
	if err != nil || len(cs) != 1 || cs[0].URL != "postgres://u:xxxxx@db.example/shop" {
		t.Fatalf("connections after rotation: %+v %v", cs, err)
	}
}

// mailsTo returns the messages in the Maildir addressed to addr.
func mailsTo(dir, addr string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "new", "*"))
	sort.Strings(files)
	var out []string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if l := strings.ToLower(string(b)); strings.Contains(l, "to: <"+addr+">") || strings.Contains(l, "to: "+addr) {
			out = append(out, string(b))
		}
	}
	return out
}

// waitMail waits for the n-th message to addr, delivered by the server's
// outbox.
func waitMail(t *testing.T, dir, addr string, n int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := mailsTo(dir, addr); len(m) >= n {
			return m[n-1]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no message %d to %s", n, addr)
	return ""
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// TestRotateWhileServing is the README's tour: `custos keys rotate` while
// `custos serve` runs on the same key file and database. Afterwards, without
// a restart, a privacy request (its mail through the outbox) completes and
// its answer downloads.
func TestRotateWhileServing(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	// Ana is recorded by another process, so the server has not her key
	// at hand: it must open the key the rotation re-wraps.
	a, services := openServices(t, vars)
	v := "Ana Lima"
	if _, err := services.Records.Record(context.Background(), "test", records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "ana@example.com"},
		Category: "user.name", Source: "online_channels", Purpose: "essential.service", Value: &v}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	srv := startServe(t, vars)
	if status, b := srv.do(t, "POST", "/api/v1/events", `{"kind":"collection","subject":{"email":"bo@example.com"},
		"category":"user.name","source":"online_channels","purpose":"essential.service","value":"Bo"}`); status != 201 {
		t.Fatalf("event: %d %s", status, b)
	}

	code, out, errs := run(t, vars, "keys", "rotate")
	if code != 0 || !strings.Contains(out, "2 keys") || !strings.Contains(out, "2 subject keys re-wrapped") {
		t.Fatalf("rotate: %d %q %s", code, out, errs)
	}

	status, b := srv.do(t, "POST", "/api/v1/privacy-requests", `{"type":"access","email":"ana@example.com","jurisdiction":"US-CA"}`)
	var req struct{ ID string }
	if status != 202 || json.Unmarshal(b, &req) != nil {
		t.Fatalf("intake: %d %s", status, b)
	}
	m := sixDigits.FindStringSubmatch(waitMail(t, vars["CUSTOS_MAIL_DIR"], "ana@example.com", 1))
	if m == nil {
		t.Fatal("no code in the mail")
	}
	status, b = srv.do(t, "POST", "/api/v1/privacy-requests/"+req.ID+"/verify", `{"code":"`+m[1]+`"}`)
	var ver struct {
		AccessToken string `json:"access_token"`
	}
	if status != 200 || json.Unmarshal(b, &ver) != nil || ver.AccessToken == "" {
		t.Fatalf("verify: %d %s", status, b)
	}
	if status, b := srv.do(t, "POST", "/api/v1/privacy-requests/"+req.ID+"/approve", ""); status != 200 || !strings.Contains(string(b), `"status":"completed"`) {
		t.Fatalf("approve after rotation: %d %s", status, b)
	}
	if status, b := srv.do(t, "GET", "/api/v1/privacy-requests/"+req.ID+"/result?token="+ver.AccessToken, ""); status != 200 ||
		!strings.Contains(string(b), `"value":"Ana Lima"`) {
		t.Fatalf("result after rotation: %d %s", status, b)
	}
	// The answer's mail goes out through the outbox too.
	waitMail(t, vars["CUSTOS_MAIL_DIR"], "ana@example.com", 2)
	if strings.Contains(srv.logs.String(), "key_mismatch") || strings.Contains(srv.logs.String(), "could not be opened") {
		t.Fatalf("the server failed to open data after the rotation: %s", srv.logs.String())
	}
	srv.stop()
	if code, out, _ := run(t, vars, "audit", "verify"); code != 0 {
		t.Fatalf("audit verify: %d %s", code, out)
	}
}

// TestStaleServerRefusesToSeal: a server with its own copy of the key file,
// left behind by a rotation elsewhere, refuses to seal with the fix in the
// error, and recovers without a restart once the rotated file is copied.
func TestStaleServerRefusesToSeal(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	a, _ := openServices(t, vars)
	a.Close()
	own := map[string]string{}
	for k, v := range vars {
		own[k] = v
	}
	own["CUSTOS_KEY_FILE"] = filepath.Join(t.TempDir(), "master.key")
	copyKey := func() {
		b, err := os.ReadFile(vars["CUSTOS_KEY_FILE"])
		if err != nil {
			t.Fatal(err)
		}
		tmp := own["CUSTOS_KEY_FILE"] + ".tmp"
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, own["CUSTOS_KEY_FILE"]); err != nil {
			t.Fatal(err)
		}
	}
	copyKey()
	srv := startServe(t, own)
	n := 0
	record := func() (int, []byte) {
		n++
		return srv.do(t, "POST", "/api/v1/events", `{"kind":"collection","subject":{"email":"p`+strconv.Itoa(n)+`@example.com"},
			"category":"user.name","source":"online_channels","purpose":"essential.service","value":"P"}`)
	}
	if status, b := record(); status != 201 {
		t.Fatalf("event: %d %s", status, b)
	}
	if code, out, errs := run(t, vars, "keys", "rotate"); code != 0 {
		t.Fatalf("rotate: %d %q %s", code, out, errs)
	}
	// Within a poll the server learns of the new primary and stops sealing.
	var status int
	var b []byte
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if status, b = record(); status != 201 {
			break
		}
	}
	if status != 503 || !strings.Contains(string(b), `"code":"key_outdated"`) || !strings.Contains(string(b), "copy the rotated key file here and send SIGHUP") {
		t.Fatalf("sealing with a stale key file: %d %s", status, b)
	}
	if status, b := srv.do(t, "GET", "/api/v1/subjects?email=p1@example.com", ""); status != 200 || !strings.Contains(string(b), `"P"`) {
		t.Fatalf("opening what the old key sealed: %d %s", status, b)
	}
	copyKey()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if status, b = record(); status == 201 {
			break
		}
	}
	if status != 201 {
		t.Fatalf("after the rotated key file is copied: %d %s", status, b)
	}
}
