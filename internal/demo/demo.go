// Package demo is what `custos demo` sets up beside a fresh installation: a
// small company database built from Fides' example shop (schema, rows and
// the dataset that describes it, embedded unchanged from ethyca/fides,
// Apache-2.0), and a few of its customers as Custos knows them — the events
// and consents a web shop would have reported.
//
// The upstream files are PostgreSQL; Shop translates the schema to SQLite
// at run time, so the embedded copies stay byte for byte what Fides ships
// (demo_test.go holds them to the anchors the conformance tests use).
package demo

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"

	_ "modernc.org/sqlite" // the demo company database is an SQLite file

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/records"
)

//go:embed fides/postgres_sample.sql
var sampleSQL string

//go:embed fides/postgres_example_test_dataset.yml
var datasetYAML []byte

const (
	// DatasetKey is the fides_key of the embedded dataset.
	DatasetKey = "postgres_example_test_dataset"
	// DatasetName is the name its problems and audit entries carry.
	DatasetName = "postgres_example_test_dataset.yml"
	// ShopFile is the demo company database's file name in the data directory.
	ShopFile = "demo-shop.db"
	// Connection is the name of the connection to it.
	Connection = "demo-shop"
)

// Dataset is Fides' example dataset, describing the shop's tables.
func Dataset() []byte { return datasetYAML }

// Statements are the upstream sample's statements as SQLite runs them.
// Only mechanical differences are translated: no schema prefix, no
// sequences, SERIAL as SQLite's integer key, MONEY as text. The upstream
// file's second schema (a backup copy no dataset describes) has no SQLite
// counterpart and is left out.
func Statements() []string {
	var out []string
	for _, stmt := range strings.Split(sampleSQL, ";") {
		stmt = strings.TrimSpace(sqlComment.ReplaceAllString(stmt, ""))
		up := strings.ToUpper(stmt)
		if stmt == "" || strings.HasPrefix(up, "ALTER SEQUENCE") || strings.HasPrefix(up, "CREATE SCHEMA") ||
			strings.Contains(stmt, "backup_schema.") {
			continue
		}
		stmt = strings.ReplaceAll(stmt, "public.", "")
		stmt = strings.ReplaceAll(stmt, "SERIAL PRIMARY KEY", "INTEGER PRIMARY KEY")
		stmt = strings.ReplaceAll(stmt, " MONEY", " TEXT")
		out = append(out, stmt)
	}
	return out
}

var sqlComment = regexp.MustCompile(`(?m)^\s*--.*$`)

// CreateShop writes the demo company database to path, which must not
// exist: a file there may be someone's data.
func CreateShop(ctx context.Context, path string) error {
	// Created here, private like the rest of the data directory (it holds
	// people's data), and only if absent.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return custos.Errorf(custos.KindConflict, "demo_shop_exists", "%s already exists; the demo company database is not written over it.", path)
	} else if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	built := false
	defer func() {
		if !built { // half a demo shop would only confuse the next run
			_ = os.Remove(path)
		}
	}()
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		return fmt.Errorf("demo: open %s: %w", path, err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("demo: %s: %w", path, err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, stmt := range Statements() {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("demo: building %s: %w (in %.60q)", path, err, stmt)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: %s: %w", path, err)
	}
	built = true
	return nil
}

// Person is one demo customer as the shop reported them to Custos.
type Person struct {
	Name, Email string
	Events      []records.Input
	Consents    []consent.Choice
}

// People are customers of the example shop (their e-mail addresses are
// the rows' in Fides' sample, so a request for one finds rows there).
func People() []Person {
	return []Person{
		person("John Customer", "customer-1@example.com", "US-CA",
			"123 Example Street, Exampletown NY 12345",
			consent.Choice{Purpose: "marketing.communications.email", Granted: true, Method: "web_form"}),
		person("Jill Customer", "customer-2@example.com", "US-CA", "",
			consent.Choice{Purpose: "third_party_sharing", Granted: false, Method: "web_form"}),
		person("Jane Customer", "jane@example.com", "DE",
			"1111 Example Place, Example Mountain TX 54321",
			consent.Choice{Purpose: "marketing.communications.email", Granted: true, Method: "web_form"}),
	}
}

// person is a customer who signed up online: their e-mail, name and
// postal address (when given) collected for the service, and one choice.
func person(name, email, jurisdiction, address string, choice consent.Choice) Person {
	ref := custos.SubjectRef{Email: email}
	collect := func(category, value string) records.Input {
		v := value
		return records.Input{Kind: "collection", Subject: ref, Category: category, Source: "online_channels",
			Purpose: "essential.service", Value: &v, Jurisdiction: jurisdiction}
	}
	p := Person{Name: name, Email: email,
		Events: []records.Input{collect("user.contact.email", email), collect("user.name", name)}}
	if address != "" {
		p.Events = append(p.Events, collect("user.contact.address", address))
	}
	choice.Subject, choice.Jurisdiction = ref, jurisdiction
	p.Consents = []consent.Choice{choice}
	return p
}
