// Command decide-http measures consent decisions over HTTP: it builds the
// real custos binary, starts `custos serve` on loopback with a fresh SQLite
// store, seeds consents through POST /api/v1/consents, then drives POST
// /api/v1/decisions at a constant rate (vegeta's open-model pacer: requests
// leave on schedule whether or not earlier ones have returned) and prints
// the latency percentiles and the rate achieved; then, as a baseline, the
// same for GET /.well-known/custos-receipt-key at the same rate: a small
// JSON answer from memory with no token and no database, i.e. the HTTP
// stack, the middleware and the load generator alone. Everything it starts stops by itself; traffic goes
// to 127.0.0.1 only.
//
//	bench/decide-http/run                      # 5,000 req/s for 20 s
//	bench/decide-http/run -rate 1000,2000,3000,5000 -duration 10s
//
// It is a module of its own so the load generator never enters the main
// module's dependencies.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
)

type config struct {
	root             string
	rates            []int
	duration, warmup time.Duration
	people, seeded   int
	goal             time.Duration
	keep, baseline   bool
}

func main() {
	var c config
	flag.StringVar(&c.root, "root", "../..", "the Custos repository to build cmd/custos from")
	rates := flag.String("rate", "5000", "decisions per second, held constant; several (1000,3000,5000) measure each in turn")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "how long to measure")
	flag.DurationVar(&c.warmup, "warmup", 3*time.Second, "load at the same rate before measuring, not counted")
	flag.IntVar(&c.people, "people", 4000, "distinct e-mail addresses asked about")
	flag.IntVar(&c.seeded, "seeded", 2000, "of those, how many have recorded choices (the others are unknown to Custos)")
	flag.DurationVar(&c.goal, "goal-p99", 2*time.Millisecond, "the p99 the run is judged against")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary directory (database, server log)")
	flag.BoolVar(&c.baseline, "baseline", true, "then drive "+baselinePath+" (no token, no database) at the same rate, to show what the machine and HTTP alone cost")
	flag.Parse()
	for _, f := range strings.Split(*rates, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || r <= 0 {
			fmt.Fprintf(os.Stderr, "decide-http: -rate %q: give whole numbers of requests per second, comma-separated\n", *rates)
			os.Exit(2)
		}
		c.rates = append(c.rates, r)
	}
	// Everything stops by itself: the whole run has a deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute+time.Duration(len(c.rates)+1)*(c.duration+c.warmup))
	err := run(ctx, c)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "decide-http:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) (err error) {
	if c.seeded > c.people {
		return errors.New("-seeded must not exceed -people")
	}
	tmp, err := os.MkdirTemp("", "custos-decide-http-")
	if err != nil {
		return err
	}
	defer func() {
		if c.keep || err != nil {
			fmt.Fprintln(os.Stderr, "kept", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()

	bin := filepath.Join(tmp, "custos")
	fmt.Fprintf(os.Stderr, "building %s/cmd/custos…\n", c.root)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/custos")
	build.Dir = c.root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}

	addr, err := freePort()
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(tmp, "server.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--db", "sqlite:"+filepath.Join(tmp, "custos.db"),
		"--key-file", filepath.Join(tmp, "master.key"), "--mail-dir", filepath.Join(tmp, "mail"))
	srv.Env = append(os.Environ(), "CUSTOS_BASE_URL=") // nothing else from the caller's CUSTOS_* settings matters here
	srv.Stdout, srv.Stderr = logFile, logFile
	// The server dies with us, whatever happens; a normal end is SIGTERM.
	srv.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	srv.Cancel = func() error { return srv.Process.Signal(syscall.SIGTERM) }
	srv.WaitDelay = 15 * time.Second
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- srv.Wait() }()
		select {
		case werr := <-done:
			if werr != nil && err == nil {
				err = fmt.Errorf("custos serve: %w (see %s)", werr, logFile.Name())
			}
		case <-time.After(15 * time.Second):
			_ = srv.Process.Kill()
			<-done
			if err == nil {
				err = errors.New("custos serve did not stop on SIGTERM within 15 s")
			}
		}
	}()
	base := "http://" + addr
	if err := waitHealthy(ctx, base); err != nil {
		return fmt.Errorf("%w (see %s)", err, logFile.Name())
	}
	admin, err := os.ReadFile(filepath.Join(tmp, "admin.token"))
	if err != nil {
		return err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := call(ctx, base, strings.TrimSpace(string(admin)), "POST", "/api/v1/tokens",
		map[string]string{"role": "ingest", "name": "decide-http bench"}, http.StatusCreated, &tok); err != nil {
		return err
	}

	start := time.Now()
	nSeeded, err := seed(ctx, base, tok.Token, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded %d consent records for %d people in %s\n", nSeeded, c.seeded, time.Since(start).Round(time.Millisecond))

	bodies := questions(c)
	if err := checkAnswers(ctx, base, tok.Token, bodies[:200]); err != nil {
		return err
	}

	pid := srv.Process.Pid
	// measure drives method path at rate for the configured time and
	// reports it.
	measure := func(what, method, path, token string, bodies [][]byte, rate int, judge bool) (*results, error) {
		load0, self0 := loadavg(), selfCPU()
		cpu0, _ := procCPU(pid)
		fmt.Fprintf(os.Stderr, "measuring %s: %d req/s for %s…\n", what, rate, c.duration)
		res, err := attack(ctx, base, method, path, token, bodies, rate, c.duration)
		if err != nil {
			return nil, err
		}
		cpu1, _ := procCPU(pid)
		self1 := selfCPU()
		report(os.Stdout, what, rate, c.goal, res, (cpu1-cpu0).Seconds()/res.elapsed.Seconds(),
			(self1-self0).Seconds()/res.elapsed.Seconds(), load0, loadavg(), judge)
		return res, nil
	}
	var last *results
	for _, rate := range c.rates {
		if c.warmup > 0 {
			fmt.Fprintf(os.Stderr, "warming up: %d req/s for %s…\n", rate, c.warmup)
			if _, err := attack(ctx, base, "POST", "/api/v1/decisions", tok.Token, bodies, rate, c.warmup); err != nil {
				return err
			}
		}
		res, err := measure("POST /api/v1/decisions", "POST", "/api/v1/decisions", tok.Token, bodies, rate, true)
		if err != nil {
			return err
		}
		if res.failed > 0 {
			return fmt.Errorf("%d of %d requests failed; first: %s", res.failed, len(res.latencies), res.firstErr)
		}
		last = res
	}
	if !c.baseline {
		return nil
	}
	// The baseline: the same server, middleware, load generator and rate,
	// on an endpoint that answers a little JSON from memory (no token, no
	// database, no request body). What it costs is the floor the decisions
	// stand on. (Not /healthz: that pings the database.)
	rate := c.rates[len(c.rates)-1]
	base0, err := measure("GET "+baselinePath+" (baseline)", "GET", baselinePath, "", nil, rate, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "p99 of decisions ÷ p99 of the baseline at %d req/s: %.2f\n", rate,
		pct(sorted(last.latencies), .99).Seconds()/pct(sorted(base0.latencies), .99).Seconds())
	return nil
}

func sorted(d []time.Duration) []time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s
}

