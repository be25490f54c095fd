package mail

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A message written by the Maildir sender reads back with its decoded text:
// the newest one to the address, whatever the case of the address.
func TestLatestReadsBackWhatWasSent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail")
	d, err := NewMaildir(dir, "Privacy <privacy@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	send := func(to, subject, text string) {
		t.Helper()
		if err := d.Send(ctx, Message{To: to, Subject: subject, Text: text, HTML: "<p>" + text + "</p>"}); err != nil {
			t.Fatal(err)
		}
	}
	send("ana@example.com", "Ihr Code", "Ihr Bestätigungscode lautet 123456. Grüße – a long line that quoted-printable has to fold because it is longer than seventy-six characters")
	send("bob@example.com", "Other", "not for Ana")
	send("Ana <ANA@example.com>", "Second", "Code 654321, the newest")
	// Another process's file that is not a message is skipped, not fatal.
	if err := os.WriteFile(filepath.Join(dir, "new", "9999999999.M0P0R0.junk"), []byte("\x00garbage"), 0o600); err != nil {
		t.Fatal(err)
	}

	got, err := Latest(dir, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Second" || !strings.Contains(got.Text, "654321") || strings.Contains(got.Text, "<p>") {
		t.Fatalf("newest to ana: %+v", got)
	}
	bob, err := Latest(dir, "bob@example.com")
	if err != nil || bob.Text != "not for Ana" && strings.TrimSpace(bob.Text) != "not for Ana" {
		t.Fatalf("bob: %+v %v", bob, err)
	}
	if _, err := Latest(dir, "carol@example.com"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("carol: want ErrNoMessage, got %v", err)
	}
	if _, err := Latest(filepath.Join(dir, "absent"), "ana@example.com"); err == nil {
		t.Fatal("no Maildir: want an error")
	}
}

func TestLatestDecodesQuotedPrintable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewMaildir(dir, "privacy@example.com")
	if err != nil {
		t.Fatal(err)
	}
	text := "Grüße – " + strings.Repeat("é", 60) + " code 112233"
	if err := d.Send(context.Background(), Message{To: "ana@example.com", Subject: "Bestätigung", Text: text}); err != nil {
		t.Fatal(err)
	}
	got, err := Latest(dir, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(got.Text) != text || got.Subject != "Bestätigung" {
		t.Fatalf("got %q / %q", got.Text, got.Subject)
	}
}
