package requests

import (
	"strconv"
	"strings"
	"time"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/internal/i18n"
)

// Message is a sentence of the answer as the catalogue (internal/i18n,
// keys answer.*) holds it, with what fills its placeholders: the answer
// page writes it in the language the person reads, where the English
// string beside it (Package.Summary, Actions, Kept) stays for JSON
// consumers and for packages sealed before messages existed.
//
// The fills are kept apart by kind because each is written differently:
// Args as they are (names, the company's own words, identifiers), Numbers
// as the language groups digits, Dates (YYYY-MM-DD) as the language writes
// a day in running text, and Terms, names the law table gives in English,
// translated where the catalogue can. A key with a form for one
// (Key+".one") and for many (Key+".other") is chosen by Numbers["count"].
// A message without a key but with Parts is those said one after the
// other (a connected system's note of several sentences).
type Message struct {
	Key     string            `json:"key"`
	Args    map[string]string `json:"args,omitempty"`
	Numbers map[string]int64  `json:"numbers,omitempty"`
	Dates   map[string]string `json:"dates,omitempty"`
	Terms   map[string]string `json:"terms,omitempty"`
	Parts   []Message         `json:"parts,omitempty"`
}

// lawTerm marks a fill of say as a name of the law table (a Term).
type lawTerm string

// say builds a message from key and pairs of placeholder name and value:
// a string is written as it is, an int or int64 as a number, a time.Time as a
// day, a lawTerm as a translated term.
func say(key string, pairs ...any) *Message {
	m := &Message{Key: key}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, _ := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case string:
			m.Args = put(m.Args, name, v)
		case int:
			m.Numbers = putN(m.Numbers, name, int64(v))
		case int64:
			m.Numbers = putN(m.Numbers, name, v)
		case time.Time:
			m.Dates = put(m.Dates, name, v.Format(time.DateOnly))
		case lawTerm:
			m.Terms = put(m.Terms, name, string(v))
		}
	}
	return m
}

func put(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func putN(m map[string]int64, k string, v int64) map[string]int64 {
	if m == nil {
		m = map[string]int64{}
	}
	m[k] = v
	return m
}

// Text writes the message in lang. It reports false for a message the
// catalogue does not know (a nil one, one with no key, or a key from a
// later version): the caller then shows the English string stored beside
// it, which is never lost.
func (m *Message) Text(lang string) (string, bool) {
	if m != nil && m.Key == "" && len(m.Parts) > 0 {
		out := make([]string, len(m.Parts))
		for i := range m.Parts {
			var ok bool
			if out[i], ok = m.Parts[i].Text(lang); !ok {
				return "", false
			}
		}
		return strings.Join(out, " "), true
	}
	if m == nil || m.Key == "" {
		return "", false
	}
	key := m.Key
	if _, ok := i18n.Lookup(i18n.English, key+".other"); ok {
		key += "." + i18n.Plural(lang, m.Numbers["count"])
	}
	if _, ok := i18n.Lookup(i18n.English, key); !ok {
		return "", false
	}
	args := make([]any, 0, 2*(len(m.Args)+len(m.Numbers)+len(m.Dates)+len(m.Terms)))
	for k, v := range m.Args {
		args = append(args, k, v)
	}
	for k, v := range m.Numbers {
		args = append(args, k, i18n.Number(lang, v))
	}
	for k, v := range m.Dates {
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			v = i18n.Date(lang, t)
		}
		args = append(args, k, v)
	}
	for k, v := range m.Terms {
		args = append(args, k, i18n.Term(lang, v))
	}
	return i18n.T(lang, key, args...), true
}

// Say is the text of a sentence of the answer in lang: its message where
// there is one the catalogue knows, else the English string stored.
func Say(lang, english string, m *Message) string {
	if s, ok := m.Text(lang); ok {
		return s
	}
	return english
}

// act adds an action to the answer, in English and as a message. A
// package sealed before messages existed has actions without: each gets
// an empty message, so that the two lists stay in step and the page
// shows those in English.
func (p *Package) act(english string, m *Message) {
	for len(p.ActionMessages) < len(p.Actions) {
		p.ActionMessages = append(p.ActionMessages, Message{})
	}
	p.Actions = append(p.Actions, english)
	p.ActionMessages = append(p.ActionMessages, *m)
}

// ActionText is the i-th action in lang (see Say).
func (p Package) ActionText(lang string, i int) string {
	if i < len(p.ActionMessages) {
		return Say(lang, p.Actions[i], &p.ActionMessages[i])
	}
	return p.Actions[i]
}

// summarise sets the answer's summary, in English and as a message.
func (p *Package) summarise(english string, m *Message) {
	p.Summary, p.SummaryMessage = english, m
}

// itoa writes a year or another number that is a name, not a quantity.
func itoa(n int) string { return strconv.Itoa(n) }

// systemMessage is a connected system's note as a message of the answer
// (nil for none: the English note is then shown).
func systemMessage(m connected.Message) *Message {
	if m.Key == "" && len(m.Parts) == 0 {
		return nil
	}
	out := &Message{Key: m.Key, Args: m.Args, Numbers: m.Numbers}
	for _, p := range m.Parts {
		out.Parts = append(out.Parts, *systemMessage(p))
	}
	return out
}

// byCount is the English format for n of a count: one for the form the
// English catalogue uses for one ("1 record … was"), else other, so that
// the answer's JSON reads as its page does. The number itself is written
// by the format as before (no grouping), keeping every other English
// string as it was.
func byCount(n int64, one, other string) string {
	if i18n.Plural(i18n.English, n) == "one" {
		return one
	}
	return other
}
