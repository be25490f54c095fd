package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Change is one difference between two manifests. Material changes alter
// what the company promises people: it collects, uses or shares more, or
// people have weaker rights or choices. Everything else is editorial.
type Change struct {
	Material bool
	Section  string // categories, purposes, recipients, rights…
	Key      string // the key, jurisdiction or field changed
	What     string // a sentence
}

func (c Change) String() string {
	mark := "editorial"
	if c.Material {
		mark = "material"
	}
	if c.Key != "" {
		return fmt.Sprintf("%s: %s %s: %s", mark, c.Section, c.Key, c.What)
	}
	return fmt.Sprintf("%s: %s: %s", mark, c.Section, c.What)
}

// AnyMaterial reports whether any change is material.
func AnyMaterial(cs []Change) bool {
	return slices.ContainsFunc(cs, func(c Change) bool { return c.Material })
}

// Diff lists every change from old to new, material ones first within
// each section, sections in manifest order.
func Diff(old, new *Manifest) []Change {
	d := &differ{}
	d.scalar(false, "organisation", "name", old.Organisation.Name, new.Organisation.Name)
	d.scalar(false, "organisation", "short_name", old.Organisation.ShortName, new.Organisation.ShortName)
	d.scalar(false, "organisation", "phone_region", old.Organisation.PhoneRegion, new.Organisation.PhoneRegion)
	d.scalar(false, "contact", "email", old.Contact.Email, new.Contact.Email)
	d.scalar(false, "contact", "phone", old.Contact.Phone, new.Contact.Phone)
	d.scalar(false, "contact", "postal_address", old.Contact.PostalAddress, new.Contact.PostalAddress)
	d.scalar(false, "last_updated", "", old.LastUpdated, new.LastUpdated)
	if fmt.Sprint(old.Notice) != fmt.Sprint(new.Notice) {
		d.add(false, "notice", "", "the notice's wording changed")
	}
	d.categories(old, new)
	if fmt.Sprint(old.InformationTypes) != fmt.Sprint(new.InformationTypes) {
		d.add(false, "information_types", "", "the list of types of information was reworded or regrouped")
	}
	d.sources(old, new)
	d.purposes(old, new)
	d.recipients(old, new)
	d.rights(old, new)
	d.cookies(old, new)
	d.banner(old, new)
	if brandingOf(old) != brandingOf(new) {
		d.add(false, "branding", "", "the look of the pages and mails changed")
	}
	d.translations(old, new)
	d.children(old, new)
	d.retention(old, new)
	d.erasure(old, new)
	d.laws(old, new)
	d.onBehalf(old, new)
	if old.Changes.NoticeOfMaterialChanges != new.Changes.NoticeOfMaterialChanges || old.Changes.NoticeDays > new.Changes.NoticeDays {
		d.add(old.Changes.NoticeDays > new.Changes.NoticeDays, "changes", "",
			fmt.Sprintf("notice of material changes: %s, %d days → %s, %d days",
				old.Changes.NoticeOfMaterialChanges, old.Changes.NoticeDays, new.Changes.NoticeOfMaterialChanges, new.Changes.NoticeDays))
	}
	return d.out
}

type differ struct{ out []Change }

func (d *differ) add(material bool, section, key, what string) {
	d.out = append(d.out, Change{Material: material, Section: section, Key: key, What: what})
}

func (d *differ) scalar(material bool, section, key, a, b string) {
	if a != b {
		d.add(material, section, key, fmt.Sprintf("%q → %q", a, b))
	}
}

func (d *differ) flag(section, key, name string, a, b, materialWhenSet bool) {
	if a == b {
		return
	}
	d.add(b == materialWhenSet, section, key, fmt.Sprintf("%s %v → %v", name, a, b))
}

// byKey indexes a list by key, keeping the order of keys.
func byKey[T any](list []T, key func(T) string) (map[string]T, []string) {
	m := make(map[string]T, len(list))
	keys := make([]string, 0, len(list))
	for _, x := range list {
		k := key(x)
		if _, dup := m[k]; !dup {
			keys = append(keys, k)
		}
		m[k] = x
	}
	return m, keys
}

