package decide

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos/consent"
)

var (
	setupOnce sync.Once
	fx        *fixture
	custosE   *consent.Engine
	opaE      *opaEngine
	cedarE    *cedarEngine
)

// engines builds the fixture and the three engines once per process.
func engines(tb testing.TB) {
	tb.Helper()
	setupOnce.Do(func() {
		fx = newFixture(tb)
		custosE = fx.custosEngine()
		opaE = fx.opaEngine(tb)
		cedarE = fx.cedarEngine(tb)
	})
	if cedarE == nil {
		tb.Fatal("setup failed")
	}
}

// TestSameAnswers: every question gets the same answer from the three
// engines (the whole decision from OPA; allowed only from Cedar, which has
// no reasons). No figure counts unless this passes.
func TestSameAnswers(t *testing.T) {
	engines(t)
	ctx := context.Background()
	reasons := map[string]int{}
	allowed := 0
	for i, q := range fx.questions {
		want := custosE.Decide(q.principal, q.purpose, q.category, q.jurisdiction)
		reasons[want.Reason]++
		if want.Allowed {
			allowed++
		}
		got, err := opaE.decide(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("question %d %+v: OPA %+v, Custos %+v", i, q, got, want)
		}
		if c := cedarE.decide(i); c != want.Allowed {
			t.Errorf("question %d %+v: Cedar allowed=%v, Custos %+v", i, q, c, want)
		}
	}
	t.Logf("%d questions, %d allowed; reasons %v", len(fx.questions), allowed, reasons)
	// Every reason code the engine has shows up, so every branch is compared.
	for _, r := range []string{consent.ReasonContract, consent.ReasonLegitimateInterests, consent.ReasonLegalObligation,
		consent.ReasonConsentGiven, consent.ReasonNotOptedOut, consent.ReasonNoConsent, consent.ReasonConsentWithdrawn,
		consent.ReasonOptedOut, consent.ReasonRestricted, consent.ReasonErased, consent.ReasonMinor,
		consent.ReasonUndeclaredPurpose, consent.ReasonUndeclaredCategory, consent.ReasonObjected, consent.ReasonStorageRefused,
		consent.ReasonSensitiveLimited, consent.ReasonSensitiveNoConsent, consent.ReasonSensitiveNotNecessary, consent.ReasonSensitiveSale} {
		if reasons[r] == 0 {
			t.Errorf("no question decided %s", r)
		}
	}
}

var sink bool

const mask = questions - 1

func BenchmarkDecide(b *testing.B) {
	engines(b)
	b.Run("custos", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := &fx.questions[i&mask]
			sink = custosE.Decide(q.principal, q.purpose, q.category, q.jurisdiction).Allowed
			i++
		}
	})
	b.Run("opa", func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			d, err := opaE.decide(ctx, i&mask)
			if err != nil {
				b.Fatal(err)
			}
			sink = d.Allowed
			i++
		}
	})
	b.Run("cedar", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			sink = cedarE.decide(i & mask)
			i++
		}
	})
}

// BenchmarkRatios times the three engines in the same run over the same
// questions. One op is a block of decisions per engine, sized so each engine
// spends a similar time on it (65,536 for Custos, 4,096 for Cedar, 256 for
// OPA); each walks the questions in order from where it stopped, so every
// engine sees all of them. The engines run one after the other, each alone
// on the machine, with a collection between so one's garbage is not swept
// on another's time.
func BenchmarkRatios(b *testing.B) {
	engines(b)
	ctx := context.Background()
	type engine struct {
		name   string
		block  int
		decide func(i int)
	}
	list := []engine{
		{"custos", 1 << 16, func(i int) {
			q := &fx.questions[i]
			sink = custosE.Decide(q.principal, q.purpose, q.category, q.jurisdiction).Allowed
		}},
		{"cedar", 1 << 12, func(i int) { sink = cedarE.decide(i) }},
		{"opa", 1 << 8, func(i int) {
			d, err := opaE.decide(ctx, i)
			if err != nil {
				b.Fatal(err)
			}
			sink = d.Allowed
		}},
	}
	ns := map[string]float64{}
	for _, e := range list {
		runtime.GC()
		next := 0
		start := time.Now()
		for n := 0; n < b.N; n++ {
			for range e.block {
				e.decide(next & mask)
				next++
			}
		}
		ns[e.name] = float64(time.Since(start).Nanoseconds()) / float64(b.N*e.block)
	}
	b.ReportMetric(ns["custos"], "custos-ns/decision")
	b.ReportMetric(ns["opa"], "opa-ns/decision")
	b.ReportMetric(ns["cedar"], "cedar-ns/decision")
	b.ReportMetric(ns["opa"]/ns["custos"], "opa-x")
	b.ReportMetric(ns["cedar"]/ns["custos"], "cedar-x")
	b.ReportMetric(0, "ns/op") // the figures above are the result
}

// TestDecideAllocatesNothing: the engine's promise, over every question.
func TestDecideAllocatesNothing(t *testing.T) {
	engines(t)
	i := 0
	if n := testing.AllocsPerRun(len(fx.questions), func() {
		q := &fx.questions[i&mask]
		sink = custosE.Decide(q.principal, q.purpose, q.category, q.jurisdiction).Allowed
		i++
	}); n != 0 {
		t.Fatalf("Decide allocates %.2f times a decision", n)
	}
}
