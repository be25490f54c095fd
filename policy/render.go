package policy

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/taxonomy"
)

// Notice formats Render writes.
const (
	NoticeMarkdown = "md"
	NoticeHTML     = "html"
)

// RenderOptions are what the notice shows besides the manifest.
type RenderOptions struct {
	Version  int64      // policy version number, 0 if unknown
	Upcoming []Upcoming // announced changes not yet in force
	// Center is the privacy centre's address (Custos serves it at
	// /privacy-center): where the notice tells people how to exercise a
	// right, it links there. Empty for a notice published elsewhere,
	// which then points to the contact section only.
	Center string
	// Preferences is the preferences page's address, when there is one.
	Preferences string
	// Lang is the language of the notice's own words (headings, the
	// sentences around the manifest's data), one of i18n.Languages(). Empty
	// renders them in English under the manifest's language tag, as the
	// notice always has been: the rendering a published version is read
	// in. The company's words stay in the manifest's language whatever
	// Lang is, and are marked with it where the page speaks another.
	Lang string
	// Languages, when set, are offered at the top of the page as links
	// (?lang=xx), the current one marked: the public page's switcher.
	Languages []LanguageChoice
}

// LanguageChoice is one language the page offers: its tag and its name in
// itself ("Deutsch").
type LanguageChoice struct {
	Code, Name string
	Current    bool
}

// Upcoming is an announced change to the policy that is not yet in force.
type Upcoming struct {
	EffectiveAt time.Time
	Changes     []string
}

//go:embed templates/notice.md.tmpl templates/notice.html.tmpl
var templateFiles embed.FS

// The templates are parsed once with English words; each render installs
// its language's (markdownFuncs, htmlFuncs) on a clone.
var (
	markdownNotice = texttemplate.Must(texttemplate.New("notice.md.tmpl").
			Funcs(markdownFuncs(noticeWords{lang: i18n.English})).
			ParseFS(templateFiles, "templates/notice.md.tmpl"))
	htmlNotice = htmltemplate.Must(htmltemplate.New("notice.html.tmpl").
			Funcs(htmlFuncs(noticeWords{lang: i18n.English}, false, "", false)).
			ParseFS(templateFiles, "templates/notice.html.tmpl"))
)

