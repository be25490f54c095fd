package policy

import (
	"errors"
	"strings"
	"testing"
)

// TestObjectionAndRestrictionFields: restriction_exempt names a ground of
// GDPR Art. 18(2) and compelling_grounds answers an Art. 21(1) objection
// only on legitimate interests, never for direct marketing (Art. 21(3));
// each problem names FILE:LINE:COL and the field.
func TestObjectionAndRestrictionFields(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	const service, email = "    uses: [provide our services]\n", "    uses: [send newsletters]\n"
	cases := []struct {
		name     string
		old, new string
		want     string
	}{
		{"Art. 18(2): not a ground", service, service + "    restriction_exempt: legal_obligation\n",
			`m.yaml:29:25: purposes[0].restriction_exempt: value must be one of`},
		{"Art. 21(3): no compelling grounds for direct marketing", email, email + "    direct_marketing: true\n    compelling_grounds: we like it\n",
			`m.yaml:36:25: purposes[1].compelling_grounds: purpose "marketing.communications.email" is direct marketing`},
		{"Art. 21(1): compelling grounds only on legitimate interests", service, service + "    compelling_grounds: we must\n",
			`m.yaml:29:25: purposes[0].compelling_grounds: purpose "essential.service" rests on contract`},
		{"Art. 21(1): grounds must say something", "recipients:\n",
			"  - key: analytics.reporting\n    name: Analytics\n    legal_basis: legitimate_interests\n    compelling_grounds: \"   \"\n    uses: [count visits]\nrecipients:\n",
			`m.yaml:38:25: purposes[2].compelling_grounds: purpose "analytics.reporting": compelling_grounds must say what the grounds are`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(minimal, c.old) {
				t.Fatalf("case does not apply: %q not in the manifest", c.old)
			}
			_, err := l.Parse("m.yaml", []byte(strings.Replace(minimal, c.old, c.new, 1)))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Parse = %v, want problems", err)
			}
			if !strings.Contains(ps.Error(), c.want) {
				t.Fatalf("problems:\n%v\nwant one containing %q", ps, c.want)
			}
		})
	}

	t.Run("valid on legitimate interests", func(t *testing.T) {
		t.Parallel()
		li := "  - key: essential.fraud_detection\n    name: Fraud prevention\n    legal_basis: legitimate_interests\n" +
			"    compelling_grounds: preventing fraud protects our customers\n    restriction_exempt: legal_claims\n    uses: [prevent fraud]\nrecipients:\n"
		p, err := l.Parse("m.yaml", []byte(strings.Replace(minimal, "recipients:\n", li, 1)))
		if err != nil {
			t.Fatal(err)
		}
		got := p.Manifest.Purposes[2]
		if got.CompellingGrounds != "preventing fraud protects our customers" || got.RestrictionExempt != ExemptLegalClaims {
			t.Fatalf("purpose = %+v", got)
		}
		if p.Manifest.Purposes[0].RestrictionExempt != "" || p.Manifest.Purposes[0].CompellingGrounds != "" {
			t.Fatal("the fields must default to off")
		}
	})
}

// TestBundledObjectionGrounds: the bundled policy records compelling
// grounds only for its security purposes, so a general objection stops its
// analytics and improvement uses.
func TestBundledObjectionGrounds(t *testing.T) {
	t.Parallel()
	p, err := newLoader(t).Parse(BundledName, Bundled())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"essential.service.authentication": true, "essential.fraud_detection": true, "operations": true, "essential.service.security": true}
	for _, pu := range p.Manifest.Purposes {
		if (pu.CompellingGrounds != "") != want[pu.Key] {
			t.Errorf("%s: compelling_grounds %q", pu.Key, pu.CompellingGrounds)
		}
	}
}
