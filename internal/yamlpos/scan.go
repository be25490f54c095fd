package yamlpos

import (
	"bytes"
	"fmt"
)

// Check reads src once, in linear time and constant memory per level of
// nesting, and refuses it with a *Refusal when it is over one of lim's
// limits. It never refuses a document for its content otherwise: anything
// it lets through goes on to the parser, which reports the syntax errors.
//
// What counts is what goccy/go-yaml will build, so the scanner follows that
// parser's own lexer in every decision that changes what is structure and
// what is text: when a plain scalar is being read (its "buffer"), when "[",
// "{", quotes, "#", "|" and ">" mean something, when a line's indentation
// ends a scalar, and that flow mode is a count of open brackets. Where it
// cannot tell cheaply it counts more: a document the parser would refuse
// anyway may be refused here first. Valid YAML is counted as the parser
// nests it; of what the parser accepts that is not YAML by the letter,
// FuzzGuard and TestCheckCountsWhatTheParserNests hold the guard to what
// the parser builds (random search still finds a few documents nested one
// level deeper than counted, none whose error grows when repeated).
func Check(file string, src []byte, lim Limits) error {
	if lim.Bytes > 0 && len(src) > lim.Bytes {
		line, col := position(src[:lim.Bytes])
		return &Refusal{Reason: TooLarge, Limit: lim.Bytes, Problem: Problem{File: file, Line: line, Column: col,
			Message: fmt.Sprintf("YAML: the document is %d bytes, over the limit of %d", len(src), lim.Bytes)}}
	}
	s := &scanner{src: src, file: file, lim: lim, line: 1, col: 1, lineStart: true, sizes: map[string]int{}}
	s.run()
	if s.refusal != nil {
		return s.refusal
	}
	return nil
}

// position is the line and column just after prefix.
func position(prefix []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(prefix); i++ {
		switch c := prefix[i]; {
		case c == '\n' || c == '\r' && (i+1 == len(prefix) || prefix[i+1] != '\n'):
			line, col = line+1, 1
		case c == '\r':
		case c&0xC0 != 0x80: // columns count characters, as the parser's do
			col++
		}
	}
	return line, col
}

// open is what was open when a node came.
type open struct {
	dash, key, question bool
	keyLine             int
	props               [2]int
}

// frame is an open collection.
type frame struct {
	col     int  // block: the column of its keys or dashes; flow: of its bracket
	line    int  // flow: of its bracket
	kind    byte // 'k' a block mapping, '-' a block sequence, '[' or '{' a flow one
	start   int  // nodes counted before it opened
	anchors []string
}

type scanner struct {
	src     []byte
	file    string
	lim     Limits
	refusal *Refusal

	i, line, col int
	lineStart    bool // no character of this line but indentation yet
	indent       int  // spaces before the line's first character

	// The lexer's state that decides what a character means.
	lastDelim        int // column of the last key, "-" or "?"; 0 at a document's start
	flowSeq, flowMap int // open "[" and "{", as the lexer counts them
	isAnchor         bool
	isAlias          bool
	isDirective      bool
	buf              bool // a plain scalar (or anchor or alias name) is being read
	bufLine, bufCol  int
	bufStart         int
	name             byte // '&' or '*' when the buffer names an anchor or alias
	lastTok          byte // 'q' a quoted scalar, 'v' a ':', 0 anything else
	quotedCol        int
	dashOpen         bool   // a "-" has nothing after it yet: what follows is its value, even at its column
	keyOpen          bool   // a block key's ':' has nothing after it yet
	questionOpen     bool   // a "?" has nothing after it yet: what follows is its key, wherever it is
	props            [2]int // line and column of the first anchor or tag waiting for its node
	nodeSeen         bool   // a node came on this line: the "open" flags end with it
	tokOpen          open   // what was open when the last node came
	keyLine          int    // the line of that ':'
	tok              [2]int // line and column of the last node since a delimiter
	multi            bool   // inside a block scalar (| or >)
	multiFirst       int    // the column its content lines start at, once known

	block, flow []frame
	pending     []string       // anchors waiting for the node they name
	sizes       map[string]int // anchor: nodes of what it names
	aliases     int
	total       int    // nodes so far, aliases expanded
	at          [2]int // line and column of the node being counted
}

