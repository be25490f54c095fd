package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

type keySigner struct {
	priv ed25519.PrivateKey
}

func (k keySigner) Sign(msg []byte) []byte    { return ed25519.Sign(k.priv, msg) }
func (k keySigner) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }
func newSigner(t *testing.T) (keySigner, string) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := keySigner{priv}
	return s, vault.KeyID(s.Public())
}

var chainKey = []byte("0123456789abcdef0123456789abcdef")

// fill appends n entries with a keyed or an unkeyed log and returns the
// keys that verify them. With the keyed log the chain starts with the
// cutover entry, so it holds n+1 entries.
func fill(t *testing.T, s *store.Store, n int, keyed bool) audit.Keys {
	t.Helper()
	ctx := context.Background()
	signer, id := newSigner(t)
	log := audit.New(signer, id, testClock())
	if keyed {
		log = audit.NewKeyed(signer, id, chainKey, testClock())
	}
	appendN(t, s, log, n)
	if err := log.Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	return log.Keys()
}

func testClock() *custos.FixedClock {
	return &custos.FixedClock{T: time.Date(2026, 3, 1, 12, 0, 0, 987654321, time.UTC)}
}

func appendN(t *testing.T, s *store.Store, log *audit.Log, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := log.Append(ctx, tx, audit.Record{Actor: "cli", Action: "token.create", Object: fmt.Sprintf("token:%d", i),
				Detail: map[string]any{"role": "admin"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func modes() []struct {
	name  string
	keyed bool
} {
	return []struct {
		name  string
		keyed bool
	}{{"unkeyed", false}, {"keyed", true}}
}

func TestVerifyIntact(t *testing.T) {
	t.Parallel()
	for _, m := range modes() {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				keys := fill(t, s, 70, m.keyed)
				r, err := audit.Verify(context.Background(), s, keys)
				if err != nil {
					t.Fatal(err)
				}
				total, checkpoints := int64(70), 3
				if m.keyed {
					total, checkpoints = 71, 4
				}
				// Checkpoints at 32, 64 and the final one at the head; a
				// keyed chain's cutover is signed as it is written, too.
				if !r.OK() || r.Entries != total || r.Checkpoints != checkpoints || r.Unsigned != 0 || r.Unchecked != 0 {
					t.Fatalf("report = %+v", r)
				}
				if m.keyed != (r.KeyedFrom == 1) {
					t.Fatalf("keyed from %d", r.KeyedFrom)
				}
			})
		})
	}
}

func TestVerifyEmpty(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r, err := audit.Verify(context.Background(), s, audit.Keys{})
		if err != nil || !r.OK() || r.Entries != 0 {
			t.Fatalf("report = %+v, %v", r, err)
		}
	})
}

func TestTamperingDetected(t *testing.T) {
	t.Parallel()
	const head = -1 // the last entry, which the final checkpoint covers
	cases := []struct {
		name    string
		tamper  []string // SQL run against the filled chain
		wantSeq int64
		want    string
	}{
		{"edited detail", []string{`UPDATE audit_log SET detail = '{"role":"agent"}' WHERE seq = 17`}, 17, "contents were changed"},
		{"edited actor", []string{`UPDATE audit_log SET actor = 'someone' WHERE seq = 3`}, 3, "contents were changed"},
		{"deleted in the middle", []string{`DELETE FROM audit_log WHERE seq = 10`}, 10, "missing"},
		{"deleted from the end", []string{`DELETE FROM audit_log WHERE seq > 36`}, head, "entries deleted from the end"},
		{"reordered", []string{
			`UPDATE audit_log SET seq = -1 WHERE seq = 5`,
			`UPDATE audit_log SET seq = 5 WHERE seq = 6`,
			`UPDATE audit_log SET seq = 6 WHERE seq = -1`,
		}, 5, "does not link"},
		{"rehashed after an edit", nil, 32, "differs from the signed checkpoint"},
		{"forged checkpoint", []string{`UPDATE audit_checkpoints SET signature = hash WHERE seq = 32`}, 32, "invalid signature"},
		{"deleted checkpoint", []string{`DELETE FROM audit_checkpoints WHERE seq = 32`}, 32, "no signed checkpoint"},
	}
	for _, m := range modes() {
		for _, c := range cases {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				storetest.Each(t, func(t *testing.T, s *store.Store) {
					ctx := context.Background()
					keys := fill(t, s, 40, m.keyed)
					for _, q := range c.tamper {
						if _, err := s.DB().ExecContext(ctx, q); err != nil {
							t.Fatal(err)
						}
					}
					if c.tamper == nil {
						// Recomputed with the chain key: only the
						// checkpoint tells.
						rewriteFrom(t, s, 20, keys.Chain)
					}
					want := c.wantSeq
					if want == head {
						want = 40
						if m.keyed {
							want = 41
						}
					}
					r, err := audit.Verify(ctx, s, keys)
					if err != nil {
						t.Fatal(err)
					}
					if r.OK() || r.BadSeq != want || !strings.Contains(r.Problem, c.want) {
						t.Fatalf("report = %+v, want entry %d %q", r, want, c.want)
					}
				})
			})
		}
	}
}

