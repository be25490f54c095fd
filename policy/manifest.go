// Package policy holds the policy manifest: the machine-readable form of a
// company's privacy promises. It loads and validates manifests (with
// FILE:LINE:COL errors), renders the public notice from them, and diffs two
// versions into material and editorial changes. Nothing specific to one
// company lives here; the bundled manifest is data (clientwise.yaml).
package policy

import (
	"slices"
	"strings"
)

// Format is the value of the manifest's "custos" key for this format.
const Format = "policy/v1"

// Manifest is a policy manifest. Keys of categories, purposes and data
// subjects are fideslang keys; sources and recipients have keys of the
// company's own choosing.
type Manifest struct {
	Custos       string       `yaml:"custos" json:"custos"`
	Organisation Organisation `yaml:"organisation" json:"organisation"`
	Contact      Contact      `yaml:"contact" json:"contact"`
	LastUpdated  string       `yaml:"last_updated" json:"last_updated"`
	Language     string       `yaml:"language" json:"language"`
	Notice       Notice       `yaml:"notice" json:"notice"`
	Subjects     []Subject    `yaml:"subjects" json:"subjects"`
	Categories   []Category   `yaml:"categories" json:"categories"`
	// InformationTypes group categories under the plain-language headings
	// the notice lists; every category belongs to at least one.
	InformationTypes []InformationType `yaml:"information_types" json:"information_types"`
	Sources          []Source          `yaml:"sources" json:"sources"`
	Purposes         []Purpose         `yaml:"purposes" json:"purposes"`
	Recipients       []Recipient       `yaml:"recipients" json:"recipients"`
	Rights           Rights            `yaml:"rights" json:"rights"`
	Cookies          []Cookie          `yaml:"cookies" json:"cookies"`
	Banner           *Banner           `yaml:"banner,omitempty" json:"banner,omitempty"`
	// Branding is the look of the pages and mails (branding.go).
	Branding *Branding `yaml:"branding,omitempty" json:"branding,omitempty"`
	// Translations are the company's own texts in other languages, per
	// catalogue language (translations.go). A text not translated is
	// shown in the manifest's language, marked as such.
	Translations map[string]*Translation `yaml:"translations,omitempty" json:"translations,omitempty"`
	Children     Children                `yaml:"children" json:"children"`
	Retention    Retention               `yaml:"retention" json:"retention"`
	Erasure      *Erasure                `yaml:"erasure,omitempty" json:"erasure,omitempty"`
	Changes      Changes                 `yaml:"changes" json:"changes"`
	California   *California             `yaml:"california,omitempty" json:"california,omitempty"`
	// Laws overrides rules of the law table, per law key (see laws.go).
	Laws map[string][]LawOverride `yaml:"laws,omitempty" json:"laws,omitempty"`
	// OnBehalf is the processor side: data the company processes on
	// behalf of and at the direction of others (GDPR Art. 28, CCPA
	// §1798.140(ag) service provider). Nil: the company processes nothing
	// for anyone else.
	OnBehalf *OnBehalf `yaml:"processing_on_behalf,omitempty" json:"processing_on_behalf,omitempty"`
}

// Organisation is who the controller is.
type Organisation struct {
	Name string `yaml:"name" json:"name"`
	// ShortName is how the notice refers to the company ("Clientwise").
	ShortName string `yaml:"short_name" json:"short_name"`
	// Description is the opening clause naming the entities covered.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Website     string `yaml:"website,omitempty" json:"website,omitempty"`
	// PhoneRegion is the country (ISO 3166-1 alpha-2) whose national format
	// is read for phone numbers written without a country code, such as
	// "(415) 555-0123", when an event names no jurisdiction of its own.
	// Empty means such numbers are refused.
	PhoneRegion string `yaml:"phone_region,omitempty" json:"phone_region,omitempty"`
}

