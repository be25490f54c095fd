package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/retention"
)

// retentionService builds what retention commands need on an open app;
// they need the key file, since erasure and holds touch sealed data. The
// caller closes the services (a sweep opens connections to the company's
// databases).
func retentionService(cmd *cobra.Command, env *Env, a *app, mailDir string) (*wire.Services, error) {
	ctx := cmd.Context()
	if a.master == nil {
		return nil, fmt.Errorf("the key file is needed: holds and erasure work on sealed data")
	}
	md, err := mail.NewMaildir(mailDir, "")
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := wire.Options{Policy: wire.Policy{Actor: "cli"}, Store: a.store, Master: a.master, Audit: a.audit, Clock: a.clock, Sender: md, Logger: logger}
	return wire.New(ctx, opts)
}

func retentionCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "retention", Short: "Erase what the policy's retention rules have expired"}
	var dsn, keyFile, mailDir, now string
	var dryRun bool
	sweep := &cobra.Command{
		Use:   "sweep [--dry-run] [--now RFC3339]",
		Short: "Erase every record a retention rule has expired (nothing of subjects under a legal hold)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			at := env.Clock.Now()
			if now != "" {
				t, err := time.Parse(time.RFC3339, now)
				if err != nil {
					return usageError{msg: fmt.Sprintf("--now %q is not RFC 3339 (2026-12-01T00:00:00Z)", now)}
				}
				at = t
			}
			a, err := openWriter(cmd.Context(), env, dsn, keyFile)
			if err != nil {
				return err
			}
			defer a.Close()
			svc, err := retentionService(cmd, env, a, mailDir)
			if err != nil {
				return err
			}
			defer svc.Close()
			rep, err := svc.Retention.Sweep(cmd.Context(), "cli", at, dryRun)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			verb := "ERASED"
			if dryRun {
				verb = "WOULD ERASE"
			}
			fmt.Fprintf(tw, "CATEGORY\tRULE\t%s\tSUBJECTS\n", verb)
			for _, l := range rep.Lines {
				fmt.Fprintf(tw, "%s\t%s after %s\t%d\t%d\n", l.Category, l.Duration, l.Trigger, l.Events, l.Subjects)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(rep.Connected) > 0 {
				fmt.Fprintln(env.Stdout)
				tw = tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintf(tw, "CONNECTED COLLECTION\tFIELDS\tRULE\t%s\tKEPT (HOLDS)\n", verb)
				for _, l := range rep.Connected {
					fields := strings.Join(l.Fields, ",")
					if l.Deleted {
						fields = "(whole rows)"
					}
					rule := l.Rule
					if l.Note != "" {
						rule = l.Note
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", l.Collection, fields, rule, l.Rows, l.Kept)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if dryRun {
				fmt.Fprintln(env.Stdout, "dry run: nothing was erased")
				return nil
			}
			fmt.Fprintf(env.Stdout, "erased %d records; %d people had nothing left and were erased whole\n", rep.Erased, rep.SubjectsErased)
			return a.audit.Checkpoint(cmd.Context(), a.store)
		},
	}
	dbFlag(sweep, env, &dsn)
	keyFlag(sweep, env, &keyFile)
	sweep.Flags().StringVar(&mailDir, "mail-dir", flagEnv(env, "CUSTOS_MAIL_DIR", defaultMailDir), "Maildir for notices (env CUSTOS_MAIL_DIR)")
	sweep.Flags().BoolVar(&dryRun, "dry-run", false, "count what would be erased, erase nothing")
	sweep.Flags().StringVar(&now, "now", "", "sweep as of this time (RFC 3339), default now")
	cmd.AddCommand(sweep)
	return cmd
}

func holdCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "hold", Short: "Place, release and list legal holds"}
	var dsn, keyFile, email, reason, mailDir string
	var all, asJSON bool
	with := func(c *cobra.Command, fn func(c *cobra.Command, svc *retention.Service) error) func(*cobra.Command, []string) error {
		return func(c *cobra.Command, _ []string) error {
			a, err := openWriter(c.Context(), env, dsn, keyFile)
			if err != nil {
				return err
			}
			defer a.Close()
			svc, err := retentionService(c, env, a, mailDir)
			if err != nil {
				return err
			}
			defer svc.Close()
			return fn(c, svc.Retention)
		}
	}
	add := &cobra.Command{Use: "add --email E --reason TEXT", Short: "Hold a person's data: nothing is erased while the hold stands", Args: exactArgs(0, "no arguments")}
	add.RunE = with(add, func(c *cobra.Command, svc *retention.Service) error {
		id, _, err := svc.AddHold(c.Context(), "cli", custos.SubjectRef{Email: email}, reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "hold %d placed\n", id)
		return nil
	})
	release := &cobra.Command{Use: "release --email E", Short: "Release every hold on a person", Args: exactArgs(0, "no arguments")}
	release.RunE = with(release, func(c *cobra.Command, svc *retention.Service) error {
		n, err := svc.ReleaseHold(c.Context(), "cli", custos.SubjectRef{Email: email})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d hold(s) released\n", n)
		return nil
	})
	list := &cobra.Command{Use: "list [--all] [--json]", Short: "List standing holds (--all: released ones too)", Args: exactArgs(0, "no arguments")}
	list.RunE = with(list, func(c *cobra.Command, svc *retention.Service) error {
		hs, err := svc.Holds(c.Context(), "cli", all)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, hs)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSUBJECT\tPLACED\tBY\tSTATUS\tREASON")
		for _, h := range hs {
			status := "standing"
			if h.ReleasedAt != nil {
				status = "released " + day(*h.ReleasedAt)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.SubjectID, day(h.CreatedAt), h.CreatedBy, status, strings.ReplaceAll(h.Reason, "\n", " "))
		}
		return tw.Flush()
	})
	for _, c := range []*cobra.Command{add, release, list} {
		dbFlag(c, env, &dsn)
		keyFlag(c, env, &keyFile)
		c.Flags().StringVar(&mailDir, "mail-dir", flagEnv(env, "CUSTOS_MAIL_DIR", defaultMailDir), "Maildir for notices (env CUSTOS_MAIL_DIR)")
	}
	for _, c := range []*cobra.Command{add, release} {
		c.Flags().StringVar(&email, "email", "", "the person's e-mail address (required)")
		_ = c.MarkFlagRequired("email")
	}
	add.Flags().StringVar(&reason, "reason", "", "the matter the hold is for (required)")
	_ = add.MarkFlagRequired("reason")
	list.Flags().BoolVar(&all, "all", false, "include released holds")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	_ = list.Flags().MarkHidden("mail-dir")
	cmd.AddCommand(add, release, list)
	return cmd
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
