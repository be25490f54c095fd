package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/custos-privacy/custos"
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
	// KeyedFrom is the cutover entry (0: the chain has no keyed entries).
	KeyedFrom int64
	// Unchecked counts keyed entries whose HMAC was not checked because no
	// chain key was given (the key file is absent). Their links were.
	Unchecked int64
	// Unsigned counts the entries after the last checkpoint: at most 31
	// when a process stopped before its next checkpoint (a crash).
	Unsigned int64
	// LegacyGaps counts the 32nd entries before the cutover that have no
	// checkpoint: an older version's commands appended without signing.
	// They pass because a signature at or after the cutover pins the whole
	// unkeyed part of the chain through its links.
	LegacyGaps int
}

// OK reports whether the chain verified (as far as the keys given allow:
// see Unchecked).
func (r Report) OK() bool { return r.Problem == "" }

// UnsignedNote is the sentence that reports an uncovered tail, or "".
func (r Report) UnsignedNote() string {
	if r.Unsigned == 0 {
		return ""
	}
	return fmt.Sprintf("%d entries after the last checkpoint are not yet signed", r.Unsigned)
}

// LegacyNote is the sentence that reports LegacyGaps, or "".
func (r Report) LegacyNote() string {
	if r.LegacyGaps == 0 {
		return ""
	}
	return fmt.Sprintf("%d checkpoints an older version did not sign before the keyed chain began at entry %d are missing; "+
		"the signed cutover covers those entries", r.LegacyGaps, r.KeyedFrom)
}

// Verify walks the whole chain, recomputing every hash and link, and checks
// every checkpoint's signature with the signing keys given by id.
//
// The rules:
//   - entries are numbered 1… without gaps, each linking to the one before;
//   - entries before the first CutoverAction entry are SHA-256 (Hash); that
//     entry and every one after are HMAC-SHA256 under keys.Chain
//     (KeyedHash), checked only when keys.Chain is given;
//   - every checkpoint is signed by a key in keys.Signing and matches the
//     entry it names;
//   - every entry whose number is a multiple of CheckpointEvery has a
//     checkpoint, since every appender signs those in the appending
//     transaction. Deleting checkpoints therefore fails, and so does any
//     rewrite of the chain below the last checkpoint, keyed or not (it
//     changes the hash a signature covers). The entries after the last
//     checkpoint (fewer than CheckpointEvery) are counted in Unsigned, not
//     failed: a crash leaves them so. Before the cutover, a 32nd entry
//     without a checkpoint (an older version's command appended it) is
//     counted in LegacyGaps instead, when a checkpoint at or after the
//     cutover exists: that signature covers the unkeyed part through its
//     links, and the cutover is signed as it is written.
func Verify(ctx context.Context, s *store.Store, keys Keys) (Report, error) {
	var r Report
	cps, err := s.AuditCheckpoints(ctx)
	if err != nil {
		return r, err
	}
	want := map[int64]bool{}
	for _, c := range cps {
		want[c.Seq] = true
	}
	hashes, p, err := walkChain(ctx, s, keys, want, &r)
	if err != nil {
		return r, err
	}
	var last int64
	if p == nil {
		last, p = checkCheckpoints(cps, keys, hashes, &r)
	}
	if p == nil {
		p = checkCoverage(want, last, &r)
	}
	if p != nil {
		r.BadSeq, r.Problem = p.seq, p.msg
		return r, nil
	}
	r.Unsigned = r.Entries - last
	return r, nil
}

// problem is the first check that failed: the entry it names, and what is
// wrong in words.
type problem struct {
	seq int64
	msg string
}

func failAt(seq int64, format string, args ...any) *problem {
	return &problem{seq: seq, msg: fmt.Sprintf(format, args...)}
}