// Render writes the public privacy notice of m in format "md" (GitHub
// flavoured Markdown) or "html" (a complete, self-contained document). The
// wording specific to the company comes from the manifest; the templates
// hold only generic notice wording and the lists derived from the data.
func Render(w io.Writer, m *Manifest, format string, opts RenderOptions) error {
	if format != NoticeMarkdown && format != NoticeHTML {
		return fmt.Errorf("policy: cannot render the notice as %q: the formats are %q and %q", format, NoticeMarkdown, NoticeHTML)
	}
	if m == nil {
		return fmt.Errorf("policy: cannot render the notice of no manifest")
	}
	if opts.Lang != "" {
		l, ok := i18n.Supported(opts.Lang)
		if !ok {
			return fmt.Errorf("policy: cannot render the notice in %q: the languages are %v", opts.Lang, i18n.Languages())
		}
		opts.Lang = l
	}
	v, err := newNoticeView(m, opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if format == NoticeMarkdown {
		t, err := markdownNotice.Clone()
		if err != nil {
			return fmt.Errorf("policy: render notice: %w", err)
		}
		if err := t.Funcs(markdownFuncs(v.words)).Execute(&buf, v); err != nil {
			return fmt.Errorf("policy: render notice: %w", err)
		}
		_, err = w.Write(tidyMarkdown(buf.Bytes()))
		return err
	}
	t, err := htmlNotice.Clone()
	if err != nil {
		return fmt.Errorf("policy: render notice: %w", err)
	}
	if err := t.Funcs(htmlFuncs(v.words, v.Foreign, v.OwnLang, v.TitleOwn)).Execute(&buf, v); err != nil {
		return fmt.Errorf("policy: render notice: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// noticeView is what the templates see: the manifest's prose as it is and
// every list derived from its data, in order and punctuated.
type noticeView struct {
	words noticeWords
	Lang  string
	// OwnLang is the manifest's language; Foreign says the page speaks
	// another, so the company's words are marked with OwnLang (OwnAttr,
	// the template's own and title) and Custos' words that stay English,
	// the taxonomy's, with English (EnAttr).
	OwnLang   string
	Foreign   bool
	OwnAttr   htmltemplate.HTMLAttr
	EnAttr    htmltemplate.HTMLAttr
	TitleAttr htmltemplate.HTMLAttr // OwnAttr when the title is the manifest's
	TitleOwn  bool
	Languages []LanguageChoice
	// Translated is a page in another language than English, whose
	// longer words (German's) a narrow table's headers must be able to
	// break.
	Translated bool

	Title       string
	TitleLower  string
	ShortName   string
	LastUpdated string
	Updated     string // ISO date, for <time>
	Version     int64
	Upcoming    []upcomingView
	Center      string
	Preferences string

	Notice Notice
	// OnBehalf is the opening section on data processed for others.
	OnBehalf []string

	Contexts        []string
	Types           []string
	Uses            []string
	LegalBases      []string
	DirectMarketing bool

	Cookies []cookieRow

	Recipients  []string
	NoSale      bool
	Authorities []authorityView
	Acquirers   []string

	Unsubscribe    bool
	RightsGroups   []rightsGroup
	LawRights      []lawRightsView
	VerifyIdentity bool
	// RecordKeepingMonths is how long request records are kept before
	// they are purged (11 CCR §7101(a)): the notice says what is done.
	RecordKeepingMonths int
	Fee                 string
	Complaint           bool

	RetentionRules    []retentionRow
	RetentionPurposes bool // some rule is for one purpose: show the column

	Children childrenView
	Changes  changesView
	Contact  contactView

	California *californiaView
}

type upcomingView struct {
	Effective string
	Changes   []string
}

type cookieRow struct {
	Name, Party, Duration, Purpose, Description string
}

type authorityView struct {
	Description string
	Grounds     string // "(1) …, (2) …, and (3) …"
}

type rightsGroup struct {
	Label    string
	Requests []string
	Limits   []limitView
}

type limitView struct {
	Requests string // "access and categories"
	Times    string // "up to twice", "once"
	Period   string // "in any 12-month period"
}

// retentionRow is one line of the retention table: the rules that keep
// information for the same purpose, period and reason, with the plain
// descriptions of their categories.
type retentionRow struct {
	Information []string
	Purpose     string
	PurposeOwn  bool   // the purpose is the manifest's name, not "All purposes"
	Period      string // "13 months after it is collected"
	Reason      string
}

type childrenView struct {
	Paragraphs []string
	Age        int
	Directed   bool
	Deletion   string // "within 72 hours" or "promptly"
}

type changesView struct {
	Paragraphs []string
	Means      string // "by means of a notice on this website"
	Days       int
}

type contactView struct {
	Paragraphs []string
	Email      string
	EmailShown bool // the prose already gives the e-mail address
	Phone      string
	Postal     string
	WebForm    string
	DPO        string
}

type californiaView struct {
	Effective        string
	Introduction     []string
	Collected        []string
	Sources          []string
	BusinessPurposes []string
	Disclosed        []string
	Sold             []string
	ThirdParties     []string

	Know             bool   // right to know (access, categories)
	KnowLimit        string // "twice in a 12-month period"
	Disclosures      bool   // Shine the Light
	DisclosuresLimit string // "once in a calendar year"
	Deletion         bool
	Other            []string // other requests, in the taxonomy's words
}

func newNoticeView(m *Manifest, opts RenderOptions) (*noticeView, error) {
	w := noticeWords{lang: opts.Lang}
	if w.lang == "" {
		w.lang = i18n.English
	}
	// In another language than its own, the manifest's translations into
	// it stand in for its texts.
	own := baseLanguage(m.Language)
	if own == "" {
		own = i18n.English
	}
	if opts.Lang != "" && opts.Lang != own {
		m, w.done = m.Translated(opts.Lang)
	}
	updated, err := w.longDate(m.LastUpdated)
	if err != nil {
		return nil, fmt.Errorf("policy: render notice: last_updated: %w", err)
	}
	v := &noticeView{
		words:       w,
		Lang:        m.Language,
		OwnLang:     m.Language,
		Title:       m.Notice.Title,
		TitleOwn:    m.Notice.Title != "",
		ShortName:   m.Organisation.ShortName,
		LastUpdated: updated,
		Updated:     m.LastUpdated,
		Version:     opts.Version,
		Notice:      m.Notice,
		OnBehalf:    onBehalfParagraphs(m),
		Languages:   opts.Languages,
	}
	v.setLanguage(opts.Lang, w)
	v.Center, v.Preferences = opts.Center, opts.Preferences
	for _, u := range opts.Upcoming {
		v.Upcoming = append(v.Upcoming, upcomingView{Effective: w.date(u.EffectiveAt), Changes: u.Changes})
	}

	purposeNames := v.setPurposes(m, w)
	v.setRecipients(m, w)
	v.Unsubscribe = m.Rights.Unsubscribe
	v.VerifyIdentity = m.Rights.VerifyIdentity
	v.RecordKeepingMonths = m.Rights.RecordKeeping()
	v.Fee = m.Rights.Fee
	v.Complaint = m.Rights.Complaint
	v.RightsGroups = rightsGroups(w, m.Rights.Jurisdictions)
	v.LawRights = lawRights(w, m)

	v.RetentionRules, v.RetentionPurposes = retentionRows(w, m, purposeNames)

	v.Children = childrenView{
		Paragraphs: m.Notice.Children,
		Age:        m.Children.AgeThreshold,
		Directed:   m.Children.DirectedTo,
		Deletion:   w.within(m.Children.DeletionWindow),
	}
	v.Changes = changesView{Paragraphs: m.Notice.Changes, Means: w.changeMeans(m.Changes.NoticeOfMaterialChanges), Days: m.Changes.NoticeDays}

	v.setContact(m)
	if m.California != nil {
		ca, err := californiaStatement(w, m)
		if err != nil {
			return nil, err
		}
		v.California = ca
	}
	return v, nil
}

// setLanguage marks the page's language and, when it differs from the
// manifest's, the manifest's words as written in their own; then the
// title, Custos' own or the manifest's (translated or not).
func (v *noticeView) setLanguage(lang string, w noticeWords) {
	if v.OwnLang == "" {
		v.OwnLang = i18n.English
	}
	v.Lang = v.OwnLang
	if lang != "" {
		// The page is in the language asked for; whatever the manifest
		// wrote stays in its own, and says so. A page in the manifest's
		// language keeps its tag ("en-US" for "en"): it reads as it always
		// has.
		v.Foreign = !strings.EqualFold(lang, baseLanguage(v.OwnLang))
		if v.Foreign {
			v.Lang = lang
			v.OwnAttr = htmltemplate.HTMLAttr(` lang="` + htmltemplate.HTMLEscapeString(v.OwnLang) + `"`)
		}
		if lang != i18n.English {
			v.EnAttr = ` lang="en"`
			v.Translated = true
		}
	}
	switch {
	case v.TitleOwn && !w.done[v.Title]:
		v.TitleAttr = v.OwnAttr
	case v.TitleOwn: // translated: in the page's language
	default:
		v.Title = w.t("notice.title")
	}
	v.TitleLower = strings.ToLower(v.Title)
	if w.lang == "de" {
		v.TitleLower = v.Title // German writes its nouns capitalised
	}

}

// setPurposes fills what the purposes say (contexts, types of
// information, uses, legal bases) and returns their names by key.
func (v *noticeView) setPurposes(m *Manifest, w noticeWords) map[string]string {
	v.Contexts = w.punctuate(m.Notice.CollectionContexts, "or")
	var types []string
	for _, it := range m.InformationTypes {
		types = append(types, it.Text)
	}
	v.Types = w.punctuate(types, "and")

	var uses []string
	bases := map[string]bool{}
	for _, p := range m.Purposes {
		uses = append(uses, p.Uses...)
		bases[p.LegalBasis] = true
		v.DirectMarketing = v.DirectMarketing || p.DirectMarketing
	}
	v.Uses = w.punctuate(uses, "and")
	var legal []string
	for _, b := range taxonomy.LegalBases() {
		if bases[b.Key] {
			legal = append(legal, w.taxon("notice.basis."+b.Key, b.Text))
		}
	}
	v.LegalBases = punctuate(legal, w.conj("or"))

	purposeNames := map[string]string{}
	for _, p := range m.Purposes {
		purposeNames[p.Key] = p.Name
	}
	v.setCookies(m, w, purposeNames)
	return purposeNames
}

// setCookies fills the cookie table, each cookie under its purpose's name.
func (v *noticeView) setCookies(m *Manifest, w noticeWords, purposeNames map[string]string) {
	for _, c := range m.Cookies {
		row := cookieRow{Name: c.Name, Party: w.t("notice.cookies.first_party"), Duration: w.t("notice.cookies.session"), Purpose: purposeNames[c.Purpose], Description: c.Description}
		if c.Party == "third" {
			row.Party = w.t("notice.cookies.third_party")
			if c.Provider != "" {
				row.Party = w.t("notice.cookies.third_party_by", "provider", c.Provider)
			}
		}
		if c.Duration == "persistent" {
			row.Duration = w.t("notice.cookies.persistent")
			if c.Lifetime != "" {
				row.Duration = w.t("notice.cookies.persistent_for", "lifetime", c.Lifetime)
			}
		}
		if row.Purpose == "" {
			row.Purpose = c.Purpose
		}
		v.Cookies = append(v.Cookies, row)
	}

}

// setRecipients fills whom the company shares with: authorities,
// acquirers and the rest, and whether it sells or shares at all.
func (v *noticeView) setRecipients(m *Manifest, w noticeWords) {
	var shared []string
	v.NoSale = true
	for _, r := range m.Recipients {
		if r.SaleOrShare {
			v.NoSale = false
		}
		switch r.Kind {
		case KindAuthority:
			v.Authorities = append(v.Authorities, authorityView{Description: r.Description, Grounds: numbered(r.Grounds)})
		case KindAcquirer:
			v.Acquirers = append(v.Acquirers, r.Description)
		default:
			shared = append(shared, r.Description)
		}
	}
	v.Recipients = w.punctuate(shared, "and")

}

// setContact fills how to reach the company, showing its address unless a
// contact paragraph already gives it.
func (v *noticeView) setContact(m *Manifest) {
	v.Contact = contactView{
		Paragraphs: m.Notice.Contact,
		Email:      m.Contact.Email,
		EmailShown: len(m.Notice.Contact) == 0,
		Phone:      m.Contact.Phone,
		Postal:     m.Contact.PostalAddress,
		WebForm:    m.Contact.WebForm,
		DPO:        m.Contact.DPO,
	}
	for _, p := range m.Notice.Contact {
		if m.Contact.Email != "" && strings.Contains(p, m.Contact.Email) {
			v.Contact.EmailShown = true
		}
	}

}

// californiaStatement derives the California Consumer Privacy Statement.
func californiaStatement(w noticeWords, m *Manifest) (*californiaView, error) {
	effective, err := w.longDate(m.California.Effective)
	if err != nil {
		return nil, fmt.Errorf("policy: render notice: california.effective: %w", err)
	}
	ca := &californiaView{Effective: effective, Introduction: m.California.Introduction}

	ccpaOf := map[string]string{}
	collected := map[string]bool{}
	for _, c := range m.Categories {
		ccpaOf[c.Key] = c.CCPA
		collected[c.CCPA] = true
	}
	ca.Collected = ccpaTexts(collected)

	var sources []string
	for _, s := range m.Sources {
		sources = append(sources, s.Description)
	}
	ca.Sources = w.punctuate(sources, "and")

	bps := map[string]bool{}
	for _, p := range m.Purposes {
		bps[p.BusinessPurpose] = true
		for _, b := range p.AdditionalBusinessPurposes {
			bps[b] = true
		}
	}
	var purposes []string
	for _, b := range taxonomy.BusinessPurposes() {
		if bps[b.Key] {
			purposes = append(purposes, b.Text)
		}
	}
	ca.BusinessPurposes = punctuate(purposes, "and")

	disclosed, sold := map[string]bool{}, map[string]bool{}
	var thirdParties []string
	for _, r := range m.Recipients {
		receives := collected
		if len(r.Categories) > 0 {
			receives = map[string]bool{}
			for _, c := range r.Categories {
				receives[ccpaOf[c]] = true
			}
		}
		for k := range receives {
			disclosed[k] = true
			if r.SaleOrShare {
				sold[k] = true
			}
		}
		if r.CCPADescription != "" {
			thirdParties = append(thirdParties, r.CCPADescription)
		}
	}
	ca.Disclosed = ccpaTexts(disclosed)
	ca.Sold = ccpaTexts(sold)
	ca.ThirdParties = w.punctuate(thirdParties, "and")

	for _, j := range m.Rights.Jurisdictions {
		if !slices.Contains(j.Jurisdictions, "US-CA") {
			continue
		}
		var other []string
		for _, t := range taxonomy.RequestTypes() {
			if !slices.Contains(j.Requests, t.Key) {
				continue
			}
			switch t.Key {
			case "access", "categories":
				ca.Know = true
			case "direct_marketing_disclosures":
				ca.Disclosures = true
			case "deletion":
				ca.Deletion = true
			default:
				other = append(other, w.taxon("notice.request."+t.Key, t.Text))
			}
		}
		ca.Other = other
		for _, l := range j.Limits {
			phrase := w.times(l.Count) + " " + w.t("notice.ca.statute."+l.Period)
			if slices.Contains(l.Requests, "access") || slices.Contains(l.Requests, "categories") {
				ca.KnowLimit = phrase
			}
			if slices.Contains(l.Requests, "direct_marketing_disclosures") {
				ca.DisclosuresLimit = phrase
			}
		}
		break
	}
	return ca, nil
}

// ccpaTexts lists the statutory text of the CCPA categories in set, in the
// statute's order.
func ccpaTexts(set map[string]bool) []string {
	var out []string
	for _, c := range taxonomy.CCPACategories() {
		if set[c.Key] {
			out = append(out, c.Text)
		}
	}
	return punctuate(out, "and")
}

// rightsGroups lists the requests open in each group of jurisdictions, the
// groups naming specific places first and the default last.
func rightsGroups(w noticeWords, js []JurisdictionRight) []rightsGroup {
	var specific, fallback []rightsGroup
	for _, j := range js {
		g := rightsGroup{}
		var places []string
		hasDefault := false
		for _, code := range j.Jurisdictions {
			if code == "default" {
				hasDefault = true
				continue
			}
			places = append(places, w.placeName(code))
		}
		if hasDefault && len(places) > 0 {
			places = append(places, w.t("notice.rights.everywhere_else"))
		}
		g.Label = w.joinAnd(places)
		var reqs []string
		for _, t := range taxonomy.RequestTypes() {
			if slices.Contains(j.Requests, t.Key) {
				reqs = append(reqs, w.taxon("notice.request."+t.Key, t.Text))
			}
		}
		g.Requests = punctuate(reqs, w.conj("and"))
		for _, l := range j.Limits {
			var labels []string
			for _, t := range taxonomy.RequestTypes() {
				if slices.Contains(l.Requests, t.Key) {
					labels = append(labels, w.taxon("notice.request_label."+t.Key, t.Label))
				}
			}
			up := w.times(l.Count)
			if l.Count > 1 {
				up = w.t("notice.rights.up_to", "times", up)
			}
			g.Limits = append(g.Limits, limitView{Requests: w.requestNames(labels), Times: up, Period: w.t("notice.rights.period." + l.Period)})
		}
		if hasDefault {
			fallback = append(fallback, g)
		} else {
			specific = append(specific, g)
		}
	}
	if len(specific) > 0 {
		for i := range fallback {
			if fallback[i].Label == "" {
				fallback[i].Label = w.t("notice.rights.elsewhere")
			}
		}
	}
	return append(specific, fallback...)
}

// retentionRows words the retention rules for the notice, in the
// manifest's order, merging rules that differ only in their category. It
// reports whether any rule is limited to one purpose.
func retentionRows(w noticeWords, m *Manifest, purposeNames map[string]string) ([]retentionRow, bool) {
	categoryNames := map[string]string{}
	for _, c := range m.Categories {
		categoryNames[c.Key] = c.Description
	}
	var rows []retentionRow
	type merge struct{ purpose, period, reason string }
	at := map[merge]int{}
	byPurpose := false
	for _, r := range m.Retention.Rules {
		row := retentionRow{Purpose: w.t("notice.retention.all_purposes"), Period: w.retentionPeriod(r), Reason: strings.TrimSpace(r.Reason)}
		if r.Purpose != "" {
			byPurpose = true
			row.PurposeOwn = true
			row.Purpose = purposeNames[r.Purpose]
			if row.Purpose == "" {
				row.Purpose = r.Purpose
			}
		}
		info := categoryNames[r.Category]
		if info == "" {
			info = r.Category
		}
		k := merge{row.Purpose, row.Period, row.Reason}
		i, ok := at[k]
		if !ok {
			i = len(rows)
			at[k] = i
			rows = append(rows, row)
		}
		if !slices.Contains(rows[i].Information, info) {
			rows[i].Information = append(rows[i].Information, info)
		}
	}
	return rows, byPurpose
}

// retentionPeriod words how long a rule keeps information: "13 months after
// it is collected", "4 years after your account is closed, plus up to 2
// years where the law requires it".
func (w noticeWords) retentionPeriod(r RetentionRule) string {
	s := strings.TrimSpace(r.Duration)
	if triggers[r.Trigger] {
		s = w.t("notice.retention.after."+r.Trigger, "duration", s)
	}
	if e := strings.TrimSpace(r.Extension); e != "" {
		s = w.t("notice.retention.extension", "period", s, "extension", e)
	}
	return s
}

// triggers are the events a retention period can run from; the catalogue
// words each (notice.retention.after.*).
var triggers = map[string]bool{"collected": true, "last_activity": true, "account_closed": true, "relationship_ended": true}

// changeMeans words how material changes are announced, a website notice
// where the manifest names no known means.
// taxon is a text of the taxonomy in the notice's language: the taxonomy's
// own English, or the catalogue's translation of it (key).
func (w noticeWords) taxon(key, english string) string {
	if w.lang == i18n.English {
		return english
	}
	return w.t(key)
}

// conj is the word that joins the last item of a list Custos words: "and"
// or "or" in English, as the notice always has.
func (w noticeWords) conj(english string) string {
	if w.lang == i18n.English {
		return english
	}
	return w.t("notice.list." + english + "_word")
}

// requestNames runs the names of requests into a phrase in running text:
// "access and categories". German keeps its nouns capitalised.
func (w noticeWords) requestNames(labels []string) string {
	if w.lang == i18n.English {
		for i := range labels {
			labels[i] = strings.ToLower(labels[i])
		}
		return strings.ToLower(joinAnd(labels))
	}
	s := w.joinAnd(labels)
	if w.lang == "de" {
		return s
	}
	return strings.ToLower(s)
}

// baseLanguage is a tag's language: "en" for "en-US".
func baseLanguage(tag string) string {
	b, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	return strings.ToLower(b)
}

func (w noticeWords) changeMeans(means string) string {
	switch means {
	case "email", "website_and_email":
		return w.t("notice.changes." + means)
	}
	return w.t("notice.changes.website")
}

func (w noticeWords) times(n int) string {
	switch n {
	case 1:
		return w.t("notice.rights.once")
	case 2:
		return w.t("notice.rights.twice")
	default:
		return w.t("notice.rights.times", "count", n)
	}
}

// within words a deletion window such as "72h" or "3d".
func (w noticeWords) within(window string) string {
	if len(window) < 2 {
		return w.t("notice.children.promptly")
	}
	n, err := strconv.Atoi(window[:len(window)-1])
	if err != nil || n <= 0 {
		return w.t("notice.children.promptly")
	}
	switch unit := window[len(window)-1]; {
	case unit == 'h' && n == 1:
		return w.t("notice.children.within_hour")
	case unit == 'h':
		return w.t("notice.children.within_hours", "count", n)
	case unit == 'd' && n == 1:
		return w.t("notice.children.within_day")
	case unit == 'd':
		return w.t("notice.children.within_days", "count", n)
	}
	return w.t("notice.children.promptly")
}

// longDate writes a manifest's date in running text: "January 2, 2006" in
// English, as the notice always has, and each other language its own way.
func (w noticeWords) longDate(s string) (string, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return w.date(t), nil
}

func (w noticeWords) date(t time.Time) string {
	if w.lang == i18n.English {
		return t.Format("January 2, 2006")
	}
	return i18n.Date(w.lang, t)
}

// punctuate ends the items of a list the way a sentence running through it
// would: "a;", "b; and", "c." (or "or"). Items that already end in
// punctuation are left alone.
func punctuate(items []string, conj string) []string {
	out := make([]string, 0, len(items))
	for i, s := range items {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.ContainsAny(s[len(s)-1:], ".;:!?") {
			switch {
			case i == len(items)-1:
				s += "."
			case i == len(items)-2:
				s += "; " + conj
			default:
				s += ";"
			}
		}
		out = append(out, s)
	}
	return out
}

// numbered runs grounds into one clause: "(1) a, (2) b, and (3) c".
func numbered(grounds []string) string {
	switch len(grounds) {
	case 0:
		return ""
	case 1:
		return grounds[0]
	}
	var b strings.Builder
	for i, g := range grounds {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == len(grounds)-1 {
			b.WriteString("and ")
		}
		fmt.Fprintf(&b, "(%d) %s", i+1, g)
	}
	return b.String()
}

func joinAnd(words []string) string { return noticeWords{lang: i18n.English}.joinAnd(words) }

// joinAnd runs names into one: "A, B and C", capitalised.
func (w noticeWords) joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return capitalise(words[0])
	}
	return capitalise(w.t("notice.list.and", "list", strings.Join(words[:len(words)-1], ", "), "last", words[len(words)-1]))
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// placeName names a jurisdiction code for people: a country, a US state,
// the EU or the EEA. English writes the article running text needs ("the
// United Kingdom"); the other languages name the place alone, as their
// headings do.
func (w noticeWords) placeName(code string) string {
	switch code {
	case "EU":
		return w.t("notice.place.eu")
	case "EEA":
		return w.t("notice.place.eea")
	}
	if country, sub, ok := strings.Cut(code, "-"); ok {
		if country == "US" {
			if n, ok := usStates[sub]; ok {
				if w.lang != i18n.English {
					return strings.TrimPrefix(n, "the ")
				}
				return n
			}
		}
		return code
	}
	if r, err := language.ParseRegion(code); err == nil {
		if w.lang != i18n.English {
			if n := display.Regions(language.Make(w.lang)).Name(r); n != "" {
				return n
			}
			return code
		}
		if n := display.English.Regions().Name(r); n != "" {
			if strings.HasPrefix(n, "United ") || strings.HasSuffix(n, " Republic") || strings.HasSuffix(n, "lands") {
				return "the " + n
			}
			return n
		}
	}
	return code
}

var usStates = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
	"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia",
	"FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
	"IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
	"ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
	"MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
	"NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
	"NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
	"PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
	"TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
	"WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}

// Markdown escaping: the characters that would otherwise start emphasis,
// links, code or HTML.
var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
)

func mdEscape(s string) string { return mdSpecial.Replace(s) }

func mdCell(s string) string { return strings.ReplaceAll(mdEscape(s), "|", `\|`) }

func mdEmail(addr string) string {
	return "[" + mdEscape(addr) + "](mailto:" + addr + ")"
}

// emailPattern finds e-mail addresses in prose, to link them.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// mdProse escapes a paragraph and links the e-mail addresses in it.
func mdProse(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range emailPattern.FindAllStringIndex(s, -1) {
		b.WriteString(mdEscape(s[last:loc[0]]))
		b.WriteString(mdEmail(s[loc[0]:loc[1]]))
		last = loc[1]
	}
	b.WriteString(mdEscape(s[last:]))
	return b.String()
}

// htmlProse escapes a paragraph and links the e-mail addresses in it.
func htmlProse(s string) htmltemplate.HTML {
	var b strings.Builder
	last := 0
	for _, loc := range emailPattern.FindAllStringIndex(s, -1) {
		addr := htmltemplate.HTMLEscapeString(s[loc[0]:loc[1]])
		b.WriteString(htmltemplate.HTMLEscapeString(s[last:loc[0]]))
		b.WriteString(`<a href="mailto:` + addr + `">` + addr + `</a>`)
		last = loc[1]
	}
	b.WriteString(htmltemplate.HTMLEscapeString(s[last:]))
	return htmltemplate.HTML(b.String())
}

// tidyMarkdown trims trailing spaces and collapses runs of blank lines the
// template's conditionals leave behind.
func tidyMarkdown(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	var out []string
	blank := true // no blank lines at the top
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return []byte(strings.Join(out, "\n") + "\n")
}