// added and removed walk two keyed lists; added keys are material.
func compare[T any](d *differ, section, noun string, old, new []T, key func(T) string, both func(k string, a, b T)) {
	om, okeys := byKey(old, key)
	nm, nkeys := byKey(new, key)
	for _, k := range nkeys {
		if a, ok := om[k]; ok {
			both(k, a, nm[k])
		} else {
			d.add(true, section, k, "new "+noun)
		}
	}
	for _, k := range okeys {
		if _, ok := nm[k]; !ok {
			d.add(false, section, k, noun+" removed")
		}
	}
}

func (d *differ) categories(old, new *Manifest) {
	compare(d, "categories", "category of personal information", old.Categories, new.Categories,
		func(c Category) string { return c.Key }, func(k string, a, b Category) {
			d.scalar(false, "categories", k, a.Description, b.Description)
			if a.CCPA != b.CCPA {
				d.add(true, "categories", k, fmt.Sprintf("California category %s → %s", a.CCPA, b.CCPA))
			}
			d.flag("categories", k, "sensitive", a.Sensitive, b.Sensitive, true)
			d.flag("categories", k, "withheld", a.Withheld, b.Withheld, false)
		})
}

func (d *differ) sources(old, new *Manifest) {
	compare(d, "sources", "source", old.Sources, new.Sources,
		func(s Source) string { return s.Key }, func(k string, a, b Source) {
			d.scalar(false, "sources", k, a.Name, b.Name)
			d.scalar(false, "sources", k, a.Description, b.Description)
		})
}

func (d *differ) purposes(old, new *Manifest) {
	compare(d, "purposes", "purpose", old.Purposes, new.Purposes,
		func(p Purpose) string { return p.Key }, func(k string, a, b Purpose) {
			d.scalar(false, "purposes", k, a.Name, b.Name)
			if a.LegalBasis != b.LegalBasis {
				d.add(true, "purposes", k, fmt.Sprintf("legal basis %s → %s", a.LegalBasis, b.LegalBasis))
			}
			d.regimes(k, a.Consent, b.Consent)
			if a.BusinessPurpose != b.BusinessPurpose {
				d.add(false, "purposes", k, fmt.Sprintf("California business purpose %q → %q", a.BusinessPurpose, b.BusinessPurpose))
			}
			if !slices.Equal(a.AdditionalBusinessPurposes, b.AdditionalBusinessPurposes) {
				d.add(false, "purposes", k, fmt.Sprintf("additional California business purposes %s → %s",
					anyList(a.AdditionalBusinessPurposes), anyList(b.AdditionalBusinessPurposes)))
			}
			d.flag("purposes", k, "direct_marketing", a.DirectMarketing, b.DirectMarketing, true)
			// Storage that starts running without consent is a weaker promise.
			d.flag("purposes", k, "strictly_necessary", a.IsStrictlyNecessary(), b.IsStrictlyNecessary(), true)
			d.flag("purposes", k, "uk_statistics_exemption", a.UKStatistics, b.UKStatistics, true)
			if !slices.Equal(a.Uses, b.Uses) {
				d.add(false, "purposes", k, "the uses listed in the notice were reworded")
			}
		})
}

func (d *differ) regimes(key string, a, b *Consent) {
	var ar, br map[string]string
	if a != nil {
		ar = a.Regimes
	}
	if b != nil {
		br = b.Regimes
	}
	for _, j := range sortedKeys(ar, br) {
		x, y := ar[j], br[j]
		if x == y {
			continue
		}
		// Weaker: consent no longer asked first (opt-in gone or turned into opt-out).
		weaker := x == OptIn && y != OptIn
		d.add(weaker, "purposes", key, fmt.Sprintf("consent regime in %s: %s → %s", j, orNone(x), orNone(y)))
	}
}

