// Package erasure measures an access request and then an erasure request
// of one person (customer-1@example.com) through connected.Service.Run on
// Fides' example PostgreSQL database — planning, checkpointing every
// collection in Custos' own store, the queries and the writes — against
// the same SELECT and UPDATE statements run by hand through database/sql,
// in the same run; then the same with every table grown to 10^4 and 10^6
// rows of other people. BenchmarkPerRowMask erases one subject's 10^5 rows
// whose masks differ per row against the same batched UPDATE by hand.
//
//	go test ./bench/erasure -run '^$' -bench . -benchtime 20x -count 3
//	go test ./bench/erasure -run SameStatements   (checks the baseline)
//	BENCH_ROWS=100000 go test …   (the larger size; default 1,000,000)
//
// The larger database is built once per run (about a minute for 10^6).
package erasure

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
)

// wantErased is what erasing the subject writes, by collection, as
// dsr's TestFidesExamples expects: addresses are kept (others point at
// them); visit, without a primary key in the dataset, is erased by the
// email that selects it.
var wantErased = map[string]int64{"customer": 1, "login": 6, "payment_card": 1, "service_request": 1, "visit": 1}

// service builds Custos on an SQLite store, as the server does, with the
// Fides dataset imported and a connection to url.
func service(tb testing.TB, url string) *connected.Service {
	tb.Helper()
	ctx := context.Background()
	// Connectors stay open between runs; the fixture closes them with the
	// test, before its database and proxy go.
	svc := wiretest.New(tb, wiretest.Options{UnsignedAudit: true, BaseURL: "http://127.0.0.1:1", Policy: wire.Policy{Actor: "bench"}})
	src, err := os.ReadFile(datasetFile)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.DSR.Import(ctx, "bench", filepath.Base(datasetFile), src); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "bench", connected.Connection{Name: "shop", Dataset: datasetKey, URL: url}); err != nil {
		tb.Fatal(err)
	}
	return svc.DSR
}

// custosRun is the measured work on Custos' side: an access request and
// an erasure request of the subject, each a request of its own.
func custosRun(ctx context.Context, svc *connected.Service, id string) (access, erasure connected.Outcome, err error) {
	ids := map[string][]string{"email": {subject}}
	if access, err = svc.Run(ctx, connected.Job{RequestID: id + "-access", Kind: connected.KindAccess, Identities: ids}); err != nil {
		return
	}
	erasure, err = svc.Run(ctx, connected.Job{RequestID: id + "-erasure", Kind: connected.KindErasure, Identities: ids})
	return
}

func erasedByTable(out connected.Outcome) map[string]int64 {
	m := map[string]int64{}
	for k, n := range out.Erased {
		m[strings.TrimPrefix(k, datasetKey+":")] = n
	}
	return m
}

func nonEmpty(found map[string][]row) int {
	n := 0
	for _, rows := range found {
		if len(rows) > 0 {
			n++
		}
	}
	return n
}

// big is the larger size: BENCH_ROWS, default 10^6.
func big() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// env is one database at one size. Each is built once per process, however
// many times -count runs the benchmarks, and dropped by TestMain.
type env struct {
	name    string
	restore []string
}

var (
	envMu sync.Mutex
	envs  = map[int]*env{}
	drops dropper
)

func TestMain(m *testing.M) {
	code := m.Run()
	drops.drop()
	os.Exit(code)
}

// envAt returns the database grown to rows rows a table (0: the example as
// it is, a few rows a table), with the subject's rows kept aside.
func envAt(b *testing.B, rows int) *env {
	envMu.Lock()
	defer envMu.Unlock()
	if e := envs[rows]; e != nil {
		return e
	}
	start := time.Now()
	e := &env{name: fidesDB(b, &drops)}
	if rows > 0 {
		grow(b, e.name, rows)
	}
	db := open(b, dbURL(b, e.name, ""))
	defer db.Close()
	e.restore = keepPristine(b, db)
	b.Logf("built %s in %s", rowsName(rows), time.Since(start).Round(time.Millisecond))
	envs[rows] = e
	return e
}

// rig measures Custos and the baseline on one database.
type rig struct {
	env          *env
	svc          *connected.Service
	hand         *hand
	admin        *sql.DB
	custos, base time.Duration
}

func newRig(b *testing.B, rows int) *rig {
	e := envAt(b, rows)
	url := dbURL(b, e.name, "")
	svc := service(b, url)
	r := &rig{env: e, svc: svc, hand: &hand{db: open(b, url), secret: svc.MaskSecret}, admin: open(b, url)}
	b.Cleanup(func() {
		r.hand.db.Close()
		r.admin.Close()
	})
	return r
}

// restore puts the subject's rows back, off the clock.
func (r *rig) restore(b *testing.B) {
	b.StopTimer()
	defer b.StartTimer()
	for _, s := range r.env.restore {
		if _, err := r.admin.Exec(s); err != nil {
			b.Fatal(err)
		}
	}
}

// once runs both sides on the seeded database, Custos first.
func (r *rig) once(b *testing.B, ctx context.Context, id string) {
	r.restore(b)
	start := time.Now()
	acc, era, err := custosRun(ctx, r.svc, id)
	r.custos += time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if len(acc.Collections) != 9 || !maps.Equal(erasedByTable(era), wantErased) {
		b.Fatalf("Custos found %d collections and erased %v", len(acc.Collections), era.Erased)
	}

	r.restore(b)
	start = time.Now()
	found, erased, err := r.hand.run(ctx, []string{subject})
	r.base += time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if nonEmpty(found) != 9 || !maps.Equal(erased, wantErased) {
		b.Fatalf("the baseline found %d collections and erased %v", nonEmpty(found), erased)
	}
}

func rowsName(n int) string {
	if n == 0 {
		return "fides"
	}
	s := strconv.Itoa(n)
	if s[0] == '1' && strings.Trim(s[1:], "0") == "" {
		return fmt.Sprintf("rows=1e%d", len(s)-1)
	}
	return "rows=" + s
}

// BenchmarkErasure reports, per size, ns/op (Custos: the access request
// then the erasure request), hand-ns/op (the baseline) and ratio (Custos ÷
// baseline). At the largest size it also runs both sides on the 10^4-row
// database, interleaved, and reports growth (Custos at the largest size ÷
// Custos at 10^4) and hand-growth: measured side by side, like ratio,
// since the load on the machine drifts between sub-benchmarks.
func BenchmarkErasure(b *testing.B) {
	const small = 10_000
	sizes := []int{0, small}
	if big() != small {
		sizes = append(sizes, big())
	}
	for _, rows := range sizes {
		b.Run(rowsName(rows), func(b *testing.B) {
			ctx := context.Background()
			rigs := []*rig{newRig(b, rows)}
			if rows == big() && rows != small {
				rigs = append(rigs, newRig(b, small))
			}
			run := fmt.Sprintf("%x", time.Now().UnixNano())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j, r := range rigs {
					r.once(b, ctx, fmt.Sprintf("%s-%d-%d", run, i, j))
				}
			}
			b.StopTimer()
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
			r := rigs[0]
			b.ReportMetric(per(r.custos), "ns/op")
			b.ReportMetric(per(r.base), "hand-ns/op")
			b.ReportMetric(per(r.custos)/per(r.base), "ratio")
			if len(rigs) > 1 {
				b.ReportMetric(per(r.custos)/per(rigs[1].custos), "growth")
				b.ReportMetric(per(r.base)/per(rigs[1].base), "hand-growth")
			}
		})
	}
}
