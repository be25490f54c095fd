package records_test

import (
	"context"
	"slices"
	"testing"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/records"
	"github.com/custos-privacy/custos/store"
	"github.com/custos-privacy/custos/store/storetest"
)

// TestMatchDataPoints: the values a person gives for the stronger check
// (11 CCR §7062(c)) match what the records hold — a phone by its blind
// index, a name or an address by the event values, in any case and
// spacing — and nothing of another person's or nothing at all matches.
func TestMatchDataPoints(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		ana := custos.SubjectRef{Email: "ana@example.com"}
		for _, in := range []records.Input{
			collect(ana, "user.name", "Ana Lima"),
			collect(ana, "user.contact.address", "12 Rua Augusta, Lisboa"),
			{Kind: "collection", Subject: custos.SubjectRef{Email: "ana@example.com", Phone: "+1 415 555 0100"}, Category: "user.contact.phone_number",
				Source: "online_channels", Purpose: "essential.service", Value: str("+1 415 555 0100")},
			collect(custos.SubjectRef{Email: "bo@example.com"}, "user.name", "Bo Chen"),
		} {
			if _, err := e.svc.Record(ctx, "test", in); err != nil {
				t.Fatal(err)
			}
		}
		sid, err := e.svc.FindSubject(ctx, ana)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			given map[string]string
			want  []string
		}{
			{"all three", map[string]string{"user.name": "  ana   LIMA ", "user.contact.address": "12 rua augusta lisboa", records.PhoneCategory: "(415) 555-0100"},
				[]string{"user.contact.address", "user.contact.phone_number", "user.name"}},
			{"another person's name", map[string]string{"user.name": "Bo Chen", records.PhoneCategory: "+1 415 555 0100"}, []string{"user.contact.phone_number"}},
			{"wrong phone", map[string]string{records.PhoneCategory: "+1 415 555 0199"}, []string{}},
			{"a category not recorded", map[string]string{"user.job_title": "Engineer"}, []string{}},
			{"punctuation only", map[string]string{"user.name": " .,- "}, []string{}},
			{"nothing given", map[string]string{}, nil},
		}
		for _, c := range cases {
			got, err := e.svc.MatchDataPoints(ctx, "test", "identity check", sid, "US", c.given)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: matched %v, want %v", c.name, got, c.want)
			}
		}
	})
}
