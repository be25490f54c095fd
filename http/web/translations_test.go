package web

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
)

// TestAnswerPageUsesTranslations: the answer page, read in German, names
// the categories and purposes the manifest translates in German and the
// rest as the answer was sealed; in English it is as sealed.
func TestAnswerPageUsesTranslations(t *testing.T) {
	t.Parallel()
	l, err := policy.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../policy/testdata/translated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Parse("translated.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	value := "pia@example.com"
	pkg := requests.Package{
		Request: requests.PackageRequest{ID: "r1", Type: "access", Jurisdiction: "DE", ReceivedAt: time.Unix(1e9, 0), CompletedAt: time.Unix(1e9, 0)},
		Pieces: []requests.Piece{
			{Category: "user.contact.email", Description: "Email address", Value: &value, Source: "you", Purpose: "marketing.communications.email"},
			{Category: "user.name", Description: "Name", Value: &value, Source: "you", Purpose: "essential.service"},
		},
		Categories: []requests.Named{{Key: "user.contact.email", Description: "Email address"}, {Key: "user.name", Description: "Name"}},
		Purposes:   []requests.Named{{Key: "marketing.communications.email", Description: "Newsletter"}, {Key: "essential.service", Description: "Providing widgets"}},
	}
	render := func(lang string) string {
		t.Helper()
		var b strings.Builder
		r := httptest.NewRequest("GET", "/api/v1/privacy-requests/r1/result?format=html&lang="+lang, nil)
		if err := RenderResult(&b, r, pkg, p.Manifest, BrandingOf(p.Manifest)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	de := render("de")
	for _, want := range []string{
		"<tr><td>E-Mail-Adresse</td>", "<li>E-Mail-Adresse</li>", "<td>Newsletter-Versand</td>", "<li>Newsletter-Versand</li>",
		"<tr><td>Name</td>", "<li>Name</li>", "<td>Providing widgets</td>", "<li>Providing widgets</li>",
	} {
		if !strings.Contains(de, want) {
			t.Errorf("the German answer page lacks %q", want)
		}
	}
	en := render("en")
	if strings.Contains(en, "E-Mail-Adresse") || strings.Contains(en, "Newsletter-Versand") || !strings.Contains(en, "<li>Email address</li>") {
		t.Error("the English answer page is not as sealed")
	}
}
