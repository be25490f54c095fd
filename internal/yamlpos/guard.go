package yamlpos

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/custos-privacy/custos"
)

// Limits bound one kind of document. A zero field is not checked.
type Limits struct {
	Bytes   int // the document's size
	Depth   int // nesting of collections: flow ([ {) and block (indentation, "- ") together
	Aliases int // uses of *alias
	Nodes   int // nodes once every alias is replaced by what it names
}

// Reason is which limit a refused document crossed.
type Reason int

const (
	TooLarge Reason = iota + 1
	TooDeep
	TooManyAliases
	TooManyNodes
)

// Code is the stable snake_case code of the reason, for API errors.
func (r Reason) Code() string {
	switch r {
	case TooLarge:
		return "too_large"
	case TooDeep:
		return "too_deep"
	case TooManyAliases:
		return "too_many_aliases"
	default:
		return "too_many_nodes"
	}
}

// Refusal is the guard's answer to a document over a limit: the limit and
// where in the file it was crossed.
type Refusal struct {
	Reason  Reason
	Limit   int
	Problem Problem
}

func (r *Refusal) Error() string { return r.Problem.String() }

// As lets code that reports Problems (the CLI's FILE:LINE:COL lines, the
// loaders' callers) report a refusal like any other problem.
func (r *Refusal) As(target any) bool {
	if ps, ok := target.(*Problems); ok {
		*ps = Problems{r.Problem}
		return true
	}
	return false
}

// Coded is the refusal as Custos' coded error: too large is KindTooLarge
// (413), the others are KindUnprocessable (422). The refusal stays its cause,
// so the edge can still show the problem's line and column.
func (r *Refusal) Coded() *custos.Error {
	kind := custos.KindUnprocessable
	if r.Reason == TooLarge {
		kind = custos.KindTooLarge
	}
	return &custos.Error{Kind: kind, Code: r.Reason.Code(), Message: r.Problem.String(), Err: r}
}

// Parse checks src against lim and only then hands it to goccy/go-yaml's
// parser. The error is a *Refusal when the guard refuses; the parser's own
// error otherwise. The parser can panic on some malformed input (fuzzing
// found it); a document is input, so that is an error, not a crash.
func Parse(file string, src []byte, lim Limits) (*ast.File, error) {
	return parse(file, src, lim, func(b []byte) (*ast.File, error) { return parser.ParseBytes(b, 0) })
}

func parse(file string, src []byte, lim Limits, run func([]byte) (*ast.File, error)) (f *ast.File, err error) {
	if err := Check(file, src, lim); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the document cannot be read (%v)", r)
		}
	}()
	return run(src)
}
