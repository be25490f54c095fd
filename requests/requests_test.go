package requests_test

import (
	"context"
	"errors"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/notify"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

type env struct {
	t       *testing.T
	store   *store.Store
	clock   *custos.FixedClock
	records *records.Service
	consent *consent.Service
	outbox  *notify.Outbox
	svc     *requests.Service
	maildir string
	wired   *wire.Services
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	return newEnvWith(t, s, policy.Bundled())
}

// newEnvWith is newEnv with the policy yml active.
func newEnvWith(t *testing.T, s *store.Store, yml []byte) *env {
	t.Helper()
	e := &env{t: t, store: s, clock: &custos.FixedClock{T: time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)}} // a Friday
	w := wiretest.New(t, wiretest.Options{Store: s, Clock: e.clock, UnsignedAudit: true, BaseURL: "https://custos.example", Mail: true,
		Policy: wire.Policy{Actor: "test", Name: policy.BundledName, Source: yml}})
	e.maildir = w.MailDir
	e.records, e.consent, e.outbox, e.svc, e.wired = w.Records, w.Consent, w.Outbox, w.Requests, w.Services
	return e
}

// mails delivers the outbox and returns every message sent to addr, oldest first.
func (e *env) mails(addr string) []*mail.Message {
	e.t.Helper()
	if _, err := e.outbox.Flush(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(e.maildir, "new", "*"))
	sort.Strings(files)
	var out []*mail.Message
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			e.t.Fatal(err)
		}
		m, err := mail.ReadMessage(fh)
		if err != nil {
			e.t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(m.Header.Get("To")), strings.ToLower(addr)) {
			b, _ := io.ReadAll(m.Body)
			m.Body = strings.NewReader(string(b))
			out = append(out, m)
		}
		fh.Close()
	}
	return out
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// code reads the latest verification code mailed to addr.
func (e *env) code(addr string) string {
	e.t.Helper()
	ms := e.mails(addr)
	for i := len(ms) - 1; i >= 0; i-- {
		b, _ := io.ReadAll(ms[i].Body)
		if m := codeRE.FindStringSubmatch(string(b)); m != nil {
			return m[1]
		}
	}
	e.t.Fatalf("no code mailed to %s", addr)
	return ""
}

func (e *env) seed(email string, evs ...records.Input) {
	e.t.Helper()
	for _, in := range evs {
		in.Subject = custos.SubjectRef{Email: email}
		if _, err := e.records.Record(context.Background(), "test", in); err != nil {
			e.t.Fatal(err)
		}
	}
}

func str(s string) *string { return &s }

func collected(category, value string) records.Input {
	return records.Input{Kind: "collection", Category: category, Source: "online_channels", Purpose: "essential.service", Value: str(value)}
}

// submitAndVerify runs the person's side: request, code from the mailbox, verify.
func (e *env) submitAndVerify(in requests.Intake) requests.Verified {
	e.t.Helper()
	ctx := context.Background()
	id, err := e.svc.Submit(ctx, in, "192.0.2.1", false)
	if err != nil {
		e.t.Fatal(err)
	}
	v, err := e.svc.Verify(ctx, id, e.code(in.Email))
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func TestAccessEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		e.seed("ana@example.com", collected("user.name", "Ana Lima"), collected("user.financial.credit_card", "4111111111111111"))
		v := e.submitAndVerify(requests.Intake{Type: "access", Email: "Ana@Example.com", Jurisdiction: "US-CA"})
		if v.Status != requests.StatusPendingReview || v.AccessToken == "" {
			t.Fatalf("verified = %+v", v)
		}
		checkAcknowledged(t, e, v)
		if _, err := e.svc.Result(ctx, v.ID, v.AccessToken); custos.ErrorCode(err) != "not_ready" {
			t.Fatalf("result before approval: %v", err)
		}
		if _, err := e.svc.Approve(ctx, "token:7", v.ID); err != nil {
			t.Fatal(err)
		}
		st, err := e.svc.Status(ctx, v.ID, v.AccessToken)
		if err != nil || st.Status != requests.StatusCompleted || !st.ResultReady {
			t.Fatalf("status = %+v, %v", st, err)
		}
		p, err := e.svc.Result(ctx, v.ID, v.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		checkAnaPackage(t, p)
		// A wrong token and a wrong id get the same answer.
		if _, err := e.svc.Status(ctx, v.ID, "nope"); !errors.Is(err, requests.ErrBadAccess) {
			t.Fatalf("wrong token: %v", err)
		}
		if _, err := e.svc.Status(ctx, "req_nope", v.AccessToken); !errors.Is(err, requests.ErrBadAccess) {
			t.Fatalf("wrong id: %v", err)
		}
		if ms := e.mails("ana@example.com"); !strings.Contains(ms[len(ms)-1].Header.Get("Subject"), "ready") && !strings.Contains(ms[len(ms)-1].Header.Get("Subject"), "complete") {
			t.Fatalf("completion mail subject %q", ms[len(ms)-1].Header.Get("Subject"))
		}
	})
}

