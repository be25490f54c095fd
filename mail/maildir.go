package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Maildir delivers messages into a Maildir: each message is one RFC 5322
// file (CRLF line endings, as it would go over SMTP) under new/.
// It is safe for concurrent use.
type Maildir struct {
	dir  string
	from string
	host string // sanitised hostname for unique names
	pid  int
}

var _ Sender = (*Maildir)(nil)

// NewMaildir returns a Sender that writes into the Maildir at dir, creating
// dir and its tmp, new and cur subdirectories (mode 0700) when missing.
// defaultFrom is used for messages without a From; it may be empty.
func NewMaildir(dir, defaultFrom string) (*Maildir, error) {
	if dir == "" {
		return nil, errors.New("mail: empty Maildir path")
	}
	if err := parseFrom(defaultFrom); err != nil {
		return nil, err
	}
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("mail: creating Maildir: %w", err)
		}
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return &Maildir{dir: dir, from: defaultFrom, host: sanitiseHost(host), pid: os.Getpid()}, nil
}

// Dir returns the Maildir's path.
func (d *Maildir) Dir() string { return d.dir }

// Send delivers m the Maildir way: it writes the message to tmp/ under a
// unique name, fsyncs it, then renames it into new/ (and fsyncs new/), so a
// reader never sees a partial message. Files are mode 0600.
func (d *Maildir) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	data, err := m.render(d.from, now)
	if err != nil {
		return err
	}
	name := d.uniqueName(now)
	tmp := filepath.Join(d.dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("mail: maildir: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(d.dir, "new", name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("mail: maildir: %w", err)
	}
	if err := syncDir(filepath.Join(d.dir, "new")); err != nil {
		return fmt.Errorf("mail: maildir: %w", err)
	}
	return nil
}

// uniqueName returns a Maildir file name of the modern form
// time.MusecPpidRrandom.host, e.g. 1767225600.M123456P4242R9f86d081884c7d65.mail1.
func (d *Maildir) uniqueName(now time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%d.M%06dP%dR%s.%s", now.Unix(), now.Nanosecond()/1000, d.pid, hex.EncodeToString(b[:]), d.host)
}

// sanitiseHost escapes the characters the Maildir spec reserves in names.
func sanitiseHost(h string) string {
	return strings.NewReplacer("/", `\057`, ":", `\072`).Replace(h)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
