// Package taxonomy knows the vocabularies a policy is written in: the
// fideslang data categories, data uses and data subjects (embedded, CC BY
// 4.0, see fideslang/NOTICE.md), and the categories and business purposes of
// the California Consumer Privacy Act.
package taxonomy

import (
	"embed"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

//go:embed fideslang/*.yml fideslang/NOTICE.md
var files embed.FS

// Term is one key of a fideslang vocabulary.
type Term struct {
	Key         string `yaml:"fides_key"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Parent      string `yaml:"parent_key"`
}

// Vocabulary is one fideslang vocabulary, by key.
type Vocabulary struct {
	Name  string
	terms map[string]Term
	keys  []string
}

// Has reports whether key is in the vocabulary.
func (v *Vocabulary) Has(key string) bool { _, ok := v.terms[key]; return ok }

// Term returns the term of a key.
func (v *Vocabulary) Term(key string) (Term, bool) { t, ok := v.terms[key]; return t, ok }

// Keys lists every key, sorted.
func (v *Vocabulary) Keys() []string { return v.keys }

// Suggest returns up to three keys that look like key, for error messages.
func (v *Vocabulary) Suggest(key string) []string {
	type scored struct {
		k string
		d int
	}
	var best []scored
	for _, k := range v.keys {
		d := distance(key, k)
		if d <= max(3, len(key)/4) || strings.HasPrefix(k, key+".") {
			best = append(best, scored{k, d})
		}
	}
	sort.Slice(best, func(i, j int) bool { return best[i].d < best[j].d || best[i].d == best[j].d && best[i].k < best[j].k })
	var out []string
	for i := 0; i < len(best) && i < 3; i++ {
		out = append(out, best[i].k)
	}
	return out
}

// Taxonomy is the set of fideslang vocabularies.
type Taxonomy struct {
	Categories *Vocabulary
	Uses       *Vocabulary
	Subjects   *Vocabulary
}

// Load parses the embedded fideslang files.
func Load() (*Taxonomy, error) {
	cats, err := load("data_categories.yml", "data_category", "data category")
	if err != nil {
		return nil, err
	}
	uses, err := load("data_uses.yml", "data_use", "data use")
	if err != nil {
		return nil, err
	}
	subs, err := load("data_subjects.yml", "data_subject", "data subject")
	if err != nil {
		return nil, err
	}
	return &Taxonomy{Categories: cats, Uses: uses, Subjects: subs}, nil
}

// MustLoad is Load for the embedded files, which are known to parse (a test
// proves it), so callers at start-up need no error path.
func MustLoad() *Taxonomy {
	t, err := Load()
	if err != nil {
		panic("taxonomy: embedded fideslang files do not parse: " + err.Error())
	}
	return t
}

func load(file, top, name string) (*Vocabulary, error) {
	b, err := files.ReadFile("fideslang/" + file)
	if err != nil {
		return nil, err
	}
	var doc map[string][]Term
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("taxonomy: %s: %w", file, err)
	}
	v := &Vocabulary{Name: name, terms: map[string]Term{}}
	for _, t := range doc[top] {
		v.terms[t.Key] = t
		v.keys = append(v.keys, t.Key)
	}
	if len(v.keys) == 0 {
		return nil, fmt.Errorf("taxonomy: %s has no %s entries", file, top)
	}
	sort.Strings(v.keys)
	return v, nil
}

// distance is the Levenshtein distance, for suggestions.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
