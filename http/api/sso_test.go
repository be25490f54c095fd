package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/http/api"
	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/internal/wire/wiretest"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestAdminSingleSignOn signs in to the console through a real OpenID
// Connect provider (mockoidc, which speaks the protocol): a member of the
// privacy_officer group gets that role, someone in no mapped group is
// refused, and a callback that did not start here is refused.
func TestAdminSingleSignOn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	s := storetest.OpenSQLite(t)
	cfg := idp.Config()
	srv := wiretest.StartServer(t, wiretest.Options{Store: s}, func(d *api.Deps) {
		if d.Pages.SSO, err = web.NewSSO(ctx, web.SSOConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: d.BaseURL + "/admin/sso/callback", Name: "Example IdP"}); err != nil {
			t.Fatal(err)
		}
	})

	signIn := func(user *mockoidc.MockUser) (int, string, *http.Client) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		idp.QueueUser(user)
		resp, err := client.Get(srv.URL + "/admin/sso?next=/admin/reports")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), client
	}
	page := func(client *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if status, body := page(http.DefaultClient, "/admin"); status != 200 || !strings.Contains(body, "Sign in with Example IdP") {
		t.Fatalf("sign-in page: %d %.400s", status, body)
	}
	status, body, client := signIn(&mockoidc.MockUser{Subject: "dpo-1", Email: "dpo@example.com", EmailVerified: true, Groups: []string{"staff", "privacy_officer"}})
	if status != 200 || !strings.Contains(body, `url=/admin/reports`) {
		t.Fatalf("callback: %d %.400s", status, body)
	}
	if status, body := page(client, "/admin"); status != 200 || !strings.Contains(body, "sso:dpo-1") || strings.Contains(body, `name="token"`) {
		t.Fatalf("console after single sign-on: %d %.600s", status, body)
	}
	// Signing out ends the single sign-on session on the server too: a
	// copy of its cookie stops working.
	u, _ := url.Parse(srv.URL + "/admin")
	thiefJar, _ := cookiejar.New(nil)
	thiefJar.SetCookies(u, client.Jar.Cookies(u))
	thief := &http.Client{Jar: thiefJar}
	if status, body := page(thief, "/admin"); status != 200 || !strings.Contains(body, "sso:dpo-1") {
		t.Fatalf("copied cookie before sign-out: %d", status)
	}
	_, body = page(client, "/admin")
	csrf := csrfField.FindStringSubmatch(body)
	if csrf == nil {
		t.Fatal("no csrf on the console")
	}
	resp, err := client.PostForm(srv.URL+"/admin/sign-out", url.Values{"csrf": {csrf[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if status, body := page(thief, "/admin"); !strings.Contains(body, `name="token"`) || strings.Contains(body, "sso:dpo-1") {
		t.Fatalf("copied cookie after sign-out: %d %.300s", status, body)
	}
	// The person is an operator token of their own: audited, revocable.
	toks, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, tk := range toks {
		found = found || (tk.Name == "sso:dpo-1" && tk.Role == custos.RolePrivacyOfficer)
	}
	if !found {
		t.Fatalf("no operator for the signed-in person: %+v", toks)
	}
	// Signing in again reuses it.
	signIn(&mockoidc.MockUser{Subject: "dpo-1", Email: "dpo@example.com", EmailVerified: true, Groups: []string{"privacy_officer"}})
	if again, _ := s.Tokens(ctx); len(again) != len(toks) {
		t.Fatalf("a second sign-in made another operator: %d then %d", len(toks), len(again))
	}

	if status, body, _ := signIn(&mockoidc.MockUser{Subject: "guest-1", Email: "guest@example.com", EmailVerified: true, Groups: []string{"engineering"}}); status != 403 || !strings.Contains(body, "none of your groups") {
		t.Fatalf("a person in no mapped group: %d %.400s", status, body)
	}
	if status, _ := page(http.DefaultClient, "/admin/sso/callback?code=x&state=forged"); status != 400 {
		t.Fatalf("a callback that did not start here: %d", status)
	}
}
