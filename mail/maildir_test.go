package mail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// readNew returns the contents of every file in dir/new, by name.
func readNew(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "new"))
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]byte, len(entries))
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode(); mode != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", e.Name(), mode)
		}
		b, err := os.ReadFile(filepath.Join(dir, "new", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%s holds %d files, want none", dir, len(entries))
	}
}

func TestNewMaildirCreatesDirs(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "custos-data", "mail")
	d, err := NewMaildir(dir, "privacy@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if d.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", d.Dir(), dir)
	}
	for _, sub := range []string{"tmp", "new", "cur"} {
		info, err := os.Stat(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		if !info.IsDir() || info.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want drwx------", sub, info.Mode())
		}
	}
	// Opening an existing Maildir is fine.
	if _, err := NewMaildir(dir, ""); err != nil {
		t.Fatalf("reopening: %v", err)
	}
}

func TestMaildirSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		msg       Message
		wantFrom  string
		wantParts int
		wantMsgID string // "" means any <…@custos>
	}{
		{
			name: "text and html, UTF-8 subject, extra headers",
			msg: Message{
				To:      "Åsa Öberg <asa@example.com>",
				From:    "Clientwise Privacy <privacy@clientwise.com>",
				Subject: "Ihre Anfrage – Bestätigung ✓",
				Text:    "Grüße,\nyour code is 123456.\n",
				HTML:    "<p lang=\"de\">Grüße, <strong>123456</strong></p>",
				Headers: map[string]string{
					"List-Unsubscribe":      "<https://privacy.clientwise.com/unsubscribe/abc>",
					"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
					"X-Custos-Request":      "R-2026-0001",
				},
				ID: "outbox.42",
			},
			wantFrom:  "privacy@clientwise.com",
			wantParts: 2,
			wantMsgID: "<outbox.42@custos>",
		},
		{
			name:      "text only, default From, random ID",
			msg:       Message{To: "bo@example.com", Subject: "Hello", Text: "Plain text only."},
			wantFrom:  "default@clientwise.com",
			wantParts: 1,
		},
		{
			name: "long lines and trailing spaces survive",
			msg: Message{To: "bo@example.com", Subject: "Long", ID: "7",
				Text: strings.Repeat("word ", 60) + "end\n-- \nsig\n"},
			wantFrom:  "default@clientwise.com",
			wantParts: 1,
			wantMsgID: "<7@custos>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			d, err := NewMaildir(dir, "Default <default@clientwise.com>")
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Send(context.Background(), tt.msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			files := readNew(t, dir)
			if len(files) != 1 {
				t.Fatalf("new/ holds %d files, want 1", len(files))
			}
			assertEmpty(t, filepath.Join(dir, "tmp"))
			assertEmpty(t, filepath.Join(dir, "cur"))
			for name, raw := range files {
				if strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/:") {
					t.Errorf("file name %q is not a Maildir unique name", name)
				}
				p := parseMessage(t, raw)
				if p.parts != tt.wantParts {
					t.Errorf("%d parts, want %d", p.parts, tt.wantParts)
				}
				from, err := p.header.AddressList("From")
				if err != nil || len(from) != 1 || from[0].Address != tt.wantFrom {
					t.Errorf("From = %v (%v), want %s", from, err, tt.wantFrom)
				}
				to, err := p.header.AddressList("To")
				want, _ := parseAddr(tt.msg.To)
				if err != nil || len(to) != 1 || to[0].Address != want.Address || to[0].Name != want.Name {
					t.Errorf("To = %v (%v), want %v", to, err, want)
				}
				if p.subject != tt.msg.Subject {
					t.Errorf("Subject = %q, want %q", p.subject, tt.msg.Subject)
				}
				if _, err := p.header.Date(); err != nil {
					t.Errorf("Date: %v", err)
				}
				id := p.header.Get("Message-ID")
				if tt.wantMsgID != "" && id != tt.wantMsgID {
					t.Errorf("Message-ID = %q, want %q", id, tt.wantMsgID)
				}
				if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@custos>") {
					t.Errorf("Message-ID = %q, want <…@custos>", id)
				}
				for k, v := range tt.msg.Headers {
					if got := p.header.Get(k); got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
				if p.text != tt.msg.Text {
					t.Errorf("text part = %q, want %q", p.text, tt.msg.Text)
				}
				if p.html != tt.msg.HTML {
					t.Errorf("html part = %q, want %q", p.html, tt.msg.HTML)
				}
			}
		})
	}
}

func TestMaildirConcurrentSends(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewMaildir(dir, "privacy@clientwise.com")
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- d.Send(context.Background(), Message{
				To: "ana@example.com", Subject: "n", Text: fmt.Sprintf("message %d", i), ID: fmt.Sprintf("m%d", i),
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	files := readNew(t, dir)
	if len(files) != n {
		t.Fatalf("new/ holds %d files, want %d", len(files), n)
	}
	assertEmpty(t, filepath.Join(dir, "tmp"))
	seen := map[string]bool{}
	for _, raw := range files {
		p := parseMessage(t, raw)
		seen[p.header.Get("Message-ID")+"|"+p.text] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct messages, want %d", len(seen), n)
	}
}

func TestMaildirCancelledContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewMaildir(dir, "privacy@clientwise.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Send(ctx, Message{To: "ana@example.com", Text: "x"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send = %v, want context.Canceled", err)
	}
	if files := readNew(t, dir); len(files) != 0 {
		t.Errorf("a cancelled Send wrote %d files", len(files))
	}
}
