package cli

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// keyPoll is how often a server reads the primary key id the database
// records: one small row, so a rotation elsewhere is seen within seconds.
const keyPoll = 3 * time.Second

// watchMasterKey keeps a running server's master key current: it reloads
// the key file on SIGHUP, and reads the current primary key id from the
// database every keyPoll, reloading the key file when it lacks that key.
// A server whose key file still lacks it refuses to seal (key_outdated) and
// says so once in the log; it opens what its keys open.
func watchMasterKey(ctx context.Context, s *store.Store, m *vault.Master, clock custos.Clock, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(keyPoll)
	defer tick.Stop()
	var last string
	check := func() {
		err := vault.SyncPrimary(ctx, s, m, clock.Now())
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if msg == last || ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Error("master key", "err", message(err))
		} else if last != "" {
			log.Info("master key current again", "primary", m.Primary())
		}
		last = msg
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := m.Reload(); err != nil {
				log.Error("reloading the key file failed", "err", message(err))
			} else {
				log.Info("key file reloaded", "keys", m.KeyCount(), "primary", m.Primary())
			}
			check()
		case <-tick.C:
			check()
		}
	}
}
