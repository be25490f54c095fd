package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

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
	var to, dir, request string
	var code bool
	var wait time.Duration
	last := &cobra.Command{
		Use:   "last --to ADDRESS",
		Short: "Print the newest message to an address",
		Long: `Print the newest message in the Maildir addressed to ADDRESS: its From, To, Subject
and Date, then its text decoded. With --code, print only the six-digit verification
code it carries (exit 1 when it carries none). With --wait, wait up to that long
for such a message (the server delivers its outbox in the background). With
--request, only a message about that privacy request counts: the code of a second
request, not the first's still newest in the Maildir.
Reads new/ and cur/; writes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			m, err := latestMail(c.Context(), dir, to, request, code, wait)
			if err != nil {
				return err
			}
			if code {
				_, err := fmt.Fprintln(env.Stdout, verificationCode.FindStringSubmatch(m.Text)[1])
				return err
			}
			_, err = fmt.Fprintf(env.Stdout, "From:    %s\nTo:      %s\nSubject: %s\nDate:    %s\n\n%s\n", m.From, m.To, m.Subject, m.Date, m.Text)
			return err
		},
	}
	last.Flags().StringVar(&to, "to", "", "the address the message was sent to (required)")
	last.Flags().StringVar(&dir, "mail-dir", flagEnv(env, "CUSTOS_MAIL_DIR", defaultMailDir), "the Maildir serve writes to (env CUSTOS_MAIL_DIR)")
	last.Flags().BoolVar(&code, "code", false, "print only the six-digit verification code")
	last.Flags().StringVar(&request, "request", "", "only a message about this privacy request (its id)")
	last.Flags().DurationVar(&wait, "wait", 0, "wait up to this long for the message to arrive (e.g. 10s)")
	_ = last.MarkFlagRequired("to")
	cmd.AddCommand(last)
	return cmd
}

// about names the request a search is limited to, if any.
func about(request string) string {
	if request == "" {
		return ""
	}
	return " about request " + request
}

// latestMail is the newest message to an address (carrying a code, if
// code is set), waiting up to wait for one to arrive.
func latestMail(ctx context.Context, dir, to, request string, code bool, wait time.Duration) (mail.Received, error) {
	deadline := time.Now().Add(wait)
	for {
		m, err := mail.LatestFor(dir, to, request)
		switch {
		case err != nil && !errors.Is(err, mail.ErrNoMessage):
			return mail.Received{}, err
		case err == nil && (!code || verificationCode.MatchString(m.Text)):
			return m, nil
		case time.Now().After(deadline) && err != nil:
			return mail.Received{}, fmt.Errorf("no message to %s%s in %s", to, about(request), dir)
		case time.Now().After(deadline):
			return mail.Received{}, fmt.Errorf("the newest message to %s (%q) carries no six-digit code", to, m.Subject)
		}
		select {
		case <-ctx.Done():
			return mail.Received{}, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
