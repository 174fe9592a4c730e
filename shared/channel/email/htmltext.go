package email

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText derives the plain text of an HTML body as a person reads it:
// paragraphs separated by one blank line, list items as "- item" (or
// "1. item"), links as "text (url)" only when the url is not the text
// already, table rows one per line (cells joined by " | "), no decoration
// (no "*bold*", no underlined headings, no rules), no runs of blank lines.
// Blockquotes become "> " lines so StripQuoted recognises quoted history.
// The walk is iterative: nesting depth costs no stack.
func htmlToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return normalizeNewlines(dropBOM(html.UnescapeString(textPolicy.Sanitize(src))))
	}
	w := &textWriter{pLines: spacesWithEmptyParagraphs(doc)}
	type frame struct {
		n     *html.Node
		leave bool
	}
	stack := []frame{{n: doc}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.leave {
			w.leave(f.n)
			continue
		}
		if !w.enter(f.n) {
			continue
		}
		stack = append(stack, frame{n: f.n, leave: true})
		var kids []*html.Node
		for c := f.n.FirstChild; c != nil; c = c.NextSibling {
			kids = append(kids, c)
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{n: kids[i]})
		}
	}
	return w.String()
}

// textLine is one output line and the blockquote depth it was written at.
type textLine struct {
	depth int
	text  string
	blank bool
}

type listState struct {
	ordered bool
	n       int
}

type linkState struct {
	href    string
	line    int // len(w.lines) at the start of the link
	start   int // len(w.cur) at the start
	written bool
}

type textWriter struct {
	lines    []textLine
	cur      strings.Builder
	curDepth int
	space    bool // whitespace seen since the last word
	quote    int  // blockquote depth
	pre      int  // inside <pre>
	lists    []listState
	marker   string // list marker for the next line to start
	indent   string // indent of lines inside a list item
	links    []linkState
	rowCells []int // per open table row: cells with text so far
	cellSep  bool  // a " | " is due before the next word
	rowLine  []int // per open row: len(w.lines) at its start
	// pLines: the HTML spaces its text with empty paragraphs (Outlook's
	// <p class=MsoNormal>&nbsp;</p>), so each paragraph is a line and an
	// empty one a blank line, as the sender saw it.
	pLines bool
	pStart int // len(w.lines) at the open <p>, for pLines
}

// skipped elements have no text a reader sees.
var skippedElements = map[atom.Atom]bool{
	atom.Head: true, atom.Title: true, atom.Style: true, atom.Script: true, atom.Noscript: true,
	atom.Template: true, atom.Iframe: true, atom.Object: true, atom.Select: true, atom.Svg: true, atom.Math: true,
}

// paragraphElements are blocks set off by a blank line; other block
// elements only start a new line.
var paragraphElements = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Table: true, atom.Hr: true, atom.Dl: true,
	atom.Ul: true, atom.Ol: true, atom.Figure: true, atom.Fieldset: true, atom.Address: true,
}

var lineElements = map[atom.Atom]bool{
	atom.Div: true, atom.Li: true, atom.Tr: true, atom.Section: true, atom.Article: true, atom.Header: true,
	atom.Footer: true, atom.Nav: true, atom.Aside: true, atom.Main: true, atom.Center: true, atom.Dt: true,
	atom.Dd: true, atom.Form: true, atom.Caption: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true,
	atom.Figcaption: true, atom.Details: true, atom.Summary: true, atom.Body: true,
}

