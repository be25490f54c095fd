// Package jurisdiction holds the rules of each privacy law that decide the
// deadlines, limits, fees and appeals of privacy requests, and the date
// arithmetic that turns them into due dates.
//
// The rules live in one table (laws.go, lawtable.go), one row per law and
// group of request types, each figure with a comment citing the provision it
// comes from and the citation as data (Rules.Citation, FeeRule.Citation,
// AppealRules.Citation, Limit.Citation), and one LawInfo per law: its name,
// effective date, universal opt-out signal (GPC) duty and its start date,
// sensitive-data consent model, children's rules and rights of its own.
// For and ForAt look a row up; Compute and Extend turn it into deadlines;
// CheckLimit applies its per-person request limits; Laws and Groups list the
// table (custos law list|show). Overrides (override.go) are a policy's
// readings of rules that differ from the table, each with its reason; their
// For, ForAt, Groups, Compute and Extend apply them, and Rules.Overridden
// says which were applied. Rules.Digest fingerprints a result, so requests
// computed under other rules can be found and recomputed.
//
// Choices Custos makes, on purpose:
//
//   - Deadlines count from the moment the request was received, not from
//     the moment the person was verified. Some laws (the US state laws speak
//     of an "authenticated" request; the UK Data (Use and Access) Act 2025
//     lets the clock start at the "relevant time") allow the later start;
//     the California regulations (Cal. Code Regs. tit. 11 §7021(b)) and
//     GDPR Art. 12(3) count from receipt. Counting from receipt is never
//     later than any of them, so it is the stricter reading. A caller that
//     wants another start passes it as receivedAt.
//   - Date arithmetic is in UTC calendar dates and keeps the time of day of
//     the start: 45 days after 10:30 on 2 March is 10:30 on 16 April.
//   - Business days skip Saturdays and Sundays, and the holidays of the
//     jurisdiction whose law counts business days: for California (the only
//     such law in the table) the US federal and California state holidays,
//     computed by rule (holidays.go).
//   - Months are calendar months clamped to the last day of the target month
//     (31 January + 1 month = 28 February, or 29 in a leap year), the rule of
//     Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c) used for the GDPR.
//     Its roll-forward of a period ending on a Saturday, Sunday or holiday
//     (Art. 3(4)) is not applied, again the stricter reading. An extension
//     in months is counted from receipt: 1 + 2 months from 31 January is
//     30 April.
//   - Where the text of a law was uncertain, the table takes the stricter
//     figure for the business (the shorter deadline, the more generous limit
//     for the person) and says so in the row's comment.
//   - Laws are dated: each has its effective date, and ForAt (and Compute,
//     from the receipt time) gives a request received before it the no-law
//     answer. For ignores effective dates. Rules that start later than their
//     law (a GPC duty, a 2026 amendment) carry their own date. Review the
//     table when laws change.
//   - Jurisdictions with no law in force (a US state without a
//     comprehensive law, "US", or a country not in the table) get LawNone,
//     and request types a law does not grant (for example correction under
//     Utah's or Iowa's law, or an appeal under the CCPA) get LawPolicy: in
//     both cases the organisation's own promises, 45 days to respond, one
//     45-day extension with notice, no appeal, no limits, free (45 days is
//     the most common deadline of the US state laws), and a Note that says
//     they are not a law's. Their Complaint still names the jurisdiction's
//     regulator.
//   - The member state is kept: Rules.Jurisdiction is "DE" where the table
//     group is "EEA", with Germany's Art. 8 age (ChildConsentAge); Quebec is
//     "CA-QC", the rest of Canada "CA".
package jurisdiction