func (s *scanner) inFlow() bool { return s.flowSeq > 0 || s.flowMap > 0 }

// next is the byte after the current one, 0 at the end.
func (s *scanner) next() byte {
	if s.i+1 < len(s.src) {
		return s.src[s.i+1]
	}
	return 0
}

// tab moves past a tab. Where the lexer takes it for indentation it has no
// width: the next character keeps the column, as in the parser's positions.
func (s *scanner) tab() {
	s.indent++
	if !s.multi && (s.buf && s.lastDelim == 0 || s.lastDelim < s.col) {
		s.i++
		return
	}
	s.advance()
}

// prev is the byte before the current one, 0 at the start.
func (s *scanner) prev() byte {
	if s.i > 0 {
		return s.src[s.i-1]
	}
	return 0
}

func blank(c byte) bool { return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// advance moves past one byte.
func (s *scanner) advance() {
	s.i++
	if s.i < len(s.src) && s.src[s.i]&0xC0 != 0x80 {
		s.col++
	} else if s.i >= len(s.src) {
		s.col++
	}
}

// text adds the current byte to the plain scalar being read.
func (s *scanner) text() {
	if !s.buf {
		s.buf, s.bufLine, s.bufCol, s.bufStart = true, s.line, s.col, s.i
	}
	s.advance()
}

func (s *scanner) run() {
	for s.i < len(s.src) && s.refusal == nil {
		c := s.src[s.i]
		if c == '\n' || c == '\r' {
			s.newline()
			continue
		}
		if s.lineStart {
			if c == ' ' {
				s.indent++
				s.advance()
				continue
			}
			if c == '\t' {
				s.tab()
				continue
			}
			s.lineStart = false
			// A line that starts at or left of the last key or dash
			// ends the scalar being read, and a block scalar.
			down := s.lastDelim != 0 && s.col <= s.lastDelim
			if down {
				s.flush(false)
				s.multi = false
			}
			if s.multi {
				if s.multiFirst == 0 {
					s.multiFirst = s.col
				}
				if s.multiFirst > 1 {
					s.lastDelim = s.multiFirst - 1
				}
			}
		}
		if s.multi {
			s.toEOL()
			continue
		}
		s.char(c)
	}
	s.flush(false)
	for len(s.flow) > 0 {
		s.pop(&s.flow)
	}
	for len(s.block) > 0 {
		s.pop(&s.block)
	}
}

// char reads one character outside block scalars: what it means depends
// on the lexer's state, which each case's method keeps as goccy/go-yaml's
// lexer does. A character that means nothing special where it stands is
// part of a plain scalar (text).
func (s *scanner) char(c byte) {
	switch c {
	case '{', '[':
		s.flowOpen(c)
	case '}':
		s.flowMapClose()
	case ']':
		s.flowSeqClose()
	case ',':
		s.comma()
	case '<':
		s.merge()
	case '-':
		s.dash()
	case '.':
		s.dot()
	case '?':
		s.question()
	case ':':
		s.colon()
	case '|', '>':
		s.unlessPlain(s.blockScalar)
	case '!':
		s.bang()
	case '%':
		s.directive()
	case '&', '*':
		s.unlessPlain(func() { s.anchorOrAlias(c) })
	case '#':
		s.comment()
	case '\'', '"':
		s.unlessPlain(func() { s.quoted(c) })
	case ' ':
		s.space()
	case '\t':
		s.tab()
	default:
		s.text()
	}
}

// unlessPlain runs read, or takes the character as text inside a plain
// scalar, where indicators mean nothing.
func (s *scanner) unlessPlain(read func()) {
	if s.buf {
		s.text()
		return
	}
	read()
}

// flowOpen reads "{" or "[": a flow collection opens, unless a plain
// scalar outside flow context is being read.
func (s *scanner) flowOpen(c byte) {
	if s.buf && !s.inFlow() {
		s.text()
		return
	}
	s.flush(false)
	if c == '{' {
		s.flowMap++
	} else {
		s.flowSeq++
	}
	s.lastTok = 0
	s.push(&s.flow, frame{kind: c, col: s.col, line: s.line}, s.line, s.col)
	s.tok = [2]int{}
	s.advance()
}

// flowMapClose reads "}", which closes a flow mapping when one is open.
func (s *scanner) flowMapClose() {
	if s.flowMap <= 0 {
		s.text()
		return
	}
	s.flush(false)
	s.endPair()
	s.flowMap--
	s.close('{')
}

// flowSeqClose reads "]", which closes a flow sequence unless a plain
// scalar is being read outside one.
func (s *scanner) flowSeqClose() {
	if s.buf && s.flowSeq <= 0 {
		s.text()
		return
	}
	s.flush(false)
	s.endPair()
	s.flowSeq--
	s.close('[')
}

// comma reads ",", which separates entries in flow context only.
func (s *scanner) comma() {
	if !s.inFlow() {
		s.text()
		return
	}
	s.flush(false)
	s.endPair()
	s.lastTok = 0
	s.tok = [2]int{}
	s.advance()
}

// merge reads "<", the start of a merge key or text.
func (s *scanner) merge() {
	if !s.mergeKey() {
		s.text()
		return
	}
	// The lexer takes "<<" as a key wherever it is, dropping
	// what it was reading.
	s.buf, s.name = false, 0
	s.lastDelim = s.col
	s.lastTok = 'm'
	s.tok = [2]int{s.line, s.col}
	s.advance()
	s.advance()
}

// dash reads "-": a document marker, a sequence entry, or text.
func (s *scanner) dash() {
	if s.marker('-') {
		return
	}
	if s.buf || !blank(s.next()) {
		s.text()
		return
	}
	s.lastDelim = s.col
	s.lastTok = 0
	if !s.inFlow() {
		s.blockAt(s.col, '-', s.line, s.col)
		s.dashOpen, s.nodeSeen = true, false
	} else {
		// The parser takes "- " in a flow collection for a
		// block sequence inside it.
		s.push(&s.flow, frame{kind: 'p', line: s.line, col: s.col}, s.line, s.col)
	}
	s.tok, s.props = [2]int{}, [2]int{}
	s.advance()
}

// question reads "?": an explicit key when a blank follows, else text.
func (s *scanner) question() {
	if s.buf || (s.next() != ' ' && s.next() != '\t') {
		s.text()
		return
	}
	s.lastDelim = s.col
	s.lastTok = 0
	if !s.inFlow() {
		s.blockAt(s.col, 'k', s.line, s.col)
		s.questionOpen, s.nodeSeen = true, false
	} else {
		// "[? a]" is a sequence of a one-entry mapping.
		s.push(&s.flow, frame{kind: 'p', line: s.line, col: s.col}, s.line, s.col)
	}
	s.tok, s.props = [2]int{}, [2]int{}
	s.advance()
}

// dot reads ".", the start of a document end marker or text.
func (s *scanner) dot() {
	if !s.marker('.') {
		s.text()
	}
}

// bang reads "!", a tag unless in a plain scalar or a directive.
func (s *scanner) bang() {
	if s.buf || s.isDirective {
		s.text()
		return
	}
	s.tag()
}

// directive reads "%", a directive at the start of an unindented line.
func (s *scanner) directive() {
	if s.buf || s.indent != 0 {
		s.text()
		return
	}
	s.isDirective = true
	s.lastTok = 0
	s.advance()
}

// anchorOrAlias reads "&" or "*", which starts an anchor's or alias' name.
func (s *scanner) anchorOrAlias(c byte) {
	if c == '&' {
		s.isAnchor = true
		s.property()
	} else {
		s.isAlias = true
	}
	s.name = c
	s.lastTok = 0
	s.advance()
}

// comment reads "#", a comment unless it sticks to a plain scalar.
func (s *scanner) comment() {
	if p := s.prev(); s.buf && p != ' ' && p != '\t' && p != '\n' && p != '\r' {
		s.text()
		return
	}
	s.flush(false)
	s.lastTok = 0
	s.toEOL()
}

// space reads " ", which ends an anchor's, alias' or directive's name.
func (s *scanner) space() {
	if s.isAnchor || s.isAlias || s.isDirective {
		s.flush(false)
		s.isAnchor, s.isAlias = false, false
	}
	s.advance()
}

// mergeKey reports "<<" followed by spaces, ':' and a space or line end,
// which the lexer takes for a merge key.
func (s *scanner) mergeKey() bool {
	r := s.src[s.i:]
	if len(r) < 2 || r[1] != '<' || len(r) > 2 && r[2] == '<' {
		return false
	}
	for k := 2; k < len(r); k++ {
		switch r[k] {
		case ' ':
			continue
		case ':':
			return k+1 < len(r) && (r[k+1] == ' ' || r[k+1] == '\n' || r[k+1] == '\r')
		}
		return false
	}
	return false
}

// marker handles "---" and "..." at the start of a line: a new document.
func (s *scanner) marker(c byte) bool {
	if s.col != 1 || s.indent != 0 || !bytes.HasPrefix(s.src[s.i:], []byte{c, c, c}) {
		return false
	}
	if s.i+3 < len(s.src) {
		if n := s.src[s.i+3]; c == '-' && !blank(n) || c == '.' && n == '.' {
			return false
		}
	}
	s.flush(false)
	if c == '-' {
		s.lastDelim = 0
	}
	for len(s.block) > 0 {
		s.pop(&s.block)
	}
	s.pending = s.pending[:0]
	s.lastTok = 0
	for range 3 {
		s.advance()
	}
	return true
}

func (s *scanner) newline() {
	if s.isAnchor || s.isAlias || s.isDirective {
		s.flush(false)
	}
	if s.src[s.i] == '\r' && s.next() == '\n' {
		s.i++
	}
	s.i++
	s.line, s.col, s.indent = s.line+1, 1, 0
	if s.nodeSeen {
		s.dashOpen, s.keyOpen, s.questionOpen, s.nodeSeen = false, false, false, false
		s.props = [2]int{}
	}
	s.lineStart = true
	s.isAnchor, s.isAlias, s.isDirective = false, false, false
	if s.multi && (s.marker3("---") || s.marker3("...")) {
		s.multi = false
	}
}

// marker3 reports a document marker at the current position.
func (s *scanner) marker3(m string) bool {
	rest := s.src[s.i:]
	if !bytes.HasPrefix(rest, []byte(m)) {
		return false
	}
	return len(rest) == 3 || blank(rest[3])
}

// toEOL skips to the end of the line (a comment, a block scalar's line).
func (s *scanner) toEOL() {
	for s.i < len(s.src) && s.src[s.i] != '\n' && s.src[s.i] != '\r' {
		s.advance()
	}
}

// colon is ':' — a mapping's value indicator when the lexer says so.
func (s *scanner) colon() {
	n := s.next()
	delim := !s.isDirective && !s.isAnchor && !s.isAlias
	switch {
	case !delim:
	case s.flowMap <= 0:
		delim = n == ' ' || n == '\t' || n == '\n' || n == '\r' || s.i+1 >= len(s.src)
	default:
		delim = n != '/' && s.lastTok != 'v'
	}
	if !delim {
		s.text()
		return
	}
	// Where the key is: a plain one being read, else the last node
	// since the previous delimiter (quoted, an alias, "<<", a flow
	// collection), else the ':' itself (an empty key).
	keyCol, keyLine := s.col, s.line
	switch {
	case s.buf:
		keyCol, keyLine = s.bufCol, s.bufLine
	case s.tok[1] > 0:
		keyLine, keyCol = s.tok[0], s.tok[1]
	}
	if !s.buf && s.tok[1] > 0 && s.tok[0] < s.line {
		o := s.tokOpen // the key is a node on an earlier line
		s.dashOpen, s.keyOpen, s.questionOpen, s.keyLine, s.props = o.dash, o.key, o.question, o.keyLine, o.props
	}
	if p := s.props; p[0] == keyLine && p[1] > 0 && p[1] < keyCol {
		keyLine, keyCol = p[0], p[1] // the key's anchor or tag is where it starts
	}
	// The lexer's own notion, which decides where scalars end.
	switch {
	case s.buf:
		s.lastDelim = s.bufCol
	case s.lastTok == 'q':
		s.lastDelim = s.quotedCol
	}
	if n := len(s.flow); n > 0 && s.flow[n-1].kind == '[' {
		// "[a: b]" is a sequence of a one-entry mapping.
		s.push(&s.flow, frame{kind: 'p', line: keyLine, col: keyCol}, keyLine, keyCol)
	}
	if !s.inFlow() {
		// Lines after a ':' that is left of its key (a key over
		// several lines) nest under the ':'.
		s.blockAt(keyCol, 'k', keyLine, min(keyCol, s.col))
	}
	s.at = [2]int{keyLine, keyCol}
	if s.buf {
		s.flush(true)
	} else {
		s.add(2) // a key that was counted as a node of its own, or none; an entry counts 3
	}
	s.lastTok = 'v'
	s.tok, s.props = [2]int{}, [2]int{}
	if !s.inFlow() {
		s.keyOpen, s.keyLine, s.nodeSeen = true, s.line, false
	}
	s.advance()
}

// blockScalar reads a | or > header; the lines after it are text.
func (s *scanner) blockScalar() {
	if s.col == 1 {
		s.lastDelim = 1
	}
	s.at = [2]int{s.line, s.col}
	s.advance()
	indent := 0
	for s.i < len(s.src) && !blank(s.src[s.i]) && s.src[s.i] != '#' {
		if c := s.src[s.i]; c >= '1' && c <= '9' {
			indent = int(c - '0')
		}
		s.advance()
	}
	s.tok = s.at
	s.multi, s.multiFirst = true, 0
	if indent > 0 {
		s.multiFirst = s.lastDelim + indent
	}
	s.lastTok = 0
	s.node(1)
	s.toEOL()
}

// property notes an anchor or tag: the node it belongs to starts here.
func (s *scanner) property() {
	if s.props[1] == 0 {
		s.props = [2]int{s.line, s.col}
	}
	s.nodeSeen = false // what is open now waits for a node after this
}

// tag skips a !tag, which ends where the lexer ends it.
func (s *scanner) tag() {
	s.property()
	s.advance()
	for s.i < len(s.src) {
		c := s.src[s.i]
		if c == ' ' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == ',' && s.inFlow() {
			break
		}
		s.advance()
	}
	s.lastTok = 0
}

// quoted skips a quoted scalar. One without its closing quote is the
// lexer's error, so the parser never runs: nothing more to check.
func (s *scanner) quoted(q byte) {
	line, col := s.line, s.col
	s.name = 0
	s.advance()
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == '\n' || c == '\r':
			if c == '\r' && s.next() == '\n' {
				s.i++
			}
			s.i++
			s.line, s.col = s.line+1, 1
			continue
		case q == '"' && c == '\\':
			s.advance()
			if s.i < len(s.src) && s.src[s.i] != '\n' && s.src[s.i] != '\r' {
				s.advance()
			}
			continue
		case c == q && q == '\'' && s.next() == '\'':
			s.advance()
		case c == q:
			s.advance()
			s.quotedCol, s.lastTok = col, 'q'
			s.at = [2]int{line, col}
			s.tok = s.at
			s.node(1)
			return
		}
		if s.i < len(s.src) {
			s.advance()
		}
	}
	s.i = len(s.src)
}