func (d *differ) recipients(old, new *Manifest) {
	compare(d, "recipients", "recipient", old.Recipients, new.Recipients,
		func(r Recipient) string { return r.Key }, func(k string, a, b Recipient) {
			d.scalar(false, "recipients", k, a.Name, b.Name)
			d.scalar(false, "recipients", k, a.Description, b.Description)
			d.scalar(false, "recipients", k, a.CCPADescription, b.CCPADescription)
			if a.Kind != b.Kind {
				d.add(true, "recipients", k, fmt.Sprintf("kind %s → %s", a.Kind, b.Kind))
			}
			d.flag("recipients", k, "sale_or_share", a.SaleOrShare, b.SaleOrShare, true)
			d.flag("recipients", k, "direct_marketing", a.DirectMarketing, b.DirectMarketing, true)
			d.flag("recipients", k, "contract_required", a.ContractRequired, b.ContractRequired, false)
			d.scope("recipients", k, "purposes", a.Purposes, b.Purposes)
			d.scope("recipients", k, "categories", a.Categories, b.Categories)
			if !slices.Equal(a.Grounds, b.Grounds) {
				d.add(len(b.Grounds) > len(a.Grounds), "recipients", k, "grounds of disclosure changed")
			}
		})
}

// scope compares a restriction list where empty means "any": widening it is
// material, narrowing it editorial.
func (d *differ) scope(section, key, name string, a, b []string) {
	if slices.Equal(a, b) {
		return
	}
	wider := len(b) == 0 && len(a) > 0
	if len(b) > 0 && len(a) > 0 {
		for _, x := range b {
			if !slices.Contains(a, x) {
				wider = true
			}
		}
	}
	d.add(wider, section, key, fmt.Sprintf("%s %s → %s", name, anyList(a), anyList(b)))
}

func (d *differ) rights(old, new *Manifest) {
	o, n := old.Rights, new.Rights
	d.flag("rights", "unsubscribe", "unsubscribe link", o.Unsubscribe, n.Unsubscribe, false)
	d.flag("rights", "complaint", "complaint to a regulator", o.Complaint, n.Complaint, false)
	d.flag("rights", "verify_identity", "identity verification", o.VerifyIdentity, n.VerifyIdentity, true)
	if o.Fee != n.Fee {
		d.add(n.Fee != "none", "rights", "fee", fmt.Sprintf("%q → %q", o.Fee, n.Fee))
	}
	offered := func(r Rights) map[string][]string {
		m := map[string][]string{}
		for _, j := range r.Jurisdictions {
			for _, code := range j.Jurisdictions {
				m[code] = append(m[code], j.Requests...)
			}
		}
		return m
	}
	limits := func(r Rights) map[string]int {
		m := map[string]int{}
		for _, j := range r.Jurisdictions {
			for _, code := range j.Jurisdictions {
				for _, l := range j.Limits {
					for _, q := range l.Requests {
						m[code+" "+q+" per "+l.Period] = l.Count
					}
				}
			}
		}
		return m
	}
	or, nr := offered(o), offered(n)
	for _, code := range sortedKeys(or, nr) {
		for _, q := range or[code] {
			if !slices.Contains(nr[code], q) {
				d.add(true, "rights", code, fmt.Sprintf("request %q no longer offered", q))
			}
		}
		for _, q := range nr[code] {
			if !slices.Contains(or[code], q) {
				d.add(false, "rights", code, fmt.Sprintf("request %q now offered", q))
			}
		}
	}
	ol, nl := limits(o), limits(n)
	for _, k := range sortedKeys(ol, nl) {
		a, aok := ol[k]
		b, bok := nl[k]
		switch {
		case aok && bok && a != b:
			d.add(b < a, "rights", "limits", fmt.Sprintf("%s: %d → %d", k, a, b))
		case bok && !aok:
			d.add(true, "rights", "limits", fmt.Sprintf("new limit %s: %d", k, b))
		case aok && !bok:
			d.add(false, "rights", "limits", fmt.Sprintf("limit %s lifted", k))
		}
	}
}

