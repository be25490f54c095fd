package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

// app is what most commands need: an open, migrated store and the audit log.
type app struct {
	store  *store.Store
	master *vault.Master // nil when the key file is absent and not required
	signer *vault.Signer
	audit  *audit.Log
	clock  custos.Clock
}

func (a *app) Close() error { return a.store.Close() }

// auditKeys are the keys checkpoints verify against.
func (a *app) auditKeys() map[string]ed25519.PublicKey {
	if a.signer == nil {
		return nil
	}
	return map[string]ed25519.PublicKey{a.signer.ID: a.signer.Public()}
}

// dbFlag and keyFlag add the shared --db and --key-file flags.
func dbFlag(cmd *cobra.Command, env *Env, dst *string) {
	cmd.Flags().StringVar(dst, "db", flagEnv(env, "CUSTOS_DB", defaultDB), "database: sqlite:PATH or postgres://… (env CUSTOS_DB)")
}

func keyFlag(cmd *cobra.Command, env *Env, dst *string) {
	cmd.Flags().StringVar(dst, "key-file", flagEnv(env, "CUSTOS_KEY_FILE", defaultKeyFile),
		"master key file; created 0600 when missing by serve (env CUSTOS_KEY_FILE)")
}

// openApp opens and migrates the store. With createKey the master key is
// created when missing (serve); otherwise an absent key file leaves the app
// without a signer, so audit entries are appended but not checkpointed.
func openApp(ctx context.Context, env *Env, dsn, keyFile string, createKey bool) (*app, bool, error) {
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, false, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, false, err
	}
	a := &app{store: s, clock: env.Clock}
	var created bool
	if createKey {
		a.master, created, err = vault.LoadOrCreateMaster(keyFile)
	} else {
		a.master, err = vault.LoadMaster(keyFile)
		if errors.Is(err, fs.ErrNotExist) {
			a.master, err = nil, nil
		}
	}
	if err != nil {
		s.Close()
		return nil, false, err
	}
	if a.master != nil {
		if a.signer, err = vault.InstanceSigner(ctx, s, a.master, "audit", env.Clock.Now()); err != nil {
			s.Close()
			return nil, false, err
		}
		a.audit = audit.New(a.signer, a.signer.ID, env.Clock)
	} else {
		a.audit = audit.New(nil, "", env.Clock)
	}
	return a, created, nil
}