// flush ends the plain scalar being read: a key, a value, or the name of an
// anchor or alias.
func (s *scanner) flush(key bool) {
	if !s.buf {
		return
	}
	s.buf = false
	s.at = [2]int{s.bufLine, s.bufCol}
	text := bytes.TrimRight(s.src[s.bufStart:s.i], " \t\r\n")
	switch s.name {
	case '&':
		s.name = 0
		s.pending = append(s.pending, string(text))
		return
	case '*':
		s.name = 0
		s.at[1]-- // the "*"
		s.aliases++
		if s.lim.Aliases > 0 && s.aliases > s.lim.Aliases {
			s.refuse(TooManyAliases, s.lim.Aliases, s.at[0], s.at[1],
				fmt.Sprintf("YAML: more than %d aliases", s.lim.Aliases))
			return
		}
		n, ok := s.sizes[string(text)]
		if !ok {
			n = 1
		}
		s.tok = s.at
		s.node(n)
		return
	}
	s.lastTok = 0
	if key {
		s.node(3) // the entry, its key and (at least) its value
		return
	}
	s.tok = s.at
	s.node(1)
}

// node counts a node of n nodes; pending anchors name it.
func (s *scanner) node(n int) {
	for _, a := range s.pending {
		s.sizes[a] = n
	}
	s.pending = s.pending[:0]
	s.add(n)
}

