# The decision of consent.Engine.Decide, in Rego. data.purposes is the
# compiled purpose table, data.categories the declared categories,
# data.subjects what is known of each subject; input is the question.
package custos

eu := {
	"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
	"LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}

eea := eu | {"IS", "LI", "NO"}

decision := d if {
	p := data.purposes[input.purpose]
	d := decide(p)
} else := {"allowed": false, "reason": "undeclared_purpose"}

subject := s if {
	s := data.subjects[input.principal]
} else := {}

choice(scope) := c if {
	c := subject.choices[scope]
} else := 0

# The checks in the engine's order: the first that holds answers.
decide(p) := {"allowed": false, "reason": "undeclared_category", "basis": p.basis} if {
	input.category != ""
	not data.categories[input.category]
} else := {"allowed": false, "reason": "erased", "basis": p.basis} if {
	subject.erased
} else := {"allowed": false, "reason": "restricted", "basis": p.basis} if {
	# GDPR Art. 18(2): storage and the manifest's grounds go on.
	subject.restricted
	not p.restriction_exempt
} else := {"allowed": false, "reason": "minor", "basis": p.basis} if {
	subject.minor
	p.marketing
} else := {"allowed": false, "reason": "opted_out", "basis": p.basis} if {
	p.sale_share
	choice("sale_sharing") == -1
} else := {"allowed": false, "reason": "opted_out", "basis": p.basis} if {
	p.direct_marketing
	choice("direct_marketing") == -1
} else := {"allowed": false, "reason": "objected", "basis": p.basis} if {
	# GDPR Art. 21(1), unless the manifest records compelling grounds.
	p.basis == "legitimate_interests"
	not p.compelling
	choice("objection") == -1
} else := {"allowed": false, "reason": "storage_refused", "basis": p.basis} if {
	# Storage refused in the banner for a purpose not resting on consent.
	p.basis != "consent"
	choice(input.purpose) == -1
} else := {"allowed": false, "reason": r, "basis": p.basis} if {
	covered
	r := sensitive_refusal(p, data.laws[input.jurisdiction])
} else := {"allowed": true, "reason": p.basis, "basis": p.basis} if {
	# contract, legitimate_interests, legal_obligation: the reason is the basis.
	p.basis != "consent"
} else := d if {
	d := consented(p, regime(p.regimes, input.jurisdiction), choice(input.purpose))
}

# covered: the category asked about is sensitive under the law of the
# jurisdiction — special categories everywhere, precise geolocation in
# the US states, the rest in California only.
kind := data.kinds[input.category]

covered if kind == "special"

covered if {
	kind == "precise"
	startswith(input.jurisdiction, "US-")
}

covered if {
	kind != ""
	input.jurisdiction == "US-CA"
}

# The law's refusal of a use of sensitive data, if any; a jurisdiction no
# law with a rule governs has none.
sensitive_refusal(p, law) := "sensitive_sale" if {
	law.known
	p.sale_share
	law.sale_never
} else := "sensitive_no_consent" if {
	law.known
	p.sale_share
	law.sale_needs_consent
	choice("sensitive_data") != 1
} else := "sensitive_not_necessary" if {
	law.known
	law.model == "strictly_necessary"
	not p.necessary
} else := "sensitive_limited" if {
	law.known
	law.model == "opt_out"
	choice("sensitive_data") == -1
	not p.limit_exempt
} else := "sensitive_no_consent" if {
	law.known
	law.model != "strictly_necessary"
	law.model != "opt_out"
	choice("sensitive_data") != 1
}

# c is the person's latest choice on the purpose: 1 granted, -1 withdrawn, 0 none.
consented(p, r, c) := {"allowed": true, "reason": "consent_given", "basis": p.basis, "regime": r} if {
	c == 1
} else := {"allowed": false, "reason": "opted_out", "basis": p.basis, "regime": r} if {
	c == -1
	r == "opt_out"
} else := {"allowed": false, "reason": "consent_withdrawn", "basis": p.basis, "regime": r} if {
	c == -1
} else := {"allowed": true, "reason": "not_opted_out", "basis": p.basis, "regime": r} if {
	r == "opt_out"
} else := {"allowed": false, "reason": "no_consent", "basis": p.basis, "regime": r}

# consent.Regime: the exact jurisdiction (US-CA), its country (US), EU, EEA,
# "default", else opt_in.
regime(rs, j) := r if {
	r := rs[j]
} else := r if {
	count(j) > 2
	substring(j, 2, 1) == "-"
	r := rs[substring(j, 0, 2)]
} else := r if {
	eu[country(j)]
	r := rs.EU
} else := r if {
	eea[country(j)]
	r := rs.EEA
} else := r if {
	r := rs["default"]
} else := "opt_in"

country(j) := substring(j, 0, 2) if {
	count(j) > 2
	substring(j, 2, 1) == "-"
} else := j
