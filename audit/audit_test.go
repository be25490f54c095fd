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

// fill appends n entries and returns the log and its verification keys.
func fill(t *testing.T, s *store.Store, n int) map[string]ed25519.PublicKey {
	t.Helper()
	ctx := context.Background()
	signer, id := newSigner(t)
	clock := &custos.FixedClock{T: time.Date(2026, 3, 1, 12, 0, 0, 987654321, time.UTC)}
	log := audit.New(signer, id, clock)
	for i := 1; i <= n; i++ {
		clock.T = clock.T.Add(time.Second)
		err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := log.Append(ctx, tx, audit.Record{Actor: "cli", Action: "token.create", Object: fmt.Sprintf("token:%d", i),
				Detail: map[string]any{"role": "admin"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Checkpoint(ctx, s); err != nil {
		t.Fatal(err)
	}
	return map[string]ed25519.PublicKey{id: signer.Public()}
}

func TestVerifyIntact(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := fill(t, s, 70)
		r, err := audit.Verify(context.Background(), s, keys)
		if err != nil {
			t.Fatal(err)
		}
		// 70 entries: checkpoints at 32, 64 and the final one at 70.
		if !r.OK() || r.Entries != 70 || r.Checkpoints != 3 {
			t.Fatalf("report = %+v", r)
		}
	})
}

func TestVerifyEmpty(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r, err := audit.Verify(context.Background(), s, nil)
		if err != nil || !r.OK() || r.Entries != 0 {
			t.Fatalf("report = %+v, %v", r, err)
		}
	})
}

func TestTamperingDetected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		tamper  []string // SQL run against the filled chain
		wantSeq int64
		want    string
	}{
		{"edited detail", []string{`UPDATE audit_log SET detail = '{"role":"agent"}' WHERE seq = 17`}, 17, "contents were changed"},
		{"edited actor", []string{`UPDATE audit_log SET actor = 'someone' WHERE seq = 3`}, 3, "contents were changed"},
		{"deleted in the middle", []string{`DELETE FROM audit_log WHERE seq = 10`}, 10, "missing"},
		{"deleted from the end", []string{`DELETE FROM audit_log WHERE seq > 36`}, 40, "entries deleted from the end"},
		{"reordered", []string{
			`UPDATE audit_log SET seq = -1 WHERE seq = 5`,
			`UPDATE audit_log SET seq = 5 WHERE seq = 6`,
			`UPDATE audit_log SET seq = 6 WHERE seq = -1`,
		}, 5, "does not link"},
		{"rehashed after an edit", nil, 32, "differs from the signed checkpoint"},
		{"forged checkpoint", []string{`UPDATE audit_checkpoints SET signature = hash WHERE seq = 32`}, 32, "invalid signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				keys := fill(t, s, 40)
				for _, q := range c.tamper {
					if _, err := s.DB().ExecContext(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				if c.tamper == nil {
					rewriteFrom(t, s, 20)
				}
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

// rewriteFrom edits entry seq and recomputes every later hash and link, as
// an attacker with database access would: only the signed checkpoints can
// tell.
func rewriteFrom(t *testing.T, s *store.Store, seq int64) {
	t.Helper()
	ctx := context.Background()
	all, err := s.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	prev := all[seq-2].Hash
	for _, e := range all[seq-1:] {
		if e.Seq == seq {
			e.Actor = "forger"
		}
		e.PrevHash = prev
		e.Hash = audit.Hash(e)
		if _, err := s.DB().ExecContext(ctx, `UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4`,
			e.Actor, e.PrevHash, e.Hash, e.Seq); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	r, err := audit.Verify(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Without keys the chain itself looks whole; the checkpoint catches it.
	if !strings.Contains(r.Problem, "unknown key") {
		t.Fatalf("unexpected report for rewritten chain without keys: %+v", r)
	}
}

func TestUnknownKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fill(t, s, 5)
		other, id := newSigner(t)
		r, _ := audit.Verify(context.Background(), s, map[string]ed25519.PublicKey{id: other.Public()})
		if r.OK() || !strings.Contains(r.Problem, "unknown key") {
			t.Fatalf("report = %+v", r)
		}
	})
}
