package policy

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// Branding is how the company's pages and mails look: its name as people
// know it, a logo and one accent colour. All three are optional; without
// them the pages use Custos' own neutral look.
type Branding struct {
	// Name is the organisation's display name in page headers and mails;
	// empty means organisation.short_name.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Logo is an https URL or a data: URL of an image (PNG, JPEG, GIF,
	// WebP or SVG) of at most MaxLogoBytes.
	Logo string `yaml:"logo,omitempty" json:"logo,omitempty"`
	// Accent is a colour #rrggbb used for buttons and links: white text on
	// it and it on white must both reach WCAG AA (4.5:1).
	Accent string `yaml:"accent,omitempty" json:"accent,omitempty"`
}

// MaxLogoBytes bounds a data: logo, which is inlined into every page and
// mail: a logo is a few kilobytes, and a larger one slows every page.
const MaxLogoBytes = 32 << 10

// MinContrast is WCAG 2.x success criterion 1.4.3 (level AA) for normal
// text.
const MinContrast = 4.5

var logoTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}

func checkBranding(v *validation, b *Branding) {
	if b == nil {
		return
	}
	if len(b.Name) > 100 || strings.ContainsFunc(b.Name, unicode.IsControl) {
		v.atPath([]string{"branding", "name"}, "the display name is one line of at most 100 characters")
	}
	if b.Logo != "" {
		if msg := logoProblem(b.Logo); msg != "" {
			v.atPath([]string{"branding", "logo"}, msg)
		}
	}
	if b.Accent != "" {
		ratio, err := ContrastWithWhite(b.Accent)
		switch {
		case err != nil:
			v.atPath([]string{"branding", "accent"}, err.Error())
		case ratio < MinContrast:
			v.atPath([]string{"branding", "accent"}, fmt.Sprintf("%s against white has a contrast ratio of %.2f:1; WCAG AA needs at least %.1f:1 for text, so choose a darker shade", b.Accent, ratio, MinContrast))
		}
	}
}

// logoProblem says what is wrong with a logo reference, or "".
func logoProblem(s string) string {
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		meta, payload, ok := strings.Cut(rest, ",")
		mime, enc, _ := strings.Cut(meta, ";")
		if !ok || !contains(logoTypes, strings.ToLower(mime)) || enc != "base64" {
			return "a data: logo is data:<type>;base64,<data> with type one of " + strings.Join(logoTypes, ", ")
		}
		if base64.StdEncoding.DecodedLen(len(payload)) > MaxLogoBytes+3 {
			return fmt.Sprintf("the logo is over %d bytes; use a smaller image or an https URL", MaxLogoBytes)
		}
		raw, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			return "the data: logo is not valid base64"
		}
		if len(raw) > MaxLogoBytes {
			return fmt.Sprintf("the logo is over %d bytes; use a smaller image or an https URL", MaxLogoBytes)
		}
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(s) > 2048 {
		return "the logo is an https:// URL (at most 2048 characters) or a data:image/… URL"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ContrastWithWhite is the WCAG 2.x contrast ratio between the colour hex
// (#rrggbb) and white: (L1 + 0.05) / (L2 + 0.05) with L the relative
// luminance (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).
func ContrastWithWhite(hex string) (float64, error) {
	l, err := luminance(hex)
	if err != nil {
		return 0, err
	}
	return (1 + 0.05) / (l + 0.05), nil
}

// luminance is WCAG 2.x relative luminance
// (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance).
func luminance(hex string) (float64, error) {
	if len(hex) != 7 || hex[0] != '#' {
		return 0, fmt.Errorf("%q is not a colour: write it as #rrggbb, such as #0b4f9c", hex)
	}
	var c [3]float64
	for i := range c {
		n, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return 0, fmt.Errorf("%q is not a colour: write it as #rrggbb, such as #0b4f9c", hex)
		}
		s := float64(n) / 255
		// 0.04045 is the sRGB threshold WCAG 2.2 gives (2.0 printed
		// 0.03928; no 8-bit value lies between the two).
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2], nil
}
