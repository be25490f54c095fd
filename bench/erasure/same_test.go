package erasure

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos/store/storetest"
)

// TestSameStatements checks that the baseline does Custos' work: run
// through a recording proxy, it executes the same SELECT and UPDATE
// statements in the same order, finds the same rows and leaves the
// database as Custos does. Both start from the example as seeded (one
// database, restored between them as the benchmark does: a database
// costs seconds to create and drop).
func TestSameStatements(t *testing.T) {
	ctx := context.Background()
	drops := &dropper{}
	t.Cleanup(drops.drop)
	name := fidesDB(t, drops)
	before := snapshot(t, dbURL(t, name, ""))
	admin := open(t, dbURL(t, name, ""))
	defer admin.Close()
	restore := keepPristine(t, admin)

	rec := record(t)
	svc := service(t, dbURL(t, name, rec.addr()))
	acc, era, err := custosRun(ctx, svc, "same")
	if err != nil {
		t.Fatal(err)
	}
	custosStmts, custosTrips, custosConns := rec.take()
	afterCustos := snapshot(t, dbURL(t, name, ""))
	if reflect.DeepEqual(before, afterCustos) {
		t.Fatal("the erasure changed nothing")
	}

	// The benchmark puts the subject's rows back between runs: that must
	// be the example again.
	for _, s := range restore {
		if _, err := admin.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	if again := snapshot(t, dbURL(t, name, "")); !reflect.DeepEqual(before, again) {
		t.Fatalf("restoring did not bring back the example:\nbefore %v\nafter %v", before, again)
	}

	h := &hand{db: open(t, dbURL(t, name, rec.addr())), secret: svc.MaskSecret}
	found, erased, err := h.run(ctx, []string{subject})
	h.db.Close()
	if err != nil {
		t.Fatal(err)
	}
	handStmts, handTrips, handConns := rec.take()
	afterHand := snapshot(t, dbURL(t, name, ""))

	// Custos asks the collections of one wave of its plan together, so
	// their statements arrive in any order: the same statements, as many
	// times each, is what is compared.
	if len(custosStmts) == 0 || !slices.Equal(slices.Sorted(slices.Values(custosStmts)), slices.Sorted(slices.Values(handStmts))) {
		t.Fatalf("statements differ.\nCustos:\n%s\nbaseline:\n%s", strings.Join(custosStmts, "\n"), strings.Join(handStmts, "\n"))
	}
	t.Logf("%d statements, the same on both sides; Custos took %d round trips over %d connections, the baseline %d over %d",
		len(custosStmts), custosTrips, custosConns, handTrips, handConns)

	// Custos shows the person only personal fields and those that link
	// rows; the baseline's rows are compared on the fields Custos shows.
	if nonEmpty(found) != len(acc.Collections) {
		t.Fatalf("the baseline found rows in %d collections, Custos in %d", nonEmpty(found), len(acc.Collections))
	}
	for k, rows := range acc.Collections {
		table := strings.TrimPrefix(k, datasetKey+":")
		if len(found[table]) != len(rows) {
			t.Fatalf("%s: the baseline found %d rows, Custos %d", table, len(found[table]), len(rows))
		}
		var want, got []string
		for _, r := range rows {
			want = append(want, render(r))
		}
		for _, r := range found[table] {
			shown := map[string]any{}
			for f := range rows[0] {
				shown[f] = r[f]
			}
			got = append(got, render(shown))
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			t.Fatalf("%s: Custos found\n%s\nthe baseline\n%s", table, strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	}
	if !maps.Equal(erasedByTable(era), wantErased) || !maps.Equal(erased, wantErased) {
		t.Fatalf("Custos erased %v, the baseline %v, want %v", erasedByTable(era), erased, wantErased)
	}
	if !reflect.DeepEqual(afterCustos, afterHand) {
		t.Fatalf("the databases differ after the erasure.\nCustos: %v\nbaseline: %v", afterCustos, afterHand)
	}
}

// snapshot renders every row of the example's tables, sorted.
func snapshot(t *testing.T, url string) map[string][]string {
	t.Helper()
	db := open(t, url)
	defer db.Close()
	h := &hand{db: db}
	out := map[string][]string{}
	for _, table := range []string{"address", "customer", "employee", "login", "orders", "order_item", "payment_card", "product", "report", "service_request", "visit"} {
		rows, err := h.query(context.Background(), "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out[table] = append(out[table], render(r))
		}
		sort.Strings(out[table])
	}
	return out
}

// render writes a row with its fields in order and its values in one
// spelling, whichever side read it.
func render(r map[string]any) string {
	keys := slices.Sorted(maps.Keys(r))
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := r[k]
		switch x := v.(type) {
		case nil:
			v = "NULL"
		case []byte:
			v = string(x)
		case time.Time:
			v = x.UTC().Format(time.RFC3339Nano)
		case int32:
			v = int64(x)
		case int16:
			v = int64(x)
		}
		parts[i] = fmt.Sprintf("%s=%v", k, v)
	}
	return strings.Join(parts, " ")
}

// recorder is a TCP proxy in front of the test server that notes the text
// of every statement its clients execute, in order: for the extended
// protocol (what pgx speaks) a Bind names a statement parsed earlier on
// the same connection, perhaps long before, so statements are noted at
// Bind and looked up by name.
type recorder struct {
	ln    net.Listener
	mu    sync.Mutex
	stmts []string
	// trips counts exchanges the client waits on (Sync, simple Query),
	// conns the connections opened: what latency to the database costs.
	trips, conns int
}

func record(t *testing.T) *recorder {
	t.Helper()
	u, err := url.Parse(storetest.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	server := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", server)
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			r.conns++
			r.mu.Unlock()
			wg.Go(func() {
				_, _ = io.Copy(c, s)
				c.Close()
			})
			wg.Go(func() {
				r.relay(c, s)
				s.Close()
			})
		}
	})
	return r
}

