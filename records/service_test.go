package records_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

type env struct {
	svc    *records.Service
	store  *store.Store
	reg    *policy.Registry
	master *vault.Master
	clock  *custos.FixedClock
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	clock := &custos.FixedClock{T: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	master, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	blind, err := vault.InstanceBlindIndex(ctx, s, master, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(nil, "", clock)
	loader, err := policy.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	reg := policy.NewRegistry(s, loader, log, clock)
	if _, err := reg.Bootstrap(ctx, "test", policy.BundledName, policy.Bundled(), false); err != nil {
		t.Fatal(err)
	}
	return &env{svc: records.New(s, master, blind, log, reg, clock), store: s, reg: reg, master: master, clock: clock}
}

func str(s string) *string { return &s }

func collect(ref custos.SubjectRef, category, value string) records.Input {
	return records.Input{Kind: "collection", Subject: ref, Category: category, Source: "online_channels",
		Purpose: "essential.service", Value: str(value)}
}

func TestRecordAndResolve(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		id, err := e.svc.Record(ctx, "test", collect(custos.SubjectRef{Email: "Ana.Lima@Example.COM "}, "user.contact.email", "Ana.Lima@Example.COM"))
		if err != nil || id == 0 {
			t.Fatalf("Record = %d, %v", id, err)
		}
		// The same address in another case is the same person.
		sid, err := e.svc.FindSubject(ctx, custos.SubjectRef{Email: "ana.lima@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		// An offline record names her phone and e-mail: the phone joins her.
		if _, err := e.svc.Record(ctx, "test", records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "ANA.LIMA@example.com", Phone: "+44 (20) 7946-0018"},
			Category: "user.contact.phone_number", Source: "offline_channels", Purpose: "essential.service.operations.support", Value: str("+44 20 7946 0018")}); err != nil {
			t.Fatal(err)
		}
		if byPhone, err := e.svc.FindSubject(ctx, custos.SubjectRef{Phone: "0044 20 7946 0018"}); err != nil || byPhone != sid {
			t.Fatalf("phone resolves to %q, %v; want %q", byPhone, err, sid)
		}
		recs, err := e.svc.SubjectRecords(ctx, "test", "test", sid)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs.Identities) != 2 || recs.Identities[0].Value != "ana.lima@example.com" || recs.Identities[1].Value != "+442079460018" {
			t.Fatalf("identities = %+v", recs.Identities)
		}
		if len(recs.Events) != 2 || *recs.Events[0].Value != "Ana.Lima@Example.COM" || recs.Events[1].Source != "offline_channels" || recs.Events[0].PolicyVersion != 1 {
			t.Fatalf("events = %+v", recs.Events)
		}
		if _, err := e.svc.FindSubject(ctx, custos.SubjectRef{Email: "someone@else.org"}); !errors.Is(err, custos.ErrNotFound) {
			t.Fatalf("unknown person = %v", err)
		}
	})
}

