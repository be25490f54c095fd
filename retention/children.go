package retention

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos"
)

// BirthDateCategory is the fideslang category whose values reveal age.
const BirthDateCategory = "user.demographic.date_of_birth"

// ReportMinor is an officer's report that a person is under the policy's
// age threshold: they are marked a minor (no sale, sharing or marketing, no
// further collection) and a deletion request is opened and fulfilled at
// once, unless a legal hold stands. It returns the request's id. Only an
// officer may ask for this: a date of birth that arrives with an event
// protects at once but leaves the deletion to review (birthDate).
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

// RecordOfAge is an officer's record that a person is of age: the
// protection a minor keeps — on their record while it exists, and by the
// minor mark on each identity after their data was erased — lifts for
// every identity of ref. Nothing else can lift it.
func (s *Service) RecordOfAge(ctx context.Context, actor string, ref custos.SubjectRef) (int, error) {
	blinds, err := s.records.Blinds(ref)
	if err != nil {
		return 0, err
	}
	sid, err := s.records.FindSubject(ctx, ref)
	if err != nil && !errors.Is(err, custos.ErrNotFound) {
		return 0, err
	}
	n, err := s.consent.LiftMinor(ctx, actor, blinds, sid)
	if errors.Is(err, custos.ErrNotFound) {
		return 0, custos.Errorf(custos.KindNotFound, custos.CodeNotFound, "No person with that identity is recorded as a minor.")
	}
	return n, err
}

func (s *Service) markMinor(ctx context.Context, actor, sid, jurisdiction string) (string, error) {
	if err := s.consent.SetMinor(ctx, actor, sid, true); err != nil {
		return "", err
	}
	return s.requests.SubmitForMinor(ctx, actor, sid, jurisdiction)
}

// birthDate hears of every date of birth recorded and acts on a child's.
// The event came with an ingest token, which sits in web shops and must
// never be able to destroy data: what protects the child is immediate
// (marked a minor, so no sale, sharing, marketing or further collection),
// while the deletion is opened for a privacy officer to approve, due
// within the policy's children.deletion_window. Both are credited to the
// token that recorded the date.
func (s *Service) birthDate(ctx context.Context, actor, subjectID, _, value string) {
	p, _, err := s.policies.Active(ctx)
	if err != nil {
		s.logger.Error("children: no policy to read the age threshold from", "err", err)
		return
	}
	born, ok := parseDate(value)
	now := s.clock.Now()
	if !ok || Age(born, now) >= p.Children.AgeThreshold {
		return
	}
	if s.consent.Engine().IsMinor(subjectID) {
		return // protected already, and a deletion opened (a batch may repeat the date)
	}
	if err := s.consent.SetMinor(ctx, actor, subjectID, true); err != nil {
		s.logger.Error("children: could not mark a subject under the age threshold a minor", "subject", subjectID, "err", err)
		return
	}
	var due time.Time
	if w, ok := DeletionWindow(p.Children.DeletionWindow); ok {
		due = now.Add(w)
	}
	if _, err := s.requests.OpenMinorDeletion(ctx, actor, subjectID, "", due); err != nil {
		// The person is protected already; the error is visible and an
		// officer can still report them (POST /api/v1/subjects/minor).
		s.logger.Error("children: could not open the deletion of a minor's data", "subject", subjectID, "err", err)
	}
}

// DeletionWindow reads the policy's children.deletion_window ("72h",
// "30d"); ok is false when it is unset or malformed.
func DeletionWindow(w string) (time.Duration, bool) {
	if len(w) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(w[:len(w)-1])
	if err != nil || n <= 0 {
		return 0, false
	}
	switch w[len(w)-1] {
	case 'h':
		return time.Duration(n) * time.Hour, true
	case 'd':
		return time.Duration(n) * 24 * time.Hour, true
	}
	return 0, false
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
