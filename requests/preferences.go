package requests

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/mail"
	"github.com/custos-privacy/custos/store"
)

// A person changes their consents and opt-outs on the preferences page
// after proving their address with the same mailed code as a request, but
// without opening one: nothing there needs an officer, a deadline or a
// record of a request. The code is derived from a random ticket that the
// page carries, so no state is stored until a choice is recorded.

// PreferencesTTL is how long a preferences code and the session it opens last.
const PreferencesTTL = 30 * time.Minute

// ErrPreferencesExpired is a ticket or session past its time.
var ErrPreferencesExpired = &custos.Error{Kind: custos.KindInvalid, Code: "code_expired", Message: "That code has expired. Ask for a new one."}

const ticketLen = 16 + 8 + 32 // nonce, expiry, MAC

// SendPreferencesCode mails a code to the address and returns the ticket
// the page keeps. It answers the same whether or not the address is known.
func (s *Service) SendPreferencesCode(ctx context.Context, email, clientIP, lang string) (string, error) {
	email, err := s.check(Intake{Type: TypeOptOut, Email: email, Jurisdiction: "US", Language: lang})
	if err != nil {
		return "", err
	}
	if lang, err = language(lang); err != nil {
		return "", err
	}
	blind := s.records.Blind(custos.IdentityEmail, email)
	if err := allow(s.limits.perClient, "ip:"+clientIP); err != nil {
		return "", err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	// Counted per address and client, until the code is entered rightly.
	if err := s.limits.attempt(addressKey("prefs", blind, clientIP), "prefs-ticket:"+string(nonce)); err != nil {
		return "", err
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return "", err
	}
	exp := s.clock.Now().Add(PreferencesTTL)
	ticket := make([]byte, 0, ticketLen)
	ticket = append(ticket, nonce...)
	ticket = binary.BigEndian.AppendUint64(ticket, uint64(exp.Unix()))
	ticket = append(ticket, s.ticketMAC(ticket, blind)...)
	code := s.preferencesCode(nonce, blind)
	msg, err := s.compose(p.Manifest, lang, email, "verification_code", mail.VerificationCode{
		Organisation: org(p.Manifest), Code: code, Purpose: i18n.T(lang, "mail.purpose.preferences"), ValidMinutes: int(PreferencesTTL.Minutes())})
	if err != nil {
		return "", err
	}
	if err := s.store.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.outbox.Enqueue(ctx, tx, msg)
		return err
	}); err != nil {
		return "", err
	}
	s.outbox.Wake()
	return base64.RawURLEncoding.EncodeToString(ticket), nil
}

func (s *Service) ticketMAC(head, blind []byte) []byte {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte("custos/preferences-ticket\x00"))
	m.Write(head)
	m.Write(blind)
	return m.Sum(nil)
}

func (s *Service) preferencesCode(nonce, blind []byte) string {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte("custos/preferences-code\x00"))
	m.Write(nonce)
	m.Write(blind)
	sum := m.Sum(nil)
	return fmt.Sprintf("%06d", binary.BigEndian.Uint32(sum[:4])%1_000_000)
}

// CheckPreferencesCode checks a code against its ticket and address. Five
// wrong codes spoil the ticket.
func (s *Service) CheckPreferencesCode(email, ticket, code string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	raw, err := base64.RawURLEncoding.DecodeString(ticket)
	if err != nil || len(raw) != ticketLen {
		return ErrInvalidCode
	}
	blind := s.records.Blind(custos.IdentityEmail, email)
	head := raw[:24]
	if !hmac.Equal(raw[24:], s.ticketMAC(head, blind)) {
		return ErrInvalidCode
	}
	if s.clock.Now().Unix() > int64(binary.BigEndian.Uint64(head[16:24])) {
		return ErrPreferencesExpired
	}
	if err := allow(s.limits.perTicket, "prefs-ticket:"+string(head[:16])); err != nil {
		return ErrLocked
	}
	if !hmac.Equal([]byte(strings.TrimSpace(code)), []byte(s.preferencesCode(head[:16], blind))) {
		return ErrInvalidCode
	}
	s.limits.proven("prefs-ticket:" + string(head[:16]))
	return nil
}

func sessionContext() string { return "custos/preferences-session" }

// PreferencesSession seals the proven address and an expiry into the value
// of the page's session cookie.
func (s *Service) PreferencesSession(email string) (string, error) {
	b := binary.BigEndian.AppendUint64(nil, uint64(s.clock.Now().Add(PreferencesTTL).Unix()))
	b = append(b, strings.ToLower(strings.TrimSpace(email))...)
	sealed, err := s.master.Seal(b, sessionContext())
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// OpenPreferencesSession returns the address of a live session.
func (s *Service) OpenPreferencesSession(value string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return "", ErrPreferencesExpired
	}
	b, err := s.master.Open(raw, sessionContext())
	if err != nil || len(b) < 9 {
		return "", ErrPreferencesExpired
	}
	if s.clock.Now().Unix() > int64(binary.BigEndian.Uint64(b[:8])) {
		return "", ErrPreferencesExpired
	}
	return string(b[8:]), nil
}