// freePort picks a loopback port nothing listens on.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitHealthy(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("custos serve did not become healthy within 60 s")
}

func call(ctx context.Context, base, token, method, path string, body any, want int, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

var (
	consentPurposes = []string{"marketing.communications.email", "marketing.advertising.third_party", "third_party_sharing"}
	otherPurposes   = []string{"essential.service", "essential.service.payment_processing", "functional.service.improve",
		"analytics.reporting", "marketing.communications", "essential.fraud_detection", "essential.legal_obligation",
		"essential.service.security"}
	categories    = []string{"", "", "user.contact.email", "user.name", "user.device.ip_address", "user.behavior.browsing_history"}
	jurisdictions = []string{"US-CA", "US", "DE", "GB", "JP"}
)

func email(i int) string { return fmt.Sprintf("person%d@example.com", i) }

// seed records, for the first c.seeded people, a deterministic mix of
// grants and withdrawals of the consent purposes, opt-outs of sale and
// sharing and objections to direct marketing: one consent record each
// (people with no choice get none), four at a time.
func seed(ctx context.Context, base, token string, c config) (int, error) {
	r := rand.New(rand.NewPCG(1, 2))
	var choices []consent.Choice
	for i := 0; i < c.seeded; i++ {
		ch := consent.Choice{Subject: custos.SubjectRef{Email: email(i)}, Jurisdiction: jurisdictions[r.IntN(len(jurisdictions))]}
		for _, p := range consentPurposes {
			switch x := r.IntN(100); {
			case x < 30:
				ch.Scopes = append(ch.Scopes, consent.ScopeChoice{Scope: p, Granted: true})
			case x < 40:
				ch.Scopes = append(ch.Scopes, consent.ScopeChoice{Scope: p, Granted: false})
			}
		}
		if r.IntN(100) < 12 {
			ch.Scopes = append(ch.Scopes, consent.ScopeChoice{Scope: consent.ScopeSaleSharing, Granted: false})
		}
		if r.IntN(100) < 8 {
			ch.Scopes = append(ch.Scopes, consent.ScopeChoice{Scope: consent.ScopeDirectMarketing, Granted: false})
		}
		if len(ch.Scopes) == 0 {
			ch.Scopes = append(ch.Scopes, consent.ScopeChoice{Scope: consentPurposes[0], Granted: r.IntN(2) == 0})
		}
		choices = append(choices, ch)
	}
	work := make(chan consent.Choice)
	errc := make(chan error, 4)
	for range 4 {
		go func() {
			for ch := range work {
				if err := call(ctx, base, token, "POST", "/api/v1/consents", ch, http.StatusCreated, nil); err != nil {
					errc <- err
					for range work {
					}
					return
				}
			}
			errc <- nil
		}()
	}
	for _, ch := range choices {
		work <- ch
	}
	close(work)
	for range 4 {
		if err := <-errc; err != nil {
			return 0, err
		}
	}
	return len(choices), nil
}

type decisionRequest struct {
	Subject      custos.SubjectRef `json:"subject"`
	Purpose      string            `json:"purpose"`
	Category     string            `json:"category,omitempty"`
	Jurisdiction string            `json:"jurisdiction"`
}

// questions are the request bodies, cycled through by the load: declared
// purposes (two in five a consent purpose) and categories only, so that
// every answer is a 200.
func questions(c config) [][]byte {
	r := rand.New(rand.NewPCG(3, 4))
	out := make([][]byte, 8192)
	for i := range out {
		q := decisionRequest{Subject: custos.SubjectRef{Email: email(r.IntN(c.people))},
			Category: categories[r.IntN(len(categories))], Jurisdiction: jurisdictions[r.IntN(len(jurisdictions))]}
		if r.IntN(5) < 2 {
			q.Purpose = consentPurposes[r.IntN(len(consentPurposes))]
		} else {
			q.Purpose = otherPurposes[r.IntN(len(otherPurposes))]
		}
		out[i], _ = json.Marshal(q)
	}
	return out
}

// checkAnswers asks a few questions one at a time and checks they are
// answered, and that the seeded choices show (some refusals, some consents).
func checkAnswers(ctx context.Context, base, token string, bodies [][]byte) error {
	reasons := map[string]int{}
	for _, b := range bodies {
		var d consent.Decision
		if err := call(ctx, base, token, "POST", "/api/v1/decisions", json.RawMessage(b), http.StatusOK, &d); err != nil {
			return err
		}
		reasons[d.Reason]++
	}
	for _, r := range []string{consent.ReasonConsentGiven, consent.ReasonContract, consent.ReasonNoConsent} {
		if reasons[r] == 0 {
			return fmt.Errorf("no sample decision was %s (reasons: %v): the seeding did not take", r, reasons)
		}
	}
	fmt.Fprintf(os.Stderr, "sample of %d decisions: %v\n", len(bodies), reasons)
	return nil
}

type results struct {
	latencies []time.Duration // from the moment the request was sent
	sent      []time.Time
	elapsed   time.Duration // first send to last send
	failed    int
	firstErr  string
	codes     map[uint16]int
}

// attack sends method path at rate for d: with bodies (cycled) and the
// token when bodies is not nil, bare otherwise.
func attack(ctx context.Context, base, method, path, token string, bodies [][]byte, rate int, d time.Duration) (*results, error) {
	hdr := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	if bodies == nil {
		hdr = nil
	}
	var next atomic.Uint64 // vegeta's workers call the targeter concurrently
	url := base + path
	targeter := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Header = method, url, hdr
		if bodies != nil {
			t.Body = bodies[(next.Add(1)-1)%uint64(len(bodies))]
		}
		return nil
	}
	// Vegeta starts another sender whenever all are busy, so requests leave
	// on schedule however slow the answers (no coordinated omission), up to
	// maxInFlight outstanding: past that the pacer waits (the report says
	// whether it came to that) rather than open ever more connections to an
	// overloaded server.
	atk := vegeta.NewAttacker(vegeta.KeepAlive(true), vegeta.Workers(64), vegeta.MaxWorkers(maxInFlight),
		vegeta.Connections(maxInFlight), vegeta.Timeout(10*time.Second), vegeta.HTTP2(false))
	pace := vegeta.ConstantPacer{Freq: rate, Per: time.Second}
	res := &results{codes: map[uint16]int{}}
	var first, last time.Time
	ch := atk.Attack(targeter, pace, d, "decide")
	for {
		select {
		case <-ctx.Done():
			atk.Stop()
			return nil, ctx.Err()
		case r, ok := <-ch:
			if !ok {
				res.elapsed = last.Sub(first)
				return res, nil
			}
			if first.IsZero() || r.Timestamp.Before(first) {
				first = r.Timestamp
			}
			if r.Timestamp.After(last) {
				last = r.Timestamp
			}
			res.latencies = append(res.latencies, r.Latency)
			res.sent = append(res.sent, r.Timestamp)
			res.codes[r.Code]++
			if r.Code != http.StatusOK || r.Error != "" {
				if res.failed == 0 {
					res.firstErr = fmt.Sprintf("code %d %s %s", r.Code, r.Error, r.Body)
				}
				res.failed++
			}
		}
	}
}

