package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func recordCases() []suiteCase {
	return []suiteCase{
		{"SubjectsAndIdentities", testSubjectsAndIdentities},
		{"Events", testEvents},
		{"EventFactsAndCells", testFactsAndCells},
		{"EraseSubject", testEraseSubject},
		{"MergeSubject", testMergeSubject},
		{"Contracts", testContracts},
		{"SubjectsPageAndRewrap", testSubjectsPage},
		{"BulkSubjectsAndIdentities", testBulkSubjects},
	}
}

func mustTx(t *testing.T, s *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func testSubjectsAndIdentities(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertSubject(ctx, "s1", []byte("k1"), t0); err != nil {
			return err
		}
		if err := tx.InsertSubject(ctx, "s2", []byte("k2"), t0); err != nil {
			return err
		}
		if err := tx.InsertIdentity(ctx, store.Identity{Kind: "email", Blind: []byte("b1"), SubjectID: "s1", Sealed: []byte("c1"), CreatedAt: t0}); err != nil {
			return err
		}
		return tx.InsertIdentity(ctx, store.Identity{Kind: "phone", Blind: []byte("b2"), SubjectID: "s1", Sealed: []byte("c2"), CreatedAt: t0.Add(time.Second)})
	})
	got, err := s.Subject(ctx, "s1")
	if err != nil || string(got.WrappedKey) != "k1" || !got.CreatedAt.Equal(t0) || got.ErasedAt != nil || got.MergedInto != "" {
		t.Fatalf("Subject = %+v, %v", got, err)
	}
	if _, err := s.Subject(ctx, "none"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("unknown subject = %v", err)
	}
	many, err := s.Subjects(ctx, []string{"s1", "s2", "s3"})
	if err != nil || len(many) != 2 || string(many["s2"].WrappedKey) != "k2" {
		t.Fatalf("Subjects = %v, %v", many, err)
	}
	found, err := s.IdentitiesByBlind(ctx, [][]byte{[]byte("b1"), []byte("b2"), []byte("zz")})
	if err != nil || len(found) != 2 || found["b2"].Kind != "phone" || found["b1"].SubjectID != "s1" || string(found["b1"].Sealed) != "c1" {
		t.Fatalf("IdentitiesByBlind = %v, %v", found, err)
	}
	// A blind index belongs to one subject only: a second claim conflicts.
	err = s.InTx(ctx, func(tx *store.Tx) error {
		return tx.InsertIdentity(ctx, store.Identity{Kind: "email", Blind: []byte("b1"), SubjectID: "s2", Sealed: []byte("x"), CreatedAt: t0})
	})
	if !store.IsConflict(err) {
		t.Fatalf("duplicate identity = %v", err)
	}
	ids, err := s.SubjectIdentities(ctx, "s1")
	if err != nil || len(ids) != 2 || ids[0].Kind != "email" || !ids[1].CreatedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("SubjectIdentities = %+v, %v", ids, err)
	}
	// Many blinds at once are looked up in chunks.
	var blinds [][]byte
	for i := 0; i < 1200; i++ {
		blinds = append(blinds, []byte{byte(i), byte(i >> 8), 'x'})
	}
	blinds = append(blinds, []byte("b2"))
	if found, err := s.IdentitiesByBlind(ctx, blinds); err != nil || len(found) != 1 {
		t.Fatalf("chunked lookup = %d, %v", len(found), err)
	}
}

func event(subject, kind, category, purpose, sourceOrRecipient string, at time.Time, sealed []byte) store.EventRow {
	e := store.EventRow{Event: custos.Event{SubjectID: subject, Kind: kind, Category: category, Purpose: purpose,
		OccurredAt: at, RecordedAt: t0, PolicyVersion: 1}, Sealed: sealed}
	if kind == custos.EventCollection {
		e.Source = sourceOrRecipient
	} else {
		e.Recipient = sourceOrRecipient
	}
	return e
}