// checkAcknowledged: the person was told of receipt, with the due date (10
// business days to acknowledge in California).
func checkAcknowledged(t *testing.T, e *env, v requests.Verified) {
	t.Helper()
	view, err := e.svc.Get(context.Background(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !view.DueAt.Equal(e.clock.T.AddDate(0, 0, 45)) || view.AcknowledgeBy == nil || !view.AcknowledgeBy.Equal(time.Date(2026, 3, 20, 15, 0, 0, 0, time.UTC)) || !view.SubjectKnown {
		t.Fatalf("deadlines = %+v", view)
	}
	if ms := e.mails("ana@example.com"); len(ms) != 2 || !strings.Contains(ms[1].Header.Get("Subject"), "received") {
		t.Fatalf("mails: %d, last subject %q", len(ms), ms[len(ms)-1].Header.Get("Subject"))
	}
}

// checkAnaPackage: Ana's name is shown, her card number held but withheld.
func checkAnaPackage(t *testing.T, p requests.Package) {
	t.Helper()
	var name, card *requests.Piece
	for i := range p.Pieces {
		switch p.Pieces[i].Category {
		case "user.name":
			name = &p.Pieces[i]
		case "user.financial.credit_card":
			card = &p.Pieces[i]
		}
	}
	if name == nil || *name.Value != "Ana Lima" || card == nil || !card.Withheld || card.Value != nil || len(p.Categories) != 2 {
		t.Fatalf("package = %+v", p)
	}
}

func TestNoEnumeration(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		e.seed("known@example.com", collected("user.name", "Known"))
		idKnown, err1 := e.svc.Submit(ctx, requests.Intake{Type: "access", Email: "known@example.com", Jurisdiction: "US-CA"}, "192.0.2.1", false)
		idUnknown, err2 := e.svc.Submit(ctx, requests.Intake{Type: "access", Email: "stranger@example.com", Jurisdiction: "US-CA"}, "192.0.2.1", false)
		if err1 != nil || err2 != nil || len(idKnown) != len(idUnknown) {
			t.Fatalf("%v %v", err1, err2)
		}
		for _, addr := range []string{"known@example.com", "stranger@example.com"} {
			ms := e.mails(addr)
			if len(ms) != 1 {
				t.Fatalf("%s got %d mails", addr, len(ms))
			}
		}
		a, _ := e.svc.Get(ctx, idKnown)
		b, _ := e.svc.Get(ctx, idUnknown)
		if a.Status != b.Status || a.Status != requests.StatusAwaitingVerification {
			t.Fatalf("statuses differ: %s %s", a.Status, b.Status)
		}
		// The stranger verifies too, and learns only that nothing is held.
		v, err := e.svc.Verify(ctx, idUnknown, e.code("stranger@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		p, _ := e.svc.Result(ctx, v.ID, v.AccessToken)
		if len(p.Pieces) != 0 || !strings.Contains(p.Summary, "no personal information") {
			t.Fatalf("stranger's package = %+v", p)
		}
	})
}

func TestLockoutAndExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		id, _ := e.svc.Submit(ctx, requests.Intake{Type: "access", Email: "lock@example.com", Jurisdiction: "GB"}, "192.0.2.1", false)
		good := e.code("lock@example.com")
		wrong := "000000"
		if good == wrong {
			wrong = "000001"
		}
		for i := 1; i <= 4; i++ {
			if _, err := e.svc.Verify(ctx, id, wrong); !errors.Is(err, requests.ErrInvalidCode) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, err := e.svc.Verify(ctx, id, wrong); !errors.Is(err, requests.ErrLocked) {
			t.Fatalf("fifth wrong code: %v", err)
		}
		if _, err := e.svc.Verify(ctx, id, good); !errors.Is(err, requests.ErrLocked) || custos.AsError(err).Kind != custos.KindTooMany {
			t.Fatalf("right code after lockout: %v", err)
		}
		id2, _ := e.svc.Submit(ctx, requests.Intake{Type: "access", Email: "slow@example.com", Jurisdiction: "GB"}, "192.0.2.1", false)
		code := e.code("slow@example.com")
		e.clock.T = e.clock.T.Add(11 * time.Minute)
		if _, err := e.svc.Verify(ctx, id2, code); !errors.Is(err, requests.ErrCodeExpired) {
			t.Fatalf("expired code: %v", err)
		}
	})
}

