// Package jurisdiction holds the rules of each privacy law that decide the
// deadlines, limits, fees and appeals of privacy requests, and the date
// arithmetic that turns them into due dates.
//
// The rules live in one table (laws.go), one row per law and group of
// request types, each figure with a comment citing the provision it comes
// from. For looks a row up; Compute and Extend turn it into deadlines;
// CheckLimit applies its per-person request limits.
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
//   - Business days skip Saturdays and Sundays only. Public holidays (which
//     differ by state and country) are not modelled; ignoring them makes a
//     deadline earlier, never later.
//   - Months are calendar months clamped to the last day of the target month
//     (31 January + 1 month = 28 February, or 29 in a leap year), the rule of
//     Regulation (EEC, Euratom) No 1182/71 Art. 3(2)(c) used for the GDPR.
//     Its roll-forward of a period ending on a Saturday, Sunday or holiday
//     (Art. 3(4)) is not applied, again the stricter reading.
//   - Where the text of a law was uncertain, the table takes the stricter
//     figure for the business (the shorter deadline, the more generous limit
//     for the person) and says so in the row's comment.
//   - Laws are not dated: the table holds each law as in force when written
//     and does not know effective dates (Virginia 1 January 2023, Colorado and
//     Connecticut 1 July 2023, Utah 31 December 2023, Iowa 1 January 2025) or
//     later amendments. Review the table when laws change.
//   - Jurisdictions with no row (a US state without one of the laws here,
//     "US", or any other country) get Custos's own "policy" rules: 45 days to
//     respond, one 45-day extension with notice, no appeal, no limits, free.
//     45 days is the most common deadline of the US state laws. So do request
//     types a law does not grant (for example correction under Utah's or
//     Iowa's law, or an appeal under the CCPA); the Complaint of such rules
//     still names the jurisdiction's regulator.
package jurisdiction
