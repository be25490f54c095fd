package mail

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	testOrg = Org{
		Name:          "Clientwise & Co",
		Email:         "privacy@clientwise.com",
		Phone:         "+1 555 0100",
		PostalAddress: "1 Main Street\nSpringfield, IL 62701",
	}
	testDue = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	evil    = `<script>alert("x")</script>`
)

// composeCases has one valid data value per template, each with user
// provided text that must be escaped in HTML.
func composeCases() []struct {
	name     string
	data     any
	wantText []string // substrings of the text part
} {
	return []struct {
		name     string
		data     any
		wantText []string
	}{
		{TemplateVerificationCode, VerificationCode{Organisation: testOrg, Code: "042917", Purpose: "a copy of your personal data " + evil},
			[]string{"042917", "valid for 10 minutes", "confirm your request for a copy of your personal data"}},
		{TemplateRequestReceived, RequestReceived{Organisation: testOrg, RequestID: "R-1", Request: "your request to delete your personal data " + evil,
			Received: testDue.AddDate(0, 0, -45), Due: testDue, StatusURL: "https://privacy.clientwise.com/requests/R-1?t=a&b"},
			[]string{"1 March 2027", "15 January 2027", "R-1", "https://privacy.clientwise.com/requests/R-1?t=a&b"}},
		{TemplateRequestExtended, RequestExtended{Organisation: testOrg, RequestID: "R-5", Request: "your request for a copy of your personal information",
			Due: testDue, Reason: "Your request covers ten years of records " + evil, StatusURL: "https://privacy.clientwise.com/requests/R-5"},
			[]string{"We need more time to complete your request for a copy", "respond by 1 March 2027", "ten years of records", "https://privacy.clientwise.com/requests/R-5"}},
		{TemplateRequestCompleted, &RequestCompleted{Organisation: testOrg, RequestID: "R-2 " + evil, ResultsURL: "https://privacy.clientwise.com/results/abc", ExpiresAt: testDue},
			[]string{"We have completed your request", "https://privacy.clientwise.com/results/abc", "until 1 March 2027"}},
		{TemplateRequestDenied, RequestDenied{Organisation: testOrg, RequestID: "R-3", Reason: "We could not verify your identity.\n\n" + evil,
			AppealURL: "https://privacy.clientwise.com/appeal/R-3", Authority: "the California Attorney General"},
			[]string{"We could not verify your identity.", evil, "appeal", "https://privacy.clientwise.com/appeal/R-3", "complaint with the California Attorney General"}},
		{TemplateErasureNotice, ErasureNotice{Organisation: testOrg, Recipient: "Acme Ads " + evil, RequestID: "R-4",
			Identifiers: []Identifier{{Kind: "E-mail", Value: "ana@example.com"}, {Kind: "Customer number", Value: "C-" + evil}},
			Categories:  []string{"Contact details", "Purchase history"}, RespondBy: testDue},
			[]string{"Please erase the personal data", "E-mail: ana@example.com", "Customer number: C-", "Purchase history", "by 1 March 2027", "R-4"}},
		{TemplateControllerNotice, ControllerNotice{Organisation: testOrg, Controller: "Acme Shops " + evil, Agreement: "DPA-7", RequestID: "R-5",
			Asked: "the deletion of their personal information", Identifiers: []Identifier{{Kind: "E-mail", Value: "ana@example.com"}},
			Categories: []string{"Shop data"}},
			[]string{"processes personal data on your behalf under DPA-7", "the deletion of their personal information", "E-mail: ana@example.com", "Shop data", "erase that data, export it to the person, or leave it", "R-5"}},
	}
}

func TestCompose(t *testing.T) {
	t.Parallel()
	if got, want := len(composeCases()), len(Templates()); got != want {
		t.Fatalf("test covers %d templates, package has %d", got, want)
	}
	for _, tt := range composeCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			subject, text, html, err := Compose(tt.name, tt.data)
			if err != nil {
				t.Fatalf("Compose: %v", err)
			}
			if subject == "" || strings.ContainsAny(subject, "\r\n") {
				t.Errorf("subject %q: want one non-empty line", subject)
			}
			for _, want := range append(tt.wantText,
				// The footer: how to reach the company.
				"\n-- \nClientwise & Co\n", "E-mail: privacy@clientwise.com", "Phone: +1 555 0100", "Post: 1 Main Street\n      Springfield, IL 62701") {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "\n\n\n") || strings.HasPrefix(text, "\n") || !strings.HasSuffix(text, "\n") {
				t.Errorf("text has stray blank lines:\n%q", text)
			}
			if strings.Contains(text, "&lt;") || strings.Contains(text, "&amp;") {
				t.Errorf("text part is HTML-escaped:\n%s", text)
			}

			// HTML: a complete, accessible document without external
			// resources, with every value escaped.
			for _, want := range []string{
				"<!DOCTYPE html>", `<html lang="en">`, `<meta charset="utf-8">`, "<title>",
				"Clientwise &amp; Co", `href="mailto:privacy@clientwise.com"`, "Springfield, IL 62701", "1 Main Street<br>Springfield",
			} {
				if !strings.Contains(html, want) {
					t.Errorf("html lacks %q:\n%s", want, html)
				}
			}
			if strings.Contains(html, "<script") {
				t.Errorf("html contains an unescaped <script>:\n%s", html)
			}
			if !strings.Contains(html, "&lt;script&gt;") {
				t.Errorf("html does not show the escaped user text:\n%s", html)
			}
			if regexp.MustCompile(`(?i)<img|<link|src=|url\(`).MatchString(html) {
				t.Errorf("html loads external resources:\n%s", html)
			}
		})
	}
}

