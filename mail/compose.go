package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/custos-privacy/custos/internal/i18n"
)

// Org is how the company can be reached; every composed message ends with
// it. Name and at least one of the other fields are required; empty fields
// are left out.
type Org struct {
	Name          string // e.g. "Clientwise"
	Email         string // e.g. "privacy@clientwise.com"
	Phone         string
	PostalAddress string // may span lines
	// DisplayName, Accent and LogoURL are the manifest's branding: the
	// name and logo head the HTML message, the accent colours its links.
	DisplayName string
	Accent      string // #rrggbb; anything else is ignored
	LogoURL     string // https only: mail clients block data: images
}

var accentRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// accent is the colour of a message's links: the company's accent when it
// has a valid one, else Custos' blue.
func accent(o Org) string {
	if accentRE.MatchString(o.Accent) {
		return o.Accent
	}
	return "#0b57d0"
}

// VerificationCode is the data of the "verification_code" template: the
// one-time code a person enters to prove they own an address.
type VerificationCode struct {
	Organisation Org
	Code         string // the 6-digit code; required
	// Purpose is what the request is for, completing "your request for
	// …", e.g. "a copy of your personal information"; required.
	Purpose      string
	ValidMinutes int // 0 means 10
}

// RequestReceived is the data of the "request_received" template: the
// acknowledgement of a request, with the date it will be answered by.
type RequestReceived struct {
	Organisation Org
	RequestID    string    // reference shown to the person; optional
	Request      string    // e.g. "your request to delete your personal data"; empty means "your request"
	Received     time.Time // optional
	Due          time.Time // required
	StatusURL    string    // optional http(s) link to follow the request
	// Law names the law the request is handled under; Appeal says how to
	// challenge a refusal (the law's appeal, or where to complain). Both
	// optional sentences.
	Law, Appeal string
}

// RequestExtended is the data of the "request_extended" template: notice
// that the deadline is extended, with the reasons and the new date.
type RequestExtended struct {
	Organisation Org
	RequestID    string
	Request      string    // as in RequestReceived
	Due          time.Time // the new date; required
	Reason       string    // why more time is needed; required, plain text, may span lines
	StatusURL    string    // optional http(s) link to follow the request
	// Law names the law the request is handled under; Complaint where the
	// person can complain about the extension (PIPEDA s. 8(4)(b) asks for
	// it). Both optional sentences.
	Law, Complaint string
}

// RequestCompleted is the data of the "request_completed" template.
type RequestCompleted struct {
	Organisation Org
	RequestID    string
	Request      string    // as in RequestReceived
	ResultsURL   string    // required http(s) link to the results
	ExpiresAt    time.Time // when the link stops working; optional
}

// RequestDenied is the data of the "request_denied" template: a refusal,
// with its reason and how to appeal or complain.
type RequestDenied struct {
	Organisation Org
	RequestID    string
	Request      string // as in RequestReceived
	Reason       string // required; plain text, may span lines
	AppealURL    string // optional http(s) link to appeal; otherwise reply or write to Organisation.Email
	// Authority names where to complain, e.g. "the California Attorney
	// General (https://oag.ca.gov/contact/consumer-complaint-against-business-or-company)";
	// empty means "a data-protection supervisory authority".
	Authority string
}

// Identifier is one way to identify a person, e.g. {"E-mail", "ana@example.com"}.
type Identifier struct {
	Kind  string
	Value string
}

// ErasureNotice is the data of the "erasure_notice" template: a request to
// a recipient of personal data to erase, rectify or restrict what it holds
// about a person. GDPR Art. 19 asks the controller to communicate each of
// the three to every recipient, so one template serves them all.
type ErasureNotice struct {
	Organisation Org
	// Action is what the recipient is asked to do: NoticeErase (also
	// when empty, the template's original meaning), NoticeRectify or
	// NoticeRestrict.
	Action string
	// Corrected lists, for a rectification, each category corrected
	// with its value now ("E-mail address: new@example.com"): the
	// recipient cannot rectify without it.
	Corrected   []string
	Recipient   string       // name of the recipient, for the greeting; optional
	RequestID   string       // reference for the recipient's reply; optional
	Identifiers []Identifier // required
	Categories  []string     // categories of data disclosed to the recipient; optional
	RespondBy   time.Time    // optional
}

// ControllerNotice is the data of the "controller_notice" template: a
// processor telling a controller that a person's request reaches data it
// processes for them (GDPR Art. 28(3)(e)), and asking for an instruction.
type ControllerNotice struct {
	Organisation Org
	Controller   string       // the controller's name, for the greeting; optional
	Agreement    string       // the agreement's reference; optional
	RequestID    string       // reference for the reply; optional
	Asked        string       // what the person asked for, in plain words; required
	Identifiers  []Identifier // required
	Categories   []string     // categories held for the controller; optional
}

