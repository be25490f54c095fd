package records_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// billing is a record made for billing, which the bundled policy keeps
// for the tax period after a deletion (the name and billing address on
// invoices, the purchase history); the card number and everything else
// go.
func billing(ref custos.SubjectRef, category, value string) records.Input {
	in := collect(ref, category, value)
	in.Purpose = "essential.service.payment_processing"
	return in
}

// A deletion keeps what the policy's erasure rules retain, re-sealed
// under a retention key of its own; the data key is destroyed, so the
// rest (and the old ciphertexts, under either key) cannot be decrypted;
// the sweep erases the retained records when their retention ends.
func TestDeletionRetainsByRule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{Email: "ruth.keeper@example.org"}
		const (
			name    = "Ruth Keeperton"
			address = "12 Ledger Row, Springfield"
			order   = "order 7731: annual licence"
			card    = "4111111111111111"
			phone   = "+15550001234"
		)
		if _, err := e.svc.RecordBatch(ctx, "test", []records.Input{
			billing(ref, "user.name", name),
			billing(ref, "user.contact.address", address),
			billing(ref, "user.behavior.purchase_history", order),
			billing(ref, "user.financial.credit_card", card),
			collect(ref, "user.contact.phone_number", phone),
			collect(ref, "user.contact.address", "marketing copy of the address"),
		}); err != nil {
			t.Fatal(err)
		}
		sid, err := e.svc.FindSubject(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.Subject(ctx, sid)
		oldEvents, _ := s.SubjectEvents(ctx, sid)

		erased, err := e.svc.Erase(ctx, "test", sid, "deletion request")
		if err != nil {
			t.Fatal(err)
		}
		if erased.Events != 6 {
			t.Errorf("events erased = %d, want 6", erased.Events)
		}
		tax := e.clock.Now().AddDate(7, 0, 0)
		want := map[string]bool{"user.behavior.purchase_history": true, "user.contact.address": true, "user.name": true}
		if len(erased.Retained) != len(want) {
			t.Fatalf("retained %+v, want %v", erased.Retained, want)
		}
		for _, k := range erased.Retained {
			if !want[k.Category] || k.Records != 1 || k.Ground != "legal_obligation" || !k.Until.Equal(tax) || k.Reason == "" {
				t.Errorf("retained %+v", k)
			}
		}

		// The data key is gone: nothing of the person opens with it.
		after, _ := s.Subject(ctx, sid)
		if after.WrappedKey != nil {
			t.Fatal("the data key survived the deletion")
		}
		if _, err := e.svc.SubjectRecords(ctx, "test", "test", sid); custos.ErrorCode(err) != "erased" {
			t.Fatalf("records after deletion = %v", err)
		}
		if evs, _ := s.SubjectEvents(ctx, sid); len(evs) != 0 {
			t.Fatalf("%d events left", len(evs))
		}
		// The retention key opens the retained values, and only those.
		got, err := e.svc.RetainedRecords(ctx, "officer", "tax audit", sid)
		if err != nil {
			t.Fatal(err)
		}
		values := map[string]string{}
		for _, r := range got {
			values[r.Category] = *r.Value
		}
		if len(got) != 3 || values["user.name"] != name || values["user.contact.address"] != address || values["user.behavior.purchase_history"] != order {
			t.Fatalf("retained records = %+v", got)
		}
		wrapped, err := s.RetentionKey(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		rk, err := e.master.OpenRetentionKey(sid, wrapped)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range oldEvents {
			for _, field := range []string{"event:" + ev.Category, "retained:" + ev.Category} {
				if _, err := rk.Open(ev.Sealed, field); err == nil {
					t.Fatalf("the retention key opens the old %s ciphertext", ev.Category)
				}
			}
		}
		// The destroyed data key cannot be recovered from its old wrapping
		// by the retention key's context either.
		if _, err := e.master.OpenRetentionKey(sid, before.WrappedKey); err == nil {
			t.Fatal("the wrapped data key opens as a retention key")
		}
		noPlaintextRows(t, s, name, address, order, card, phone, "ruth.keeper@example.org")

		// The sweep leaves them until the retention ends, then erases them
		// and destroys the retention key.
		if n, err := e.svc.EraseRetained(ctx, "retention", tax.Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("early sweep erased %d, %v", n, err)
		}
		if n, err := e.svc.EraseRetained(ctx, "retention", tax); err != nil || n != 3 {
			t.Fatalf("sweep at the end of retention erased %d, %v", n, err)
		}
		if _, err := s.RetentionKey(ctx, sid); !errors.Is(err, custos.ErrNotFound) {
			t.Fatalf("retention key after its records went: %v", err)
		}
		if _, err := e.svc.RetainedRecords(ctx, "officer", "tax audit", sid); !errors.Is(err, custos.ErrNotFound) {
			t.Fatalf("retained records after the sweep: %v", err)
		}
		// A second deletion of the same person has nothing left to keep.
		if again, err := e.svc.Erase(ctx, "test", sid, "again"); err != nil || len(again.Retained) != 0 {
			t.Fatalf("second erase = %+v, %v", again, err)
		}
	})
}