func (d *differ) cookies(old, new *Manifest) {
	om, okeys := byKey(old.Cookies, func(c Cookie) string { return c.Name })
	nm, nkeys := byKey(new.Cookies, func(c Cookie) string { return c.Name })
	for _, k := range nkeys {
		b := nm[k]
		a, ok := om[k]
		switch {
		case !ok:
			d.add(b.Party == "third", "cookies", k, fmt.Sprintf("new %s-party %s cookie for %s", b.Party, b.Duration, b.Purpose))
		case !sameCookie(a, b):
			// The cookie's strictly_necessary must agree with its purpose
			// (the validator sees to it), so the purpose's flag says it.
			material := a.Party == "first" && b.Party == "third" || a.Purpose != b.Purpose ||
				a.Duration == "session" && b.Duration == "persistent" || longer(a.Lifetime, b.Lifetime)
			d.add(material, "cookies", k, fmt.Sprintf("%s/%s/%s/%s → %s/%s/%s/%s",
				a.Party, a.Duration, orNone(a.Lifetime), a.Purpose, b.Party, b.Duration, orNone(b.Lifetime), b.Purpose))
		}
	}
	for _, k := range okeys {
		if _, ok := nm[k]; !ok {
			d.add(false, "cookies", k, "cookie removed")
		}
	}
}

func (d *differ) children(old, new *Manifest) {
	a, b := old.Children, new.Children
	if a.AgeThreshold != b.AgeThreshold {
		d.add(b.AgeThreshold < a.AgeThreshold, "children", "age_threshold", fmt.Sprintf("%d → %d", a.AgeThreshold, b.AgeThreshold))
	}
	d.flag("children", "directed_to_children", "directed to children", a.DirectedTo, b.DirectedTo, true)
	if a.DeletionWindow != b.DeletionWindow {
		d.add(longer(a.DeletionWindow, b.DeletionWindow), "children", "deletion_window",
			fmt.Sprintf("%s → %s", orNone(a.DeletionWindow), orNone(b.DeletionWindow)))
	}
}

func (d *differ) retention(old, new *Manifest) {
	key := func(r RetentionRule) string {
		if r.Purpose != "" {
			return r.Category + " for " + r.Purpose
		}
		return r.Category
	}
	om, okeys := byKey(old.Retention.Rules, key)
	nm, nkeys := byKey(new.Retention.Rules, key)
	for _, k := range nkeys {
		b := nm[k]
		a, ok := om[k]
		switch {
		case !ok:
			d.add(false, "retention", k, fmt.Sprintf("now kept %s after %s", b.Duration, b.Trigger))
		case a.Duration != b.Duration || a.Trigger != b.Trigger || a.Extension != b.Extension:
			material := longer(a.Duration, b.Duration) || longer(a.Extension, b.Extension) || a.Trigger != b.Trigger
			d.add(material, "retention", k, fmt.Sprintf("%s after %s → %s after %s", a.Duration, a.Trigger, b.Duration, b.Trigger))
		case a.Reason != b.Reason:
			d.add(false, "retention", k, "reason reworded")
		}
	}
	for _, k := range okeys {
		if _, ok := nm[k]; !ok {
			d.add(true, "retention", k, "retention limit removed")
		}
	}
}

// longer reports whether duration b is longer than a; either may be empty
// (no limit is longest of all for lifetimes, so empty b after a set a is
// longer) or written as "13 months", "30 days", "72h", "7 years".
func longer(a, b string) bool {
	if a == b {
		return false
	}
	if b == "" {
		return a != ""
	}
	if a == "" {
		return false
	}
	return hours(b) > hours(a)
}

var durationRE = regexp.MustCompile(`^\s*([0-9]+)\s*(h|d|hours?|days?|weeks?|months?|years?)\s*$`)

func hours(s string) float64 {
	m := durationRE.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	switch unit := strings.TrimSuffix(m[2], "s"); unit {
	case "h", "hour":
		return n
	case "d", "day":
		return n * 24
	case "week":
		return n * 24 * 7
	case "month":
		return n * 24 * 30.44
	default:
		return n * 24 * 365.25
	}
}

