// Package audit keeps the tamper-evident log of everything that changes
// state in Custos. Each entry's hash covers its contents and the previous
// entry's hash, so editing, deleting or reordering an entry breaks the chain
// from there on. From the cutover entry (action "audit.keyed") on, the hash
// is an HMAC under the instance's chain key, sealed by the master key, so
// the chain cannot be recomputed by someone who can only write the
// database. Ed25519-signed checkpoints pin the chain: every 32nd entry is
// signed in the transaction that appends it, so a rewritten chain (keyed or
// not) no longer matches a signature, and deleting checkpoints shows.
package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// CheckpointEvery is how many entries pass between automatic checkpoints.
const CheckpointEvery = 32

// Signer signs checkpoints. vault.Signer is one.
type Signer interface {
	Sign(msg []byte) []byte
	Public() ed25519.PublicKey
}

// CutoverAction is the action of the entry that marks where keyed entries
// begin. It is itself the first keyed entry; every entry after it is keyed.
const CutoverAction = "audit.keyed"

// Log appends to the audit chain.
type Log struct {
	signer Signer // nil: append without checkpoints (tests of other packages)
	keyID  string
	chain  []byte // the chain key; nil: unkeyed entries (tests of other packages)
	clock  custos.Clock
	// keyedFrom caches the cutover's sequence number once seen; it never
	// changes after that.
	keyedFrom atomic.Int64
	// refuse, when set, is returned by every append: a process without the
	// key file cannot key or sign entries, so it must not write any.
	refuse error
}

// New returns a Log that writes unkeyed entries. signer may be nil; keyID
// names its public key. Servers and commands use NewKeyed.
func New(signer Signer, keyID string, clock custos.Clock) *Log {
	return &Log{signer: signer, keyID: keyID, clock: clock}
}

// NewKeyed returns a Log that signs checkpoints with signer and keys every
// entry from the cutover on with chainKey, writing the cutover entry first
// when the chain has none yet.
func NewKeyed(signer Signer, keyID string, chainKey []byte, clock custos.Clock) *Log {
	return &Log{signer: signer, keyID: keyID, chain: chainKey, clock: clock}
}

// Refusing returns a Log whose every append fails with err: what a command
// run without the key file gets.
func Refusing(err error) *Log { return &Log{refuse: err} }

// Keys are what Verify checks the chain with: the checkpoint signing keys
// by id, and the chain key (nil when the key file is absent).
type Keys struct {
	Signing map[string]ed25519.PublicKey
	Chain   []byte
}

// Keys returns the keys this log writes with, for verifying what it wrote.
func (l *Log) Keys() Keys {
	k := Keys{Chain: l.chain}
	if l.signer != nil {
		k.Signing = map[string]ed25519.PublicKey{l.keyID: l.signer.Public()}
	}
	return k
}