// rewriteFrom edits entry seq and recomputes every later hash and link, as
// an attacker with database access would: with key nil as SHA-256 (Hash),
// else as HMAC under key.
func rewriteFrom(t *testing.T, s *store.Store, seq int64, key []byte) {
	t.Helper()
	ctx := context.Background()
	all, err := s.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	prev := []byte{}
	if seq > 1 {
		prev = all[seq-2].Hash
	}
	for _, e := range all[seq-1:] {
		if e.Seq == seq {
			e.Actor = "forger"
		}
		e.PrevHash = prev
		if key != nil {
			e.Hash = audit.KeyedHash(key, e)
		} else {
			e.Hash = audit.Hash(e)
		}
		if _, err := s.DB().ExecContext(ctx, `UPDATE audit_log SET actor = $1, action = $2, prev_hash = $3, hash = $4 WHERE seq = $5`,
			e.Actor, e.Action, e.PrevHash, e.Hash, e.Seq); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
}

// TestRewriteAttack is the attack of someone who can write the database but
// has no key file: delete every checkpoint, edit an entry, recompute the
// chain (as SHA-256, or as HMAC under a key of their own, or turning the
// keyed chain back into an unkeyed one by renaming the cutover entry).
// Every variant fails verification.
func TestRewriteAttack(t *testing.T) {
	t.Parallel()
	attackerKey := []byte("not-the-chain-key-not-the-chain!")
	cases := []struct {
		name      string
		keyed     bool
		downgrade bool
		key       []byte
		wantSeq   int64
		want      string
	}{
		{"unkeyed chain recomputed", false, false, nil, 32, "no signed checkpoint"},
		{"keyed chain recomputed as SHA-256", true, false, nil, 20, "keyed hash"},
		{"keyed chain recomputed with another key", true, false, attackerKey, 20, "keyed hash"},
		{"keyed chain downgraded to SHA-256", true, true, nil, 32, "no signed checkpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				keys := fill(t, s, 40, c.keyed)
				if _, err := s.DB().ExecContext(ctx, `DELETE FROM audit_checkpoints`); err != nil {
					t.Fatal(err)
				}
				from := int64(20)
				if c.downgrade {
					if _, err := s.DB().ExecContext(ctx, `UPDATE audit_log SET action = 'token.create' WHERE action = 'audit.keyed'`); err != nil {
						t.Fatal(err)
					}
					from = 1
				}
				rewriteFrom(t, s, from, c.key)
				r, err := audit.Verify(ctx, s, keys)
				if err != nil {
					t.Fatal(err)
				}
				if r.OK() || r.BadSeq != c.wantSeq || !strings.Contains(r.Problem, c.want) {
					t.Fatalf("report = %+v, want entry %d %q", r, c.wantSeq, c.want)
				}
			})
		})
	}
}

// TestUncoveredTail: entries after the last checkpoint (a crash before the
// shutdown checkpoint) are reported, not failed.
func TestUncoveredTail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		signer, id := newSigner(t)
		log := audit.NewKeyed(signer, id, chainKey, testClock())
		appendN(t, s, log, 40) // 41 entries with the cutover; the last checkpoint is at 32
		r, err := audit.Verify(context.Background(), s, log.Keys())
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || r.Entries != 41 || r.Unsigned != 9 || r.UnsignedNote() != "9 entries after the last checkpoint are not yet signed" {
			t.Fatalf("report = %+v", r)
		}
	})
}