func TestSelfServiceTypes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		decide := func(email, purpose, j string) consent.Decision {
			d, err := e.consent.DecideFor(custos.SubjectRef{Email: email}, "", purpose, "", j)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		// Opt-out and objection need no review: done once verified.
		v := e.submitAndVerify(requests.Intake{Type: "opt_out", Email: "o@example.com", Jurisdiction: "US-CA"})
		if v.Status != requests.StatusCompleted {
			t.Fatalf("opt_out status %s", v.Status)
		}
		if d := decide("o@example.com", "third_party_sharing", "US-CA"); d.Reason != consent.ReasonOptedOut {
			t.Fatalf("after opt-out: %+v", d)
		}
		v = e.submitAndVerify(requests.Intake{Type: "objection", Email: "o@example.com", Jurisdiction: "DE"})
		if v.Status != requests.StatusCompleted || decide("o@example.com", "marketing.communications.email", "US").Reason != consent.ReasonOptedOut {
			t.Fatalf("objection: %+v", v)
		}
		// Restriction: only storage and legal obligations remain.
		e.seed("r@example.com", collected("user.name", "R"))
		v = e.submitAndVerify(requests.Intake{Type: "restriction", Email: "r@example.com", Jurisdiction: "DE"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		if d := decide("r@example.com", "essential.service", "DE"); d.Reason != consent.ReasonRestricted {
			t.Fatalf("after restriction: %+v", d)
		}
		// Correction: the corrected value is what access shows next.
		e.seed("c@example.com", collected("user.contact.address", "1 Wrong Road"))
		v = e.submitAndVerify(requests.Intake{Type: "correction", Email: "c@example.com", Jurisdiction: "DE",
			Corrections: map[string]string{"user.contact.address": "2 Right Road", "user.job_title": "Engineer"}})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		p, _ := e.svc.Result(ctx, v.ID, v.AccessToken)
		if len(p.Actions) != 1 || len(p.Kept) != 1 {
			t.Fatalf("correction package = %+v", p)
		}
		sid, _ := e.records.FindSubject(ctx, custos.SubjectRef{Email: "c@example.com"})
		recs, _ := e.records.SubjectRecords(ctx, "test", "test", sid)
		if *recs.Events[0].Value != "2 Right Road" {
			t.Fatalf("after correction: %q", *recs.Events[0].Value)
		}
	})
}

