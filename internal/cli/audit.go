package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/audit"
)

func auditCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify and seal the audit chain"}
	cmd.AddCommand(auditVerifyCmd(env), auditCheckpointCmd(env))
	return cmd
}

func auditVerifyCmd(env *Env) *cobra.Command {
	var dsn, keyFile string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: `Check every audit entry and signed checkpoint; last line "ok N entries" or the first bad entry`,
		Long: `Recompute the hash chain of the audit log and check every signed checkpoint.
Entries from the cutover entry (audit.keyed) on are keyed (HMAC-SHA256 with the
instance's chain key, sealed by the master key); every 32nd entry must have a
signed checkpoint. Exits 0 with a last line "ok N entries", or 1 naming the first
entry that does not match (edited, deleted, reordered, recomputed, or a checkpoint
deleted). Entries after the last checkpoint (fewer than 32, left by a crash) are
reported, not failed.

Without the key file the keyed hashes cannot be checked, and the checkpoint
signatures can only be checked against the public key read from the database,
which proves nothing against someone who can write the database: verify then
checks what it can, says so, and exits 4 with a last line "unverified N entries".`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, _, err := openApp(cmd.Context(), env, dsn, keyFile, false)
			if err != nil {
				return err
			}
			defer a.Close()
			keys := a.audit.Keys()
			full := a.master != nil
			if !full {
				if k, err := a.store.InstanceKey(cmd.Context(), "audit"); err == nil {
					keys.Signing = publicKeys(k.Public)
				}
			}
			r, err := audit.Verify(cmd.Context(), a.store, keys)
			if err != nil {
				return err
			}
			if !r.OK() {
				fmt.Fprintf(env.Stdout, "FAILED at entry %d: %s\n", r.BadSeq, r.Problem)
				return exitError{code: exitFailure}
			}
			fmt.Fprintf(env.Stdout, "%d signed checkpoints verified\n", r.Checkpoints)
			if note := r.UnsignedNote(); note != "" {
				fmt.Fprintf(env.Stdout, "%s (a server stopped before its next checkpoint)\n", note)
			}
			if note := r.LegacyNote(); note != "" {
				fmt.Fprintln(env.Stdout, note)
			}
			if !full {
				fmt.Fprintf(env.Stdout, "the key file %s is absent: checked the order and links of every entry, the hashes of the %d unkeyed ones "+
					"and the checkpoint signatures against the public key read from the database only, which proves nothing against "+
					"someone who can write the database; the %d keyed entries were not checked\n", keyFile, r.Entries-r.Unchecked, r.Unchecked)
				fmt.Fprintf(env.Stdout, "unverified %d entries: run verify with the key file to verify the chain\n", r.Entries)
				return exitError{code: exitUnverified}
			}
			fmt.Fprintf(env.Stdout, "ok %d entries\n", r.Entries)
			return nil
		},
	}
	dbFlag(cmd, env, &dsn)
	keyFlag(cmd, env, &keyFile)
	return cmd
}

func auditCheckpointCmd(env *Env) *cobra.Command {
	var dsn, keyFile string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Sign the current head of the audit chain",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openWriter(cmd.Context(), env, dsn, keyFile)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.audit.Checkpoint(cmd.Context(), a.store); err != nil {
				return err
			}
			n, err := a.store.CountAuditEntries(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "checkpoint signed at entry %d\n", n)
			return nil
		},
	}
	dbFlag(cmd, env, &dsn)
	keyFlag(cmd, env, &keyFile)
	return cmd
}
