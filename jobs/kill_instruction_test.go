package jobs_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

// TestKillInstructionAndResume: a controller's erase instruction over the
// logins it holds (10^5 rows) is carried out by its job in a worker
// process, which is killed with SIGKILL part way. The next worker finishes
// it: every row is erased exactly once (a trigger logs each write), the
// other person's rows and the company's own are untouched, the instruction
// is recorded once, and no found rows linger.
func TestKillInstructionAndResume(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("kills and restarts a worker process")
	}
	ctx := context.Background()
	const mine, others = 100_000, 1_000

	companyURL := storetest.PostgresSchemaDSN(t)
	company, err := sql.Open("pgx", companyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer company.Close()
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
	src := string(policy.Bundled())
	at := strings.Index(src, "    - key: customers\n")
	if at < 0 {
		t.Fatal("the bundled policy has no customers controller")
	}
	src = src[:at] + `    - key: acme
      name: Acme Hosting
      contact:
        email: dpo@acme.example
      agreement:
        reference: DPA-2026-7
        date: "2026-01-05"
      notify_within_days: 5
      categories: [user.content, user.authorization]
      purposes: [essential.service, essential.service.security]
      datasets: [shop.login]
` + src[at:]
	if _, err := svc.Policies.Publish(ctx, "test", "clientwise.yaml", []byte(src), time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.Import(ctx, "test", "shop.yml", []byte(killDataset)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: "shop", URL: companyURL}); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Requests.SubmitOnBehalf(ctx, "token:1", requests.Intake{Type: requests.TypeDeletion, Email: "gone@example.com",
		Jurisdiction: "US-CA", Channel: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status == requests.StatusPendingReview {
		if v, err = svc.Requests.Approve(ctx, "token:2", v.ID); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(what string, limit time.Duration, done func() bool) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for !done() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The person's deletion erases the customer and leaves acme's logins.
	first := startWorker(t, dir)
	waitFor("the person's deletion", 2*time.Minute, func() bool {
		r, err := s.Request(ctx, v.ID)
		return err == nil && r.Status == requests.StatusCompleted
	})
	if _, err := company.Exec(`CREATE TRIGGER login_written AFTER UPDATE ON login FOR EACH ROW EXECUTE FUNCTION log_write()`); err != nil {
		t.Fatal(err)
	}

	// The instruction is written with its job; this process works no jobs.
	svc.Requests.InstructionWait = 0
	if _, err := svc.Requests.ControllerInstruction(ctx, "token:2", v.ID, "acme", requests.InstructErase); err != nil {
		t.Fatal(err)
	}
	run := v.ID + "/controller/acme"
	loginTask := func() store.Task {
		ts, err := s.Tasks(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			if x.Phase == connected.PhaseErasure && x.Collection == "shop:login" {
				return x
			}
		}
		return store.Task{}
	}
	waitFor("the instruction's erasure to start", 2*time.Minute, func() bool { return loginTask().Done >= 10*batch })
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	if got := loginTask(); got.Done >= got.Found || got.Status == store.TaskDone {
		t.Fatalf("the worker finished before it was killed (%d of %d); the test proves nothing", got.Done, got.Found)
	}
	history := func() []string {
		evs, err := s.RequestEvents(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.Action+" "+e.Actor+" "+e.Note)
		}
		return out
	}
	for _, l := range history() {
		if strings.HasPrefix(l, "controller_instruction ") {
			t.Fatalf("recorded before it was done: %q", l)
		}
	}

	time.Sleep(rescueAfter) // the dead worker's job is now stuck long enough to rescue
	second := startWorker(t, dir)
	recorded := ""
	waitFor("the instruction to be recorded", 3*time.Minute, func() bool {
		for _, l := range history() {
			if strings.HasPrefix(l, "controller_instruction ") {
				recorded = l
				return true
			}
		}
		return false
	})
	// The found rows are dropped right after the record, by the same job.
	kept := func() string {
		for _, id := range []string{v.ID, run} {
			ts, err := s.Tasks(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range ts {
				if len(x.Checkpoint) > 0 {
					return "run " + id + ": task " + x.Phase + "/" + x.Collection
				}
			}
		}
		return ""
	}
	deadline := time.Now().Add(time.Minute)
	for kept() != "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if k := kept(); k != "" {
		t.Errorf("%s keeps its rows after the instruction", k)
	}
	_ = second.Process.Kill()

	want := fmt.Sprintf("controller_instruction token:2 acme: erase: nothing held in Custos; %d rows erased in connected systems (shop:login %d)", mine, mine)
	if recorded != want {
		t.Fatalf("recorded %q, want %q", recorded, want)
	}
	var total, distinct, left, othersIntact int
	if err := company.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT id) FROM write_log`).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if total != mine || distinct != mine {
		t.Fatalf("rows written %d times over %d distinct rows; want each of %d rows written exactly once", total, distinct, mine)
	}
	if err := company.QueryRow(`SELECT COUNT(*) FROM login WHERE customer_id = 1 AND device LIKE 'device-%'`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if err := company.QueryRow(`SELECT COUNT(*) FROM login WHERE customer_id = 2 AND device = 'device-' || id`).Scan(&othersIntact); err != nil {
		t.Fatal(err)
	}
	if left != 0 || othersIntact != others {
		t.Fatalf("after resume: %d of the person's rows unmasked, %d of %d others intact", left, othersIntact, others)
	}
}
