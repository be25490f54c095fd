package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func requestCases() []suiteCase {
	return []suiteCase{
		{"Requests", testRequests},
		{"RequestPrivateText", testRequestPrivateText},
		{"Outbox", testOutbox},
		{"PurgeRequests", testPurgeRequests},
	}
}

// testRequests walks two requests through the store: inserted, one
// updated, listed, their events read, the result expired.
func testRequests(t *testing.T, s *store.Store) {
	insertRequests(t, s)
	now := updateRequest(t, s)
	listRequests(t, s)
	requestEventsReceived(t, s, now)
	expireResults(t, s, now)
}

// insertRequests inserts r1 (access, verification open) and r2 (deletion,
// in German) and reads them back.
func insertRequests(t *testing.T, s *store.Store) {
	ctx := context.Background()
	due := t0.AddDate(0, 0, 45)
	r := store.Request{ID: "r1", Type: "access", Status: "awaiting_verification", Jurisdiction: "US-CA", EmailBlind: []byte("eb"),
		EmailSealed: []byte("es"), Channel: "web", ReceivedAt: t0, DueAt: due, CodeHash: []byte("ch"), CodeExpiresAt: &due}
	r2 := r
	r2.ID, r2.Type, r2.DueAt, r2.ReceivedAt = "r2", "deletion", t0.AddDate(0, 0, 10), t0.Add(time.Hour)
	// The person's language is kept as given; a request naming none
	// (r1) reads back English.
	r2.Language = "de"
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		if err := tx.InsertRequest(ctx, r2); err != nil {
			return err
		}
		return tx.AddRequestEvent(ctx, store.RequestEvent{RequestID: "r1", At: t0, Actor: "subject", Action: "received", Status: "awaiting_verification"})
	})
	got, err := s.Request(ctx, "r1")
	if err != nil || got.Type != "access" || got.SubjectID != "" || got.VerifiedAt != nil || !got.CodeExpiresAt.Equal(due) || string(got.EmailSealed) != "es" || got.Language != "en" {
		t.Fatalf("Request = %+v, %v", got, err)
	}
	if got2, err := s.Request(ctx, "r2"); err != nil || got2.Language != "de" {
		t.Fatalf("Request r2 language = %q, %v", got2.Language, err)
	}
}

// updateRequest verifies r1 and decides it, and returns when.
func updateRequest(t *testing.T, s *store.Store) time.Time {
	ctx := context.Background()
	now := t0.Add(2 * time.Hour)
	mustTx(t, s, func(tx *store.Tx) error {
		r, err := tx.RequestForUpdate(ctx, "r1")
		if err != nil {
			return err
		}
		r.Status, r.SubjectID, r.VerifiedAt, r.CodeAttempts, r.TokenHash = "pending_review", "s1", &now, 2, []byte("th")
		r.ResultSealed, r.ResultExpiresAt, r.DecidedBy = []byte("res"), &now, "token:1"
		r.LawDigest, r.LawFlag, r.Language = "digest1", "deadline moved earlier", "fr"
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		return tx.AddRequestEvent(ctx, store.RequestEvent{RequestID: "r1", At: now, Actor: "subject", Action: "verified", Status: "pending_review"})
	})
	got, _ := s.Request(ctx, "r1")
	if got.Status != "pending_review" || got.SubjectID != "s1" || !got.VerifiedAt.Equal(now) || got.CodeAttempts != 2 || string(got.TokenHash) != "th" ||
		got.LawDigest != "digest1" || got.LawFlag != "deadline moved earlier" || got.Language != "fr" {
		t.Fatalf("after update = %+v", got)
	}
	return now
}

// listRequests lists the requests by due date, status, email and receipt,
// and r1's events.
func listRequests(t *testing.T, s *store.Store) {
	ctx := context.Background()
	queue, err := s.Requests(ctx, "", 10)
	if err != nil || len(queue) != 2 || queue[0].ID != "r2" {
		t.Fatalf("queue by due date = %+v, %v", queue, err)
	}
	if pending, _ := s.Requests(ctx, "pending_review", 10); len(pending) != 1 || pending[0].ID != "r1" {
		t.Fatalf("pending = %+v", pending)
	}
	if byEmail, _ := s.RequestsByEmail(ctx, []byte("eb"), t0.Add(30*time.Minute)); len(byEmail) != 1 || byEmail[0].ID != "r2" {
		t.Fatalf("by email since = %+v", byEmail)
	}
	if recv, _ := s.RequestsReceived(ctx, t0, t0.Add(time.Minute)); len(recv) != 1 || recv[0].ID != "r1" {
		t.Fatalf("received = %+v", recv)
	}
	evs, err := s.RequestEvents(ctx, "r1")
	if err != nil || len(evs) != 2 || evs[1].Action != "verified" {
		t.Fatalf("events = %+v, %v", evs, err)
	}
}

