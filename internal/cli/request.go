package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/requests"
)

// cliActor is who an officer's decision from the command line is recorded
// as: the login and host, so that the history tells people apart and an
// appeal can be refused to the one who denied the original (requests'
// independent reviewer).
func cliActor(env *Env) string {
	user := env.Getenv("USER")
	if user == "" {
		user = env.Getenv("LOGNAME")
	}
	if user == "" {
		user = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return "cli:" + user + "@" + host
}

// notFound names what a lookup did not find, instead of the store's bare
// "Not found.".
func notFound(err error, what, id string) error {
	if errors.Is(err, custos.ErrNotFound) {
		return custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "no %s %s", what, id)
	}
	return err
}

// hideMail hides --mail-dir and --base-url from the help of a command that
// sends no mail and builds no link; they stay accepted (CONTRACT: a flag is
// never removed).
func hideMail(cmd *cobra.Command) {
	_ = cmd.Flags().MarkHidden("mail-dir")
	_ = cmd.Flags().MarkHidden("base-url")
}

func requestListCmd(env *Env) *cobra.Command {
	var f commonFlags
	var status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--status S] [--json]",
		Short: "List privacy requests by legal deadline, soonest first",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withServices(cmd, env, f, func(svc *wire.Services) error {
				vs, err := svc.Requests.Queue(cmd.Context(), status)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(env.Stdout, vs)
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tTYPE\tSTATUS\tJURISDICTION\tRECEIVED\tDUE")
				for _, v := range vs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Type, v.Status, v.Jurisdiction, day(v.ReceivedAt), dueText(v))
				}
				return tw.Flush()
			})
		},
	}
	f.add(cmd, env)
	hideMail(cmd)
	cmd.Flags().StringVar(&status, "status", "", "only requests in this status (awaiting_verification, pending_review, in_progress, completed, denied, canceled)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return cmd
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func dueText(v requests.View) string {
	due := v.DueAt
	if v.ExtendedUntil != nil {
		due = *v.ExtendedUntil
	}
	s := day(due)
	if v.ExtendedUntil != nil {
		s += " (extended)"
	}
	if v.Overdue {
		s += " OVERDUE"
	}
	return s
}

func requestShowCmd(env *Env) *cobra.Command {
	var f commonFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID [--json]",
		Short: "Show one request: its law, deadlines, decision and history",
		Args:  exactArgs(1, "the request's id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withServices(cmd, env, f, func(svc *wire.Services) error {
				v, err := svc.Requests.Get(cmd.Context(), args[0])
				if err != nil {
					return notFound(err, "request", args[0])
				}
				if asJSON {
					return printJSON(env.Stdout, v)
				}
				printView(env, v)
				return nil
			})
		},
	}
	f.add(cmd, env)
	hideMail(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	return cmd
}

func printView(env *Env, v requests.View) {
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	row := func(k, val string) {
		if val != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, val)
		}
	}
	row("ID", v.ID)
	row("Type", v.Type)
	row("Status", v.Status)
	row("Jurisdiction", v.Jurisdiction)
	row("Law", v.Law)
	row("Channel", v.Channel)
	row("Agent", v.Agent)
	row("Received", v.ReceivedAt.UTC().Format(time.RFC3339))
	if v.VerifiedAt != nil {
		row("Verified", v.VerifiedAt.UTC().Format(time.RFC3339))
	}
	row("Due", dueText(v))
	if v.CompletedAt != nil {
		row("Completed", v.CompletedAt.UTC().Format(time.RFC3339))
	}
	if v.Decision != nil {
		row("Decision", v.Decision.Code+" by "+v.Decision.By+": "+v.Decision.Text)
	}
	row("Appeal of", v.AppealOf)
	row("Duplicate of", v.DuplicateOf)
	row("Note", v.Reason)
	row("Law note", v.LawFlag)
	_ = tw.Flush()
	if len(v.History) == 0 {
		return
	}
	fmt.Fprintln(env.Stdout)
	tw = tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tACTOR\tACTION\tSTATUS\tNOTE")
	for _, h := range v.History {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.At.UTC().Format("2006-01-02 15:04"), h.Actor, h.Action, h.Status, strings.ReplaceAll(h.Note, "\n", " "))
	}
	_ = tw.Flush()
}

// requestDecisionCmd builds approve, deny and extend: each moves a request
// through requests.Service with the CLI user as the actor, then prints
// where the request stands.
func requestDecisionCmd(env *Env, use, short string, nargs string, decide func(svc *wire.Services, cmd *cobra.Command, actor, id string) (requests.View, error)) (*cobra.Command, *commonFlags) {
	f := &commonFlags{}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1, nargs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withServices(cmd, env, *f, func(svc *wire.Services) error {
				v, err := decide(svc, cmd, cliActor(env), args[0])
				if err != nil {
					return notFound(err, "request", args[0])
				}
				fmt.Fprintf(env.Stdout, "request %s is %s (due %s)\n", v.ID, v.Status, dueText(v))
				return nil
			})
		},
	}
	f.add(cmd, env)
	return cmd, f
}

func requestDecisionCmds(env *Env) []*cobra.Command {
	approve, _ := requestDecisionCmd(env, "approve ID", "Approve a request pending review; it is then fulfilled", "the request's id",
		func(svc *wire.Services, cmd *cobra.Command, actor, id string) (requests.View, error) {
			return svc.Requests.Approve(cmd.Context(), actor, id)
		})
	var code, reason string
	deny, _ := requestDecisionCmd(env, "deny ID --reason-code C --reason TEXT", "Deny a request; the person is told why and where to appeal or complain", "the request's id",
		func(svc *wire.Services, cmd *cobra.Command, actor, id string) (requests.View, error) {
			return svc.Requests.Deny(cmd.Context(), actor, id, code, reason)
		})
	deny.Flags().StringVar(&code, "reason-code", "", "one of "+strings.Join(requests.DenyReasons(), ", ")+" (required)")
	deny.Flags().StringVar(&code, "code", "", "the same as --reason-code")
	deny.Flags().StringVar(&reason, "reason", "", "the reason, in a sentence the person reads (required)")
	_ = deny.Flags().MarkHidden("code")
	_ = deny.MarkFlagRequired("reason")
	denyRun := deny.RunE
	deny.RunE = func(cmd *cobra.Command, args []string) error {
		if code == "" {
			return usageError{msg: "--reason-code is required (see custos request deny --help)"}
		}
		return denyRun(cmd, args)
	}
	var why string
	extend, _ := requestDecisionCmd(env, "extend ID --reason TEXT", "Use the law's one extension of the deadline; the person is told why", "the request's id",
		func(svc *wire.Services, cmd *cobra.Command, actor, id string) (requests.View, error) {
			return svc.Requests.Extend(cmd.Context(), actor, id, why)
		})
	extend.Flags().StringVar(&why, "reason", "", "why more time is needed, in a sentence the person reads (required)")
	_ = extend.MarkFlagRequired("reason")
	return []*cobra.Command{approve, deny, extend}
}
