package jobs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
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
	k := newKillRig(t)
	ctx, s, svc := k.ctx, k.s, k.svc
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
	k.connectShop()
	v := k.deletion()
	await := func(what string, limit time.Duration, done func() bool) {
		t.Helper()
		if !waitFor(limit, 20*time.Millisecond, done) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
	// The person's deletion erases the customer and leaves acme's logins.
	first := startWorker(t, k.dir)
	await("the person's deletion", 2*time.Minute, func() bool {
		r, err := s.Request(ctx, v.ID)
		return err == nil && r.Status == requests.StatusCompleted
	})
	k.logWrites()

	// The instruction is written with its job; this process works no jobs.
	svc.Requests.InstructionWait = 0
	if _, err := svc.Requests.ControllerInstruction(ctx, "token:2", v.ID, "acme", requests.InstructErase); err != nil {
		t.Fatal(err)
	}
	run := v.ID + "/controller/acme"
	k.killPartWay(first, run, 20*time.Millisecond, "timed out waiting for the instruction's erasure to start")
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

	second := k.restart()
	recorded := ""
	await("the instruction to be recorded", 3*time.Minute, func() bool {
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
	_ = waitFor(time.Minute, 20*time.Millisecond, func() bool { return kept() == "" })
	if what := kept(); what != "" {
		t.Errorf("%s keeps its rows after the instruction", what)
	}
	_ = second.Process.Kill()

	want := fmt.Sprintf("controller_instruction token:2 acme: erase: nothing held in Custos; %d rows erased in connected systems (shop:login %d)", mine, mine)
	if recorded != want {
		t.Fatalf("recorded %q, want %q", recorded, want)
	}
	k.checkErasedOnce()
}
