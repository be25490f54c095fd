// Package yamlpos is the one YAML layer under every document Custos reads
// (policy manifests, dataset files and, later, SaaS configs): one Problem
// type that reads FILE:LINE:COL, and one guard that bounds a document's size,
// nesting and alias expansion before goccy/go-yaml's parser sees it.
//
// The guard exists because that parser's memory grows with the square of the
// nesting depth (200 kB of nested "[" took 20 GB) and with the size of the
// input (a few hundred bytes of heap per byte read), and because aliases
// let a small file stand for an enormous one once decoded.
package yamlpos

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a YAML document, at a place in its file.
type Problem struct {
	File    string
	Line    int
	Column  int
	Path    string // e.g. purposes[3].consent
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

// Problems is every problem found in a document; loaders return it as their
// error for bad input.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