func TestDeletion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		e.seed("d@example.com", collected("user.name", "Dee"),
			records.Input{Kind: "disclosure", Category: "user.contact.email", Recipient: "third_party_marketers", Purpose: "third_party_sharing"})
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "d@example.com", Jurisdiction: "US-CA"})
		view, err := e.svc.Approve(ctx, "token:1", v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "d@example.com"}); !errors.Is(err, custos.ErrNotFound) {
			t.Fatal("the person is still on record")
		}
		p, _ := e.svc.Result(ctx, v.ID, v.AccessToken)
		if !strings.Contains(strings.Join(p.Actions, " "), "2 records") || len(p.Kept) != 2 {
			t.Fatalf("deletion package = %+v", p)
		}
		due := false
		for _, h := range view.History {
			due = due || (h.Action == "recipient_notice_due" && strings.HasPrefix(h.Note, "third_party_marketers"))
		}
		if !due {
			t.Fatalf("the recipient's notice is not in the history: %+v", view.History)
		}
	})
}

func TestLimitsDuplicatesAndAppeal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		in := requests.Intake{Type: "access", Email: "twice@example.com", Jurisdiction: "US-CA"}
		first := e.submitAndVerify(in)
		// While the first is open, the same request again is linked to it.
		dup := e.submitAndVerify(in)
		if dup.Status != requests.StatusCanceled || dup.DuplicateOf != first.ID {
			t.Fatalf("duplicate = %+v", dup)
		}
		if _, err := e.svc.Approve(ctx, "token:1", first.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.T = e.clock.T.AddDate(0, 2, 0)
		second := e.submitAndVerify(requests.Intake{Type: "categories", Email: "twice@example.com", Jurisdiction: "US-CA"})
		if _, err := e.svc.Approve(ctx, "token:1", second.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.T = e.clock.T.AddDate(0, 2, 0)
		third := e.submitAndVerify(in)
		if third.Status != requests.StatusDenied {
			t.Fatalf("third know-request in 12 months = %+v", third)
		}
		st, _ := e.svc.Status(ctx, third.ID, third.AccessToken)
		if !strings.Contains(st.Reason, "twice") {
			t.Fatalf("denial reason %q", st.Reason)
		}

		// An officer denies; the person appeals; the same officer may not decide it.
		e.seed("appeal@example.com", collected("user.name", "Ap"))
		orig := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "appeal@example.com", Jurisdiction: "US-VA"})
		if _, err := e.svc.Deny(ctx, "token:1", orig.ID, "exempt", "We must keep these records to complete your order."); err != nil {
			t.Fatal(err)
		}
		ms := e.mails("appeal@example.com")
		last, _ := io.ReadAll(ms[len(ms)-1].Body)
		if !strings.Contains(string(last), "complete your order") || !strings.Contains(string(last), "appeal") {
			t.Fatalf("denial mail: %s", last)
		}
		ap := e.submitAndVerify(requests.Intake{Type: "appeal", Email: "appeal@example.com", Jurisdiction: "US-VA", AppealOf: orig.ID})
		if ap.Status != requests.StatusPendingReview {
			t.Fatalf("appeal = %+v", ap)
		}
		if _, err := e.svc.Approve(ctx, "token:1", ap.ID); custos.ErrorCode(err) != "same_reviewer" {
			t.Fatalf("same officer deciding the appeal: %v", err)
		}
		if _, err := e.svc.Approve(ctx, "token:2", ap.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "appeal@example.com"}); !errors.Is(err, custos.ErrNotFound) {
			t.Fatal("an upheld appeal of a deletion did not delete")
		}
	})
}

