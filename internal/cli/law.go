package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/policy"
)

// lawCmd prints the law table. It needs no database: the rules are Go data
// in package jurisdiction, and the overrides those of the bundled policy,
// of a manifest file (--policy) or, with --db, of the policy in force in
// that database.
func lawCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "law", Short: "Show the privacy laws Custos applies, rule by rule, with their citations"}
	cmd.AddCommand(lawListCmd(env), lawShowCmd(env))
	return cmd
}

// lawSource is where the law commands take the policy's overrides from.
type lawSource struct {
	policyFile, dsn string
}

func (ls *lawSource) flags(cmd *cobra.Command, env *Env) {
	cmd.Flags().StringVar(&ls.policyFile, "policy", "", "apply the laws: overrides of this manifest (- for stdin) instead of the bundled policy's")
	dbFlag(cmd, env, &ls.dsn)
	cmd.Flags().Lookup("db").Usage = "apply the laws: overrides of the policy in force in this database (sqlite:PATH or postgres://…); without it no database is read"
}

// overrides returns the overrides to apply and where they come from. The
// database is read only when --db is given: the commands need none.
func (ls *lawSource) overrides(cmd *cobra.Command, env *Env) (jurisdiction.Overrides, string, error) {
	dbGiven := cmd.Flags().Changed("db")
	if dbGiven && ls.policyFile != "" {
		return nil, "", usageError{msg: "--policy and --db are alternatives: give one"}
	}
	loader, err := policy.NewLoader()
	if err != nil {
		return nil, "", err
	}
	switch {
	case ls.policyFile != "":
		p, err := loadManifest(env, loader, ls.policyFile)
		if err != nil {
			return nil, "", err
		}
		return p.LawOverrides(), ls.policyFile, nil
	case dbGiven:
		ctx := cmd.Context()
		a, _, err := openApp(ctx, env, ls.dsn, "", false)
		if err != nil {
			return nil, "", err
		}
		defer a.Close()
		v, err := a.store.ActivePolicyVersion(ctx, a.clock.Now())
		if err != nil {
			return nil, "", fmt.Errorf("no policy is in force in the database: %w", err)
		}
		p, err := loader.Parse(fmt.Sprintf("policy version %d", v.Version), v.Manifest)
		if err != nil {
			return nil, "", fmt.Errorf("policy version %d does not parse: %w", v.Version, err)
		}
		return p.LawOverrides(), fmt.Sprintf("policy version %d", v.Version), nil
	}
	p, err := loader.Parse(policy.BundledName, policy.Bundled())
	if err != nil {
		return nil, "", err
	}
	return p.LawOverrides(), "the bundled policy", nil
}

func lawListCmd(env *Env) *cobra.Command {
	var src lawSource
	cmd := &cobra.Command{
		Use:   "list [--policy FILE | --db DSN]",
		Short: "One line per law: code, law, name and effective date; then the laws the policy overrides",
		Args:  noArgs("law list"),
		RunE: func(cmd *cobra.Command, args []string) error {
			os, from, err := src.overrides(cmd, env)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tLAW\tEFFECTIVE\tNAME")
			for _, l := range jurisdiction.Laws() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Code, l.Law, l.Effective.Format("2006-01-02"), l.Name)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			var codes []string
			count := map[string]int{}
			for _, o := range os {
				if count[o.Code] == 0 {
					codes = append(codes, o.Code)
				}
				count[o.Code]++
			}
			for _, c := range codes {
				fmt.Fprintf(env.Stdout, "%s: %d rule(s) overridden by %s (custos law show %s)\n", c, count[c], from, c)
			}
			return nil
		},
	}
	src.flags(cmd, env)
	return cmd
}

func noArgs(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 0 {
			return usageError{msg: name + " takes no arguments"}
		}
		return nil
	}
}

func lawShowCmd(env *Env) *cobra.Command {
	var src lawSource
	cmd := &cobra.Command{
		Use:   "show CODE [--policy FILE | --db DSN]",
		Short: "Print one jurisdiction's rules (US-TX, DE, GB, CA-QC, …): deadlines, extension, appeal, limits, fees, signals, sensitive data, rights, each with its citation",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{msg: "law show takes one jurisdiction code, e.g. US-TX, DE or CA-QC (see custos law list)"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			os, _, err := src.overrides(cmd, env)
			if err != nil {
				return err
			}
			showLaw(env.Stdout, args[0], os)
			return nil
		},
	}
	src.flags(cmd, env)
	return cmd
}

// showLaw prints what the table says for code, with the overrides. A code
// with no law gets the rules For gives it, which say they are the
// organisation's own promises.
func showLaw(w io.Writer, code string, os jurisdiction.Overrides) {
	groups := os.Groups(code)
	if len(groups) == 0 {
		r := os.For(code, jurisdiction.TypeAccess)
		fmt.Fprintf(w, "%s: %s\n  %s\n", strings.ToUpper(strings.TrimSpace(code)), r.Name, r.Note)
		showRules(w, "every request", r)
		return
	}
	shown := map[string]bool{}
	for _, g := range groups {
		r := g.Rules
		if !shown[r.Law] {
			shown[r.Law] = true
			showLawInfo(w, r)
		}
		showRules(w, strings.Join(g.Types, ", "), r)
	}
	// Request types no law of the jurisdiction grants.
	var rest []string
	for _, t := range jurisdiction.RequestTypes {
		if !covered(groups, t) {
			rest = append(rest, t)
		}
	}
	if len(rest) > 0 {
		r := os.For(code, rest[0])
		fmt.Fprintf(w, "\n%s: %s\n", strings.Join(rest, ", "), r.Note)
		showRules(w, "", r)
	}
}

