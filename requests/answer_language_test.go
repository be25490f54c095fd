package requests_test

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store/storetest"
)

// answerPageIn renders p's answer page as the API serves it, for a
// request with the query lang (none when "") and the header
// Accept-Language accept.
func answerPageIn(t *testing.T, e *env, p requests.Package, lang, accept string) string {
	t.Helper()
	u := "/api/v1/privacy-requests/" + p.Request.ID + "/result?format=html"
	if lang != "" {
		u += "&lang=" + lang
	}
	r := httptest.NewRequest(http.MethodGet, u, nil)
	if accept != "" {
		r.Header.Set("Accept-Language", accept)
	}
	pol, _, err := e.wired.Policies.Active(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := web.RenderResult(&b, r, p, pol.Manifest, web.BrandingOf(pol.Manifest)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sentences are the answer's sentences that carry a message: each English
// string with its message.
func sentences(p requests.Package) map[string]*requests.Message {
	out := map[string]*requests.Message{}
	add := func(en string, m *requests.Message) {
		if m != nil && (m.Key != "" || len(m.Parts) > 0) {
			out[en] = m
		}
	}
	add(p.Summary, p.SummaryMessage)
	add(p.Request.Period, p.Request.PeriodMessage)
	for i, a := range p.Actions {
		if i < len(p.ActionMessages) {
			add(a, &p.ActionMessages[i])
		}
	}
	for _, k := range p.Kept {
		add(k.What, k.WhatMessage)
		add(k.Why, k.WhyMessage)
		add(k.Ground, k.GroundMessage)
	}
	return out
}

var unfilled = regexp.MustCompile(`\{[a-z_]+\}`)

// TestAnswerPageSpeaksTheLanguage: the answers to a deletion that kept
// records, a correction, an access that found rows in a connected system,
// a deletion that reached data processed for others and an opt-out, made by the service end to end, read in Spanish, French
// and German: every sentence of the answer is in the page's language, and
// none of the English ones is left.
func TestAnswerPageSpeaksTheLanguage(t *testing.T) {
	t.Parallel()
	deletion := func(t *testing.T) (*env, requests.Package) {
		e := newEnv(t, storetest.OpenSQLite(t))
		order := collected("user.behavior.purchase_history", "order 4411: training seat")
		e.seed("kept@example.com", collected("user.name", "Kip"), order,
			records.Input{Kind: "disclosure", Category: "user.contact.email", Recipient: "third_party_marketers", Purpose: "third_party_sharing"})
		v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "kept@example.com", Jurisdiction: "US-CA"})
		return e, approved(t, e, v)
	}
	correction := func(t *testing.T) (*env, requests.Package) {
		e := newEnv(t, storetest.OpenSQLite(t))
		e.seed("c@example.com", collected("user.contact.address", "1 Wrong Road"))
		v := e.submitAndVerify(requests.Intake{Type: "correction", Email: "c@example.com", Jurisdiction: "DE",
			Corrections: map[string]string{"user.contact.address": "2 Right Road", "user.job_title": "Engineer"}})
		return e, approved(t, e, v)
	}
	access := func(t *testing.T) (*env, requests.Package) {
		e := newConnectedEnv(t, storetest.OpenSQLite(t), shop(t), false, true)
		e.wired = e.services
		v := e.submitAndVerify(requests.Intake{Type: "access", Email: "ana@example.com", Jurisdiction: "US-CA"})
		if _, err := e.svc.Approve(context.Background(), "token:1", v.ID); err != nil {
			t.Fatal(err)
		}
		e.completed(v.ID)
		return e.env, result(t, e.env, v)
	}
	// A deletion that reaches the shop: read-only, or with the policy's
	// erasure rules keeping the logins' devices there.
	shopDeletion := func(readOnly bool, yml []byte) func(t *testing.T) (*env, requests.Package) {
		return func(t *testing.T) (*env, requests.Package) {
			e := newConnectedEnvWith(t, storetest.OpenSQLite(t), shop(t), readOnly, true, yml)
			e.wired = e.services
			v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "ana@example.com", Jurisdiction: "US-CA"})
			if _, err := e.svc.Approve(context.Background(), "token:1", v.ID); err != nil {
				t.Fatal(err)
			}
			e.completed(v.ID)
			return e.env, result(t, e.env, v)
		}
	}
	devicesKept := []byte(strings.Replace(string(policy.Bundled()), "\nerasure:\n  rules:\n",
		"\nerasure:\n  rules:\n    - {category: user.device, action: retain, ground: security_fraud, for: 12 months, reason: \"Device ids are security logs.\"}\n", 1))
	optOut := func(t *testing.T) (*env, requests.Package) {
		e := newEnv(t, storetest.OpenSQLite(t))
		v := e.submitAndVerify(requests.Intake{Type: "opt_out", Email: "o@example.com", Jurisdiction: "US-CA"})
		return e, result(t, e, v)
	}
	routed := func(t *testing.T) (*env, requests.Package) {
		e, _ := processorEnv(t, storetest.OpenSQLite(t))
		e.wired = e.services
		_, p := e.run("deletion")
		return e.env, p
	}
	cases := []struct {
		name string
		make func(t *testing.T) (*env, requests.Package)
		// want are words each language's page must hold, as a translator
		// wrote them (not derived from the catalogue, so a wrong key or a
		// fill left empty fails).
		want map[string][]string
		// sentences the answer must have a message for, at least.
		atLeast int
		// same are the keys whose sentence a language writes as English
		// does, filled with the company's words ("{category} ({field}) in
		// {collection}" in German).
		same map[string][]string
	}{
		{"deletion with kept records", deletion, map[string][]string{
			"es": {"Sus datos personales han sido suprimidos.", "Se han suprimido 3 registros sobre usted y se ha destruido la clave que los protegía.",
				"Una ley nos obliga a conservarlos.", "se conserva hasta el 6 de marzo de 2033", "nuestro equipo de privacidad le está indicando que también los suprima",
				"Conservamos un registro de las solicitudes y de cómo las respondimos durante 24 meses"},
			"fr": {"Vos données personnelles ont été effacées.", "3 enregistrements vous concernant ont été effacés et la clé qui les protégeait détruite.",
				"Une loi nous impose de les conserver.", "conservé jusqu’au 6 mars 2033", "lui demande de les effacer également"},
			"de": {"Ihre personenbezogenen Daten wurden gelöscht.", "3 Datensätze über Sie wurden gelöscht und der Schlüssel, der sie schützte, vernichtet.",
				"Ein Gesetz verpflichtet uns, sie aufzubewahren.", "aufbewahrt bis 6. März 2033", "fordert die Stelle auf, sie ebenfalls zu löschen"},
		}, 7, nil},
		{"correction", correction, map[string][]string{
			"es": {"Sus datos personales han sido rectificados.", "Rectificado: ", "No tratamos ningún dato de ese tipo sobre usted, por lo que no había nada que rectificar."},
			"fr": {"Vos données personnelles ont été rectifiées.", "Rectifié : ", "il n’y avait donc rien à rectifier."},
			"de": {"Ihre personenbezogenen Daten wurden berichtigt.", "Berichtigt: ", "es gab daher nichts zu berichtigen."},
		}, 3, nil},
		{"access with connected rows", access, map[string][]string{
			"es": {"Los datos personales que tratamos sobre usted y el uso que hacemos de ellos.", "ana-tablet"},
			"fr": {"Les données personnelles que nous détenons à votre sujet et l’usage que nous en faisons.", "ana-tablet"},
			"de": {"Die personenbezogenen Daten, die wir über Sie gespeichert haben, und wie wir sie verwenden.", "ana-tablet"},
		}, 1, nil},
		{"deletion of data processed for others", routed, map[string][]string{
			"es": {"Sus datos personales han sido suprimidos, salvo los que tratamos por cuenta de terceros", "que tratamos por cuenta de Acme Hosting",
				"Los tratamos por cuenta de Acme Hosting, responsable del tratamiento"},
			"fr": {"à l’exception de celles que nous traitons pour le compte de tiers", "que nous traitons pour le compte de Acme Hosting",
				"Nous les traitons pour le compte de Acme Hosting, responsable du traitement"},
			"de": {"mit Ausnahme derer, die wir im Auftrag anderer verarbeiten", "die wir im Auftrag von Acme Hosting verarbeiten",
				"Wir verarbeiten sie im Auftrag von Acme Hosting; dieser Verantwortliche entscheidet darüber"},
		}, 4, nil},
		{"deletion through a read-only connection", shopDeletion(true, nil), map[string][]string{
			"es": {"No se ha borrado: la conexión es de solo lectura (se encontraron 3 filas).", "No se ha borrado: la conexión es de solo lectura (se encontró 1 fila).",
				"Hemos encontrado datos personales sobre usted que no hemos podido suprimir"},
			"fr": {"Non effacé : la connexion est en lecture seule (3 lignes trouvées).", "Non effacé : la connexion est en lecture seule (1 ligne trouvée)."},
			"de": {"Nicht gelöscht: Die Verbindung ist schreibgeschützt (3 Zeilen gefunden).", "Nicht gelöscht: Die Verbindung ist schreibgeschützt (1 Zeile gefunden)."},
		}, 3, nil},
		{"deletion kept by the policy's rules in a connected system", shopDeletion(false, devicesKept), map[string][]string{
			"es": {"Conservado por las normas de supresión de la política: device."},
			"fr": {"Conservé par les règles d’effacement de la politique : device."},
			"de": {"Nach den Löschregeln der Richtlinie aufbewahrt: device."},
		}, 3, map[string][]string{"de": {"answer.kept.what.in_system"}}},
		{"opt-out", optOut, map[string][]string{
			"es": {"Su exclusión de la venta y el intercambio de sus datos personales ha quedado registrada y está en vigor."},
			"fr": {"Votre opposition à la vente et au partage de vos données personnelles est enregistrée et prend effet."},
			"de": {"Ihr Widerspruch gegen den Verkauf und die Weitergabe Ihrer personenbezogenen Daten ist erfasst und wirksam."},
		}, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e, p := c.make(t)
			said := sentences(p)
			if len(said) < c.atLeast {
				t.Fatalf("%d sentences have a message, want at least %d: %+v", len(said), c.atLeast, p)
			}
			// In English the page says what the JSON says.
			en := answerPageIn(t, e, p, "en", "")
			if !strings.Contains(en, template.HTMLEscapeString(p.Summary)) {
				t.Errorf("the English page lacks the summary %q", p.Summary)
			}
			for lang, want := range c.want {
				page := answerPageIn(t, e, p, lang, "en")
				for _, w := range want {
					if !strings.Contains(page, template.HTMLEscapeString(w)) {
						t.Errorf("%s page lacks %q:\n%s", lang, w, page)
					}
				}
				for english, m := range said {
					text, ok := m.Text(lang)
					if !ok {
						t.Errorf("%s: no text for %+v", lang, m)
						continue
					}
					if slices.Contains(c.same[lang], m.Key) {
						continue
					}
					if text == english {
						t.Errorf("%s: %q is not translated", lang, english)
					}
					if !strings.Contains(page, template.HTMLEscapeString(text)) {
						t.Errorf("%s page lacks %q", lang, text)
					}
					if strings.Contains(page, template.HTMLEscapeString(english)) {
						t.Errorf("%s page still says %q", lang, english)
					}
				}
				if u := unfilled.FindString(page); u != "" {
					t.Errorf("%s page has the placeholder %s unfilled", lang, u)
				}
			}
		})
	}
}

