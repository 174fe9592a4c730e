package email

import (
	"strings"

	"golang.org/x/net/html"
)

// SplitHTML splits a mail's raw HTML body into its new part and the quoted
// history, both sanitised for display. The split is made on the raw HTML
// because the sanitiser drops the class, id and type attributes that mark a
// client's quote container. When no container is recognised, or the new part
// would show nothing, everything is the new part and quoted is "".
func SplitHTML(raw string) (newHTML, quotedHTML string) {
	full := sanitizeHTML(raw)
	n, q, ok := splitQuotedHTML(raw)
	if !ok {
		return full, ""
	}
	newHTML, quotedHTML = sanitizeHTML(n), sanitizeHTML(q)
	if !showsSomething(newHTML) || quotedHTML == "" {
		return full, "" // like the text: a cut that leaves nothing keeps all
	}
	return newHTML, quotedHTML
}

// showsSomething reports whether sanitised HTML has text or an image.
func showsSomething(s string) bool {
	return strings.TrimSpace(html.UnescapeString(textPolicy.Sanitize(s))) != "" || strings.Contains(s, "<img")
}

// voidElements have no end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// rawTextElements hold text the tokenizer does not read as tags.
var rawTextElements = map[string]bool{
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
}

// docElements do not count towards how deep a tag is in the body.
var docElements = map[string]bool{"html": true, "body": true, "head": true}

type htmlToken struct {
	typ  html.TokenType
	name string
	raw  string
}

// splitQuotedHTML cuts raw HTML at the first quote container that is a
// reply's history: Gmail's gmail_quote (and its gmail_attr line), Apple Mail
// and Thunderbird's <blockquote type="cite"> and moz-cite-prefix, Outlook's
// appendonsend, divRplyFwdMsg (with the <hr> before it) and its border-top
// header block, Yahoo's yahoo_quoted, else a trailing top-level <blockquote>.
// Both halves are well-formed: the new part gets the end tags of what was
// open at the cut, and the quoted part loses the end tags of those elements.
// Only tags are added or dropped, so the two halves hold every byte of text
// the original held. ok is false when nothing was recognised.
func splitQuotedHTML(raw string) (newPart, quoted string, ok bool) {
	toks := tokenize(raw)
	cut, depth := -1, 0
	var stack openStack
	// A top-level blockquote with nothing but whitespace and <br> after it.
	trailing, trailingDepth := -1, 0
	bodyDepth := func() int { return stack.inBody }
	for i, t := range toks {
		switch t.typ {
		case html.StartTagToken, html.SelfClosingTagToken:
			if cut < 0 && isQuoteContainer(t.raw, t.name) {
				cut, depth = i, len(stack.names)
			}
			if t.name == "blockquote" && bodyDepth() == 0 {
				trailing, trailingDepth = i, len(stack.names)
			} else if trailing >= 0 && bodyDepth() == 0 && t.name != "br" {
				trailing = -1
			}
			if t.typ == html.StartTagToken {
				stack.push(t.name)
			}
		case html.EndTagToken:
			stack.pop(t.name)
		case html.TextToken:
			if trailing >= 0 && bodyDepth() == 0 && strings.TrimSpace(html.UnescapeString(t.raw)) != "" {
				trailing = -1
			}
		}
	}
	if cut < 0 {
		cut, depth = trailing, trailingDepth
	}
	if cut <= 0 {
		return raw, "", false
	}
	if toks[cut].name == "div" && strings.Contains(strings.ToLower(toks[cut].raw), "divrplyfwdmsg") {
		cut = hrBefore(toks, cut)
	}
	return halves(toks, cut, depth)
}

// hrBefore moves a cut at Outlook's divRplyFwdMsg back over the <hr> that
// Outlook puts just before it.
func hrBefore(toks []htmlToken, cut int) int {
	for i := cut - 1; i >= 0; i-- {
		t := toks[i]
		switch {
		case t.typ == html.TextToken && strings.TrimSpace(t.raw) == "":
			continue
		case (t.typ == html.StartTagToken || t.typ == html.SelfClosingTagToken) && t.name == "hr":
			return i
		}
		break
	}
	return cut
}

