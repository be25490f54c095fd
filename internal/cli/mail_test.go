package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/mail"
)

func TestMailLast(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	d, err := mail.NewMaildir(vars["CUSTOS_MAIL_DIR"], "privacy@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []mail.Message{
		{To: "ana@example.com", Subject: "Ihr Bestätigungscode", Text: "Ihr Code lautet 482913. Er gilt 30 Minuten – Grüße"},
		{To: "bob@example.com", Subject: "Your answer", Text: "Your answer is ready."},
	} {
		if err := d.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"whole message", []string{"mail", "last", "--to", "ana@example.com"}, 0, "Subject: Ihr Bestätigungscode", ""},
		{"the code only", []string{"mail", "last", "--to", "ANA@example.com", "--code"}, 0, "482913\n", ""},
		{"no code in the newest", []string{"mail", "last", "--to", "bob@example.com", "--code"}, 1, "", "carries no six-digit code"},
		{"nobody wrote to carol", []string{"mail", "last", "--to", "carol@example.com"}, 1, "", "no message to carol@example.com"},
		{"waiting finds no code either", []string{"mail", "last", "--to", "bob@example.com", "--code", "--wait", "300ms"}, 1, "", "carries no six-digit code"},
		{"waiting for carol in vain", []string{"mail", "last", "--to", "carol@example.com", "--wait", "300ms"}, 1, "", "no message to carol@example.com"},
		{"to is required", []string{"mail", "last"}, 2, "", "--to is required (see custos mail last --help)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, vars, c.args...)
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.err) {
				t.Fatalf("exit %d (want %d)\nout %q (want %q)\nerr %q (want %q)", code, c.code, out, c.out, errOut, c.err)
			}
		})
	}
}

// TestMailLastWaits: a message delivered while `mail last --wait` waits is
// the one it prints.
func TestMailLastWaits(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	d, err := mail.NewMaildir(vars["CUSTOS_MAIL_DIR"], "privacy@example.com")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(400 * time.Millisecond)
		_ = d.Send(context.Background(), mail.Message{To: "dan@example.com", Subject: "Your code", Text: "Your code is 771204."})
	}()
	code, out, errOut := run(t, vars, "mail", "last", "--to", "dan@example.com", "--code", "--wait", "1m")
	if code != 0 || out != "771204\n" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errOut)
	}
}

// TestMailLastForRequest: a person who asks twice has two codes in the
// Maildir; with --request the second request's code is the one printed,
// waited for while it is still on its way, though the first request's
// mail is already there and is the newest to the address.
func TestMailLastForRequest(t *testing.T) {
	t.Parallel()
	_, vars := dataDir(t)
	d, err := mail.NewMaildir(vars["CUSTOS_MAIL_DIR"], "privacy@example.com")
	if err != nil {
		t.Fatal(err)
	}
	code := func(req, c string) mail.Message {
		return mail.Message{To: "eve@example.com", Subject: "Your code", Text: "Your code is " + c + ".", Headers: map[string]string{mail.RequestHeader: req}}
	}
	if err := d.Send(context.Background(), code("R-1", "111111")); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(400 * time.Millisecond)
		_ = d.Send(context.Background(), code("R-2", "222222"))
	}()
	if c, out, errOut := run(t, vars, "mail", "last", "--to", "eve@example.com", "--code", "--request", "R-2", "--wait", "1m"); c != 0 || out != "222222\n" {
		t.Fatalf("R-2: exit %d, out %q, err %q", c, out, errOut)
	}
	if c, out, errOut := run(t, vars, "mail", "last", "--to", "eve@example.com", "--code", "--request", "R-1"); c != 0 || out != "111111\n" {
		t.Fatalf("R-1: exit %d, out %q, err %q", c, out, errOut)
	}
	if c, _, errOut := run(t, vars, "mail", "last", "--to", "eve@example.com", "--request", "R-3", "--wait", "300ms"); c != 1 || !strings.Contains(errOut, "no message to eve@example.com about request R-3") {
		t.Fatalf("R-3: exit %d, err %q", c, errOut)
	}
}
