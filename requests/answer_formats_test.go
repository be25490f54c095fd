package requests_test

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/http/web"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestConnectedAnswerFormats: the answer of a person with rows in a
// connected system, as HTML (rows per system and collection under their
// fields' descriptions, sources and purposes in words, no raw key), JSON
// (keys with descriptions beside them) and CSV (a zip, one file per
// collection and Custos' own records), on SQLite and PostgreSQL stores.
func TestConnectedAnswerFormats(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed := func(t *testing.T, e *connectedEnv) {
			e.seed("ana@example.com", collected("user.contact.phone_number", "+351 900 000 000"))
		}
		runConnected(t, s, requests.Intake{Type: "access"}, false, seed, checkAnswerFormats)
	})
}

func checkAnswerFormats(t *testing.T, e *connectedEnv, path string, p requests.Package) {
	// JSON: the keys stay, their words beside them.
	var customer *requests.ConnectedCollection
	for i := range p.Connected {
		if p.Connected[i].Collection == "shop:customer" {
			customer = &p.Connected[i]
		}
	}
	// The system is named by its dataset's name (the shared shop's is
	// "Shop"), which also names its folder in the CSV archive.
	if customer == nil || customer.System != "Shop" {
		t.Fatalf("connected systems %+v", p.Connected)
	}
	var email *requests.FieldDescription
	for i := range customer.Fields {
		if customer.Fields[i].Name == "email" {
			email = &customer.Fields[i]
		}
	}
	if email == nil || email.Description != "Email address" || len(email.Categories) != 1 ||
		email.Categories[0] != (requests.Named{Key: "user.contact.email", Description: "Email address"}) {
		t.Fatalf("customer fields %+v", customer.Fields)
	}
	if len(p.Pieces) != 1 || p.Pieces[0].Source != "online_channels" || p.Pieces[0].SourceDescription != "You, through the Online Channels" ||
		p.Pieces[0].Purpose != "essential.service" || p.Pieces[0].PurposeDescription != "Providing our products and services" {
		t.Fatalf("pieces %+v", p.Pieces)
	}

	// HTML: the page the person reads (web.RenderResult, served at
	// ?format=html): one table per system and collection, under the
	// fields' descriptions, each holding the collection's rows.
	html := answerPage(t, e.services.Policies, p)
	for _, want := range []string{
		`<caption>` + connectedCaption(p, "shop:customer") + `</caption>`, `<caption>` + connectedCaption(p, "shop:login") + `</caption>`,
		`<th scope="col">Email address</th>`, `<th scope="col">Name</th>`, `<td>ana@example.com</td>`, `<td>Ana Lima</td>`, `<td>ana-tablet</td>`,
		`<th scope="col">Device identifiers and characteristics`,
		`You, through the Online Channels`, `Providing our products and services`, `&#43;351 900 000 000`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML answer lacks %q:\n%s", want, html)
		}
	}
	for coll, rows := range map[string]int{"shop:customer": 1, "shop:login": 3} {
		if got := connectedRows(html, connectedCaption(p, coll)); got != rows {
			t.Errorf("the HTML answer shows %d rows of %s, want %d:\n%s", got, coll, rows, html)
		}
	}
	for _, raw := range []string{"user.contact.email", "user.device.device_id", "online_channels", "essential.service", "Bob", "bob-phone"} {
		if strings.Contains(html, raw) {
			t.Errorf("the HTML answer shows %q", raw)
		}
	}

	// CSV: a zip of one file per collection and Custos' own records.
	var buf bytes.Buffer
	if err := requests.RenderCSV(&buf, p); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = rows
	}
	cust := files["Shop/customer.csv"]
	if len(cust) != 3 || strings.Join(cust[0], ",") != "id,email,name" || strings.Join(cust[1], "|") != strings.Join([]string{
		customer.Fields[0].Description, "Email address", "Name"}, "|") || strings.Join(cust[2], ",") != "1,ana@example.com,Ana Lima" {
		t.Fatalf("Shop/customer.csv %q (files %v)", cust, keys(files))
	}
	if logins := files["Shop/login.csv"]; len(logins) != 5 {
		t.Fatalf("Shop/login.csv %q", logins)
	}
	pieces := files["custos/personal-information.csv"]
	if len(pieces) != 3 || pieces[2][0] != "user.contact.phone_number" || pieces[2][2] != "+351 900 000 000" ||
		pieces[2][3] != "You, through the Online Channels" || pieces[2][5] != "Providing our products and services" {
		t.Fatalf("custos/personal-information.csv %q", pieces)
	}
	if ids := files["custos/identities.csv"]; len(ids) < 3 || !strings.Contains(strings.Join(ids[2], ","), "ana@example.com") {
		t.Fatalf("custos/identities.csv %q", ids)
	}
	if strings.Contains(buf.String(), "bob") {
		t.Fatal("the archive holds someone else's rows")
	}
}

func keys(m map[string][][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// answerPage renders an answer as the person reads it: web.RenderResult,
// the page the API serves at ?format=html, in the words of the policy in
// force. (The requests package renders no HTML itself; the HTTP layer
// does, and this external test reaches it to check the answer end to end.)
func answerPage(t *testing.T, reg *policy.Registry, p requests.Package) string {
	t.Helper()
	pol, _, err := reg.Active(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/api/v1/requests/"+p.Request.ID+"/result?format=html&lang=en", nil)
	var b bytes.Buffer
	if err := web.RenderResult(&b, r, p, pol.Manifest, web.BrandingOf(pol.Manifest)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// connectedCaption is the caption of a connected collection's table on
// the answer page: the system in words, then the collection.
func connectedCaption(p requests.Package, collection string) string {
	for _, c := range p.Connected {
		if c.Collection == collection {
			return template.HTMLEscapeString(cmp.Or(c.SystemDescription, c.System) + ": " + c.Collection)
		}
	}
	return "no collection " + collection
}

// connectedRows counts the rows of the table captioned caption.
func connectedRows(html, caption string) int {
	_, table, ok := strings.Cut(html, "<caption>"+caption+"</caption>")
	if !ok {
		return -1
	}
	table, _, _ = strings.Cut(table, "</table>")
	_, body, _ := strings.Cut(table, "<tbody>")
	return strings.Count(body, "<tr>")
}