// enter handles a node's start; false skips its children.
func (w *textWriter) enter(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return false
	case html.DocumentNode:
		return true
	case html.ElementNode:
	default:
		return false
	}
	a := n.DataAtom
	if skippedElements[a] {
		return false
	}
	if style := attr(n, "style"); style != "" && hiddenStyle(style) {
		return false // preheaders and tracking text a reader never sees
	}
	switch {
	case a == atom.P && w.pLines:
		w.flush()
		w.pStart = len(w.lines)
	case (a == atom.Ul || a == atom.Ol) && len(w.lists) > 0:
		w.flush() // a nested list continues its item
	case paragraphElements[a]:
		w.paragraph()
	case lineElements[a]:
		w.flush()
	}
	switch a {
	case atom.Br:
		w.newline()
	case atom.Blockquote:
		w.quote++
	case atom.Pre:
		w.pre++
	case atom.Ul, atom.Ol:
		w.lists = append(w.lists, listState{ordered: a == atom.Ol})
	case atom.Li:
		if len(w.lists) > 0 {
			l := &w.lists[len(w.lists)-1]
			l.n++
			depth := strings.Repeat("  ", len(w.lists)-1)
			if l.ordered {
				w.marker = depth + strconv.Itoa(l.n) + ". "
			} else {
				w.marker = depth + "- "
			}
			w.indent = depth + strings.Repeat(" ", len(w.marker)-len(depth))
		}
	case atom.A:
		w.links = append(w.links, linkState{href: strings.TrimSpace(attr(n, "href")), start: -1}) // set by the first word
	case atom.Tr:
		w.rowCells = append(w.rowCells, 0)
		w.rowLine = append(w.rowLine, len(w.lines))
	case atom.Td, atom.Th:
		if k := len(w.rowCells); k > 0 && w.rowCells[k-1] > 0 && w.cur.Len() > 0 {
			w.cellSep = true
		}
	case atom.Img, atom.Input:
		return false
	}
	return true
}

func (w *textWriter) leave(n *html.Node) {
	if n.Type != html.ElementNode {
		return
	}
	a := n.DataAtom
	switch a {
	case atom.Blockquote:
		w.flush()
		w.quote--
	case atom.Pre:
		w.pre--
	case atom.Ul, atom.Ol:
		if len(w.lists) > 0 {
			w.lists = w.lists[:len(w.lists)-1]
		}
		w.marker, w.indent = "", ""
		if len(w.lists) > 0 {
			w.indent = strings.Repeat("  ", len(w.lists))
		}
	case atom.Li:
		w.flush()
		w.marker = ""
	case atom.A:
		if k := len(w.links); k > 0 {
			l := w.links[k-1]
			w.links = w.links[:k-1]
			w.endLink(l)
		}
	case atom.Td, atom.Th:
		if k := len(w.rowCells); k > 0 && w.cur.Len() > 0 {
			w.rowCells[k-1]++
		}
		w.cellSep = false
	case atom.Tr:
		if k := len(w.rowCells); k > 0 {
			w.rowCells, w.rowLine = w.rowCells[:k-1], w.rowLine[:k-1]
		}
		w.cellSep = false
	}
	switch {
	case a == atom.P && w.pLines:
		if w.cur.Len() == 0 && len(w.lines) == w.pStart {
			w.newline() // an empty paragraph: a blank line
		}
		w.flush()
	case (a == atom.Ul || a == atom.Ol) && len(w.lists) > 0:
		w.flush()
	case paragraphElements[a]:
		w.paragraph()
	case lineElements[a]:
		w.flush()
	}
}

// endLink adds " (url)" after a link's text when the url says more.
func (w *textWriter) endLink(l linkState) {
	href := l.href
	low := strings.ToLower(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(low, "javascript:") || strings.HasPrefix(low, "cid:") {
		return
	}
	var text string
	if l.start < 0 {
		return // no text: an image link, nothing a reader sees
	}
	if len(w.lines) == l.line && l.start <= w.cur.Len() {
		text = w.cur.String()[l.start:]
	} else {
		text = w.cur.String()
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return // an image link: nothing a reader sees
	}
	shown := href
	if strings.HasPrefix(low, "mailto:") {
		shown = href[len("mailto:"):]
		if i := strings.IndexByte(shown, '?'); i >= 0 {
			shown = shown[:i]
		}
	}
	if sameURL(text, shown) {
		return
	}
	if w.cur.Len() == 0 {
		w.write(w.linePrefix())
	}
	w.cur.WriteString(" (" + shown + ")")
	w.space = false
}

// sameURL: the link text already shows the url (with or without scheme,
// "www." or a trailing slash).
func sameURL(text, href string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"mailto:", "https://", "http://", "www."} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimRight(s, "/")
	}
	return norm(text) == norm(href)
}

