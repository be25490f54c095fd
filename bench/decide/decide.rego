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
	subject.restricted
	not p.storage_only
} else := {"allowed": false, "reason": "minor", "basis": p.basis} if {
	subject.minor
	p.marketing
} else := {"allowed": false, "reason": "opted_out", "basis": p.basis} if {
	p.sale_share
	choice("sale_sharing") == -1
} else := {"allowed": false, "reason": "opted_out", "basis": p.basis} if {
	p.direct_marketing
	choice("direct_marketing") == -1
} else := {"allowed": true, "reason": p.basis, "basis": p.basis} if {
	# contract, legitimate_interests, legal_obligation: the reason is the basis.
	p.basis != "consent"
} else := d if {
	d := consented(p, regime(p.regimes, input.jurisdiction), choice(input.purpose))
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
