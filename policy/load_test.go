package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// minimal is a small valid manifest; cases below break it one way each.
const minimal = `custos: policy/v1
organisation:
  name: Example Ltd
  short_name: Example
contact:
  email: privacy@example.com
last_updated: 2024-02-29
notice:
  title: Privacy Notice
  introduction: [We respect your privacy.]
  security: [We protect what we hold.]
  retention: [We keep data only as long as needed.]
categories:
  - key: user.contact.email
    description: email address
    ccpa: identifiers
information_types:
  - text: contact details
    categories: [user.contact.email]
sources:
  - key: online_channels
    name: Our website
    description: from you, when you use our website
purposes:
  - key: essential.service
    name: Providing the service
    legal_basis: contract
    uses: [provide our services]
  - key: marketing.communications.email
    name: E-mail marketing
    legal_basis: consent
    consent:
      regimes: {EU: opt_in, US: opt_out}
    uses: [send newsletters]
recipients:
  - key: service_providers
    name: Service providers
    kind: service_provider
    description: with vendors who work for us
    sale_or_share: false
    direct_marketing: false
rights:
  jurisdictions:
    - jurisdictions: [default]
      requests: [access, deletion]
children:
  age_threshold: 16
  directed_to_children: false
changes:
  notice_of_material_changes: website
`

