// Package auth issues and checks operator tokens. A token is 32 random bytes
// shown once; only its SHA-256 is stored, which is enough for a secret of
// that entropy and keeps each check to one indexed lookup.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/store"
)

// Prefix marks Custos tokens so secret scanners and people recognise them.
const Prefix = "cst_"

// Service creates, checks and revokes tokens.
type Service struct {
	store *store.Store
	log   *audit.Log
	clock custos.Clock
}

// New returns a Service.
func New(s *store.Store, log *audit.Log, clock custos.Clock) *Service {
	return &Service{store: s, log: log, clock: clock}
}

// HashSecret is how a token's secret is stored.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// Create issues a token with role. The secret is returned once and never
// again. actor names who asked, for the audit log.
func (a *Service) Create(ctx context.Context, actor string, role custos.Role, name string) (string, custos.Token, error) {
	if _, err := custos.ParseRole(string(role)); err != nil {
		return "", custos.Token{}, err
	}
	if name == "" {
		name = string(role)
	}
	if len(name) > 100 {
		return "", custos.Token{}, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "A token name is at most 100 characters.")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", custos.Token{}, fmt.Errorf("auth: random: %w", err)
	}
	secret := Prefix + base64.RawURLEncoding.EncodeToString(raw)
	tok := custos.Token{Name: name, Role: role, Hash: HashSecret(secret), CreatedAt: a.clock.Now()}
	err := a.store.InTx(ctx, func(tx *store.Tx) error {
		id, err := tx.InsertToken(ctx, tok)
		if err != nil {
			return err
		}
		tok.ID = id
		_, err = a.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "token.create", Object: fmt.Sprintf("token:%d", id),
			Detail: map[string]any{"role": string(role), "name": name}})
		return err
	})
	if err != nil {
		return "", custos.Token{}, err
	}
	return secret, tok, nil
}

// Authenticate returns the live token whose secret this is.
func (a *Service) Authenticate(ctx context.Context, secret string) (custos.Token, error) {
	if !strings.HasPrefix(secret, Prefix) {
		return custos.Token{}, custos.Errorf(custos.KindUnauthorized, custos.CodeUnauthorized, "The bearer token is not a Custos token.")
	}
	tok, err := a.store.TokenByHash(ctx, HashSecret(secret))
	if errors.Is(err, custos.ErrNotFound) {
		return custos.Token{}, custos.Errorf(custos.KindUnauthorized, custos.CodeUnauthorized, "The bearer token is not valid.")
	}
	if err != nil {
		return custos.Token{}, err
	}
	if tok.RevokedAt != nil {
		return custos.Token{}, custos.Errorf(custos.KindUnauthorized, "token_revoked", "The bearer token has been revoked.")
	}
	// Best effort: a failed touch must not refuse a valid token.
	_ = a.store.TouchToken(ctx, tok.ID, a.clock.Now())
	return tok, nil
}

// Revoke ends a token at once.
func (a *Service) Revoke(ctx context.Context, actor string, id int64) error {
	return a.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeToken(ctx, id, a.clock.Now()); err != nil {
			return err
		}
		_, err := a.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "token.revoke", Object: fmt.Sprintf("token:%d", id)})
		return err
	})
}

// Allow reports whether role is one of allowed. Admin is always allowed.
func Allow(role custos.Role, allowed ...custos.Role) bool {
	if role == custos.RoleAdmin {
		return true
	}
	for _, r := range allowed {
		if r == role {
			return true
		}
	}
	return false
}

// Actor is how a token is named in the audit log.
func Actor(t custos.Token) string { return fmt.Sprintf("token:%d", t.ID) }
