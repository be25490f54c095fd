package policy

import (
	"bytes"
	"errors"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The policy the bundled manifest encodes. CI has the shared directory
// beside the repository; without it the tests fall back to the lists below.
var policyFile = filepath.Join("..", "..", "shared", "policy", "clientwise-privacy-policy.txt")

const (
	useIntro   = "We use the information we obtain to:"
	typesIntro = "The types of personal information we obtain include:"
)

// Fallbacks: the policy's lists, as printed, for when its file is absent.
var policyLists = map[string][]string{
	useIntro: {
		"provide and administer our products and services (including websites and apps for which you have registered);",
		"process and fulfill orders in connection with our products and services and keep you informed about the status of your order;",
		"help you complete a transaction or order and provide customer support;",
		"bill you for products and services you purchased;",
		"provide training, support and consulting services;",
		"create and manage your account with Clientwise;",
		"operate, evaluate and improve our business (such as by administering, developing, enhancing and improving our products and services; managing our communications and customer relationships; and performing accounting, auditing, billing, reconciliation and collection activities);",
		"perform data analytics (such as research, trend analysis, financial analysis and customer segmentation);",
		"communicate with you about your account and orders (including sending emails relating to your registration, account status, order confirmations, renewal or expiration notices and other important information);",
		"conduct advertising, marketing and sales activities (including sending you promotional materials, generating leads, pursuing marketing prospects, performing market research, determining and managing the effectiveness of our advertising and marketing campaigns and managing our brand);",
		"communicate with you about, and administer your participation in, events, programs, promotions and surveys;",
		"connect employees with their enterprise account administrator;",
		"verify your identity and protect your account against unauthorized use or abuse of our services;",
		"protect against, identify and prevent fraud and other unlawful activity, claims and other liabilities;",
		"protect the health, safety and security of our employees;",
		"comply with and enforce relevant industry standards, contractual obligations and our policies;",
		"maintain and enhance the security of our Online Channels, products, services, network services, information resources and employees; and",
		"respond to your inquiries.",
	},
	typesIntro: {
		"contact information (such as name email address, telephone number, postal or other physical address) for you or for others (e.g., principals in your business or billing contacts);",
		"information used to create your online account (such as username and password);",
		"photographs, video images, voice recordings or transcripts;",
		"billing and financial information (such as name, billing address, payment card details and bank account information and purchase history);",
		"IP address and location data (such as data derived from your IP address, country and zip code);",
		"the precise geolocation of your mobile device;",
		"clickstream data and other information about your online activities (such as information about your devices, browsing actions and usage patterns), including across the Online Channels and third-party websites, that we obtain through the use of cookies, web beacons and similar technologies (see our description of Cookies and Similar Technologies below);",
		"time and date related access to events, offices or facilities;",
		"information collected in forms that may be required on-site to access Clientwise facilities;",
		"personal information contained in forums, blogs, and testimonials you provide or that we obtain from publicly available sources (such as social media channels);",
		"information related to participation in classroom or online training, including programs completed and certifications achieved;",
		"information necessary to provide support or other paid consulting services (such as contact details, chat services, support details, and event history);",
		"personal information contained in content you submit to us (such as through our “Contact” feature or other in-product or in-service messaging); and",
		"other personal information we obtain through our Offerings.",
	},
}

// policyText reads the policy, or returns "" when the shared directory is
// not there.
func policyText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(policyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\u00a0", " ")
}

// policyList returns the bullets that follow intro in the policy, without
// the punctuation that runs them into a sentence.
func policyList(t *testing.T, intro string) []string {
	t.Helper()
	var raw []string
	if text := policyText(t); text != "" {
		lines := strings.Split(text, "\n")
		start := -1
		for i, l := range lines {
			if strings.TrimSpace(l) == intro {
				start = i + 1
				break
			}
		}
		if start < 0 {
			t.Fatalf("%s has no line %q", policyFile, intro)
		}
		for _, l := range lines[start:] {
			l = strings.TrimSpace(l)
			if l == "" && len(raw) == 0 {
				continue
			}
			item, ok := strings.CutPrefix(l, "• ")
			if !ok {
				break
			}
			raw = append(raw, item)
		}
	} else {
		raw = policyLists[intro]
	}
	if len(raw) < 5 {
		t.Fatalf("found only %d items after %q", len(raw), intro)
	}
	out := make([]string, len(raw))
	for i, s := range raw {
		out[i] = unpunctuate(s)
	}
	return out
}

var listEnd = regexp.MustCompile(`(;\s*(and|or)|;|\.)$`)

func unpunctuate(s string) string { return listEnd.ReplaceAllString(strings.TrimSpace(s), "") }

func render(t *testing.T, m *Manifest, format string, opts RenderOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, m, format, opts); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return buf.String()
}