func TestMergeTwoPeopleIntoOne(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		// Known online by e-mail and, separately, offline by phone…
		if _, err := e.svc.Record(ctx, "test", collect(custos.SubjectRef{Email: "bo@example.com"}, "user.name", "Bo")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RecordBatch(ctx, "test", []records.Input{
			{Kind: "collection", Subject: custos.SubjectRef{Phone: "+15005550006"}, Category: "user.contact.address", Source: "offline_channels", Purpose: "essential.service", Value: str("1 Main St")},
			// …until one event names both: the two records become one person,
			// in the same batch as a further event for the phone alone.
			{Kind: "collection", Subject: custos.SubjectRef{Email: "bo@example.com", Phone: "+15005550006"}, Category: "user.contact.phone_number", Source: "offline_channels", Purpose: "essential.service", Value: str("+15005550006")},
			{Kind: "collection", Subject: custos.SubjectRef{Phone: "+15005550006"}, Category: "user.job_title", Source: "offline_channels", Purpose: "essential.service", Value: str("Engineer")},
		}); err != nil {
			t.Fatal(err)
		}
		a, _ := e.svc.FindSubject(ctx, custos.SubjectRef{Email: "bo@example.com"})
		b, _ := e.svc.FindSubject(ctx, custos.SubjectRef{Phone: "+15005550006"})
		if a == "" || a != b {
			t.Fatalf("not merged: %q %q", a, b)
		}
		recs, err := e.svc.SubjectRecords(ctx, "test", "test", a)
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, ev := range recs.Events {
			values = append(values, *ev.Value)
		}
		if strings.Join(values, "|") != "Bo|1 Main St|+15005550006|Engineer" {
			t.Fatalf("values after merge = %v", values)
		}
	})
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ana := custos.SubjectRef{Email: "ana@example.com"}
		future := e.clock.Now().Add(time.Hour)
		cases := []struct {
			name  string
			in    records.Input
			code  string
			field string
		}{
			{"undeclared category", records.Input{Kind: "collection", Subject: ana, Category: "user.biometric.retinal", Source: "online_channels", Purpose: "essential.service"}, "undeclared_category", "event.category"},
			{"undeclared purpose", records.Input{Kind: "collection", Subject: ana, Category: "user.name", Source: "online_channels", Purpose: "train_ai_system"}, "undeclared_purpose", "event.purpose"},
			{"undeclared source", records.Input{Kind: "collection", Subject: ana, Category: "user.name", Source: "data_brokers", Purpose: "essential.service"}, "undeclared_source", "event.source"},
			{"undeclared recipient", records.Input{Kind: "disclosure", Subject: ana, Category: "user.name", Recipient: "data_brokers", Purpose: "essential.service"}, "undeclared_recipient", "event.recipient"},
			{"missing kind", records.Input{Subject: ana, Category: "user.name", Purpose: "essential.service"}, "invalid_request", "event.kind"},
			{"bad kind", records.Input{Kind: "sale", Subject: ana, Category: "user.name", Purpose: "essential.service"}, "invalid_request", "event.kind"},
			{"no subject", records.Input{Kind: "collection", Category: "user.name", Source: "online_channels", Purpose: "essential.service"}, "invalid_request", "event.subject"},
			{"bad email", records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "not-an-address"}, Category: "user.name", Source: "online_channels", Purpose: "essential.service"}, "invalid_request", "event.subject.email"},
			{"national phone", records.Input{Kind: "collection", Subject: custos.SubjectRef{Phone: "020 7946 0018"}, Category: "user.name", Source: "online_channels", Purpose: "essential.service"}, "invalid_request", "event.subject.phone"},
			{"collection without source", records.Input{Kind: "collection", Subject: ana, Category: "user.name", Purpose: "essential.service"}, "invalid_request", "event.source"},
			{"disclosure without recipient", records.Input{Kind: "disclosure", Subject: ana, Category: "user.name", Purpose: "essential.service"}, "invalid_request", "event.recipient"},
			{"authority without ground", records.Input{Kind: "disclosure", Subject: ana, Category: "user.name", Recipient: "authorities", Purpose: "essential.legal_obligation"}, "invalid_request", "event.legal_ground"},
			{"in the future", records.Input{Kind: "collection", Subject: ana, Category: "user.name", Source: "online_channels", Purpose: "essential.service", OccurredAt: &future}, "invalid_request", "event.occurred_at"},
		}
		for _, c := range cases {
			_, err := e.svc.Record(ctx, "test", c.in)
			ce := custos.AsError(err)
			if err == nil || ce.Code != c.code || ce.Field != c.field || ce.Message == "" {
				t.Errorf("%s: got %v (field %q), want %s on %s", c.name, err, ce.Field, c.code, c.field)
			}
		}
		if n, _ := s.CountEvents(ctx); n != 0 {
			t.Fatalf("%d events stored by refused calls", n)
		}
		if _, err := e.svc.FindSubject(ctx, ana); !errors.Is(err, custos.ErrNotFound) {
			t.Fatal("a refused event created its subject")
		}
	})
}

func TestBatchAllOrNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		batch := []records.Input{
			collect(custos.SubjectRef{Email: "one@example.com"}, "user.name", "One"),
			collect(custos.SubjectRef{Email: "two@example.com"}, "user.name", "Two"),
			{Kind: "disclosure", Subject: custos.SubjectRef{Email: "three@example.com"}, Category: "user.name", Recipient: "nobody", Purpose: "essential.service"},
		}
		_, err := e.svc.RecordBatch(ctx, "test", batch)
		if ce := custos.AsError(err); ce.Code != "undeclared_recipient" || ce.Field != "events[2].recipient" {
			t.Fatalf("batch = %v (%q)", err, ce.Field)
		}
		if n, _ := s.CountEvents(ctx); n != 0 {
			t.Fatalf("%d events stored from a refused batch", n)
		}
		if _, err := e.svc.RecordBatch(ctx, "test", nil); custos.ErrorCode(err) != "invalid_request" {
			t.Fatalf("empty batch = %v", err)
		}
		n, err := e.svc.RecordBatch(ctx, "test", batch[:2])
		if err != nil || n != 2 {
			t.Fatalf("good batch = %d, %v", n, err)
		}
	})
}

func TestContractsFlagDisclosures(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{ExternalID: "cust-77"}
		disclose := func(vendor string) custos.Event {
			t.Helper()
			if _, err := e.svc.Record(ctx, "test", records.Input{Kind: "disclosure", Subject: ref, Category: "user.contact.email",
				Recipient: "service_providers", Vendor: vendor, Purpose: "essential.service.payment_processing"}); err != nil {
				t.Fatal(err)
			}
			sid, _ := e.svc.FindSubject(ctx, ref)
			recs, err := e.svc.SubjectRecords(ctx, "test", "test", sid)
			if err != nil {
				t.Fatal(err)
			}
			return recs.Events[len(recs.Events)-1]
		}
		if ev := disclose("PayCo"); !ev.NoContract {
			t.Fatal("disclosure without a contract not flagged")
		}
		if _, err := e.svc.AddContract(ctx, "test", custos.Contract{Recipient: "service_providers", Vendor: "PayCo", SignedAt: e.clock.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if ev := disclose("PayCo"); ev.NoContract {
			t.Fatal("disclosure under a contract flagged")
		}
		if ev := disclose("OtherCo"); !ev.NoContract {
			t.Fatal("a contract with one vendor covered another")
		}
		if _, err := e.svc.AddContract(ctx, "test", custos.Contract{Recipient: "nobody", SignedAt: e.clock.Now()}); custos.ErrorCode(err) != "undeclared_recipient" {
			t.Fatalf("contract with undeclared recipient = %v", err)
		}
	})
}

func TestErasedValuesCannotBeDecrypted(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ref := custos.SubjectRef{Email: "leaving@example.com"}
		if _, err := e.svc.Record(ctx, "test", collect(ref, "user.financial.bank_account", "GB33BUKB20201555555555")); err != nil {
			t.Fatal(err)
		}
		sid, _ := e.svc.FindSubject(ctx, ref)
		before, _ := s.Subject(ctx, sid)
		evs, _ := s.SubjectEvents(ctx, sid)
		sealed := evs[0].Sealed
		key, err := e.master.OpenSubjectKey(sid, before.WrappedKey)
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := key.Open(sealed, "event:user.financial.bank_account"); err != nil || string(pt) != "GB33BUKB20201555555555" {
			t.Fatalf("before erasure: %q, %v", pt, err)
		}
		if n, err := e.svc.EraseSubject(ctx, "test", sid, "test"); err != nil || n != 1 {
			t.Fatalf("erase = %d, %v", n, err)
		}
		after, _ := s.Subject(ctx, sid)
		if after.WrappedKey != nil {
			t.Fatal("the subject key survived erasure")
		}
		if _, err := e.master.OpenSubjectKey(sid, after.WrappedKey); !errors.Is(err, vault.ErrErased) {
			t.Fatalf("opening an erased key = %v", err)
		}
		if _, err := e.svc.SubjectRecords(ctx, "test", "test", sid); custos.ErrorCode(err) != "erased" {
			t.Fatalf("records of an erased subject = %v", err)
		}
		if _, err := e.svc.FindSubject(ctx, ref); !errors.Is(err, custos.ErrNotFound) {
			t.Fatal("an erased person is still found by e-mail")
		}
		// Another subject's key cannot open the old ciphertext either.
		if _, err := e.svc.Record(ctx, "test", collect(custos.SubjectRef{Email: "other@example.com"}, "user.name", "x")); err != nil {
			t.Fatal(err)
		}
		oid, _ := e.svc.FindSubject(ctx, custos.SubjectRef{Email: "other@example.com"})
		orow, _ := s.Subject(ctx, oid)
		okey, _ := e.master.OpenSubjectKey(oid, orow.WrappedKey)
		if _, err := okey.Open(sealed, "event:user.financial.bank_account"); err == nil {
			t.Fatal("another subject's key opened the erased value")
		}
	})
}

