package taxonomy

// Labelled is a key with the words the law uses for it.
type Labelled struct {
	Key   string
	Label string // short name
	Text  string // the statutory description, for notices
}

// CCPACategories are the categories of personal information of Cal. Civ.
// Code § 1798.140(v)(1), in the statute's order. Manifests map each data
// category to one of these keys.
func CCPACategories() []Labelled {
	return []Labelled{
		{"identifiers", "Identifiers", "identifiers such as a real name, alias, postal address, unique personal identifier (such as a device identifier; cookies, beacons, pixel tags, mobile ad identifiers and similar technology; customer number, unique pseudonym, or user alias; telephone number and other forms of persistent or probabilistic identifiers), online identifier, Internet Protocol address, email address, account name"},
		{"customer_records", "Customer records", "signature, bank account number, credit card number, debit card number, and other financial information"},
		{"protected_characteristics", "Characteristics of protected classifications", "characteristics of protected classifications under California or federal law"},
		{"commercial_information", "Commercial information", "commercial information, including records of personal property, products or services purchased, obtained, or considered, and other purchasing or consuming histories or tendencies"},
		{"biometric", "Biometric information", "biometric information"},
		{"internet_activity", "Internet or other electronic network activity", "Internet and other electronic network activity information, including, but not limited to, browsing history, search history, and information regarding your interaction with websites, applications or advertisements"},
		{"geolocation", "Geolocation data", "geolocation data"},
		{"audio_visual", "Audio, electronic, visual or similar information", "audio, electronic, visual, and similar information"},
		{"professional", "Professional or employment-related information", "professional or employment-related information"},
		{"education", "Education information", "education information that is not publicly available personally identifiable information as defined in the Family Educational Rights and Privacy Act"},
		{"inferences", "Inferences", "inferences drawn from any of the information identified above to create a profile about you reflecting your preferences"},
		{"sensitive", "Sensitive personal information", "sensitive personal information"},
	}
}

// BusinessPurposes are the business purposes of Cal. Civ. Code
// § 1798.140(e), in the statute's order.
func BusinessPurposes() []Labelled {
	return []Labelled{
		{"auditing", "Auditing", "auditing related to a current interaction with you and concurrent transactions, including, but not limited to, counting ad impressions to unique visitors, verifying positioning and quality of ad impressions, and auditing compliance"},
		{"security", "Security", "detecting security incidents, protecting against malicious, deceptive, fraudulent, or illegal activity, and prosecuting those responsible for that activity"},
		{"debugging", "Debugging", "debugging to identify and repair errors that impair existing intended functionality"},
		{"short_term_transient_use", "Short-term, transient use", "short-term, transient use, including, but not limited to, the contextual customization of ads shown as part of the same interaction"},
		{"performing_services", "Performing services", "performing services, including maintaining or servicing accounts, providing customer service, processing or fulfilling orders and transactions, verifying customer information, processing payments, providing advertising or marketing services, providing analytics services, or providing similar services"},
		{"internal_research", "Internal research", "undertaking internal research for technological development and demonstration"},
		{"quality_and_safety", "Quality and safety", "undertaking activities to verify or maintain the quality or safety of a service or device that is owned, manufactured, manufactured for, or controlled by us, and to improve, upgrade, or enhance the service or device that is owned, manufactured, manufactured for, or controlled by us"},
		{"advertising_and_marketing", "Advertising and marketing", "providing advertising and marketing services, except for cross-context behavioral advertising"},
	}
}

// LegalBases are the legal bases a purpose may rest on, in the order the
// notice lists them.
func LegalBases() []Labelled {
	return []Labelled{
		{"contract", "Contract", "performance of a contract with you or a relevant party"},
		{"legitimate_interests", "Legitimate interests", "our legitimate business interests"},
		{"legal_obligation", "Legal obligation", "compliance with a legal obligation, a court order, or to exercise or defend legal claims"},
		{"consent", "Consent", "your consent to the processing, which you can revoke at any time"},
	}
}

// RequestTypes are the privacy requests a person can make, with the words
// a notice uses for each.
func RequestTypes() []Labelled {
	return []Labelled{
		{"access", "Access", "access the personal information we maintain about you"},
		{"categories", "Categories", "know the categories of personal information we have collected about you, its sources, our purposes and the categories of third parties we shared it with"},
		{"portability", "Portability", "receive your personal information in a portable, machine-readable format"},
		{"correction", "Correction", "correct, update or amend your personal information"},
		{"deletion", "Deletion", "delete your personal information"},
		{"restriction", "Restriction", "restrict the processing of your personal information"},
		{"objection", "Objection", "object to the processing of your personal information for direct marketing"},
		{"opt_out", "Opt-out of sale and sharing", "opt out of the sale or sharing of your personal information"},
		{"direct_marketing_disclosures", "Direct marketing disclosures", "receive a list of the categories of personal information we disclosed to third parties for their direct marketing purposes during the preceding calendar year, and the identity of those third parties"},
		{"appeal", "Appeal", "appeal our decision on a request"},
		{"complaint", "Complaint", "complain to us about how we process your personal information"},
	}
}

// Find returns the entry of key in list.
func Find(list []Labelled, key string) (Labelled, bool) {
	for _, l := range list {
		if l.Key == key {
			return l, true
		}
	}
	return Labelled{}, false
}
