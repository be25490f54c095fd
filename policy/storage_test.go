package policy

import (
	"errors"
	"strings"
	"testing"
)

// Storage on the device is decided apart from the legal basis of the
// processing: these cases break the new fields one way each, and each
// problem names FILE:LINE:COL and the field.
func TestStorageFieldProblems(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	const cookie = "cookies:\n  - name: Counter\n    party: first\n    duration: persistent\n    lifetime: 13 months\n    purpose: essential.service\n    strictly_necessary: false\n    description: counts visits\nchildren:\n"
	const analytics = "recipients:\n"
	cases := []struct {
		name     string
		old, new string
		want     string
	}{
		{"cookie contradicts its purpose", "children:\n", cookie,
			`m.yaml:52:25: cookies[0].strictly_necessary: cookie "Counter" says strictly_necessary: false, but its purpose "essential.service" is strictly necessary`},
		{"consent purpose strictly necessary", "    uses: [send newsletters]\n", "    uses: [send newsletters]\n    strictly_necessary: true\n",
			`m.yaml:35:25: purposes[1].strictly_necessary: purpose "marketing.communications.email" rests on consent`},
		{"uk exemption outside analytics", "    uses: [send newsletters]\n", "    uses: [send newsletters]\n    uk_statistics_exemption: true\n",
			`m.yaml:35:30: purposes[1].uk_statistics_exemption: purpose "marketing.communications.email" is not an analytics.* use`},
		{"uk exemption on a necessary purpose", "    uses: [provide our services]\n", "    uses: [provide our services]\n    uk_statistics_exemption: true\n",
			`m.yaml:29:30: purposes[0].uk_statistics_exemption: purpose "essential.service" is strictly necessary`},
		{"strictly_necessary not a boolean", "    uses: [provide our services]\n", "    uses: [provide our services]\n    strictly_necessary: sometimes\n",
			`m.yaml:29:25: purposes[0].strictly_necessary: got string, want boolean`},
		{"unknown location value", "children:\n", "banner:\n  unknown_location: guess\nchildren:\n",
			`m.yaml:47:21: banner.unknown_location: value must be one of`},
		{"opt-in jurisdiction form", "children:\n", "banner:\n  opt_in: [Switzerland]\nchildren:\n",
			`m.yaml:47:12: banner.opt_in[0]: "Switzerland" is not in the expected form`},
		{"opt-in jurisdiction twice", "children:\n", "banner:\n  opt_in: [CH, CH]\nchildren:\n",
			`m.yaml:47:16: banner.opt_in[1]: jurisdiction "CH" is listed twice`},
		{"TCF without a CMP id", "children:\n", "banner:\n  iab:\n    tcf: {vendor_list_version: 3}\nchildren:\n",
			`banner.iab.tcf: missing required key "cmp_id"`},
		{"TCF CMP id out of range", "children:\n", "banner:\n  iab:\n    tcf: {cmp_id: 5000, vendor_list_version: 3}\nchildren:\n",
			`m.yaml:48:19: banner.iab.tcf.cmp_id: maximum: got 5,000, want 4,095`},
		{"TCF vendor twice", "children:\n", "banner:\n  iab:\n    tcf: {cmp_id: 300, vendor_list_version: 3, vendors: [755, 755]}\nchildren:\n",
			`banner.iab.tcf.vendors: items at 0 and 1 are equal`},
		{"unknown banner key", "children:\n", "banner:\n  colour: blue\nchildren:\n",
			`m.yaml:47:3: banner: unknown key "colour"`},
		{"uk exemption on a sold purpose", analytics, "  - key: analytics.reporting\n    name: Analytics\n    legal_basis: legitimate_interests\n    uk_statistics_exemption: true\n    uses: [count visits]\nrecipients:\n  - key: brokers\n    name: Data brokers\n    kind: third_party\n    description: sold to brokers\n    sale_or_share: true\n    direct_marketing: false\n    purposes: [analytics.reporting]\n",
			`purposes[2].uk_statistics_exemption: purpose "analytics.reporting" sells or shares personal information`},
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
			for _, p := range ps {
				if strings.Contains(p.String(), c.want) {
					return
				}
			}
			t.Fatalf("no problem like %q in:\n%s", c.want, ps.Error())
		})
	}
}

