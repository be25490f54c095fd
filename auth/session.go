package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/custos-privacy/custos"
)

// A console session is a row on the server naming the token that signed
// in and when it ends; the browser holds a signed cookie with the session's
// random id (see http/web). Only the id's SHA-256 is stored, so one who
// reads the table cannot make a cookie from it, and deleting the row ends
// the session wherever a copy of the cookie is.

// sessionHash is what the store keeps of a session id.
func sessionHash(sid []byte) []byte {
	h := sha256.Sum256(sid)
	return h[:]
}

// StartSession records a console session sid for a token until the given
// end. Sessions that have ended are pruned on the way, so the table holds
// only live ones.
func (a *Service) StartSession(ctx context.Context, sid []byte, tokenID int64, until time.Time) error {
	now := a.clock.Now()
	if _, err := a.store.PruneConsoleSessions(ctx, now); err != nil {
		return err
	}
	return a.store.InsertConsoleSession(ctx, sessionHash(sid), tokenID, now, until)
}

// Session returns the token a console session acts as. The session must
// still be on record and current, name tokenID (what the signed cookie
// says) and its token must not be revoked; anything else is unauthorized,
// with no hint which check failed.
func (a *Service) Session(ctx context.Context, sid []byte, tokenID int64) (custos.Token, error) {
	refused := custos.Errorf(custos.KindUnauthorized, custos.CodeUnauthorized, "The console session has ended; sign in again.")
	held, err := a.store.ConsoleSession(ctx, sessionHash(sid), a.clock.Now())
	if errors.Is(err, custos.ErrNotFound) || (err == nil && held != tokenID) {
		return custos.Token{}, refused
	}
	if err != nil {
		return custos.Token{}, err
	}
	tok, err := a.store.TokenByID(ctx, tokenID)
	if errors.Is(err, custos.ErrNotFound) || (err == nil && tok.RevokedAt != nil) {
		return custos.Token{}, refused
	}
	if err != nil {
		return custos.Token{}, err
	}
	return tok, nil
}

// EndSession deletes a console session; ending one that is gone is no
// error.
func (a *Service) EndSession(ctx context.Context, sid []byte) error {
	return a.store.DeleteConsoleSession(ctx, sessionHash(sid))
}

// Tokens lists every token, revoked ones included, oldest first: what an
// admin sees to decide which to revoke.
func (a *Service) Tokens(ctx context.Context) ([]custos.Token, error) {
	return a.store.Tokens(ctx)
}
