package cli

import (
	"strings"
	"testing"
)

// custos law list|show need no database: run with an empty environment.
func TestLawCommands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want []string // substrings of stdout (code 0) or stderr
		not  []string
	}{
		{[]string{"law", "list"}, 0, []string{"US-TX  TDPSA", "2024-07-01", "US-RI", "CA-QC", "BR", "MCDPA (Minnesota)", "MCDPA (Montana)"}, nil},
		// Tex. Bus. & Com. Code §541.052(b), §541.053, §541.055(e).
		{[]string{"law", "show", "US-TX"}, 0, []string{"effective: 2024-07-01", "deadline: 45 days from receipt [Tex. Bus. & Com. Code §541.052(b)]",
			"appeal: decided within 60 days", "opt-out signal (GPC): required from 2025-01-01", "sensitive data: opt_in",
			"limit: 2 per calendar year", "restriction, objection, direct_marketing_disclosures: "}, nil},
		// Cal. Civ. Code §1798.130(b) (LAW-REVIEW item 18), Shine the Light.
		{[]string{"law", "show", "us-ca"}, 0, []string{"§1798.130(b)", "Shine the Light", "10 business days (US-CA holidays excluded)"}, []string{"§1798.100(d)"}},
		// GDPR Art. 8(1): the member state's age.
		{[]string{"law", "show", "DE"}, 0, []string{"jurisdiction: DE", "consent age 16", "1 month from receipt"}, nil},
		{[]string{"law", "show", "GB"}, 0, []string{"s. 164A", "acknowledge within 30 days"}, nil},
		{[]string{"law", "show", "CA-QC"}, 0, []string{"Law 25", "30 days from receipt", "extension: none"}, nil},
		{[]string{"law", "show", "JP"}, 0, []string{"No specific privacy law", "own promises", "45 days"}, []string{"GDPR", "CCPA"}},
		{[]string{"law", "show"}, 2, []string{"one jurisdiction code"}, nil},
		{[]string{"law", "list", "x"}, 2, []string{"takes no arguments"}, nil},
	}
	for _, c := range cases {
		code, out, errs := run(t, nil, c.args...)
		got := out
		if c.code != 0 {
			got = errs
		}
		if code != c.code {
			t.Errorf("%v: exit %d (%s)", c.args, code, errs)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, got)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("%v: output has %q", c.args, w)
			}
		}
	}
}
