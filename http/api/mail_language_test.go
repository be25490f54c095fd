package api_test

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// decodedMailsTo is mailsTo with each subject's MIME words decoded.
func (f *fixture) decodedMailsTo(t *testing.T, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range f.mailsTo(t, addr) {
		subject, body, _ := strings.Cut(m, "\n")
		if s, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
			subject = s
		}
		out = append(out, subject+"\n"+body)
	}
	return out
}

// mailWith returns the first of mails that contains want.
func mailWith(t *testing.T, mails []string, want string) string {
	t.Helper()
	for _, m := range mails {
		if strings.Contains(m, want) {
			return m
		}
	}
	t.Fatalf("no mail contains %q among %d:\n%s", want, len(mails), strings.Join(mails, "\n=====\n"))
	return ""
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// A person who files in German through the privacy centre (?lang=de) gets
// the code and the completion in German, read from the real Maildir, and
// the request records German.
func TestMailsInThePersonsLanguageFromThePage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		resp, err := client.Get(f.url + "/privacy-center?lang=de")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `<html lang="de"`) {
			t.Fatalf("page not German: %.200s", b)
		}
		csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`).FindStringSubmatch(string(b))[1]
		// The browser asks for English: the page's choice (the cookie
		// ?lang= set) is what counts.
		req, _ := http.NewRequest("POST", f.url+"/privacy-center", strings.NewReader(url.Values{"csrf": {csrf}, "type": {"access"},
			"email": {"dora@example.com"}, "jurisdiction": {"DE"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "en")
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`name="request" value="(req_[0-9a-f]+)"`).FindStringSubmatch(string(b))
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("submit: %d %.300s", resp.StatusCode, b)
		}
		id := m[1]

		code := mailWith(t, f.decodedMailsTo(t, "dora@example.com"), "Bestätigungscode")
		mustContain(t, "German code mail", code, "Ihr Bestätigungscode von ", "Ihre Anfrage betreffend eine Kopie Ihrer personenbezogenen Daten",
			"Minuten lang gültig", "E-Mail: ")
		if strings.Contains(code, "Your verification code") {
			t.Errorf("the code mail is English too:\n%s", code)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/verify", "", `{"code":"`+sixDigits.FindStringSubmatch(code)[1]+`"}`); status != 200 {
			t.Fatalf("verify %d %s", status, b)
		}
		if r := f.viewLanguage(t, id); r != "de" {
			t.Fatalf("request language = %q, want de", r)
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RolePrivacyOfficer, ""); status != 200 || !strings.Contains(string(b), `"status":"completed"`) {
			t.Fatalf("approve %d %s", status, b)
		}
		done := mailWith(t, f.decodedMailsTo(t, "dora@example.com"), "ist erledigt")
		mustContain(t, "German completion mail", done, "Ihre Anfrage ("+id+") ist erledigt",
			"Wir haben Ihre Anfrage betreffend eine Kopie Ihrer personenbezogenen Daten (Aktenzeichen "+id+") erledigt.",
			"Ihre Ergebnisse finden Sie hier:", "/privacy-center?request="+id)
		// Its date, when it has one, is German.
		if strings.Contains(done, "funktioniert bis zum") && !regexp.MustCompile(`bis zum \d{1,2}\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) \d{4}`).MatchString(done) {
			t.Errorf("the expiry date is not German:\n%s", done)
		}
	})
}

// The API's language field: "fr" gets French mails, with the law, its
// deadline and the complaint route in French and the citation as it is;
// without it the Accept-Language header chooses; anything else is a 400
// with the stable code unsupported_language.
func TestMailsInThePersonsLanguageFromTheAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		id := f.submitVerified(t, `{"type":"access","email":"flo@example.com","jurisdiction":"US-CA","language":"fr"}`, "flo@example.com")
		mails := f.decodedMailsTo(t, "flo@example.com")
		code := mailWith(t, mails, "code de vérification")
		mustContain(t, "French code mail", code, "Votre code de vérification", "votre demande concernant une copie de vos données personnelles",
			"Il est valable 10 minutes")
		got := mailWith(t, mails, "nous avons reçu votre demande")
		mustContain(t, "French acknowledgement", got,
			"Nous avons reçu votre demande concernant une copie de vos données personnelles le 1er juin 2026.",
			"Législation applicable à votre demande : Loi californienne sur la protection de la vie privée des consommateurs",
			"Cal. Civ. Code §1798.100 et seq.", // the citation stays as it is
			"saisir l'Agence de protection de la vie privée de Californie (https://cppa.ca.gov) ou le procureur général de Californie (https://oag.ca.gov) d'une réclamation.")
		if !regexp.MustCompile(`Nous vous répondrons au plus tard le \d{1,2}(er)? juillet 2026\.`).MatchString(got) {
			t.Errorf("the due date is not French:\n%s", got)
		}
		if f.viewLanguage(t, id) != "fr" {
			t.Fatalf("request language = %q, want fr", f.viewLanguage(t, id))
		}
		if status, _, b := f.do(t, "POST", "/api/v1/privacy-requests/"+id+"/approve", custos.RolePrivacyOfficer, ""); status != 200 {
			t.Fatalf("approve %d %s", status, b)
		}
		done := mailWith(t, f.decodedMailsTo(t, "flo@example.com"), "est traitée")
		mustContain(t, "French completion mail", done, "Nous avons traité votre demande concernant une copie de vos données personnelles (référence "+id+").",
			"Vos résultats sont disponibles ici :", "Ce lien vous est personnel")

		// No language field: Accept-Language chooses (Spanish here).
		req, _ := http.NewRequest("POST", f.url+"/api/v1/privacy-requests", strings.NewReader(`{"type":"deletion","email":"eva@example.com","jurisdiction":"ES"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "es-MX,es;q=0.9,en;q=0.5")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ ID string }
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if resp.StatusCode != 202 || err != nil {
			t.Fatalf("Spanish intake: %d %v", resp.StatusCode, err)
		}
		mustContain(t, "Spanish code mail", mailWith(t, f.decodedMailsTo(t, "eva@example.com"), "código de verificación"),
			"Su código de verificación es:", "su solicitud relativa a la supresión de sus datos personales")
		if l := f.viewLanguage(t, r.ID); l != "es" {
			t.Fatalf("Accept-Language request language = %q, want es", l)
		}

		for _, bad := range []string{`"it"`, `"de-DE"`, `"klingon"`, `""`} {
			body := `{"type":"access","email":"x@example.com","jurisdiction":"US","language":` + bad + `}`
			status, _, b := f.do(t, "POST", "/api/v1/privacy-requests", "", body)
			if bad == `""` { // empty is no choice: English
				if status != 202 {
					t.Errorf("empty language: %d %s", status, b)
				}
				continue
			}
			var e struct {
				Error struct{ Code, Message, Field string } `json:"error"`
			}
			if status != 400 || json.Unmarshal(b, &e) != nil || e.Error.Code != "unsupported_language" ||
				!strings.Contains(e.Error.Message, "en, es, fr, de") {
				t.Errorf("language %s: %d %s", bad, status, b)
			}
		}
	})
}

// viewLanguage is the language the operators' view of a request shows.
func (f *fixture) viewLanguage(t *testing.T, id string) string {
	t.Helper()
	status, _, b := f.do(t, "GET", "/api/v1/privacy-requests/"+id, custos.RoleAgent, "")
	var v struct {
		Language string `json:"language"`
	}
	if status != 200 || json.Unmarshal(b, &v) != nil {
		t.Fatalf("view %s: %d %s", id, status, b)
	}
	return v.Language
}
