package storetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// suiteCase is one test of the conformance suite.
type suiteCase struct {
	name string
	fn   func(t *testing.T, s *store.Store)
}

// Run is the conformance suite: every store method, against the store open
// returns. Each case gets a fresh store.
func Run(t *testing.T, open func(testing.TB) *store.Store) {
	cases := []suiteCase{
		{"Tokens", testTokens},
		{"TokenNotFound", testTokenNotFound},
		{"PolicyVersions", testPolicyVersions},
		{"PolicyVersionsEmpty", testPolicyVersionsEmpty},
		{"AuditAppendAndRead", testAudit},
		{"AuditConcurrentAppends", testAuditConcurrent},
		{"AuditCheckpoints", testCheckpoints},
		{"InstanceKeys", testInstanceKeys},
		{"Settings", testSettings},
		{"AuditKeyedFrom", testAuditKeyedFrom},
		{"RollbackOnError", testRollback},
		{"MigrateTwice", testMigrateTwice},
	}
	cases = append(cases, recordCases()...)
	cases = append(cases, requestCases()...)
	cases = append(cases, consentStatsCases()...)
	cases = append(cases, connectorCases()...)
	cases = append(cases, taskCases()...)
	cases = append(cases, webCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

func testTokens(t *testing.T, s *store.Store) {
	ctx := context.Background()
	var id1, id2 int64
	err := s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if id1, err = tx.InsertToken(ctx, custos.Token{Name: "ops", Role: custos.RoleAdmin, Hash: []byte("h1"), CreatedAt: t0}); err != nil {
			return err
		}
		id2, err = tx.InsertToken(ctx, custos.Token{Name: "ingest", Role: custos.RoleIngest, Hash: []byte("h2"), CreatedAt: t0.Add(time.Second)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if id1 == id2 || id1 == 0 {
		t.Fatalf("ids %d, %d", id1, id2)
	}
	got, err := s.TokenByHash(ctx, []byte("h2"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id2 || got.Name != "ingest" || got.Role != custos.RoleIngest || !got.CreatedAt.Equal(t0.Add(time.Second)) ||
		got.RevokedAt != nil || got.LastUsed != nil {
		t.Fatalf("TokenByHash = %+v", got)
	}
	if byID, err := s.TokenByID(ctx, id1); err != nil || !bytes.Equal(byID.Hash, []byte("h1")) {
		t.Fatalf("TokenByID = %+v, %v", byID, err)
	}
	if n, err := s.CountActiveTokens(ctx); err != nil || n != 2 {
		t.Fatalf("CountActiveTokens = %d, %v", n, err)
	}
	// The same secret hash cannot be stored twice.
	err = s.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertToken(ctx, custos.Token{Name: "dup", Role: custos.RoleAgent, Hash: []byte("h1"), CreatedAt: t0})
		return err
	})
	if err == nil {
		t.Fatal("duplicate hash accepted")
	}
	if err := s.TouchToken(ctx, id1, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A second touch within the minute does not write.
	if err := s.TouchToken(ctx, id1, t0.Add(time.Hour+time.Second)); err != nil {
		t.Fatal(err)
	}
	revokeAt := t0.Add(2 * time.Hour)
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id1, revokeAt) }); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id1, revokeAt.Add(time.Hour)) }); err != nil {
		t.Fatal(err)
	}
	all, err := s.Tokens(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Tokens = %v, %v", all, err)
	}
	if all[0].ID != id1 || all[0].RevokedAt == nil || !all[0].RevokedAt.Equal(revokeAt) ||
		all[0].LastUsed == nil || !all[0].LastUsed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("revoked token = %+v", all[0])
	}
	if n, _ := s.CountActiveTokens(ctx); n != 1 {
		t.Fatalf("CountActiveTokens after revoke = %d", n)
	}
	err = s.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, 99999, revokeAt) })
	if !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("revoke unknown = %v", err)
	}
}

func testTokenNotFound(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if _, err := s.TokenByHash(ctx, []byte("nope")); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("TokenByHash = %v", err)
	}
	if _, err := s.TokenByID(ctx, 42); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("TokenByID = %v", err)
	}
	if toks, err := s.Tokens(ctx); err != nil || len(toks) != 0 {
		t.Fatalf("Tokens = %v, %v", toks, err)
	}
}