func covered(groups []jurisdiction.Group, t string) bool {
	for _, g := range groups {
		for _, gt := range g.Types {
			if gt == t {
				return true
			}
		}
	}
	return false
}

func showLawInfo(w io.Writer, r jurisdiction.Rules) {
	fmt.Fprintf(w, "%s  %s (%s)\n", r.Group, r.Law, r.Name)
	if r.Jurisdiction != r.Group {
		fmt.Fprintf(w, "  jurisdiction: %s\n", r.Jurisdiction)
	}
	fmt.Fprintf(w, "  effective: %s\n", r.Effective.Format("2006-01-02"))
	if s := r.Signal; s != nil {
		if s.Required {
			fmt.Fprintf(w, "  opt-out signal (GPC): required from %s. %s [%s]%s\n", s.From.Format("2006-01-02"), s.Text, s.Citation, mark(r, jurisdiction.RuleGPCFrom))
		} else {
			fmt.Fprintf(w, "  opt-out signal (GPC): not required. %s [%s]%s\n", s.Text, s.Citation, mark(r, jurisdiction.RuleGPCFrom))
		}
	}
	if s := r.Sensitive; s != nil {
		fmt.Fprintf(w, "  sensitive data: %s. %s [%s]\n", s.Consent, s.Text, s.Citation)
	}
	if c := r.Children; c != nil {
		age := "no fixed age"
		if c.ConsentAge > 0 {
			age = fmt.Sprintf("consent age %d", c.ConsentAge)
		}
		fmt.Fprintf(w, "  children: %s. %s [%s]\n", age, c.Text, c.Citation)
	}
	if c := r.ControllerComplaints; c != nil {
		fmt.Fprintf(w, "  complaints to the business: from %s, acknowledge within %s. %s [%s]\n", c.From.Format("2006-01-02"), c.Acknowledge, c.Text, c.Citation)
	}
	for _, p := range r.Rights {
		from := ""
		if !p.From.IsZero() {
			from = " (from " + p.From.Format("2006-01-02") + ")"
		}
		fmt.Fprintf(w, "  right: %s%s. %s [%s]\n", p.Name, from, p.Text, p.Citation)
	}
}

func showRules(w io.Writer, types string, r jurisdiction.Rules) {
	if types != "" {
		fmt.Fprintf(w, "\n  %s (%s):\n", types, r.Law)
	}
	if !r.Acknowledge.IsZero() {
		fmt.Fprintf(w, "    acknowledge: within %s%s\n", r.Acknowledge, mark(r, jurisdiction.RuleAcknowledge))
	} else if m := mark(r, jurisdiction.RuleAcknowledge); m != "" {
		fmt.Fprintf(w, "    acknowledge: none%s\n", m)
	}
	fmt.Fprintf(w, "    deadline: %s from receipt [%s]%s\n", r.Respond, r.Citation, mark(r, jurisdiction.RuleDeadline))
	ext := mark(r, jurisdiction.RuleExtension, jurisdiction.RuleExtensionNotice)
	switch {
	case r.Extension.IsZero():
		fmt.Fprintf(w, "    extension: none%s\n", ext)
	case r.ExtensionNeedsNotice:
		fmt.Fprintf(w, "    extension: once, by %s, with notice and reasons before the first deadline%s\n", r.Extension, ext)
	default:
		fmt.Fprintf(w, "    extension: once, by %s%s\n", r.Extension, ext)
	}
	appeal := mark(r, jurisdiction.RuleAppeal, jurisdiction.RuleAppealDeadline, jurisdiction.RuleAppealAuthority, jurisdiction.RuleAppealAuthorityURL)
	if a := r.Appeal; a != nil {
		fmt.Fprintf(w, "    appeal: decided within %s; if denied, %s (%s) [%s]%s\n", a.Respond, a.Authority, a.AuthorityURL, a.Citation, appeal)
	} else {
		fmt.Fprintf(w, "    appeal: none%s\n", appeal)
	}
	for _, l := range r.Limits {
		beyond := "beyond, the business may refuse"
		if l.Beyond == jurisdiction.BeyondFee {
			beyond = "beyond, a fee may be charged"
		}
		fmt.Fprintf(w, "    limit: %d per %s, counting %s; %s [%s]%s\n", l.Count, windowName(l.Window), strings.Join(l.Types, ", "), beyond, l.Citation, mark(r, jurisdiction.RuleLimit))
	}
	if m := mark(r, jurisdiction.RuleLimit); m != "" && len(r.Limits) == 0 {
		fmt.Fprintf(w, "    limit: none%s\n", m)
	}
	fee := "free"
	if r.Fee.Charge != jurisdiction.FeeNone {
		fee = r.Fee.Charge
	}
	cite := ""
	if r.Fee.Citation != "" {
		cite = " [" + r.Fee.Citation + "]"
	}
	fmt.Fprintf(w, "    fee: %s%s%s\n", fee, cite, mark(r, jurisdiction.RuleFee))
	if r.Fee.Exception != "" {
		fmt.Fprintf(w, "      %s\n", r.Fee.Exception)
	}
	fmt.Fprintf(w, "    complaint: %s%s\n", r.Complaint, mark(r, jurisdiction.RuleComplaint))
}

// mark is " (overridden by the manifest: REASON)" for each of rules the
// manifest overrides in r, else "".
func mark(r jurisdiction.Rules, rules ...string) string {
	var b strings.Builder
	for _, o := range r.Overridden {
		if slices.Contains(rules, o.Rule) {
			fmt.Fprintf(&b, " (overridden by the manifest: %s%s: %s)", o.Rule, o.For(), o.Reason)
		}
	}
	return b.String()
}

func windowName(w string) string {
	if w == jurisdiction.WindowCalendarYear {
		return "calendar year"
	}
	return "12 months"
}