// halves renders the tokens before and from cut, where depth elements were
// open at the cut.
func halves(toks []htmlToken, cut, depth int) (string, string, bool) {
	var stack openStack
	var b strings.Builder
	for _, t := range toks[:cut] {
		b.WriteString(t.raw)
		switch t.typ {
		case html.StartTagToken:
			stack.push(t.name)
		case html.EndTagToken:
			stack.pop(t.name)
		}
	}
	open := stack.names
	outer := map[string]bool{}
	for _, n := range open[:min(depth, len(open))] {
		outer[n] = true
	}
	closeTail(&b, toks[cut-1], open)
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString("</" + open[j] + ">")
	}
	newPart := b.String()

	b.Reset()
	var inner openStack // opened inside the quoted part
	for _, t := range toks[cut:] {
		switch t.typ {
		case html.StartTagToken:
			inner.push(t.name)
		case html.EndTagToken:
			if !inner.pop(t.name) && outer[t.name] {
				continue // closes an element opened before the cut
			}
		}
		b.WriteString(t.raw)
	}
	closeTail(&b, toks[len(toks)-1], append(open[:min(depth, len(open)):min(depth, len(open))], inner.names...))
	for j := len(inner.names) - 1; j >= 0; j-- {
		b.WriteString("</" + inner.names[j] + ">")
	}
	return newPart, b.String(), true
}

// openStack is the elements open at a point of a token stream. An end tag
// closes the innermost open element of its name and those inside it; one
// with no open element of its name is ignored, in constant time, so stray
// end tags under deep nesting cost nothing.
type openStack struct {
	names  []string
	count  map[string]int
	inBody int // open elements other than html, head and body
}

func (s *openStack) push(name string) {
	if voidElements[name] {
		return
	}
	if s.count == nil {
		s.count = map[string]int{}
	}
	s.names = append(s.names, name)
	s.count[name]++
	if !docElements[name] {
		s.inBody++
	}
}

// pop reports whether an open element was closed.
func (s *openStack) pop(name string) bool {
	if s.count[name] == 0 {
		return false
	}
	for j := len(s.names) - 1; j >= 0; j-- {
		n := s.names[j]
		s.count[n]--
		if !docElements[n] {
			s.inBody--
		}
		if n == name {
			s.names = s.names[:j]
			return true
		}
	}
	return false
}

// closeTail ends what the input's last token may leave open, so the end tags
// written after it stay tags: a comment cut off by the end of the input, or
// text ending in "<" or "</" (re-escaped: the same text), unless it is the
// raw text of a script or style, where the end tag ends it anyway.
func closeTail(b *strings.Builder, last htmlToken, open []string) {
	switch {
	case last.typ == html.CommentToken && !strings.HasSuffix(last.raw, ">"):
		if strings.HasPrefix(last.raw, "<!--") {
			b.WriteString("-->")
		} else {
			b.WriteString(">")
		}
	case last.typ == html.TextToken && strings.Contains(last.raw, "<") && (len(open) == 0 || !rawTextElements[open[len(open)-1]]):
		s := b.String()
		b.Reset()
		b.WriteString(strings.TrimSuffix(s, last.raw))
		b.WriteString(html.EscapeString(html.UnescapeString(last.raw)))
	}
}

func tokenize(raw string) []htmlToken {
	z := html.NewTokenizer(strings.NewReader(raw))
	var toks []htmlToken
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return toks // io.EOF: it reads from memory
		}
		t := htmlToken{typ: tt, raw: string(z.Raw())}
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken || tt == html.EndTagToken {
			name, _ := z.TagName()
			t.name = string(name)
		}
		toks = append(toks, t)
	}
}

// isQuoteContainer reports whether a start tag opens a client's quoted
// history. raw is the tag as written, name its lower-case name.
func isQuoteContainer(raw, name string) bool {
	z := html.NewTokenizer(strings.NewReader(raw))
	z.Next()
	var class, id, typ, style string
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "class":
			class = string(v)
		case "id":
			id = string(v)
		case "type":
			typ = string(v)
		case "style":
			style = string(v)
		}
		if !more {
			break
		}
	}
	classes := strings.Fields(strings.ToLower(class))
	hasClass := func(want string) bool {
		for _, c := range classes {
			if c == want || (want == "yahoo_quoted" && strings.HasSuffix(c, want)) {
				return true
			}
		}
		return false
	}
	id = strings.ToLower(id)
	switch name {
	case "blockquote":
		return strings.EqualFold(typ, "cite") || hasClass("gmail_quote")
	case "div":
		switch {
		case hasClass("gmail_quote"), hasClass("gmail_attr"), hasClass("moz-cite-prefix"), hasClass("yahoo_quoted"):
			return true
		case id == "appendonsend", id == "divrplyfwdmsg", strings.HasPrefix(id, "yahoo_quoted"):
			return true
		}
		// Outlook desktop's header block: a top border above "From: ... Sent:".
		s := strings.ReplaceAll(strings.ToLower(style), " ", "")
		return strings.Contains(s, "border:none") && strings.Contains(s, "border-top:solid") && strings.Contains(s, "padding:3.0pt")
	}
	return false
}
