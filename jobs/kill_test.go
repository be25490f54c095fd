package jobs_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

// TestMain doubles as a Custos worker process: the kill test starts this
// binary again with CUSTOS_TEST_WORKER set, then kills it with SIGKILL.
func TestMain(m *testing.M) {
	if dir := os.Getenv("CUSTOS_TEST_WORKER"); dir != "" {
		os.Exit(worker(dir))
	}
	os.Exit(m.Run())
}

const (
	rescueAfter = 5 * time.Second
	batch       = 200
)

func build(ctx context.Context, s *store.Store, master *vault.Master, o jobs.Options) (*wire.Services, error) {
	opts := wire.Options{Policy: wire.Policy{Actor: "test"}, Store: s, Master: master, Clock: custos.SystemClock{}, BaseURL: "http://127.0.0.1:1", Jobs: o, Batch: batch}
	svc, err := wire.New(ctx, opts)
	return svc, err
}

// worker is the server's job side alone: it works the queue until killed.
func worker(dir string) int {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "custos.db"))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	master, err := vault.LoadMaster(filepath.Join(dir, "master.key"))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	svc, err := build(ctx, s, master, jobs.Options{Slice: 2 * time.Second, RescueAfter: rescueAfter, Poll: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	if err := svc.Queue.Start(ctx); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("ready")
	select {}
}

func startWorker(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CUSTOS_TEST_WORKER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("worker did not start: %q %v", line, err)
	}
	return cmd
}

const killDataset = `dataset:
  - fides_key: shop
    name: Shop
    collections:
      - name: customer
        fields:
          - name: id
            data_categories: [user.unique_id]
            fides_meta:
              primary_key: true
          - name: email
            data_categories: [user.contact.email]
            fides_meta:
              identity: email
          - name: name
            data_categories: [user.name]
      - name: login
        fields:
          - name: id
            data_categories: [system.operations]
            fides_meta:
              primary_key: true
          - name: customer_id
            data_categories: [user.unique_id]
            fides_meta:
              references:
                - dataset: shop
                  field: customer.id
                  direction: from
          - name: device
            data_categories: [user.device.device_id]
            fides_meta:
              masking_strategy_override:
                strategy: hmac
`

// killRig is the harness of the kill tests: a company database on
// PostgreSQL holding mine logins of the person (customer 1) and others of
// someone else (customer 2), a Custos store and master key in dir that the
// worker processes open, and the services built on them here. This
// process works no jobs: it enqueues, and the workers run them.
type killRig struct {
	t          *testing.T
	ctx        context.Context
	company    *sql.DB
	companyURL string
	dir        string
	s          *store.Store
	svc        *wire.Services
}

const mine, others = 100_000, 1_000