// ChainKeyID names a chain key without revealing it.
func ChainKeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("custos-audit-chain-key-id"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// Record is what happened, before it is sealed into the chain. Detail must
// hold no personal data: ids, keys, codes and counts only.
type Record struct {
	Actor  string
	Action string
	Object string
	Detail map[string]any
}

// Append adds r to the chain inside tx, so the entry commits or rolls back
// with the change it records.
func (l *Log) Append(ctx context.Context, tx *store.Tx, r Record) (custos.AuditEntry, error) {
	if l.refuse != nil {
		return custos.AuditEntry{}, l.refuse
	}
	detail := []byte("{}")
	if len(r.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(r.Detail); err != nil {
			return custos.AuditEntry{}, fmt.Errorf("audit: detail: %w", err)
		}
	}
	seq, prev, err := tx.AuditHead(ctx)
	if err != nil {
		return custos.AuditEntry{}, fmt.Errorf("audit: head: %w", err)
	}
	if seq, prev, err = l.cutover(ctx, tx, seq, prev); err != nil {
		return custos.AuditEntry{}, err
	}
	return l.insert(ctx, tx, seq, prev, r.Actor, r.Action, r.Object, string(detail))
}

// cutover writes the entry that marks where keyed entries begin, when this
// log keys entries and the chain has no such entry yet. The caller holds the
// chain's lock (AuditHead), so two processes cannot both write one.
func (l *Log) cutover(ctx context.Context, tx *store.Tx, seq int64, prev []byte) (int64, []byte, error) {
	if l.chain == nil || l.keyedFrom.Load() != 0 {
		return seq, prev, nil
	}
	from, err := tx.AuditKeyedFrom(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("audit: cutover: %w", err)
	}
	if from != 0 {
		l.keyedFrom.Store(from)
		return seq, prev, nil
	}
	detail, _ := json.Marshal(map[string]any{"chain_key": ChainKeyID(l.chain), "unkeyed_entries": seq})
	e, err := l.insert(ctx, tx, seq, prev, "system", CutoverAction, "audit", string(detail))
	if err != nil {
		return 0, nil, err
	}
	// The cutover is signed at once, whatever its number: that signature
	// pins every unkeyed entry before it, including those an older version
	// appended without the checkpoints it owed (Verify excuses those gaps
	// only under a signature at or after the cutover).
	if l.signer != nil && e.Seq%CheckpointEvery != 0 {
		if err := tx.InsertAuditCheckpoint(ctx, l.checkpoint(e.Seq, e.Hash)); err != nil {
			return 0, nil, fmt.Errorf("audit: checkpoint: %w", err)
		}
	}
	// Not cached here: should this transaction roll back, the next append
	// asks again and writes the cutover again.
	return e.Seq, e.Hash, nil
}

func (l *Log) insert(ctx context.Context, tx *store.Tx, seq int64, prev []byte, actor, action, object, detail string) (custos.AuditEntry, error) {
	e := custos.AuditEntry{
		Seq: seq + 1,
		// Stored with microsecond precision; hash what will be read back.
		At:       l.clock.Now().UTC().Truncate(time.Microsecond),
		Actor:    actor,
		Action:   action,
		Object:   object,
		Detail:   detail,
		PrevHash: prev,
	}
	if e.PrevHash == nil {
		e.PrevHash = []byte{}
	}
	if l.chain != nil {
		e.Hash = KeyedHash(l.chain, e)
	} else {
		e.Hash = Hash(e)
	}
	if err := tx.InsertAuditEntry(ctx, e); err != nil {
		return custos.AuditEntry{}, fmt.Errorf("audit: append: %w", err)
	}
	if l.signer != nil && e.Seq%CheckpointEvery == 0 {
		if err := tx.InsertAuditCheckpoint(ctx, l.checkpoint(e.Seq, e.Hash)); err != nil {
			return custos.AuditEntry{}, fmt.Errorf("audit: checkpoint: %w", err)
		}
	}
	return e, nil
}

// EnsureKeyed writes the cutover entry now if the chain has none, so an
// upgraded server marks where keyed entries begin at start rather than at
// its first change.
func (l *Log) EnsureKeyed(ctx context.Context, s *store.Store) error {
	if l.refuse != nil || l.chain == nil {
		return nil
	}
	return s.InTx(ctx, func(tx *store.Tx) error {
		seq, prev, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		_, _, err = l.cutover(ctx, tx, seq, prev)
		return err
	})
}

// Checkpoint signs the current head of the chain, if it has one and no
// checkpoint covers it yet.
func (l *Log) Checkpoint(ctx context.Context, s *store.Store) error {
	if l.refuse != nil {
		return l.refuse
	}
	if l.signer == nil {
		return nil
	}
	return s.InTx(ctx, func(tx *store.Tx) error {
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil || seq == 0 {
			return err
		}
		return tx.InsertAuditCheckpoint(ctx, l.checkpoint(seq, hash))
	})
}

func (l *Log) checkpoint(seq int64, hash []byte) custos.AuditCheckpoint {
	return custos.AuditCheckpoint{
		Seq: seq, Hash: hash, At: l.clock.Now().UTC().Truncate(time.Microsecond),
		KeyID: l.keyID, Signature: l.signer.Sign(CheckpointMessage(seq, hash)),
	}
}

// Hash is the hash of an unkeyed entry (before the cutover): SHA-256 over a
// versioned, length-prefixed encoding of every field but the hash itself.
func Hash(e custos.AuditEntry) []byte {
	sum := sha256.Sum256(encode("custos-audit-v1\n", e))
	return sum[:]
}

// KeyedHash is the hash of a keyed entry (the cutover and after):
// HMAC-SHA256 under the chain key over the same encoding, versioned apart.
func KeyedHash(key []byte, e custos.AuditEntry) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(encode("custos-audit-v2-keyed\n", e))
	return m.Sum(nil)
}

func encode(version string, e custos.AuditEntry) []byte {
	var b bytes.Buffer
	b.WriteString(version)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	b.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(e.At.UnixMicro()))
	b.Write(n[:])
	for _, f := range [][]byte{e.PrevHash, []byte(e.Actor), []byte(e.Action), []byte(e.Object), []byte(e.Detail)} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		b.Write(n[:])
		b.Write(f)
	}
	return b.Bytes()
}

// CheckpointMessage is what a checkpoint signature covers.
func CheckpointMessage(seq int64, hash []byte) []byte {
	msg := []byte("custos-audit-checkpoint-v1\n")
	msg = binary.BigEndian.AppendUint64(msg, uint64(seq))
	return append(msg, hash...)
}
