// Package audit keeps the tamper-evident log of everything that changes
// state in Custos. Each entry's hash covers its contents and the previous
// entry's hash, so editing, deleting or reordering an entry breaks the chain
// from there on; Ed25519-signed checkpoints pin the chain's head, so cutting
// entries off its end is caught too.
package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
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

// Log appends to the audit chain.
type Log struct {
	signer Signer // nil: append without checkpoints (e.g. a CLI with no key file)
	keyID  string
	clock  custos.Clock
}

// New returns a Log. signer may be nil; keyID names its public key.
func New(signer Signer, keyID string, clock custos.Clock) *Log {
	return &Log{signer: signer, keyID: keyID, clock: clock}
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
	e := custos.AuditEntry{
		Seq: seq + 1,
		// Stored with microsecond precision; hash what will be read back.
		At:       l.clock.Now().UTC().Truncate(time.Microsecond),
		Actor:    r.Actor,
		Action:   r.Action,
		Object:   r.Object,
		Detail:   string(detail),
		PrevHash: prev,
	}
	if e.PrevHash == nil {
		e.PrevHash = []byte{}
	}
	e.Hash = Hash(e)
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

// Checkpoint signs the current head of the chain, if it has one and no
// checkpoint covers it yet.
func (l *Log) Checkpoint(ctx context.Context, s *store.Store) error {
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

// Hash is the hash of an entry: SHA-256 over a versioned, length-prefixed
// encoding of every field but the hash itself.
func Hash(e custos.AuditEntry) []byte {
	var b bytes.Buffer
	b.WriteString("custos-audit-v1\n")
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
	sum := sha256.Sum256(b.Bytes())
	return sum[:]
}

// CheckpointMessage is what a checkpoint signature covers.
func CheckpointMessage(seq int64, hash []byte) []byte {
	msg := []byte("custos-audit-checkpoint-v1\n")
	msg = binary.BigEndian.AppendUint64(msg, uint64(seq))
	return append(msg, hash...)
}
