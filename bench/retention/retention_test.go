// Package retention measures the retention sweep — rule by rule, batch by
// batch, skipping held subjects, recording the sweep — against a raw
// DELETE … WHERE of the same rows, on the same data, in the same run.
//
//	go test ./bench/retention -run '^$' -bench . -benchtime 1x
//	BENCH_ROWS=100000 go test …   (default 1,000,000 expired rows)
package retention

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/retention"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

const subjects = 2000

func rows() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// seed writes subjects, one fresh event each (so nobody is emptied), and n
// IP-address events two years old, which the bundled 13-month rule expires.
func seed(b *testing.B, s *store.Store, n int) {
	ctx := context.Background()
	db := s.DB()
	mark := func(i int) string {
		if s.Dialect() == store.SQLite {
			return "?"
		}
		return "$" + strconv.Itoa(i)
	}
	insert := func(head string, cols, count int, row func(i int) []any) {
		for start := 0; start < count; start += 1000 {
			end := min(start+1000, count)
			var sb strings.Builder
			sb.WriteString(head)
			args := make([]any, 0, (end-start)*cols)
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteByte(',')
				}
				sb.WriteByte('(')
				for c := 1; c <= cols; c++ {
					if c > 1 {
						sb.WriteByte(',')
					}
					sb.WriteString(mark((i-start)*cols + c))
				}
				sb.WriteByte(')')
				args = append(args, row(i)...)
			}
			if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
				b.Fatal(err)
			}
		}
	}
	sid := func(i int) string { return fmt.Sprintf("%032x", i%subjects) }
	insert("INSERT INTO subjects (id, wrapped_key, created_at) VALUES ", 3, subjects, func(i int) []any {
		return []any{sid(i), []byte("k"), int64(0)}
	})
	old := now.AddDate(-2, 0, 0).UnixMicro()
	cols := "INSERT INTO events (subject_id, kind, category, purpose, source, value_sealed, occurred_at, recorded_at, policy_version) VALUES "
	insert(cols, 9, subjects, func(i int) []any {
		return []any{sid(i), "collection", "user.name", "essential.service", "online_channels", []byte("sealed-name"), now.UnixMicro(), now.UnixMicro(), int64(1)}
	})
	insert(cols, 9, n, func(i int) []any {
		return []any{sid(i), "collection", "user.device.ip_address", "essential.service.security", "online_channels", []byte("sealed-ip-address"),
			old + int64(i), old + int64(i), int64(1)}
	})
}

func open(b *testing.B, dsn string) *store.Store {
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

func service(b *testing.B, s *store.Store) *retention.Service {
	b.Helper()
	return wiretest.New(b, wiretest.Options{Store: s, Clock: &custos.FixedClock{T: now}, UnsignedAudit: true, Policy: wire.Policy{Actor: "bench"}}).Retention
}

func BenchmarkSweep(b *testing.B) {
	n := rows()
	for _, d := range []struct {
		name string
		dsn  func(testing.TB) string
	}{
		{"sqlite", func(tb testing.TB) string { return "sqlite:" + filepath.Join(tb.TempDir(), "custos.db") }},
		{"postgres", storetest.PostgresSchemaDSN},
	} {
		b.Run(d.name, func(b *testing.B) {
			var custosTime, rawTime time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cs := open(b, d.dsn(b))
				seed(b, cs, n)
				svc := service(b, cs)
				rs := open(b, d.dsn(b))
				seed(b, rs, n)
				b.StartTimer()

				start := time.Now()
				rep, err := svc.Sweep(context.Background(), "bench", now, false)
				custosTime += time.Since(start)
				if err != nil || rep.Erased != int64(n) || rep.SubjectsErased != 0 {
					b.Fatalf("sweep = %+v, %v", rep, err)
				}
				cut := now.AddDate(0, -13, 0).UnixMicro()
				start = time.Now()
				q := `DELETE FROM events WHERE category = 'user.device.ip_address' AND occurred_at < ` + strconv.FormatInt(cut, 10)
				res, err := rs.DB().ExecContext(context.Background(), q)
				rawTime += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if got, _ := res.RowsAffected(); got != int64(n) {
					b.Fatalf("raw delete removed %d rows", got)
				}
			}
			custosRate := float64(b.N*n) / custosTime.Seconds()
			rawRate := float64(b.N*n) / rawTime.Seconds()
			b.ReportMetric(custosRate, "custos-rows/s")
			b.ReportMetric(rawRate, "raw-rows/s")
			b.ReportMetric(custosRate/rawRate, "ratio")
			b.ReportMetric(0, "ns/op")
		})
	}
}
