package policy

import (
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"testing"
)

// Known WCAG 2.x ratios against white: #767676 is the lightest grey that
// passes AA, #777777 the darkest that fails.
func TestContrastWithWhite(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		hex  string
		want float64
	}{
		{"#ffffff", 1}, {"#000000", 21}, {"#767676", 4.54}, {"#777777", 4.48}, {"#0b4f9c", 8.04}, {"#FF0000", 4.00},
	} {
		got, err := ContrastWithWhite(c.hex)
		if err != nil || math.Abs(got-c.want) > 0.01 {
			t.Errorf("ContrastWithWhite(%s) = %.3f, %v; want %.2f", c.hex, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "0b4f9c", "#0b4f9", "#0b4f9cc", "#gg0000", "#+1+1+1"} {
		if _, err := ContrastWithWhite(bad); err == nil {
			t.Errorf("ContrastWithWhite(%q) accepted", bad)
		}
	}
}

func TestBranding(t *testing.T) {
	t.Parallel()
	l := newLoader(t)
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nsmall"))
	huge := base64.StdEncoding.EncodeToString(make([]byte, MaxLogoBytes+1))
	cases := []struct {
		name, branding, want string // want "" means valid
	}{
		{"all three", "branding:\n  name: Example Shop\n  logo: https://cdn.example.com/logo.svg\n  accent: \"#0b4f9c\"\n", ""},
		{"data logo", "branding:\n  logo: data:image/png;base64," + png + "\n", ""},
		{"low contrast", "branding:\n  accent: \"#777777\"\n", `m.yaml:52:11: branding.accent: #777777 against white has a contrast ratio of 4.48:1`},
		{"not a colour", "branding:\n  accent: blue\n", `m.yaml:52:11: branding.accent: "blue" is not in the expected form`},
		{"http logo", "branding:\n  logo: http://example.com/l.png\n", `m.yaml:52:9: branding.logo: the logo is an https:// URL`},
		{"script logo", "branding:\n  logo: data:text/html;base64,PHNjcmlwdD4=\n", `m.yaml:52:9: branding.logo: a data: logo is data:<type>;base64`},
		{"huge logo", "branding:\n  logo: data:image/png;base64," + huge + "\n", `m.yaml:52:9: branding.logo: the logo is over 32768 bytes`},
		{"bad base64", "branding:\n  logo: data:image/png;base64,@@@@\n", `branding.logo: the data: logo is not valid base64`},
		{"unknown key", "branding:\n  colour: \"#000000\"\n", `m.yaml:52:3: branding: unknown key "colour"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := minimal + c.branding
			p, err := l.Parse("m.yaml", []byte(src))
			if c.want == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if p.Branding == nil {
					t.Fatal("branding not read")
				}
				return
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Parse = %v, want problems", err)
			}
			if !strings.Contains(ps.Error(), c.want) {
				t.Fatalf("no problem like %q in:\n%s", c.want, ps.Error())
			}
		})
	}
}

// FuzzBranding: a colour or logo from a manifest never panics the checks,
// and an accepted colour's ratio lies in WCAG's range of 1 to 21.
func FuzzBranding(f *testing.F) {
	for _, s := range []string{"#0b4f9c", "#fff", "data:image/png;base64,AAAA", "https://x.example/l.png", "data:,", "#zzzzzz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ContrastWithWhite(s); err == nil && (r < 1 || r > 21.0001) {
			t.Fatalf("ContrastWithWhite(%q) = %v", s, r)
		}
		_ = logoProblem(s)
	})
}