func newLoader(t testing.TB) *Loader {
	t.Helper()
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseMinimal(t *testing.T) {
	t.Parallel()
	p, err := newLoader(t).Parse("m.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if p.Organisation.ShortName != "Example" || len(p.Purposes) != 2 || p.Purposes[1].Consent.Regimes["EU"] != OptIn ||
		p.Children.AgeThreshold != 16 || len(p.Digest) != 64 {
		t.Fatalf("parsed %+v", p.Manifest)
	}
}

func TestParseProblems(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	cases := []struct {
		name     string
		old, new string // replace old with new in minimal
		want     string // FILE:LINE:COL: prefix and words of the message
	}{
		{"unknown top-level key", "changes:\n", "colour: blue\nchanges:\n", "m.yaml:49:1: unknown key \"colour\""},
		{"unknown nested key", "    ccpa: identifiers\n", "    ccpa: identifiers\n    secret: true\n", "m.yaml:17:5: categories[0]: unknown key \"secret\""},
		{"unknown category", "  - key: user.contact.email\n", "  - key: user.contact.emial\n", `m.yaml:14:10: categories[0].key: "user.contact.emial" is not a fideslang data category (did you mean "user.contact.email"`},
		{"unknown purpose", "  - key: essential.service\n", "  - key: essential.servise\n", `m.yaml:25:10: purposes[0].key: "essential.servise" is not a fideslang data use`},
		{"consent without regime", "    consent:\n      regimes: {EU: opt_in, US: opt_out}\n", "", `m.yaml:31:18: purposes[1].legal_basis: purpose "marketing.communications.email" rests on consent but has no consent regimes`},
		{"regime on a contract purpose", "    legal_basis: contract\n", "    legal_basis: contract\n    consent:\n      regimes: {default: opt_in}\n", `m.yaml:29:7: purposes[0].consent: purpose "essential.service" rests on contract, so a consent regime does not apply`},
		{"bad regime value", "{EU: opt_in, US: opt_out}", "{EU: opt_in, US: maybe}", `purposes[1].consent.regimes.US: value must be one of`},
		{"bad jurisdiction", "{EU: opt_in, US: opt_out}", "{Europe: opt_in}", `m.yaml:33:17: purposes[1].consent.regimes: key "Europe" is not in the expected form`},
		{"recipient without kind", "    kind: service_provider\n", "", `m.yaml:36:5: recipients[0]: missing required key "kind"`},
		{"unknown recipient kind", "    kind: service_provider\n", "    kind: friend\n", `m.yaml:38:11: recipients[0].kind: value must be one of`},
		{"undeclared information type category", "    categories: [user.contact.email]\n", "    categories: [user.contact.email, user.name]\n", `m.yaml:19:38: information_types[0].categories[1]: category "user.name" is not declared in this manifest`},
		{"duplicate category", "information_types:\n", "  - key: user.contact.email\n    description: again\n    ccpa: identifiers\ninformation_types:\n", `m.yaml:17:10: categories[1].key: "user.contact.email" is declared twice`},
		{"not a date", "last_updated: 2024-02-29", "last_updated: 2023-02-29", `m.yaml:7:15: last_updated: "2023-02-29" is not a date`},
		{"bad date form", "last_updated: 2024-02-29", "last_updated: yesterday", `m.yaml:7:15: last_updated: "yesterday" is not in the expected form`},
		{"missing contact", "contact:\n  email: privacy@example.com\n", "", `m.yaml:1:1: missing required key "contact"`},
		{"wrong format marker", "custos: policy/v1", "custos: policy/v2", `m.yaml:1:9: custos: must be "policy/v1"`},
		{"service provider selling", "    sale_or_share: false\n", "    sale_or_share: true\n", `recipients[0].sale_or_share: recipient "service_providers" is a service provider`},
		{"wrong type", "  age_threshold: 16\n", "  age_threshold: sixteen\n", `m.yaml:47:18: children.age_threshold: got string, want integer`},
		{"yaml syntax", "  short_name: Example\n", "  short_name: [Example\n", `m.yaml:5:1: YAML:`},
		{"phone region not a country", "  short_name: Example\n", "  short_name: Example\n  phone_region: XX\n", `m.yaml:5:17: organisation.phone_region: "XX" is not a country with a telephone numbering plan`},
		{"phone region in lower case", "  short_name: Example\n", "  short_name: Example\n  phone_region: us\n", `m.yaml:5:17: organisation.phone_region: "us" is not in the expected form`},
		{"duplicate yaml key", "  short_name: Example\n", "  short_name: Example\n  short_name: Other\n", `m.yaml:5:3: YAML: mapping key "short_name" already defined`},
		{"unknown shared rows action", "changes:\n", "erasure:\n  shared_rows:\n    shop:address: destroy\nchanges:\n", `m.yaml:51:19: erasure.shared_rows.shop:address: value must be one of`},
		{"shared rows of no collection", "changes:\n", "erasure:\n  shared_rows:\n    address: mask\nchanges:\n", `m.yaml:51:5: erasure.shared_rows: key "address" is not in the expected form`},
		{"stronger check of an undeclared category", "rights:\n", "rights:\n  stronger_verification:\n    requests: [access]\n    categories: [user.contact.email, user.name]\n    data_points: 2\n", `m.yaml:45:38: rights.stronger_verification.categories[1]: category "user.name" is not declared in this manifest`},
		{"stronger check of the mailed address", "rights:\n", "rights:\n  stronger_verification:\n    requests: [access]\n    categories: [user.contact.email]\n    data_points: 1\n", `m.yaml:45:18: rights.stronger_verification.categories[0]: user.contact.email is what the mailed code proves`},
		{"stronger check needs more points than categories", "rights:\n", "rights:\n  stronger_verification:\n    requests: [access]\n    categories: [user.contact.email]\n    data_points: 3\n", `m.yaml:46:18: rights.stronger_verification.data_points: 3 data points must match, but only 1 categories`},
		{"stronger check of another type", "rights:\n", "rights:\n  stronger_verification:\n    requests: [opt_out]\n    categories: [user.contact.email]\n    data_points: 1\n", `m.yaml:44:16: rights.stronger_verification.requests[0]: value must be one of`},
		{"stronger check unknown key", "rights:\n", "rights:\n  stronger_verification:\n    requests: [access]\n    categories: [user.contact.email]\n    data_points: 1\n    declaration: false\n", `m.yaml:47:5: rights.stronger_verification: unknown key "declaration"`},
		{"unknown erasure key", "changes:\n", "erasure:\n  shared: {}\nchanges:\n", `m.yaml:50:3: erasure: unknown key "shared"`},
		// Notices are written in the languages Custos has mails in.
		{"recipient language without mails", "    direct_marketing: false\nrights:\n", "    direct_marketing: false\n    notify_email: n@vendor.example\n    notify_language: pt\nrights:\n", "recipients[0].notify_language"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(minimal, c.old) {
				t.Fatalf("case does not apply: %q not in the manifest", c.old)
			}
			src := strings.Replace(minimal, c.old, c.new, 1)
			_, err := l.Parse("m.yaml", []byte(src))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Parse = %v, want problems", err)
			}
			for _, p := range ps {
				if strings.HasPrefix(p.String(), c.want) || strings.Contains(p.String(), c.want) {
					return
				}
			}
			t.Fatalf("no problem like %q in:\n%s", c.want, ps.Error())
		})
	}
}