func testEvents(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var id int64
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertSubject(ctx, "s1", []byte("k"), t0); err != nil {
			return err
		}
		var err error
		one := event("s1", custos.EventDisclosure, "user.contact.email", "essential.service", "authorities", t0.Add(time.Hour), nil)
		one.LegalGround, one.Vendor, one.NoContract = "subpoena", "Acme", true
		if id, err = tx.InsertEvent(ctx, one); err != nil {
			return err
		}
		var many []store.EventRow
		for i := 0; i < 950; i++ { // more than one statement's worth
			many = append(many, event("s1", custos.EventCollection, "user.name", "essential.service", "online_channels", t0.Add(time.Duration(i)*time.Minute), []byte{byte(i)}))
		}
		return tx.InsertEvents(ctx, many)
	})
	if id == 0 {
		t.Fatal("no id")
	}
	if n, err := s.CountEvents(ctx); err != nil || n != 951 {
		t.Fatalf("CountEvents = %d, %v", n, err)
	}
	evs, err := s.SubjectEvents(ctx, "s1")
	if err != nil || len(evs) != 951 {
		t.Fatalf("SubjectEvents = %d, %v", len(evs), err)
	}
	if e := evs[0]; e.Kind != custos.EventCollection || e.Source != "online_channels" || e.Sealed[0] != 0 || !e.OccurredAt.Equal(t0) {
		t.Fatalf("first event = %+v", e)
	}
	var d store.EventRow
	for _, e := range evs {
		if e.ID == id {
			d = e
		}
	}
	if d.Recipient != "authorities" || d.LegalGround != "subpoena" || d.Vendor != "Acme" || !d.NoContract || d.Sealed != nil || d.PolicyVersion != 1 {
		t.Fatalf("disclosure = %+v", d)
	}
}

