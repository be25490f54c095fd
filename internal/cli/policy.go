package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/policy"
)

func policyCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Validate, render, diff and publish policy manifests"}
	cmd.AddCommand(policyInitCmd(env), policyValidateCmd(env), policyRenderCmd(env), policyDiffCmd(env), policyPublishCmd(env), policySchemaCmd(env))
	return cmd
}

// loadManifest reads and validates a manifest file. Problems are printed to
// stderr as FILE:LINE:COL: message and turn into exit code 1.
func loadManifest(env *Env, loader *policy.Loader, file string) (*policy.Policy, error) {
	var (
		data []byte
		err  error
	)
	if file == "-" {
		data, err = io.ReadAll(env.Stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", file, unwrapPath(err))
	}
	p, err := loader.Parse(file, data)
	var ps policy.Problems
	if errors.As(err, &ps) {
		for _, pr := range ps {
			fmt.Fprintln(env.Stderr, pr.String())
		}
		return nil, exitError{code: exitFailure}
	}
	return p, err
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func policyValidateCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check manifests; print every problem as FILE:LINE:COL: message and exit 1",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{msg: "policy validate takes one or more manifest files (- for stdin)"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			loader, err := policy.NewLoader()
			if err != nil {
				return err
			}
			failed := false
			for _, f := range args {
				p, err := loadManifest(env, loader, f)
				var ee exitError
				if errors.As(err, &ee) {
					failed = true
					continue
				}
				if err != nil {
					fmt.Fprintf(env.Stderr, "%s:1:1: %s\n", f, message(err))
					failed = true
					continue
				}
				fmt.Fprintf(env.Stdout, "%s: ok (%d categories, %d sources, %d purposes, %d recipients)\n",
					f, len(p.Categories), len(p.Sources), len(p.Purposes), len(p.Recipients))
			}
			if failed {
				return exitError{code: exitFailure}
			}
			return nil
		},
	}
}

func policyRenderCmd(env *Env) *cobra.Command {
	var format, lang string
	cmd := &cobra.Command{
		Use:   "render [FILE] --format md|html [--lang en|es|fr|de]",
		Short: "Print the public notice rendered from a manifest (default: the bundled one)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{msg: "policy render takes at most one manifest file"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "md" && format != "html" {
				return usageError{msg: fmt.Sprintf("--format must be md or html, not %q", format)}
			}
			if lang != "" {
				l, ok := i18n.Supported(lang)
				if !ok {
					return usageError{msg: fmt.Sprintf("--lang must be one of %s, not %q", strings.Join(i18n.Languages(), ", "), lang)}
				}
				lang = l
			}
			loader, err := policy.NewLoader()
			if err != nil {
				return err
			}
			var p *policy.Policy
			if len(args) == 1 {
				p, err = loadManifest(env, loader, args[0])
			} else {
				p, err = loader.Parse(policy.BundledName, policy.Bundled())
			}
			if err != nil {
				return err
			}
			return policy.Render(env.Stdout, p.Manifest, format, policy.RenderOptions{Lang: lang})
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md or html")
	cmd.Flags().StringVar(&lang, "lang", "", "the language of the notice's own words (en, es, fr, de); the company's stay the manifest's. Default: English, as published")
	return cmd
}

func policyDiffCmd(env *Env) *cobra.Command {
	var materialExit bool
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "List each change between two manifests, marked material or editorial",
		Long: `List each change from OLD to NEW, one a line, marked "material" (the company collects,
uses or shares more, or people have weaker rights: people must be told before it takes
effect) or "editorial". The last line counts them.`,
		Args: exactArgs(2, "two manifest files, OLD and NEW"),
		RunE: func(cmd *cobra.Command, args []string) error {
			loader, err := policy.NewLoader()
			if err != nil {
				return err
			}
			old, err := loadManifest(env, loader, args[0])
			if err != nil {
				return err
			}
			cur, err := loadManifest(env, loader, args[1])
			if err != nil {
				return err
			}
			changes := policy.Diff(old.Manifest, cur.Manifest)
			material := 0
			for _, c := range changes {
				fmt.Fprintln(env.Stdout, c.String())
				if c.Material {
					material++
				}
			}
			fmt.Fprintf(env.Stdout, "%d changes, %d material\n", len(changes), material)
			if materialExit && material > 0 {
				return exitError{code: 3}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&materialExit, "exit-code", false, "exit 3 when any change is material (for CI checks)")
	return cmd
}

func policyPublishCmd(env *Env) *cobra.Command {
	var dsn, keyFile, effective string
	var force bool
	cmd := &cobra.Command{
		Use:   "publish FILE [--effective DATE]",
		Short: "Publish a manifest as a new policy version, in force from a date",
		Long: `Publish a manifest as the next policy version. It takes effect at --effective (RFC 3339 or
YYYY-MM-DD, default now). Until then /privacy-policy announces its material changes.
A material change must be announced at least changes.notice_days ahead unless --force.`,
		Args: exactArgs(1, "one manifest file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			at := env.Clock.Now()
			if effective != "" {
				t, err := parseWhen(effective)
				if err != nil {
					return usageError{msg: err.Error()}
				}
				at = t
			}
			loader, err := policy.NewLoader()
			if err != nil {
				return err
			}
			p, err := loadManifest(env, loader, args[0])
			if err != nil {
				return err
			}
			a, err := openWriter(cmd.Context(), env, dsn, keyFile)
			if err != nil {
				return err
			}
			defer a.Close()
			reg := policy.NewRegistry(a.store, loader, a.audit, a.clock)
			out, err := reg.Publish(cmd.Context(), "cli", args[0], p.Source, at, force)
			if err != nil {
				return err
			}
			if out.Unchanged {
				fmt.Fprintf(env.Stdout, "unchanged: %s is version %d already\n", args[0], out.Version.Version)
				return nil
			}
			for _, c := range out.Changes {
				fmt.Fprintln(env.Stdout, c.String())
			}
			fmt.Fprintf(env.Stdout, "published version %d, in force from %s\n", out.Version.Version, out.Version.EffectiveAt.Format(time.RFC3339))
			return a.audit.Checkpoint(cmd.Context(), a.store)
		},
	}
	dbFlag(cmd, env, &dsn)
	keyFlag(cmd, env, &keyFile)
	cmd.Flags().StringVar(&effective, "effective", "", "when the version takes effect: RFC 3339 or YYYY-MM-DD (default now)")
	cmd.Flags().BoolVar(&force, "force", false, "publish a material change without the notice period")
	return cmd
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--effective %q is neither RFC 3339 (2026-12-01T00:00:00Z) nor a date (2026-12-01)", s)
}

func policySchemaCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the manifest format (for editors)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := env.Stdout.Write(policy.Schema())
			return err
		},
	}
}
