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
Exits 0 with a last line "ok N entries", or 1 naming the first entry that does not match
(edited, deleted or reordered). With the key file, the instance's public key is also proven
to be the one its sealed private key belongs to.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, _, err := openApp(cmd.Context(), env, dsn, keyFile, false)
			if err != nil {
				return err
			}
			defer a.Close()
			keys := a.auditKeys()
			if keys == nil {
				// Without the key file, trust the public key on record.
				if k, err := a.store.InstanceKey(cmd.Context(), "audit"); err == nil {
					keys = publicKeys(k.Public)
					fmt.Fprintf(env.Stderr, "custos: key file %s not found: checking signatures with the public key on record\n", keyFile)
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
			a, _, err := openApp(cmd.Context(), env, dsn, keyFile, false)
			if err != nil {
				return err
			}
			defer a.Close()
			if a.signer == nil {
				return fmt.Errorf("the key file %s is needed to sign a checkpoint", keyFile)
			}
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
