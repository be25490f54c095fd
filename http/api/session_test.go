package api_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// copyCookie gives another browser the console cookie of b, as a thief
// who copied it would have.
func copyCookie(t *testing.T, b *console) *console {
	t.Helper()
	u, _ := url.Parse(b.f.url + "/admin")
	var stolen *http.Cookie
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "custos_admin" {
			stolen = c
		}
	}
	if stolen == nil {
		t.Fatal("no console cookie to copy")
	}
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/admin"}})
	return &console{t: t, f: b.f, c: &http.Client{Jar: jar}}
}

// TestConsoleSignOutEndsTheSession: signing out ends the session on the
// server, so a copy of the cookie taken before stops working; the same
// token's sessions in other browsers go on until the token is revoked.
func TestConsoleSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		officer := f.console(t).signIn(custos.RolePrivacyOfficer)
		elsewhere := f.console(t).signIn(custos.RolePrivacyOfficer)
		thief := copyCookie(t, officer)
		if status, page := thief.get("/admin/reports"); status != 200 || strings.Contains(page, `name="token"`) {
			t.Fatalf("the copied cookie before sign-out: %d", status)
		}
		if status, page := officer.post("/admin/sign-out", nil); status != 200 || !strings.Contains(page, "You are signed out.") {
			t.Fatalf("sign-out: %d %.300s", status, mainOf(page))
		}
		for _, path := range []string{"/admin/reports", "/admin"} {
			status, page := thief.get(path)
			if !strings.Contains(page, `name="token"`) || strings.Contains(page, "Sign out") || (path != "/admin" && status != 401) {
				t.Fatalf("the copied cookie after sign-out, %s: %d %.300s", path, status, mainOf(page))
			}
		}
		// A form posted with the dead cookie does nothing either.
		thief.csrf = officer.csrf
		if status, _ := thief.post("/admin/requests/x/approve", nil); status == 200 || status == 303 {
			t.Fatalf("the copied cookie approved: %d", status)
		}
		// One session ended, not the token's others.
		if status, page := elsewhere.get("/admin/reports"); status != 200 || strings.Contains(page, `name="token"`) {
			t.Fatalf("another browser's session ended too: %d", status)
		}
		// Revoking the token ends every session it has.
		var id string
		for _, tok := range mustTokens(t, f) {
			if tok.Role == custos.RolePrivacyOfficer {
				id = tok.ID
			}
		}
		if status, _, b := f.do(t, "DELETE", "/api/v1/tokens/"+id, custos.RoleAdmin, ""); status != 200 && status != 204 {
			t.Fatalf("revoke: %d %s", status, b)
		}
		if status, _ := elsewhere.get("/admin/reports"); status != 401 {
			t.Fatalf("a revoked token's session: %d", status)
		}
	})
}

type tokenRow struct {
	ID   string
	Role custos.Role
}

func mustTokens(t *testing.T, f *fixture) []tokenRow {
	t.Helper()
	toks, err := f.store.Tokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]tokenRow, len(toks))
	for i, tk := range toks {
		out[i] = tokenRow{ID: strconv.FormatInt(tk.ID, 10), Role: tk.Role}
	}
	return out
}