func (w *textWriter) text(s string) {
	if w.pre > 0 {
		for i, part := range strings.Split(normalizeNewlines(s), "\n") {
			if i > 0 {
				w.newline()
			}
			if part != "" {
				w.word(part)
			}
		}
		return
	}
	s = invisible.Replace(s)
	if s == "" {
		return
	}
	start := 0
	for i, r := range s {
		if isSpace(r) {
			if i > start {
				w.word(s[start:i])
			}
			w.space = true
			start = i + len(string(r))
		}
	}
	if start < len(s) {
		w.word(s[start:])
	}
}

// invisible drops zero-width characters newsletters pad preheaders with.
var invisible = strings.NewReplacer("\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "", "\u034f", "", "\u00ad", "")

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\u00a0', '\u2007', '\u202f':
		return true
	}
	return false
}

// word writes a piece of text without whitespace (or a pre line).
func (w *textWriter) word(s string) {
	if w.cur.Len() == 0 {
		w.cur.WriteString(w.linePrefix())
		w.curDepth = w.quote
		w.space = false
		w.cellSep = false
	}
	if w.cellSep {
		w.cur.WriteString(" | ")
		w.cellSep, w.space = false, false
	}
	if w.space {
		w.cur.WriteByte(' ')
		w.space = false
	}
	for i := range w.links {
		if w.links[i].start < 0 {
			w.links[i].line, w.links[i].start = len(w.lines), w.cur.Len()
		}
	}
	w.cur.WriteString(s)
}

func (w *textWriter) write(s string) {
	w.cur.WriteString(s)
	w.curDepth = w.quote
}

// linePrefix is the list marker or indent of a new line; it is written
// with the line's first word, so an empty line gets none.
func (w *textWriter) linePrefix() string {
	if w.marker != "" {
		m := w.marker
		w.marker = ""
		return m
	}
	return w.indent
}

// flush ends the current line, if it has text.
func (w *textWriter) flush() {
	if w.cur.Len() > 0 {
		w.lines = append(w.lines, textLine{depth: w.curDepth, text: w.cur.String()})
		w.cur.Reset()
	}
	w.space = false
}

// newline is a <br>: it ends the current line, or makes an empty one.
func (w *textWriter) newline() {
	if w.cur.Len() > 0 {
		w.flush()
		return
	}
	w.lines = append(w.lines, textLine{depth: w.quote, blank: true})
}

// paragraph ends the current line and asks for a blank line.
func (w *textWriter) paragraph() {
	w.flush()
	w.lines = append(w.lines, textLine{depth: w.quote, blank: true})
}

// String renders the lines: blank lines collapsed to one, none at the
// edges, trailing spaces trimmed, quoted lines prefixed with "> ".
func (w *textWriter) String() string {
	w.flush()
	var b strings.Builder
	pendingBlank, pendingDepth := false, 0
	for _, l := range w.lines {
		text := strings.TrimRight(l.text, " \t")
		if l.blank || strings.TrimSpace(text) == "" {
			if b.Len() > 0 && !pendingBlank {
				pendingBlank, pendingDepth = true, l.depth
			}
			continue
		}
		if pendingBlank {
			d := min(pendingDepth, l.depth)
			b.WriteString(strings.TrimRight(strings.Repeat("> ", d), " ") + "\n")
			pendingBlank = false
		}
		if l.depth > 0 {
			b.WriteString(strings.Repeat("> ", l.depth))
		}
		b.WriteString(text)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hiddenStyle: display:none, or a preheader's zero size.
func hiddenStyle(s string) bool {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") ||
		(strings.Contains(s, "max-height:0") && strings.Contains(s, "overflow:hidden"))
}

// spacesWithEmptyParagraphs reports a <p> holding no text (only spaces,
// &nbsp;, <br>) and no image.
func spacesWithEmptyParagraphs(doc *html.Node) bool {
	stack := []*html.Node{doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.ElementNode && n.DataAtom == atom.P && emptyParagraph(n) {
			return true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, c)
		}
	}
	return false
}

func emptyParagraph(p *html.Node) bool {
	stack := []*html.Node{}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		stack = append(stack, c)
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case n.Type == html.TextNode && strings.TrimFunc(invisible.Replace(n.Data), isSpace) != "":
			return false
		case n.Type == html.ElementNode && (n.DataAtom == atom.Img || n.DataAtom == atom.Table):
			return false
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, c)
		}
	}
	return true
}
