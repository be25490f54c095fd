// Package notify delivers Custos' mail through a durable outbox: a message
// is written to the store in the same transaction as the change that
// causes it, sealed by the master key, and a worker hands it to the mail
// sender until it is accepted. A crash between the two loses nothing; at
// worst a message is sent twice, with the same Message-ID.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// Outbox queues and delivers mail.
type Outbox struct {
	store  *store.Store
	master *vault.Master
	sender mail.Sender
	clock  custos.Clock
	log    *slog.Logger
	wake   chan struct{}
}

// New returns an outbox delivering through sender.
func New(s *store.Store, master *vault.Master, sender mail.Sender, clock custos.Clock, log *slog.Logger) *Outbox {
	return &Outbox{store: s, master: master, sender: sender, clock: clock, log: log, wake: make(chan struct{}, 1)}
}

func sealContext(id string) string { return "custos/outbox/" + id }

// Enqueue writes m to the outbox within tx and returns its id. Call Wake
// after the transaction commits to deliver at once.
func (o *Outbox) Enqueue(ctx context.Context, tx *store.Tx, m mail.Message) (string, error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	m.ID = id
	body, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	sealed, err := o.master.Seal(body, sealContext(id))
	if err != nil {
		return "", err
	}
	return id, tx.EnqueueMail(ctx, id, sealed, o.clock.Now())
}

// Wake asks the worker to look for mail now.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx ends.
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if _, err := o.Flush(ctx); err != nil && ctx.Err() == nil {
			o.log.Error("outbox: delivery round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.wake:
		}
	}
}

// Flush delivers every message that is due and returns how many were sent.
func (o *Outbox) Flush(ctx context.Context) (int, error) {
	sent := 0
	for {
		due, err := o.store.DueMail(ctx, o.clock.Now(), 50)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		progress := false
		for _, m := range due {
			if err := o.deliver(ctx, m); mail.Undeliverable(err) {
				// An address the server refused for good: trying again
				// would only be refused again. Operators see it listed.
				if ferr := o.store.MarkMailUndeliverable(ctx, m.ID, err.Error(), o.clock.Now()); ferr != nil {
					return sent, ferr
				}
				o.log.Warn("outbox: message undeliverable; not retried", "message", m.ID, "attempt", m.Attempts+1, "err", err)
				continue
			} else if err != nil {
				next := o.clock.Now().Add(backoff(m.Attempts))
				// The error names the failure, never the message or address.
				if ferr := o.store.MarkMailFailed(ctx, m.ID, err.Error(), next); ferr != nil {
					return sent, ferr
				}
				o.log.Warn("outbox: delivery failed; will retry", "message", m.ID, "attempt", m.Attempts+1, "next", next, "err", err)
				continue
			}
			if err := o.store.MarkMailSent(ctx, m.ID, o.clock.Now()); err != nil {
				return sent, err
			}
			sent++
			progress = true
		}
		if !progress {
			return sent, nil
		}
	}
}

func (o *Outbox) deliver(ctx context.Context, row store.Mail) error {
	body, err := o.master.Open(row.Sealed, sealContext(row.ID))
	if err != nil {
		return err
	}
	var m mail.Message
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("outbox: message %s: %w", row.ID, err)
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return o.sender.Send(sctx, m)
}

// Undeliverable lists the latest messages that failed for good, without
// their bodies or addresses, for operators.
func (o *Outbox) Undeliverable(ctx context.Context, limit int) ([]store.Mail, error) {
	return o.store.UndeliverableMail(ctx, limit)
}

// backoff is 30 s doubling per attempt, at most an hour.
func backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 0; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
