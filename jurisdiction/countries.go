package jurisdiction

import "strings"

// euMembers are the 27 member states of the European Union, by ISO 3166-1
// alpha-2 code (Greece is GR; the EU's own "EL" is accepted too).
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true,
	"DK": true, "EE": true, "FI": true, "FR": true, "DE": true, "GR": true,
	"HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true,
	"SI": true, "ES": true, "SE": true,
	"EL": true, // Greece, as the EU abbreviates it
}

// eeaOnly are the EEA members outside the EU, where the GDPR applies through
// the EEA Agreement.
var eeaOnly = map[string]bool{"IS": true, "LI": true, "NO": true}

// gdprTerritories have ISO 3166-1 codes of their own but are part of the EU
// (the outermost regions of Art. 349 TFEU under French sovereignty, and the
// Åland Islands), so the GDPR applies there. Overseas countries and
// territories (French Polynesia, Greenland, …) are not part of the EU and
// are not listed.
var gdprTerritories = map[string]bool{
	"GF": true, // French Guiana
	"GP": true, // Guadeloupe
	"MQ": true, // Martinique
	"RE": true, // Réunion
	"YT": true, // Mayotte
	"MF": true, // Saint-Martin
	"AX": true, // Åland Islands (Finland)
}

// countryOf returns the ISO 3166-1 part of a code ("DE" of "DE-BY"),
// upper-cased.
func countryOf(code string) string {
	c := strings.ToUpper(strings.TrimSpace(code))
	if i := strings.IndexAny(c, "-_"); i >= 0 {
		c = c[:i]
	}
	return c
}

// IsEU reports whether country (an ISO 3166-1 alpha-2 code, or a
// subdivision code of one such as "FR-75") is a member state of the
// European Union.
func IsEU(country string) bool { return euMembers[countryOf(country)] }

// IsEEA reports whether country is in the European Economic Area: the EU
// member states plus Iceland, Liechtenstein and Norway.
func IsEEA(country string) bool {
	c := countryOf(country)
	return euMembers[c] || eeaOnly[c]
}

// jurisdictionKey maps a jurisdiction to the key of the law table: "US-CA"
// and other "US-XX" as they are, "US", "GB", "EEA" for every country where
// the GDPR applies, or the upper-cased country code.
func jurisdictionKey(jurisdiction string) string {
	j := strings.ToUpper(strings.TrimSpace(jurisdiction))
	j = strings.ReplaceAll(j, "_", "-")
	c := countryOf(j)
	switch {
	case c == "US":
		if strings.HasPrefix(j, "US-") && len(j) > 3 {
			return j
		}
		return "US"
	case c == "GB" || c == "UK":
		return "GB"
	case euMembers[c] || eeaOnly[c] || gdprTerritories[c]:
		return "EEA"
	}
	return c
}
