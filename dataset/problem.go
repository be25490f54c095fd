package dataset

import (
	"sort"

	"github.com/custos-privacy/custos/internal/yamlpos"
)

// Problem is one thing wrong with a dataset file, at a place in it. It is
// the one YAML Problem type, shared with manifests, so that the CLI prints
// both alike (FILE:LINE:COL: path: message).
type Problem = yamlpos.Problem

// Problems is every problem found; it is the error Load, Validate and Plan
// return for bad input.
type Problems = yamlpos.Problems

// sortProblems orders problems by file and position, so that output follows
// the files and does not depend on the order checks ran in.
func sortProblems(ps Problems) Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return ps
}

// pos is a place in a file.
type pos struct{ line, col int }

// orPos returns p, or fallback when p is unknown (hand-built models).
func orPos(p, fallback pos) pos {
	if p.line > 0 {
		return p
	}
	return fallback
}
