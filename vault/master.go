// Package vault keeps the keys of a Custos instance. The master key (a Tink
// AEAD keyset in the --key-file) seals everything else: the instance's
// signing keys now, and each subject's own data key (crypto-shredding) as
// the records work lands. Rotation adds a new primary key to the keyset and
// keeps the old ones for decryption, as Tink keysets are designed to.
package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/custos-privacy/custos"
)

// Master is the key that wraps every other key.
type Master struct {
	path   string
	handle *keyset.Handle
	aead   tink.AEAD
	// Exposed is set when the key file can be read by other users.
	Exposed bool
}

// LoadOrCreateMaster reads the key file, creating it (mode 0600, in a 0700
// directory) when it does not exist. created reports whether it did.
func LoadOrCreateMaster(path string) (m *Master, created bool, err error) {
	m, err = LoadMaster(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return m, false, err
	}
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, false, fmt.Errorf("vault: new master key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, keyFileError(path, err)
	}
	if err := writeKeyset(path, h, true); err != nil {
		return nil, false, err
	}
	m, err = LoadMaster(path)
	return m, err == nil, err
}

// LoadMaster reads an existing key file. A missing file is reported with an
// error that wraps fs.ErrNotExist.
func LoadMaster(path string) (*Master, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &custos.Error{Kind: custos.KindInvalid, Code: "key_file_missing",
				Message: fmt.Sprintf("The key file %s does not exist. Without it stored personal data cannot be read.", path), Err: err}
		}
		return nil, keyFileError(path, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, keyFileError(path, err)
	}
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(b)))
	if err != nil {
		return nil, &custos.Error{Kind: custos.KindInvalid, Code: "key_file_invalid",
			Message: fmt.Sprintf("The key file %s is not a Custos master key (a Tink AEAD keyset in JSON).", path), Err: err}
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, &custos.Error{Kind: custos.KindInvalid, Code: "key_file_invalid",
			Message: fmt.Sprintf("The key file %s does not hold an AEAD key.", path), Err: err}
	}
	return &Master{path: path, handle: h, aead: a, Exposed: fi.Mode().Perm()&0o077 != 0}, nil
}

// Path is where the key lives.
func (m *Master) Path() string { return m.path }

// Seal encrypts plaintext bound to context: a ciphertext sealed for one
// context cannot be opened as another.
func (m *Master) Seal(plaintext []byte, context string) ([]byte, error) {
	return m.aead.Encrypt(plaintext, []byte(context))
}

// Open decrypts what Seal produced for the same context.
func (m *Master) Open(ciphertext []byte, context string) ([]byte, error) {
	pt, err := m.aead.Decrypt(ciphertext, []byte(context))
	if err != nil {
		return nil, &custos.Error{Kind: custos.KindInternal, Code: "key_mismatch",
			Message: "Data sealed by Custos could not be opened with this key file: is it the right one?", Err: err}
	}
	return pt, nil
}

// Rotate adds a fresh primary key to the keyset and rewrites the key file
// atomically. Old keys stay so existing ciphertexts still open; callers
// re-seal what they hold with the new primary.
func (m *Master) Rotate() error {
	mgr := keyset.NewManagerFromHandle(m.handle)
	id, err := mgr.Add(aead.AES256GCMKeyTemplate())
	if err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	if err := mgr.SetPrimary(id); err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	h, err := mgr.Handle()
	if err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	a, err := aead.New(h)
	if err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	if err := writeKeyset(m.path, h, false); err != nil {
		return err
	}
	m.handle, m.aead = h, a
	return nil
}

// KeyCount is how many keys the keyset holds (1 + rotations).
func (m *Master) KeyCount() int { return m.handle.Len() }

// writeKeyset writes through a temporary file and rename, so a crash never
// leaves a truncated key file behind.
func writeKeyset(path string, h *keyset.Handle, exclusive bool) error {
	var buf bytes.Buffer
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(&buf)); err != nil {
		return fmt.Errorf("vault: encode key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-key-*")
	if err != nil {
		return keyFileError(path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return keyFileError(path, err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return keyFileError(path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return keyFileError(path, err)
	}
	if err := tmp.Close(); err != nil {
		return keyFileError(path, err)
	}
	if exclusive {
		// Link fails if another process created the file meanwhile; theirs wins.
		if err := os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return nil
			}
			return keyFileError(path, err)
		}
		return nil
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return keyFileError(path, err)
	}
	return nil
}

func keyFileError(path string, err error) error {
	return &custos.Error{Kind: custos.KindUnavailable, Code: "key_file_unreadable",
		Message: fmt.Sprintf("The key file %s cannot be used: %v.", path, errors.Unwrap(err)), Err: err}
}
