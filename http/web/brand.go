package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/custos-privacy/custos/policy"
)

// Branding is the manifest's branding as the pages use it. The logo and the
// colour were validated when the manifest was loaded (policy.Branding), so
// they are trusted as a URL and a CSS value here.
type Branding struct {
	Name   string
	Logo   template.URL
	Accent template.CSS
	// logoOrigin is the https origin of a logo served from elsewhere, which
	// the pages' CSP must then allow as an image source.
	logoOrigin string
}

// BrandingOf reads m's branding; the display name falls back to the
// organisation's short name.
func BrandingOf(m *policy.Manifest) Branding {
	if m == nil {
		return Branding{}
	}
	b := Branding{Name: m.Organisation.ShortName}
	if x := m.Branding; x != nil {
		if x.Name != "" {
			b.Name = x.Name
		}
		b.Logo = template.URL(x.Logo)
		if x.Accent != "" {
			b.Accent = template.CSS(x.Accent)
		}
		if u, err := url.Parse(x.Logo); err == nil && u.Scheme == "https" && u.Host != "" {
			b.logoOrigin = "https://" + u.Host
		}
	}
	return b
}

// CSP is ContentSecurityPolicy, widened only to the logo's own origin when
// the logo is an https URL.
func (b Branding) CSP() string {
	if b.logoOrigin == "" {
		return ContentSecurityPolicy
	}
	return strings.Replace(ContentSecurityPolicy, "img-src 'self' data:", "img-src 'self' data: "+b.logoOrigin, 1)
}

// branding reads the branding of the policy in force; a failure to read
// the policy leaves the pages unbranded rather than failing them.
func (d Deps) branding(ctx context.Context) Branding {
	if d.Policies == nil {
		return Branding{}
	}
	p, _, err := d.Policies.Active(ctx)
	if err != nil {
		return Branding{}
	}
	return BrandingOf(p.Manifest)
}

// langFromHeader is the browser's preferred language among the pages'.
func (Deps) langFromHeader(r *http.Request) string {
	return acceptLang(r)
}
