package vault

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
)

// SubjectKey is a subject's own data key: a Tink AES-256-GCM AEAD. Every
// value and identity of the subject is sealed with it, bound to the subject
// and to what the value is, so a ciphertext cannot be moved to another
// subject or field and still open.
type SubjectKey struct {
	subjectID string
	aead      tink.AEAD
}

func subjectKeyContext(subjectID string) string { return "custos/subject-key/" + subjectID }

// NewSubjectKey makes a fresh data key for a subject and returns it with its
// wrapped (master-sealed) form for storage.
func (m *Master) NewSubjectKey(subjectID string) (*SubjectKey, []byte, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, nil, fmt.Errorf("vault: subject key: %w", err)
	}
	wrapped, err := m.Seal(raw, subjectKeyContext(subjectID))
	if err != nil {
		return nil, nil, err
	}
	k, err := subjectKey(subjectID, raw)
	return k, wrapped, err
}

// OpenSubjectKey unwraps a stored subject key. A nil wrapped key means the
// subject was erased: its data cannot be read by anyone.
func (m *Master) OpenSubjectKey(subjectID string, wrapped []byte) (*SubjectKey, error) {
	if wrapped == nil {
		return nil, ErrErased
	}
	raw, err := m.Open(wrapped, subjectKeyContext(subjectID))
	if err != nil {
		return nil, err
	}
	return subjectKey(subjectID, raw)
}

// RewrapSubjectKey re-seals a wrapped key under the master's current primary.
func (m *Master) RewrapSubjectKey(subjectID string, wrapped []byte) ([]byte, error) {
	raw, err := m.Open(wrapped, subjectKeyContext(subjectID))
	if err != nil {
		return nil, err
	}
	return m.Seal(raw, subjectKeyContext(subjectID))
}

// retentionKeyContext binds a wrapped retention key to its subject, apart
// from their data key, so one cannot be unwrapped as the other.
func retentionKeyContext(subjectID string) string { return "custos/retention-key/" + subjectID }

// NewRetentionKey makes a fresh key for what a deletion keeps of a subject
// on a legal ground. It is a key of its own, not the data key: once the
// deletion destroys the data key, the retained records open and nothing
// else does.
func (m *Master) NewRetentionKey(subjectID string) (*SubjectKey, []byte, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, nil, fmt.Errorf("vault: retention key: %w", err)
	}
	wrapped, err := m.Seal(raw, retentionKeyContext(subjectID))
	if err != nil {
		return nil, nil, err
	}
	k, err := subjectKey(subjectID, raw)
	return k, wrapped, err
}

// OpenRetentionKey unwraps a stored retention key.
func (m *Master) OpenRetentionKey(subjectID string, wrapped []byte) (*SubjectKey, error) {
	raw, err := m.Open(wrapped, retentionKeyContext(subjectID))
	if err != nil {
		return nil, err
	}
	return subjectKey(subjectID, raw)
}

// ErrErased is returned for the key of an erased subject.
var ErrErased = &custos.Error{Kind: custos.KindNotFound, Code: "erased", Message: "The person's data was erased and cannot be read."}

func subjectKey(subjectID string, raw []byte) (*SubjectKey, error) {
	a, err := subtle.NewAESGCM(raw)
	if err != nil {
		return nil, fmt.Errorf("vault: subject key: %w", err)
	}
	return &SubjectKey{subjectID: subjectID, aead: a}, nil
}

// Seal encrypts a value of this subject; field says what it is
// ("identity:email", "event:user.contact.email").
func (k *SubjectKey) Seal(plaintext []byte, field string) ([]byte, error) {
	return k.aead.Encrypt(plaintext, []byte(k.subjectID+"\x00"+field))
}

// Open decrypts what Seal produced for the same subject and field.
func (k *SubjectKey) Open(ciphertext []byte, field string) ([]byte, error) {
	pt, err := k.aead.Decrypt(ciphertext, []byte(k.subjectID+"\x00"+field))
	if err != nil {
		return nil, fmt.Errorf("vault: value of subject %s does not open: %w", k.subjectID, err)
	}
	return pt, nil
}

// BlindIndex computes keyed hashes of identities so they can be looked up
// without being stored in the clear. Its key is an instance secret sealed
// by the master key; it does not change when the master key rotates.
type BlindIndex struct{ key []byte }