// baselinePath answers from memory: the receipt-signing public key.
const baselinePath = "/.well-known/custos-receipt-key"

// maxInFlight bounds the requests outstanding at once.
const maxInFlight = 1024

// peakInFlight is the most requests that were outstanding at one time.
func peakInFlight(r *results) int {
	type ev struct {
		at time.Time
		d  int
	}
	evs := make([]ev, 0, 2*len(r.sent))
	for i, t := range r.sent {
		evs = append(evs, ev{t, 1}, ev{t.Add(r.latencies[i]), -1})
	}
	slices.SortFunc(evs, func(a, b ev) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.d - b.d // an end before a start at the same instant
	})
	n, peak := 0, 0
	for _, e := range evs {
		n += e.d
		peak = max(peak, n)
	}
	return peak
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(float64(len(sorted))*p+0.5) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}

func ms(d time.Duration) string { return strconv.FormatFloat(d.Seconds()*1000, 'f', 3, 64) + " ms" }

func report(w io.Writer, what string, rate int, goal time.Duration, r *results, serverCores, loaderCores float64, load0, load1 string, judge bool) {
	lat := sorted(r.latencies)
	achieved := float64(len(lat)-1) / r.elapsed.Seconds()
	fmt.Fprintf(w, "decide-http: %s, %d requests over %s (target %d req/s, %d CPUs, GOMAXPROCS of the loader %d)\n",
		what, len(lat), r.elapsed.Round(time.Millisecond), rate, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "  achieved rate   %.0f req/s sent, %d failed, codes %v\n", achieved, r.failed, r.codes)
	fmt.Fprintf(w, "  latency         p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
		ms(pct(lat, .50)), ms(pct(lat, .90)), ms(pct(lat, .99)), ms(pct(lat, .999)), ms(lat[len(lat)-1]))
	fmt.Fprintf(w, "  in flight       at most %d at once (the loader's cap is %d: below it, every request left on schedule)\n",
		peakInFlight(r), maxInFlight)
	fmt.Fprintf(w, "  CPU             server %.2f cores, load generator %.2f cores; load average %s → %s\n",
		serverCores, loaderCores, load0, load1)
	if !judge {
		return
	}
	verdict := "MET"
	if pct(lat, .99) >= goal || achieved < 0.98*float64(rate) || r.failed > 0 {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "  goal            p99 < %s at %d req/s: %s\n", ms(goal), rate, verdict)
}

// procCPU is the user+system CPU time a process has used.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100, nil // USER_HZ is 100 on Linux
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
