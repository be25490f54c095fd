package connected_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/records"
)

const visitsDataset = `datasets:
  - key: web
    collections:
      - name: visitor
        fields:
          - {name: id, categories: [user.unique_id], primary_key: true}
          - {name: email, categories: [user.contact.email], identity: email}
      - name: visit
        collected_at: at
        fields:
          - {name: id, categories: [system.operations], primary_key: true}
          - {name: at, categories: [system.operations]}
          - name: visitor_id
            categories: [user.unique_id]
            references: [{from: visitor.id}]
          - {name: ip, categories: [user.device.ip_address]}
          - {name: place, categories: [user.location.precise]}
      - name: ping
        collected_at: at
        masking: {strategy: delete}
        fields:
          - {name: id, categories: [system.operations], primary_key: true}
          - {name: at, categories: [system.operations]}
          - {name: visitor_id, categories: [user.unique_id], references: [{from: visitor.id}]}
          - {name: device, categories: [user.device.device_id]}
`

// TestSweepConnected checks that a retention sweep reaches a connected
// database: each personal field goes when its own rule expires it, rows of
// a delete-masked collection go whole, a dry run writes nothing, a person
// under a legal hold keeps every row, and a second sweep finds nothing new.
func TestSweepConnected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := services(t)
	path := filepath.Join(t.TempDir(), "web.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	old, recent, ancient := now.AddDate(0, -2, 0), now.AddDate(0, 0, -3), now.AddDate(-2, 0, 0)
	for _, stmt := range []string{
		`CREATE TABLE visitor (id INTEGER PRIMARY KEY, email TEXT)`,
		`CREATE TABLE visit (id INTEGER PRIMARY KEY, at TIMESTAMP, visitor_id INTEGER, ip TEXT, place TEXT)`,
		`CREATE TABLE ping (id INTEGER PRIMARY KEY, at TIMESTAMP, visitor_id INTEGER, device TEXT)`,
		`INSERT INTO visitor VALUES (1, 'free@example.com'), (2, 'held@example.com')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	ins := func(table string, args ...any) {
		t.Helper()
		q := `INSERT INTO visit VALUES (?, ?, ?, ?, ?)`
		if table == "ping" {
			q = `INSERT INTO ping VALUES (?, ?, ?, ?)`
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Visitor 1: a visit two months old (place expired at 30 days, ip kept
	// for 13 months), one three days old (nothing expired), one two years
	// old (both expired). Visitor 2, under a hold, has the same.
	for _, v := range []int64{1, 2} {
		ins("visit", v*10+1, old, v, "192.0.2.1", "51.5,-0.1")
		ins("visit", v*10+2, recent, v, "192.0.2.2", "48.8,2.3")
		ins("visit", v*10+3, ancient, v, "192.0.2.3", "40.4,-3.7")
		ins("ping", v*10+1, ancient, v, "dev-a")
		ins("ping", v*10+2, recent, v, "dev-b")
	}
	if _, err := svc.DSR.Import(ctx, "test", "web.yml", []byte(visitsDataset)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "web", Dataset: "web", URL: "sqlite:" + path}); err != nil {
		t.Fatal(err)
	}
	ref := custos.SubjectRef{Email: "held@example.com"}
	if _, err := svc.Records.Record(ctx, "test", records.Input{Kind: "collection", Subject: ref, Category: "user.contact.email",
		Source: "online_channels", Purpose: "essential.service"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Retention.AddHold(ctx, "test", ref, "Case 26-7"); err != nil {
		t.Fatal(err)
	}
	dump := func() map[int64][2]sql.NullString {
		t.Helper()
		rows, err := db.Query(`SELECT id, ip, place FROM visit`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int64][2]sql.NullString{}
		for rows.Next() {
			var id int64
			var ip, place sql.NullString
			if err := rows.Scan(&id, &ip, &place); err != nil {
				t.Fatal(err)
			}
			out[id] = [2]sql.NullString{ip, place}
		}
		return out
	}
	pings := func() (n int) {
		t.Helper()
		if err := db.QueryRow(`SELECT COUNT(*) FROM ping`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := dump()

	dry, err := svc.Retention.Sweep(ctx, "test", now, true)
	if err != nil {
		t.Fatal(err)
	}
	if after := dump(); len(dry.Connected) == 0 || pings() != 4 || after[11] != before[11] {
		t.Fatalf("a dry run changed something or saw nothing: %+v", dry.Connected)
	}
	rep, err := svc.Retention.Sweep(ctx, "test", now, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, l := range rep.Connected {
		key := l.Collection
		if len(l.Fields) > 0 {
			key += "." + l.Fields[0]
		}
		got[key] = l.Rows
	}
	want := map[string]int64{"web:visit.place": 2, "web:visit.ip": 1, "web:ping": 1}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("sweep erased %v, want %v (%+v)", got, want, rep.Connected)
		}
	}
	after := dump()
	check := func(id int64, ip, place bool) {
		t.Helper()
		if after[id][0].Valid != ip || after[id][1].Valid != place {
			t.Fatalf("visit %d: ip kept %v, place kept %v; want %v, %v", id, after[id][0].Valid, after[id][1].Valid, ip, place)
		}
	}
	check(11, true, false)  // two months: place gone, ip kept
	check(12, true, true)   // three days: both kept
	check(13, false, false) // two years: both gone
	for _, id := range []int64{21, 22, 23} {
		if after[id] != before[id] {
			t.Fatalf("a held person's visit %d changed", id)
		}
	}
	if n := pings(); n != 3 {
		t.Fatalf("%d pings left; want the held person's two and the recent one", n)
	}
	again, err := svc.Retention.Sweep(ctx, "test", now, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range again.Connected {
		if l.Rows != 0 {
			t.Fatalf("a second sweep erased again: %+v", l)
		}
	}
}
