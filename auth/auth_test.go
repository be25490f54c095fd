package auth_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/audit"
	"github.com/custos-privacy/custos/auth"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := &custos.FixedClock{T: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
		svc := auth.New(s, audit.New(nil, "", clock), clock)
		secret, tok, err := svc.Create(ctx, "cli", custos.RolePrivacyOfficer, "")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, auth.Prefix) || len(secret) < 40 || tok.Name != "privacy_officer" {
			t.Fatalf("secret %q, token %+v", secret, tok)
		}
		stored, _ := s.TokenByID(ctx, tok.ID)
		if strings.Contains(string(stored.Hash), secret) || string(stored.Hash) == secret {
			t.Fatal("secret stored in clear")
		}
		got, err := svc.Authenticate(ctx, secret)
		if err != nil || got.ID != tok.ID || got.Role != custos.RolePrivacyOfficer {
			t.Fatalf("authenticate = %+v, %v", got, err)
		}
		for _, bad := range []string{"", "Bearer x", auth.Prefix + "nope", secret + "x"} {
			if _, err := svc.Authenticate(ctx, bad); custos.AsError(err).Kind != custos.KindUnauthorized {
				t.Errorf("authenticate(%q) = %v", bad, err)
			}
		}
		if _, _, err := svc.Create(ctx, "cli", "root", "x"); custos.ErrorCode(err) != "invalid_role" {
			t.Fatalf("bad role = %v", err)
		}
		if err := svc.Revoke(ctx, "cli", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, secret); custos.ErrorCode(err) != "token_revoked" {
			t.Fatalf("revoked = %v", err)
		}
		entries, _ := s.AuditEntries(ctx, 0, 10)
		if len(entries) != 2 || entries[0].Action != "token.create" || entries[1].Action != "token.revoke" ||
			strings.Contains(entries[0].Detail, secret) {
			t.Fatalf("audit = %+v", entries)
		}
	})
}

// TestMatrix states, by hand and independently of the table in rights.go,
// what each role may do; the table must say exactly this.
func TestMatrix(t *testing.T) {
	t.Parallel()
	want := map[custos.Role][]auth.Right{
		custos.RoleAdmin: auth.Rights(),
		custos.RolePrivacyOfficer: {auth.ReadPolicy, auth.ValidatePolicy, auth.ReadAudit, auth.RecordLifecycle, auth.BackdateLifecycle,
			auth.ReadReports, auth.ManageContracts, auth.ReadSubjects, auth.ReadSubjectValues, auth.ManageSubjects, auth.ReadRequests,
			auth.SubmitRequests, auth.DecideRequests, auth.ReadRequestDetails, auth.InstructForController, auth.ManageHolds, auth.SweepRetention},
		custos.RoleAgent:   {auth.ReadPolicy, auth.ReadSubjects, auth.ReadRequests, auth.SubmitRequests},
		custos.RoleAuditor: {auth.ReadPolicy, auth.ReadAudit, auth.ReadMetrics, auth.ReadReports},
		custos.RoleIngest:  {auth.ReadPolicy, auth.Ingest, auth.RecordLifecycle},
	}
	for _, role := range custos.Roles() {
		for _, right := range auth.Rights() {
			if got, exp := auth.Can(role, right), slices.Contains(want[role], right); got != exp {
				t.Errorf("Can(%s, %s) = %v, want %v", role, right, got, exp)
			}
		}
	}
	if auth.Can(custos.RoleAdmin, "no.such.right") || auth.Can("", auth.ReadPolicy) {
		t.Error("an unknown right or role is held")
	}
	if got := auth.RolesFor(auth.ReadAudit); !slices.Equal(got, []custos.Role{custos.RoleAdmin, custos.RolePrivacyOfficer, custos.RoleAuditor}) {
		t.Errorf("RolesFor(ReadAudit) = %v", got)
	}
}

// TestSessions: a console session acts as its token while it is on record,
// current, names that token and the token is live; signing out, the end,
// a cookie naming another token and revocation each end it.
func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := &custos.FixedClock{T: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
		svc := auth.New(s, audit.New(nil, "", clock), clock)
		_, tok, err := svc.Create(ctx, "cli", custos.RoleAdmin, "ops")
		if err != nil {
			t.Fatal(err)
		}
		_, other, err := svc.Create(ctx, "cli", custos.RoleAgent, "desk")
		if err != nil {
			t.Fatal(err)
		}
		sid, gone, old := []byte("0123456789abcdef"), []byte("fedcba9876543210"), []byte("aaaaaaaaaaaaaaaa")
		for _, id := range [][]byte{sid, gone} {
			if err := svc.StartSession(ctx, id, tok.ID, clock.T.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.StartSession(ctx, old, tok.ID, clock.T.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Session(ctx, sid, tok.ID)
		if err != nil || got.ID != tok.ID || got.Role != custos.RoleAdmin {
			t.Fatalf("session = %+v, %v", got, err)
		}
		// The id is stored hashed, never as it is.
		var raw int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM console_sessions WHERE id_hash = $1`, sid).Scan(&raw); err != nil || raw != 0 {
			t.Fatalf("sessions stored by their id: %d, %v", raw, err)
		}
		if err := svc.EndSession(ctx, gone); err != nil {
			t.Fatal(err)
		}
		clock.T = clock.T.Add(2 * time.Minute)
		for _, c := range []struct {
			name string
			sid  []byte
			tok  int64
		}{
			{"signed out", gone, tok.ID},
			{"ended", old, tok.ID},
			{"another token", sid, other.ID},
			{"never started", []byte("bbbbbbbbbbbbbbbb"), tok.ID},
		} {
			if _, err := svc.Session(ctx, c.sid, c.tok); custos.AsError(err).Kind != custos.KindUnauthorized {
				t.Errorf("%s: session = %v", c.name, err)
			}
		}
		// Starting a session prunes the ended ones.
		if err := svc.StartSession(ctx, []byte("cccccccccccccccc"), other.ID, clock.T.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM console_sessions`).Scan(&rows); err != nil || rows != 2 {
			t.Fatalf("sessions after pruning = %d, %v", rows, err)
		}
		if err := svc.EndSession(ctx, gone); err != nil {
			t.Fatalf("ending a session twice = %v", err)
		}
		if err := svc.Revoke(ctx, "cli", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Session(ctx, sid, tok.ID); custos.AsError(err).Kind != custos.KindUnauthorized {
			t.Fatalf("session of a revoked token = %v", err)
		}
		toks, err := svc.Tokens(ctx)
		if err != nil || len(toks) != 2 || toks[0].ID != tok.ID || toks[0].RevokedAt == nil || toks[1].RevokedAt != nil {
			t.Fatalf("tokens = %+v, %v", toks, err)
		}
	})
}
