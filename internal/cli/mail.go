package cli

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/custos-privacy/custos/mail"
)

// verificationCode is the six-digit code Custos' verification mails carry.
var verificationCode = regexp.MustCompile(`\b(\d{6})\b`)

// mailCmd is a development helper for the Maildir that `serve` writes when
// no SMTP server is configured: the tour reads the mailed code with it
// instead of opening a quoted-printable file by hand.
func mailCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mail",
		Short: "Read the mail Custos wrote to its Maildir (development helper)",
	}
	var to, dir string
	var code bool
	last := &cobra.Command{
		Use:   "last --to ADDRESS",
		Short: "Print the newest message to an address",
		Long: `Print the newest message in the Maildir addressed to ADDRESS: its From, To, Subject
and Date, then its text decoded. With --code, print only the six-digit verification
code it carries (exit 1 when it carries none). Reads new/ and cur/; writes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			m, err := mail.Latest(dir, to)
			if errors.Is(err, mail.ErrNoMessage) {
				return fmt.Errorf("no message to %s in %s", to, dir)
			}
			if err != nil {
				return err
			}
			if code {
				c := verificationCode.FindStringSubmatch(m.Text)
				if c == nil {
					return fmt.Errorf("the newest message to %s (%q) carries no six-digit code", to, m.Subject)
				}
				_, err := fmt.Fprintln(env.Stdout, c[1])
				return err
			}
			_, err = fmt.Fprintf(env.Stdout, "From:    %s\nTo:      %s\nSubject: %s\nDate:    %s\n\n%s\n", m.From, m.To, m.Subject, m.Date, m.Text)
			return err
		},
	}
	last.Flags().StringVar(&to, "to", "", "the address the message was sent to (required)")
	last.Flags().StringVar(&dir, "mail-dir", flagEnv(env, "CUSTOS_MAIL_DIR", defaultMailDir), "the Maildir serve writes to (env CUSTOS_MAIL_DIR)")
	last.Flags().BoolVar(&code, "code", false, "print only the six-digit verification code")
	_ = last.MarkFlagRequired("to")
	cmd.AddCommand(last)
	return cmd
}
