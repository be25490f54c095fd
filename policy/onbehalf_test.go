package policy

import (
	"errors"
	"strings"
	"testing"
)

// onBehalf is a processing_on_behalf section for the minimal manifest;
// cases break it one way each.
const onBehalf = `processing_on_behalf:
  term: Customer Content
  services: hosting our customers' shops
  content: the shop data our customers keep with us
  on_behalf_of: our customers
  agreements: our hosting agreements
  categories:
    - key: user.content
      description: shop data
  log_data:
    description: access logs
    for: security
    categories: [user.authorization]
  security_measures: [encryption at rest]
  controllers:
    - key: acme
      name: Acme Shops
      contact:
        email: dpo@acme.example
      agreement:
        reference: DPA-7
        date: 2024-01-02
      notify_within_days: 5
      categories: [user.content, user.authorization, user.contact.email]
      purposes: [essential.service]
      datasets: [shop.orders]
`

func TestOnBehalfParses(t *testing.T) {
	t.Parallel()
	p, err := newLoader(t).Parse("m.yaml", []byte(minimal+onBehalf))
	if err != nil {
		t.Fatal(err)
	}
	m := p.Manifest
	c, ok := m.Controller("acme")
	if !ok || c.Contact.Email != "dpo@acme.example" || c.NotifyWithinDays != 5 || c.Datasets[0] != "shop.orders" {
		t.Fatalf("controller = %+v, %v", c, ok)
	}
	for cat, want := range map[string]bool{"user.content": true, "user.authorization": true, "user.contact.email": false, "user.name": false} {
		if got := m.Reserved(cat); got != want {
			t.Errorf("Reserved(%q) = %v, want %v", cat, got, want)
		}
	}
	if _, ok := m.Controller("nobody"); ok {
		t.Error("an undeclared controller was found")
	}
}

func TestOnBehalfProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, from, to string
		want           string // FILE:LINE:COL: path: message, in part
	}{
		{"reserved is own", "    - key: user.content\n", "    - key: user.contact.email\n",
			"m.yaml:58:12: processing_on_behalf.categories[0].key: category \"user.contact.email\" is also one of the company's own categories"},
		{"not fideslang", "    - key: user.content\n", "    - key: user.contnt\n",
			`"user.contnt" is not a fideslang data category`},
		{"uncovered category", "      categories: [user.content, user.authorization, user.contact.email]\n",
			"      categories: [user.content, user.contact.email]\n",
			`reserved category "user.authorization" is covered by no controller's agreement`},
		{"unknown category", "user.authorization, user.contact.email]\n", "user.authorization, user.name]\n",
			`m.yaml:74:54: processing_on_behalf.controllers[0].categories[2]: category "user.name" is neither reserved`},
		{"unknown use", "      purposes: [essential.service]\n", "      purposes: [essential.servic]\n",
			`"essential.servic" is not a fideslang data use`},
		{"no contact", "        email: dpo@acme.example\n", "        {}\n", ""},
		{"bad date", "date: 2024-01-02", "date: 2024-02-31", `"2024-02-31" is not a date`},
		{"bad email", "email: dpo@acme.example", "email: dpo", `"dpo" is not in the expected form`},
		{"no window", "      notify_within_days: 5\n", "", `missing required key "notify_within_days"`},
		{"unknown key", "      notify_within_days: 5\n", "      notify_within_days: 5\n      notify: soon\n", `unknown key "notify"`},
		{"twice", "    - key: acme\n      name: Acme Shops\n", "    - key: acme\n      name: Acme Shops\n      contact: {how: ask}\n      agreement: {reference: x, date: 2024-01-01}\n      notify_within_days: 1\n      categories: [user.content]\n      purposes: [essential.service]\n    - key: acme\n      name: Acme Shops\n",
			`controller "acme" is declared twice`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := minimal + onBehalf
			if !strings.Contains(src, tc.from) {
				t.Fatalf("case does not apply: %q", tc.from)
			}
			src = strings.Replace(src, tc.from, tc.to, 1)
			_, err := newLoader(t).Parse("m.yaml", []byte(src))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want problems", err)
			}
			if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("problems:\n%v\nwant one with %q", err, tc.want)
			}
		})
	}
}

