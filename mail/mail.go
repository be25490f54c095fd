// Package mail sends the e-mail Custos writes to people (verification codes,
// request status, results links) and to recipients of their data (erasure
// notices).
//
// Two Senders exist: Maildir, the default, which delivers each message as one
// RFC 5322 file under new/ of a Maildir (see NewMaildir), and SMTP, which
// hands messages to a mail server (see NewSMTP). Both build the message with
// the same code, so a message looks the same whichever way it leaves.
//
// Compose renders the embedded templates for the messages Custos sends.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// RequestHeader names the privacy request a message is about, so that a
// reader (custos mail last --request) can tell two requests' codes apart.
const RequestHeader = "X-Custos-Request"

// Message is one e-mail. Text is required; HTML is optional and, when set,
// the message is multipart/alternative with the text part first.
type Message struct {
	To      string // one address, e.g. "ana@example.com" or "Ana <ana@example.com>"
	From    string // e.g. "Clientwise Privacy <privacy@clientwise.com>"; empty means the Sender's default
	Subject string
	Text    string
	HTML    string
	// Headers are extra header fields, e.g. List-Unsubscribe,
	// List-Unsubscribe-Post, X-Custos-Request. The fields the package writes
	// itself (From, To, Subject, Date, Message-ID, MIME-Version,
	// Content-Type, …) cannot be set here.
	Headers map[string]string
	// ID is the local part of the Message-ID, chosen by the caller (the
	// outbox id) so that a resend after a crash is recognisably the same
	// message: the header becomes <ID@custos>. Empty means a random ID.
	ID string
}

// Sender delivers a Message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// messageIDDomain is the right-hand side of every Message-ID Custos writes.
const messageIDDomain = "custos"

// Errors returned for a Message that cannot be sent. They are wrapped, so
// test with errors.Is.
var (
	ErrNoFrom      = errors.New("mail: no From address (set Message.From or the sender's default)")
	ErrInvalidFrom = errors.New("mail: invalid From address")
	ErrInvalidTo   = errors.New("mail: invalid To address (want exactly one address)")
	ErrNoText      = errors.New("mail: message has no text part")
	ErrBadHeader   = errors.New("mail: invalid extra header")
	ErrBadID       = errors.New("mail: invalid message ID")
	// ErrUndeliverable marks a failure no retry can mend: the recipient's
	// server refused the address for good (an SMTP 5xx reply to RCPT TO).
	ErrUndeliverable = errors.New("mail: undeliverable")
)

// Undeliverable reports whether err is permanent for this message: the
// address is not one (ErrInvalidTo) or the server refused it for good
// (ErrUndeliverable). Anything else (a server down, a 4xx reply) may pass
// on a later try.
func Undeliverable(err error) bool {
	return errors.Is(err, ErrUndeliverable) || errors.Is(err, ErrInvalidTo)
}

// reservedHeaders are written by the package and cannot be overridden
// through Message.Headers (keys are lower-case).
var reservedHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "sender": true, "reply-to": true,
	"subject": true, "date": true, "message-id": true, "mime-version": true,
	"content-type": true, "content-transfer-encoding": true, "content-disposition": true,
	"return-path": true, "received": true,
}

// parseFrom checks a default From address given to a constructor.
func parseFrom(from string) error {
	if from == "" {
		return nil
	}
	if _, err := netmail.ParseAddress(from); err != nil {
		return fmt.Errorf("%w: default From: %v", ErrInvalidFrom, err)
	}
	return nil
}

// build turns m into a go-mail message: the single place where the bytes of
// a message are decided, shared by every Sender.
func (m Message) build(defaultFrom string, now time.Time) (*gomail.Msg, error) {
	fromStr := m.From
	if fromStr == "" {
		fromStr = defaultFrom
	}
	if fromStr == "" {
		return nil, ErrNoFrom
	}
	from, err := netmail.ParseAddress(fromStr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidFrom, err)
	}
	// The recipient's address is personal data: errors never repeat it.
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, ErrInvalidTo
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, ErrNoText
	}
	id := m.ID
	if id == "" {
		id = randomID()
	} else if !isDotAtom(id) {
		return nil, fmt.Errorf("%w: %q is not a dot-atom (letters, digits, !#$%%&'*+-/=?^_`{|}~ and inner dots)", ErrBadID, id)
	}
	for k, v := range m.Headers {
		if err := checkHeader(k, v); err != nil {
			return nil, err
		}
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(oneLine(m.Subject))
	msg.SetDateWithValue(now)
	msg.SetMessageIDWithValue(id + "@" + messageIDDomain)
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// render returns the RFC 5322 bytes of m (CRLF line endings).
func (m Message) render(defaultFrom string, now time.Time) ([]byte, error) {
	msg, err := m.build(defaultFrom, now)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("mail: writing message: %w", err)
	}
	return buf.Bytes(), nil
}

// checkHeader validates one extra header: an RFC 5322 field name that the
// package does not write itself, and a value on one line.
func checkHeader(name, value string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrBadHeader)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return fmt.Errorf("%w: name %q", ErrBadHeader, name)
		}
	}
	if reservedHeaders[strings.ToLower(name)] {
		return fmt.Errorf("%w: %s is set by the mail package", ErrBadHeader, name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("%w: value of %s contains a line break", ErrBadHeader, name)
	}
	return nil
}

// oneLine folds any line breaks in a header value into single spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isDotAtom reports whether s is an RFC 5322 dot-atom-text, the form of the
// local part of a Message-ID.
func isDotAtom(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