func TestOnBehalfExtendAndMetrics(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		if _, err := e.svc.SubmitOnBehalf(ctx, "token:3", requests.Intake{Type: "access", Email: "p@example.com", Jurisdiction: "DE",
			Channel: "agent", AgentName: "Legal Aid"}); custos.AsError(err).Field != "agent_proof" {
			t.Fatalf("agent without proof: %v", err)
		}
		v, err := e.svc.SubmitOnBehalf(ctx, "token:3", requests.Intake{Type: "access", Email: "p@example.com", Jurisdiction: "DE",
			Channel: "phone"})
		if err != nil || v.Status != requests.StatusPendingReview || v.Channel != "phone" {
			t.Fatalf("on behalf = %+v, %v", v, err)
		}
		// GDPR: one month, extended by two more, once.
		if !v.DueAt.Equal(time.Date(2026, 4, 6, 15, 0, 0, 0, time.UTC)) {
			t.Fatalf("GDPR due %v", v.DueAt)
		}
		x, err := e.svc.Extend(ctx, "token:3", v.ID, "We need to search our archives for your records.")
		if err != nil || x.ExtendedUntil == nil || !x.ExtendedUntil.Equal(time.Date(2026, 6, 6, 15, 0, 0, 0, time.UTC)) {
			t.Fatalf("extended = %+v, %v", x, err)
		}
		if _, err := e.svc.Extend(ctx, "token:3", v.ID, "Once more, please, we are still searching."); custos.ErrorCode(err) != "no_extension" {
			t.Fatalf("second extension: %v", err)
		}
		if ms := e.mails("p@example.com"); len(ms) == 0 || !strings.Contains(ms[len(ms)-1].Header.Get("Subject"), "more time") {
			t.Fatalf("no extension notice mailed")
		}
		e.clock.T = e.clock.T.Add(36 * time.Hour)
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.Metrics(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range m {
			if tm.Type == "access" && (tm.Received != 1 || tm.Complied != 1 || tm.MedianDays == nil || *tm.MedianDays != 1.5) {
				t.Fatalf("access metrics = %+v", tm)
			}
		}
	})
}

func TestOutboxSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	e := newEnv(t, s)
	ctx := context.Background()
	// The submission commits with its mail; nothing is delivered before the
	// "crash". A new outbox on the same store delivers it.
	if _, err := e.svc.Submit(ctx, requests.Intake{Type: "access", Email: "later@example.com", Jurisdiction: "GB"}, "192.0.2.9", false); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(e.maildir, "new", "*"))
	if len(files) != 0 {
		t.Fatal("mail sent before the flush")
	}
	if got := e.code("later@example.com"); len(got) != 6 {
		t.Fatal("no code after restart")
	}
}

func TestCategoriesAndShineTheLight(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		lastYear := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
		longAgo := time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
		old := collected("user.location.precise", "51.5,-0.1")
		old.OccurredAt = &longAgo
		dm := records.Input{Kind: "disclosure", Category: "user.contact.email", Recipient: "third_party_marketers", Purpose: "third_party_sharing", OccurredAt: &lastYear}
		sp := records.Input{Kind: "disclosure", Category: "user.contact.email", Recipient: "service_providers", Purpose: "essential.service.payment_processing", OccurredAt: &lastYear}
		e.seed("stl@example.com", collected("user.name", "S"), dm, sp, old)

		v := e.submitAndVerify(requests.Intake{Type: "direct_marketing_disclosures", Email: "stl@example.com", Jurisdiction: "US-CA"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		p, _ := e.svc.Result(ctx, v.ID, v.AccessToken)
		if p.Request.Period != "calendar year 2025" || len(p.Disclosures) != 1 || p.Disclosures[0].Recipient != "third_party_marketers" ||
			len(p.Disclosures[0].Categories) != 1 {
			t.Fatalf("shine the light = %+v", p)
		}
		v = e.submitAndVerify(requests.Intake{Type: "categories", Email: "stl@example.com", Jurisdiction: "US-CA"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		p, _ = e.svc.Result(ctx, v.ID, v.AccessToken)
		var cats []string
		for _, c := range p.Categories {
			cats = append(cats, c.Key)
		}
		sort.Strings(cats)
		// The 2023 location is outside the 12 months; both recipients are in, one sold/shared.
		if strings.Join(cats, ",") != "user.contact.email,user.name" || len(p.Recipients) != 2 || len(p.SoldShared) != 1 || len(p.Pieces) != 0 {
			t.Fatalf("categories = %+v", p)
		}
	})
}

// TestResumeAfterCrash: a request approved but not completed (the process
// died between the two) is finished by Resume, once.
func TestResumeAfterCrash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		e.seed("crash@example.com", collected("user.name", "C"))
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "crash@example.com", Jurisdiction: "DE"})
		// What Approve writes before fulfilment, and nothing after.
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			r, err := tx.RequestForUpdate(ctx, v.ID)
			if err != nil {
				return err
			}
			r.Status = requests.StatusInProgress
			return tx.UpdateRequest(ctx, r)
		}); err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.Resume(ctx)
		if err != nil || n != 1 {
			t.Fatalf("resume = %d, %v", n, err)
		}
		if st, _ := e.svc.Status(ctx, v.ID, v.AccessToken); st.Status != requests.StatusCompleted {
			t.Fatalf("after resume: %+v", st)
		}
		if _, err := e.records.FindSubject(ctx, custos.SubjectRef{Email: "crash@example.com"}); !errors.Is(err, custos.ErrNotFound) {
			t.Fatal("not erased after resume")
		}
		if n, _ := e.svc.Resume(ctx); n != 0 {
			t.Fatal("resumed a completed request")
		}
	})
}