// A legal hold keeps retained records past the end of their retention.
func TestRetainedRecordsUnderHold(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{Email: "held@example.org"}
		if _, err := e.svc.Record(ctx, "test", billing(ref, "user.behavior.purchase_history", "order 1")); err != nil {
			t.Fatal(err)
		}
		sid, _ := e.svc.FindSubject(ctx, ref)
		if _, err := e.svc.Erase(ctx, "test", sid, "deletion request"); err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.AddHold(ctx, store.Hold{SubjectID: sid, ReasonSealed: []byte("sealed"), CreatedAt: e.clock.Now(), CreatedBy: "officer"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.EraseRetained(ctx, "retention", e.clock.Now().AddDate(8, 0, 0)); err != nil || n != 0 {
			t.Fatalf("sweep under hold erased %d, %v", n, err)
		}
		if _, err := s.RetentionKey(ctx, sid); err != nil {
			t.Fatalf("retention key under hold: %v", err)
		}
	})
}

// TestNoPlaintextAfterDeletion looks for retained and erased values in the
// SQLite files on disk after a deletion.
func TestNoPlaintextAfterDeletion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	e := newEnv(t, storetest.OpenSQLiteIn(t, dir))
	ref := custos.SubjectRef{Email: "quill.ledger@example.net"}
	secrets := []string{"quill.ledger@example.net", "Quill Ledgerwood", "9 Abacus Court", "order 9981: support plan", "5500005555555559"}
	if _, err := e.svc.RecordBatch(ctx, "test", []records.Input{
		billing(ref, "user.name", secrets[1]),
		billing(ref, "user.contact.address", secrets[2]),
		billing(ref, "user.behavior.purchase_history", secrets[3]),
		billing(ref, "user.financial.credit_card", secrets[4]),
	}); err != nil {
		t.Fatal(err)
	}
	sid, _ := e.svc.FindSubject(ctx, ref)
	if got, err := e.svc.Erase(ctx, "test", sid, "deletion request"); err != nil || len(got.Retained) != 3 {
		t.Fatalf("erase = %+v, %v", got, err)
	}
	storetest.NoPlaintext(t, dir, secrets...)
}