func (s *scanner) add(n int) {
	// A node ends what was open, but only with its line: a scalar
	// may yet turn out to be a key, placed where the open entry wants.
	// Its ':' may even come on a later line; what was open is kept
	// for that.
	s.tokOpen = open{s.dashOpen, s.keyOpen, s.questionOpen, s.keyLine, s.props}
	s.nodeSeen = true
	s.count(n)
}

// count adds n nodes to the total.
func (s *scanner) count(n int) {
	if s.refusal != nil {
		return
	}
	s.total += n
	if s.lim.Nodes > 0 && s.total > s.lim.Nodes {
		s.refuse(TooManyNodes, s.lim.Nodes, s.at[0], s.at[1],
			fmt.Sprintf("YAML: the document expands to over %d nodes (an alias counts as all it repeats)", s.lim.Nodes))
		s.total = s.lim.Nodes + 1
	}
}

// blockAt places a block key or dash at col: it closes the collections
// left of it and opens one when it is deeper than the current one.
func (s *scanner) blockAt(col int, kind byte, line, frameCol int) {
	// What follows a key's ':' on its line is its value, wherever it
	// is: the parser nests it.
	// So is what follows an anchor or tag that ended its line.
	open := s.keyOpen && line == s.keyLine || s.questionOpen || s.props[1] > 0 && s.props[0] < line
	for !open && len(s.block) > 0 {
		top := s.block[len(s.block)-1]
		// A key at a dash's column is its parent's next key, unless
		// the dash has no value yet: then the key starts it.
		if top.col > col || top.col == col && top.kind == '-' && kind == 'k' && !s.dashOpen {
			s.pop(&s.block)
			continue
		}
		if top.col == col && top.kind == kind {
			return // another entry of the same collection
		}
		break
	}
	s.push(&s.block, frame{col: frameCol, kind: kind}, line, col)
	s.dashOpen, s.questionOpen = false, false
}