// TestNoPlaintextInDatabaseFiles writes known values and looks for them,
// and for the identities, in the SQLite files on disk.
func TestNoPlaintextInDatabaseFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	e := newEnv(t, storetest.OpenSQLiteIn(t, dir))
	secrets := []string{"zelda.quartz@example.net", "+15557654321", "cust-QX-99817", "4111111111111111", "Zelda Quartzmann", "7 Quince Lane"}
	if _, err := e.svc.RecordBatch(ctx, "test", []records.Input{
		collect(custos.SubjectRef{Email: secrets[0], Phone: secrets[1], ExternalID: secrets[2]}, "user.financial.credit_card", secrets[3]),
		collect(custos.SubjectRef{Email: secrets[0]}, "user.name", secrets[4]),
		collect(custos.SubjectRef{Phone: secrets[1]}, "user.contact.address", secrets[5]),
	}); err != nil {
		t.Fatal(err)
	}
	storetest.NoPlaintext(t, dir, secrets...)
}

// A number written the national way meets the same number written with its
// country code, once the event says where it was written; without that,
// Custos refuses to guess the country.
func TestNationalPhoneNumbersMeet(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		if _, err := e.svc.Record(ctx, "test", records.Input{Kind: "collection", Subject: custos.SubjectRef{Email: "cy@example.com", Phone: "+1 415 555 0123"},
			Category: "user.contact.phone_number", Source: "online_channels", Purpose: "essential.service", Value: str("+1 415 555 0123")}); err != nil {
			t.Fatal(err)
		}
		online, _ := e.svc.FindSubject(ctx, custos.SubjectRef{Email: "cy@example.com"})
		paper := records.Input{Kind: "collection", Subject: custos.SubjectRef{Phone: "(415) 555-0123"}, Category: "user.contact.address",
			Source: "offline_channels", Purpose: "essential.service", Value: str("1 Main St"), Jurisdiction: "US-CA"}
		if _, err := e.svc.Record(ctx, "test", paper); err != nil {
			t.Fatal(err)
		}
		if byPhone, err := e.svc.FindSubject(ctx, custos.SubjectRef{Phone: "+14155550123"}); err != nil || byPhone != online {
			t.Fatalf("the paper form's number resolves to %q, %v; want the online account %q", byPhone, err, online)
		}
		recs, err := e.svc.SubjectRecords(ctx, "test", "test", online)
		if err != nil || len(recs.Events) != 2 {
			t.Fatalf("the online account holds %d events (%v), want both", len(recs.Events), err)
		}

		for _, c := range []struct {
			name, jurisdiction, field, words string
		}{
			{"no country to read it in", "", "event.subject.phone", "send the event's jurisdiction"},
			{"a region that is not a country", "EEA", "event.jurisdiction", "must name a country"},
			{"not a number of that country", "DE", "event.subject.phone", "not a possible phone number in DE"},
		} {
			in := paper
			in.Jurisdiction = c.jurisdiction
			in.Subject = custos.SubjectRef{Phone: "(415) 555-0123"}
			if c.jurisdiction == "DE" {
				in.Subject.Phone = "12"
			}
			_, err := e.svc.Record(ctx, "test", in)
			var ce *custos.Error
			if !errors.As(err, &ce) || ce.Field != c.field || !strings.Contains(ce.Message, c.words) {
				t.Errorf("%s: got %v (field %q), want field %q saying %q", c.name, err, fieldOf(ce), c.field, c.words)
			}
		}
	})
}

func fieldOf(e *custos.Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}