// Contact is how people reach the company about privacy.
type Contact struct {
	Email         string `yaml:"email" json:"email"`
	Phone         string `yaml:"phone,omitempty" json:"phone,omitempty"`
	PostalAddress string `yaml:"postal_address,omitempty" json:"postal_address,omitempty"`
	WebForm       string `yaml:"web_form,omitempty" json:"web_form,omitempty"`
	DPO           string `yaml:"dpo,omitempty" json:"dpo,omitempty"`
}

// Notice holds the company's own prose for the sections of the notice that
// are not lists of data: introduction, scope, security and so on. Each field
// is a list of paragraphs.
type Notice struct {
	Title string `yaml:"title" json:"title"`
	// Introduction opens the notice, before the first section.
	Introduction []string `yaml:"introduction" json:"introduction"`
	// Obtaining introduces the section on personal information obtained.
	Obtaining []string `yaml:"obtaining,omitempty" json:"obtaining,omitempty"`
	// CollectionContexts are the situations in which data is obtained.
	CollectionContexts []string `yaml:"collection_contexts,omitempty" json:"collection_contexts,omitempty"`
	Voluntary          []string `yaml:"voluntary,omitempty" json:"voluntary,omitempty"`
	// Use follows the list of uses and legal bases (combining, anonymising…).
	Use       []string `yaml:"use,omitempty" json:"use,omitempty"`
	Cookies   []string `yaml:"cookies,omitempty" json:"cookies,omitempty"`
	Sharing   []string `yaml:"sharing,omitempty" json:"sharing,omitempty"`
	Choices   []string `yaml:"choices,omitempty" json:"choices,omitempty"`
	Security  []string `yaml:"security" json:"security"`
	Retention []string `yaml:"retention" json:"retention"`
	Children  []string `yaml:"children,omitempty" json:"children,omitempty"`
	Changes   []string `yaml:"changes,omitempty" json:"changes,omitempty"`
	Contact   []string `yaml:"contact,omitempty" json:"contact,omitempty"`

	// SharingClosing follows the recipients, authorities and acquirers
	// (other disclosures made with notice or consent).
	SharingClosing []string `yaml:"sharing_closing,omitempty" json:"sharing_closing,omitempty"`
}

// Subject is a kind of person the company holds data about (fideslang data
// subject).
type Subject struct {
	Key         string `yaml:"key" json:"key"`
	Description string `yaml:"description" json:"description"`
}

// Category is a category of personal information (fideslang data category).
type Category struct {
	Key string `yaml:"key" json:"key"`
	// Description is plain language for a person reading the notice.
	Description string `yaml:"description" json:"description"`
	// CCPA is the California category it falls under (see taxonomy).
	CCPA string `yaml:"ccpa" json:"ccpa"`
	// Sensitive marks sensitive personal information (CPRA, GDPR Art. 9).
	Sensitive bool `yaml:"sensitive,omitempty" json:"sensitive,omitempty"`
	// SensitiveKind says under which laws' definition a sensitive
	// category falls, where the fideslang key does not say it or counsel
	// reads it otherwise: SensitiveSpecial (GDPR Art. 9(1)/10 special
	// categories: sensitive everywhere), SensitivePrecise (precise
	// geolocation: the US states too) or SensitiveCalifornia (California
	// only). Empty: derived from the key (consent.sensitivityOf).
	SensitiveKind string `yaml:"sensitive_kind,omitempty" json:"sensitive_kind,omitempty"`
	// Withheld categories are never shown in clear in an access package
	// (passwords, full card numbers); the package says they are held.
	Withheld bool `yaml:"withheld,omitempty" json:"withheld,omitempty"`
}

// The kinds of sensitive data (Category.SensitiveKind).
const (
	SensitiveSpecial    = "special_category"
	SensitivePrecise    = "precise_geolocation"
	SensitiveCalifornia = "california_only"
)

// InformationType is one line of the notice's list of what is obtained.
type InformationType struct {
	Text       string   `yaml:"text" json:"text"`
	Categories []string `yaml:"categories" json:"categories"`
}