// A manifest that says nothing keeps the default from the data use, so
// stored policy versions parse and mean what they meant; an explicit word
// wins, and a valid UK statistics purpose loads.
func TestStrictlyNecessaryDefaults(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	src := strings.Replace(minimal, "recipients:\n", "  - key: analytics.reporting\n    name: Analytics\n    legal_basis: legitimate_interests\n    uk_statistics_exemption: true\n    uses: [count visits]\n  - key: functional.service.improve\n    name: Improving\n    legal_basis: legitimate_interests\n    strictly_necessary: true\n    uses: [keep the site working]\nrecipients:\n", 1)
	p, err := l.Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"essential.service": true, "marketing.communications.email": false, "analytics.reporting": false, "functional.service.improve": true}
	for _, pu := range p.Purposes {
		if got := pu.IsStrictlyNecessary(); got != want[pu.Key] {
			t.Errorf("%s: strictly necessary = %v, want %v", pu.Key, got, want[pu.Key])
		}
	}
	if !p.Purposes[2].UKStatistics || p.Banner != nil {
		t.Errorf("parsed %+v, banner %+v", p.Purposes[2], p.Banner)
	}
	for _, c := range []struct {
		key  string
		want bool
	}{{"essential", true}, {"essential.service.security", true}, {"essentially", false}, {"analytics.reporting", false}, {"functional.storage", false}} {
		if got := DefaultStrictlyNecessary(c.key); got != c.want {
			t.Errorf("DefaultStrictlyNecessary(%q) = %v", c.key, got)
		}
	}
}

// The bundled policy says for every cookie whether it is strictly
// necessary, and the word agrees with its purpose.
func TestBundledCookiesSayStrictlyNecessary(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	purposes := map[string]Purpose{}
	for _, p := range m.Purposes {
		purposes[p.Key] = p
	}
	for _, c := range m.Cookies {
		if c.StrictlyNecessary == nil {
			t.Errorf("cookie %q does not say whether it is strictly necessary", c.Name)
			continue
		}
		if *c.StrictlyNecessary != purposes[c.Purpose].IsStrictlyNecessary() {
			t.Errorf("cookie %q disagrees with its purpose %q", c.Name, c.Purpose)
		}
	}
	if purposes["analytics.reporting"].IsStrictlyNecessary() || purposes["analytics.reporting"].UKStatistics {
		t.Error("the bundled analytics feeds segmentation: it is neither strictly necessary nor exempt in the UK")
	}
	if m.Banner == nil || m.Banner.UnknownLocation != OptIn {
		t.Errorf("the bundled policy should ask first where the location is unknown: %+v", m.Banner)
	}
}

// Two parses of one manifest differ in nothing; storage that starts
// running without consent is a material change.
func TestDiffOfStorageFields(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	withCookie := strings.Replace(minimal, "children:\n", "cookies:\n  - name: Counter\n    party: first\n    duration: session\n    purpose: essential.service\n    strictly_necessary: true\n    description: keeps the session\nchildren:\n", 1)
	a, err := l.Parse("a.yaml", []byte(withCookie))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Parse("b.yaml", []byte(withCookie))
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(a.Manifest, b.Manifest); len(d) != 0 {
		t.Errorf("two parses of one manifest differ: %+v", d)
	}
	c, err := l.Parse("c.yaml", []byte(strings.Replace(withCookie, "    uses: [send newsletters]\n", "    uses: [send newsletters]\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	c.Manifest.Purposes[1].LegalBasis = BasisLegitimateInterests
	c.Manifest.Purposes[1].Consent = nil
	yes := true
	c.Manifest.Purposes[1].StrictlyNecessary = &yes
	c.Manifest.Banner = &Banner{UnknownLocation: OptOut}
	found := map[string]bool{}
	for _, ch := range Diff(a.Manifest, c.Manifest) {
		if ch.Material {
			found[ch.What] = true
		}
	}
	for _, want := range []string{"strictly_necessary false → true", "where the location is unknown: opt_in → opt_out"} {
		if !found[want] {
			t.Errorf("no material change %q in %v", want, found)
		}
	}
}
