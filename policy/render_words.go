package policy

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/custos-privacy/custos/internal/i18n"
	"github.com/custos-privacy/custos/jurisdiction"
)

// The notice's own words, its headings and the sentences it writes around
// the manifest's data, are messages of the one catalogue (internal/i18n,
// keys notice.*), so the public notice speaks the languages the other
// public pages do. English is what the notice has always said, to the
// byte (testdata/golden): a published version reads the same.

// noticeWords writes the notice's words in one language.
type noticeWords struct {
	lang string
	// done holds the company's texts that the manifest translates into
	// lang (Manifest.Translated), as the page shows them: those are in the
	// page's language and are not marked as the manifest's.
	done map[string]bool
}

// follow marks the items punctuate made of translated texts as translated.
func (w noticeWords) follow(in, out []string) {
	if w.done == nil {
		return
	}
	k := 0
	for _, s := range in {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if w.done[s] && k < len(out) {
			w.done[out[k]] = true
		}
		k++
	}
}

// punctuate is punctuate, following translated items.
func (w noticeWords) punctuate(items []string, conj string) []string {
	out := punctuate(items, conj)
	w.follow(items, out)
	return out
}

// t is i18n.T in the notice's language.
func (w noticeWords) t(key string, args ...any) string { return i18n.T(w.lang, key, args...) }

// markdownFuncs are the Markdown template's functions in w's language:
// t fills a message with values the template has already escaped (md), so
// that the message itself, Custos' own text, is written as it is; words
// is a message with nothing to fill; link is a Markdown link whose text is
// a message.
func markdownFuncs(w noticeWords) texttemplate.FuncMap {
	return texttemplate.FuncMap{
		"md": mdEscape, "cell": mdCell, "prose": mdProse, "email": mdEmail,
		"t":     func(key string, args ...any) string { return w.t(key, args...) },
		"words": func(key string) string { return w.t(key) },
		"link":  func(href, key string) string { return "[" + w.t(key) + "](" + href + ")" },
	}
}

// htmlText escapes text as html/template escapes a value in a text node,
// so a value filled into a message reads exactly as it did when the
// template wrote it.
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// htmlFuncs are the HTML template's functions in w's language. t escapes
// the message and each value it is given, but for the HTML the other
// functions build: link (an anchor whose text is a message: the addresses
// are the notice's own, Custos' pages and its sections), own (the
// company's words, marked with the manifest's language where the page
// speaks another: foreign), title (the notice's title, the company's when
// it set one) and en (Custos' English words the catalogue does not
// translate, the taxonomy's).
func htmlFuncs(w noticeWords, foreign bool, ownLang string, titleOwn bool) htmltemplate.FuncMap {
	marked := func(lang, s string) htmltemplate.HTML {
		return htmltemplate.HTML(`<span lang="` + htmlText.Replace(lang) + `">` + htmlText.Replace(s) + `</span>`)
	}
	ownAttr := htmltemplate.HTMLAttr("")
	if foreign {
		ownAttr = htmltemplate.HTMLAttr(` lang="` + htmltemplate.HTMLEscapeString(ownLang) + `"`)
	}
	// attr marks an element holding one of the company's texts, unless
	// the text is a translation into the page's language.
	attr := func(s string) htmltemplate.HTMLAttr {
		if w.done[s] {
			return ""
		}
		return ownAttr
	}
	anyDone := func(list []string) bool {
		for _, s := range list {
			if w.done[s] {
				return true
			}
		}
		return false
	}
	own := func(s string) htmltemplate.HTML {
		if foreign && !w.done[s] {
			return marked(ownLang, s)
		}
		return htmltemplate.HTML(htmlText.Replace(s))
	}
	return htmltemplate.FuncMap{
		"prose": htmlProse,
		"t": func(key string, args ...any) htmltemplate.HTML {
			msg, _ := i18n.Lookup(w.lang, key)
			if msg == "" {
				msg = key
			}
			return htmltemplate.HTML(fillHTML(htmlText.Replace(msg), args))
		},
		"link": func(href, key string) htmltemplate.HTML {
			return htmltemplate.HTML(`<a href="` + htmltemplate.HTMLEscapeString(safeHref(href)) + `">` + htmlText.Replace(w.t(key)) + `</a>`)
		},
		"mailto": func(addr string) htmltemplate.HTML {
			a := htmltemplate.HTMLEscapeString(addr)
			return htmltemplate.HTML(`<a href="mailto:` + a + `">` + a + `</a>`)
		},
		"own":  own,
		"attr": attr,
		// listAttr marks a list of the company's texts as a whole when
		// none is translated; itemAttr then marks the items left
		// untranslated in a list that is partly translated.
		"listAttr": func(list []string) htmltemplate.HTMLAttr {
			if anyDone(list) {
				return ""
			}
			return ownAttr
		},
		"itemAttr": func(list []string, s string) htmltemplate.HTMLAttr {
			if !anyDone(list) || w.done[s] {
				return ""
			}
			return ownAttr
		},
		"title": func(s string) htmltemplate.HTML {
			if titleOwn {
				return own(s)
			}
			return htmltemplate.HTML(htmlText.Replace(s))
		},
		"en": func(s string) htmltemplate.HTML {
			if w.lang != i18n.English {
				return marked(i18n.English, s)
			}
			return htmltemplate.HTML(htmlText.Replace(s))
		},
	}
}

// safeHref keeps the addresses a notice links to: its own sections,
// Custos' pages and the web. Anything else (javascript:) becomes a dead
// link, as html/template would make it.
func safeHref(href string) string {
	switch {
	case strings.HasPrefix(href, "#"), strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//"),
		strings.HasPrefix(href, "https://"), strings.HasPrefix(href, "http://"):
		return href
	}
	return "#ZgotmplZ"
}

// fillHTML fills an escaped message's {placeholders}: HTML as it is,
// anything else escaped. A placeholder no pair fills is left as it is.
func fillHTML(msg string, args []any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		j := strings.IndexByte(msg[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(msg)
			return b.String()
		}
		name := msg[i+1 : i+j]
		b.WriteString(msg[:i])
		found := false
		for k := 0; k+1 < len(args); k += 2 {
			if n, ok := args[k].(string); ok && n == name {
				switch v := args[k+1].(type) {
				case htmltemplate.HTML:
					b.WriteString(string(v))
				default:
					b.WriteString(htmlText.Replace(fmt.Sprint(v)))
				}
				found = true
				break
			}
		}
		if !found {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
}

// periodIn writes a law's period in the notice's language: in English as
// jurisdiction.Period.String does ("45 days", "10 business days"), else
// in the mails' forms of a period, which fit "within {period}".
func (w noticeWords) periodIn(p jurisdiction.Period) string {
	if w.lang == i18n.English {
		return p.String()
	}
	return p.In(w.lang)
}
