package connected_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/policy"
)

// TestErasureRulesInConnectedSystems: on Fides' example database on
// PostgreSQL, the fields of retained categories are left as they are (and
// reported with their ground and end of retention), a row holding them is
// not deleted even where the collection deletes rows, and the rest is
// masked, with the rule's masking strategy where the dataset names none.
func TestErasureRulesInConnectedSystems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := fidesPostgres(t)
	const ds = "postgres_example_test_dataset"
	rules := `  rules:
    - {category: user.sensor, action: retain, ground: security_fraud, for: 12 months, reason: "Login records are security logs."}
    - {category: user.contact.address, action: retain, ground: legal_obligation, for: 7 years, reason: "Billing addresses are on invoices."}
    - {category: user.name, action: erase, masking: hmac}
`
	src := strings.Replace(string(policy.Bundled()), "\nerasure:\n  rules:\n", "\nerasure:\n"+rules, 1)
	svc := servicesWith(t, []byte(src))
	file := "../dataset/testdata/fides/postgres_example_test_dataset.yml"
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// login deletes its rows on erasure: a row with a retained field must
	// stay all the same.
	set := strings.Replace(string(raw), "      - name: login\n        fields:\n",
		"      - name: login\n        fides_meta:\n          masking_strategy_override:\n            strategy: delete\n        fields:\n", 1)
	if set == string(raw) {
		t.Fatal("the dataset has no login collection to change")
	}
	if _, err := svc.DSR.Import(ctx, "test", filepath.Base(file), []byte(set)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: ds, URL: url}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, "pgx", url)
	ids := map[string][]string{"email": {"customer-1@example.com"}}

	// What the preview is computed from: the same plan and rules.
	cat, err := svc.DSR.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := svc.DSR.PlanFor(cat, ids)
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.DSR.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}

	out, err := svc.DSR.Run(ctx, connected.Job{RequestID: "req-erase", Kind: connected.KindErasure, Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, "pgx", url)
	changed := diff(before, after)
	if len(changed["login"]) != 0 || len(after["login"]) != len(before["login"]) {
		t.Fatalf("login rows changed or deleted: %v (%d -> %d rows)", changed["login"], len(before["login"]), len(after["login"]))
	}
	if len(changed["address"]) != 0 {
		t.Fatalf("retained addresses changed: %v", changed["address"])
	}
	if len(changed["payment_card"]) != 1 || !strings.Contains(changed["payment_card"][0], "ccn=<nil>") {
		t.Fatalf("payment card not masked: %v", changed["payment_card"])
	}
	hmacName := regexp.MustCompile(`name=[0-9a-f]{16,} `) // an HMAC cut to the column
	if len(changed["customer"]) != 1 || !hmacName.MatchString(changed["customer"][0]) || !strings.Contains(changed["customer"][0], "email=<nil>") {
		t.Fatalf("customer not masked by the rule's strategy: %v", changed["customer"])
	}

	got := map[string]connected.Retention{}
	for _, r := range out.Retained {
		got[strings.TrimPrefix(r.Collection, ds+":")] = r
	}
	login, address := got["login"], got["address"]
	if len(got) != 2 || login.Rows != 6 || !login.RowsKept || len(login.Fields) != 1 || login.Fields[0].Field != "time" ||
		login.Fields[0].Ground != "security_fraud" || len(login.Fields[0].Citations) == 0 {
		t.Fatalf("retained %+v", out.Retained)
	}
	if address.Rows != 2 || address.RowsKept || len(address.Fields) != 5 || address.Fields[0].Ground != "legal_obligation" {
		t.Fatalf("retained address %+v", address)
	}
	if until := login.Fields[0].Until; until.Sub(address.Fields[0].Until) >= 0 {
		t.Fatalf("a year's retention ends %v, after seven years' %v", until, address.Fields[0].Until)
	}
	var loginNote string
	var loginMsg connected.Message
	for _, k := range out.Kept {
		if k.What == ds+":login" {
			loginNote, loginMsg = k.Why, k.WhyMessage
		}
	}
	if !strings.Contains(loginNote, "Kept by the policy's erasure rules: time.") {
		t.Fatalf("login reported %q (kept %v)", loginNote, out.Kept)
	}
	// The same note as a message, for the person's answer in their
	// language: the rule's fields as written.
	retained := false
	for _, m := range append([]connected.Message{loginMsg}, loginMsg.Parts...) {
		retained = retained || (m.Key == "answer.system.retained" && m.Args["fields"] == "time")
	}
	if !retained {
		t.Fatalf("login's note as a message %+v", loginMsg)
	}

	// The plan value the preview shows lists the same fields, grounds and
	// ends of retention (to the day: the run read the clock later).
	preview := map[string][]string{}
	for _, r := range connected.Retentions(m, plan, svc.Clock.Now()) {
		for _, f := range r.Fields {
			preview[r.Collection] = append(preview[r.Collection], f.Field+"/"+f.Ground+"/"+f.Until.Format("2006-01-02"))
		}
	}
	ran := map[string][]string{}
	for _, r := range out.Retained {
		for _, f := range r.Fields {
			ran[r.Collection] = append(ran[r.Collection], f.Field+"/"+f.Ground+"/"+f.Until.Format("2006-01-02"))
		}
	}
	if !reflect.DeepEqual(preview, ran) {
		t.Fatalf("preview %v, run %v", preview, ran)
	}
}