func TestOnBehalfNotice(t *testing.T) {
	t.Parallel()
	p, err := newLoader(t).Parse("m.yaml", []byte(minimal+onBehalf))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range formats {
		out := plain(format, render(t, p.Manifest, format, RenderOptions{}))
		for _, want := range []string{
			"In connection with hosting our customers' shops, Example processes the shop data our customers keep with us (“Customer Content”) on behalf of and at the direction of our customers, as well as access logs that we collect for security across our services.",
			"Our use of such Customer Content and log data is subject to the terms of our hosting agreements and is not governed by this Privacy Notice.",
			"If your request concerns Customer Content we process for Acme Shops, please contact dpo@acme.example",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the notice does not say %q:\n%s", format, want, out)
			}
		}
	}
	small, err := newLoader(t).Parse("m.yaml", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if out := plain(NoticeMarkdown, render(t, small.Manifest, NoticeMarkdown, RenderOptions{})); strings.Contains(out, "on behalf of") {
		t.Error("a manifest without processing_on_behalf rendered a paragraph on it")
	}
}

func TestOnBehalfDiff(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	base, err := l.Parse("old.yaml", []byte(minimal+onBehalf))
	if err != nil {
		t.Fatal(err)
	}
	newController := "    - key: globex\n      name: Globex\n      contact: {how: ask Globex}\n      agreement: {reference: DPA-9, date: 2024-03-01}\n      notify_within_days: 3\n      categories: [user.content]\n      purposes: [essential.service]\n"
	cases := []struct {
		name, from, to string
		material       bool
		want           string
	}{
		{"new controller", "", newController, true, "processing_on_behalf globex: new controller"},
		{"newly covered category", "[user.content, user.authorization, user.contact.email]", "[user.content, user.authorization, user.contact.email, user.contact.phone_number]", true,
			`processing_on_behalf acme: the agreement now covers the category "user.contact.phone_number"`},
		{"newly covered use", "purposes: [essential.service]", "purposes: [essential.service, essential.service.security]", true, `now covers the use "essential.service.security"`},
		{"new reserved category", "    - key: user.content\n      description: shop data\n", "    - key: user.content\n      description: shop data\n    - key: user.unique_id\n      description: ids\n", true, "processing_on_behalf user.unique_id: new reserved category"},
		{"contact changed", "dpo@acme.example", "privacy@acme.example", false, "acme: the controller's name, contact"},
		{"narrower coverage", "[user.content, user.authorization, user.contact.email]", "[user.content, user.authorization]", false, "acme: the controller's name, contact"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := minimal + onBehalf
			if c.from == "" {
				src += c.to
			} else {
				src = strings.Replace(src, c.from, c.to, 1)
			}
			if c.name == "new reserved category" {
				src = strings.Replace(src, "user.authorization, user.contact.email]", "user.authorization, user.contact.email, user.unique_id]", 1)
			}
			if c.name == "newly covered category" {
				src = strings.Replace(src, "information_types:\n", "  - key: user.contact.phone_number\n    description: phone\n    ccpa: identifiers\ninformation_types:\n  - text: phone\n    categories: [user.contact.phone_number]\n", 1)
			}
			next, err := l.Parse("new.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var got []Change
			for _, ch := range Diff(base.Manifest, next.Manifest) {
				if ch.Section == "processing_on_behalf" {
					got = append(got, ch)
				}
			}
			found := false
			for _, ch := range got {
				if strings.Contains(ch.String(), c.want) {
					found = true
					if ch.Material != c.material {
						t.Errorf("%v: material = %v, want %v", ch, ch.Material, c.material)
					}
				}
			}
			if !found {
				t.Fatalf("changes %v, want one with %q", got, c.want)
			}
		})
	}
	if cs := Diff(base.Manifest, base.Manifest); len(cs) != 0 {
		t.Errorf("a manifest differs from itself: %v", cs)
	}
}
