package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/custos-privacy/custos/store"
)

// Report is the outcome of Verify.
type Report struct {
	Entries     int64
	Checkpoints int
	// Problem is empty when the chain is intact; otherwise it names the
	// first entry or checkpoint that does not match.
	Problem string
	BadSeq  int64
}

// OK reports whether the chain verified.
func (r Report) OK() bool { return r.Problem == "" }

// Verify walks the whole chain, recomputing every hash and link, and checks
// every checkpoint's signature with the keys given by id. A checkpoint signed
// by a key not in keys is a problem.
func Verify(ctx context.Context, s *store.Store, keys map[string]ed25519.PublicKey) (Report, error) {
	var (
		r        Report
		prevHash = []byte{}
		hashes   = map[int64][]byte{}
	)
	cps, err := s.AuditCheckpoints(ctx)
	if err != nil {
		return r, err
	}
	want := map[int64]bool{}
	for _, c := range cps {
		want[c.Seq] = true
	}
	fail := func(seq int64, format string, args ...any) (Report, error) {
		r.BadSeq = seq
		r.Problem = fmt.Sprintf(format, args...)
		return r, nil
	}
	const page = 1000
	for after := int64(0); ; {
		entries, err := s.AuditEntries(ctx, after, page)
		if err != nil {
			return r, err
		}
		for _, e := range entries {
			expect := r.Entries + 1
			switch {
			case e.Seq != expect:
				return fail(expect, "entry %d is missing: the next entry is %d (entries deleted)", expect, e.Seq)
			case !bytes.Equal(e.PrevHash, prevHash):
				return fail(e.Seq, "entry %d does not link to entry %d: its previous-hash differs (entries deleted, inserted or reordered)", e.Seq, e.Seq-1)
			case !bytes.Equal(Hash(e), e.Hash):
				return fail(e.Seq, "entry %d does not match its hash: its contents were changed", e.Seq)
			}
			if want[e.Seq] {
				hashes[e.Seq] = e.Hash
			}
			prevHash = e.Hash
			r.Entries++
			after = e.Seq
		}
		if len(entries) < page {
			break
		}
	}
	for _, c := range cps {
		pub, ok := keys[c.KeyID]
		if !ok {
			return fail(c.Seq, "checkpoint at entry %d is signed by unknown key %s", c.Seq, c.KeyID)
		}
		if !ed25519.Verify(pub, CheckpointMessage(c.Seq, c.Hash), c.Signature) {
			return fail(c.Seq, "checkpoint at entry %d has an invalid signature", c.Seq)
		}
		h, ok := hashes[c.Seq]
		if !ok {
			return fail(c.Seq, "checkpoint at entry %d: the chain ends at entry %d (entries deleted from the end)", c.Seq, r.Entries)
		}
		if !bytes.Equal(h, c.Hash) {
			return fail(c.Seq, "entry %d differs from the signed checkpoint of it: the chain was rewritten", c.Seq)
		}
		r.Checkpoints++
	}
	return r, nil
}