func newKillRig(t *testing.T) *killRig {
	t.Helper()
	ctx := context.Background()
	companyURL := storetest.PostgresSchemaDSN(t)
	company, err := sql.Open("pgx", companyURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { company.Close() })
	for _, stmt := range []string{
		`CREATE TABLE customer (id BIGINT PRIMARY KEY, email TEXT, name TEXT)`,
		`CREATE TABLE login (id BIGINT PRIMARY KEY, customer_id BIGINT, device TEXT)`,
		`CREATE TABLE write_log (id BIGINT NOT NULL)`,
		`CREATE FUNCTION log_write() RETURNS trigger AS $$ BEGIN INSERT INTO write_log VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql`,
		`INSERT INTO customer VALUES (1, 'gone@example.com', 'Gone Person'), (2, 'stays@example.com', 'Staying Person')`,
		fmt.Sprintf(`INSERT INTO login SELECT g, 1, 'device-' || g FROM generate_series(1, %d) g`, mine),
		fmt.Sprintf(`INSERT INTO login SELECT g, 2, 'device-' || g FROM generate_series(%d, %d) g`, mine+1, mine+others),
	} {
		if _, err := company.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	dir := t.TempDir()
	s := storetest.OpenSQLiteIn(t, dir)
	master, _, err := vault.LoadOrCreateMaster(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := build(ctx, s, master, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &killRig{t: t, ctx: ctx, company: company, companyURL: companyURL, dir: dir, s: s, svc: svc}
}

// logWrites logs every update of a login row in write_log, from now on: a
// row written twice shows.
func (k *killRig) logWrites() {
	k.t.Helper()
	if _, err := k.company.Exec(`CREATE TRIGGER login_written AFTER UPDATE ON login FOR EACH ROW EXECUTE FUNCTION log_write()`); err != nil {
		k.t.Fatal(err)
	}
}

// connectShop imports the shop's dataset and connects the company
// database.
func (k *killRig) connectShop() {
	k.t.Helper()
	if _, err := k.svc.DSR.Import(k.ctx, "test", "shop.yml", []byte(killDataset)); err != nil {
		k.t.Fatal(err)
	}
	if _, err := k.svc.DSR.AddConnection(k.ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: k.companyURL}); err != nil {
		k.t.Fatal(err)
	}
}

// deletion takes and approves the person's deletion request. Approval
// only enqueues: no worker runs in this process.
func (k *killRig) deletion() requests.View {
	k.t.Helper()
	v, err := k.svc.Requests.SubmitOnBehalf(k.ctx, "token:1", requests.Intake{Type: requests.TypeDeletion, Email: "gone@example.com",
		Jurisdiction: "US-CA", Channel: "phone"})
	if err != nil {
		k.t.Fatal(err)
	}
	if v.Status == requests.StatusPendingReview {
		if v, err = k.svc.Requests.Approve(k.ctx, "token:2", v.ID); err != nil {
			k.t.Fatal(err)
		}
	}
	return v
}

// loginTask is the erasure task of the login collection in run.
func (k *killRig) loginTask(run string) store.Task {
	k.t.Helper()
	ts, err := k.s.Tasks(k.ctx, run)
	if err != nil {
		k.t.Fatal(err)
	}
	for _, x := range ts {
		if x.Phase == connected.PhaseErasure && x.Collection == "shop:login" {
			return x
		}
	}
	return store.Task{}
}

// waitFor polls done until it holds, or limit has passed (false).
func waitFor(limit, poll time.Duration, done func() bool) bool {
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(poll)
	}
	return true
}

// killPartWay lets the worker erase ten batches of run's logins, kills it
// with SIGKILL and checks it had not finished: else the test proves
// nothing.
func (k *killRig) killPartWay(w *exec.Cmd, run string, poll time.Duration, stuck string) store.Task {
	k.t.Helper()
	if !waitFor(2*time.Minute, poll, func() bool { return k.loginTask(run).Done >= 10*batch }) {
		k.t.Fatal(stuck)
	}
	if err := w.Process.Kill(); err != nil {
		k.t.Fatal(err)
	}
	_ = w.Wait()
	got := k.loginTask(run)
	if got.Done >= got.Found || got.Status == store.TaskDone {
		k.t.Fatalf("the worker finished before it was killed (%d of %d); the test proves nothing", got.Done, got.Found)
	}
	return got
}

// restart starts the next worker once the dead one's job is stuck long
// enough to rescue.
func (k *killRig) restart() *exec.Cmd {
	k.t.Helper()
	time.Sleep(rescueAfter)
	return startWorker(k.t, k.dir)
}

// checkErasedOnce checks that each of the person's logins was written
// exactly once and masked, and that the other person's are intact.
func (k *killRig) checkErasedOnce() {
	k.t.Helper()
	var total, distinct, left, othersIntact int
	if err := k.company.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT id) FROM write_log`).Scan(&total, &distinct); err != nil {
		k.t.Fatal(err)
	}
	if total != mine || distinct != mine {
		k.t.Fatalf("rows written %d times over %d distinct rows; want each of %d rows written exactly once", total, distinct, mine)
	}
	if err := k.company.QueryRow(`SELECT COUNT(*) FROM login WHERE customer_id = 1 AND device LIKE 'device-%'`).Scan(&left); err != nil {
		k.t.Fatal(err)
	}
	if err := k.company.QueryRow(`SELECT COUNT(*) FROM login WHERE customer_id = 2 AND device = 'device-' || id`).Scan(&othersIntact); err != nil {
		k.t.Fatal(err)
	}
	if left != 0 || othersIntact != others {
		k.t.Fatalf("after resume: %d of the person's rows unmasked, %d of %d others intact", left, othersIntact, others)
	}
}

// TestKillAndResume starts the erasure of 10^5 rows in a worker process,
// kills it with SIGKILL part way, starts another, and checks that every row
// was erased exactly once: a trigger in the company database logs each
// write, so a row written twice would show.
func TestKillAndResume(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("kills and restarts a worker process")
	}
	k := newKillRig(t)
	ctx, s, svc := k.ctx, k.s, k.svc
	k.logWrites()
	k.connectShop()
	v := k.deletion()
	if v.Status != requests.StatusInProgress {
		t.Fatalf("request is %s", v.Status)
	}

	first := startWorker(t, k.dir)
	at := k.killPartWay(first, v.ID, 5*time.Millisecond, "the first worker made no progress")
	var written int
	if err := k.company.QueryRow(`SELECT COUNT(*) FROM write_log`).Scan(&written); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed after %d rows checkpointed, %d written", at.Done, written)

	second := k.restart()
	var status string
	if !waitFor(3*time.Minute, 100*time.Millisecond, func() bool {
		r, err := s.Request(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		status = r.Status
		return r.Status == requests.StatusCompleted
	}) {
		t.Fatalf("the request did not complete after the restart: %s, login task %+v", status, k.loginTask(v.ID))
	}
	_ = second.Process.Kill()

	k.checkErasedOnce()
	var email, name sql.NullString
	if err := k.company.QueryRow(`SELECT email, name FROM customer WHERE id = 1`).Scan(&email, &name); err != nil {
		t.Fatal(err)
	}
	if email.Valid || name.Valid {
		t.Fatalf("customer row not erased: %v %v", email, name)
	}
	if got := k.loginTask(v.ID); got.Done != mine || got.Found != mine || got.Status != store.TaskDone || len(got.Checkpoint) != 0 {
		t.Fatalf("login task after completion: done %d found %d %s, checkpoint kept: %v", got.Done, got.Found, got.Status, len(got.Checkpoint) > 0)
	}
	rep, err := audit.Verify(ctx, s, svc.Audit.Keys())
	if err != nil || !rep.OK() {
		t.Fatalf("audit chain after the kill: %+v %v", rep, err)
	}
}
