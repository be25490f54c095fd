package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestPreferencesStateInPlainWords: each purpose says what is in force in
// words ("Off until you agree", "On — you can turn it off"); "I agree" is
// never pre-selected for something nobody agreed to; a Global Privacy
// Control signal is shown as honoured (11 CCR §7025(c)(6)) and recorded for
// the person (§7025(c)(1)); in each of the four languages.
func TestPreferencesStateInPlainWords(t *testing.T) {
	t.Parallel()
	f := setup(t, storetest.OpenSQLite(t))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	do := func(method, path string, form url.Values, headers ...string) (int, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, f.url+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, page := do("GET", "/privacy-center/preferences?lang=en", nil)
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(page)[1]
	_, page = do("POST", "/privacy-center/preferences", url.Values{"csrf": {csrf}, "email": {"ida@example.com"}, "jurisdiction": {"US-CA"}})
	ticket := regexp.MustCompile(`name="ticket" value="([A-Za-z0-9_-]+)"`).FindStringSubmatch(page)[1]
	if status, _ := do("POST", "/privacy-center/preferences/verify", url.Values{"csrf": {csrf}, "ticket": {ticket},
		"email": {"ida@example.com"}, "jurisdiction": {"US-CA"}, "code": {f.codeFor(t, "ida@example.com")}}); status != 200 {
		t.Fatalf("verify: %d", status)
	}
	state := func(page, scope string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)data-custos-scope="` + regexp.QuoteMeta(scope) + `">.*?data-custos-state="([a-z_.]+)"><strong>([^<]*)</strong>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no state for %s in %.3000s", scope, page)
		}
		return m[1] + " " + m[2]
	}

	// Germany: opt-in, nothing agreed yet.
	_, page = do("GET", "/privacy-center/preferences?jurisdiction=DE&lang=en", nil)
	if got := state(page, "marketing.communications.email"); got != "prefs.state.off_default Off until you agree" {
		t.Errorf("DE e-mail marketing: %q", got)
	}
	if regexp.MustCompile(`value="yes" checked[^>]*><label[^>]*>I agree<`).MatchString(page) {
		t.Errorf("an 'I agree' is pre-selected: %.3000s", page)
	}
	if !strings.Contains(page, "Conduct advertising, marketing and sales activities") {
		t.Error("the purpose is not described with the banner's words")
	}
	if !strings.Contains(page, "data-custos-device-only") || !strings.Contains(page, "Data analytics") {
		t.Error("the page does not say where analytics cookies are chosen")
	}

	// California: opt-out purposes are on, and the labels say Allow / Opt out.
	_, page = do("GET", "/privacy-center/preferences?jurisdiction=US-CA&lang=en", nil)
	if got := state(page, "third_party_sharing"); got != "prefs.state.on_default On — you can turn it off" {
		t.Errorf("CA sharing: %q", got)
	}
	if !regexp.MustCompile(`id="third-party-sharing-yes" name="scope:third_party_sharing" value="yes" checked><label for="third-party-sharing-yes">Allow</label>`).MatchString(page) ||
		strings.Contains(page, "data-custos-gpc") {
		t.Errorf("CA sharing labels: %.3000s", page)
	}

	// In German the words are German.
	_, page = do("GET", "/privacy-center/preferences?jurisdiction=DE&lang=de", nil)
	if got := state(page, "marketing.communications.email"); got != "prefs.state.off_default Aus, bis Sie zustimmen" {
		t.Errorf("DE in German: %q", got)
	}

	// GPC: shown as honoured, sale and sharing off and locked, and
	// recorded once for the person.
	for i := 0; i < 2; i++ {
		_, page = do("GET", "/privacy-center/preferences?jurisdiction=US-CA&lang=en", nil, "Sec-GPC", "1")
		if !strings.Contains(page, "data-custos-gpc") || !strings.Contains(page, "Opt-out request honored") {
			t.Fatalf("no GPC notice: %.2000s", page)
		}
		for _, scope := range []string{"third_party_sharing", "marketing.advertising.third_party", "sale_sharing"} {
			if got := state(page, scope); !strings.HasPrefix(got, "prefs.state.off_gpc Off — your browser") {
				t.Errorf("%s under GPC: %q", scope, got)
			}
		}
		if !strings.Contains(page, `name="scope:sale_sharing" value="yes" disabled`) {
			t.Errorf("allowing sale under GPC is offered: %.3000s", page)
		}
	}
	status, _, b := f.do(t, "GET", "/api/v1/consents?email=ida@example.com", custos.RoleAgent, "")
	if status != 200 || strings.Count(string(b), `"gpc":true`) != 1 || !strings.Contains(string(b), `"scope":"sale_sharing","granted":false`) {
		t.Fatalf("ledger: %d %s", status, b)
	}
	// Without the signal, the person's recorded opt-out shows with its date.
	_, page = do("GET", "/privacy-center/preferences?jurisdiction=US-CA&lang=en", nil)
	if got := state(page, "sale_sharing"); !strings.HasPrefix(got, "prefs.state.off_chosen Off — you turned it off on ") {
		t.Errorf("sale_sharing after GPC: %q", got)
	}
}
