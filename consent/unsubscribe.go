package consent

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
)

// Link is an unsubscribe link with the RFC 8058 headers to send with it.
type Link struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// UnsubscribeLink issues a signed, non-guessable link that withdraws the
// person's consent to purpose (or objects to direct marketing) in one
// click, with no cookie or login.
func (s *Service) UnsubscribeLink(ctx context.Context, email, purpose string) (Link, error) {
	if strings.TrimSpace(email) == "" {
		return Link{}, invalid("email", "email is required.")
	}
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		return Link{}, err
	}
	if purpose == "" {
		purpose = ScopeDirectMarketing
	}
	if err := checkScope(p.Manifest, purpose); err != nil {
		return Link{}, err
	}
	// The link is for a person on record; one is created for an address
	// that mail is being sent to but Custos has not seen yet.
	subject, _, err := s.records.EnsureSubject(ctx, "system", custos.SubjectRef{Email: email})
	if err != nil {
		return Link{}, err
	}
	raw, err := hex.DecodeString(subject)
	if err != nil {
		return Link{}, err
	}
	token := s.sign(raw, purpose, s.clock.Now())
	url := strings.TrimRight(s.baseURL, "/") + "/unsubscribe/" + token
	return Link{URL: url, Headers: map[string]string{
		"List-Unsubscribe":      "<" + url + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}}, nil
}

// token layout, base64url: version(1) issued(8) subject(16) purpose(…) "." mac(16)
const tokenVersion = 1

func (s *Service) sign(subject []byte, purpose string, issued time.Time) string {
	payload := make([]byte, 0, 25+len(purpose))
	payload = append(payload, tokenVersion)
	payload = binary.BigEndian.AppendUint64(payload, uint64(issued.Unix()))
	payload = append(payload, subject...)
	payload = append(payload, purpose...)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.mac(payload))
}

func (s *Service) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, s.unsub)
	h.Write([]byte("custos-unsubscribe\x00"))
	h.Write(payload)
	return h.Sum(nil)[:16]
}

// Unsubscription is what a token names.
type Unsubscription struct {
	Subject string
	Purpose string
	Name    string // the purpose's name in the policy
}

// ParseToken checks an unsubscribe token; forged, altered or malformed ones
// are refused with ErrBadToken.
func (s *Service) ParseToken(ctx context.Context, token string) (Unsubscription, error) {
	enc := base64.RawURLEncoding
	body, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Unsubscription{}, ErrBadToken
	}
	payload, err1 := enc.DecodeString(body)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || len(payload) < 26 || payload[0] != tokenVersion || !hmac.Equal(mac, s.mac(payload)) {
		return Unsubscription{}, ErrBadToken
	}
	u := Unsubscription{Subject: hex.EncodeToString(payload[9:25]), Purpose: string(payload[25:])}
	u.Name = u.Purpose
	if u.Purpose == ScopeDirectMarketing {
		u.Name = "marketing messages"
	} else if p, _, err := s.policies.Active(ctx); err == nil {
		for _, mp := range p.Purposes {
			if mp.Key == u.Purpose {
				u.Name = mp.Name
			}
		}
	}
	return u, nil
}

// Unsubscribe withdraws what the token names (RFC 8058 one-click).
// Following a link twice is harmless: the second withdrawal confirms the
// first. With a GPC signal the same receipt records an opt-out of sale and
// sharing.
func (s *Service) Unsubscribe(ctx context.Context, token, jurisdiction string, gpc bool) (Recorded, error) {
	u, err := s.ParseToken(ctx, token)
	if err != nil {
		return Recorded{}, err
	}
	p, version, err := s.policies.Active(ctx)
	if err != nil {
		return Recorded{}, err
	}
	if jurisdiction == "" {
		jurisdiction = "ZZ" // unknown: the link carries no location
	}
	choices := []ScopeChoice{{Scope: u.Purpose, Granted: false}}
	if gpc && u.Purpose != ScopeSaleSharing {
		choices = append(choices, ScopeChoice{Scope: ScopeSaleSharing, Granted: false})
	}
	return s.append(ctx, "subject:"+u.Subject, p.Manifest, version.Version, u.Subject, nil, jurisdiction, "email_link", gpc, choices)
}
