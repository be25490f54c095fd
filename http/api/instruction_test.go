package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/jobs"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// acmeOverLogins adds to the bundled policy a controller whose data sits
// in Custos and in the shop's logins, which the shop reaches only through
// its asynchronous webhook.
const acmeOverLogins = `    - key: acme
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
`

// withAcme publishes the bundled policy with acme, and records Ana's own
// e-mail and a ticket processed for acme.
func withAcme(t *testing.T, f *connFixture) {
	t.Helper()
	src := string(policy.Bundled())
	at := strings.Index(src, "    - key: customers\n")
	if at < 0 {
		t.Fatal("the bundled policy has no customers controller")
	}
	src = src[:at] + acmeOverLogins + src[at:]
	if _, err := f.svc.Policies.Publish(context.Background(), "test", "clientwise.yaml", []byte(src), time.Now(), true); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.contact.email","source":"online_channels","purpose":"essential.service","value":"ana@example.com"}`,
		`{"kind":"collection","subject":{"email":"ana@example.com"},"category":"user.content","purpose":"essential.service","controller":"acme","value":"ticket 17"}`,
	} {
		if status, _, b := f.do(t, "POST", "/api/v1/events", custos.RoleIngest, body); status != 201 {
			t.Fatalf("event %d %s", status, b)
		}
	}
}

func historyOf(t *testing.T, s *store.Store, id string) []string {
	t.Helper()
	evs, err := s.RequestEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action+" "+e.Actor+" "+e.Note)
	}
	return out
}