var (
	mdLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	tag    = regexp.MustCompile(`<[^>]*>`)
	// mdMarker is what starts a Markdown line: list bullets, headings,
	// quotes and table pipes.
	mdMarker = regexp.MustCompile(`(?m)^(\s*[-*>|#]+ )+`)
	spaces   = regexp.MustCompile(`\s+`)
)

// plain reduces a rendered notice to its words: no links, tags, escapes or
// line breaks.
func plain(format, s string) string {
	if format == NoticeHTML {
		s = html.UnescapeString(tag.ReplaceAllString(s, " "))
	} else {
		s = mdMarker.ReplaceAllString(s, "")
		s = mdLink.ReplaceAllString(s, "$1")
		s = regexp.MustCompile(`\\(.)`).ReplaceAllString(s, "$1")
	}
	return spaces.ReplaceAllString(s, " ")
}

var formats = []string{NoticeMarkdown, NoticeHTML}

func TestRenderListsEveryUseAndType(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	for _, format := range formats {
		text := plain(format, render(t, m, format, RenderOptions{}))
		for _, intro := range []string{useIntro, typesIntro} {
			if !strings.Contains(text, intro) {
				t.Errorf("%s: %q is missing", format, intro)
			}
			for _, item := range policyList(t, intro) {
				if !strings.Contains(text, item) {
					t.Errorf("%s: the notice does not list %q", format, item)
				}
			}
		}
	}
}

// The rendered notice says everything the policy says. Lines listed here are
// worded from the data rather than copied; each is checked in part.
func TestRenderReproducesThePolicy(t *testing.T) {
	t.Parallel()
	text := policyText(t)
	if text == "" {
		t.Skip(policyFile + " is not present")
	}
	derived := map[string][]string{
		"We offer you certain choices": {
			"We offer you certain choices in connection with the personal information we obtain about you, such as how we use the information and how we communicate with you.",
			"You can also unsubscribe from our mailing lists by following the “Unsubscribe” link in our emails.",
		},
		"To the extent provided by the law of your jurisdiction": {
			"access the personal information we maintain about you",
			"correct, update or amend your personal information",
			"delete your personal information",
			"restrict the processing of your personal information",
			"To help protect your privacy and maintain security, we may take steps to verify your identity",
			"To the extent permitted by applicable law, a charge may apply before we provide you with a copy of any of your personal information that we maintain.",
			"Depending on your location, you may have the right to file a complaint with a government regulator if you are not satisfied with our response.",
		},
		"You also may have the right to request that we provide you with": {
			"You also may have the right to request that we provide you with (1) a list of certain categories of personal information we have disclosed to third parties for their direct marketing purposes during the immediately preceding calendar year and (2) the identity of those third parties.",
			"In addition, you have the right to request that we delete the personal information we have collected from you.",
		},
		"To submit a request related to other rights": {
			"you may contact us as specified in the How to Contact Us section of the Clientwise Privacy Policy above.",
			"To help protect your privacy and maintain security, we take steps to verify your identity before granting you access to your personal information or complying with your request.",
			"To the extent permitted by applicable law, we may charge a reasonable fee to comply with your request.",
		},
	}
	m := bundledPolicy(t).Manifest
	for _, format := range formats {
		out := plain(format, render(t, m, format, RenderOptions{}))
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			want := []string{unpunctuate(strings.TrimPrefix(line, "• "))}
			for prefix, parts := range derived {
				if strings.HasPrefix(line, prefix) {
					want = parts
				}
			}
			for _, w := range want {
				if !strings.Contains(out, spaces.ReplaceAllString(w, " ")) {
					t.Errorf("%s: the notice does not say %q", format, w)
				}
			}
		}
	}
}