func testFactsAndCells(t *testing.T, s *store.Store) {
	ctx := context.Background()
	jan := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
	mustTx(t, s, func(tx *store.Tx) error {
		for _, id := range []string{"a", "b", "c"} {
			if err := tx.InsertSubject(ctx, id, []byte("k"), t0); err != nil {
				return err
			}
		}
		d := event("a", custos.EventDisclosure, "user.contact.email", "marketing.communications.email", "service_providers", feb, nil)
		d.NoContract = true
		cc := event("b", custos.EventCollection, "user.content", "essential.service", "online_channels", feb, nil)
		cc.Controller = "acme"
		return tx.InsertEvents(ctx, []store.EventRow{
			cc,
			event("a", custos.EventCollection, "user.contact.email", "essential.service", "online_channels", jan, nil),
			event("a", custos.EventCollection, "user.contact.email", "essential.service", "online_channels", jan.Add(time.Hour), nil),
			event("b", custos.EventCollection, "user.contact.email", "essential.service", "online_channels", feb, nil),
			event("c", custos.EventCollection, "user.contact.email", "essential.service", "online_channels", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), nil),
			d,
		})
	})
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	facts, err := s.EventFacts(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Fact{
		{Kind: "collection", Category: "user.contact.email", Source: "online_channels", Purpose: "essential.service", Events: 3, Subjects: 2},
		{Kind: "disclosure", Category: "user.contact.email", Purpose: "marketing.communications.email", Recipient: "service_providers", Events: 1, Subjects: 1, NoContract: 1},
		{Controller: "acme", Kind: "collection", Category: "user.content", Source: "online_channels", Purpose: "essential.service", Events: 1, Subjects: 1},
	}
	if len(facts) != len(want) || facts[0] != want[0] || facts[1] != want[1] || facts[2] != want[2] {
		t.Fatalf("EventFacts = %+v", facts)
	}
	evs, err := s.SubjectEvents(ctx, "b")
	if err != nil || len(evs) != 2 || evs[0].Controller != "acme" || evs[1].Controller != "" {
		t.Fatalf("SubjectEvents(b) = %+v, %v: the controller does not round-trip", evs, err)
	}
	defer func() {
		// One controller's events go; the subject's own stay.
		var n int64
		mustTx(t, s, func(tx *store.Tx) (err error) {
			n, err = tx.DeleteControllerEvents(ctx, "b", "acme")
			return err
		})
		evs, err := s.SubjectEvents(ctx, "b")
		if n != 1 || err != nil || len(evs) != 1 || evs[0].Controller != "" {
			t.Fatalf("DeleteControllerEvents = %d; left %+v, %v", n, evs, err)
		}
	}()
	cells, err := s.MonthlyCells(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	wantCells := []store.Cell{
		{Category: "user.contact.email", Purpose: "essential.service", Month: "2026-01", Events: 2, Subjects: 1},
		{Category: "user.contact.email", Purpose: "essential.service", Month: "2026-02", Events: 1, Subjects: 1},
		{Category: "user.contact.email", Purpose: "marketing.communications.email", Month: "2026-02", Events: 1, Subjects: 1},
		{Controller: "acme", Category: "user.content", Purpose: "essential.service", Month: "2026-02", Events: 1, Subjects: 1},
	}
	if len(cells) != len(wantCells) {
		t.Fatalf("MonthlyCells = %+v", cells)
	}
	for i := range cells {
		if cells[i] != wantCells[i] {
			t.Fatalf("cell %d = %+v, want %+v", i, cells[i], wantCells[i])
		}
	}
}

func testEraseSubject(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertSubject(ctx, "gone", []byte("key"), t0); err != nil {
			return err
		}
		if err := tx.InsertSubject(ctx, "kept", []byte("key2"), t0); err != nil {
			return err
		}
		if err := tx.InsertIdentity(ctx, store.Identity{Kind: "email", Blind: []byte("g"), SubjectID: "gone", Sealed: []byte("c"), CreatedAt: t0}); err != nil {
			return err
		}
		return tx.InsertEvents(ctx, []store.EventRow{
			event("gone", custos.EventCollection, "user.name", "essential.service", "online_channels", t0, []byte("v")),
			event("gone", custos.EventCollection, "user.name", "essential.service", "online_channels", t0, []byte("v")),
			event("kept", custos.EventCollection, "user.name", "essential.service", "online_channels", t0, []byte("v")),
		})
	})
	var n int64
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		n, err = tx.EraseSubject(ctx, "gone", t0.Add(time.Hour))
		return err
	})
	if n != 2 {
		t.Fatalf("erased %d events", n)
	}
	row, err := s.Subject(ctx, "gone")
	if err != nil || row.WrappedKey != nil || row.ErasedAt == nil || !row.ErasedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("tombstone = %+v, %v", row, err)
	}
	if ids, _ := s.SubjectIdentities(ctx, "gone"); len(ids) != 0 {
		t.Fatal("identities survive erasure")
	}
	if evs, _ := s.SubjectEvents(ctx, "kept"); len(evs) != 1 {
		t.Fatal("another subject's events were touched")
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { _, err := tx.EraseSubject(ctx, "nobody", t0); return err }); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("erase unknown = %v", err)
	}
	// Only a non-minor was erased: nothing is kept of them.
	if m, err := s.MinorBlinds(ctx, [][]byte{[]byte("g")}); err != nil || len(m) != 0 {
		t.Fatalf("an adult's identity kept as a minor's: %v, %v", m, err)
	}

	// A minor's identities stay behind as blind indexes with the minor mark.
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertSubject(ctx, "child", []byte("key3"), t0); err != nil {
			return err
		}
		for _, b := range []string{"c1", "c2"} {
			if err := tx.InsertIdentity(ctx, store.Identity{Kind: "email", Blind: []byte(b), SubjectID: "child", Sealed: []byte("c"), CreatedAt: t0}); err != nil {
				return err
			}
		}
		at := t0
		if err := tx.SetMinor(ctx, "child", &at); err != nil {
			return err
		}
		_, err := tx.EraseSubject(ctx, "child", t0.Add(time.Hour))
		return err
	})
	m, err := s.MinorBlinds(ctx, [][]byte{[]byte("c1"), []byte("c2"), []byte("g"), []byte("x")})
	if err != nil || len(m) != 2 || !m["c1"] || !m["c2"] {
		t.Fatalf("minor blinds = %v, %v", m, err)
	}
	if ids, _ := s.SubjectIdentities(ctx, "child"); len(ids) != 0 {
		t.Fatal("a minor's identities survive erasure")
	}
	// Erasing again (a retry) keeps one mark per identity.
	mustTx(t, s, func(tx *store.Tx) error { _, err := tx.EraseSubject(ctx, "child", t0.Add(2*time.Hour)); return err })
	mustTx(t, s, func(tx *store.Tx) error { return tx.Unsuppress(ctx, []byte("c1"), store.ScopeMinor) })
	if m, _ := s.MinorBlinds(ctx, [][]byte{[]byte("c1"), []byte("c2")}); len(m) != 1 || !m["c2"] {
		t.Fatalf("after lifting one: %v", m)
	}
}