// TestNoPlaintextAfterDeletion: after a deletion request, neither the
// address nor the values are anywhere in the SQLite files.
func TestNoPlaintextAfterDeletion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	e := newEnv(t, storetest.OpenSQLiteIn(t, dir))
	e.seed("zed.quill@example.org", collected("user.name", "Zed Quillfeather"), collected("user.contact.address", "9 Quince Court"))
	v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "zed.quill@example.org", Jurisdiction: "GB"})
	if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
		t.Fatal(err)
	}
	e.mails("zed.quill@example.org") // deliver everything, clearing the outbox bodies
	storetest.NoPlaintext(t, dir, "zed.quill@example.org", "Zed Quillfeather", "9 Quince Court")
}

func TestReminderDigest(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	e := newEnv(t, s)
	ctx := context.Background()
	late := e.submitAndVerify(requests.Intake{Type: "access", Email: "late@example.com", Jurisdiction: "US-CA"})
	e.clock.T = e.clock.T.AddDate(0, 0, 40)
	soon := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "soon@example.com", Jurisdiction: "GB"})
	e.clock.T = e.clock.T.AddDate(0, 0, 28) // the first is overdue (45 days), the second due in 3 days
	n, err := e.svc.Remind(ctx, 5*24*time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("remind = %d, %v", n, err)
	}
	ms := e.mails("support@clientwiseportal.com")
	if len(ms) != 1 || !strings.Contains(ms[0].Header.Get("Subject"), "1 overdue, 1 due soon") {
		t.Fatalf("digest: %d mails", len(ms))
	}
	body, _ := io.ReadAll(ms[0].Body)
	if !strings.Contains(string(body), late.ID) || !strings.Contains(string(body), soon.ID) || strings.Contains(string(body), "late@example.com") {
		t.Fatalf("digest body: %s", body)
	}
}

func TestLiftRestrictionNotifiesFirst(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{Email: "lift@example.com"}
		e.seed("lift@example.com", collected("user.name", "L"))
		if err := e.svc.LiftRestriction(ctx, "token:1", ref, "The accuracy check you asked for is complete."); custos.ErrorCode(err) != "not_restricted" {
			t.Fatalf("lifting what is not restricted: %v", err)
		}
		v := e.submitAndVerify(requests.Intake{Type: "restriction", Email: "lift@example.com", Jurisdiction: "DE"})
		if _, err := e.svc.Approve(ctx, "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		before := len(e.mails("lift@example.com"))
		if err := e.svc.LiftRestriction(ctx, "token:1", ref, "The accuracy check you asked for is complete."); err != nil {
			t.Fatal(err)
		}
		ms := e.mails("lift@example.com")
		if len(ms) != before+1 || !strings.Contains(ms[len(ms)-1].Header.Get("Subject"), "lift the restriction") {
			t.Fatalf("no notice before lifting: %d mails", len(ms))
		}
		d, _ := e.consent.DecideFor(ref, "", "essential.service", "", "DE")
		if !d.Allowed {
			t.Fatalf("still restricted: %+v", d)
		}
	})
}
