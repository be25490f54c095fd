package dataset

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a dataset file, at a place in it. It has
// the same shape as policy.Problem so that the CLI prints both alike.
type Problem struct {
	File    string
	Line    int
	Column  int
	Path    string // e.g. dataset[0].collections[3].fields[1].fides_meta.identity
	Message string
}

// String is the FILE:LINE:COL: path: message form editors and CI understand.
func (p Problem) String() string {
	msg := p.Message
	if p.Path != "" {
		msg = p.Path + ": " + msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, msg)
}

// Problems is every problem found; it is the error Load, Validate and Plan
// return for bad input.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

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
