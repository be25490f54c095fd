package requests

import (
	"cmp"
	"slices"
	"strings"

	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/policy"
)

// connectedDescribed says what the rows a run found are, in the words of
// the manifest's categories, else of the fideslang taxonomy.
func (s *Service) connectedDescribed(m *policy.Manifest, out connected.Outcome) []ConnectedCollection {
	var cs []ConnectedCollection
	for coll := range out.Collections {
		d := out.Described[coll]
		c := ConnectedCollection{Collection: coll, System: cmp.Or(d.System, d.Dataset), SystemDescription: d.SystemDescription,
			Fields: []FieldDescription{}}
		for _, f := range d.Fields {
			fd := FieldDescription{Name: f.Name, Categories: []Named{}}
			var words []string
			for _, key := range f.Categories {
				desc := s.categoryWords(m, key)
				fd.Categories = append(fd.Categories, Named{Key: key, Description: desc})
				if !slices.Contains(words, desc) {
					words = append(words, desc)
				}
			}
			fd.Description = strings.Join(words, "; ")
			c.Fields = append(c.Fields, fd)
		}
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b ConnectedCollection) int {
		return cmp.Or(cmp.Compare(a.System, b.System), cmp.Compare(a.Collection, b.Collection))
	})
	return cs
}

// categoryWords is a data category in plain words: the manifest's
// description, else the taxonomy's, else its name there.
func (s *Service) categoryWords(m *policy.Manifest, key string) string {
	for _, c := range m.Categories {
		if c.Key == key && c.Description != "" {
			return c.Description
		}
	}
	if s.tax != nil {
		if t, ok := s.tax.Categories.Term(key); ok {
			return cmp.Or(t.Description, t.Name, key)
		}
	}
	return key
}