// A recipient's notify_language is kept as written; the requests service
// writes its notices in it.
func TestRecipientNotifyLanguage(t *testing.T) {
	t.Parallel()
	src := strings.Replace(minimal, "    direct_marketing: false\nrights:\n", "    direct_marketing: false\n    notify_email: n@vendor.example\n    notify_language: de\nrights:\n", 1)
	p, err := newLoader(t).Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Recipients[0]; r.NotifyEmail != "n@vendor.example" || r.NotifyLanguage != "de" {
		t.Fatalf("recipient %+v", r)
	}
}

func TestErasureSection(t *testing.T) {
	t.Parallel()
	src := strings.Replace(minimal, "changes:\n", "erasure:\n  shared_rows:\n    shop:address: mask\n    shop:orders: keep\nchanges:\n", 1)
	p, err := newLoader(t).Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for c, want := range map[string]string{"shop:address": SharedMask, "shop:orders": SharedKeep, "shop:other": SharedKeep} {
		if got := p.SharedRowsOf(c); got != want {
			t.Errorf("SharedRowsOf(%s) = %s, want %s", c, got, want)
		}
	}
	plain, err := newLoader(t).Parse("m.yaml", []byte(minimal))
	if err != nil || plain.Erasure != nil || plain.SharedRowsOf("shop:address") != SharedKeep {
		t.Fatalf("without erasure: %+v, %v", plain.Erasure, err)
	}
}

func TestEveryProblemReported(t *testing.T) {
	t.Parallel()
	src := strings.NewReplacer(
		"  - key: user.contact.email\n", "  - key: user.contact.emial\n",
		"    kind: service_provider\n", "",
		"changes:\n", "extra: 1\nchanges:\n",
	).Replace(minimal)
	_, err := newLoader(t).Parse("m.yaml", []byte(src))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) < 2 {
		t.Fatalf("want several problems, got %v", err)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Line < ps[i-1].Line {
			t.Fatalf("problems not in file order: %s", ps.Error())
		}
	}
}

func TestUncoveredCategory(t *testing.T) {
	t.Parallel()
	src := strings.Replace(minimal, "information_types:\n", "  - key: user.name\n    description: your name\n    ccpa: identifiers\ninformation_types:\n", 1)
	_, err := newLoader(t).Parse("m.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `m.yaml:17:10: categories[1].key: category "user.name" is not listed under any information_types entry`) {
		t.Fatalf("Parse = %v", err)
	}
}

func TestEmptyAndMultiDocument(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	for _, src := range []string{"", "   \n", "# only a comment\n", minimal + "---\na: 1\n"} {
		if _, err := l.Parse("m.yaml", []byte(src)); err == nil {
			t.Errorf("Parse(%.20q) accepted", src)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + onBehalf))
	f.Add([]byte(minimal + "translations:\n  de:\n    categories:\n      user.contact.email: {description: E-Mail-Adresse}\n    purposes: {nope: {name: x}}\n  fr: null\n"))
	f.Add([]byte("custos: policy/v1\n"))
	f.Add([]byte("a: [1, {b: &x c}, *x]\n"))
	f.Add([]byte("categories:\n  - key: user\n    extra: [\n"))
	l := newLoader(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := l.Parse("fuzz.yaml", data)
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error is not Problems: %v", err)
			}
			for _, pr := range ps {
				if pr.Line < 1 || pr.Column < 1 || pr.Message == "" {
					t.Fatalf("problem without a position or message: %+v", pr)
				}
			}
			return
		}
		if p == nil || p.Manifest == nil {
			t.Fatal("nil policy without error")
		}
	})
}

func TestAliasExpansionBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	_, err := newLoader(t).Parse("laughs.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to over") {
		t.Fatalf("Parse = %v", err)
	}
	// Modest reuse through anchors stays fine.
	src := strings.Replace(minimal, "regimes: {EU: opt_in, US: opt_out}", "regimes: &r {EU: opt_in, US: opt_out}", 1)
	if _, err := newLoader(t).Parse("m.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}
