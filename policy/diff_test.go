package policy

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	base, err := l.Parse("old.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		old, new string
		material bool
		want     string
	}{
		{"new category", "information_types:\n", "  - key: user.name\n    description: your name\n    ccpa: identifiers\ninformation_types:\n  - text: names\n    categories: [user.name]\n", true, "categories user.name: new category"},
		{"reworded category", "description: email address", "description: your e-mail address", false, "categories user.contact.email:"},
		{"new purpose", "recipients:\n", "  - key: analytics.reporting\n    name: Analytics\n    legal_basis: legitimate_interests\n    uses: [measure]\nrecipients:\n", true, "purposes analytics.reporting: new purpose"},
		{"legal basis", "    legal_basis: contract\n", "    legal_basis: legitimate_interests\n", true, "legal basis contract → legitimate_interests"},
		{"opt-in weakened", "{EU: opt_in, US: opt_out}", "{EU: opt_out, US: opt_out}", true, "consent regime in EU: opt_in → opt_out"},
		{"opt-out strengthened", "{EU: opt_in, US: opt_out}", "{EU: opt_in, US: opt_in}", false, "consent regime in US: opt_out → opt_in"},
		{"new recipient", "rights:\n", "  - key: brokers\n    name: Brokers\n    kind: third_party\n    description: brokers\n    sale_or_share: true\n    direct_marketing: false\nrights:\n", true, "recipients brokers: new recipient"},
		{"now sold", "    kind: service_provider\n", "    kind: third_party\n", true, "kind service_provider → third_party"},
		{"weaker right", "requests: [access, deletion]", "requests: [access]", true, `request "deletion" no longer offered`},
		{"stronger right", "requests: [access, deletion]", "requests: [access, deletion, correction]", false, `request "correction" now offered`},
		{"age lowered", "age_threshold: 16", "age_threshold: 13", true, "age_threshold: 16 → 13"},
		{"age raised", "age_threshold: 16", "age_threshold: 18", false, "age_threshold: 16 → 18"},
		{"contact", "privacy@example.com", "dpo@example.com", false, "contact email"},
		{"notice prose", "We respect your privacy.", "We care about your privacy.", false, "notice: the notice's wording changed"},
		{"removed purpose", "  - key: marketing.communications.email\n    name: E-mail marketing\n    legal_basis: consent\n    consent:\n      regimes: {EU: opt_in, US: opt_out}\n    uses: [send newsletters]\n", "", false, "purpose removed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(minimal, c.old) {
				t.Fatalf("case does not apply")
			}
			next, err := l.Parse("new.yaml", []byte(strings.Replace(minimal, c.old, c.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			changes := Diff(base.Manifest, next.Manifest)
			for _, ch := range changes {
				if strings.Contains(ch.String(), c.want) {
					if ch.Material != c.material {
						t.Fatalf("%q material = %v, want %v", ch, ch.Material, c.material)
					}
					if AnyMaterial(changes) != c.material {
						t.Fatalf("AnyMaterial = %v with %v", !c.material, changes)
					}
					return
				}
			}
			t.Fatalf("no change like %q in %v", c.want, changes)
		})
	}
	if d := Diff(base.Manifest, base.Manifest); len(d) != 0 {
		t.Fatalf("a manifest differs from itself: %v", d)
	}
}

func TestLonger(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want bool
	}{
		{"30 days", "13 months", true},
		{"13 months", "30 days", false},
		{"1 year", "13 months", true},
		{"72h", "3d", false},
		{"72h", "4d", true},
		{"7 years", "", true},
		{"", "7 years", false},
	}
	for _, c := range cases {
		if got := longer(c.a, c.b); got != c.want {
			t.Errorf("longer(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