func testPolicyVersions(t *testing.T, s *store.Store) {
	ctx := context.Background()
	publish := func(digest string, effective time.Time, material bool) int64 {
		t.Helper()
		var v int64
		err := s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			v, err = tx.InsertPolicyVersion(ctx, custos.PolicyVersion{
				Manifest: []byte("manifest " + digest), Digest: digest, LastUpdated: effective.Format("2006-01-02"),
				EffectiveAt: effective, PublishedAt: t0, PublishedBy: "cli", Material: material, Summary: "s " + digest,
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v1 := publish("a", t0, false)
	v2 := publish("b", t0.Add(24*time.Hour), true)
	v3 := publish("c", t0.Add(48*time.Hour), true)
	if v1 != 1 || v2 != 2 || v3 != 3 {
		t.Fatalf("versions %d %d %d", v1, v2, v3)
	}
	active, err := s.ActivePolicyVersion(ctx, t0.Add(time.Hour))
	if err != nil || active.Version != 1 || string(active.Manifest) != "manifest a" || active.Material {
		t.Fatalf("active at t0+1h = %+v, %v", active, err)
	}
	active, err = s.ActivePolicyVersion(ctx, t0.Add(24*time.Hour))
	if err != nil || active.Version != 2 || !active.Material || active.Summary != "s b" || !active.EffectiveAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("active at t0+24h = %+v, %v", active, err)
	}
	up, err := s.UpcomingPolicyVersions(ctx, t0.Add(time.Hour))
	if err != nil || len(up) != 2 || up[0].Version != 2 || up[1].Version != 3 {
		t.Fatalf("upcoming = %+v, %v", up, err)
	}
	if _, err := s.ActivePolicyVersion(ctx, t0.Add(-time.Hour)); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("active before first = %v", err)
	}
	latest, err := s.LatestPolicyVersion(ctx)
	if err != nil || latest.Version != 3 || latest.Digest != "c" {
		t.Fatalf("latest = %+v, %v", latest, err)
	}
	one, err := s.PolicyVersion(ctx, 2)
	if err != nil || one.Digest != "b" || one.PublishedBy != "cli" || !one.PublishedAt.Equal(t0) {
		t.Fatalf("PolicyVersion(2) = %+v, %v", one, err)
	}
	all, err := s.PolicyVersions(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("PolicyVersions = %d, %v", len(all), err)
	}
	// A later version with an earlier effective date takes over from then.
	v4 := publish("d", t0.Add(12*time.Hour), false)
	active, _ = s.ActivePolicyVersion(ctx, t0.Add(13*time.Hour))
	if active.Version != v4 {
		t.Fatalf("active after backdated publish = %d, want %d", active.Version, v4)
	}
}

func testPolicyVersionsEmpty(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if _, err := s.LatestPolicyVersion(ctx); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("latest = %v", err)
	}
	if _, err := s.PolicyVersion(ctx, 1); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("PolicyVersion = %v", err)
	}
	if up, err := s.UpcomingPolicyVersions(ctx, t0); err != nil || len(up) != 0 {
		t.Fatalf("upcoming = %v, %v", up, err)
	}
}

func appendEntry(ctx context.Context, tx *store.Tx, action string) (custos.AuditEntry, error) {
	seq, prev, err := tx.AuditHead(ctx)
	if err != nil {
		return custos.AuditEntry{}, err
	}
	e := custos.AuditEntry{Seq: seq + 1, At: t0, Actor: "cli", Action: action, Object: "x:1", Detail: `{}`,
		PrevHash: append([]byte{}, prev...), Hash: []byte{byte(seq + 1)}}
	if e.PrevHash == nil {
		e.PrevHash = []byte{}
	}
	return e, tx.InsertAuditEntry(ctx, e)
}