var sections = []struct{ id, heading string }{
	{"personal-information-we-obtain", "Personal Information We Obtain"},
	{"how-we-use-personal-information", "How We Use Personal Information"},
	{"cookies-and-other-technologies", "Cookies and Other Technologies"},
	{"how-we-share-your-personal-information", "How We Share Your Personal Information"},
	{"your-rights-and-choices", "Your Rights and Choices"},
	{"how-we-protect-personal-information", "How We Protect Personal Information"},
	{"retention-of-personal-information", "Retention of Personal Information"},
	{"notice-to-california-residents", "Notice to California Residents"},
	{"childrens-personal-information", "Children’s Personal Information"},
	{"changes-to-our-policy", "Changes to Our Privacy Policy"},
	{"how-to-contact-us", "How to Contact Us"},
	{"california-consumer-privacy-statement", "California Consumer Privacy Statement"},
}

func TestRenderSections(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	md := render(t, m, NoticeMarkdown, RenderOptions{})
	doc := render(t, m, NoticeHTML, RenderOptions{})
	if !strings.HasPrefix(md, "# Privacy Policy\n") {
		t.Errorf("md: does not open with the title: %.40q", md)
	}
	for _, s := range sections {
		if !strings.Contains(md, "\n## "+s.heading+"\n") {
			t.Errorf("md: no section %q", s.heading)
		}
		if !strings.Contains(doc, `<h2 id="`+s.id+`">`+s.heading+`</h2>`) {
			t.Errorf("html: no section %q with id %q", s.heading, s.id)
		}
	}
	for _, h := range []string{"Collection and Disclosure", "California Consumer Privacy Rights"} {
		if !strings.Contains(md, "\n### "+h+"\n") || !strings.Contains(doc, "<h3>"+h+"</h3>") {
			t.Errorf("no subsection %q", h)
		}
	}
	for _, format := range formats {
		out := render(t, m, format, RenderOptions{Version: 7})
		for _, want := range []string{"Last updated: October 29, 2020", "(version 7)", "Effective: October 29, 2020"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %q is missing", format, want)
			}
		}
		if strings.Contains(render(t, m, format, RenderOptions{}), "(version") {
			t.Errorf("%s: shows a version when none is known", format)
		}
	}
}

// The lists derived from the data, in the order the taxonomy gives.
func TestRenderDerivedLists(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	for _, format := range formats {
		out := plain(format, render(t, m, format, RenderOptions{}))
		ordered := [][]string{
			{ // legal bases
				"performance of a contract with you or a relevant party;",
				"our legitimate business interests;",
				"compliance with a legal obligation, a court order, or to exercise or defend legal claims; or",
				"your consent to the processing, which you can revoke at any time.",
			},
			{ // California business purposes
				"auditing related to a current interaction",
				"detecting security incidents",
				"debugging to identify and repair errors",
				"short-term, transient use",
				"performing services, including maintaining or servicing accounts",
				"undertaking internal research",
				"undertaking activities to verify or maintain the quality or safety",
			},
		}
		for _, list := range ordered {
			at := 0
			for _, item := range list {
				i := strings.Index(out[at:], item)
				if i < 0 {
					t.Errorf("%s: %q is missing or out of order", format, item)
					break
				}
				at += i
			}
		}
		for _, want := range []string{
			"Where required by applicable law, we will obtain your consent for the processing of your personal information for direct marketing purposes.",
			"You may have the right to request, twice in a 12-month period, the following information",
			"Sold or shared the following categories of personal information about you:",
			"third-party marketers (who may combine your personal information",
			"vendors who provide services on our behalf",
			"(4) to establish, exercise or defend our legal rights, and (5) in connection with an investigation",
			"You may also have the right to opt out of the sale or sharing of your personal information.",
			"We will not deny, charge different prices for, or provide a different level or quality of goods or services if you choose to exercise these rights.",
			"Sign-in session",
			"Persistent, 13 months",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %q is missing", format, want)
			}
		}
		if strings.Contains(out, "providing advertising and marketing services, except for cross-context") {
			t.Errorf("%s: lists a business purpose no purpose serves", format)
		}
		if strings.Contains(out, "We have not sold or shared") || strings.Contains(out, "We do not sell your personal information") {
			t.Errorf("%s: says nothing is sold though third-party marketers receive personal information", format)
		}
	}
}

