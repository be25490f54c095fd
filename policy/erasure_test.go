package policy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// rulesManifest is the minimal manifest with an erasure section of these
// rule lines (each indented under "  rules:").
func rulesManifest(rules string) string {
	return strings.Replace(minimal, "changes:\n", "erasure:\n  rules:\n"+rules+"changes:\n", 1)
}

func TestErasureRuleProblems(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	cases := []struct {
		name, rules, want string
	}{
		{"unknown category", "    - {category: user.financial.cheque, action: erase}\n",
			`m.yaml:51:18: erasure.rules[0].category: "user.financial.cheque" is not a fideslang data category`},
		{"undeclared purpose", "    - {category: user.contact.email, purpose: analytics, action: erase}\n",
			`m.yaml:51:47: erasure.rules[0].purpose: purpose "analytics" is not declared in this manifest`},
		{"unknown action", "    - {category: user.contact.email, action: archive}\n",
			`m.yaml:51:46: erasure.rules[0].action: value must be one of`},
		{"unknown ground", "    - {category: user.contact.email, action: retain, ground: tax, for: 7y}\n",
			`m.yaml:51:62: erasure.rules[0].ground: "tax" is not a ground; one of legal_obligation, legal_claims, security_fraud, ccpa_1798_105_d_1`},
		{"retain without ground", "    - {category: user.contact.email, action: retain, for: 7y}\n",
			`m.yaml:51:46: erasure.rules[0].action: a retained category needs a ground`},
		{"retain without duration", "    - {category: user.contact.email, action: retain, ground: legal_claims}\n",
			`m.yaml:51:46: erasure.rules[0].action: a retained category needs ` + "`for`"},
		{"bad duration", "    - {category: user.contact.email, action: retain, ground: legal_claims, for: seven years}\n",
			`m.yaml:51:81: erasure.rules[0].for: "seven years" is not a duration`},
		{"zero duration", "    - {category: user.contact.email, action: retain, ground: legal_claims, for: 0 days}\n",
			`m.yaml:51:81: erasure.rules[0].for: "0 days" keeps nothing`},
		{"erase with a ground", "    - {category: user.contact.email, action: erase, ground: legal_claims}\n",
			`m.yaml:51:61: erasure.rules[0].ground: an erased category has no ground`},
		{"retained and masked", "    - {category: user.contact.email, action: retain, ground: legal_claims, for: 3y, masking: hmac}\n",
			`erasure.rules[0].masking: a retained category is not masked`},
		{"unknown masking", "    - {category: user.contact.email, action: erase, masking: shred}\n",
			`m.yaml:51:62: erasure.rules[0].masking: value must be one of`},
		{"rule given twice", "    - {category: user.contact, action: erase}\n    - {category: user.contact, action: retain, ground: legal_claims, for: 3y}\n",
			`m.yaml:52:18: erasure.rules[1].category: a rule for "user.contact" is already given`},
		{"missing action", "    - {category: user.contact.email}\n",
			`erasure.rules[0]: missing required key "action"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := l.Parse("m.yaml", []byte(rulesManifest(c.rules)))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Parse = %v, want problems", err)
			}
			for _, p := range ps {
				if strings.Contains(p.String(), c.want) {
					return
				}
			}
			t.Fatalf("no problem like %q in:\n%s", c.want, ps.Error())
		})
	}
}

func TestRetainFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		y, m, d int
		ok      bool
	}{
		{"7 years", 7, 0, 0, true}, {"7y", 7, 0, 0, true}, {"84 months", 0, 84, 0, true}, {"84m", 0, 84, 0, true},
		{"30 days", 0, 0, 30, true}, {"1 day", 0, 0, 1, true}, {"30d", 0, 0, 30, true},
		{"", 0, 0, 0, false}, {"0y", 0, 0, 0, false}, {"7 decades", 0, 0, 0, false}, {"-1y", 0, 0, 0, false}, {"99999y", 0, 0, 0, false},
	}
	for _, c := range cases {
		y, m, d, err := RetainFor(c.in)
		if (err == nil) != c.ok || y != c.y || m != c.m || d != c.d {
			t.Errorf("RetainFor(%q) = %d,%d,%d,%v", c.in, y, m, d, err)
		}
	}
}

func TestErasureOf(t *testing.T) {
	t.Parallel()
	src := rulesManifest(`    - {category: user.contact, action: retain, ground: legal_claims, for: 3y}
    - {category: user.contact.email, purpose: essential.service, action: retain, ground: legal_obligation, for: 84 months}
    - {category: user.contact.email, action: erase, masking: hmac}
`)
	p, err := newLoader(t).Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		category, purpose, ground string
		until                     time.Time
		covered                   bool
	}{
		{"user.contact.email", "essential.service", "legal_obligation", at.AddDate(7, 0, 0), true},
		{"user.contact.email", "marketing.communications.email", "", time.Time{}, true},
		{"user.contact.email", "", "", time.Time{}, true},
		{"user.contact.phone_number", "", "legal_claims", at.AddDate(3, 0, 0), true},
		{"user.name", "essential.service", "", time.Time{}, false},
		{"user.contactless", "", "", time.Time{}, false},
	}
	for _, c := range cases {
		rule, kept, ok := p.ErasureOf(c.category, c.purpose, at)
		if ok != c.covered {
			t.Errorf("%s/%s: covered %v", c.category, c.purpose, ok)
			continue
		}
		switch {
		case c.ground == "" && kept != nil:
			t.Errorf("%s/%s: kept %+v, want erased (rule %+v)", c.category, c.purpose, kept, rule)
		case c.ground != "" && (kept == nil || kept.Ground.Key != c.ground || !kept.Until.Equal(c.until) || len(kept.Ground.Citations) == 0):
			t.Errorf("%s/%s: kept %+v, want %s until %s", c.category, c.purpose, kept, c.ground, c.until)
		}
	}
	if r, _, _ := p.ErasureOf("user.contact.email", "", at); r.Masking != "hmac" {
		t.Errorf("masking %q", r.Masking)
	}
}

func TestBundledErasureRules(t *testing.T) {
	t.Parallel()
	p := bundledPolicy(t)
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, kept, _ := p.ErasureOf("user.behavior.purchase_history", "essential.service", at); kept == nil || kept.Ground.Key != "legal_obligation" || !kept.Until.Equal(at.AddDate(7, 0, 0)) {
		t.Errorf("purchase history: %+v", kept)
	}
	if _, kept, _ := p.ErasureOf("user.contact.address", "essential.service.payment_processing", at); kept == nil {
		t.Error("billing address is not kept for the tax period")
	}
	for _, c := range [][2]string{{"user.financial.credit_card", "essential.service.payment_processing"}, {"user.contact.address", "marketing.communications"}, {"user.contact.email", "essential.service"}} {
		if _, kept, _ := p.ErasureOf(c[0], c[1], at); kept != nil {
			t.Errorf("%s for %s is kept: %+v", c[0], c[1], kept)
		}
	}
}

func TestErasureDiff(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	parse := func(rules string) *Manifest {
		p, err := l.Parse("m.yaml", []byte(rulesManifest(rules)))
		if err != nil {
			t.Fatal(err)
		}
		return p.Manifest
	}
	const (
		erase   = "    - {category: user.contact.email, action: erase}\n"
		keep3   = "    - {category: user.contact.email, action: retain, ground: legal_claims, for: 3y}\n"
		keep36m = "    - {category: user.contact.email, action: retain, ground: legal_claims, for: 36 months, reason: claims}\n"
		keep7   = "    - {category: user.contact.email, action: retain, ground: legal_claims, for: 7y}\n"
		other   = "    - {category: user.contact.email, action: retain, ground: legal_obligation, for: 3y}\n"
		broad   = "    - {category: user.contact, action: retain, ground: legal_claims, for: 3y}\n"
	)
	cases := []struct {
		name, old, new string
		material       bool
		want           string
	}{
		{"now kept", erase, keep3, true, "erasure user.contact.email: on deletion erased → kept 3y (legal_claims)"},
		{"kept longer", keep3, keep7, true, "kept 3y (legal_claims) → kept 7y (legal_claims)"},
		{"kept shorter", keep7, keep3, false, "kept 7y (legal_claims) → kept 3y (legal_claims)"},
		{"another ground", keep3, other, true, "→ kept 3y (legal_obligation)"},
		{"now erased", keep3, erase, false, "kept 3y (legal_claims) → erased"},
		{"same length written otherwise", keep3, keep36m, false, "→ kept 36 months (legal_claims)"},
		{"new retain rule", "", broad, true, "erasure user.contact: on deletion now kept 3y"},
		{"erase rule removed under a broad retain rule", broad + erase, broad, true, "user.contact.email: rule removed (was erased)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var old *Manifest
			if c.old == "" {
				p, err := l.Parse("m.yaml", []byte(minimal))
				if err != nil {
					t.Fatal(err)
				}
				old = p.Manifest
			} else {
				old = parse(c.old)
			}
			for _, ch := range Diff(old, parse(c.new)) {
				if strings.Contains(ch.String(), c.want) {
					if ch.Material != c.material {
						t.Fatalf("%q material = %v", ch, ch.Material)
					}
					return
				}
			}
			t.Fatalf("no change like %q in %v", c.want, Diff(old, parse(c.new)))
		})
	}
}

func FuzzRetainFor(f *testing.F) {
	for _, s := range []string{"7 years", "84m", "30d", "", "0y", "9999 days", " 1 year ", "1e3y", "७y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		y, m, d, err := RetainFor(s)
		if err != nil {
			return
		}
		if y < 0 || m < 0 || d < 0 || y+m+d == 0 || y+m+d > 9999 || (y > 0) == (m > 0) && y > 0 || (y > 0 || m > 0) && d > 0 {
			t.Fatalf("RetainFor(%q) = %d, %d, %d", s, y, m, d)
		}
	})
}