func testAudit(t *testing.T, s *store.Store) {
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := s.InTx(ctx, func(tx *store.Tx) error { _, err := appendEntry(ctx, tx, "a"); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.CountAuditEntries(ctx); err != nil || n != 5 {
		t.Fatalf("count = %d, %v", n, err)
	}
	page, err := s.AuditEntries(ctx, 2, 2)
	if err != nil || len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
		t.Fatalf("page = %+v, %v", page, err)
	}
	if !bytes.Equal(page[0].PrevHash, []byte{2}) || !bytes.Equal(page[0].Hash, []byte{3}) || !page[0].At.Equal(t0) ||
		page[0].Action != "a" || page[0].Detail != "{}" {
		t.Fatalf("entry = %+v", page[0])
	}
	// A rolled-back append leaves no trace.
	_ = s.InTx(ctx, func(tx *store.Tx) error {
		if _, err := appendEntry(ctx, tx, "b"); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if n, _ := s.CountAuditEntries(ctx); n != 5 {
		t.Fatalf("count after rollback = %d", n)
	}
	// Duplicate sequence numbers are refused by the schema.
	err = s.InTx(ctx, func(tx *store.Tx) error {
		return tx.InsertAuditEntry(ctx, custos.AuditEntry{Seq: 3, At: t0, Detail: "{}", PrevHash: []byte{}, Hash: []byte{}})
	})
	if err == nil {
		t.Fatal("duplicate seq accepted")
	}
}

func testAuditConcurrent(t *testing.T, s *store.Store) {
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.InTx(ctx, func(tx *store.Tx) error { _, err := appendEntry(ctx, tx, "c"); return err })
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.AuditEntries(ctx, 0, 100)
	if err != nil || len(all) != n {
		t.Fatalf("entries = %d, %v", len(all), err)
	}
	for i, e := range all {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		if i > 0 && !bytes.Equal(e.PrevHash, all[i-1].Hash) {
			t.Fatalf("entry %d does not link to its predecessor", e.Seq)
		}
	}
}

func testCheckpoints(t *testing.T, s *store.Store) {
	ctx := context.Background()
	cp := custos.AuditCheckpoint{Seq: 10, Hash: []byte("h"), At: t0, KeyID: "k1", Signature: []byte("sig")}
	for i := 0; i < 2; i++ { // the second insert of the same seq is ignored
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertAuditCheckpoint(ctx, cp) }); err != nil {
			t.Fatal(err)
		}
	}
	cp2 := cp
	cp2.Seq = 5
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertAuditCheckpoint(ctx, cp2) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditCheckpoints(ctx)
	if err != nil || len(got) != 2 || got[0].Seq != 5 || got[1].Seq != 10 || got[1].KeyID != "k1" ||
		!bytes.Equal(got[1].Signature, []byte("sig")) || !got[1].At.Equal(t0) {
		t.Fatalf("checkpoints = %+v, %v", got, err)
	}
}

func testInstanceKeys(t *testing.T, s *store.Store) {
	ctx := context.Background()
	k := store.InstanceKey{Name: "audit", Public: []byte("pub"), Sealed: []byte("sealed"), CreatedAt: t0}
	var first, second bool
	err := s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		first, err = tx.PutInstanceKey(ctx, k)
		if err != nil {
			return err
		}
		k2 := k
		k2.Public = []byte("other")
		second, err = tx.PutInstanceKey(ctx, k2)
		return err
	})
	if err != nil || !first || second {
		t.Fatalf("put = %v, %v, %v", first, second, err)
	}
	got, err := s.InstanceKey(ctx, "audit")
	if err != nil || string(got.Public) != "pub" || string(got.Sealed) != "sealed" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("InstanceKey = %+v, %v", got, err)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ResealInstanceKey(ctx, "audit", []byte("resealed")) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.InstanceKey(ctx, "audit"); string(got.Sealed) != "resealed" {
		t.Fatalf("after reseal = %q", got.Sealed)
	}
	if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.ResealInstanceKey(ctx, "none", nil) }); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("reseal unknown = %v", err)
	}
	if _, err := s.InstanceKey(ctx, "none"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("unknown key = %v", err)
	}
	if names, err := s.InstanceKeyNames(ctx); err != nil || len(names) != 1 || names[0] != "audit" {
		t.Fatalf("InstanceKeyNames = %v, %v", names, err)
	}
}

func testSettings(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if _, err := s.Setting(ctx, "master_primary"); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("unset setting = %v", err)
	}
	for _, v := range []string{"1", "2"} {
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.PutSetting(ctx, "master_primary", v, t0) }); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Setting(ctx, "master_primary"); err != nil || got != v {
			t.Fatalf("Setting = %q, %v; want %q", got, err, v)
		}
	}
}

func testAuditKeyedFrom(t *testing.T, s *store.Store) {
	ctx := context.Background()
	if n, err := s.AuditKeyedFrom(ctx); err != nil || n != 0 {
		t.Fatalf("empty chain: %d, %v", n, err)
	}
	err := s.InTx(ctx, func(tx *store.Tx) error {
		for i, action := range []string{"token.create", "audit.keyed", "token.create", "audit.keyed"} {
			e := custos.AuditEntry{Seq: int64(i + 1), At: t0, Actor: "a", Action: action, Object: "o", Detail: "{}", PrevHash: []byte{}, Hash: []byte{1}}
			if err := tx.InsertAuditEntry(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.AuditKeyedFrom(ctx); err != nil || n != 2 {
		t.Fatalf("AuditKeyedFrom = %d, %v; want the first marker, 2", n, err)
	}
}

func testRollback(t *testing.T, s *store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.InsertToken(ctx, custos.Token{Name: "x", Role: custos.RoleAgent, Hash: []byte("r"), CreatedAt: t0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if _, err := s.TokenByHash(ctx, []byte("r")); !errors.Is(err, custos.ErrNotFound) {
		t.Fatalf("rolled-back token visible: %v", err)
	}
}

func testMigrateTwice(t *testing.T, s *store.Store) {
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}
