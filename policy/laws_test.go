package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/jurisdiction"
)

const lawsOK = `laws:
  US-TX:
    - rule: appeal_deadline
      value: 45 days
      reason: Counsel advises deciding appeals within 45 days.
  CH:
    - rule: extension
      value: 30 days
      types: [access]
      reason: Counsel reads DPO Art. 18 as allowing a 30-day postponement.
    - rule: extension_notice
      value: yes
      types: [access]
      reason: The postponement is told within the 30 days.
`

func TestLawsSection(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	p, err := l.Parse("m.yaml", []byte(minimal+lawsOK))
	if err != nil {
		t.Fatal(err)
	}
	os := p.LawOverrides()
	if len(os) != 3 || os[0].Code != "CH" || os[1].Value != "yes" || os[2].Code != "US-TX" {
		t.Fatalf("overrides = %+v", os)
	}
	r := os.For("US-TX", jurisdiction.TypeAccess)
	if r.Appeal == nil || r.Appeal.Respond.Days != 45 || len(r.Overridden) != 1 {
		t.Fatalf("US-TX rules = %+v", r)
	}
	if r := os.For("CH", jurisdiction.TypeAccess); r.Extension.Days != 30 || !r.ExtensionNeedsNotice {
		t.Fatalf("CH rules = %+v", r)
	}
}

func TestLawsProblems(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	base := strings.Count(minimal, "\n")
	cases := []struct {
		name, yaml string
		line, col  int
		want       string
	}{
		{"unknown law key", "laws:\n  US-ZZ:\n    - rule: deadline\n      value: 30 days\n      reason: because counsel says so\n", 2, 3, `"US-ZZ" is not a law key`},
		{"unknown rule", "laws:\n  US-TX:\n    - rule: deadlines\n      value: 30 days\n      reason: because counsel says so\n", 3, 13, "value must be one of 'deadline'"},
		{"bad value", "laws:\n  US-TX:\n    - rule: deadline\n      value: thirty days\n      reason: because counsel says so\n", 4, 14, "is not a period"},
		{"type not governed", "laws:\n  US-UT:\n    - rule: deadline\n      value: 30 days\n      types: [access, correction]\n      reason: because counsel says so\n", 5, 23, `does not govern "correction"`},
		{"missing reason", "laws:\n  US-TX:\n    - rule: deadline\n      value: 30 days\n", 3, 7, `missing required key "reason"`},
		{"twice", "laws:\n  US-TX:\n    - rule: deadline\n      value: 30 days\n      reason: because counsel says so\n    - rule: deadline\n      value: 20 days\n      types: [access]\n      reason: because counsel says so\n", 6, 13, "overridden twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := l.Parse("m.yaml", []byte(minimal+c.yaml))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Parse = %v, want problems", err)
			}
			for _, p := range ps {
				if strings.Contains(p.Message, c.want) {
					if p.Line != base+c.line || p.Column != c.col {
						t.Errorf("%s at %d:%d, want %d:%d", p.Message, p.Line, p.Column, base+c.line, c.col)
					}
					return
				}
			}
			t.Errorf("no problem says %q: %v", c.want, ps)
		})
	}
}

func TestLawsDiff(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	a, err := l.Parse("a.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Parse("b.yaml", []byte(minimal+lawsOK))
	if err != nil {
		t.Fatal(err)
	}
	cs := Diff(a.Manifest, b.Manifest)
	var got []string
	for _, c := range cs {
		if c.Section == "laws" {
			got = append(got, c.String())
		}
	}
	want := []string{
		"material: laws CH: overridden: extension 30 days for access; extension_notice yes for access",
		"material: laws US-TX: overridden: appeal_deadline 45 days",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("diff = %q", got)
	}
	if back := Diff(b.Manifest, a.Manifest); !AnyMaterial(back) {
		t.Fatalf("removing overrides: %v", back)
	}
}
