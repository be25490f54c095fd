package records

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/vault"
)

// FuzzDecodeEvent: any body decodes and checks to either a valid event or
// a coded 400/422 error naming a field, never a panic.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"kind":"collection","subject":{"email":"a@example.com"},"category":"user.contact.email","source":"online_channels","purpose":"essential.service","value":"a@example.com"}`,
		`{"kind":"disclosure","subject":{"phone":"+14155550100"},"category":"user.name","recipient":"authorities","purpose":"essential.legal_obligation","legal_ground":"subpoena"}`,
		`{"kind":"disclosure","subject":{"external_id":"x"},"category":"user.name","recipient":"service_providers","purpose":"essential.service","occurred_at":"2026-01-01T00:00:00Z"}`,
		`{"kind":"collection","subject":{"email":"a@example.com"},"category":"user.content","purpose":"essential.service","controller":"customers","value":"t"}`,
		`{"kind":"collection","subject":{"email":"a@example.com"},"category":"user.authorization","purpose":"essential.service"}`,
		`{"subject":{}}`, `{}`, `[]`, `{"kind":7}`,
	} {
		f.Add([]byte(s))
	}
	l, err := policy.NewLoader()
	if err != nil {
		f.Fatal(err)
	}
	p, err := l.Parse(policy.BundledName, policy.Bundled())
	if err != nil {
		f.Fatal(err)
	}
	s := &Service{blind: &vault.BlindIndex{}}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in Input
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return
		}
		c, err := s.check(p.Manifest, nil, in, "event", now)
		if err == nil {
			if len(c.ids) == 0 || len(c.blinds) != len(c.ids) || c.at.After(now.Add(futureTolerance)) {
				t.Fatalf("accepted an event without identities or from the future: %+v", c)
			}
			return
		}
		e := custos.AsError(err)
		if (e.Kind != custos.KindInvalid && e.Kind != custos.KindUnprocessable) || e.Code == "" || e.Field == "" || e.Message == "" {
			t.Fatalf("not a coded field error: %#v", e)
		}
	})
}

func TestNormalise(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		phone    bool
		region   string
	}{
		{" Ana@Example.COM ", "ana@example.com", false, ""},
		{"a@b", "", false, ""},
		{"a b@c.de", "", false, ""},
		{"@c.de", "", false, ""},
		{"a@@c.de", "", false, ""},
		{"+1 (415) 555-0100", "+14155550100", true, ""},
		{"0044 20 7946 0018", "+442079460018", true, ""},
		{"020 7946 0018", "", true, ""},
		{"+0123456789", "", true, ""},
		{"+1 415 555 0100 ext 2", "", true, ""},
		// National formats, read in the event's country.
		{"(415) 555-0123", "+14155550123", true, "US"},
		{"020 7946 0958", "+442079460958", true, "GB"},
		{"030 123456", "+4930123456", true, "DE"},
		{"+44 20 7946 0958", "+442079460958", true, "US"}, // a country code wins over the region
		{"12", "", true, "US"},
		{"1-800-FLOWERS", "", true, "US"},
		{"(415) 555-0123", "", true, ""},
	}
	for _, c := range cases {
		var got string
		var err error
		if c.phone {
			got, err = NormalisePhone(c.in, c.region)
		} else {
			got, err = NormaliseEmail(c.in)
		}
		if c.want == "" && err == nil || c.want != "" && got != c.want {
			t.Errorf("normalise(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// FuzzNormalisePhone: whatever the input, normalising never panics, and what
// it accepts is E.164 that normalises to itself without a region.
func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{"+1 (415) 555-0100", "(415) 555-0123", "020 7946 0958", "0044 20 7946 0018", "+1 415 555 0100 ext 2", "1-800-FLOWERS", "", "+", "00"} {
		f.Add(s, "US")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		p, err := NormalisePhone(s, region)
		if err != nil {
			return
		}
		if len(p) < 8 || p[0] != '+' {
			t.Fatalf("NormalisePhone(%q, %q) = %q, not E.164", s, region, p)
		}
		if again, err := NormalisePhone(p, ""); err != nil || again != p {
			t.Fatalf("NormalisePhone(%q) = %q, %v; want it unchanged", p, again, err)
		}
	})
}