func (r *recorder) addr() string { return r.ln.Addr().String() }

// take returns the SELECT, UPDATE, INSERT and DELETE statements noted
// since the last call (transaction control and pings are left out), and
// the round trips and connections they took.
func (r *recorder) take() (stmts []string, trips, conns int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	trips, conns = r.trips, r.conns
	r.trips, r.conns = 0, 0
	var out []string
	for _, s := range r.stmts {
		verb, _, _ := strings.Cut(strings.TrimSpace(s), " ")
		switch strings.ToUpper(verb) {
		case "SELECT", "UPDATE", "INSERT", "DELETE":
			out = append(out, s)
		}
	}
	r.stmts = nil
	return out, trips, conns
}

// relay copies one client's messages to the server, noting statements.
func (r *recorder) relay(client io.Reader, server io.Writer) {
	in := bufio.NewReader(client)
	// Untyped messages first: an SSL or GSS encryption request (answered
	// 'N' by a server without it), then the startup message.
	for {
		var n int32
		if err := binary.Read(in, binary.BigEndian, &n); err != nil || n < 8 {
			return
		}
		msg := make([]byte, n)
		binary.BigEndian.PutUint32(msg, uint32(n))
		if _, err := io.ReadFull(in, msg[4:]); err != nil {
			return
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
		if code := binary.BigEndian.Uint32(msg[4:8]); code != 80877103 && code != 80877104 {
			break
		}
	}
	named := map[string]string{}
	for {
		head := make([]byte, 5)
		if _, err := io.ReadFull(in, head); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(head[1:]))
		if n < 4 {
			return
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(in, body); err != nil {
			return
		}
		switch head[0] {
		case 'P': // Parse: statement name, text
			name, rest, _ := bytes.Cut(body, []byte{0})
			text, _, _ := bytes.Cut(rest, []byte{0})
			named[string(name)] = string(text)
		case 'B': // Bind: portal name, statement name
			_, rest, _ := bytes.Cut(body, []byte{0})
			name, _, _ := bytes.Cut(rest, []byte{0})
			r.note(named[string(name)])
		case 'Q': // simple query
			text, _, _ := bytes.Cut(body, []byte{0})
			r.note(string(text))
			r.trip()
		case 'S':
			r.trip()
		}
		if _, err := server.Write(append(head, body...)); err != nil {
			return
		}
	}
}

func (r *recorder) trip() {
	r.mu.Lock()
	r.trips++
	r.mu.Unlock()
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	r.stmts = append(r.stmts, s)
	r.mu.Unlock()
}