func (s *scanner) push(stack *[]frame, f frame, line, col int) {
	s.name = 0 // "&" or "*" not followed by a name names nothing
	f.start = s.total
	f.anchors = append(f.anchors, s.pending...)
	s.pending = s.pending[:0]
	*stack = append(*stack, f)
	s.at = [2]int{line, col}
	if d := len(s.block) + len(s.flow); s.lim.Depth > 0 && d > s.lim.Depth {
		s.refuse(TooDeep, s.lim.Depth, line, col, fmt.Sprintf("YAML: nesting deeper than %d levels", s.lim.Depth))
		return
	}
	s.count(1) // the collection; opening it leaves its entry open
}

func (s *scanner) pop(stack *[]frame) {
	f := (*stack)[len(*stack)-1]
	*stack = (*stack)[:len(*stack)-1]
	for _, a := range f.anchors {
		s.sizes[a] = s.total - f.start
	}
}

// endPair ends the one-entry mappings of a flow sequence's entry.
func (s *scanner) endPair() {
	for n := len(s.flow); n > 0 && s.flow[n-1].kind == 'p'; n = len(s.flow) {
		s.pop(&s.flow)
	}
}

// close ends a flow collection at "]" or "}". A bracket that closes
// another kind leaves it open: counting more is the safe side.
func (s *scanner) close(open byte) {
	if n := len(s.flow); n > 0 && s.flow[n-1].kind == open {
		f := s.flow[n-1]
		s.pop(&s.flow)
		s.tok = [2]int{f.line, f.col}
	}
	s.lastTok = 0
	s.advance()
}

func (s *scanner) refuse(r Reason, limit, line, col int, msg string) {
	if s.refusal == nil {
		s.refusal = &Refusal{Reason: r, Limit: limit, Problem: Problem{File: s.file, Line: line, Column: max(col, 1), Message: msg}}
	}
}