func testMergeSubject(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var evID int64
	mustTx(t, s, func(tx *store.Tx) error {
		for _, id := range []string{"into", "from"} {
			if err := tx.InsertSubject(ctx, id, []byte("k-"+id), t0); err != nil {
				return err
			}
		}
		if err := tx.InsertIdentity(ctx, store.Identity{Kind: "phone", Blind: []byte("p"), SubjectID: "from", Sealed: []byte("old"), CreatedAt: t0}); err != nil {
			return err
		}
		var err error
		evID, err = tx.InsertEvent(ctx, event("from", custos.EventCollection, "user.name", "essential.service", "online_channels", t0, []byte("old")))
		return err
	})
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.ReassignIdentity(ctx, "phone", []byte("p"), "into", []byte("new")); err != nil {
			return err
		}
		if err := tx.ReassignEvent(ctx, evID, "into", []byte("new")); err != nil {
			return err
		}
		return tx.MarkMerged(ctx, "from", "into")
	})
	from, _ := s.Subject(ctx, "from")
	if from.MergedInto != "into" || from.WrappedKey != nil {
		t.Fatalf("merged subject = %+v", from)
	}
	ids, _ := s.SubjectIdentities(ctx, "into")
	evs, _ := s.SubjectEvents(ctx, "into")
	if len(ids) != 1 || !bytes.Equal(ids[0].Sealed, []byte("new")) || len(evs) != 1 || !bytes.Equal(evs[0].Sealed, []byte("new")) {
		t.Fatalf("after merge: %+v %+v", ids, evs)
	}
}

func testContracts(t *testing.T, s *store.Store) {
	ctx := context.Background()
	exp := t0.AddDate(1, 0, 0)
	var id int64
	mustTx(t, s, func(tx *store.Tx) error {
		var err error
		id, err = tx.InsertContract(ctx, custos.Contract{Recipient: "service_providers", Vendor: "Acme", SignedAt: t0, ExpiresAt: &exp, CreatedAt: t0})
		if err != nil {
			return err
		}
		_, err = tx.InsertContract(ctx, custos.Contract{Recipient: "affiliates", SignedAt: t0, CreatedAt: t0})
		return err
	})
	cs, err := s.Contracts(ctx)
	if err != nil || len(cs) != 2 || cs[0].ID != id || cs[0].Vendor != "Acme" || cs[0].ExpiresAt == nil || !cs[0].ExpiresAt.Equal(exp) ||
		cs[1].ExpiresAt != nil || cs[1].Vendor != "" {
		t.Fatalf("Contracts = %+v, %v", cs, err)
	}
}