// A composed message goes out through a Sender and reads back unchanged.
func TestComposeSend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := NewMaildir(dir, "Clientwise Privacy <privacy@clientwise.com>")
	if err != nil {
		t.Fatal(err)
	}
	subject, text, html, err := Compose(TemplateVerificationCode, VerificationCode{Organisation: Org{Name: "Clientwise Ünited", Email: "privacy@clientwise.com"}, Code: "123456", Purpose: "a copy of your personal information", ValidMinutes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "valid for 1 minute.") {
		t.Errorf("text: %s", text)
	}
	if err := d.Send(context.Background(), Message{To: "ana@example.com", Subject: subject, Text: text, HTML: html, ID: "vc-1"}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "new"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("new/: %v %v", entries, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "new", entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, raw)
	if p.subject != "Your Clientwise Ünited verification code" || p.text != text || p.html != html {
		t.Errorf("read back subject %q, text %q", p.subject, p.text)
	}
}

func TestComposeErrors(t *testing.T) {
	t.Parallel()
	noContact := Org{Name: "Clientwise"}
	tests := []struct {
		name     string
		template string
		data     any
		wantErr  string
	}{
		{"unknown template", "welcome", VerificationCode{}, "unknown template"},
		{"wrong data type", TemplateVerificationCode, RequestDenied{}, "want mail.VerificationCode"},
		{"nil pointer", TemplateRequestDenied, (*RequestDenied)(nil), "nil"},
		{"no organisation name", TemplateVerificationCode, VerificationCode{Organisation: Org{Email: "a@b.c"}, Code: "123456", Purpose: "x"}, "Organisation.Name"},
		{"no way to reach the company", TemplateVerificationCode, VerificationCode{Organisation: noContact, Code: "123456", Purpose: "x"}, "at least one of"},
		{"code not six digits", TemplateVerificationCode, VerificationCode{Organisation: testOrg, Code: "12345a", Purpose: "x"}, "6 digits"},
		{"no purpose", TemplateVerificationCode, VerificationCode{Organisation: testOrg, Code: "123456"}, "Purpose"},
		{"no due date", TemplateRequestReceived, RequestReceived{Organisation: testOrg}, "Due"},
		{"status link not http", TemplateRequestReceived, RequestReceived{Organisation: testOrg, Due: testDue, StatusURL: "javascript:alert(1)"}, "StatusURL"},
		{"extension without reason", TemplateRequestExtended, RequestExtended{Organisation: testOrg, Due: testDue}, "Reason"},
		{"extension without date", TemplateRequestExtended, RequestExtended{Organisation: testOrg, Reason: "Many records."}, "Due"},
		{"no results link", TemplateRequestCompleted, RequestCompleted{Organisation: testOrg}, "ResultsURL"},
		{"no reason", TemplateRequestDenied, RequestDenied{Organisation: testOrg, Reason: " "}, "Reason"},
		{"no identifiers", TemplateErasureNotice, ErasureNotice{Organisation: testOrg, Identifiers: []Identifier{{Kind: "E-mail"}}}, "Identifiers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, _, err := Compose(tt.template, tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Compose() error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

// Without an appeal link or authority the denial still says how to appeal
// and where to complain.
func TestComposeDeniedDefaults(t *testing.T) {
	t.Parallel()
	_, text, html, err := Compose(TemplateRequestDenied, RequestDenied{Organisation: testOrg, Reason: "Too many requests."})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{text, html} {
		for _, want := range []string{"by replying to this message or by writing to", "privacy@clientwise.com", "a data-protection supervisory authority", "your request"} {
			if !strings.Contains(s, want) {
				t.Errorf("lacks %q:\n%s", want, s)
			}
		}
	}
}

// A branded organisation's mail opens with its name and logo and colours
// its links with its accent; a colour that is not #rrggbb is not written
// into a style attribute.
func TestComposeBranded(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		org        Org
		want, none []string
	}{
		{Org{Name: "Example Ltd", Email: "privacy@example.com", DisplayName: "Example Shop", Accent: "#6a1b9a", LogoURL: "https://cdn.example.com/logo.png"},
			[]string{"<strong>Example Shop</strong>", `src="https://cdn.example.com/logo.png"`, "color:#6a1b9a", "border-bottom:3px solid #6a1b9a"}, []string{"#0b57d0"}},
		{Org{Name: "Example Ltd", Email: "privacy@example.com", Accent: "red;background:url(x)"},
			[]string{"color:#0b57d0"}, []string{"url(x)", "<header"}},
	} {
		_, _, html, err := Compose(TemplateRequestCompleted, RequestCompleted{Organisation: c.org, Request: "your request", ResultsURL: "https://custos.example/r"})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: no %s in %s", c.org.DisplayName, w, html)
			}
		}
		for _, n := range c.none {
			if strings.Contains(html, n) {
				t.Errorf("%s: %s should not be in %s", c.org.DisplayName, n, html)
			}
		}
	}
}
