package redisconn

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/custos-privacy/custos/dataset"
)

// template is a compiled key template such as "order:{customer_id}:{id}":
// literal parts alternate with fields, lits[i] coming before fields[i] and
// lits[len(fields)] after the last field.
type template struct {
	prefix string
	lits   []string
	fields []string
	re     *regexp.Regexp // parses a full key (prefix included) back into fields
}

// parseTemplate compiles s. Two fields with nothing between them are
// refused: "{a}{b}" cannot be split back into a and b from a key.
func parseTemplate(prefix, s string) (*template, error) {
	t := &template{prefix: prefix}
	var lit strings.Builder
	seen := map[string]bool{}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("key template %q has an unclosed {", s)
			}
			name := s[i+1 : i+1+end]
			if name == "" || strings.ContainsAny(name, "{") {
				return nil, fmt.Errorf("key template %q has an empty or nested {field}", s)
			}
			if seen[name] {
				return nil, fmt.Errorf("key template %q names {%s} twice", s, name)
			}
			if len(t.fields) > 0 && lit.Len() == 0 {
				return nil, fmt.Errorf("key template %q has two fields with nothing between them, so keys cannot be split back into fields", s)
			}
			seen[name] = true
			t.lits = append(t.lits, lit.String())
			t.fields = append(t.fields, name)
			lit.Reset()
			i += end + 1
		case '}':
			return nil, fmt.Errorf("key template %q has a } without {", s)
		default:
			lit.WriteByte(s[i])
		}
	}
	t.lits = append(t.lits, lit.String())
	if len(t.fields) == 0 {
		// A fixed key would make every primary key address the same record.
		return nil, fmt.Errorf("key template %q names no {field}", s)
	}
	var re strings.Builder
	re.WriteString("^")
	re.WriteString(regexp.QuoteMeta(prefix))
	for i, l := range t.lits {
		re.WriteString(regexp.QuoteMeta(l))
		if i < len(t.fields) {
			// Lazy, and anchored at both ends, so a value holding the
			// separator goes to the last field that can take it.
			re.WriteString("(.*?)")
		}
	}
	re.WriteString("$")
	t.re = regexp.MustCompile("(?s)" + re.String())
	return t, nil
}

// key fills the template with one string per field.
func (t *template) key(vals map[string]string) string {
	var b strings.Builder
	b.WriteString(t.prefix)
	for i, l := range t.lits {
		b.WriteString(l)
		if i < len(t.fields) {
			b.WriteString(vals[t.fields[i]])
		}
	}
	return b.String()
}

// pattern is the SCAN MATCH pattern of every key of the template.
func (t *template) pattern() string {
	var b strings.Builder
	b.WriteString(globEscape(t.prefix))
	for i, l := range t.lits {
		b.WriteString(globEscape(l))
		if i < len(t.fields) {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// parse splits a key back into its field values.
func (t *template) parse(key string) (map[string]string, bool) {
	m := t.re.FindStringSubmatch(key)
	if m == nil {
		return nil, false
	}
	vals := make(map[string]string, len(t.fields))
	for i, f := range t.fields {
		vals[f] = m[i+1]
	}
	return vals, true
}

func (t *template) has(field string) bool {
	for _, f := range t.fields {
		if f == field {
			return true
		}
	}
	return false
}

// globEscape quotes the characters Redis' glob matcher treats specially, so
// that literal parts of a template match only themselves.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[]\^`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\', '^':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// collection is a dataset collection checked and compiled for Redis.
type collection struct {
	*dataset.Collection
	tmpl *template
	hash bool // false: a JSON object in a string
}

const (
	kindHash   = "hash"
	kindString = "string"
)

func compile(c *dataset.Collection, prefix string) (*collection, error) {
	if c == nil {
		return nil, fmt.Errorf("redisconn: no collection given")
	}
	if c.Key == "" {
		return nil, fmt.Errorf("redisconn: collection %q has no key template (such as \"customer:{email}\"), so its keys cannot be found", c.Name)
	}
	t, err := parseTemplate(prefix, c.Key)
	if err != nil {
		return nil, fmt.Errorf("redisconn: collection %q: %w", c.Name, err)
	}
	for _, f := range t.fields {
		if c.Field(f) == nil {
			return nil, fmt.Errorf("redisconn: collection %q: key template field {%s} is not a declared field", c.Name, f)
		}
	}
	cc := &collection{Collection: c, tmpl: t}
	switch c.Kind {
	case "", kindHash:
		cc.hash = true
	case kindString:
	default:
		return nil, fmt.Errorf("redisconn: collection %q: kind %q is neither %q nor %q", c.Name, c.Kind, kindHash, kindString)
	}
	return cc, nil
}

// writable checks the rule Update and Delete rely on: a primary key must
// name exactly one key, so every template field must be a primary key field.
// Primary key fields that are not in the template are stored in the value and
// play no part in finding the key.
func (c *collection) writable() error {
	for _, f := range c.tmpl.fields {
		if fld := c.Field(f); fld == nil || !fld.PrimaryKey {
			return fmt.Errorf("redisconn: collection %q: key template field {%s} is not part of the primary key; Update and Delete find keys by primary key, so every field of the key template must be a primary key field", c.Name, f)
		}
	}
	return nil
}

// keyOf builds the key of the record whose primary key is pk.
func (c *collection) keyOf(pk map[string]any) (string, error) {
	vals := make(map[string]string, len(c.tmpl.fields))
	for _, f := range c.tmpl.fields {
		v, ok := pk[f]
		if !ok || v == nil {
			return "", fmt.Errorf("primary key field %q is missing", f)
		}
		s, err := toString(v)
		if err != nil {
			return "", fmt.Errorf("primary key field %q: %w", f, err)
		}
		vals[f] = s
	}
	return c.tmpl.key(vals), nil
}
