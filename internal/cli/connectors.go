package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/dataset"
	"github.com/custos-privacy/custos/internal/wire"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
)

// services builds the whole service graph on an open app, for commands that
// work on sealed data; they need the key file. baseURL is the server's
// public address: links in the mail a command causes (a request it
// completes) and the callback address of asynchronous webhooks point there.
func services(ctx context.Context, env *Env, a *app, mailDir, baseURL string) (*wire.Services, error) {
	if a.master == nil {
		return nil, fmt.Errorf("the key file is needed: this command works on sealed data (see --key-file)")
	}
	md, err := mail.NewMaildir(mailDir, "")
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := wire.Options{Policy: wire.Policy{Actor: "cli"}, Store: a.store, Master: a.master, Audit: a.audit, Clock: a.clock, Sender: md, Logger: logger, BaseURL: baseURL}
	return wire.New(ctx, opts)
}

// withServices opens the app, builds the services and runs fn.
func withServices(cmd *cobra.Command, env *Env, f commonFlags, fn func(*wire.Services) error) error {
	a, err := openWriter(cmd.Context(), env, f.dsn, f.keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	baseURL := f.baseURL
	if baseURL == "" {
		// What serve uses when it is given none.
		baseURL = "http://" + flagEnv(env, "CUSTOS_ADDR", defaultAddr)
	}
	svc, err := services(cmd.Context(), env, a, f.mailDir, baseURL)
	if err != nil {
		return err
	}
	defer svc.Close()
	return fn(svc)
}

type commonFlags struct{ dsn, keyFile, mailDir, baseURL string }

func (f *commonFlags) add(cmd *cobra.Command, env *Env) {
	dbFlag(cmd, env, &f.dsn)
	keyFlag(cmd, env, &f.keyFile)
	cmd.Flags().StringVar(&f.mailDir, "mail-dir", flagEnv(env, "CUSTOS_MAIL_DIR", defaultMailDir), "Maildir for mail the command causes (env CUSTOS_MAIL_DIR)")
	cmd.Flags().StringVar(&f.baseURL, "base-url", flagEnv(env, "CUSTOS_BASE_URL", ""),
		"the server's public URL, for links in mail and webhook callbacks (default http://ADDR) (env CUSTOS_BASE_URL)")
}

// importDataset checks and stores one dataset file, printing its problems
// as FILE:LINE:COL lines.
func importDataset(ctx context.Context, env *Env, svc *wire.Services, file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", file, unwrapPath(err))
	}
	keys, err := svc.DSR.Import(ctx, "cli", file, src)
	var ps dataset.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(env.Stderr, p.String())
		}
		return exitError{code: exitFailure}
	}
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Fprintf(env.Stdout, "imported dataset %s from %s\n", k, file)
	}
	return nil
}

// knownIdentities is what dataset plan starts from: --email and each
// --identity KIND=VALUE.
func knownIdentities(email string, ids []string) (map[string][]string, error) {
	known := map[string][]string{}
	if email != "" {
		known["email"] = []string{email}
	}
	for _, id := range ids {
		k, v, ok := strings.Cut(id, "=")
		if !ok || k == "" || v == "" {
			return nil, usageError{msg: fmt.Sprintf("--identity %q must look like KIND=VALUE, e.g. loyalty_id=CUST-1", id)}
		}
		known[k] = append(known[k], v)
	}
	if len(known) == 0 {
		return nil, usageError{msg: "give --email or --identity: the plan starts from what the person is known by"}
	}
	return known, nil
}

func datasetCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "dataset", Short: "Describe the company's databases (Fides dataset YAML is accepted unchanged)"}
	var f commonFlags
	imp := &cobra.Command{
		Use:   "import FILE...",
		Short: "Check and store dataset files; problems are printed as FILE:LINE:COL: field: message",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withServices(cmd, env, f, func(svc *wire.Services) error {
				for _, file := range args {
					if err := importDataset(cmd.Context(), env, svc, file); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}
	f.add(imp, env)
	hideMail(imp)
	var lf commonFlags
	list := &cobra.Command{
		Use:   "list",
		Short: "List imported datasets and their collections",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withServices(cmd, env, lf, func(svc *wire.Services) error {
				cat, err := svc.DSR.Catalog(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "DATASET\tCOLLECTIONS\tCONNECTION")
				for _, d := range cat.Datasets {
					conn := "(none)"
					if c, ok := cat.Connections[d.Key]; ok {
						conn = c.Name
					}
					fmt.Fprintf(tw, "%s\t%d\t%s\n", d.Key, len(d.Collections), conn)
				}
				return tw.Flush()
			})
		},
	}
	lf.add(list, env)
	hideMail(list)
	var pf commonFlags
	var email string
	var ids []string
	plan := &cobra.Command{
		Use:   "plan --email E [--identity KIND=VALUE]...",
		Short: "Show the order in which a request would query each collection, before anything runs",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			known, err := knownIdentities(email, ids)
			if err != nil {
				return err
			}
			return withServices(cmd, env, pf, func(svc *wire.Services) error {
				cat, err := svc.DSR.Catalog(cmd.Context())
				if err != nil {
					return err
				}
				if len(cat.Datasets) == 0 {
					return custos.Errorf(custos.KindInvalid, "no_datasets", "No dataset is imported yet; run custos dataset import FILE.")
				}
				p, err := svc.DSR.PlanFor(cat, known)
				if err != nil {
					return err
				}
				p.Format(env.Stdout)
				for _, d := range cat.Datasets {
					if _, ok := cat.Connections[d.Key]; !ok {
						fmt.Fprintf(env.Stdout, "note: dataset %s has no connection; its collections are skipped until one is added\n", d.Key)
					}
				}
				return nil
			})
		},
	}
	plan.Flags().StringVar(&email, "email", "", "the person's e-mail address")
	plan.Flags().StringArrayVar(&ids, "identity", nil, "another identity, KIND=VALUE (repeatable)")
	pf.add(plan, env)
	hideMail(plan)
	cmd.AddCommand(imp, list, plan)
	return cmd
}

func connectionCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "connection", Short: "Connect Custos to the company's databases and services"}
	var af commonFlags
	var name, url, ds string
	var readOnly, noTest bool
	add := &cobra.Command{
		Use:   "add --name NAME --url URL --dataset KEY [--read-only]",
		Short: "Add a connection (postgres://, mysql://, sqlite:, redis://, https:// webhook); its URL is stored encrypted",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for flag, v := range map[string]string{"--name": name, "--url": url, "--dataset": ds} {
				if v == "" {
					return usageError{msg: flag + " is required (see custos connection add --help)"}
				}
			}
			return withServices(cmd, env, af, func(svc *wire.Services) error {
				secret, err := svc.DSR.AddConnection(cmd.Context(), "cli", connected.Connection{Name: name, Dataset: ds, URL: url, ReadOnly: readOnly})
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "added connection %s to dataset %s (%s)\n", name, ds, connected.Redact(url))
				if len(secret) > 0 {
					fmt.Fprintf(env.Stdout, "webhook signing secret (shown once; configure it on the receiving side): %s\n", secret)
				}
				if noTest {
					return nil
				}
				if err := svc.DSR.TestConnection(cmd.Context(), "cli", name); err != nil {
					fmt.Fprintf(env.Stderr, "warning: %s\n", message(err))
					return nil
				}
				fmt.Fprintf(env.Stdout, "test passed: every collection can be read%s\n", map[bool]string{false: " and written", true: ""}[readOnly])
				return nil
			})
		},
	}
	add.Flags().StringVar(&name, "name", "", "a name for the connection (required)")
	add.Flags().StringVar(&url, "url", "", "where the system is, with credentials (required)")
	add.Flags().StringVar(&ds, "dataset", "", "the key of the imported dataset that describes it (required)")
	add.Flags().BoolVar(&readOnly, "read-only", false, "never write: requests report what would have been erased")
	add.Flags().BoolVar(&noTest, "no-test", false, "do not test the connection after adding it")
	af.add(add, env)
	for _, f := range []string{"name", "url", "dataset"} {
		_ = add.MarkFlagRequired(f)
	}

	var tf commonFlags
	test := &cobra.Command{
		Use:   "test NAME",
		Short: "Check that a connection answers and its credentials can read (and write) every collection",
		Args:  exactArgs(1, "the connection's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withServices(cmd, env, tf, func(svc *wire.Services) error {
				if err := svc.DSR.TestConnection(cmd.Context(), "cli", args[0]); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "ok: connection %s answers and its permissions suffice\n", args[0])
				return nil
			})
		},
	}
	tf.add(test, env)
	hideMail(test)

	var lf commonFlags
	list := &cobra.Command{
		Use:   "list",
		Short: "List connections (URLs without passwords)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withServices(cmd, env, lf, func(svc *wire.Services) error {
				cs, err := svc.DSR.Connections(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tDATASET\tURL\tREAD-ONLY")
				for _, c := range cs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", c.Name, c.Dataset, c.URL, c.ReadOnly)
				}
				return tw.Flush()
			})
		},
	}
	lf.add(list, env)
	hideMail(list)

	var rf commonFlags
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a connection",
		Args:  exactArgs(1, "the connection's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withServices(cmd, env, rf, func(svc *wire.Services) error {
				if err := svc.DSR.RemoveConnection(cmd.Context(), "cli", args[0]); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "removed connection %s\n", args[0])
				return nil
			})
		},
	}
	rf.add(remove, env)
	hideMail(remove)
	cmd.AddCommand(add, test, list, remove)
	return cmd
}

func requestCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "request", Short: "Work privacy requests from the command line"}
	var f commonFlags
	run := &cobra.Command{
		Use:   "run ID",
		Short: "Run an approved request against the connected systems now, with a progress bar per collection",
		Args:  exactArgs(1, "the request's id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withServices(cmd, env, f, func(svc *wire.Services) error {
				ctx := cmd.Context()
				id := args[0]
				r, err := svc.Store.Request(ctx, id)
				if err != nil {
					return notFound(err, "request", id)
				}
				if r.Status != "in_progress" {
					return custos.Errorf(custos.KindConflict, "invalid_transition", "Request %s is %s; only a request in progress can be run.", id, r.Status)
				}
				done := make(chan error, 1)
				go func() { done <- svc.Requests.Fulfil(ctx, "cli", id) }()
				tick := time.NewTicker(200 * time.Millisecond)
				defer tick.Stop()
				var drawn int
				for {
					select {
					case err := <-done:
						drawProgress(env.Stdout, svc.DSR, ctx, id, drawn, true)
						if errors.Is(err, requests.ErrPending) {
							fmt.Fprintln(env.Stdout, "waiting: a connected system answers later by callback; the server finishes the request then")
							return nil
						}
						if err != nil {
							return err
						}
						r, err := svc.Store.Request(ctx, id)
						if err != nil {
							return err
						}
						fmt.Fprintf(env.Stdout, "request %s is %s\n", id, r.Status)
						return nil
					case <-tick.C:
						drawn = drawProgress(env.Stdout, svc.DSR, ctx, id, drawn, false)
					}
				}
			})
		},
	}
	f.add(run, env)
	cmd.AddCommand(run, requestListCmd(env), requestShowCmd(env))
	cmd.AddCommand(requestDecisionCmds(env)...)
	return cmd
}

// drawProgress prints one bar per collection task. On a terminal it
// redraws in place at every tick; elsewhere (a pipe, a log) it prints only
// the final state, once, as plain lines without terminal escapes.
func drawProgress(w io.Writer, d *connected.Service, ctx context.Context, id string, drawn int, final bool) int {
	tty := isTerminal(w)
	if !tty && !final {
		return drawn
	}
	ts, err := d.Progress(ctx, id)
	if err != nil {
		return drawn
	}
	if !tty {
		for _, t := range ts {
			fmt.Fprintln(w, progressLine(t))
		}
		return len(ts)
	}
	if drawn > 0 {
		fmt.Fprintf(w, "\x1b[%dA", drawn)
	}
	for _, t := range ts {
		fmt.Fprintf(w, "\x1b[2K%s\n", progressLine(t))
	}
	// A redraw with fewer lines than the last clears what is left.
	for i := len(ts); i < drawn; i++ {
		fmt.Fprint(w, "\x1b[2K\n")
	}
	return max(len(ts), drawn)
}

func progressLine(t store.Task) string {
	const width = 24
	var total, done int64 = 1, 0
	switch {
	case t.Phase == connected.PhaseAccess && (t.Status == store.TaskDone || t.Status == store.TaskSkipped):
		done = 1
	case t.Phase != connected.PhaseAccess && t.Found > 0:
		total, done = t.Found, t.Done
	case t.Status == store.TaskDone || t.Status == store.TaskSkipped:
		done = 1
	}
	filled := int(done * width / total)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	detail := fmt.Sprintf("%d rows", t.Found)
	if t.Phase != connected.PhaseAccess {
		detail = fmt.Sprintf("%d/%d rows", t.Done, t.Found)
	}
	line := fmt.Sprintf("%-10s %-48s %s %-8s %s", t.Phase, t.Collection, bar, t.Status, detail)
	if t.Error != "" {
		line += "  error: " + t.Error
	} else if t.Note != "" {
		line += "  " + t.Note
	}
	return line
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