// The actions of an ErasureNotice (GDPR Art. 19: rectification, erasure,
// restriction).
const (
	NoticeErase    = "erase"
	NoticeRectify  = "rectify"
	NoticeRestrict = "restrict"
)

// Template names accepted by Compose.
const (
	TemplateVerificationCode = "verification_code"
	TemplateRequestReceived  = "request_received"
	TemplateRequestExtended  = "request_extended"
	TemplateRequestCompleted = "request_completed"
	TemplateRequestDenied    = "request_denied"
	TemplateErasureNotice    = "erasure_notice"
	TemplateControllerNotice = "controller_notice"
)

//go:embed templates/*/*.tmpl
var templateFS embed.FS

type compiled struct {
	text *texttemplate.Template // defines "subject" and "text"
	html *htmltemplate.Template // the layout, which uses "subject", "content" and "footer"
}

// templateSet maps each template name to a function that checks its data
// and returns it, with the defaults of the language filled in, as the
// value the templates execute with.
var templateSet = map[string]func(data any, lang string) (any, error){
	TemplateVerificationCode: accept[VerificationCode],
	TemplateRequestReceived:  accept[RequestReceived],
	TemplateRequestExtended:  accept[RequestExtended],
	TemplateRequestCompleted: accept[RequestCompleted],
	TemplateRequestDenied:    accept[RequestDenied],
	TemplateErasureNotice:    accept[ErasureNotice],
	TemplateControllerNotice: accept[ControllerNotice],
}

// templates holds every template in every language: templates[lang][name].
var templates = mustParseTemplates()

// funcs are the template functions of a language: date writes a day the
// way the language does, lang is its tag (for <html lang>).
func funcs(lang string) map[string]any {
	return map[string]any{
		"date":   func(t time.Time) string { return i18n.Date(lang, t) },
		"lines":  lines,
		"accent": accent,
		"lang":   func() string { return lang },
	}
}

func mustParseTemplates() map[string]map[string]compiled {
	langs := Languages()
	out := make(map[string]map[string]compiled, len(langs))
	for _, l := range langs {
		dir := "templates/" + l + "/"
		set := make(map[string]compiled, len(templateSet))
		for name := range templateSet {
			t := texttemplate.Must(texttemplate.New(name).Funcs(funcs(l)).ParseFS(templateFS,
				dir+"footer.txt.tmpl", dir+name+".subject.tmpl", dir+name+".txt.tmpl"))
			h := htmltemplate.Must(htmltemplate.New(name).Funcs(funcs(l)).ParseFS(templateFS,
				dir+"layout.html.tmpl", dir+"footer.html.tmpl", dir+name+".subject.tmpl", dir+name+".html.tmpl"))
			set[name] = compiled{text: t, html: h}
		}
		out[l] = set
	}
	return out
}