// sortedKeys returns the keys of the maps, sorted, each once.
func sortedKeys[V any](ms ...map[string]V) []string {
	var out []string
	for _, m := range ms {
		out = slices.AppendSeq(out, maps.Keys(m))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func anyList(l []string) string {
	if len(l) == 0 {
		return "any"
	}
	return "[" + strings.Join(l, ", ") + "]"
}

// sameCookie compares by value: StrictlyNecessary is a pointer, so two
// parses of one cookie are never == .
func sameCookie(a, b Cookie) bool {
	sa, sb := a.StrictlyNecessary, b.StrictlyNecessary
	a.StrictlyNecessary, b.StrictlyNecessary = nil, nil
	return a == b && (sa == nil) == (sb == nil) && (sa == nil || *sa == *sb)
}

// banner: asking first in fewer places is a weaker promise.
func (d *differ) banner(old, new *Manifest) {
	unknown := func(m *Manifest) string {
		if m.Banner == nil || m.Banner.UnknownLocation == "" {
			return OptIn
		}
		return m.Banner.UnknownLocation
	}
	optIn := func(m *Manifest) []string {
		if m.Banner == nil {
			return nil
		}
		return m.Banner.OptIn
	}
	if a, b := unknown(old), unknown(new); a != b {
		d.add(b == OptOut, "banner", "unknown_location", fmt.Sprintf("where the location is unknown: %s → %s", a, b))
	}
	for _, j := range optIn(old) {
		if !slices.Contains(optIn(new), j) {
			d.add(true, "banner", "opt_in", fmt.Sprintf("%s no longer asks before storage", j))
		}
	}
	for _, j := range optIn(new) {
		if !slices.Contains(optIn(old), j) {
			d.add(false, "banner", "opt_in", fmt.Sprintf("%s now asks before storage", j))
		}
	}
}

// erasure compares the erasure rules. Keeping after a deletion what was
// erased, or keeping it longer or on another ground, is material: people
// asking for deletion get less of it. Erasing what was kept is not.
func (d *differ) erasure(old, new *Manifest) {
	rules := func(m *Manifest) []ErasureRule {
		if m.Erasure == nil {
			return nil
		}
		return m.Erasure.Rules
	}
	key := func(r ErasureRule) string {
		if r.Purpose != "" {
			return r.Category + " for " + r.Purpose
		}
		return r.Category
	}
	kept := func(r ErasureRule) string {
		if r.Action != ActionRetain {
			return "erased"
		}
		return "kept " + r.For + " (" + r.Ground + ")"
	}
	om, okeys := byKey(rules(old), key)
	nm, nkeys := byKey(rules(new), key)
	for _, k := range nkeys {
		b := nm[k]
		a, ok := om[k]
		switch {
		case !ok:
			d.add(b.Action == ActionRetain, "erasure", k, "on deletion now "+kept(b))
		case kept(a) != kept(b):
			material := b.Action == ActionRetain && (a.Action != ActionRetain || a.Ground != b.Ground || retainDays(b.For) > retainDays(a.For))
			d.add(material, "erasure", k, "on deletion "+kept(a)+" → "+kept(b))
		case a.Masking != b.Masking || a.Reason != b.Reason:
			d.add(false, "erasure", k, "masking or reason reworded")
		}
	}
	for _, k := range okeys {
		if _, ok := nm[k]; !ok {
			// Without its own rule the category follows a broader one, or
			// is erased: removing an erase rule may let a broader retain
			// rule keep it.
			d.add(om[k].Action != ActionRetain, "erasure", k, "rule removed (was "+kept(om[k])+")")
		}
	}
}

// retainDays is an erasure rule's duration in days, near enough to
// compare two of them.
func retainDays(s string) int {
	y, m, dd, err := RetainFor(s)
	if err != nil {
		return 0
	}
	return (y*12+m)*31 + dd
}

func brandingOf(m *Manifest) Branding {
	if m.Branding == nil {
		return Branding{}
	}
	return *m.Branding
}

// translations reports each language whose translation was added, removed
// or changed. A translation says again what the manifest says, in another
// language, so it never changes a promise: the change is editorial.
func (d *differ) translations(old, new *Manifest) {
	for _, lang := range sortedKeys(old.Translations, new.Translations) {
		a, b := old.Translations[lang], new.Translations[lang]
		switch ja, jb := translationJSON(a), translationJSON(b); {
		case a == nil && b != nil:
			d.add(false, "translations", lang, "new translation")
		case a != nil && b == nil:
			d.add(false, "translations", lang, "translation removed; its texts are shown in the manifest's language")
		case ja != jb:
			d.add(false, "translations", lang, "the translation's wording changed")
		}
	}
}

func translationJSON(t *Translation) string {
	if t == nil {
		return ""
	}
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Sprintf("%#v", t) // a Translation is plain strings; this does not happen
	}
	return string(b)
}
