package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/policy"
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
			"limit: 2 per calendar year", "restriction, objection, direct_marketing_disclosures, complaint: "}, nil},
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

// --policy applies a manifest's laws: overrides; --db those of the policy
// in force in a database; each marked "overridden by the manifest".
func TestLawCommandsWithOverrides(t *testing.T) {
	t.Parallel()
	dir, vars := dataDir(t)
	initDB(t, vars)
	manifest := strings.Replace(string(policy.Bundled()), `last_updated: "2020-10-29"`, `last_updated: "2026-06-01"`, 1) + `
laws:
  US-TX:
    - rule: appeal_deadline
      value: 45 days
      reason: Counsel advises deciding appeals within 45 days.
  CH:
    - rule: extension
      value: 30 days
      types: [access]
      reason: Counsel reads DPO Art. 18 as allowing a 30-day postponement.
`
	file := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(manifest, "  CH:", "  CH-ZZ:", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	texas := "appeal: decided within 45 days; if denied, the Texas Attorney General"
	mark := "(overridden by the manifest: appeal_deadline: Counsel advises deciding appeals within 45 days.)"

	// Without a policy: the table as it is.
	if code, out, errs := run(t, nil, "law", "show", "US-TX"); code != 0 || strings.Contains(out, "overridden") || !strings.Contains(out, "decided within 60 days") {
		t.Fatalf("plain: %d %s %s", code, out, errs)
	}
	code, out, errs := run(t, nil, "law", "show", "US-TX", "--policy", file)
	if code != 0 || !strings.Contains(out, texas) || !strings.Contains(out, mark) {
		t.Fatalf("--policy: %d %s %s", code, out, errs)
	}
	code, out, _ = run(t, nil, "law", "show", "CH", "--policy", file)
	if code != 0 || !strings.Contains(out, "extension: once, by 30 days (overridden by the manifest: extension for access requests: Counsel reads DPO Art. 18") {
		t.Fatalf("--policy CH: %d %s", code, out)
	}
	code, out, _ = run(t, nil, "law", "list", "--policy", file)
	if code != 0 || !strings.Contains(out, "US-TX: 1 rule(s) overridden by "+file) || !strings.Contains(out, "CH: 1 rule(s)") {
		t.Fatalf("list --policy: %d %s", code, out)
	}
	if code, _, errs := run(t, nil, "law", "show", "CH", "--policy", bad); code != 1 || !strings.Contains(errs, bad+":") || !strings.Contains(errs, `"CH-ZZ" is not a law key`) {
		t.Fatalf("bad manifest: %d %s", code, errs)
	}
	if code, _, errs := run(t, nil, "law", "list", "--policy", file, "--db", vars["CUSTOS_DB"]); code != 2 || !strings.Contains(errs, "alternatives") {
		t.Fatalf("both: %d %s", code, errs)
	}

	// With --db: the policy in force there.
	if code, out, errs := run(t, vars, "policy", "publish", file, "--db", vars["CUSTOS_DB"], "--key-file", vars["CUSTOS_KEY_FILE"], "--force"); code != 0 {
		t.Fatalf("publish: %d %s %s", code, out, errs)
	}
	code, out, errs = run(t, nil, "law", "show", "US-TX", "--db", vars["CUSTOS_DB"])
	if code != 0 || !strings.Contains(out, texas) || !strings.Contains(out, mark) {
		t.Fatalf("--db: %d %s %s", code, out, errs)
	}
	code, out, _ = run(t, nil, "law", "list", "--db", vars["CUSTOS_DB"])
	if code != 0 || !strings.Contains(out, "US-TX: 1 rule(s) overridden by policy version 1") {
		t.Fatalf("list --db: %d %s", code, out)
	}
}