// requestEventsReceived reads events by action, of the requests received
// in a period only.
func requestEventsReceived(t *testing.T, s *store.Store, now time.Time) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		for _, e := range []store.RequestEvent{
			{RequestID: "r1", At: now, Actor: "system", Action: "controller_notified", Status: "completed", Note: "acme: mailed"},
			{RequestID: "r2", At: now, Actor: "system", Action: "controller_notice_due", Status: "completed", Note: "customers: tell them"},
		} {
			if err := tx.AddRequestEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	both := []string{"controller_notified", "controller_notice_due"}
	if got, err := s.RequestEventsReceived(ctx, t0, t0.Add(time.Minute), both); err != nil || len(got) != 1 ||
		got[0].RequestID != "r1" || got[0].Note != "acme: mailed" || !got[0].At.Equal(now) {
		t.Fatalf("routed events received in the first minute = %+v, %v", got, err)
	}
	if got, _ := s.RequestEventsReceived(ctx, t0, t0.Add(2*time.Hour), both); len(got) != 2 || got[1].RequestID != "r2" {
		t.Fatalf("routed events received in two hours = %+v", got)
	}
	if got, _ := s.RequestEventsReceived(ctx, t0, t0.Add(2*time.Hour), []string{"controller_notice_due"}); len(got) != 1 || got[0].RequestID != "r2" {
		t.Fatalf("one action = %+v", got)
	}
	if got, err := s.RequestEventsReceived(ctx, t0, t0.Add(2*time.Hour), nil); err != nil || len(got) != 0 {
		t.Fatalf("no action = %+v, %v", got, err)
	}
}

// expireResults drops the results past their expiry; an unknown request
// is not found, to read or to update.
func expireResults(t *testing.T, s *store.Store, now time.Time) {
	ctx := context.Background()
	var n int64
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		n, err = tx.ExpireResults(ctx, now.Add(time.Second))
		return err
	})
	if got, _ := s.Request(ctx, "r1"); n != 1 || got.ResultSealed != nil {
		t.Fatalf("expired %d, result %q", n, got.ResultSealed)
	}
	if _, err := s.Request(ctx, "nope"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("unknown = %v", err)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateRequest(ctx, store.Request{ID: "nope"}) }); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("update unknown = %v", err)
	}
}

func testRequestPrivateText(t *testing.T, s *store.Store) {
	ctx := context.Background()
	due := t0.AddDate(0, 0, 45)
	r := store.Request{ID: "p1", Type: "access", Status: "pending_review", Jurisdiction: "DE", EmailBlind: []byte("eb"),
		EmailSealed: []byte("es"), Channel: "agent", ReceivedAt: t0, DueAt: due, SubjectID: "s1",
		AgentName: "never stored", AgentProof: "never stored", DecisionText: "never stored",
		PrivateSealed: []byte("sealed-under-s1"), PrivateKey: "s1", OpenedFor: "minor"}
	r2 := r
	r2.ID, r2.PrivateSealed, r2.PrivateKey, r2.OpenedFor = "p2", []byte("sealed-under-master"), "", ""
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		return tx.InsertRequest(ctx, r2)
	})
	got, err := s.Request(ctx, "p1")
	if err != nil || got.AgentName != "" || got.AgentProof != "" || got.DecisionText != "" ||
		string(got.PrivateSealed) != "sealed-under-s1" || got.PrivateKey != "s1" || got.OpenedFor != "minor" {
		t.Fatalf("plaintext written or sealed text lost: %+v, %v", got, err)
	}
	if got, _ := s.Request(ctx, "p2"); got.PrivateKey != "" || string(got.PrivateSealed) != "sealed-under-master" {
		t.Fatalf("master-sealed = %+v", got)
	}
	if rs, err := s.RequestsWithPlaintext(ctx, 10); err != nil || len(rs) != 0 {
		t.Fatalf("with plaintext = %+v, %v", rs, err)
	}
	// A row written in the clear before sealing is listed, and an update clears it.
	if _, err := s.DB().ExecContext(ctx, `UPDATE privacy_requests SET agent_name = 'Old Agent', decision_text = 'Old text' WHERE id = 'p2'`); err != nil {
		t.Fatal(err)
	}
	rs, err := s.RequestsWithPlaintext(ctx, 10)
	if err != nil || len(rs) != 1 || rs[0].ID != "p2" || rs[0].AgentName != "Old Agent" || rs[0].DecisionText != "Old text" {
		t.Fatalf("with plaintext = %+v, %v", rs, err)
	}
	mustTx(t, s, func(tx *store.Tx) error { return tx.UpdateRequest(ctx, rs[0]) })
	if rs, _ := s.RequestsWithPlaintext(ctx, 10); len(rs) != 0 {
		t.Fatalf("an update kept the plaintext: %+v", rs)
	}
	var texts []store.SealedRequestText
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		if texts, err = tx.RequestTextSealedBy(ctx, "s1"); err != nil {
			return err
		}
		return tx.ResealRequestText(ctx, "p1", "s2", []byte("sealed-under-s2"))
	})
	if len(texts) != 1 || texts[0].ID != "p1" || string(texts[0].Sealed) != "sealed-under-s1" {
		t.Fatalf("sealed by s1 = %+v", texts)
	}
	if got, _ := s.Request(ctx, "p1"); got.PrivateKey != "s2" || string(got.PrivateSealed) != "sealed-under-s2" || got.SubjectID != "s1" {
		t.Fatalf("after reseal = %+v", got)
	}
}