// TestWithoutChainKey: without the chain key the keyed hashes cannot be
// checked; Verify says how many were not, and still checks links and
// signatures.
func TestWithoutChainKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		keys := fill(t, s, 40, true)
		keys.Chain = nil
		r, err := audit.Verify(ctx, s, keys)
		if err != nil || !r.OK() || r.Unchecked != 41 || r.KeyedFrom != 1 {
			t.Fatalf("report = %+v, %v", r, err)
		}
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 7`); err != nil {
			t.Fatal(err)
		}
		if r, _ := audit.Verify(ctx, s, keys); r.OK() || r.BadSeq != 7 {
			t.Fatalf("deletion without the chain key: %+v", r)
		}
	})
}

// TestLegacyThenCutover: a chain written unkeyed by an older version, then
// appended to by a keyed log, verifies; the cutover is written once even
// by two processes, and both halves stay protected.
func TestLegacyThenCutover(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		signer, id := newSigner(t)
		appendN(t, s, audit.New(signer, id, testClock()), 40)
		a := audit.NewKeyed(signer, id, chainKey, testClock())
		b := audit.NewKeyed(signer, id, chainKey, testClock())
		if err := a.EnsureKeyed(ctx, s); err != nil {
			t.Fatal(err)
		}
		appendN(t, s, b, 5)
		appendN(t, s, a, 5)
		r, err := audit.Verify(ctx, s, a.Keys())
		if err != nil || !r.OK() || r.Entries != 51 || r.KeyedFrom != 41 {
			t.Fatalf("report = %+v, %v", r, err)
		}
		var markers int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'audit.keyed'`).Scan(&markers); err != nil || markers != 1 {
			t.Fatalf("cutover entries: %d, %v", markers, err)
		}
		// An edit of the unkeyed part, recomputed without checkpoints, breaks
		// the link into the keyed part: the attacker cannot recompute the
		// cutover entry without the chain key.
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM audit_checkpoints`); err != nil {
			t.Fatal(err)
		}
		all, _ := s.AuditEntries(ctx, 0, 1000)
		prev := all[33].Hash
		for _, e := range all[34:40] {
			e.PrevHash, e.Actor = prev, "forger"
			e.Hash = audit.Hash(e)
			prev = e.Hash
			if _, err := s.DB().ExecContext(ctx, `UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, e.Actor, e.PrevHash, e.Hash, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
		if r, _ := audit.Verify(ctx, s, a.Keys()); r.OK() || r.BadSeq != 41 || !strings.Contains(r.Problem, "does not link") {
			t.Fatalf("rewritten legacy part: %+v", r)
		}
	})
}

func TestRefusingLog(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		want := custos.Errorf(custos.KindInvalid, "key_file_needed", "no key file")
		log := audit.Refusing(want)
		err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := log.Append(ctx, tx, audit.Record{Actor: "cli", Action: "token.create", Object: "token:1"})
			return err
		})
		if custos.AsError(err).Code != "key_file_needed" {
			t.Fatalf("append = %v", err)
		}
		if n, _ := s.CountAuditEntries(ctx); n != 0 {
			t.Fatalf("%d entries written", n)
		}
	})
}

func TestUnknownKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fill(t, s, 5, true)
		other, id := newSigner(t)
		r, _ := audit.Verify(context.Background(), s, audit.Keys{Signing: map[string]ed25519.PublicKey{id: other.Public()}, Chain: chainKey})
		if r.OK() || !strings.Contains(r.Problem, "unknown key") {
			t.Fatalf("report = %+v", r)
		}
	})
}

// TestLegacyGapsCovered: an older version's commands appended entries
// without the checkpoints they owed. Once the keyed chain begins, its
// signed cutover pins those entries, so verify passes and reports the gaps;
// without that signature the same gaps fail, as deleted checkpoints do.
func TestLegacyGapsCovered(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		signer, id := newSigner(t)
		appendN(t, s, audit.New(nil, "", testClock()), 70) // no signer: entries 32 and 64 unsigned
		a := audit.NewKeyed(signer, id, chainKey, testClock())
		if err := a.EnsureKeyed(ctx, s); err != nil {
			t.Fatal(err)
		}
		appendN(t, s, a, 3)
		r, err := audit.Verify(ctx, s, a.Keys())
		if err != nil || !r.OK() || r.KeyedFrom != 71 || r.LegacyGaps != 2 || r.Unsigned != 3 || !strings.Contains(r.LegacyNote(), "2 checkpoints") {
			t.Fatalf("report = %+v, %v", r, err)
		}
		// Delete the cutover's signature: the gaps are no longer covered.
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM audit_checkpoints WHERE seq = 71`); err != nil {
			t.Fatal(err)
		}
		if r, _ := audit.Verify(ctx, s, a.Keys()); r.OK() || r.BadSeq != 32 {
			t.Fatalf("uncovered legacy gaps passed: %+v", r)
		}
	})
}
