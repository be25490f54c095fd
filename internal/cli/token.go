package cli

import (
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
)

func tokenCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke operator tokens"}
	cmd.AddCommand(tokenCreateCmd(env), tokenListCmd(env), tokenRevokeCmd(env))
	return cmd
}

func tokenCreateCmd(env *Env) *cobra.Command {
	var dsn, keyFile, role, name string
	cmd := &cobra.Command{
		Use:   "create --role ROLE [--name NAME]",
		Short: "Create an operator token and print it, once, alone on stdout",
		Long: `Create an operator token. The token is printed once on stdout and only its hash is
stored: keep it somewhere safe. Roles: admin, privacy_officer, agent, auditor, ingest.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := custos.ParseRole(role)
			if err != nil {
				return usageError{msg: custos.AsError(err).Message}
			}
			a, err := openWriter(cmd.Context(), env, dsn, keyFile)
			if err != nil {
				return err
			}
			defer a.Close()
			secret, _, err := auth.New(a.store, a.audit, a.clock).Create(cmd.Context(), "cli", r, name)
			if err != nil {
				return err
			}
			if err := a.audit.Checkpoint(cmd.Context(), a.store); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, secret)
			return nil
		},
	}
	dbFlag(cmd, env, &dsn)
	keyFlag(cmd, env, &keyFile)
	cmd.Flags().StringVar(&role, "role", "", "admin, privacy_officer, agent, auditor or ingest (required)")
	cmd.Flags().StringVar(&name, "name", "", "a name to recognise the token by (default: the role)")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func tokenListCmd(env *Env) *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List operator tokens (never their secrets)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, _, err := openApp(cmd.Context(), env, dsn, "", false)
			if err != nil {
				return err
			}
			defer a.Close()
			toks, err := a.store.Tokens(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tSTATUS")
			for _, t := range toks {
				status := "active"
				if t.RevokedAt != nil {
					status = "revoked " + t.RevokedAt.Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format("2006-01-02 15:04"), status)
			}
			return tw.Flush()
		},
	}
	dbFlag(cmd, env, &dsn)
	return cmd
}

func tokenRevokeCmd(env *Env) *cobra.Command {
	var dsn, keyFile string
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an operator token at once",
		Args:  exactArgs(1, "one token ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageError{msg: fmt.Sprintf("token ID %q is not a number", args[0])}
			}
			a, err := openWriter(cmd.Context(), env, dsn, keyFile)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := auth.New(a.store, a.audit, a.clock).Revoke(cmd.Context(), "cli", id); err != nil {
				return notFound(err, "token", args[0])
			}
			fmt.Fprintf(env.Stdout, "revoked token %d\n", id)
			return nil
		},
	}
	dbFlag(cmd, env, &dsn)
	keyFlag(cmd, env, &keyFile)
	return cmd
}
