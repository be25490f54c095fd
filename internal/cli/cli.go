// Package cli is the custos command line. Main takes its arguments,
// streams and environment as parameters, so tests run the real commands —
// including the server — in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos"
)

// Env is the world a command runs in.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, when set, is called with the address serve listens on.
	Ready func(addr string)
	// MetricsReady, when set, is called with the address of the
	// --metrics-addr listener.
	MetricsReady func(addr string)
	// Clock, when set, replaces the wall clock (tests).
	Clock custos.Clock

	// verbose is the root's -v: commands name the database they open on
	// stderr.
	verbose bool
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	// exitUnverified: audit verify found nothing wrong but could not check
	// everything (the key file is absent).
	exitUnverified = 4
)

// exitError carries an exit code out of a command whose output is already
// written (validate problems, audit verify failures).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs the custos command line and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Clock == nil {
		env.Clock = custos.SystemClock{}
	}
	root := newRoot(&env)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue usageError
	if msg := err.Error(); strings.HasPrefix(msg, "required flag") {
		ue = usageError{msg: requiredMessage(msg, cmd)}
	} else if strings.HasPrefix(msg, "unknown command") {
		ue = usageError{msg: msg}
	}
	if ue.msg != "" || errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "custos: %s\n", ue.msg)
		return exitUsage
	}
	fmt.Fprintf(env.Stderr, "custos: %s\n", message(err))
	return exitFailure
}

// requiredMessage turns cobra's `required flag(s) "a", "b" not set` into
// the words the other usage errors use: "--a and --b are required (see
// CMD --help)".
func requiredMessage(msg string, cmd *cobra.Command) string {
	inner, ok := strings.CutPrefix(msg, "required flag(s) ")
	if !ok {
		return msg
	}
	inner, ok = strings.CutSuffix(inner, " not set")
	if !ok {
		return msg
	}
	var names []string
	for _, n := range strings.Split(inner, ", ") {
		names = append(names, "--"+strings.Trim(n, `"`))
	}
	verb := " is required"
	if len(names) > 1 {
		verb = " are required"
	}
	out := strings.Join(names, " and ") + verb
	if cmd != nil {
		out += " (see " + cmd.CommandPath() + " --help)"
	}
	return out
}

// usageError is a mistake in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// message is what a person sees of an error: the coded message, with the
// cause for internal errors (the CLI user is the operator, not the public).
func message(err error) string {
	var e *custos.Error
	if errors.As(err, &e) {
		if e.Kind == custos.KindInternal && e.Err != nil {
			return e.Message + " (" + e.Err.Error() + ")"
		}
		return e.Message
	}
	return err.Error()
}

func newRoot(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "custos",
		Short: "Custos makes a privacy policy true in software",
		Long: `Custos turns a company's privacy policy into records, rules and workflows that run,
are enforced and can be proven: what is collected and why, who it is shared with,
consent, the rights to access, correct, delete and restrict, retention and notice.

Start the service with "custos serve"; every flag also has a CUSTOS_* environment variable.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVarP(&env.verbose, "verbose", "v", false, "name the database a command opens, on stderr")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{msg: err.Error() + " (see " + c.CommandPath() + " --help)"}
	})
	root.AddCommand(serveCmd(env), tokenCmd(env), policyCmd(env), auditCmd(env), keysCmd(env), retentionCmd(env), holdCmd(env),
		datasetCmd(env), connectionCmd(env), requestCmd(env), lawCmd(env), mailCmd(env), versionCmd(env), demoCmd(env))
	return root
}

// flagEnv returns the environment's value for a flag's variable, or def.
func flagEnv(env *Env, name, def string) string {
	if v := env.Getenv(name); v != "" {
		return v
	}
	return def
}

// envInt is flagEnv for integers; commands that use it refuse a malformed
// value before running.
func envInt(env *Env, name string, def int) int {
	if v := env.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// Defaults of CONTRACT.md.
const (
	defaultAddr    = "127.0.0.1:8080"
	defaultDB      = "sqlite:./custos-data/custos.db"
	defaultMailDir = "./custos-data/mail"
	defaultKeyFile = "./custos-data/master.key"
)

// exactArgs is cobra.ExactArgs with an error that counts as a usage error.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{msg: fmt.Sprintf("%s takes %s (see %s --help)", cmd.CommandPath(), names, cmd.CommandPath())}
		}
		return nil
	}
}
