package vault

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// Signer is an Ed25519 key of this instance, used for audit checkpoints and
// consent receipts. Its private half is stored sealed by the master key.
type Signer struct {
	Name string
	ID   string // short fingerprint of the public key
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

// Public returns the verification key.
func (s *Signer) Public() ed25519.PublicKey { return s.pub }

// Sign signs msg.
func (s *Signer) Sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// KeyID is the fingerprint Custos uses to name a public key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

func sealContext(name string) string { return "custos/instance-key/" + name }

// InstanceSigner returns the named signing key, creating and storing it on
// first use. When several servers race, the first stored key wins and all of
// them use it.
func InstanceSigner(ctx context.Context, s *store.Store, m *Master, name string, now time.Time) (*Signer, error) {
	k, err := s.InstanceKey(ctx, name)
	if errors.Is(err, custos.ErrNotFound) {
		pub, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, fmt.Errorf("vault: generate %s key: %w", name, gerr)
		}
		sealed, serr := m.Seal(priv.Seed(), sealContext(name))
		if serr != nil {
			return nil, fmt.Errorf("vault: seal %s key: %w", name, serr)
		}
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.PutInstanceKey(ctx, store.InstanceKey{Name: name, Public: pub, Sealed: sealed, CreatedAt: now})
			return err
		}); err != nil {
			return nil, err
		}
		k, err = s.InstanceKey(ctx, name)
	}
	if err != nil {
		return nil, err
	}
	seed, err := m.Open(k.Sealed, sealContext(name))
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("vault: %s key: bad seed length %d", name, len(seed))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	if !pub.Equal(ed25519.PublicKey(k.Public)) {
		return nil, &custos.Error{Kind: custos.KindInternal, Code: "key_mismatch",
			Message: fmt.Sprintf("The stored public %s key does not match its sealed private key: the key table was altered.", name)}
	}
	return &Signer{Name: name, ID: KeyID(pub), pub: pub, priv: priv}, nil
}

// ResealInstanceKeys re-encrypts every instance key in the store (signing
// keys and secrets alike) under the master key's current primary, after
// Rotate. Asking the store for the names means a key added by a later
// feature is never left sealed only by the old primary.
func ResealInstanceKeys(ctx context.Context, s *store.Store, m *Master) error {
	return s.InTx(ctx, func(tx *store.Tx) error {
		names, err := tx.InstanceKeyNames(ctx)
		if err != nil {
			return err
		}
		for _, name := range names {
			k, err := tx.InstanceKey(ctx, name)
			if err != nil {
				return err
			}
			seed, err := m.Open(k.Sealed, sealContext(name))
			if err != nil {
				return err
			}
			sealed, err := m.Seal(seed, sealContext(name))
			if err != nil {
				return err
			}
			if err := tx.ResealInstanceKey(ctx, name, sealed); err != nil {
				return err
			}
		}
		return nil
	})
}