// The page defaults to the language the person asked in, over their
// browser's; their own ?lang= choice comes first.
func TestAnswerPageInTheLanguageAsked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.OpenSQLite(t))
	v := e.submitAndVerify(requests.Intake{Type: "opt_out", Email: "o@example.com", Jurisdiction: "ES", Language: "es"})
	p := result(t, e, v)
	if p.Request.Language != "es" {
		t.Fatalf("the answer does not keep the language asked in: %+v", p.Request)
	}
	es := "Su exclusión de la venta y el intercambio de sus datos personales ha quedado registrada y está en vigor."
	if page := answerPageIn(t, e, p, "", "de-DE,de;q=0.9"); !strings.Contains(page, es) || !strings.Contains(page, `<html lang="es">`) {
		t.Fatalf("the page is not in the language asked in:\n%s", page)
	}
	if page := answerPageIn(t, e, p, "fr", "de"); strings.Contains(page, es) || !strings.Contains(page, `<html lang="fr">`) {
		t.Fatalf("?lang=fr is not the page's language:\n%s", page)
	}
}

// A package sealed before its sentences had messages (only the English
// strings) still reads: the page's own words in the page's language, the
// answer's sentences in the English they were sealed with.
func TestAnswerPageOfAnOldPackage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.OpenSQLite(t))
	e.seed("kept@example.com", collected("user.name", "Kip"), collected("user.behavior.purchase_history", "order 4411"))
	v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "kept@example.com", Jurisdiction: "US-CA"})
	p := approved(t, e, v)
	old := stripMessages(t, p)
	if old.SummaryMessage != nil || old.ActionMessages != nil || old.Kept[0].WhyMessage != nil || old.Request.Language != "" {
		t.Fatalf("messages left in the old package: %+v", old)
	}
	page := answerPageIn(t, e, old, "de", "")
	want := []string{"Ihre Datenschutzanfrage", p.Summary, p.Actions[0], "aufbewahrt bis"}
	for _, k := range old.Kept {
		want = append(want, k.What, k.Why)
	}
	for _, w := range want {
		if !strings.Contains(page, template.HTMLEscapeString(w)) {
			t.Errorf("old package's page lacks %q:\n%s", w, page)
		}
	}
	if strings.Contains(page, "Ihre personenbezogenen Daten wurden gelöscht.") {
		t.Error("an old package's summary was written from a message it does not have")
	}
}

