package requests

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/custos-privacy/custos"
)

// The answer's readable page is the HTTP layer's (http/web.RenderResult,
// in the person's language); here is its download, the CSV archive.

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
