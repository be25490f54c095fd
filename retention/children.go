package retention

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
)

// BirthDateCategory is the fideslang category whose values reveal age.
const BirthDateCategory = "user.demographic.date_of_birth"

// ReportMinor is an operator's report that a person is under the policy's
// age threshold: they are marked a minor (no sale, sharing or marketing, no
// further collection) and a deletion request is opened and fulfilled at
// once, unless a legal hold stands. It returns the request's id.
func (s *Service) ReportMinor(ctx context.Context, actor string, ref custos.SubjectRef, jurisdiction string) (string, error) {
	sid, err := s.records.FindSubject(ctx, ref)
	if errors.Is(err, custos.ErrNotFound) {
		return "", custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "No person with that identity is on record.")
	}
	if err != nil {
		return "", err
	}
	return s.markMinor(ctx, actor, sid, jurisdiction)
}

func (s *Service) markMinor(ctx context.Context, actor, sid, jurisdiction string) (string, error) {
	if err := s.consent.SetMinor(ctx, actor, sid, true); err != nil {
		return "", err
	}
	return s.requests.SubmitForMinor(ctx, actor, sid, jurisdiction)
}

// birthDate hears of every date of birth recorded and acts on a child's.
func (s *Service) birthDate(ctx context.Context, subjectID, _, value string) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		s.logger.Error("children: no policy to read the age threshold from", "err", err)
		return
	}
	born, ok := parseDate(value)
	if !ok || Age(born, s.clock.Now()) >= p.Children.AgeThreshold {
		return
	}
	if _, err := s.markMinor(ctx, "system", subjectID, ""); err != nil {
		// The minor flag or the deletion failed; the sweep and operators can
		// still act, and the error is visible.
		s.logger.Error("children: could not act on a date of birth under the age threshold", "subject", subjectID, "err", err)
	}
}

// Age is the age in whole years at now of someone born on born.
func Age(born, now time.Time) int {
	years := now.Year() - born.Year()
	if now.Month() < born.Month() || now.Month() == born.Month() && now.Day() < born.Day() {
		years--
	}
	return years
}

func parseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	// Only unambiguous forms: 03/04/2010 is March in one country, April in another.
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	if len(v) >= 10 {
		if t, err := time.Parse("2006-01-02", v[:10]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