// Source is a category of sources of personal information.
type Source struct {
	Key         string `yaml:"key" json:"key"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
}

// Legal bases of processing.
const (
	BasisConsent             = "consent"
	BasisContract            = "contract"
	BasisLegitimateInterests = "legitimate_interests"
	BasisLegalObligation     = "legal_obligation"
)

// Consent regimes.
const (
	OptIn  = "opt_in"
	OptOut = "opt_out"
)

// Purpose is a purpose of processing (fideslang data use).
type Purpose struct {
	Key        string `yaml:"key" json:"key"`
	Name       string `yaml:"name" json:"name"`
	LegalBasis string `yaml:"legal_basis" json:"legal_basis"`
	// Consent holds, for consent purposes, the regime per jurisdiction.
	Consent *Consent `yaml:"consent,omitempty" json:"consent,omitempty"`
	// BusinessPurpose is the CCPA business purpose it serves (see taxonomy).
	BusinessPurpose string `yaml:"business_purpose,omitempty" json:"business_purpose,omitempty"`
	// AdditionalBusinessPurposes are further CCPA business purposes the
	// purpose serves, when one is not enough (see taxonomy).
	AdditionalBusinessPurposes []string `yaml:"additional_business_purposes,omitempty" json:"additional_business_purposes,omitempty"`
	// DirectMarketing marks marketing to the person (objection applies).
	DirectMarketing bool `yaml:"direct_marketing,omitempty" json:"direct_marketing,omitempty"`
	// Uses are the notice's plain-language lines for this purpose.
	Uses []string `yaml:"uses" json:"uses"`
	// StrictlyNecessary says whether storing or reading information on the
	// person's device for this purpose is strictly necessary for the
	// service they asked for: only then may it run without consent where
	// ePrivacy rules apply (Directive 2002/58/EC Art. 5(3); UK PECR
	// reg. 6), whatever the legal basis of the processing itself. Nil
	// takes the default from the data use: essential.* is, everything
	// else is not (see IsStrictlyNecessary), so older manifests keep
	// their meaning.
	StrictlyNecessary *bool `yaml:"strictly_necessary,omitempty" json:"strictly_necessary,omitempty"`
	// UKStatistics marks a purpose that stores information only to count
	// how the site is used in order to improve it: UK PECR Schedule A1
	// para. 5 (inserted by the Data (Use and Access) Act 2025, Sch. 12)
	// lets it run in the UK without consent, provided the person is told
	// clearly and is given a simple way to object, which the banner's
	// toggle is. Everywhere else it still needs consent.
	UKStatistics bool `yaml:"uk_statistics_exemption,omitempty" json:"uk_statistics_exemption,omitempty"`
	// RestrictionExempt names the ground of GDPR Art. 18(2) on which the
	// purpose still runs while the person's processing is restricted:
	// legal_claims (the establishment, exercise or defence of legal
	// claims), rights_of_others (the protection of the rights of another
	// natural or legal person) or public_interest (important public
	// interest of the Union or a member state). Empty, the default: the
	// purpose stops under a restriction, whatever its legal basis (a
	// legal obligation or a contract is not a ground of Art. 18(2)).
	RestrictionExempt string `yaml:"restriction_exempt,omitempty" json:"restriction_exempt,omitempty"`
	// CompellingGrounds states, for a purpose on legitimate interests, the
	// compelling legitimate grounds that override a person's objection, or
	// the legal claims it serves (GDPR Art. 21(1)): with it the purpose
	// goes on after a general objection, without it the objection stops
	// it. Direct marketing can have none (Art. 21(3)).
	CompellingGrounds string `yaml:"compelling_grounds,omitempty" json:"compelling_grounds,omitempty"`
}

// Grounds of GDPR Art. 18(2) a purpose may name in restriction_exempt.
const (
	ExemptLegalClaims    = "legal_claims"
	ExemptRightsOfOthers = "rights_of_others"
	ExemptPublicInterest = "public_interest"
)

// RestrictionGrounds are the values restriction_exempt accepts.
var RestrictionGrounds = []string{ExemptLegalClaims, ExemptRightsOfOthers, ExemptPublicInterest}

// IsStrictlyNecessary reports whether the purpose's storage may run
// without a choice: the manifest's word, else essential.* only.
func (p Purpose) IsStrictlyNecessary() bool {
	if p.StrictlyNecessary != nil {
		return *p.StrictlyNecessary
	}
	return DefaultStrictlyNecessary(p.Key)
}

// DefaultStrictlyNecessary is the default for a data use: the fideslang
// essential.* uses are the ones a service cannot run without.
func DefaultStrictlyNecessary(key string) bool {
	return key == "essential" || strings.HasPrefix(key, "essential.")
}

// Banner tunes the consent banner (the manifest's banner key); a manifest
// without one keeps every default.
type Banner struct {
	// UnknownLocation is the experience where neither the site nor a CDN
	// says where the visitor is: opt_in (the default: the visitor may be
	// in the EU, where ePrivacy needs consent first) or opt_out.
	UnknownLocation string `yaml:"unknown_location,omitempty" json:"unknown_location,omitempty"`
	// OptIn lists further jurisdictions (beyond the EU, the EEA and the
	// UK, which are always opt-in) where only strictly necessary storage
	// runs before the person chooses.
	OptIn []string `yaml:"opt_in,omitempty" json:"opt_in,omitempty"`
	// IAB turns on the IAB CMP APIs (__gpp, __tcfapi) for the tags that
	// read them; nil leaves them off, and their module is never loaded.
	IAB *BannerIAB `yaml:"iab,omitempty" json:"iab,omitempty"`
}

// BannerIAB configures the IAB CMP APIs the banner answers.
type BannerIAB struct {
	// GPP answers __gpp (Global Privacy Platform) in the US: the state's
	// section where one is decoded (usca, usva, usco, usut, usct), else
	// US National (usnat).
	GPP bool `yaml:"gpp,omitempty" json:"gpp,omitempty"`
	// TCF answers __tcfapi (TCF v2.2) where ePrivacy applies.
	TCF *BannerTCF `yaml:"tcf,omitempty" json:"tcf,omitempty"`
}

// BannerTCF is what a TC string needs that the policy cannot know: the
// CMP id IAB Europe registered for the company, and the vendors (ids of
// the Global Vendor List, which Custos does not fetch) its pages use.
type BannerTCF struct {
	CMPID             int   `yaml:"cmp_id" json:"cmp_id"`
	CMPVersion        int   `yaml:"cmp_version,omitempty" json:"cmp_version,omitempty"`
	VendorListVersion int   `yaml:"vendor_list_version" json:"vendor_list_version"`
	Vendors           []int `yaml:"vendors,omitempty" json:"vendors,omitempty"`
}

// Consent says how consent works for a purpose in each jurisdiction.
type Consent struct {
	// Regimes maps a jurisdiction (ISO 3166 code such as US-CA, a country
	// such as US, EU, EEA, or "default") to opt_in or opt_out. The most
	// specific match wins.
	Regimes map[string]string `yaml:"regimes" json:"regimes"`
}

// Recipient kinds.
const (
	KindAffiliate                = "affiliate"
	KindServiceProvider          = "service_provider"
	KindContractor               = "contractor"
	KindBusinessPartner          = "business_partner"
	KindCustomer                 = "customer"
	KindThirdPartyOwnMarketing   = "third_party_for_own_marketing"
	KindThirdParty               = "third_party"
	KindAuthority                = "authority"
	KindAcquirer                 = "acquirer"
	KindPersonConnectedToSubject = "connected_person"
)

// Recipient is a category of recipients of personal information.
type Recipient struct {
	Key  string `yaml:"key" json:"key"`
	Name string `yaml:"name" json:"name"`
	Kind string `yaml:"kind" json:"kind"`
	// Description is the notice's sentence on this sharing.
	Description string `yaml:"description" json:"description"`
	// CCPADescription names the category of third parties in the
	// California statement; empty means the recipient is not listed there.
	CCPADescription string `yaml:"ccpa_description,omitempty" json:"ccpa_description,omitempty"`
	SaleOrShare     bool   `yaml:"sale_or_share" json:"sale_or_share"`
	DirectMarketing bool   `yaml:"direct_marketing" json:"direct_marketing"`
	// ContractRequired: disclosures need a contract on record (processors).
	ContractRequired bool `yaml:"contract_required,omitempty" json:"contract_required,omitempty"`
	// Purposes and Categories restrict what may be disclosed; empty means
	// any declared one.
	Purposes   []string `yaml:"purposes,omitempty" json:"purposes,omitempty"`
	Categories []string `yaml:"categories,omitempty" json:"categories,omitempty"`
	// Grounds are the legal grounds of disclosures to authorities.
	Grounds []string `yaml:"grounds,omitempty" json:"grounds,omitempty"`
	// NotifyEmail is where erasure, correction and restriction notices go (GDPR Art. 19,
	// CCPA regulations §7022); without it, the request's history records
	// that the recipient must be told through another channel.
	NotifyEmail string `yaml:"notify_email,omitempty" json:"notify_email,omitempty"`
	// NotifyLanguage is the language the recipient reads those notices
	// in (en, es, fr, de); empty means English.
	NotifyLanguage string `yaml:"notify_language,omitempty" json:"notify_language,omitempty"`
}

// Rights says which requests people may make, per jurisdiction.
type Rights struct {
	// Unsubscribe: every marketing e-mail carries an unsubscribe link.
	Unsubscribe bool `yaml:"unsubscribe" json:"unsubscribe"`
	// VerifyIdentity: identity is verified before access is granted.
	VerifyIdentity bool `yaml:"verify_identity" json:"verify_identity"`
	// Fee: "none", or "permitted_by_law" (a charge may apply where the
	// law allows it).
	Fee string `yaml:"fee" json:"fee"`
	// Complaint: people may complain to a regulator.
	Complaint     bool                `yaml:"complaint" json:"complaint"`
	Jurisdictions []JurisdictionRight `yaml:"jurisdictions" json:"jurisdictions"`
	// RecordKeepingMonths is how long the record of a closed request
	// (the request, its history and its answer) is kept before the
	// daily sweep purges it. 11 CCR §7101(a): "at least 24 months";
	// 0 means 24.
	RecordKeepingMonths int `yaml:"record_keeping_months,omitempty" json:"record_keeping_months,omitempty"`
	// MetricsScope is whose requests the yearly metrics count: MetricsCalifornia
	// (the default: 11 CCR §7102(a) counts requests from California
	// consumers) or MetricsAllIndividuals (§7102(b): every individual,
	// which the disclosure of the metrics then says).
	MetricsScope string `yaml:"metrics_scope,omitempty" json:"metrics_scope,omitempty"`
	// StrongerVerification, where set, asks more of a person than the
	// mailed code before some requests go on (StrongerVerification).
	StrongerVerification *StrongerVerification `yaml:"stronger_verification,omitempty" json:"stronger_verification,omitempty"`
}

// StrongerVerification is the check of 11 CCR §7062(c): a request to
// know specific pieces of personal information from a person without a
// password-protected account needs "a reasonably high degree of
// certainty", which "may include matching at least three pieces of
// personal information provided by the consumer with personal
// information maintained by the business … together with a signed
// declaration under penalty of perjury". §7062(d) lets a business ask the
// same of a request to delete where the data's sensitivity warrants it.
// The person gives the values after the mailed code; they are compared
// with what the records hold and never kept (§7060(d)).
type StrongerVerification struct {
	// Requests are the types checked: access and, where the policy says
	// so, deletion.
	Requests []string `yaml:"requests" json:"requests"`
	// Jurisdictions are where the check applies (default: US-CA).
	Jurisdictions []string `yaml:"jurisdictions,omitempty" json:"jurisdictions,omitempty"`
	// Categories are the data categories a person may give a value of:
	// identifiers recorded for them (user.contact.phone_number is matched
	// by its blind index) or values of recorded events.
	Categories []string `yaml:"categories" json:"categories"`
	// DataPoints is how many of the values given must match (§7062(c):
	// "at least three").
	DataPoints int `yaml:"data_points" json:"data_points"`
}

// StrongerRequestTypes are the request types the stronger check may cover.
var StrongerRequestTypes = []string{"access", "deletion"}

// Applies reports whether the stronger check covers a request of type kind
// from jurisdiction j (a US-CA request is covered by US-CA or US).
func (sv *StrongerVerification) Applies(kind, j string) bool {
	if sv == nil || !slices.Contains(sv.Requests, kind) {
		return false
	}
	js := sv.Jurisdictions
	if len(js) == 0 {
		js = []string{"US-CA"}
	}
	for _, w := range js {
		if w == j || w == "default" || (len(j) > len(w) && strings.HasPrefix(j, w+"-")) {
			return true
		}
	}
	return false
}

// The scopes of the request metrics (Rights.MetricsScope).
const (
	MetricsCalifornia     = "california"
	MetricsAllIndividuals = "all_individuals"
)

// RecordKeeping returns how many months request records are kept
// (11 CCR §7101(a): at least 24).
func (r Rights) RecordKeeping() int {
	if r.RecordKeepingMonths == 0 {
		return 24
	}
	return r.RecordKeepingMonths
}

// Metrics returns the scope of the request metrics.
func (r Rights) Metrics() string {
	if r.MetricsScope == "" {
		return MetricsCalifornia
	}
	return r.MetricsScope
}

// JurisdictionRight lists the requests open to people in some jurisdictions.
type JurisdictionRight struct {
	Jurisdictions []string       `yaml:"jurisdictions" json:"jurisdictions"`
	Requests      []string       `yaml:"requests" json:"requests"`
	Limits        []RequestLimit `yaml:"limits,omitempty" json:"limits,omitempty"`
}

// RequestLimit caps how often some request types may be made.
type RequestLimit struct {
	Requests []string `yaml:"requests" json:"requests"`
	Count    int      `yaml:"count" json:"count"`
	// Period is "12_months" (rolling) or "calendar_year".
	Period string `yaml:"period" json:"period"`
}

// Cookie is a declared cookie or similar technology.
type Cookie struct {
	Name        string `yaml:"name" json:"name"`
	Party       string `yaml:"party" json:"party"`       // first | third
	Duration    string `yaml:"duration" json:"duration"` // session | persistent
	Lifetime    string `yaml:"lifetime,omitempty" json:"lifetime,omitempty"`
	Purpose     string `yaml:"purpose" json:"purpose"`
	Provider    string `yaml:"provider,omitempty" json:"provider,omitempty"`
	Description string `yaml:"description" json:"description"`
	// StrictlyNecessary states what the cookie's purpose implies (see
	// Purpose.StrictlyNecessary); the validator refuses a cookie that
	// contradicts its purpose, since the banner decides by purpose. Nil
	// means "as its purpose".
	StrictlyNecessary *bool `yaml:"strictly_necessary,omitempty" json:"strictly_necessary,omitempty"`
}

// Children is what the policy says of children's data.
type Children struct {
	AgeThreshold int  `yaml:"age_threshold" json:"age_threshold"`
	DirectedTo   bool `yaml:"directed_to_children" json:"directed_to_children"`
	// DeletionWindow is how promptly a child's data is deleted, e.g. "72h".
	DeletionWindow string `yaml:"deletion_window,omitempty" json:"deletion_window,omitempty"`
}

// Erasure says what a deletion request does besides erasing every
// personal field it reaches.
type Erasure struct {
	// SharedRows chooses, per collection of a connected system
	// ("dataset:collection"), what happens to the person's rows that other
	// people's records point at: SharedKeep (the default) leaves and
	// reports them, SharedMask masks their personal fields (what Fides
	// does), which touches what the others see of them too.
	SharedRows map[string]string `yaml:"shared_rows,omitempty" json:"shared_rows,omitempty"`
	// Rules say, per category (optionally per purpose), whether a deletion
	// erases the person's data or keeps it on a legal ground for a while;
	// a category no rule covers is erased.
	Rules []ErasureRule `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// ErasureRule is what a deletion does with one category of data (and its
// subcategories), optionally only where it serves one purpose.
type ErasureRule struct {
	Category string `yaml:"category" json:"category"`
	Purpose  string `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	// Action is ActionErase or ActionRetain.
	Action string `yaml:"action" json:"action"`
	// Masking is the masking strategy an erase uses in connected systems
	// where the dataset declares none (null_rewrite, string_rewrite,
	// random_string_rewrite, hmac); empty means the dataset's own.
	Masking string `yaml:"masking,omitempty" json:"masking,omitempty"`
	// Ground is why a retained category is kept: a key of Grounds.
	Ground string `yaml:"ground,omitempty" json:"ground,omitempty"`
	// For is how long it is kept after the deletion ("7 years", "84
	// months", "7y"); the deletion then erases it when that ends.
	For string `yaml:"for,omitempty" json:"for,omitempty"`
	// Reason is the company's sentence for the person ("Tax law requires
	// us to keep invoices for 7 years.").
	Reason string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// What an erasure rule does.
const (
	ActionErase  = "erase"
	ActionRetain = "retain"
)

// What a deletion does with shared rows.
const (
	SharedKeep = "keep"
	SharedMask = "mask"
)

// Retention holds concrete retention rules.
type Retention struct {
	Rules []RetentionRule `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// RetentionRule keeps a category (optionally for one purpose) for a duration
// after a trigger.
type RetentionRule struct {
	Category string `yaml:"category" json:"category"`
	Purpose  string `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	Duration string `yaml:"duration" json:"duration"` // e.g. "13 months", "30 days", "7 years"
	// Trigger: collected, last_activity, account_closed, relationship_ended.
	Trigger   string `yaml:"trigger" json:"trigger"`
	Extension string `yaml:"extension,omitempty" json:"extension,omitempty"`
	Reason    string `yaml:"reason" json:"reason"`
}

// Changes is how policy changes are announced.
type Changes struct {
	// NoticeOfMaterialChanges: how people learn of material changes before
	// they take effect ("website", "email", "website_and_email").
	NoticeOfMaterialChanges string `yaml:"notice_of_material_changes" json:"notice_of_material_changes"`
	// NoticeDays is how many days ahead material changes are announced.
	NoticeDays int `yaml:"notice_days,omitempty" json:"notice_days,omitempty"`
}

// California holds the California statement's own settings.
type California struct {
	Effective    string   `yaml:"effective" json:"effective"`
	Introduction []string `yaml:"introduction,omitempty" json:"introduction,omitempty"`
}

// SharedRowsOf is what a deletion does with the shared rows of a
// collection ("dataset:collection"): SharedKeep unless the manifest says
// SharedMask.
func (m *Manifest) SharedRowsOf(collection string) string {
	if m != nil && m.Erasure != nil && m.Erasure.SharedRows[collection] == SharedMask {
		return SharedMask
	}
	return SharedKeep
}

// OnBehalf declares the data a company handles as a processor: the
// controllers it works for, what their agreements cover, and which
// categories and datasets hold their data. Such data is not the company's
// own: it stays out of the company's statements and requests about it are
// routed to the controller.
type OnBehalf struct {
	// Term is the notice's name for the data ("Customer Content").
	Term string `yaml:"term" json:"term"`
	// Services are the services the data is processed in ("providing
	// support, cloud and other services").
	Services string `yaml:"services" json:"services"`
	// Content says what the data is, for the notice.
	Content string `yaml:"content" json:"content"`
	// OnBehalfOf names the controllers as the notice refers to them
	// ("its customers and partners").
	OnBehalfOf string `yaml:"on_behalf_of" json:"on_behalf_of"`
	// Agreements names the agreements that govern it ("our customer
	// agreements").
	Agreements string `yaml:"agreements" json:"agreements"`
	// OwnData is the notice's sentence on what stays under the policy.
	OwnData string `yaml:"own_data,omitempty" json:"own_data,omitempty"`
	// Categories are reserved to processing on behalf: an event in one of
	// them must name its controller.
	Categories []OnBehalfCategory `yaml:"categories" json:"categories"`
	// LogData is the log data collected for security across the services
	// and governed by the same agreements.
	LogData *LogData `yaml:"log_data,omitempty" json:"log_data,omitempty"`
	// SecurityMeasures are the technical and organisational measures of
	// the processor record (GDPR Art. 30(2)(d), 32(1)).
	SecurityMeasures []string     `yaml:"security_measures" json:"security_measures"`
	Controllers      []Controller `yaml:"controllers" json:"controllers"`
}

// OnBehalfCategory is a category only processing on behalf holds.
type OnBehalfCategory struct {
	Key         string `yaml:"key" json:"key"`
	Description string `yaml:"description" json:"description"`
}

// LogData is the log data kept under the controllers' agreements.
type LogData struct {
	// Description is the notice's words ("log data (e.g., regarding
	// access and authentication requests)").
	Description string `yaml:"description" json:"description"`
	// For is the notice's words on why ("analysis and security purposes").
	For        string   `yaml:"for" json:"for"`
	Categories []string `yaml:"categories" json:"categories"`
}

// Controller is someone the company processes personal data for.
type Controller struct {
	Key  string `yaml:"key" json:"key"`
	Name string `yaml:"name" json:"name"`
	// Contact is where privacy matters about the controller's data go.
	Contact   ControllerContact `yaml:"contact" json:"contact"`
	Agreement Agreement         `yaml:"agreement" json:"agreement"`
	// NotifyWithinDays is how many days the agreement gives to tell the
	// controller of a request a person made to the company (Art. 28(3)(e)).
	NotifyWithinDays int `yaml:"notify_within_days" json:"notify_within_days"`
	// Categories and Purposes are what the agreement covers: an event
	// with this controller must fall within them.
	Categories []string `yaml:"categories" json:"categories"`
	Purposes   []string `yaml:"purposes" json:"purposes"`
	// Datasets are the datasets or dataset.collection names in the
	// company's connected systems that hold this controller's data.
	Datasets []string `yaml:"datasets,omitempty" json:"datasets,omitempty"`
	// Transfers are transfers to third countries the agreement allows
	// (Art. 30(2)(c)), with their safeguards.
	Transfers []string `yaml:"transfers,omitempty" json:"transfers,omitempty"`
}

// ControllerContact is how a controller is reached: an address Custos can
// mail, or words saying how (then the request history says it must be
// done by hand).
type ControllerContact struct {
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
	How   string `yaml:"how,omitempty" json:"how,omitempty"`
	// Language is the language the controller is written to in (en, es,
	// fr, de); empty means English.
	Language string `yaml:"language,omitempty" json:"language,omitempty"`
}

// Agreement is the processing agreement on record with a controller.
type Agreement struct {
	Reference string `yaml:"reference" json:"reference"`
	Date      string `yaml:"date" json:"date"`
}

// Reserved reports whether category is held only on behalf of controllers.
func (m *Manifest) Reserved(category string) bool {
	if m.OnBehalf == nil {
		return false
	}
	for _, c := range m.OnBehalf.Categories {
		if c.Key == category {
			return true
		}
	}
	return m.OnBehalf.LogData != nil && slices.Contains(m.OnBehalf.LogData.Categories, category)
}

// ControllerOfCollection names the controller whose declared datasets
// hold the collection of a connected dataset (a datasets entry names the
// dataset, or "dataset.collection"), or "" for the company's own.
func (m *Manifest) ControllerOfCollection(dataset, collection string) string {
	if m.OnBehalf == nil {
		return ""
	}
	for _, c := range m.OnBehalf.Controllers {
		for _, d := range c.Datasets {
			if d == dataset || d == dataset+"."+collection {
				return c.Key
			}
		}
	}
	return ""
}

// Controller returns the declared controller with key.
func (m *Manifest) Controller(key string) (Controller, bool) {
	if m.OnBehalf == nil {
		return Controller{}, false
	}
	for _, c := range m.OnBehalf.Controllers {
		if c.Key == key {
			return c, true
		}
	}
	return Controller{}, false
}
