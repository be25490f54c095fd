package requests

import (
	"context"
	"strings"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/jurisdiction"
	"github.com/custos-privacy/custos/policy"
)

// objection records a person's objection (GDPR Art. 21) in one act: to
// direct marketing, which always stops (Art. 21(2)-(3)), and to processing
// on legitimate interests (Art. 21(1)), which stops for every such purpose
// unless the manifest records compelling legitimate grounds for it. The
// answer names the purposes that go on, with their grounds, so the person
// can contest them.
func (s *Service) objection(ctx context.Context, f *fulfilment) error {
	for _, p := range f.m.Purposes {
		if p.LegalBasis == policy.BasisLegitimateInterests && strings.TrimSpace(p.CompellingGrounds) != "" {
			f.pkg.Kept = append(f.pkg.Kept, Kept{What: "Use of your information for: " + p.Name,
				Why:         "We have compelling legitimate grounds that override your objection: " + p.CompellingGrounds,
				WhatMessage: say("answer.kept.what.objection_purpose", "purpose", p.Name),
				WhyMessage:  say("answer.kept.why.compelling", "grounds", p.CompellingGrounds)})
		}
	}
	f.pkg.summarise("Your objection is recorded: we no longer use your information for direct marketing, nor for the purposes we base on our legitimate interests.",
		say("answer.summary.objection"))
	if len(f.pkg.Kept) > 0 {
		f.pkg.summarise("Your objection is recorded: we no longer use your information for direct marketing, nor for the purposes we base on our legitimate interests, except those listed below, for which we have compelling legitimate grounds.",
			say("answer.summary.objection_kept"))
	}
	_, err := s.consent.Record(ctx, f.reader, consent.Choice{Subject: custos.SubjectRef{Email: f.email},
		Purpose: consent.ScopeDirectMarketing, Granted: false,
		Scopes:       []consent.ScopeChoice{{Scope: consent.ScopeObjection, Granted: false}},
		Jurisdiction: f.r.Jurisdiction, Method: f.method}, false)
	return err
}

// limitSensitive fulfils a Californian's "restriction" request as what the
// CCPA grants instead of a GDPR restriction: the right to limit the use of
// sensitive personal information (Cal. Civ. Code §1798.121; 11 CCR
// §7027) to what is needed for the goods and services the person expects,
// security, fraud prevention, safety and the other purposes of 11 CCR
// §7027(m). Nothing else is frozen: contract purposes go on. It reports
// whether the request was one (the law governing it is the CCPA).
func (s *Service) limitSensitive(ctx context.Context, f *fulfilment) (bool, error) {
	rules, err := s.rules(ctx, f.det) // an appeal: the law of the original request
	if err != nil {
		return false, err
	}
	if rules.Law != jurisdiction.LawCCPA {
		return false, nil
	}
	f.pkg.summarise("Your request to limit the use of your sensitive personal information is recorded: we use it only to provide the goods and services you expect from us, to keep them secure, to prevent fraud, to protect people's safety, and for the other purposes California's regulations allow (11 CCR §7027(m)). Our other uses of your information are not affected.",
		say("answer.summary.limit_sensitive"))
	// Kept by the address (and the subject, if there is one), like an
	// opt-out: it holds for the person whenever their address reaches us.
	_, err = s.consent.Record(ctx, f.reader, consent.Choice{Subject: custos.SubjectRef{Email: f.email},
		Purpose: consent.ScopeSensitive, Granted: false, Jurisdiction: f.r.Jurisdiction, Method: f.method}, false)
	return true, err
}
