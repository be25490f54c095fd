package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/notify"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
	"github.com/custos-privacy/custos/vault"
)

// TestRetryThenDeliver: a message whose SMTP server is down stays in the
// outbox with a retry time; an outbox on the same store with a working
// sender (after a restart) delivers it, once.
func TestRetryThenDeliver(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := &custos.FixedClock{T: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		master, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		// A port nothing listens on.
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		down, err := mail.NewSMTP("smtp://"+addr, "Custos <custos@example.com>", mail.WithTimeout(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		box := notify.New(s, master, down, clock, log)
		var id string
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			id, err = box.Enqueue(ctx, tx, mail.Message{To: "ana@example.com", Subject: "Your code", Text: "123456"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := box.Flush(ctx); err != nil || n != 0 {
			t.Fatalf("flush with the server down = %d, %v", n, err)
		}
		st, _ := s.MailStatus(ctx, id)
		if st.SentAt != nil || st.Attempts != 1 || st.LastError == "" || !st.NextAttemptAt.After(clock.T) {
			t.Fatalf("after failure = %+v", st)
		}
		dir := filepath.Join(t.TempDir(), "mail")
		md, err := mail.NewMaildir(dir, "Custos <custos@example.com>")
		if err != nil {
			t.Fatal(err)
		}
		box = notify.New(s, master, md, clock, log)
		if n, _ := box.Flush(ctx); n != 0 {
			t.Fatal("retried before its time")
		}
		clock.T = clock.T.Add(time.Hour)
		if n, err := box.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush later = %d, %v", n, err)
		}
		if n, _ := box.Flush(ctx); n != 0 {
			t.Fatal("delivered twice")
		}
		files, _ := filepath.Glob(filepath.Join(dir, "new", "*"))
		if len(files) != 1 {
			t.Fatalf("%d files in the Maildir", len(files))
		}
		st, _ = s.MailStatus(ctx, id)
		if st.SentAt == nil || len(st.Sealed) != 0 {
			t.Fatalf("sent row keeps the body: %+v", st)
		}
	})
}

// refusing is a real SMTP server (github.com/emersion/go-smtp) that refuses
// some recipients, permanently (550) or for now (451), and counts the
// attempts at each.
type refusing struct {
	mu       sync.Mutex
	attempts map[string]int
}

func (b *refusing) NewSession(*smtp.Conn) (smtp.Session, error) { return &refusingSession{b: b}, nil }

type refusingSession struct{ b *refusing }

func (s *refusingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *refusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	s.b.attempts[to]++
	s.b.mu.Unlock()
	switch {
	case strings.HasPrefix(to, "gone@"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: no such user"}
	case strings.HasPrefix(to, "busy@"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return nil
}
func (s *refusingSession) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (s *refusingSession) Reset()                 {}
func (s *refusingSession) Logout() error          { return nil }

// TestPermanentFailureNotRetried: a recipient the mail server refuses for
// good (550) is tried once, never again, and listed for operators with the
// reason (which names no address); one refused for now (451) is retried.
func TestPermanentFailureNotRetried(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := &custos.FixedClock{T: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		master, _, err := vault.LoadOrCreateMaster(filepath.Join(t.TempDir(), "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		backend := &refusing{attempts: map[string]int{}}
		srv := smtp.NewServer(backend)
		srv.Domain = "localhost"
		srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		sender, err := mail.NewSMTP("smtp://"+ln.Addr().String(), "Custos <custos@example.com>", mail.WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		box := notify.New(s, master, sender, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ids := map[string]string{}
		for _, to := range []string{"gone@example.com", "busy@example.com", "ana@example.com"} {
			if err := s.InTx(ctx, func(tx *store.Tx) error {
				ids[to], err = box.Enqueue(ctx, tx, mail.Message{To: to, Subject: "Your code", Text: "123456"})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := box.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("first flush = %d, %v", n, err)
		}
		for i := 0; i < 3; i++ {
			clock.T = clock.T.Add(2 * time.Hour)
			if _, err := box.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		backend.mu.Lock()
		gone, busy := backend.attempts["gone@example.com"], backend.attempts["busy@example.com"]
		backend.mu.Unlock()
		if gone != 1 || busy != 4 {
			t.Fatalf("attempts: refused for good %d (want 1), refused for now %d (want 4)", gone, busy)
		}
		st, err := s.MailStatus(ctx, ids["gone@example.com"])
		if err != nil || st.FailedAt == nil || st.SentAt != nil || st.Attempts != 1 || !strings.Contains(st.LastError, "550") {
			t.Fatalf("refused for good = %+v, %v", st, err)
		}
		if st, _ := s.MailStatus(ctx, ids["busy@example.com"]); st.FailedAt != nil || st.Attempts != 4 ||
			!strings.Contains(st.LastError, "451") || strings.Contains(st.LastError, "busy@") {
			t.Fatalf("refused for now = %+v (the error is kept with its code, never the address)", st)
		}
		failed, err := box.Undeliverable(ctx, 10)
		if err != nil || len(failed) != 1 || failed[0].ID != ids["gone@example.com"] || failed[0].FailedAt == nil {
			t.Fatalf("listed = %+v, %v", failed, err)
		}
		if strings.Contains(failed[0].LastError, "gone@") {
			t.Fatalf("the reason names the address: %s", failed[0].LastError)
		}
		// An address that is not one fails for good before any server.
		var bad string
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			bad, err = box.Enqueue(ctx, tx, mail.Message{To: "not an address", Subject: "x", Text: "x"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, _ = box.Flush(ctx)
		if st, _ := s.MailStatus(ctx, bad); st.FailedAt == nil || st.Attempts != 1 {
			t.Fatalf("an invalid address = %+v", st)
		}
	})
}
