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
			auth.SubmitRequests, auth.DecideRequests, auth.ManageHolds, auth.SweepRetention},
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
