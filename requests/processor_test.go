package requests_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

// acmeController adds to the bundled policy a controller with an address
// Custos can mail, whose data sits in Custos and in the shop's logins.
const acmeController = `    - key: acme
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

// processorEnv connects the shop, publishes the policy with acme, and
// seeds Ana with her own data and data processed for two controllers.
func processorEnv(t *testing.T, s *store.Store) (*connectedEnv, string) {
	t.Helper()
	return processorEnvWith(t, s, acmeController)
}

// processorEnvWith is processorEnv with acme declared as controller.
func processorEnvWith(t *testing.T, s *store.Store, controller string) (*connectedEnv, string) {
	t.Helper()
	ctx := context.Background()
	path := shop(t)
	e := newConnectedEnv(t, s, path, false, true)
	src := string(policy.Bundled())
	at := strings.Index(src, "    - key: customers\n")
	if at < 0 {
		t.Fatal("the bundled policy has no customers controller")
	}
	src = src[:at] + controller + src[at:]
	if _, err := e.services.Policies.Publish(ctx, "test", "clientwise.yaml", []byte(src), e.clock.Now(), true); err != nil {
		t.Fatal(err)
	}
	e.seed("ana@example.com", collected("user.name", "Ana Lima"),
		records.Input{Kind: "collection", Category: "user.content", Purpose: "essential.service", Controller: "acme", Value: str("ticket 17: the invoice")},
		records.Input{Kind: "collection", Category: "user.authorization", Purpose: "essential.service.security", Controller: "customers", Value: str("login from 192.0.2.7")})
	return e, path
}

// run verifies, approves and waits for one request of Ana's.
func (e *connectedEnv) run(kind string) (requests.Verified, requests.Package) {
	e.t.Helper()
	ctx := context.Background()
	v := e.submitAndVerify(requests.Intake{Type: kind, Email: "ana@example.com", Jurisdiction: "GB"})
	if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
		e.t.Fatal(err)
	}
	e.completed(v.ID)
	p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
	if err != nil {
		e.t.Fatal(err)
	}
	return v, p
}

func history(t *testing.T, s *store.Store, id string) []string {
	t.Helper()
	evs, err := s.RequestEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action+" "+e.Note)
	}
	return out
}

func hasLine(lines []string, prefix string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
}

// checkRouted: the answer names both controllers and what each holds, the
// request's history says who was told, and acme got the mail.
func checkRouted(t *testing.T, e *connectedEnv, id string, p requests.Package) {
	t.Helper()
	if len(p.Routed) != 2 || p.Routed[0].Controller != "acme" || p.Routed[1].Controller != "customers" {
		t.Fatalf("routed = %+v", p.Routed)
	}
	acme := p.Routed[0]
	if acme.Contact != "dpo@acme.example" || !slices.Contains(acme.Categories, "Data held in customers’ and partners’ environments that Clientwise accesses to perform cloud, consulting and support services") {
		t.Fatalf("acme = %+v", acme)
	}
	if p.Routed[1].Contact != "the customer or partner whose services you use" {
		t.Fatalf("customers = %+v", p.Routed[1])
	}
	why := kept(p, "Customer Content we process for Acme Hosting")
	if !strings.Contains(why, "Please contact dpo@acme.example") || !strings.Contains(why, "covers only our own data") {
		t.Fatalf("kept = %+v", p.Kept)
	}
	h := history(t, e.store, id)
	if !hasLine(h, "controller_notified acme: mailed on 2026-03-06 (window ends 2026-03-11)") ||
		!hasLine(h, "controller_notice_due customers: tell them of the request by 2026-03-16 through the customer or partner whose services you use") {
		t.Fatalf("history %q", h)
	}
	ms := e.mails("dpo@acme.example")
	if len(ms) != 1 {
		t.Fatalf("%d mails to the controller", len(ms))
	}
	raw, _ := io.ReadAll(ms[0].Body)
	// The parts are quoted-printable; soft line breaks would split words.
	body, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	for _, w := range []string{"ana@example.com", id, "DPA-2026-7", "erase that data, export it to the person, or leave it"} {
		if !bytes.Contains(body, []byte(w)) {
			t.Errorf("the controller's mail does not say %q:\n%s", w, body)
		}
	}
}

func TestProcessorAccess(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e, _ := processorEnv(t, s)
		v, p := e.run("access")
		var cats []string
		for _, pc := range p.Pieces {
			cats = append(cats, pc.Category)
		}
		if !slices.Equal(cats, []string{"user.name"}) {
			t.Fatalf("the answer shows %v; want the company's own data only", cats)
		}
		if _, ok := p.Collections["shop:customer"]; !ok {
			t.Fatalf("the company's own rows are missing: %v", p.Collections)
		}
		if _, ok := p.Collections["shop:login"]; ok {
			t.Fatalf("acme's rows are in the company's answer: %v", p.Collections)
		}
		checkRouted(t, e, v.ID, p)
		if got := p.Routed[0].Systems; !slices.Equal(got, []string{"shop:login"}) {
			t.Fatalf("acme's systems = %v", got)
		}

		// The officer acts on the controllers' instructions.
		if _, err := e.svc.ControllerInstruction(ctx, "token:1", v.ID, "acme", "export"); err != nil {
			t.Fatal(err)
		}
		p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(p.Collections["shop:login"]); got != 3 {
			t.Fatalf("acme's export added %d logins to the answer, want 3: %v", got, p.Collections)
		}
		if !slices.ContainsFunc(p.Connected, func(c requests.ConnectedCollection) bool { return c.Collection == "shop:login" }) {
			t.Fatalf("the answer does not describe the logins: %+v", p.Connected)
		}
		if !slices.ContainsFunc(p.Pieces, func(pc requests.Piece) bool {
			return pc.Category == "user.content" && pc.Value != nil && *pc.Value == "ticket 17: the invoice"
		}) || slices.ContainsFunc(p.Pieces, func(pc requests.Piece) bool { return pc.Category == "user.authorization" }) {
			t.Fatalf("after acme's export: %+v", p.Pieces)
		}
		if _, err := e.svc.ControllerInstruction(ctx, "token:1", v.ID, "customers", "leave"); err != nil {
			t.Fatal(err)
		}
		refusals := []struct{ controller, action, code string }{
			{"acme", "erase", "instruction_recorded"},
			{"globex", "erase", "not_routed"},
			{"acme", "shred", custos.CodeInvalidRequest},
			{"", "erase", custos.CodeInvalidRequest},
		}
		for _, r := range refusals {
			_, err := e.svc.ControllerInstruction(ctx, "token:1", v.ID, r.controller, r.action)
			var ce *custos.Error
			if !errors.As(err, &ce) || ce.Code != r.code {
				t.Errorf("instruction %s/%s: err = %v, want %s", r.controller, r.action, err, r.code)
			}
		}
		h := history(t, s, v.ID)
		if !hasLine(h, "controller_instruction acme: export: 1 records added to the person's answer, and 3 rows from connected systems (shop:login 3)") || !hasLine(h, "controller_instruction customers: leave") {
			t.Fatalf("history %q", h)
		}
	})
}

// TestProcessorMetrics: the yearly metrics count a request that reached
// Customer Content as a request to the company, and count apart, labelled,
// that it was routed to the controllers it reached.
func TestProcessorMetrics(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e, _ := processorEnv(t, s)
		e.run("access")
		// Another request, of someone the controllers hold nothing of.
		v := e.submitAndVerify(requests.Intake{Type: "access", Email: "zoe@example.com", Jurisdiction: "GB"})
		if _, err := e.svc.Approve(context.Background(), "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		e.completed(v.ID)
		r, err := e.svc.Report(context.Background(), 2026)
		if err != nil {
			t.Fatal(err)
		}
		if got := received(r.Types); got != 2 {
			t.Fatalf("access received %d, want 2", got)
		}
		fc := r.ForControllers
		if fc == nil || fc.Label != requests.RoutedLabel || len(fc.Types) != 1 || fc.Types[0] != (requests.RoutedCount{Type: "access", Routed: 1}) ||
			len(fc.Controllers) != 2 || fc.Controllers[0] != (requests.ControllerCount{Controller: "acme", Requests: 1}) ||
			fc.Controllers[1] != (requests.ControllerCount{Controller: "customers", Requests: 1}) {
			t.Fatalf("routed to controllers = %+v", fc)
		}
		if r, _ := e.svc.Report(context.Background(), 2025); r.ForControllers != nil {
			t.Fatalf("2025 has no requests, yet %+v", r.ForControllers)
		}
	})
}

func TestProcessorDeletion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e, path := processorEnv(t, s)
		v, p := e.run("deletion")
		checkRouted(t, e, v.ID, p)
		if !strings.HasPrefix(p.Summary, "Your personal information was deleted, except what we process on behalf of others") {
			t.Fatalf("summary %q", p.Summary)
		}
		if got := shopRows(t, path, `SELECT email, name FROM customer ORDER BY id`); !slices.Equal(got, []string{"|", "bob@example.com|Bob Stone"}) {
			t.Fatalf("the company's own rows were not erased: %v", got)
		}
		// The logins are the customers' data, processed on their behalf:
		// the person's deletion leaves them for the controller to decide.
		if got := shopRows(t, path, `SELECT id, device FROM login WHERE customer_id = 1 ORDER BY id`); !slices.Equal(got, []string{"1|ana-phone", "2|ana-laptop", "3|ana-tablet"}) {
			t.Fatalf("a deletion touched rows held for a controller: %v", got)
		}
		sid, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "ana@example.com"})
		if err != nil {
			t.Fatalf("the person is gone before the controllers decided: %v", err)
		}
		controllers := func() []string {
			rows, err := s.SubjectEvents(ctx, sid)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, r.Controller)
			}
			return out
		}
		if got := controllers(); !slices.Equal(got, []string{"acme", "customers"}) {
			t.Fatalf("after the deletion the events are of %q; want the controllers' only", got)
		}

		if _, err := e.svc.ControllerInstruction(ctx, "token:1", v.ID, "acme", "erase"); err != nil {
			t.Fatal(err)
		}
		if got := controllers(); !slices.Equal(got, []string{"customers"}) {
			t.Fatalf("after acme's erase the events are of %q", got)
		}
		// acme's instruction reaches its collections in the connected
		// systems too: the logins are erased now, and nothing else.
		if got := shopRows(t, path, `SELECT id, device FROM login WHERE customer_id = 1 ORDER BY id`); !slices.Equal(got, []string{"1|", "2|", "3|"}) {
			t.Fatalf("after acme's erase the logins are %v", got)
		}
		if got := shopRows(t, path, `SELECT id, device FROM login WHERE customer_id = 2`); !slices.Equal(got, []string{"4|bob-phone"}) {
			t.Fatalf("acme's erase touched another person's login: %v", got)
		}
		if got := shopRows(t, path, `SELECT email, name FROM customer ORDER BY id`); !slices.Equal(got, []string{"|", "bob@example.com|Bob Stone"}) {
			t.Fatalf("acme's erase touched the customers: %v", got)
		}
		if !hasLine(history(t, s, v.ID), "controller_instruction acme: erase: 1 records erased in Custos; 3 rows erased in connected systems (shop:login 3)") {
			t.Fatalf("history %q", history(t, s, v.ID))
		}
		if _, err := e.svc.ControllerInstruction(ctx, "token:1", v.ID, "customers", "erase"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.records.SubjectRecords(ctx, "test", "test", sid); !errors.Is(err, vault.ErrErased) {
			t.Fatalf("with nothing left the person's key should be destroyed: %v", err)
		}
		if !hasLine(history(t, s, v.ID), "controller_instruction customers: erase: 1 records erased in Custos, and the person's key destroyed") {
			t.Fatalf("history %q", history(t, s, v.ID))
		}
		// Every instruction recorded, no found rows linger in the runs.
		for _, run := range []string{v.ID, v.ID + "/controller/acme"} {
			ts, err := s.Tasks(ctx, run)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range ts {
				if len(tk.Checkpoint) > 0 {
					t.Fatalf("run %s: task %s/%s keeps its rows", run, tk.Phase, tk.Collection)
				}
			}
		}
	})
}

// TestProcessorDeletionRoutesSystems: Bob has no Customer Content in
// Custos, only acme's logins in the shop. His deletion erases his own
// customer row, leaves the login, and routes it to acme: the answer names
// acme, not the collection, acme is mailed, and its instruction erases it.
func TestProcessorDeletionRoutesSystems(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e, path := processorEnv(t, s)
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "bob@example.com", Jurisdiction: "GB"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		e.completed(v.ID)
		p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Routed) != 1 || p.Routed[0].Controller != "acme" || !slices.Equal(p.Routed[0].Systems, []string{"shop:login"}) {
			t.Fatalf("routed = %+v", p.Routed)
		}
		if why := kept(p, "shop:login"); why != "" {
			t.Fatalf("the collection held for acme is listed as kept: %q", why)
		}
		if got := shopRows(t, path, `SELECT email, name FROM customer WHERE id = 2`); !slices.Equal(got, []string{"|"}) {
			t.Fatalf("Bob's own row: %v", got)
		}
		if got := shopRows(t, path, `SELECT id, device FROM login WHERE customer_id = 2`); !slices.Equal(got, []string{"4|bob-phone"}) {
			t.Fatalf("Bob's login before acme's instruction: %v", got)
		}
		if !hasLine(history(t, s, v.ID), "controller_notified acme: mailed on") || len(e.mails("dpo@acme.example")) != 1 {
			t.Fatalf("acme was not told: %q", history(t, s, v.ID))
		}
		if _, err := e.svc.ControllerInstruction(ctx, "token:1", v.ID, "acme", "erase"); err != nil {
			t.Fatal(err)
		}
		if got := shopRows(t, path, `SELECT id, device FROM login WHERE customer_id = 2`); !slices.Equal(got, []string{"4|"}) {
			t.Fatalf("Bob's login after acme's instruction: %v", got)
		}
		if got := shopRows(t, path, `SELECT id, device FROM login WHERE customer_id = 1 ORDER BY id`); !slices.Equal(got, []string{"1|ana-phone", "2|ana-laptop", "3|ana-tablet"}) {
			t.Fatalf("acme's instruction for Bob touched Ana's logins: %v", got)
		}
	})
}