func TestRenderHTMLDocument(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	doc := render(t, m, NoticeHTML, RenderOptions{})
	for _, want := range []string{
		"<!doctype html>\n<html lang=\"en-US\">", `<meta charset="utf-8">`, `<meta name="viewport"`,
		"<title>Clientwise Privacy Policy</title>", "<style>", "<main>", "max-width: 48rem",
		`<a href="mailto:support@clientwiseportal.com">support@clientwiseportal.com</a>`,
		"<caption>", `<th scope="col">Name</th>`, "<td>Sign-in session</td>",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("html: %q is missing", want)
		}
	}
	if n := strings.Count(doc, "<h1"); n != 1 {
		t.Errorf("html: %d h1 elements, want 1", n)
	}
	if n := strings.Count(doc, "<h2"); n != len(sections) {
		t.Errorf("html: %d h2 elements, want %d", n, len(sections))
	}
	for _, banned := range []string{"<script", "http://", "https://", " style=", "<link", "<img", "data-custos-upcoming"} {
		if strings.Contains(doc, banned) {
			t.Errorf("html: contains %q", banned)
		}
	}
	if err := balanced(doc); err != nil {
		t.Errorf("html: %v", err)
	}
}

// balanced checks that every element is closed, in order: enough to catch a
// broken template without an HTML parser.
func balanced(doc string) error {
	void := map[string]bool{"meta": true, "link": true, "br": true, "hr": true, "img": true, "input": true, "col": true, "area": true, "base": true, "source": true, "wbr": true}
	var open []string
	for _, m := range regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`).FindAllStringSubmatch(doc, -1) {
		name := strings.ToLower(m[2])
		switch {
		case void[name]:
		case m[1] == "":
			open = append(open, name)
		case len(open) == 0 || open[len(open)-1] != name:
			return errors.New("</" + name + "> closes " + strings.Join(open, ">"))
		default:
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return errors.New("unclosed: " + strings.Join(open, ", "))
	}
	return nil
}

func TestRenderUpcoming(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	opts := RenderOptions{Upcoming: []Upcoming{{
		EffectiveAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Changes:     []string{"We will share <contact details> with event sponsors."},
	}}}
	tests := []struct {
		format string
		opts   RenderOptions
		want   []string
		absent []string
	}{
		{NoticeMarkdown, opts, []string{"> **Upcoming changes to this policy, effective March 1, 2026:**", "> - We will share \\<contact details\\> with event sponsors."}, nil},
		{NoticeHTML, opts, []string{`<aside role="note" class="upcoming" data-custos-upcoming>`, "Upcoming changes to this policy, effective March 1, 2026:", "<li>We will share &lt;contact details&gt; with event sponsors.</li>"}, nil},
		{NoticeMarkdown, RenderOptions{}, nil, []string{"Upcoming changes"}},
		{NoticeHTML, RenderOptions{}, nil, []string{"Upcoming changes", "<aside"}},
	}
	for _, tt := range tests {
		out := render(t, m, tt.format, tt.opts)
		if tt.format == NoticeHTML {
			if err := balanced(out); err != nil {
				t.Errorf("html: %v", err)
			}
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: %q is missing", tt.format, w)
			}
		}
		for _, a := range tt.absent {
			if strings.Contains(out, a) {
				t.Errorf("%s: %q shown without upcoming changes", tt.format, a)
			}
		}
		if len(tt.want) > 0 && strings.Index(out, "Upcoming changes") > strings.Index(out, "Personal Information We Obtain") {
			t.Errorf("%s: the upcoming changes are not near the top", tt.format)
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	for _, format := range []string{"pdf", "", "HTML", "markdown"} {
		var buf bytes.Buffer
		err := Render(&buf, m, format, RenderOptions{})
		if err == nil || !strings.Contains(err.Error(), `"md"`) || !strings.Contains(err.Error(), `"html"`) {
			t.Errorf("format %q: error %v, want one naming md and html", format, err)
		}
		if buf.Len() > 0 {
			t.Errorf("format %q: wrote %d bytes", format, buf.Len())
		}
	}
	if err := Render(&bytes.Buffer{}, nil, NoticeHTML, RenderOptions{}); err == nil {
		t.Error("rendering no manifest did not fail")
	}
}

// A small company: no California statement, nothing sold, no cookies, and
// the generic wording where it wrote no prose of its own.
const acmeManifest = `
custos: policy/v1
organisation:
  name: Acme Widgets Ltd
  short_name: Acme
contact:
  email: privacy@acme.example
  postal_address: 1 High Street, Exampleton
last_updated: "2024-02-01"
notice:
  title: Privacy Notice
  introduction:
    - "Acme Widgets Ltd (“Acme”) makes widgets. This notice explains what we do with personal information."
  security:
    - "We protect personal information with encryption and access controls."
  retention:
    - "We keep personal information only as long as we need it."
categories:
  - key: user.name
    description: Name
    ccpa: identifiers
  - key: user.contact.email
    description: Email address
    ccpa: identifiers
information_types:
  - text: "your name and email address"
    categories: [user.name, user.contact.email]
sources:
  - key: you
    name: You
    description: "from you"
purposes:
  - key: essential.service
    name: Providing widgets
    legal_basis: contract
    uses: ["send you the widgets you order"]
  - key: marketing.communications.email
    name: Newsletter
    legal_basis: consent
    consent: {regimes: {default: opt_in}}
    uses: ["send you our newsletter if you ask for it"]
recipients:
  - key: couriers
    name: Couriers
    kind: service_provider
    description: "with couriers who deliver your widgets"
    sale_or_share: false
    direct_marketing: false
rights:
  fee: none
  jurisdictions:
    - jurisdictions: [default]
      requests: [access, deletion]
children:
  age_threshold: 13
  directed_to_children: false
  deletion_window: 30d
retention:
  rules:
    - category: user.contact.email
      purpose: marketing.communications.email
      duration: 2 years
      trigger: last_activity
      reason: "We stop sending the newsletter to people who no longer read it"
changes:
  notice_of_material_changes: email
  notice_days: 30
`

func TestRenderSmallManifest(t *testing.T) {
	t.Parallel()
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Parse("acme.yaml", []byte(acmeManifest))
	if err != nil {
		t.Fatalf("the test manifest does not validate:\n%v", err)
	}
	for _, format := range formats {
		raw := render(t, p.Manifest, format, RenderOptions{})
		out := plain(format, raw)
		for _, want := range []string{
			"Privacy Notice", "Last updated: February 1, 2024",
			"We use the information we obtain to: send you the widgets you order; and send you our newsletter if you ask for it.",
			"performance of a contract with you or a relevant party; or your consent to the processing, which you can revoke at any time.",
			"with couriers who deliver your widgets.",
			"We do not sell your personal information",
			"You may ask to: access the personal information we maintain about you; and delete your personal information.",
			"We do not charge a fee for responding to your requests.",
			"not directed to children under the age of 13", "we will delete it within 30 days",
			"Changes to Our Privacy Notice", "we will notify you by email at least 30 days before they take effect",
			"please contact us by email at privacy@acme.example", "Postal address: 1 High Street, Exampleton",
			"2 years after your last activity", "We stop sending the newsletter",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %q is missing", format, want)
			}
		}
		for _, absent := range []string{
			"California", "our legitimate business interests", "Cookies and Other Technologies",
			"direct marketing purposes", "Unsubscribe", "verify your identity", "complaint",
			"Clientwise", "Everywhere else",
		} {
			if strings.Contains(out, absent) {
				t.Errorf("%s: %q should not appear", format, absent)
			}
		}
		if format == NoticeHTML {
			if !strings.Contains(raw, `<html lang="en">`) || !strings.Contains(raw, `<a href="mailto:privacy@acme.example">`) {
				t.Error("html: no default language or no mailto link")
			}
			if n := strings.Count(raw, "<h2"); n != len(sections)-3 {
				t.Errorf("html: %d sections, want %d", n, len(sections)-3)
			}
			if err := balanced(raw); err != nil {
				t.Errorf("html: %v", err)
			}
		}
	}
}

// retentionTableRow is a row of the notice's retention table: the
// descriptions of the information it covers and its other cells, as text.
type retentionTableRow struct {
	info  []string
	cells []string
}

var (
	htmlRow  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	htmlCell = regexp.MustCompile(`(?s)<t[dh][^>]*>(.*?)</t[dh]>`)
	htmlItem = regexp.MustCompile(`(?s)<li>(.*?)</li>`)
	mdUnesc  = regexp.MustCompile(`\\(.)`)
)

// retentionSection returns the retention section of a rendered notice.
func retentionSection(t *testing.T, format, out string) string {
	t.Helper()
	start, end := "\n## Retention of Personal Information\n", "\n## "
	if format == NoticeHTML {
		start, end = `<h2 id="retention-of-personal-information">`, "</section>"
	}
	i := strings.Index(out, start)
	if i < 0 {
		t.Fatalf("%s: no retention section", format)
	}
	s := out[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		s = s[:j]
	}
	return s
}

// retentionTable parses the retention table of a rendered notice, header
// row first.
func retentionTable(t *testing.T, format, out string) []retentionTableRow {
	t.Helper()
	section := retentionSection(t, format, out)
	var rows []retentionTableRow
	if format == NoticeHTML {
		for _, tr := range htmlRow.FindAllStringSubmatch(section, -1) {
			var cells []string
			for _, td := range htmlCell.FindAllStringSubmatch(tr[1], -1) {
				cells = append(cells, td[1])
			}
			if len(cells) == 0 {
				t.Fatalf("html: a retention row without cells: %q", tr[0])
			}
			var row retentionTableRow
			if items := htmlItem.FindAllStringSubmatch(cells[0], -1); items != nil {
				for _, li := range items {
					row.info = append(row.info, html.UnescapeString(li[1]))
				}
			} else {
				row.info = []string{html.UnescapeString(cells[0])}
			}
			for _, c := range cells[1:] {
				row.cells = append(row.cells, html.UnescapeString(c))
			}
			rows = append(rows, row)
		}
		return rows
	}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| ---") {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "| "), " |"), " | ")
		var row retentionTableRow
		for _, item := range strings.Split(cells[0], "; ") {
			row.info = append(row.info, mdUnesc.ReplaceAllString(item, "$1"))
		}
		for _, c := range cells[1:] {
			row.cells = append(row.cells, mdUnesc.ReplaceAllString(c, "$1"))
		}
		rows = append(rows, row)
	}
	return rows
}

// retentionRowFor returns the row that lists a description, failing the
// test unless exactly one does.
func retentionRowFor(t *testing.T, format string, rows []retentionTableRow, description string) retentionTableRow {
	t.Helper()
	var found []retentionTableRow
	for _, r := range rows {
		if slices.Contains(r.info, description) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Errorf("%s: %q is in %d rows of the retention table, want 1", format, description, len(found))
		return retentionTableRow{}
	}
	return found[0]
}

func TestRenderRetention(t *testing.T) {
	t.Parallel()
	m := bundledPolicy(t).Manifest
	described := map[string]string{}
	for _, c := range m.Categories {
		described[c.Key] = c.Description
	}
	reasons := map[string]string{}
	for _, r := range m.Retention.Rules {
		if r.Purpose == "" {
			reasons[r.Category] = r.Reason
		}
	}
	// How the notice words each period of the bundled manifest.
	after := map[string]string{
		"collected":          "after it is collected",
		"last_activity":      "after your last activity",
		"account_closed":     "after your account is closed",
		"relationship_ended": "after our relationship ends",
	}
	spelled := map[string]string{
		"user.behavior.browsing_history": "13 months after it is collected",
		"user.device.cookie_id":          "13 months after it is collected",
		"user.device.ip_address":         "13 months after it is collected",
		"user.location.precise":          "30 days after it is collected",
		"user.sensor":                    "12 months after it is collected",
		"user.content.private":           "3 years after our relationship ends",
		"user.financial.credit_card":     "7 years after it is collected",
		"user.financial.bank_account":    "7 years after it is collected",
		"user.contact.email":             "4 years after your account is closed",
		"user.account.username":          "4 years after your account is closed",
		"user.demographic.profile":       "13 months after your last activity",
	}
	for _, format := range formats {
		out := render(t, m, format, RenderOptions{})
		section := retentionSection(t, format, out)
		paragraph := "we typically retain personal information"
		table := "<table>"
		if format == NoticeMarkdown {
			table = "\n| Personal information | How long we keep it | Why |\n| --- | --- | --- |\n"
		} else {
			for _, want := range []string{"<caption>How long we keep personal information</caption>", `<th scope="col">Personal information</th>`, `<th scope="col">How long we keep it</th>`, `<th scope="col">Why</th>`} {
				if !strings.Contains(section, want) {
					t.Errorf("html: the retention table has no %q", want)
				}
			}
		}
		if i, j := strings.Index(section, paragraph), strings.Index(section, table); i < 0 || j < 0 || i > j {
			t.Errorf("%s: the retention section should keep the company's paragraph (at %d) before the table (at %d)", format, i, j)
		}
		if strings.Contains(section, "Used for") || strings.Contains(section, "All purposes") {
			t.Errorf("%s: no rule is for one purpose, yet the table has a purpose column", format)
		}

		rows := retentionTable(t, format, out)
		if len(rows) < 2 {
			t.Fatalf("%s: the retention table has %d rows", format, len(rows))
		}
		if h := rows[0]; !slices.Equal(h.info, []string{"Personal information"}) || !slices.Equal(h.cells, []string{"How long we keep it", "Why"}) {
			t.Errorf("%s: retention table header %+v", format, h)
		}
		rows = rows[1:]
		for _, tt := range bundledRetention {
			row := retentionRowFor(t, format, rows, described[tt.category])
			if len(row.cells) != 2 {
				continue
			}
			want := tt.duration + " " + after[tt.trigger]
			if s, ok := spelled[tt.category]; ok && s != want {
				t.Fatalf("%s: the test expects both %q and %q", tt.category, s, want)
			}
			if row.cells[0] != want || row.cells[1] != reasons[tt.category] {
				t.Errorf("%s: %s: the row of %q reads %q / %q, want %q / %q", format, tt.category, described[tt.category], row.cells[0], row.cells[1], want, reasons[tt.category])
			}
		}
		for key, want := range spelled {
			if row := retentionRowFor(t, format, rows, described[key]); len(row.cells) == 0 || row.cells[0] != want {
				t.Errorf("%s: %s: %+v, want %q", format, key, row, want)
			}
		}
		// Rules with the same period and reason share a row.
		browsing := retentionRowFor(t, format, rows, described["user.behavior.browsing_history"])
		if !slices.Contains(browsing.info, described["user.device.cookie_id"]) || !slices.Contains(browsing.info, described["user.device.ip_address"]) {
			t.Errorf("%s: browsing history, cookie identifiers and IP addresses should share a row: %q", format, browsing.info)
		}
		if n := len(rows); n >= len(m.Retention.Rules) {
			t.Errorf("%s: %d rows for %d rules: rules kept alike should share a row", format, n, len(m.Retention.Rules))
		}
	}
}

func TestRenderRetentionPurposeAndExtension(t *testing.T) {
	t.Parallel()
	src := strings.Replace(acmeManifest, "      trigger: last_activity\n", "      trigger: last_activity\n      extension: 6 months\n", 1)
	src = strings.Replace(src, "retention:\n  rules:\n", `retention:
  rules:
    - category: user.name
      duration: 1 year
      trigger: account_closed
      reason: "We need it to send you your widgets"
`, 1)
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Parse("acme.yaml", []byte(src))
	if err != nil {
		t.Fatalf("the test manifest does not validate:\n%v", err)
	}
	for _, format := range formats {
		out := render(t, p.Manifest, format, RenderOptions{})
		rows := retentionTable(t, format, out)
		if len(rows) != 3 || !slices.Equal(rows[0].cells, []string{"Used for", "How long we keep it", "Why"}) {
			t.Fatalf("%s: retention table %+v", format, rows)
		}
		if got := retentionRowFor(t, format, rows, "Name").cells; !slices.Equal(got, []string{"All purposes", "1 year after your account is closed", "We need it to send you your widgets"}) {
			t.Errorf("%s: name row %q", format, got)
		}
		if got := retentionRowFor(t, format, rows, "Email address").cells; !slices.Equal(got, []string{
			"Newsletter", "2 years after your last activity, plus up to 6 months where the law requires it", "We stop sending the newsletter to people who no longer read it",
		}) {
			t.Errorf("%s: email row %q", format, got)
		}
	}

	// Without rules, the section is the company's paragraphs alone.
	m := *p.Manifest
	m.Retention = Retention{}
	for _, format := range formats {
		section := retentionSection(t, format, render(t, &m, format, RenderOptions{}))
		if !strings.Contains(section, "We keep personal information only as long as we need it.") ||
			strings.Contains(section, "|") || strings.Contains(section, "<table") || strings.Contains(section, "no longer than the period") {
			t.Errorf("%s: retention section without rules: %q", format, section)
		}
	}
}
