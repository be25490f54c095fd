package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/jurisdiction"
)

// lawCmd prints the law table. It needs no database: the rules are Go data
// in package jurisdiction.
func lawCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "law", Short: "Show the privacy laws Custos applies, rule by rule, with their citations"}
	cmd.AddCommand(lawListCmd(env), lawShowCmd(env))
	return cmd
}

func lawListCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "One line per law: code, law, name and effective date",
		Args:  noArgs("law list"),
		RunE: func(cmd *cobra.Command, args []string) error {
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tLAW\tEFFECTIVE\tNAME")
			for _, l := range jurisdiction.Laws() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Code, l.Law, l.Effective.Format("2006-01-02"), l.Name)
			}
			return tw.Flush()
		},
	}
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
	return &cobra.Command{
		Use:   "show CODE",
		Short: "Print one jurisdiction's rules (US-TX, DE, GB, CA-QC, …): deadlines, extension, appeal, limits, fees, signals, sensitive data, rights, each with its citation",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{msg: "law show takes one jurisdiction code, e.g. US-TX, DE or CA-QC (see custos law list)"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			showLaw(env.Stdout, args[0])
			return nil
		},
	}
}

// showLaw prints what the table says for code. A code with no law gets the
// rules For gives it, which say they are the organisation's own promises.
func showLaw(w io.Writer, code string) {
	groups := jurisdiction.Groups(code)
	if len(groups) == 0 {
		r := jurisdiction.For(code, jurisdiction.TypeAccess)
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
		r := jurisdiction.For(code, rest[0])
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
			fmt.Fprintf(w, "  opt-out signal (GPC): required from %s. %s [%s]\n", s.From.Format("2006-01-02"), s.Text, s.Citation)
		} else {
			fmt.Fprintf(w, "  opt-out signal (GPC): not required. %s [%s]\n", s.Text, s.Citation)
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
		fmt.Fprintf(w, "    acknowledge: within %s\n", r.Acknowledge)
	}
	fmt.Fprintf(w, "    deadline: %s from receipt [%s]\n", r.Respond, r.Citation)
	switch {
	case r.Extension.IsZero():
		fmt.Fprintln(w, "    extension: none")
	case r.ExtensionNeedsNotice:
		fmt.Fprintf(w, "    extension: once, by %s, with notice and reasons before the first deadline\n", r.Extension)
	default:
		fmt.Fprintf(w, "    extension: once, by %s\n", r.Extension)
	}
	if a := r.Appeal; a != nil {
		fmt.Fprintf(w, "    appeal: decided within %s; if denied, %s (%s) [%s]\n", a.Respond, a.Authority, a.AuthorityURL, a.Citation)
	} else {
		fmt.Fprintln(w, "    appeal: none")
	}
	for _, l := range r.Limits {
		beyond := "beyond, the business may refuse"
		if l.Beyond == jurisdiction.BeyondFee {
			beyond = "beyond, a fee may be charged"
		}
		fmt.Fprintf(w, "    limit: %d per %s, counting %s; %s [%s]\n", l.Count, windowName(l.Window), strings.Join(l.Types, ", "), beyond, l.Citation)
	}
	fee := "free"
	if r.Fee.Charge != jurisdiction.FeeNone {
		fee = r.Fee.Charge
	}
	cite := ""
	if r.Fee.Citation != "" {
		cite = " [" + r.Fee.Citation + "]"
	}
	fmt.Fprintf(w, "    fee: %s%s\n", fee, cite)
	if r.Fee.Exception != "" {
		fmt.Fprintf(w, "      %s\n", r.Fee.Exception)
	}
	fmt.Fprintf(w, "    complaint: %s\n", r.Complaint)
}

func windowName(w string) string {
	if w == jurisdiction.WindowCalendarYear {
		return "calendar year"
	}
	return "12 months"
}
