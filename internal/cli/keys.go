package cli

import (
	"crypto/ed25519"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/vault"
)

func publicKeys(pub []byte) map[string]ed25519.PublicKey {
	return map[string]ed25519.PublicKey{vault.KeyID(pub): ed25519.PublicKey(pub)}
}

func keysCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage the master key"}
	var dsn, keyFile string
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Add a new master key and re-seal every key under it",
		Long: `Add a new primary key to the master keyset and re-seal the instance keys with it.
Old keys stay in the keyset so that anything sealed before still opens. The new primary
key's id is recorded in the database: running servers that share this key file reload it
and seal under the new key within seconds; a server with its own copy of the key file
refuses to seal (key_outdated) until the rotated file is copied to it and it is sent
SIGHUP. Back up the key file before and after.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, _, err := openApp(ctx, env, dsn, keyFile, false)
			if err != nil {
				return err
			}
			defer a.Close()
			if a.master == nil {
				_, err := vault.LoadMaster(keyFile)
				return err
			}
			if err := a.master.Rotate(); err != nil {
				return err
			}
			// Recorded before re-sealing: running servers see the new
			// primary, reload their key file and seal under it.
			if err := vault.RecordPrimary(ctx, a.store, a.master, a.clock.Now()); err != nil {
				return err
			}
			if err := vault.ResealInstanceKeys(ctx, a.store, a.master); err != nil {
				return err
			}
			subjects, err := vault.RewrapSubjectKeys(ctx, a.store, a.master)
			if err != nil {
				return err
			}
			// Retention keys too: what a deletion kept must stay readable
			// until its retention ends, even after the old key retires.
			retained, err := vault.RewrapRetentionKeys(ctx, a.store, a.master)
			if err != nil {
				return err
			}
			conns, err := connected.ResealConnections(ctx, a.store, a.master)
			if err != nil {
				return err
			}
			if err := a.store.InTx(ctx, func(tx *store.Tx) error {
				_, err := a.audit.Append(ctx, tx, audit.Record{Actor: "cli", Action: "keys.rotate", Object: "master",
					Detail: map[string]any{"keys": a.master.KeyCount(), "subject_keys": subjects, "retention_keys": retained, "connections": conns}})
				return err
			}); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "master key rotated: %d keys in %s; %d subject keys re-wrapped; %d connections re-sealed\n",
				a.master.KeyCount(), keyFile, subjects, conns)
			return nil
		},
	}
	dbFlag(rotate, env, &dsn)
	keyFlag(rotate, env, &keyFile)
	cmd.AddCommand(rotate)
	return cmd
}
