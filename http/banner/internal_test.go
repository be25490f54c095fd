package banner

import (
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                      false,
		"gzip":                  true,
		"gzip, deflate, br":     true,
		"br;q=1.0, gzip;q=0.8":  true,
		"gzip;q=0":              false,
		"gzip; q=0.000":         false,
		"identity":              false,
		"*":                     true,
		"*;q=0, identity":       false,
		"GZIP":                  true,
		"deflate, gzip;q=bogus": false,
	} {
		if got := acceptsGzip([]string{h}); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestUSState(t *testing.T) {
	for in, want := range map[string]string{
		"CA": "CA", "ca": "CA", "US-CA": "CA", "California": "CA", "new york": "NY",
		"District of Columbia": "DC", "Bavaria": "", "": "", "XX": "",
	} {
		if got := usState(in); got != want {
			t.Errorf("usState(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidJurisdiction(t *testing.T) {
	for in, want := range map[string]bool{
		"US": true, "US-CA": true, "FR-75": true, "GB-ENG": true, "de": false, "USA": false, "US-": false, "US-CALI": false, "": false,
	} {
		if got := validJurisdiction(in); got != want {
			t.Errorf("validJurisdiction(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestMinify(t *testing.T) {
	css := minifyCSS([]byte("/* why */\n#a .b,\n#c {\n  color: #fff;\n  margin: 0 auto;\n}\n"))
	if css != "#a .b,#c{color:#fff;margin:0 auto}" {
		t.Errorf("minifyCSS = %q", css)
	}
	js := string(minifyJS([]byte("/*\n * header\n */\n(() => {\n  // why\n  const u = 'https://x'; // kept\n\n})();\n")))
	if js != "(() => {\nconst u = 'https://x'; // kept\n})();\n" {
		t.Errorf("minifyJS = %q", js)
	}
	s, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(s.Plain), "\n//") || strings.Contains(string(s.Plain), "\n  ") {
		t.Error("comments or indentation left in the served script")
	}
}
