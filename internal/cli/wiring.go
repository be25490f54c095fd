package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/internal/wire"
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

// dbFlag and keyFlag add the shared --db and --key-file flags.
func dbFlag(cmd *cobra.Command, env *Env, dst *string) {
	cmd.Flags().StringVar(dst, "db", flagEnv(env, "CUSTOS_DB", defaultDB), "database: sqlite:PATH or postgres://… (env CUSTOS_DB)")
}

func keyFlag(cmd *cobra.Command, env *Env, dst *string) {
	cmd.Flags().StringVar(dst, "key-file", flagEnv(env, "CUSTOS_KEY_FILE", defaultKeyFile),
		"master key file; created 0600 when missing by serve (env CUSTOS_KEY_FILE)")
}

// openStore opens the database. Only serve (and demo, which prepares what
// serve would) create and migrate it: every other command opens an existing
// one, so a command run from the wrong directory says so instead of
// starting an empty installation of its own.
func openStore(ctx context.Context, dsn string, create bool) (*store.Store, error) {
	if !create {
		return store.OpenExisting(ctx, dsn)
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openApp opens the store (serve: creates and migrates it). With createKey the master key is
// created when missing (serve); otherwise an absent key file leaves the app
// without keys: it can read, and its audit log refuses to append.
func openApp(ctx context.Context, env *Env, dsn, keyFile string, createKey bool) (*app, bool, error) {
	need := keyOptional
	if createKey {
		need = keyCreate
	}
	return openAppWith(ctx, env, dsn, keyFile, need)
}

// openWriter opens the app for a command that writes to the audit chain:
// it needs the key file, since every entry is keyed and every 32nd signed
// with keys the key file seals. On a fresh store (no instance keys yet) the
// key file is created, as serve would.
func openWriter(ctx context.Context, env *Env, dsn, keyFile string) (*app, error) {
	a, created, err := openAppWith(ctx, env, dsn, keyFile, keyAppend)
	if created && env.Stderr != nil {
		fmt.Fprintf(env.Stderr, "custos: created a new master key in %s; back it up: without it stored personal data cannot be read\n", keyFile)
	}
	return a, err
}

type keyNeed int

const (
	keyOptional keyNeed = iota // read-only commands: used when present
	keyAppend                  // commands that append: required, created on a fresh store
	keyCreate                  // serve: created when missing
)

func keyFileNeeded(keyFile string) error {
	return custos.Errorf(custos.KindInvalid, "key_file_needed",
		"The key file %s is needed: this command writes to the audit chain, whose entries are keyed and signed with keys the key file seals. "+
			"Run it where the server's key file is, or pass --key-file.", keyFile)
}

func openAppWith(ctx context.Context, env *Env, dsn, keyFile string, need keyNeed) (*app, bool, error) {
	s, err := openStore(ctx, dsn, need == keyCreate)
	if err != nil {
		return nil, false, err
	}
	if env.verbose && env.Stderr != nil {
		fmt.Fprintf(env.Stderr, "custos: database %s\n", s)
	}
	a := &app{store: s, clock: env.Clock}
	var created bool
	switch need {
	case keyCreate:
		a.master, created, err = vault.LoadOrCreateMaster(keyFile)
	default:
		a.master, err = vault.LoadMaster(keyFile)
		if errors.Is(err, fs.ErrNotExist) {
			a.master, err = nil, nil
			if need == keyAppend {
				names, nerr := s.InstanceKeyNames(ctx)
				switch {
				case nerr != nil:
					err = nerr
				case len(names) > 0:
					err = keyFileNeeded(keyFile)
				default:
					a.master, created, err = vault.LoadOrCreateMaster(keyFile)
				}
			}
		}
	}
	if err != nil {
		s.Close()
		return nil, false, err
	}
	if a.master != nil {
		// Seal under the primary every server uses; a key file older than
		// the last rotation is named here rather than failing to open.
		if err = vault.SyncPrimary(ctx, s, a.master, env.Clock.Now()); err != nil {
			s.Close()
			return nil, false, err
		}
		if a.audit, a.signer, err = wire.AuditLog(ctx, s, a.master, env.Clock); err != nil {
			s.Close()
			return nil, false, err
		}
	} else {
		a.audit = audit.Refusing(keyFileNeeded(keyFile))
	}
	return a, created, nil
}
