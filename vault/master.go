// Package vault keeps the keys of a Custos instance. The master key (a Tink
// AEAD keyset in the --key-file) seals everything else: the instance's
// signing keys now, and each subject's own data key (crypto-shredding) as
// the records work lands. Rotation adds a new primary key to the keyset and
// keeps the old ones for decryption, as Tink keysets are designed to.
package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/custos-privacy/custos"
)

// Master is the key that wraps every other key. One Master is shared by
// everything in a process that seals or opens, and it swaps its keyset
// atomically when the key file is reloaded (SIGHUP, or a rotation seen in
// the database), so no holder keeps an old copy.
type Master struct {
	path string
	mu   sync.Mutex // serialises loading and rotating the key file
	st   atomic.Pointer[keysetState]
	// want is the primary key id the database records as current (0 while
	// unknown): a Master seals under it, and refuses when it lacks it.
	want atomic.Uint32
	// sealer is the AEAD that seals under want (or the file's primary
	// while want is unknown), or the error that explains why none can.
	sealer atomic.Pointer[sealer]
	// Exposed is set when the key file can be read by other users.
	Exposed bool
}

type keysetState struct {
	handle  *keyset.Handle
	aead    tink.AEAD // opens with any key of the keyset; seals under its primary
	primary uint32
	ids     map[uint32]bool
	mod     time.Time // the key file as loaded, to reload only when it changed
	size    int64
}

type sealer struct {
	aead tink.AEAD
	err  error
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
	st, exposed, err := readKeyset(path)
	if err != nil {
		return nil, err
	}
	m := &Master{path: path, Exposed: exposed}
	m.st.Store(st)
	m.refreshSealer()
	return m, nil
}

func readKeyset(path string) (*keysetState, bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, &custos.Error{Kind: custos.KindInvalid, Code: "key_file_missing",
				Message: fmt.Sprintf("The key file %s does not exist. Without it stored personal data cannot be read.", path), Err: err}
		}
		return nil, false, keyFileError(path, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, keyFileError(path, err)
	}
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(b)))
	if err != nil {
		return nil, false, &custos.Error{Kind: custos.KindInvalid, Code: "key_file_invalid",
			Message: fmt.Sprintf("The key file %s is not a Custos master key (a Tink AEAD keyset in JSON).", path), Err: err}
	}
	st, err := newState(h)
	if err != nil {
		return nil, false, &custos.Error{Kind: custos.KindInvalid, Code: "key_file_invalid",
			Message: fmt.Sprintf("The key file %s does not hold an AEAD key.", path), Err: err}
	}
	st.mod, st.size = fi.ModTime(), fi.Size()
	return st, fi.Mode().Perm()&0o077 != 0, nil
}

func newState(h *keyset.Handle) (*keysetState, error) {
	a, err := aead.New(h)
	if err != nil {
		return nil, err
	}
	info := h.KeysetInfo()
	st := &keysetState{handle: h, aead: a, primary: info.GetPrimaryKeyId(), ids: map[uint32]bool{}}
	for _, k := range info.GetKeyInfo() {
		st.ids[k.GetKeyId()] = true
	}
	return st, nil
}

// refreshSealer recomputes what seals, after the keyset or want changed.
func (m *Master) refreshSealer() {
	st, want := m.st.Load(), m.want.Load()
	switch {
	case want == 0 || want == st.primary:
		m.sealer.Store(&sealer{aead: st.aead})
	case !st.ids[want]:
		m.sealer.Store(&sealer{err: m.outdated(want)})
	default:
		// The file is ahead of the database (a rotation that has not
		// recorded its new primary yet): seal under the recorded one, which
		// every server holds.
		mgr := keyset.NewManagerFromHandle(st.handle)
		var a tink.AEAD
		err := mgr.SetPrimary(want)
		if err == nil {
			var h *keyset.Handle
			if h, err = mgr.Handle(); err == nil {
				a, err = aead.New(h)
			}
		}
		if err != nil {
			m.sealer.Store(&sealer{err: fmt.Errorf("vault: seal under key %d: %w", want, err)})
			return
		}
		m.sealer.Store(&sealer{aead: a})
	}
}