// Sum is the blind index of a normalised identity of a kind.
func (b *BlindIndex) Sum(kind, normalised string) []byte {
	h := hmac.New(sha256.New, b.key)
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(normalised))
	return h.Sum(nil)
}

// InstanceBlindIndex returns the instance's blind index, creating its key on
// first use.
func InstanceBlindIndex(ctx context.Context, s *store.Store, m *Master, now time.Time) (*BlindIndex, error) {
	key, err := InstanceSecret(ctx, s, m, "blind-index", now)
	if err != nil {
		return nil, err
	}
	return &BlindIndex{key: key}, nil
}

// InstanceSecret returns a named 32-byte secret of the instance, stored
// sealed by the master key, creating it on first use (the first writer wins
// a race).
func InstanceSecret(ctx context.Context, s *store.Store, m *Master, name string, now time.Time) ([]byte, error) {
	k, err := s.InstanceKey(ctx, name)
	if errors.Is(err, custos.ErrNotFound) {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("vault: secret %s: %w", name, err)
		}
		sealed, serr := m.Seal(secret, sealContext(name))
		if serr != nil {
			return nil, serr
		}
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.PutInstanceKey(ctx, store.InstanceKey{Name: name, Public: []byte{}, Sealed: sealed, CreatedAt: now})
			return err
		}); err != nil {
			return nil, err
		}
		k, err = s.InstanceKey(ctx, name)
	}
	if err != nil {
		return nil, err
	}
	return m.Open(k.Sealed, sealContext(name))
}

// KeyCache keeps recently used subject keys unwrapped, so a busy subject's
// key is not unwrapped on every event. It is bounded; eviction is by
// clearing the older half of entries at random, which is enough for a cache
// whose misses cost microseconds.
type KeyCache struct {
	mu   sync.Mutex
	max  int
	keys map[string]*SubjectKey
}

// NewKeyCache returns a cache holding at most max keys.
func NewKeyCache(max int) *KeyCache {
	return &KeyCache{max: max, keys: make(map[string]*SubjectKey, max)}
}

// Get returns a cached key.
func (c *KeyCache) Get(subjectID string) (*SubjectKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[subjectID]
	return k, ok
}

// Put caches a key.
func (c *KeyCache) Put(k *SubjectKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= c.max {
		n := 0
		for id := range c.keys {
			delete(c.keys, id)
			if n++; n >= c.max/2 {
				break
			}
		}
	}
	c.keys[k.subjectID] = k
}

// Forget drops a key (erasure, merge).
func (c *KeyCache) Forget(subjectID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, subjectID)
}

// RewrapSubjectKeys re-seals every live subject key under the master key's
// current primary, a page per transaction, and returns how many it did.
// Run after Rotate; it can be re-run safely if interrupted.
func RewrapSubjectKeys(ctx context.Context, s *store.Store, m *Master) (int, error) {
	n, after := 0, ""
	for {
		page, err := s.SubjectsPage(ctx, after, 500)
		if err != nil || len(page) == 0 {
			return n, err
		}
		err = s.InTx(ctx, func(tx *store.Tx) error {
			for _, row := range page {
				wrapped, err := m.RewrapSubjectKey(row.ID, row.WrappedKey)
				if err != nil {
					return err
				}
				if err := tx.RewrapSubjectKey(ctx, row.ID, wrapped); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(page)
		after = page[len(page)-1].ID
	}
}

// RewrapRetentionKeys re-seals every retention key under the master key's
// current primary, as RewrapSubjectKeys does for data keys.
func RewrapRetentionKeys(ctx context.Context, s *store.Store, m *Master) (int, error) {
	n, after := 0, ""
	for {
		keys, order, err := s.RetentionKeysPage(ctx, after, 500)
		if err != nil || len(order) == 0 {
			return n, err
		}
		err = s.InTx(ctx, func(tx *store.Tx) error {
			for _, id := range order {
				raw, err := m.Open(keys[id], retentionKeyContext(id))
				if err != nil {
					return err
				}
				wrapped, err := m.Seal(raw, retentionKeyContext(id))
				if err != nil {
					return err
				}
				if err := tx.RewrapRetentionKey(ctx, id, wrapped); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(order)
		after = order[len(order)-1]
	}
}