func testSubjectsPage(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		for _, id := range []string{"a", "b", "c", "d"} {
			if err := tx.InsertSubject(ctx, id, []byte("k-"+id), t0); err != nil {
				return err
			}
		}
		_, err := tx.EraseSubject(ctx, "c", t0)
		return err
	})
	page, err := s.SubjectsPage(ctx, "", 2)
	if err != nil || len(page) != 2 || page[0].ID != "a" || page[1].ID != "b" {
		t.Fatalf("page 1 = %+v, %v", page, err)
	}
	page, err = s.SubjectsPage(ctx, "b", 2)
	if err != nil || len(page) != 1 || page[0].ID != "d" {
		t.Fatalf("page 2 (erased c skipped) = %+v, %v", page, err)
	}
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.RewrapSubjectKey(ctx, "a", []byte("rewrapped")); err != nil {
			return err
		}
		return tx.RewrapSubjectKey(ctx, "c", []byte("must not revive"))
	})
	a, _ := s.Subject(ctx, "a")
	c, _ := s.Subject(ctx, "c")
	if string(a.WrappedKey) != "rewrapped" || c.WrappedKey != nil {
		t.Fatalf("rewrap: a=%q c=%q", a.WrappedKey, c.WrappedKey)
	}
}

func testBulkSubjects(t *testing.T, s *store.Store) {
	ctx := context.Background()
	// More subjects than one statement carries.
	var subs []store.NewSubject
	var ids []string
	for i := range store.RowsPerStatement + 5 {
		id := fmt.Sprintf("s%04d", i)
		subs = append(subs, store.NewSubject{ID: id, WrappedKey: []byte("k" + id), CreatedAt: t0.Add(time.Duration(i) * time.Second)})
		ids = append(ids, id)
	}
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertSubjects(ctx, subs); err != nil {
			return err
		}
		if err := tx.InsertSubjects(ctx, nil); err != nil {
			return err
		}
		return tx.InsertIdentities(ctx, []store.Identity{
			{Kind: "email", Blind: []byte("b1"), SubjectID: "s0000", Sealed: []byte("c1"), CreatedAt: t0},
			{Kind: "phone", Blind: []byte("b2"), SubjectID: "s1004", Sealed: []byte("c2"), CreatedAt: t0.Add(time.Second)},
		})
	})
	got, err := s.Subjects(ctx, ids)
	if err != nil || len(got) != len(subs) {
		t.Fatalf("Subjects = %d, %v; want %d", len(got), err, len(subs))
	}
	last := subs[len(subs)-1]
	if g := got[last.ID]; string(g.WrappedKey) != string(last.WrappedKey) || !g.CreatedAt.Equal(last.CreatedAt) {
		t.Fatalf("subject %s = %+v", last.ID, g)
	}
	found, err := s.IdentitiesByBlind(ctx, [][]byte{[]byte("b1"), []byte("b2")})
	if err != nil || len(found) != 2 || found["b2"].SubjectID != "s1004" || string(found["b1"].Sealed) != "c1" || found["b2"].Kind != "phone" {
		t.Fatalf("IdentitiesByBlind = %+v, %v", found, err)
	}
	// A blind already taken is a conflict, and nothing of the batch is added.
	err = s.InTx(ctx, func(tx *store.Tx) error {
		return tx.InsertIdentities(ctx, []store.Identity{
			{Kind: "email", Blind: []byte("b3"), SubjectID: "s0001", Sealed: []byte("c3"), CreatedAt: t0},
			{Kind: "email", Blind: []byte("b1"), SubjectID: "s0002", Sealed: []byte("x"), CreatedAt: t0},
		})
	})
	if !store.IsConflict(err) {
		t.Fatalf("InsertIdentities with a taken blind = %v", err)
	}
	if found, err := s.IdentitiesByBlind(ctx, [][]byte{[]byte("b3")}); err != nil || len(found) != 0 {
		t.Fatalf("a refused batch left %+v, %v", found, err)
	}
}