func testOutbox(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.EnqueueMail(ctx, "m1", []byte("sealed1"), t0); err != nil {
			return err
		}
		return tx.EnqueueMail(ctx, "m2", []byte("sealed2"), t0.Add(time.Second))
	})
	due, err := s.DueMail(ctx, t0.Add(time.Minute), 10)
	if err != nil || len(due) != 2 || due[0].ID != "m1" || string(due[0].Sealed) != "sealed1" {
		t.Fatalf("due = %+v, %v", due, err)
	}
	if err := s.MarkMailFailed(ctx, "m1", "connection refused", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMailSent(ctx, "m2", t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueMail(ctx, t0.Add(time.Minute), 10); len(due) != 0 {
		t.Fatalf("due after retry scheduling = %+v", due)
	}
	if due, _ := s.DueMail(ctx, t0.Add(2*time.Hour), 10); len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "connection refused" {
		t.Fatalf("due later = %+v", due)
	}
	m, err := s.MailStatus(ctx, "m2")
	if err != nil || m.SentAt == nil || len(m.Sealed) != 0 || m.FailedAt != nil {
		t.Fatalf("sent = %+v, %v", m, err)
	}
	// A failure for good: never due again, listed with its reason.
	if err := s.MarkMailUndeliverable(ctx, "m1", "550 5.1.1", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueMail(ctx, t0.AddDate(1, 0, 0), 10); len(due) != 0 {
		t.Fatalf("an undeliverable message is due: %+v", due)
	}
	failed, err := s.UndeliverableMail(ctx, 10)
	if err != nil || len(failed) != 1 || failed[0].ID != "m1" || failed[0].Attempts != 2 || failed[0].LastError != "550 5.1.1" ||
		failed[0].FailedAt == nil || !failed[0].FailedAt.Equal(t0.Add(3*time.Hour)) || failed[0].Sealed != nil {
		t.Fatalf("undeliverable = %+v, %v", failed, err)
	}
	if m, _ := s.MailStatus(ctx, "m1"); m.FailedAt == nil || m.SentAt != nil {
		t.Fatalf("status of an undeliverable message = %+v", m)
	}
}

// testPurgeRequests: only closed requests answered before the cutoff go,
// with their histories and checkpoints; an open one, a recent one and an
// original a kept appeal points at stay.
func testPurgeRequests(t *testing.T, s *store.Store) {
	ctx := context.Background()
	cutoff := t0.AddDate(2, 0, 0)
	old, recent := t0.Add(time.Hour), cutoff.Add(time.Hour)
	base := store.Request{Type: "access", Jurisdiction: "US-CA", EmailBlind: []byte("eb"), EmailSealed: []byte("es"), Channel: "web",
		ReceivedAt: t0, DueAt: t0.AddDate(0, 0, 45)}
	mk := func(id, status string, done *time.Time, appealOf string) store.Request {
		r := base
		r.ID, r.Status, r.CompletedAt, r.AppealOf = id, status, done, appealOf
		return r
	}
	rows := []store.Request{
		mk("gone-completed", "completed", &old, ""),
		mk("gone-denied", "denied", nil, ""), // never answered: received counts
		mk("kept-open", "pending_review", nil, ""),
		mk("kept-recent", "completed", &recent, ""),
		mk("kept-original", "denied", &old, ""),
		mk("kept-appeal", "completed", &recent, "kept-original"),
	}
	mustTx(t, s, func(tx *store.Tx) error {
		for _, r := range rows {
			if err := tx.InsertRequest(ctx, r); err != nil {
				return err
			}
			if err := tx.AddRequestEvent(ctx, store.RequestEvent{RequestID: r.ID, At: t0, Actor: "subject", Action: "received", Status: r.Status}); err != nil {
				return err
			}
		}
		return nil
	})
	if err := s.PutTasks(ctx, []store.Task{{RequestID: "gone-completed", Phase: "erasure", Collection: "d:c", Status: "done", UpdatedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		ids, err = tx.PurgeRequests(ctx, cutoff, 100)
		return err
	})
	if len(ids) != 2 || ids[0] != "gone-completed" || ids[1] != "gone-denied" {
		t.Fatalf("purged %v, want gone-completed and gone-denied", ids)
	}
	for _, r := range rows {
		_, err := s.Request(ctx, r.ID)
		evs, _ := s.RequestEvents(ctx, r.ID)
		gone := r.ID[:4] == "gone"
		if gone != errors.Is(err, custos.ErrNotFound) || gone != (len(evs) == 0) {
			t.Errorf("%s: read %v, %d events after the purge", r.ID, err, len(evs))
		}
	}
	if ts, _ := s.Tasks(ctx, "gone-completed"); len(ts) != 0 {
		t.Errorf("the purged request's checkpoints stay: %+v", ts)
	}
	// Once the appeal is old too, the original goes with it.
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		ids, err = tx.PurgeRequests(ctx, recent.Add(time.Hour), 100)
		return err
	})
	if len(ids) != 3 {
		t.Fatalf("second purge %v, want the recent one, the appeal and its original", ids)
	}
}
