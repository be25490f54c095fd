package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/custos-privacy/custos"
)

// SSO signs operators in to the console through an OpenID Connect
// provider. The provider says who the person is and, in one claim (groups
// by default), what they may do; the console maps claim values to roles.
// Each person signing in this way is held as an operator token named
// "sso:<subject>", so their actions are audited like any operator's and
// revoking that token ends their sessions.
type SSO struct {
	oauth     oauth2.Config
	verifier  *oidc.IDTokenVerifier
	roleClaim string
	roles     map[string]custos.Role
	// Name is shown on the sign-in button ("Sign in with …").
	Name string
}

// SSOConfig is what NewSSO needs.
type SSOConfig struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is BASE/admin/sso/callback, registered with the provider.
	RedirectURL string
	// RoleClaim names the claim holding the person's groups; default "groups".
	RoleClaim string
	// Roles maps claim values to roles; empty maps each role's own name
	// (a group called privacy_officer gives that role).
	Roles map[string]custos.Role
	Name  string
}

// NewSSO discovers the provider and builds the sign-in.
func NewSSO(ctx context.Context, c SSOConfig) (*SSO, error) {
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("single sign-on: cannot discover the provider at %s: %w", c.Issuer, err)
	}
	s := &SSO{
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile", "groups"}},
		verifier:  p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		roleClaim: c.RoleClaim,
		roles:     c.Roles,
		Name:      c.Name,
	}
	if s.roleClaim == "" {
		s.roleClaim = "groups"
	}
	if len(s.roles) == 0 {
		s.roles = map[string]custos.Role{}
		for _, r := range custos.Roles() {
			s.roles[string(r)] = r
		}
	}
	if s.Name == "" {
		s.Name = "single sign-on"
	}
	return s, nil
}

// ParseRoleMap reads "group=role,group=role".
func ParseRoleMap(s string) (map[string]custos.Role, error) {
	out := map[string]custos.Role{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("role map entry %q must look like group=role", pair)
		}
		r, err := custos.ParseRole(strings.TrimSpace(v))
		if err != nil {
			return nil, err
		}
		out[strings.TrimSpace(k)] = r
	}
	return out, nil
}

const ssoCookie = "custos_sso"

// ssoState is what travels with the browser to the provider and back,
// signed: the state and nonce that bind the answer to this attempt, and
// the PKCE verifier.
type ssoState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
	Until    int64  `json:"u"`
}

func (d Deps) seal(v any) string {
	b, _ := json.Marshal(v)
	m := hmac.New(sha256.New, d.SessionKey)
	m.Write([]byte("custos/sso\x00"))
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(append(m.Sum(nil), b...))
}

func (d Deps) unseal(s string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, d.SessionKey)
	m.Write([]byte("custos/sso\x00"))
	m.Write(raw[sha256.Size:])
	return hmac.Equal(m.Sum(nil), raw[:sha256.Size]) && json.Unmarshal(raw[sha256.Size:], v) == nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (d Deps) ssoStart(w http.ResponseWriter, r *http.Request) {
	st := ssoState{State: randomHex(16), Nonce: randomHex(16), Verifier: oauth2.GenerateVerifier(),
		Next: localNext(r.URL.Query().Get("next")), Until: d.Clock.Now().Add(10 * time.Minute).Unix()}
	// Lax, not Strict: the provider's redirect back is a cross-site
	// navigation, and the cookie must come with it.
	d.setCookie(w, ssoCookie, d.seal(st), "/admin/sso", http.SameSiteLaxMode, 600)
	http.Redirect(w, r, d.SSO.oauth.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)), http.StatusFound)
}

func (d Deps) ssoCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var st ssoState
	c, err := r.Cookie(ssoCookie)
	if err != nil || !d.unseal(c.Value, &st) || d.Clock.Now().Unix() > st.Until ||
		!hmac.Equal([]byte(st.State), []byte(r.URL.Query().Get("state"))) {
		d.signIn(w, r, http.StatusBadRequest, "", "The sign-in expired or did not start here. Please try again.", "")
		return
	}
	d.setCookie(w, ssoCookie, "", "/admin/sso", http.SameSiteLaxMode, -1)
	if e := r.URL.Query().Get("error"); e != "" {
		d.signIn(w, r, http.StatusUnauthorized, st.Next, "The identity provider did not sign you in.", "")
		return
	}
	tok, err := d.SSO.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		d.Logger.WarnContext(ctx, "single sign-on: code exchange failed", "err", err)
		d.signIn(w, r, http.StatusUnauthorized, st.Next, "The identity provider did not confirm the sign-in.", "")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := d.SSO.verifier.Verify(ctx, raw)
	if err != nil || !hmac.Equal([]byte(idt.Nonce), []byte(st.Nonce)) {
		d.signIn(w, r, http.StatusUnauthorized, st.Next, "The identity provider's answer could not be verified.", "")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		d.signIn(w, r, http.StatusUnauthorized, st.Next, "The identity provider's answer could not be read.", "")
		return
	}
	role, ok := d.SSO.role(claims[d.SSO.roleClaim])
	if !ok || !rightsOf(role).any() {
		d.signIn(w, r, http.StatusForbidden, st.Next, "You are signed in with the identity provider, but none of your groups may use this console.", "")
		return
	}
	op, err := d.ssoOperator(ctx, idt.Subject, role)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	value, err := d.session(ctx, op.ID, d.Clock.Now().Add(adminTTL))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.setCookie(w, adminCookie, value, "/admin", http.SameSiteStrictMode, int(adminTTL.Seconds()))
	// A Strict cookie set on a redirect that began on another site is not
	// sent with that redirect's target: a page of our own moves on.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
	w.Header().Set("Cache-Control", "no-store")
	next := html.EscapeString(st.Next)
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=%s"><title>Signed in</title></head><body><p><a href="%s">Continue</a></p></body></html>`,
		next, next)
}

// role is the most powerful role any of the claim's values maps to.
func (s *SSO) role(claim any) (custos.Role, bool) {
	var values []string
	switch v := claim.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	for _, r := range custos.Roles() { // most powerful first
		for _, v := range values {
			if s.roles[v] == r {
				return r, true
			}
		}
	}
	return "", false
}

// ssoOperator finds the operator token that stands for this person in this
// role, or creates it (audited as any token creation).
func (d Deps) ssoOperator(ctx context.Context, subject string, role custos.Role) (custos.Token, error) {
	name := "sso:" + subject
	toks, err := d.Auth.Tokens(ctx)
	if err != nil {
		return custos.Token{}, err
	}
	for _, t := range toks {
		if t.Name == name && t.Role == role && t.RevokedAt == nil {
			return t, nil
		}
	}
	_, t, err := d.Auth.Create(ctx, "sso", role, name)
	return t, err
}
