package requests_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

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

	// HTML.
	var page bytes.Buffer
	if err := requests.RenderHTML(&page, p); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{
		`<h3>Shop</h3>`, `<table data-custos-collection="shop:customer"><caption>customer: 1 record</caption>`,
		`<th scope="col">Email address</th>`, `<th scope="col">Name</th>`, `<td>ana@example.com</td>`, `<td>Ana Lima</td>`,
		`<table data-custos-collection="shop:login"><caption>login: 3 records</caption>`, `<td>ana-tablet</td>`,
		`<th scope="col">Device identifiers and characteristics`,
		`You, through the Online Channels`, `Providing our products and services`, `&#43;351 900 000 000`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML answer lacks %q:\n%s", want, html)
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