// TestRetainedConnectedFieldsSwept: what an erasure left in a connected
// system because a rule retained it is erased by the retention sweep once
// that retention ends — on PostgreSQL and on SQLite company databases —
// and not a day before; rows of a collection erased by deletion go then.
// On Fides' example database on PostgreSQL.
func TestRetainedConnectedFieldsSwept(t *testing.T) {
	t.Parallel()
	{
		{
			ctx := context.Background()
			url, driver := fidesPostgres(t), "pgx"
			rules := `  rules:
    - {category: user.sensor, action: retain, ground: security_fraud, for: 12 months, reason: "Login records are security logs."}
`
			src := strings.Replace(string(policy.Bundled()), "\nerasure:\n  rules:\n", "\nerasure:\n"+rules, 1)
			svc := servicesWith(t, []byte(src))
			file := "../dataset/testdata/fides/postgres_example_test_dataset.yml"
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			set := strings.Replace(string(raw), "      - name: login\n        fields:\n",
				"      - name: login\n        fides_meta:\n          masking_strategy_override:\n            strategy: delete\n        fields:\n", 1)
			if _, err := svc.DSR.Import(ctx, "test", filepath.Base(file), []byte(set)); err != nil {
				t.Fatal(err)
			}
			const ds = "postgres_example_test_dataset"
			if _, err := svc.DSR.AddConnection(ctx, "test", connected.Connection{Name: "shop", Dataset: ds, URL: url}); err != nil {
				t.Fatal(err)
			}
			ids := map[string][]string{"email": {"customer-1@example.com"}}
			out, err := svc.DSR.Run(ctx, connected.Job{RequestID: "req-erase", Kind: connected.KindErasure, Identities: ids})
			if err != nil {
				t.Fatal(err)
			}
			var loginUntil time.Time
			for _, r := range out.Retained {
				for _, f := range r.Fields {
					switch r.Collection + "." + f.Field {
					case ds + ":login.time":
						loginUntil = f.Until
					}
				}
			}
			erased := snapshot(t, driver, url)
			if loginUntil.IsZero() || len(erased["login"]) == 0 {
				t.Fatalf("login not retained: %+v", out.Retained)
			}
			count := func(snap map[string][]string, table, part string) int {
				n := 0
				for _, row := range snap[table] {
					if strings.Contains(row, part) {
						n++
					}
				}
				return n
			}
			logins := count(erased, "login", "customer_id=1 ")
			if logins != 6 {
				t.Fatalf("the subject's logins after the erasure: %d, want 6 kept", logins)
			}

			// A day early: nothing changes.
			lines, err := svc.DSR.SweepRetained(ctx, "retention", loginUntil.Add(-24*time.Hour), nil, false)
			if err != nil || len(lines) != 0 {
				t.Fatalf("early sweep = %+v, %v", lines, err)
			}
			if d := diff(erased, snapshot(t, driver, url)); len(d) != 0 {
				t.Fatalf("early sweep changed %v", d)
			}
			// A dry run counts and writes nothing.
			if lines, err := svc.DSR.SweepRetained(ctx, "retention", loginUntil, nil, true); err != nil || len(lines) != 1 || lines[0].Rows != 6 {
				t.Fatalf("dry run = %+v, %v", lines, err)
			}
			// The login records' year is over: they go; the phone number
			// (three years) stays.
			lines, err = svc.DSR.SweepRetained(ctx, "retention", loginUntil, nil, false)
			if err != nil || len(lines) != 1 || !lines[0].Deleted || lines[0].Rows != 6 {
				t.Fatalf("sweep at the end of the logins' retention = %+v, %v", lines, err)
			}
			now := snapshot(t, driver, url)
			if count(now, "login", "customer_id=1 ") != 0 || len(now["login"]) != len(erased["login"])-6 {
				t.Fatalf("logins left: %v", now["login"])
			}
			for table, rows := range erased {
				if table != "login" && !reflect.DeepEqual(rows, now[table]) {
					t.Fatalf("the sweep changed %s", table)
				}
			}
			// Swept once: a second sweep finds nothing due.
			if lines, err := svc.DSR.SweepRetained(ctx, "retention", loginUntil, nil, false); err != nil || len(lines) != 0 {
				t.Fatalf("second sweep = %+v, %v", lines, err)
			}
		}
	}
}
