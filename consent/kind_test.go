package consent

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/custos-privacy/custos/policy"
)

// TestSensitiveKindOverride: a category's sensitive_kind decides under
// which laws it is sensitive, over what its fideslang key implies: an
// address the manifest calls a special category needs consent in Germany
// (GDPR Art. 9(2)(a)); precise location called California-only is free in
// Virginia. The manifest is refused, at its line and column, for a kind
// on a category not marked sensitive or a kind that does not exist.
func TestSensitiveKindOverride(t *testing.T) {
	t.Parallel()
	l, err := policy.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	bundled := string(policy.Bundled())
	const address = "  - key: user.contact.address\n    description: \"Postal or other physical address, including billing address\"\n    ccpa: identifiers\n"
	const precise = "  - key: user.location.precise\n"
	if !strings.Contains(bundled, address) || !strings.Contains(bundled, precise) {
		t.Fatal("the bundled policy's address or precise location entry moved")
	}
	with := func(addressExtra, preciseExtra string) string {
		src := strings.Replace(bundled, address, address+addressExtra, 1)
		i := strings.Index(src, precise) + len(precise)
		j := strings.Index(src[i:], "  - key:") + i
		return src[:j] + preciseExtra + src[j:]
	}
	cases := []struct {
		name, src                       string
		purpose, category, jurisdiction string
		allowed                         bool
		reason                          string
	}{
		{"address, from its key", with("", ""), "essential.service", "user.contact.address", "DE", true, ReasonContract},
		{"address called a special category", with("    sensitive: true\n    sensitive_kind: special_category\n", ""),
			"essential.service", "user.contact.address", "DE", false, ReasonSensitiveNoConsent},
		{"precise location, from its key", with("", ""), "essential.service", "user.location.precise", "US-VA", false, ReasonSensitiveNoConsent},
		{"precise location called California-only", with("", "    sensitive_kind: california_only\n"),
			"essential.service", "user.location.precise", "US-VA", true, ReasonContract},
	}
	for _, c := range cases {
		p, err := l.Parse("m.yaml", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d := NewEngine(p.Manifest, 1).Decide("p", c.purpose, c.category, c.jurisdiction)
		if d.Allowed != c.allowed || d.Reason != c.reason {
			t.Errorf("%s: %+v, want allowed=%v %s", c.name, d, c.allowed, c.reason)
		}
	}
	line := strings.Count(bundled[:strings.Index(bundled, address)], "\n") + 4 // the line after ccpa:
	for _, bad := range []struct{ extra, want string }{
		{"    sensitive_kind: special_category\n", `categories[3].sensitive_kind: category "user.contact.address" has a sensitive_kind but is not marked sensitive`},
		{"    sensitive: true\n    sensitive_kind: medical\n", `categories[3].sensitive_kind: value must be one of`},
	} {
		_, err := l.Parse("m.yaml", []byte(with(bad.extra, "")))
		var ps policy.Problems
		if !errors.As(err, &ps) {
			t.Fatalf("%q: %v", bad.extra, err)
		}
		found := false
		for _, p := range ps {
			// FILE:LINE:COL of the sensitive_kind value.
			if strings.HasPrefix(p.String(), fmt.Sprintf("m.yaml:%d:21: ", p.Line)) && p.Line >= line && p.Line <= line+1 && strings.Contains(p.String(), bad.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no problem at line %d like %q in\n%s", bad.extra, line, bad.want, ps.Error())
		}
	}
}
