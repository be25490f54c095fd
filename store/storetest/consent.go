package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

func consentCases() []suiteCase {
	return []suiteCase{
		{"ConsentLedger", testConsentLedger},
		{"IdentityBlindsPages", testIdentityBlindsAfter},
	}
}

func testConsentLedger(t *testing.T, s *store.Store) {
	ctx := context.Background()
	// One transaction writes the ledger, its receipts, the suppressions
	// and the subjects' flags, step by step.
	mustTx(t, s, func(tx *store.Tx) error {
		for _, step := range []func() error{
			func() error { return tx.InsertSubject(ctx, "s1", []byte("k"), t0) },
			func() error { return tx.InsertSubject(ctx, "s0", []byte("k"), t0) },
			func() error {
				for i, g := range []bool{true, false} {
					if _, err := tx.AppendConsent(ctx, store.ConsentEvent{Principal: "s1", Scope: "marketing.communications.email", Granted: g,
						Jurisdiction: "DE", Method: "web_form", PolicyVersion: 1, ReceiptID: "r", At: t0.Add(time.Duration(i) * time.Second)}); err != nil {
						return err
					}
				}
				return nil
			},
			func() error {
				_, err := tx.AppendConsent(ctx, store.ConsentEvent{Principal: "device:abcdefgh", Scope: "sale_sharing", GPC: true,
					Jurisdiction: "US-CA", Method: "browser_signal", PolicyVersion: 1, ReceiptID: "r2", At: t0})
				return err
			},
			func() error { return tx.InsertReceipt(ctx, "r", "s1", "a.b.c", t0) },
			func() error { return tx.Suppress(ctx, []byte("eb"), "sale_sharing", t0) },
			func() error { return tx.Suppress(ctx, []byte("eb"), "sale_sharing", t0) }, // idempotent
			func() error { return tx.Suppress(ctx, []byte("eb"), "direct_marketing", t0) },
			func() error { return tx.Unsuppress(ctx, []byte("eb"), "direct_marketing") },
			func() error { return tx.SetRestricted(ctx, "s1", &t0) },
			func() error { return tx.SetMinor(ctx, "s0", &t0) },
			func() error { return tx.MarkMerged(ctx, "s0", "s1") },
			func() error { return tx.Notify(ctx, "subject:s1") },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	checkConsentLedger(t, s)
	checkSubjectFlags(t, s)
}

// checkConsentLedger reads back the ledger, its receipts and the
// suppressions.
func checkConsentLedger(t *testing.T, s *store.Store) {
	ctx := context.Background()
	h, err := s.ConsentHistory(ctx, "s1", "s0")
	if err != nil || len(h) != 2 || !h[0].Granted || h[1].Granted || h[1].Method != "web_form" {
		t.Fatalf("history = %+v, %v", h, err)
	}
	all, _ := s.ConsentsAfter(ctx, h[0].ID, 10)
	if len(all) != 2 || all[1].Principal != "device:abcdefgh" || !all[1].GPC {
		t.Fatalf("after = %+v", all)
	}
	if jws, err := s.Receipt(ctx, "r"); err != nil || jws != "a.b.c" {
		t.Fatalf("receipt = %q, %v", jws, err)
	}
	if _, err := s.Receipt(ctx, "x"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("unknown receipt = %v", err)
	}
	sup, _ := s.Suppressions(ctx)
	if len(sup) != 1 || sup[0].Scope != "sale_sharing" {
		t.Fatalf("suppressions = %+v", sup)
	}
}

// checkSubjectFlags reads back the subjects' flags and merges.
func checkSubjectFlags(t *testing.T, s *store.Store) {
	ctx := context.Background()
	f, err := s.SubjectFlagsOf(ctx, "s1")
	// s0 was a minor when it was merged into s1: the mark follows the merge.
	if err != nil || !f.Restricted || !f.Minor || f.Erased {
		t.Fatalf("flags s1 = %+v, %v", f, err)
	}
	flags, _ := s.SubjectFlagsAfter(ctx, "", 10)
	if len(flags) != 2 || flags[0].ID != "s0" || !flags[0].Minor || flags[0].MergedInto != "s1" {
		t.Fatalf("flags = %+v", flags)
	}
	if m, _ := s.MergedInto(ctx, "s1"); len(m) != 1 || m[0] != "s0" {
		t.Fatalf("merged into = %v", m)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.SetMinor(ctx, "none", &t0) }); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("flag unknown = %v", err)
	}
}

func testIdentityBlindsAfter(t *testing.T, s *store.Store) {
	ctx := context.Background()
	mustTx(t, s, func(tx *store.Tx) error {
		if err := tx.InsertSubjects(ctx, []store.NewSubject{{ID: "s1", WrappedKey: []byte("k"), CreatedAt: t0}, {ID: "s2", WrappedKey: []byte("k"), CreatedAt: t0}}); err != nil {
			return err
		}
		// Inserted out of order: pages come in blind order all the same.
		return tx.InsertIdentities(ctx, []store.Identity{
			{Kind: "phone", Blind: []byte{3}, SubjectID: "s2", Sealed: []byte("c"), CreatedAt: t0},
			{Kind: "email", Blind: []byte{1}, SubjectID: "s1", Sealed: []byte("a"), CreatedAt: t0},
			{Kind: "email", Blind: []byte{2, 0xff}, SubjectID: "s2", Sealed: []byte("b"), CreatedAt: t0},
		})
	})
	var seen []string
	pages := 0
	for after := []byte{}; ; pages++ {
		page, err := s.IdentityBlindsAfter(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, id := range page {
			if id.Sealed != nil {
				t.Fatalf("a blinds page carries the sealed value: %+v", id)
			}
			seen = append(seen, fmt.Sprintf("%x:%s:%s", id.Blind, id.Kind, id.SubjectID))
		}
		after = page[len(page)-1].Blind
	}
	want := []string{"01:email:s1", "02ff:email:s2", "03:phone:s2"}
	if pages != 2 || !slices.Equal(seen, want) {
		t.Fatalf("IdentityBlindsAfter gave %v in %d pages; want %v in 2", seen, pages, want)
	}
}
