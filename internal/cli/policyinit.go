package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	netmail "net/mail"
	"os"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/policy"
)

// starterManifest is what policy init writes: the smallest manifest that
// passes validation and exercises every section a running server reads —
// a notice, categories and their retention, a contract and a consent
// purpose, a service provider, rights per jurisdiction, one strictly
// necessary cookie and the banner — so a company edits its own practices
// into it instead of deleting another company's legal text.
var starterManifest = template.Must(template.New("manifest").Parse(`# Custos policy manifest for {{.Org}}.
# Edit it to say what you really collect, why, and with whom you share it;
# check it with: custos policy validate FILE. The public notice is rendered
# from it (custos policy render FILE --format html).
custos: policy/v1
organisation:
  name: {{.OrgQ}}
  short_name: {{.OrgQ}}
contact:
  email: {{.EmailQ}}
last_updated: "{{.Today}}"
language: en-US

notice:
  title: Privacy Notice
  introduction:
    - {{.IntroQ}}
  security:
    - "We protect the personal information we hold with administrative, technical and physical safeguards."
  retention:
    - "We keep personal information only as long as the rules below say, and then erase it."
  contact:
    - {{.ContactQ}}

categories:
  - key: user.contact.email
    description: "e-mail address"
    ccpa: identifiers
  - key: user.name
    description: "name"
    ccpa: identifiers

information_types:
  - text: "contact details, such as your name and e-mail address"
    categories: [user.contact.email, user.name]

sources:
  - key: online_channels
    name: "Our website"
    description: "from you, when you use our website"

purposes:
  - key: essential.service
    name: "Providing our services"
    legal_basis: contract
    uses:
      - "provide the services you ask for and answer your questions"
  - key: marketing.communications.email
    name: "E-mail newsletters"
    legal_basis: consent
    consent:
      regimes: {default: opt_in, US: opt_out}
    uses:
      - "send you newsletters you asked for"

recipients:
  - key: service_providers
    name: "Service providers"
    kind: service_provider
    description: "with vendors who host and run our services on our behalf, under contract"
    sale_or_share: false
    direct_marketing: false

rights:
  verify_identity: true
  complaint: true
  jurisdictions:
    - jurisdictions: [default]
      requests: [access, correction, deletion, restriction, objection]
    - jurisdictions: [EU, GB]
      requests: [access, correction, deletion, restriction, portability, objection]
    - jurisdictions: [US-CA]
      requests: [access, categories, deletion, correction, opt_out]

cookies:
  - name: "Session"
    party: first
    duration: session
    purpose: essential.service
    strictly_necessary: true
    description: "Keeps your session and choices while you browse."

banner:
  unknown_location: opt_in

children:
  age_threshold: 16
  directed_to_children: false

retention:
  rules:
    - category: user.contact.email
      duration: "2 years"
      trigger: last_activity
      reason: "We need it to serve you; two years after you were last in touch we erase it."
    - category: user.name
      duration: "2 years"
      trigger: last_activity
      reason: "We need it to serve you; two years after you were last in touch we erase it."

changes:
  notice_of_material_changes: website

# To publish the notice in Spanish, French or German too, translate your own
# texts here; a text left out is shown in English (see the README):
# translations:
#   de:
#     purposes:
#       marketing.communications.email:
#         name: "E-Mail-Newsletter"
#         uses: ["Ihnen Newsletter senden, die Sie bestellt haben"]
`))

// quote is a YAML double-quoted scalar: JSON's string syntax is a subset.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func policyInitCmd(env *Env) *cobra.Command {
	var org, email, out string
	var force bool
	cmd := &cobra.Command{
		Use:   "init --org NAME --email ADDR [--out FILE] [--force]",
		Short: "Write a small valid manifest to start from",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			org = strings.TrimSpace(org)
			if org == "" || len(org) > 200 || strings.ContainsAny(org, "\r\n") {
				return usageError{msg: "--org must be the organisation's name, on one line of at most 200 characters"}
			}
			addr, err := netmail.ParseAddress(email)
			if err != nil || addr.Name != "" || addr.Address != email {
				return usageError{msg: fmt.Sprintf("--email %q is not an e-mail address", email)}
			}
			var buf bytes.Buffer
			err = starterManifest.Execute(&buf, map[string]string{
				"Org": org, "OrgQ": quote(org), "EmailQ": quote(email), "Today": env.Clock.Now().UTC().Format("2006-01-02"),
				"IntroQ":   quote("This notice explains what personal information " + org + " collects, why, with whom we share it, how long we keep it, and how you can exercise your rights."),
				"ContactQ": quote("If you have questions about this notice or want to exercise a right, write to " + email + " or use our privacy centre."),
			})
			if err != nil {
				return err
			}
			// What init writes must load: a template edit that breaks it
			// fails here, not at the user's first validate.
			loader, err := policy.NewLoader()
			if err != nil {
				return err
			}
			if _, err := loader.Parse(out, buf.Bytes()); err != nil {
				return fmt.Errorf("the starter manifest does not validate: %w", err)
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(out, flags, 0o644)
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s exists; pass --force to overwrite it", out)
			}
			if err != nil {
				return fmt.Errorf("cannot write %s: %w", out, unwrapPath(err))
			}
			if _, err := f.Write(buf.Bytes()); err != nil {
				f.Close()
				return fmt.Errorf("cannot write %s: %w", out, unwrapPath(err))
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("cannot write %s: %w", out, unwrapPath(err))
			}
			fmt.Fprintf(env.Stdout, "wrote %s; check it with: custos policy validate %s\n", out, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "the organisation's name (required)")
	cmd.Flags().StringVar(&email, "email", "", "the privacy contact's e-mail address (required)")
	cmd.Flags().StringVar(&out, "out", "policy.yaml", "the file to write")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the file if it exists")
	_ = cmd.MarkFlagRequired("org")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}
