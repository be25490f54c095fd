package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

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
