package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/*.yml", "testdata/*.json", "testdata/fides/*.yml"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			if filepath.Base(p) == "data_categories.yml" {
				// 25 KB that is refused on its first key: as a seed it
				// only makes minimisation slow. The small seed below
				// covers the same path.
				continue
			}
			src, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Add([]byte(badLoad))
	f.Add([]byte(badValidate))
	f.Add([]byte("dataset: []\n"))
	f.Add([]byte("data_category:\n- fides_key: user\n  parent_key: null\n"))
	f.Add([]byte("datasets: [{key: a, collections: [{name: c, fields: [{name: f, references: [{to: c.f}]}]}]}]\n"))
	f.Add([]byte("dataset:\n  - fides_key: a\n    collections:\n      - name: c\n        fields:\n          - name: p\n            fields:\n              - name: q\n                fields: [{name: r}]\n"))
	f.Add([]byte("a: &x {b: *x}\n"))
	f.Add([]byte("dataset: [{<<: {fides_key: a}, collections: []}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sets, err := Load("fuzz.yml", src)
		if err != nil {
			checkProblems(t, err)
			return
		}
		verr := Validate(sets)
		if verr != nil {
			checkProblems(t, verr)
		}
		for _, w := range Warnings(sets) {
			if w.Line < 1 || w.Column < 1 {
				t.Fatalf("warning without a position: %+v", w)
			}
		}
		// The planner must terminate and agree with itself on anything
		// that loads, valid or not.
		p, err := NewPlan(sets, []string{"email"})
		if err != nil {
			if verr == nil {
				t.Fatalf("valid datasets do not plan: %v", err)
			}
			checkProblems(t, err)
			return
		}
		if len(p.Notes) == 0 {
			checkOrder(t, p)
		}
		if len(p.ErasureOrder()) != len(p.Steps) {
			t.Fatal("erasure order is not complete")
		}
		_ = p.String()
	})
}

func checkProblems(t *testing.T, err error) {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("error is not Problems: %v", err)
	}
	for _, p := range ps {
		if p.Line < 1 || p.Column < 1 || p.Message == "" || p.File != "fuzz.yml" {
			t.Fatalf("problem without a position or message: %+v", p)
		}
	}
}
