package requests

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custos-privacy/custos"
)

var resultPage = template.Must(template.New("result").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your privacy request {{.Request.ID}}</title>
<style>body{font:1rem/1.6 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #c4c4c4;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}caption{text-align:left;font-weight:600;padding-bottom:.5rem}</style></head>
<body><main>
<h1>Your privacy request</h1>
<p>{{.Summary}}</p>
<dl><dt>Request</dt><dd>{{.Request.ID}} ({{.Request.Type}})</dd><dt>Received</dt><dd>{{.Request.ReceivedAt.Format "2 January 2006"}}</dd>
<dt>Answered</dt><dd>{{.Request.CompletedAt.Format "2 January 2006"}}</dd>{{with .Request.Period}}<dt>Period</dt><dd>{{.}}</dd>{{end}}</dl>
{{with .Identities}}<h2>How we know you</h2><ul>{{range .}}<li>{{.Kind}}: {{.Value}}</li>{{end}}</ul>{{end}}
{{with .Pieces}}<table><caption>The personal information we hold</caption>
<thead><tr><th scope="col">What</th><th scope="col">Value</th><th scope="col">From or to</th><th scope="col">Why</th><th scope="col">When</th></tr></thead><tbody>
{{range .}}<tr><td>{{.Description}}</td><td>{{if .Withheld}}Held, not shown for your security{{else if .Value}}{{.Value}}{{else}}—{{end}}</td>
<td>{{if .Source}}{{or .SourceDescription "—"}}{{else if .Recipient}}disclosed to {{or .RecipientDescription "another organisation"}}{{end}}</td><td>{{or .PurposeDescription "—"}}</td><td>{{.At.Format "2006-01-02"}}</td></tr>{{end}}
</tbody></table>{{end}}
{{if and .CSV (or .Systems .Pieces .Identities)}}<p><a href="{{.CSV}}" download>Download all of it as CSV files (a zip), to take elsewhere</a></p>{{end}}
{{with .Systems}}<h2>In our systems</h2>{{range .}}<section data-custos-system>
<h3>{{.Name}}</h3>{{with .Description}}<p>{{.}}</p>{{end}}
{{range .Collections}}<table data-custos-collection="{{.Key}}"><caption>{{.Name}}: {{len .Rows}} {{if eq (len .Rows) 1}}record{{else}}records{{end}}</caption>
<thead><tr>{{range .Fields}}<th scope="col">{{.Description}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{or . "—"}}</td>{{end}}</tr>{{end}}
</tbody></table>{{end}}</section>{{end}}{{end}}
{{with .Categories}}<h2>Categories of personal information</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Sources}}<h2>Where it came from</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Purposes}}<h2>Why we use it</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Recipients}}<h2>Who we disclosed it to</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .SoldShared}}<h2>Sold or shared</h2><ul>{{range .}}<li>{{.Description}}</li>{{end}}</ul>{{end}}
{{with .Consents}}<h2>Your choices</h2><ul>{{range .}}<li>{{.Scope}}: {{if .Granted}}yes{{else}}no{{end}} ({{.At.Format "2006-01-02"}})</li>{{end}}</ul>{{end}}
{{with .Disclosures}}<h2>Disclosed for their direct marketing</h2><ul>{{range .}}<li>{{.Name}}: {{range $i, $c := .Categories}}{{if $i}}, {{end}}{{$c}}{{end}}</li>{{end}}</ul>{{end}}
{{with .Actions}}<h2>What we did</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .Kept}}<h2>What we kept, and why</h2><ul>{{range .}}<li>{{.What}}: {{.Why}}{{with .Ground}} Ground: {{.}}{{end}}{{with .Citations}} ({{range $i, $c := .}}{{if $i}}; {{end}}{{$c}}{{end}}){{end}}{{with .Until}} Kept until {{.}}, then deleted.{{end}}</li>{{end}}</ul>{{end}}
<h2>Questions</h2><p>Contact {{.Organisation.Name}} at <a href="mailto:{{.Organisation.Email}}">{{.Organisation.Email}}</a>.</p>
</main></body></html>`))

// RenderHTML writes the readable form of a package.
func RenderHTML(w io.Writer, p Package) error { return RenderHTMLPage(w, p, "") }

// RenderHTMLPage is RenderHTML with a link to the CSV download of the same
// answer (csv: its URL, with the person's token; "" for none).
func RenderHTMLPage(w io.Writer, p Package, csv string) error {
	v := htmlOf(p)
	v.CSV = csv
	return resultPage.Execute(w, v)
}

// htmlPackage is a package as the page shows it: the connected rows per
// system and collection, each value under its field's description.
type htmlPackage struct {
	Package
	Systems []htmlSystem
	CSV     string
}

type htmlSystem struct {
	Name, Description string
	Collections       []htmlCollection
}

type htmlCollection struct {
	Key, Name string
	Fields    []FieldDescription
	Rows      [][]string
}

func htmlOf(p Package) htmlPackage {
	out := htmlPackage{Package: p}
	for _, c := range described(p) {
		if n := len(out.Systems); n == 0 || out.Systems[n-1].Name != c.System {
			out.Systems = append(out.Systems, htmlSystem{Name: c.System, Description: c.SystemDescription})
		}
		_, name, _ := strings.Cut(c.Collection, ":")
		hc := htmlCollection{Key: c.Collection, Name: name, Fields: c.Fields}
		for _, row := range p.Collections[c.Collection] {
			cells := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				cells[i] = cell(row[f.Name])
			}
			hc.Rows = append(hc.Rows, cells)
		}
		sys := &out.Systems[len(out.Systems)-1]
		sys.Collections = append(sys.Collections, hc)
	}
	return out
}

// described is p.Connected, with a plain entry for any collection of an
// answer made before collections were described (fields by name).
func described(p Package) []ConnectedCollection {
	out := slices.Clone(p.Connected)
	for key, rows := range p.Collections {
		if slices.ContainsFunc(out, func(c ConnectedCollection) bool { return c.Collection == key }) {
			continue
		}
		ds, _, _ := strings.Cut(key, ":")
		c := ConnectedCollection{Collection: key, System: ds}
		var names []string
		for _, row := range rows {
			for k := range row {
				if !slices.Contains(names, k) {
					names = append(names, k)
				}
			}
		}
		slices.Sort(names)
		for _, n := range names {
			c.Fields = append(c.Fields, FieldDescription{Name: n, Description: n})
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b ConnectedCollection) int {
		return cmp.Or(cmp.Compare(a.System, b.System), cmp.Compare(a.Collection, b.Collection))
	})
	return out
}

// cell is a value of a connected row as text.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return hex.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// MaxCSVArchive bounds the CSV download of one answer.
const MaxCSVArchive = 64 << 20

// RenderCSV writes a package for portability: a zip of one CSV file per
// connected collection ("system/collection.csv") and Custos' own records
// (identities, personal information, consents), each with a header row
// of field names and a second of their descriptions. Cells a spreadsheet
// would run as a formula are quoted with an apostrophe.
func RenderCSV(w io.Writer, p Package) error {
	var buf bytes.Buffer
	lw := &limitWriter{w: &buf, left: MaxCSVArchive}
	z := zip.NewWriter(lw)
	add := func(name string, rows [][]string) error {
		fw, err := z.Create(name)
		if err != nil {
			return err
		}
		cw := csv.NewWriter(fw)
		for _, r := range rows {
			for i := range r {
				r[i] = safeCell(r[i])
			}
			if err := cw.Write(r); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	for _, c := range described(p) {
		names, descs := make([]string, len(c.Fields)), make([]string, len(c.Fields))
		for i, f := range c.Fields {
			names[i], descs[i] = f.Name, f.Description
		}
		rows := [][]string{names, descs}
		for _, row := range p.Collections[c.Collection] {
			cells := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				cells[i] = cell(row[f.Name])
			}
			rows = append(rows, cells)
		}
		_, name, _ := strings.Cut(c.Collection, ":")
		if err := add(fileName(c.System)+"/"+fileName(name)+".csv", rows); err != nil {
			return csvError(err)
		}
	}
	if len(p.Identities) > 0 {
		rows := [][]string{{"kind", "value"}, {"How we know you", "Value"}}
		for _, id := range p.Identities {
			rows = append(rows, []string{string(id.Kind), id.Value})
		}
		if err := add("custos/identities.csv", rows); err != nil {
			return csvError(err)
		}
	}
	if len(p.Pieces) > 0 {
		rows := [][]string{{"category", "description", "value", "source", "recipient", "purpose", "kind", "at"},
			{"Category key", "What", "Value", "Where it came from", "Who it was disclosed to", "Why we use it", "What happened", "When"}}
		for _, pc := range p.Pieces {
			v := ""
			switch {
			case pc.Withheld:
				v = "Held, not shown for your security"
			case pc.Value != nil:
				v = *pc.Value
			}
			rows = append(rows, []string{pc.Category, pc.Description, v, pc.SourceDescription, pc.RecipientDescription,
				pc.PurposeDescription, pc.Kind, pc.At.UTC().Format(time.RFC3339)})
		}
		if err := add("custos/personal-information.csv", rows); err != nil {
			return csvError(err)
		}
	}
	if len(p.Consents) > 0 {
		rows := [][]string{{"scope", "granted", "at"}, {"Your choice", "Yes or no", "When"}}
		for _, c := range p.Consents {
			rows = append(rows, []string{c.Scope, strconv.FormatBool(c.Granted), c.At.UTC().Format(time.RFC3339)})
		}
		if err := add("custos/consents.csv", rows); err != nil {
			return csvError(err)
		}
	}
	if err := z.Close(); err != nil {
		return csvError(err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func csvError(err error) error {
	if errors.Is(err, errTooLarge) {
		return custos.Errorf(custos.KindInvalid, "too_large", "The answer is too large for one CSV download; download it as JSON.")
	}
	return err
}

var errTooLarge = errors.New("requests: the CSV archive is over its bound")

// limitWriter fails once more than left bytes were written.
type limitWriter struct {
	w    io.Writer
	left int64
}

func (l *limitWriter) Write(b []byte) (int, error) {
	if int64(len(b)) > l.left {
		return 0, errTooLarge
	}
	l.left -= int64(len(b))
	return l.w.Write(b)
}

// safeCell keeps a spreadsheet from running a value as a formula.
func safeCell(s string) string {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s // a number, negative ones included
	}
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		// A phone number ("+351 900 000 000") is no formula: only digits
		// and the marks numbers are written with follow.
		if strings.Trim(s[1:], "0123456789 .()-") != "" {
			return "'" + s
		}
	}
	return s
}

// fileName is a name safe in a zip path.
func fileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}