// noPlaintextRows reads every value of the tables that hold personal data
// and fails if a secret is in one in the clear, in any case: the check of
// the database files that works on either engine.
func noPlaintextRows(t *testing.T, s *store.Store, secrets ...string) {
	t.Helper()
	ctx := context.Background()
	for _, table := range []string{"subjects", "identities", "events", "retained_records", "retention_keys", "audit_log"} {
		rows, err := s.DB().QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var text string
				switch v := v.(type) {
				case []byte:
					text = string(v)
				case string:
					text = v
				default:
					continue
				}
				low := strings.ToLower(text)
				for _, sec := range secrets {
					if strings.Contains(low, strings.ToLower(sec)) {
						t.Errorf("%s.%s holds %q in the clear", table, cols[i], sec)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if table == "retained_records" && n == 0 {
			t.Error("nothing retained to look at")
		}
	}
}

// A deletion that reaches data processed for a controller deletes only
// the company's own records (EraseOwn) and keeps the person's key for the
// controller's: the erasure rules still apply to the company's records —
// the billing records stay, re-sealed under the retention key, until the
// tax period ends — and the controller's instruction later erases the
// rest, leaving the retained records as they were.
func TestOwnDeletionRetainsByRule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{Email: "olga.processed@example.org"}
		const (
			name   = "Olga Processed"
			order  = "order 9120: team plan"
			card   = "5500000000000004"
			ticket = "ticket #77: printer on fire"
		)
		if _, err := e.svc.RecordBatch(ctx, "test", []records.Input{
			billing(ref, "user.name", name),
			billing(ref, "user.behavior.purchase_history", order),
			billing(ref, "user.financial.credit_card", card),
			{Kind: "collection", Subject: ref, Category: "user.content", Purpose: "essential.service", Controller: "customers", Value: str(ticket)},
		}); err != nil {
			t.Fatal(err)
		}
		sid, err := e.svc.FindSubject(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		out, erased, err := e.svc.EraseOwn(ctx, "test", sid, "deletion request")
		if err != nil || erased {
			t.Fatalf("EraseOwn = %+v, erased %v, %v", out, erased, err)
		}
		tax := e.clock.Now().AddDate(7, 0, 0)
		if out.Events != 3 || len(out.Retained) != 2 {
			t.Fatalf("EraseOwn = %+v, want 3 events gone and 2 categories retained", out)
		}
		for _, k := range out.Retained {
			if (k.Category != "user.name" && k.Category != "user.behavior.purchase_history") || k.Ground != "legal_obligation" || !k.Until.Equal(tax) {
				t.Errorf("retained %+v", k)
			}
		}
		evs, _ := s.SubjectEvents(ctx, sid)
		if len(evs) != 1 || evs[0].Controller != "customers" {
			t.Fatalf("events left = %+v, want only the controller's", evs)
		}
		got, err := e.svc.RetainedRecords(ctx, "officer", "tax audit", sid)
		if err != nil {
			t.Fatal(err)
		}
		values := map[string]string{}
		for _, r := range got {
			values[r.Category] = *r.Value
		}
		if len(got) != 2 || values["user.name"] != name || values["user.behavior.purchase_history"] != order {
			t.Fatalf("retained records = %+v", got)
		}

		// The controller's instruction: its data goes, the person's key
		// with it; the retained records stay, under their own key.
		n, erased, err := e.svc.EraseFor(ctx, "test", sid, "customers", "controller instruction")
		if err != nil || n != 1 || !erased {
			t.Fatalf("EraseFor(customers) = %d, %v, %v", n, erased, err)
		}
		if after, _ := s.Subject(ctx, sid); after.WrappedKey != nil {
			t.Fatal("the data key survived the last deletion")
		}
		if got, err := e.svc.RetainedRecords(ctx, "officer", "tax audit", sid); err != nil || len(got) != 2 {
			t.Fatalf("retained records after the controller's erasure = %d, %v", len(got), err)
		}
		noPlaintextRows(t, s, name, order, card, ticket, "olga.processed@example.org")
		// A full deletion now finds nothing more to keep, and reuses no key
		// it should not: the retained records stay as they were.
		if again, err := e.svc.Erase(ctx, "test", sid, "again"); err != nil || len(again.Retained) != 0 {
			t.Fatalf("second erase = %+v, %v", again, err)
		}
		if n, err := e.svc.EraseRetained(ctx, "retention", tax); err != nil || n != 2 {
			t.Fatalf("sweep at the end of retention erased %d, %v", n, err)
		}
		if _, err := s.RetentionKey(ctx, sid); !errors.Is(err, custos.ErrNotFound) {
			t.Fatalf("retention key after its records went: %v", err)
		}
	})
}

// Two partial deletions of one person share one retention key: the second
// adds its records under the key the first made.
func TestOwnDeletionTwice(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{Email: "twice@example.org"}
		in := func(cat, v string) []records.Input {
			return []records.Input{billing(ref, cat, v),
				{Kind: "collection", Subject: ref, Category: "user.content", Purpose: "essential.service", Controller: "customers", Value: str("ticket " + v)}}
		}
		if _, err := e.svc.RecordBatch(ctx, "test", in("user.name", "First Name")); err != nil {
			t.Fatal(err)
		}
		sid, _ := e.svc.FindSubject(ctx, ref)
		if _, _, err := e.svc.EraseOwn(ctx, "test", sid, "first"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RecordBatch(ctx, "test", in("user.behavior.purchase_history", "order 2")); err != nil {
			t.Fatal(err)
		}
		if out, _, err := e.svc.EraseOwn(ctx, "test", sid, "second"); err != nil || len(out.Retained) != 1 {
			t.Fatalf("second EraseOwn = %+v, %v", out, err)
		}
		got, err := e.svc.RetainedRecords(ctx, "officer", "tax audit", sid)
		if err != nil || len(got) != 2 {
			t.Fatalf("retained records = %+v, %v", got, err)
		}
	})
}
