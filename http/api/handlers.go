package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/http/httpjson"
	"github.com/custos-privacy/custos/policy"
)

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.Health == nil {
		s.writeError(w, r, custos.Errorf(custos.KindUnavailable, custos.CodeUnavailable, "The database is not reachable."))
		return
	}
	if err := s.Health.PingContext(ctx); err != nil {
		s.writeError(w, r, custos.Wrap(err, custos.KindUnavailable, custos.CodeUnavailable, "The database is not reachable."))
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}

// gpc is the Global Privacy Control well-known resource: this site honours
// the signal. lastUpdate is the date of the policy in force.
func (s *server) gpc(w http.ResponseWriter, r *http.Request) {
	p, _, err := s.Policies.Active(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"gpc": true, "lastUpdate": p.LastUpdated})
}

func (s *server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPI)
}

// policyVersionJSON is a version as the API shows it.
type policyVersionJSON struct {
	Version     int64     `json:"version"`
	LastUpdated string    `json:"last_updated"`
	EffectiveAt time.Time `json:"effective_at"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	Digest      string    `json:"digest"`
	Material    bool      `json:"material"`
	Changes     []string  `json:"changes"`
}

func versionJSON(v custos.PolicyVersion) policyVersionJSON {
	changes := []string{}
	if v.Summary != "" {
		changes = strings.Split(v.Summary, "\n")
	}
	return policyVersionJSON{Version: v.Version, LastUpdated: v.LastUpdated, EffectiveAt: v.EffectiveAt,
		PublishedAt: v.PublishedAt, PublishedBy: v.PublishedBy, Digest: v.Digest, Material: v.Material, Changes: changes}
}

func (s *server) getPolicy(w http.ResponseWriter, r *http.Request) {
	p, v, err := s.Policies.Active(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	up, err := s.Policies.Upcoming(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	upcoming := make([]policyVersionJSON, len(up))
	for i, u := range up {
		upcoming[i] = versionJSON(u)
	}
	httpjson.Write(w, http.StatusOK, map[string]any{
		"version":      v.Version,
		"last_updated": p.LastUpdated,
		"effective_at": v.EffectiveAt,
		"digest":       v.Digest,
		"manifest":     p.Manifest,
		"upcoming":     upcoming,
	})
}

func (s *server) listPolicyVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := s.Policies.Versions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]policyVersionJSON, len(vs))
	for i, v := range vs {
		out[i] = versionJSON(v)
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"versions": out})
}

type publishRequest struct {
	Manifest    string     `json:"manifest"`
	EffectiveAt *time.Time `json:"effective_at"`
	Force       bool       `json:"force"`
}

func (s *server) publishPolicy(w http.ResponseWriter, r *http.Request) {
	var req publishRequest
	if err := httpjson.DecodeWith(w, r, &req, httpjson.Limits{Bytes: manifestBody}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := httpjson.Required("manifest", req.Manifest); err != nil {
		s.writeError(w, r, err)
		return
	}
	effective := s.Clock.Now()
	if req.EffectiveAt != nil {
		effective = *req.EffectiveAt
	}
	var out policy.Published
	err := s.parsing(w, r, func(ctx context.Context) (err error) {
		out, err = s.Policies.Publish(ctx, auth.Actor(tokenFrom(ctx)), "manifest", []byte(req.Manifest), effective, req.Force)
		return err
	})
	if err != nil {
		if refused(w, err) {
			return
		}
		var ps policy.Problems
		if errors.As(err, &ps) {
			httpjson.Write(w, http.StatusBadRequest, map[string]any{"error": httpjson.Detail{Code: "invalid_manifest",
				Message: "The manifest has problems; see problems."}, "problems": problemsJSON(ps)})
			return
		}
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if out.Unchanged {
		status = http.StatusOK
	}
	httpjson.Write(w, status, map[string]any{"unchanged": out.Unchanged, "version": versionJSON(out.Version)})
}

func (s *server) validatePolicy(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Manifest string `json:"manifest"`
	}
	if err := httpjson.DecodeWith(w, r, &req, httpjson.Limits{Bytes: manifestBody}); err != nil {
		s.writeError(w, r, err)
		return
	}
	err := s.parsing(w, r, func(context.Context) error {
		_, err := s.Policies.Loader().Parse("manifest", []byte(req.Manifest))
		return err
	})
	if refused(w, err) {
		return
	}
	var ps policy.Problems
	if errors.As(err, &ps) {
		httpjson.Write(w, http.StatusOK, map[string]any{"valid": false, "problems": problemsJSON(ps)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"valid": true, "problems": []any{}})
}

// manifestBody bounds the JSON body that carries a manifest: room for the
// largest manifest (policy.MaxBytes) with its escapes, so that an over-large
// one is answered by the guard, with its size, rather than by the decoder.
const manifestBody = 2 * policy.MaxBytes

func problemsJSON(ps policy.Problems) []map[string]any {
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = map[string]any{"line": p.Line, "column": p.Column, "path": p.Path, "message": p.Message}
	}
	return out
}

type tokenJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	LastUsed  *time.Time `json:"last_used_at,omitempty"`
}

func (s *server) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := s.Auth.Tokens(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]tokenJSON, len(toks))
	for i, t := range toks {
		out[i] = tokenJSON{ID: t.ID, Name: t.Name, Role: string(t.Role), CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt, LastUsed: t.LastUsed}
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"tokens": out})
}

func (s *server) createToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role string `json:"role"`
		Name string `json:"name"`
	}
	if err := httpjson.Decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	role, err := custos.ParseRole(req.Role)
	if err != nil {
		e := custos.AsError(err)
		e.Field = "role"
		s.writeError(w, r, e)
		return
	}
	secret, tok, err := s.Auth.Create(r.Context(), auth.Actor(tokenFrom(r.Context())), role, req.Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusCreated, map[string]any{"id": tok.ID, "name": tok.Name, "role": tok.Role, "token": secret})
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.writeError(w, r, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "The token id must be a number."))
		return
	}
	if err := s.Auth.Revoke(r.Context(), auth.Actor(tokenFrom(r.Context())), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type auditJSON struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Object string          `json:"object"`
	Detail json.RawMessage `json:"detail"`
	Hash   string          `json:"hash"`
}

func (s *server) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, limit := int64(0), 100
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.writeError(w, r, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "after must be a non-negative entry number."))
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(w, r, custos.Errorf(custos.KindInvalid, custos.CodeInvalidRequest, "limit must be between 1 and 1000."))
			return
		}
		limit = n
	}
	entries, err := s.Trail.Entries(r.Context(), after, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]auditJSON, len(entries))
	for i, e := range entries {
		out[i] = auditJSON{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Object: e.Object,
			Detail: json.RawMessage(e.Detail), Hash: hex.EncodeToString(e.Hash)}
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"entries": out})
}

func (s *server) verifyAudit(w http.ResponseWriter, r *http.Request) {
	rep, err := s.Trail.Verify(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"ok": rep.OK(), "entries": rep.Entries, "checkpoints": rep.Checkpoints,
		"problem": rep.Problem, "bad_entry": rep.BadSeq, "keyed_from": rep.KeyedFrom, "unsigned": rep.Unsigned,
		"legacy_gaps": rep.LegacyGaps})
}