// Templates returns the names Compose accepts, sorted.
func Templates() []string {
	names := make([]string, 0, len(templateSet))
	for n := range templateSet {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Compose is ComposeIn in English.
func Compose(name string, data any) (subject, text, html string, err error) {
	return ComposeIn(LanguageEnglish, name, data)
}

// ComposeIn renders the named template in a language (one of
// Languages) with data, which must be the template's struct (or a pointer
// to it): VerificationCode for "verification_code", RequestReceived for
// "request_received", RequestExtended for "request_extended",
// RequestCompleted for "request_completed", RequestDenied for
// "request_denied", ErasureNotice for "erasure_notice" and
// ControllerNotice for "controller_notice". The sentences the caller puts
// in the data (Request, Purpose, Law, Appeal, …) must be in the same
// language: Text and Term give them. The results fit Message.Subject,
// Message.Text and Message.HTML; the HTML escapes every value.
func ComposeIn(lang, name string, data any) (subject, text, html string, err error) {
	check, ok := templateSet[name]
	if !ok {
		return "", "", "", fmt.Errorf("mail: unknown template %q (have %s)", name, strings.Join(Templates(), ", "))
	}
	set, ok := templates[lang]
	if !ok {
		return "", "", "", fmt.Errorf("mail: unknown language %q (have %s)", lang, strings.Join(Languages(), ", "))
	}
	v, err := check(data, lang)
	if err != nil {
		return "", "", "", fmt.Errorf("mail: template %s: %w", name, err)
	}
	t := set[name]
	var sb, tb, hb bytes.Buffer
	if err := t.text.ExecuteTemplate(&sb, "subject", v); err != nil {
		return "", "", "", fmt.Errorf("mail: template %s: subject: %w", name, err)
	}
	if err := t.text.ExecuteTemplate(&tb, "text", v); err != nil {
		return "", "", "", fmt.Errorf("mail: template %s: text: %w", name, err)
	}
	if err := t.html.ExecuteTemplate(&hb, "layout", v); err != nil {
		return "", "", "", fmt.Errorf("mail: template %s: html: %w", name, err)
	}
	return strings.Join(strings.Fields(sb.String()), " "), tidyText(tb.String()), hb.String(), nil
}

// validator is implemented by every template's data.
type validator interface{ validate(lang string) error }

// accept checks that data is a T or *T, validates it, and returns a
// normalised copy.
func accept[T any, PT interface {
	*T
	validator
}](data any, lang string) (any, error) {
	var v T
	switch d := data.(type) {
	case T:
		v = d
	case *T:
		if d == nil {
			return nil, fmt.Errorf("data is a nil %T", d)
		}
		v = *d
	default:
		return nil, fmt.Errorf("data is %T, want %T", data, v)
	}
	if err := PT(&v).validate(lang); err != nil {
		return nil, err
	}
	return v, nil
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

func (v *VerificationCode) validate(lang string) error {
	if err := v.Organisation.validate(); err != nil {
		return err
	}
	if !sixDigits.MatchString(v.Code) {
		return errors.New("field Code must be 6 digits")
	}
	if strings.TrimSpace(v.Purpose) == "" {
		return errors.New("field Purpose is required")
	}
	if v.ValidMinutes < 0 {
		return errors.New("field ValidMinutes is negative")
	}
	if v.ValidMinutes == 0 {
		v.ValidMinutes = 10
	}
	return nil
}

func (v *RequestReceived) validate(lang string) error {
	if err := v.Organisation.validate(); err != nil {
		return err
	}
	if v.Due.IsZero() {
		return errors.New("field Due is required")
	}
	defaultRequest(&v.Request, lang)
	return checkLink("StatusURL", v.StatusURL, false)
}

func (v *RequestExtended) validate(lang string) error {
	if err := v.Organisation.validate(); err != nil {
		return err
	}
	if v.Due.IsZero() {
		return errors.New("field Due is required")
	}
	if strings.TrimSpace(v.Reason) == "" {
		return errors.New("field Reason is required")
	}
	defaultRequest(&v.Request, lang)
	return checkLink("StatusURL", v.StatusURL, false)
}

func (v *RequestCompleted) validate(lang string) error {
	if err := v.Organisation.validate(); err != nil {
		return err
	}
	defaultRequest(&v.Request, lang)
	return checkLink("ResultsURL", v.ResultsURL, true)
}

func (v *RequestDenied) validate(lang string) error {
	if err := v.Organisation.validate(); err != nil {
		return err
	}
	if strings.TrimSpace(v.Reason) == "" {
		return errors.New("field Reason is required")
	}
	defaultRequest(&v.Request, lang)
	return checkLink("AppealURL", v.AppealURL, false)
}

func (v *ErasureNotice) validate(lang string) error {
	if err := v.Organisation.validate(); err != nil {
		return err
	}
	switch v.Action {
	case "", NoticeErase, NoticeRestrict:
	case NoticeRectify:
		if len(v.Corrected) == 0 {
			return errors.New("field Corrected is required for a rectification")
		}
	default:
		return fmt.Errorf("field Action: unknown action %q", v.Action)
	}
	n := 0
	for _, id := range v.Identifiers {
		if strings.TrimSpace(id.Value) != "" {
			n++
		}
	}
	if n == 0 {
		return errors.New("field Identifiers is required")
	}
	return nil
}

// validate requires what the footer needs to be useful: a name and at
// least one way to reach the company.
func (o Org) validate() error {
	if strings.TrimSpace(o.Name) == "" {
		return errors.New("field Organisation.Name is required")
	}
	if strings.TrimSpace(o.Email+o.Phone+o.PostalAddress) == "" {
		return errors.New("field Organisation needs at least one of Email, Phone and PostalAddress")
	}
	return nil
}

// defaultRequest names the request "your request", in the language, when
// the caller gives no words for it.
func defaultRequest(s *string, lang string) {
	if strings.TrimSpace(*s) == "" {
		*s = i18n.T(lang, "mail.request.default")
	}
}

// checkLink requires an absolute http or https URL (when set or required).
func checkLink(field, link string, required bool) error {
	if link == "" {
		if required {
			return fmt.Errorf("field %s is required", field)
		}
		return nil
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("field %s must be an absolute http(s) URL", field)
	}
	return nil
}

// lines splits s into its non-blank lines, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// tidyText removes the blank lines template actions leave behind: at most
// one blank line in a row, none at the start, one newline at the end.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		if l != "-- " { // keep the signature separator's space
			ls[i] = strings.TrimRight(l, " \t")
		}
	}
	s = blankRuns.ReplaceAllString(strings.Join(ls, "\n"), "\n\n")
	return strings.Trim(s, "\n") + "\n"
}

func (v *ControllerNotice) validate(lang string) error {
	if err := v.Organisation.validate(); err != nil {
		return err
	}
	if strings.TrimSpace(v.Asked) == "" {
		return errors.New("field Asked is required")
	}
	if !slices.ContainsFunc(v.Identifiers, func(id Identifier) bool { return strings.TrimSpace(id.Value) != "" }) {
		return errors.New("field Identifiers is required")
	}
	return nil
}