func count(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// waitInstructed waits for the instruction of acme on id to be recorded.
func waitInstructed(t *testing.T, f *connFixture, id string) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		h := historyOf(t, f.store, id)
		if count(h, "controller_instruction ") > 0 {
			return h
		}
		if time.Now().After(deadline) {
			_, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id+"%2Fcontroller%2Facme/tasks", custos.RoleAdmin, "")
			t.Fatalf("the instruction was not carried out: %q; the run's tasks: %s", h, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestControllerInstructionAsyncWebhook: a deletion leaves the shop's
// logins, which are acme's, for acme to decide. The officer records acme's
// erase instruction; the logins are reached only through a webhook that
// answers every call 202 and posts the signed result back later. The
// call returns 202 at once, and each callback wakes the instruction's own
// job (not the person's run), which runs on, scoped to acme's collections,
// until it erases the logins and records the instruction. Running the job
// again changes nothing.
func TestControllerInstructionAsyncWebhook(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setupConnected(t, s)
		withAcme(t, f)
		id := f.submit(t, "deletion")
		f.waitCompleted(t, id)
		if rows := query(t, f.company, `SELECT id || '|' || COALESCE(device, '-') FROM login ORDER BY id`); strings.Join(rows, ",") != "1|ana-phone,2|ana-laptop,3|bob-phone" {
			t.Fatalf("the person's deletion touched acme's logins: %v", rows)
		}

		// Returned at once: the webhook answers only by callback.
		f.svc.Requests.InstructionWait = 0
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/controller-instruction", custos.RolePrivacyOfficer, `{"controller":"acme","action":"erase"}`)
		if status != http.StatusAccepted || !strings.Contains(string(b), "acme: erase: being carried out in the connected systems") {
			t.Fatalf("instruction: %d %s", status, b)
		}
		// A different instruction while it runs is refused.
		status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/controller-instruction", custos.RoleAdmin, `{"controller":"acme","action":"leave"}`)
		// (Or, should the webhook have answered already, the recorded one.)
		if code := errorCode(t, b); status != http.StatusConflict || (code != "instruction_running" && code != "instruction_recorded") {
			t.Fatalf("a changed instruction while one runs: %d %s", status, b)
		}

		h := waitInstructed(t, f, id)
		// Recorded as the officer's, who gave it, with what it did.
		if count(h, "controller_instruction token:") != 1 ||
			!strings.Contains(strings.Join(h, "\n"), " acme: erase: 1 records erased in Custos, and the person's key destroyed (nothing else was held); 2 rows erased in connected systems (shop:login 2)") {
			t.Fatalf("history %q", h)
		}
		if rows := query(t, f.company, `SELECT id || '|' || COALESCE(device, '-') FROM login ORDER BY id`); strings.Join(rows, ",") != "1|-,2|-,3|bob-phone" {
			t.Fatalf("logins after acme's erase: %v", rows)
		}
		if rows := query(t, f.company, `SELECT COALESCE(email, '-') FROM customer ORDER BY id`); strings.Join(rows, ",") != "-,bob@example.com" {
			t.Fatalf("customers after acme's erase: %v", rows)
		}
		run := id + "/controller/acme"
		ts, err := s.Tasks(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range ts {
			got = append(got, tk.Phase+"/"+tk.Collection+" "+tk.Status)
			if len(tk.Checkpoint) > 0 {
				t.Errorf("task %s/%s keeps its rows", tk.Phase, tk.Collection)
			}
		}
		if !strings.Contains(strings.Join(got, ","), "erasure/shop:login done") || strings.Contains(strings.Join(got, ","), "erasure/shop:customer") {
			t.Fatalf("the instruction's run: %v", got)
		}

		// Idempotent: the job run again (a late callback wakes it) and the
		// instruction given again do nothing more.
		if err := f.svc.Requests.Fulfil(ctx, "system", run); err != nil {
			t.Fatal(err)
		}
		status, _, b = f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/controller-instruction", custos.RolePrivacyOfficer, `{"controller":"acme","action":"erase"}`)
		if status != http.StatusConflict || errorCode(t, b) != "instruction_recorded" {
			t.Fatalf("the instruction again: %d %s", status, b)
		}
		if h := historyOf(t, s, id); count(h, "controller_instruction ") != 1 {
			t.Fatalf("history after repeats %q", h)
		}
	})
}

// TestControllerInstructionSurvivesRestart: the instruction's job is
// written with the instruction, so one given while no worker runs (a
// server killed the moment it answered) is carried out, once, by the next
// server's queue.
func TestControllerInstructionSurvivesRestart(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setupConnected(t, s)
		withAcme(t, f)
		id := f.submit(t, "deletion")
		f.waitCompleted(t, id)
		sctx, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		if err := f.svc.Queue.Stop(sctx); err != nil {
			t.Fatal(err)
		}
		f.svc.Requests.InstructionWait = 0
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/controller-instruction", custos.RolePrivacyOfficer, `{"controller":"acme","action":"erase"}`)
		if status != http.StatusAccepted {
			t.Fatalf("instruction: %d %s", status, b)
		}
		if rows := query(t, f.company, `SELECT COALESCE(device, '-') FROM login WHERE customer_id = 1 ORDER BY id`); strings.Join(rows, ",") != "ana-phone,ana-laptop" {
			t.Fatalf("erased with no worker running: %v", rows)
		}
		q, err := jobs.New(s, f.svc.Requests, jobs.Options{Poll: 100 * time.Millisecond, Wait: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := q.Start(qctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
			defer stop()
			_ = q.Stop(sctx)
		})
		h := waitInstructed(t, f, id)
		if count(h, "controller_instruction ") != 1 || count(h, "controller_instruction_started ") != 1 {
			t.Fatalf("history %q", h)
		}
		if rows := query(t, f.company, `SELECT id || '|' || COALESCE(device, '-') FROM login ORDER BY id`); strings.Join(rows, ",") != "1|-,2|-,3|bob-phone" {
			t.Fatalf("logins after acme's erase: %v", rows)
		}
	})
}

// TestControllerInstructionExportAsyncWebhook: acme's export instruction
// on an access request reads acme's logins through the asynchronous
// webhook; the callbacks wake the instruction's job, which adds the rows
// and acme's records to the person's answer and records it.
func TestControllerInstructionExportAsyncWebhook(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setupConnected(t, s)
		withAcme(t, f)
		id := f.submit(t, "access")
		f.waitCompleted(t, id)
		f.svc.Requests.InstructionWait = 0
		status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/controller-instruction", custos.RolePrivacyOfficer, `{"controller":"acme","action":"export"}`)
		if status != http.StatusAccepted && status != http.StatusOK {
			t.Fatalf("instruction: %d %s", status, b)
		}
		h := waitInstructed(t, f, id)
		if !strings.Contains(strings.Join(h, "\n"), "acme: export: 1 records added to the person's answer, and 2 rows from connected systems (shop:login 2)") {
			t.Fatalf("history %q", h)
		}
		// Reading leaves the shop as it was.
		if rows := query(t, f.company, `SELECT id || '|' || COALESCE(device, '-') FROM login ORDER BY id`); strings.Join(rows, ",") != "1|ana-phone,2|ana-laptop,3|bob-phone" {
			t.Fatalf("logins after acme's export: %v", rows)
		}
	})
}