func (m *Master) outdated(want uint32) error {
	return &custos.Error{Kind: custos.KindUnavailable, Code: "key_outdated",
		Message: fmt.Sprintf("This server's key file %s does not hold the current primary key %d: copy the rotated key file here and send SIGHUP.", m.path, want)}
}

// Path is where the key lives.
func (m *Master) Path() string { return m.path }

// Primary is the id of the key file's primary key.
func (m *Master) Primary() uint32 { return m.st.Load().primary }

// Seal encrypts plaintext bound to context: a ciphertext sealed for one
// context cannot be opened as another. It seals under the primary the
// database records; a Master whose key file lacks it refuses (key_outdated)
// rather than seal under a key the rotation meant to retire.
func (m *Master) Seal(plaintext []byte, context string) ([]byte, error) {
	s := m.sealer.Load()
	if s.err != nil {
		// The key file may have been replaced without a SIGHUP.
		if m.reloadIfChanged() == nil {
			s = m.sealer.Load()
		}
		if s.err != nil {
			return nil, s.err
		}
	}
	return s.aead.Encrypt(plaintext, []byte(context))
}

// Open decrypts what Seal produced for the same context. A ciphertext under
// a key this keyset lacks makes it reload the key file first, if it changed:
// another process rotated it.
func (m *Master) Open(ciphertext []byte, context string) ([]byte, error) {
	st := m.st.Load()
	pt, err := st.aead.Decrypt(ciphertext, []byte(context))
	if err != nil && len(ciphertext) >= 5 && ciphertext[0] == 1 && !st.ids[binary.BigEndian.Uint32(ciphertext[1:5])] {
		if m.reloadIfChanged() == nil {
			pt, err = m.st.Load().aead.Decrypt(ciphertext, []byte(context))
		}
	}
	if err != nil {
		return nil, &custos.Error{Kind: custos.KindInternal, Code: "key_mismatch",
			Message: "Data sealed by Custos could not be opened with this key file: is it the right one?", Err: err}
	}
	return pt, nil
}

// Reload reads the key file again and swaps in its keyset. A file that
// lacks a key the loaded keyset has is refused: swapping it in would make
// data sealed under that key unreadable.
func (m *Master) Reload() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reloadLocked(false)
}

// reloadIfChanged reloads when the key file is not the one loaded; it
// returns nil when it did.
func (m *Master) reloadIfChanged() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reloadLocked(true)
}

var errUnchanged = errors.New("vault: key file unchanged")

func (m *Master) reloadLocked(onlyChanged bool) error {
	cur := m.st.Load()
	if onlyChanged {
		fi, err := os.Stat(m.path)
		if err != nil || (fi.ModTime().Equal(cur.mod) && fi.Size() == cur.size) {
			return errUnchanged
		}
	}
	st, _, err := readKeyset(m.path)
	if err != nil {
		return err
	}
	for id := range cur.ids {
		if !st.ids[id] {
			return &custos.Error{Kind: custos.KindInvalid, Code: "key_file_invalid",
				Message: fmt.Sprintf("The key file %s no longer holds key %d, which this server has: keeping the keys it has.", m.path, id)}
		}
	}
	m.st.Store(st)
	m.refreshSealer()
	return nil
}

// Rotate adds a fresh primary key to the keyset and rewrites the key file
// atomically. Old keys stay so existing ciphertexts still open; callers
// record the new primary (RecordPrimary) and re-seal what they hold.
func (m *Master) Rotate() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Rotate what the file holds now, not what was loaded earlier.
	if err := m.reloadLocked(true); err != nil && !errors.Is(err, errUnchanged) {
		return err
	}
	mgr := keyset.NewManagerFromHandle(m.st.Load().handle)
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
	st, err := newState(h)
	if err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	if err := writeKeyset(m.path, h, false); err != nil {
		return err
	}
	if fi, err := os.Stat(m.path); err == nil {
		st.mod, st.size = fi.ModTime(), fi.Size()
	}
	m.st.Store(st)
	// This process seals under the new primary at once; others do once it
	// is recorded.
	m.want.Store(st.primary)
	m.refreshSealer()
	return nil
}

// KeyCount is how many keys the keyset holds (1 + rotations).
func (m *Master) KeyCount() int { return m.st.Load().handle.Len() }

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