// walkChain reads the entries in pages, checking numbering, links and
// hashes (keyed from the cutover on), and keeps the hashes of the entries
// a checkpoint names (want). It counts r.Entries and r.Unchecked and sets
// r.KeyedFrom.
func walkChain(ctx context.Context, s *store.Store, keys Keys, want map[int64]bool, r *Report) (map[int64][]byte, *problem, error) {
	prevHash := []byte{}
	hashes := map[int64][]byte{}
	const page = 1000
	for after := int64(0); ; {
		entries, err := s.AuditEntries(ctx, after, page)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries {
			if r.KeyedFrom == 0 && e.Action == CutoverAction {
				r.KeyedFrom = e.Seq
			}
			if p := checkEntry(e, r.Entries+1, prevHash, r.KeyedFrom, keys.Chain); p != nil {
				return nil, p, nil
			}
			if r.KeyedFrom != 0 && keys.Chain == nil {
				r.Unchecked++
			}
			if want[e.Seq] {
				hashes[e.Seq] = e.Hash
			}
			prevHash = e.Hash
			r.Entries++
			after = e.Seq
		}
		if len(entries) < page {
			return hashes, nil, nil
		}
	}
}

// checkEntry checks one entry: numbered expect, linked to prevHash, and
// matching its hash (keyed under chain once keyedFrom is set, when the
// chain key is given).
func checkEntry(e custos.AuditEntry, expect int64, prevHash []byte, keyedFrom int64, chain []byte) *problem {
	switch {
	case e.Seq != expect:
		return failAt(expect, "entry %d is missing: the next entry is %d (entries deleted)", expect, e.Seq)
	case !bytes.Equal(e.PrevHash, prevHash):
		return failAt(e.Seq, "entry %d does not link to entry %d: its previous-hash differs (entries deleted, inserted or reordered)", e.Seq, e.Seq-1)
	case keyedFrom == 0 && !bytes.Equal(Hash(e), e.Hash):
		return failAt(e.Seq, "entry %d does not match its hash: its contents were changed", e.Seq)
	case keyedFrom != 0 && chain != nil && !bytes.Equal(KeyedHash(chain, e), e.Hash):
		return failAt(e.Seq, "entry %d does not match its keyed hash: its contents were changed, or the chain was recomputed without the chain key", e.Seq)
	}
	return nil
}

// checkCheckpoints checks each checkpoint's signature and that it matches
// the entry it names; it counts r.Checkpoints and returns the last
// checkpoint's entry.
func checkCheckpoints(cps []custos.AuditCheckpoint, keys Keys, hashes map[int64][]byte, r *Report) (int64, *problem) {
	var last int64
	for _, c := range cps {
		pub, ok := keys.Signing[c.KeyID]
		if !ok {
			return last, failAt(c.Seq, "checkpoint at entry %d is signed by unknown key %s", c.Seq, c.KeyID)
		}
		if !ed25519.Verify(pub, CheckpointMessage(c.Seq, c.Hash), c.Signature) {
			return last, failAt(c.Seq, "checkpoint at entry %d has an invalid signature", c.Seq)
		}
		h, ok := hashes[c.Seq]
		if !ok {
			return last, failAt(c.Seq, "checkpoint at entry %d: the chain ends at entry %d (entries deleted from the end)", c.Seq, r.Entries)
		}
		if !bytes.Equal(h, c.Hash) {
			return last, failAt(c.Seq, "entry %d differs from the signed checkpoint of it: the chain was rewritten", c.Seq)
		}
		r.Checkpoints++
		last = c.Seq
	}
	return last, nil
}

// checkCoverage checks that every CheckpointEvery-th entry has its
// checkpoint, counting in r.LegacyGaps the unkeyed ones an older version
// left unsigned, which the signed cutover covers.
func checkCoverage(want map[int64]bool, last int64, r *Report) *problem {
	for seq := int64(CheckpointEvery); seq <= r.Entries; seq += CheckpointEvery {
		if !want[seq] && r.KeyedFrom != 0 && seq < r.KeyedFrom && last >= r.KeyedFrom {
			r.LegacyGaps++
			continue
		}
		if !want[seq] {
			return failAt(seq, "entry %d has no signed checkpoint, though every %dth entry is signed as it is appended: checkpoints were deleted", seq, CheckpointEvery)
		}
	}
	return nil
}