// stripMessages is p as it was sealed before messages existed: its JSON
// without them.
func stripMessages(t *testing.T, p requests.Package) requests.Package {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	delete(raw, "summary_message")
	delete(raw, "action_messages")
	req := raw["request"].(map[string]any)
	delete(req, "period_message")
	delete(req, "language")
	for _, k := range raw["kept"].([]any) {
		for _, f := range []string{"what_message", "why_message", "ground_message"} {
			delete(k.(map[string]any), f)
		}
	}
	if b, err = json.Marshal(raw); err != nil {
		t.Fatal(err)
	}
	var old requests.Package
	if err := json.Unmarshal(b, &old); err != nil {
		t.Fatal(err)
	}
	return old
}

func approved(t *testing.T, e *env, v requests.Verified) requests.Package {
	t.Helper()
	if _, err := e.svc.Approve(context.Background(), "token:1", v.ID); err != nil {
		t.Fatal(err)
	}
	return result(t, e, v)
}

func result(t *testing.T, e *env, v requests.Verified) requests.Package {
	t.Helper()
	p, err := e.svc.Result(context.Background(), v.ID, v.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCorrectionKeptInWords: a correction asking about a category nothing
// is held in says so under the category's words (the taxonomy's, where the
// manifest declares none), never its key.
func TestCorrectionKeptInWords(t *testing.T) {
	t.Parallel()
	for _, held := range []bool{true, false} {
		e := newEnv(t, storetest.OpenSQLite(t))
		if held {
			e.seed("c@example.com", collected("user.contact.address", "1 Wrong Road"))
		}
		v := e.submitAndVerify(requests.Intake{Type: "correction", Email: "c@example.com", Jurisdiction: "DE",
			Corrections: map[string]string{"user.job_title": "Engineer"}})
		p := approved(t, e, v)
		var what []string
		for _, k := range p.Kept {
			what = append(what, k.What)
		}
		if len(what) != 1 || strings.Contains(what[0], "user.job_title") || what[0] == "" {
			t.Errorf("held %v: kept %q, want the job title in words", held, what)
		}
	}
}

// A connected system's notes in an answer sealed before they had messages
// read in the English they were sealed with, on a page in German; with
// their messages, in German.
func TestAnswerPageOfAnOldConnectedPackage(t *testing.T) {
	t.Parallel()
	e := newConnectedEnv(t, storetest.OpenSQLite(t), shop(t), true, true)
	e.wired = e.services
	v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "ana@example.com", Jurisdiction: "US-CA"})
	if _, err := e.svc.Approve(context.Background(), "token:1", v.ID); err != nil {
		t.Fatal(err)
	}
	e.completed(v.ID)
	p := result(t, e.env, v)
	const english, german = "Not erased: the connection is read-only (3 rows found).", "Nicht gelöscht: Die Verbindung ist schreibgeschützt (3 Zeilen gefunden)."
	if why := kept(p, "shop:login"); why != english {
		t.Fatalf("the login's note is %q, want %q", why, english)
	}
	for _, c := range []struct {
		name      string
		p         requests.Package
		want, not string
	}{
		{"sealed with messages", p, german, english},
		{"sealed before them", stripMessages(t, p), english, german},
	} {
		page := answerPageIn(t, e.env, c.p, "de", "")
		if !strings.Contains(page, template.HTMLEscapeString(c.want)) || strings.Contains(page, template.HTMLEscapeString(c.not)) {
			t.Errorf("%s: the German page does not say %q (or still says %q):\n%s", c.name, c.want, c.not, page)
		}
	}
}

// The answer's English says one record as the page does ("1 record … was"),
// and many as it always did.
func TestAnswerEnglishCounts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		seed int
		want string
	}{
		{"one", 1, "1 record about you was deleted and the key that protected it destroyed."},
		{"two", 2, "2 records about you were deleted and the key that protected them destroyed."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, storetest.OpenSQLite(t))
			ins := []records.Input{collected("user.name", "Kip"), collected("user.contact.phone_number", "555-0100")}
			e.seed("n@example.com", ins[:c.seed]...)
			v := e.submitAndVerify(requests.Intake{Type: "deletion", Email: "n@example.com", Jurisdiction: "US-CA"})
			p := approved(t, e, v)
			if len(p.Actions) == 0 || p.Actions[0] != c.want {
				t.Fatalf("actions %q, want %q first", p.Actions, c.want)
			}
			if en, ok := p.ActionMessages[0].Text("en"); !ok || en != c.want {
				t.Fatalf("the English page says %q, the JSON %q", en, c.want)
			}
		})
	}
}
