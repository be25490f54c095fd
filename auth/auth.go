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
	"sync"
	"time"

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

	// Checking a token on every request cost a database read and write;
	// a valid token is remembered for cacheFor, and its last use written
	// at most once a minute. Revocation here clears the cache at once;
	// another server sharing the database may accept a revoked token for
	// up to cacheFor.
	mu      sync.Mutex
	cache   map[string]cached
	touched map[int64]time.Time
	// revoked counts revocations, so a check that read a token before a
	// revocation committed does not cache it afterwards.
	revoked uint64
}

type cached struct {
	tok   custos.Token
	until time.Time
}

const cacheFor = 10 * time.Second

// New returns a Service.
func New(s *store.Store, log *audit.Log, clock custos.Clock) *Service {
	return &Service{store: s, log: log, clock: clock, cache: map[string]cached{}, touched: map[int64]time.Time{}}
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
	hash := HashSecret(secret)
	now := a.clock.Now()
	a.mu.Lock()
	c, ok := a.cache[string(hash)]
	a.mu.Unlock()
	if ok && now.Before(c.until) {
		a.touch(ctx, c.tok.ID, now)
		return c.tok, nil
	}
	a.mu.Lock()
	generation := a.revoked
	a.mu.Unlock()
	tok, err := a.store.TokenByHash(ctx, hash)
	if errors.Is(err, custos.ErrNotFound) {
		return custos.Token{}, custos.Errorf(custos.KindUnauthorized, custos.CodeUnauthorized, "The bearer token is not valid.")
	}
	if err != nil {
		return custos.Token{}, err
	}
	if tok.RevokedAt != nil {
		return custos.Token{}, custos.Errorf(custos.KindUnauthorized, "token_revoked", "The bearer token has been revoked.")
	}
	a.mu.Lock()
	if len(a.cache) > 10_000 {
		a.cache = map[string]cached{}
	}
	if a.revoked == generation {
		a.cache[string(hash)] = cached{tok: tok, until: now.Add(cacheFor)}
	}
	a.mu.Unlock()
	a.touch(ctx, tok.ID, now)
	return tok, nil
}

// touch records a token's use, at most once a minute. Best effort: a
// failed write must not refuse a valid token.
func (a *Service) touch(ctx context.Context, id int64, now time.Time) {
	a.mu.Lock()
	last, seen := a.touched[id]
	due := !seen || now.Sub(last) >= time.Minute
	if due {
		a.touched[id] = now
	}
	a.mu.Unlock()
	if due {
		_ = a.store.TouchToken(ctx, id, now)
	}
}

// Revoke ends a token at once.
func (a *Service) Revoke(ctx context.Context, actor string, id int64) error {
	// Forget it before and after the write, so no check in between can
	// put it back.
	a.forget(id)
	defer a.forget(id)
	return a.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeToken(ctx, id, a.clock.Now()); err != nil {
			return err
		}
		_, err := a.log.Append(ctx, tx, audit.Record{Actor: actor, Action: "token.revoke", Object: fmt.Sprintf("token:%d", id)})
		return err
	})
}

func (a *Service) forget(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.revoked++
	for h, c := range a.cache {
		if c.tok.ID == id {
			delete(a.cache, h)
		}
	}
}

// Actor is how a token is named in the audit log.
func Actor(t custos.Token) string { return fmt.Sprintf("token:%d", t.ID) }
