package email

import (
	"bufio"
	"bytes"
	"fmt"
	"net/textproto"
	"path"
	"regexp"
	"strings"
	"unicode"

	"github.com/jhillyerd/enmime/v2"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// mimeParser is tolerant: malformed child parts are skipped (with a warning)
// instead of failing the mail, a multipart without a boundary is read as one
// part (Parse then guesses the boundary), and corrupt base64 in a text part
// keeps what decoded.
var mimeParser = enmime.NewParser(parserOptions...)

// parserOptions are mimeParser's options, shared with rawParser so that both
// read the same part tree.
var parserOptions = []enmime.Option{
	enmime.SkipMalformedParts(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	enmime.MaxStoredPartErrors(20),
	enmime.DisableCharacterDetection(true),
	enmime.SetCustomParseMediaType(parseMediaType),
}

const maxWarnings = 20

// maxNesting bounds how deep multipart parts may nest. enmime reads each
// byte through one boundary reader per level (time grows with depth × size)
// and unterminated nested parts cost it time exponential in depth: a 1 KB
// mail 25 levels deep takes minutes. Real mail nests 3 to 6 levels.
const maxNesting = 12

// errTooDeep is wrapped in ErrMalformed.
var errTooDeep = fmt.Errorf("multipart nesting deeper than %d levels", maxNesting)

// readParts parses raw into a part tree. A top-level multipart whose
// boundary parameter is missing is re-read with the boundary its body uses.
func readParts(raw []byte) (*enmime.Part, []string, error) {
	if mimeDepth(raw) > maxNesting {
		return nil, nil, errTooDeep
	}
	root, err := mimeParser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, err
	}
	if !strings.HasPrefix(root.ContentType, "multipart/") || root.Boundary != "" || root.FirstChild != nil {
		repairEncodings(raw, root)
		return root, nil, nil
	}
	b := guessBoundary(root.Content)
	if b == "" {
		repairEncodings(raw, root)
		return root, []string{"multipart without boundary: read as a single part"}, nil
	}
	// The first Content-Type header wins, so prepending one is enough.
	fixed := make([]byte, 0, len(raw)+len(b)+64)
	fixed = append(fixed, "Content-Type: "+root.ContentType+"; boundary=\""+b+"\"\r\n"...)
	fixed = append(fixed, raw...)
	if mimeDepth(fixed) > maxNesting {
		return nil, nil, errTooDeep
	}
	again, err := mimeParser.ReadParts(bytes.NewReader(fixed))
	if err != nil || again.FirstChild == nil {
		repairEncodings(raw, root)
		return root, []string{"multipart without boundary: read as a single part"}, nil
	}
	repairEncodings(fixed, again)
	return again, []string{fmt.Sprintf("multipart without boundary: used %q found in the body", b)}, nil
}

// mimeDepth returns how deep multipart parts nest, following the boundary
// lines the way enmime will: a part's header may declare a multipart (with
// its boundary), a delimiter line of an open boundary starts a new part of it
// (closing anything deeper), its close line ends it. Header lines are joined
// as enmime joins them (indented and colon-less lines continue a field). It
// may count too deep, never too shallow (FuzzParse checks this against
// enmime's tree); linear in len(raw), it stops counting past maxNesting.
func mimeDepth(raw []byte) int {
	// Every nested multipart needs its own boundary parameter: few of them
	// bound the depth without a scan.
	if countFold(raw, "boundary", maxNesting+1) <= maxNesting {
		return 0
	}
	return scanDepth(raw)
}

// scanDepth is mimeDepth without the shortcut.
func scanDepth(raw []byte) int {
	var open []string // boundaries of the open multiparts, outermost first
	depth := 0
	inHeader := true
	var field []byte // the current Content-Type field, unfolded; nil for other fields
	endField := func() {
		if field != nil {
			mt, params, _, err := parseMediaType(string(bytes.TrimSpace(field))) // enmime trims header values
			// enmime nests any part with a boundary parameter but text/plain
			// and text/html, whatever its media type says.
			if err == nil && params["boundary"] != "" && mt != "text/plain" && mt != "text/html" {
				open = append(open, params["boundary"])
				depth = max(depth, len(open))
			}
		}
		field = nil
	}
	for len(raw) > 0 && depth <= maxNesting {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		line = bytes.TrimRight(line, "\r")
		if inHeader {
			colon := bytes.IndexByte(line, ':')
			switch {
			case len(line) == 0:
				endField()
				inHeader = false
			case line[0] == ' ' || line[0] == '\t' || colon < 0:
				if field != nil && len(field) < 8192 {
					field = append(append(field, ' '), line...)
				}
			case colon == 0:
				// enmime skips the line
			default:
				endField()
				if bytes.EqualFold(bytes.TrimSpace(line[:colon]), []byte("content-type")) {
					field = append([]byte{}, line[colon+1:min(len(line), colon+1+8192)]...)
				}
			}
			continue
		}
		if atLineStartBoundary(line, &open) {
			inHeader = true
			continue
		}
		// enmime also takes "--boundary" inside a line, or followed by
		// more text, as a delimiter: a new part, whose header may open
		// another multipart. Deeper levels are kept open (counting too
		// deep, never too shallow).
		for i := len(open) - 1; i >= 0; i-- {
			if midLineDelimiter(line, open[i]) {
				inHeader = true
				break
			}
		}
	}
	return depth
}

// atLineStartBoundary applies a "--boundary" or "--boundary--" line of an
// open multipart to open; it reports whether a new part starts.
func atLineStartBoundary(line []byte, open *[]string) bool {
	if !bytes.HasPrefix(line, []byte("--")) {
		return false
	}
	rest := bytes.TrimRight(line[2:], " \t")
	for i := len(*open) - 1; i >= 0; i-- {
		b := []byte((*open)[i])
		if !bytes.HasPrefix(rest, b) {
			continue
		}
		switch tail := rest[len(b):]; {
		case len(tail) == 0:
			*open = (*open)[:i+1] // a new part of open[i]: its header follows
			return true
		case bytes.HasPrefix(tail, []byte("--")):
			*open = (*open)[:i]
			return false
		}
	}
	return false
}

// midLineDelimiter reports whether line holds "--boundary" followed by
// white space or the line's end, as enmime's delimiter test accepts.
func midLineDelimiter(line []byte, boundary string) bool {
	d := []byte("--" + boundary)
	for off := 0; off < len(line); {
		i := bytes.Index(line[off:], d)
		if i < 0 {
			return false
		}
		tail := line[off+i+len(d):]
		if len(tail) == 0 || bytes.IndexByte([]byte(" \t\v\f\x85\xa0"), tail[0]) >= 0 {
			return true
		}
		off += i + 1
	}
	return false
}

// countFold counts the case-insensitive occurrences of an ASCII word in b,
// stopping at limit.
func countFold(b []byte, word string, limit int) int {
	n := 0
	first := word[0]
	for i := 0; i+len(word) <= len(b) && n < limit; i++ {
		if c := b[i] | 0x20; c == first && bytes.EqualFold(b[i:i+len(word)], []byte(word)) {
			n++
			i += len(word) - 1
		}
	}
	return n
}

var boundaryLine = regexp.MustCompile(`(?m)^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$`)

// guessBoundary returns the first "--x" delimiter line that occurs at least
// twice (or once with its "--x--" close).
func guessBoundary(body []byte) string {
	if len(body) > 1<<20 {
		body = body[:1<<20]
	}
	for _, m := range boundaryLine.FindAllSubmatch(body, 8) {
		b := strings.TrimSuffix(string(m[1]), "--")
		if b == "" {
			continue
		}
		if bytes.Count(body, []byte("--"+b)) >= 2 {
			return b
		}
	}
	return ""
}

// leaf is a non-body part kept as an attachment.
type leaf struct {
	part   *enmime.Part
	inline bool
}

// collector sorts the part tree into bodies and attachments.
type collector struct {
	texts    []string
	htmls    []string
	leaves   []leaf
	messages []*enmime.Part // message/rfc822 (forwards, returned messages)
	headers  []*enmime.Part // text/rfc822-headers (returned headers of a bounce)
	statuses []*enmime.Part // message/delivery-status
}

type walkCtx struct {
	related bool // inside multipart/related: a part with a Content-ID is an inline image
	noText  bool // inside the rich branch of an alternative whose text/plain was already taken
}

const maxDepth = 50

func (c *collector) walk(p *enmime.Part, ctx walkCtx, depth int) {
	if p == nil || depth > maxDepth {
		return
	}
	if depth == 0 {
		// Once the tree is walked: what the HTML shows is inline.
		defer c.dropImagePlaceholders()
		defer c.resolveInline()
	}
	if p.FirstChild != nil {
		switch p.ContentType {
		case "multipart/alternative":
			c.alternative(p, ctx, depth)
		default:
			inner := ctx
			inner.related = p.ContentType == "multipart/related"
			for ch := p.FirstChild; ch != nil; ch = ch.NextSibling {
				c.walk(ch, inner, depth+1)
			}
		}
		return
	}
	if strings.HasPrefix(p.ContentType, "multipart/") && len(p.Content) == 0 {
		return // an empty multipart: nothing to keep
	}
	c.leaf(p, ctx)
}

// alternative takes the text/plain version and walks the richest version
// (the last HTML or multipart one, per RFC 2046); other alternatives that are
// not text (a text/calendar invitation) are kept as attachments.
func (c *collector) alternative(p *enmime.Part, ctx walkCtx, depth int) {
	var plain, rich *enmime.Part
	for ch := p.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case plain == nil && isBodyText(ch):
			plain = ch
		case isBodyHTML(ch) || ch.FirstChild != nil:
			rich = ch
		}
	}
	for ch := p.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch == plain:
			if !ctx.noText {
				c.addText(ch)
			}
		case ch == rich:
			inner := ctx
			inner.noText = ctx.noText || plain != nil
			c.walk(ch, inner, depth+1)
		case isBodyText(ch) || isBodyHTML(ch):
			// another rendering of the same body
		default:
			c.walk(ch, ctx, depth+1)
		}
	}
}

func (c *collector) leaf(p *enmime.Part, ctx walkCtx) {
	switch {
	case isBodyText(p) || (strings.HasPrefix(p.ContentType, "multipart/") && p.FileName == ""):
		// A multipart leaf had no usable boundary: its raw text is the best we have.
		if !ctx.noText {
			c.addText(p)
		}
		return
	case isBodyHTML(p):
		c.htmls = append(c.htmls, decodeBytes(p.Content, true))
		return
	case (p.ContentType == "text/html" || p.ContentType == "text/plain") && len(bytes.TrimSpace(p.Content)) == 0:
		return // an empty body part named like a file: no 0-byte attachment
	}
	switch p.ContentType {
	case "message/rfc822", "message/global":
		c.messages = append(c.messages, p)
	case "text/rfc822-headers", "message/global-headers":
		c.headers = append(c.headers, p)
	case "message/delivery-status", "message/global-delivery-status":
		c.statuses = append(c.statuses, p)
	}
	disp := strings.ToLower(p.Disposition)
	inline := p.ContentID != "" && disp != "attachment" && (ctx.related || disp == "inline")
	c.leaves = append(c.leaves, leaf{part: p, inline: inline})
}

func isBodyText(p *enmime.Part) bool {
	return (p.ContentType == "text/plain" || p.ContentType == "") && p.FirstChild == nil && isBodyDisposition(p)
}

func isBodyHTML(p *enmime.Part) bool {
	return p.ContentType == "text/html" && p.FirstChild == nil && isBodyDisposition(p)
}

// isBodyDisposition: a text part is the body unless it is marked as an
// attachment or carries a file name (Apple Mail sends attached .txt files
// "inline" with a name).
func isBodyDisposition(p *enmime.Part) bool {
	return !strings.EqualFold(p.Disposition, "attachment") && p.FileName == ""
}

// partText decodes a text/plain part, undoing format=flowed.
func partText(p *enmime.Part) string {
	s, _ := partTextFiles(p)
	return s
}

// addText adds a text/plain body; files uuencoded in it become attachments.
func (c *collector) addText(p *enmime.Part) {
	s, files := partTextFiles(p)
	c.texts = append(c.texts, s)
	for i, f := range files {
		c.leaves = append(c.leaves, leaf{part: &enmime.Part{
			PartID: fmt.Sprintf("%s.uu%d", p.PartID, i+1), ContentType: uuContentType(f.name, f.data),
			FileName: f.name, Disposition: "attachment", Content: f.data,
		}})
	}
}

// partTextFiles is partText and the files uuencoded in the text, taken out
// of it before format=flowed is undone (a uuencoded line may end in a space).
func partTextFiles(p *enmime.Part) (string, []uuFile) {
	s := decodeBytes(p.Content, false)
	s = normalizeNewlines(dropBOM(s))
	s, files := extractUU(s)
	_, params, _, _ := parseMediaType(p.Header.Get("Content-Type"))
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	return s, files
}

// dropBOM removes byte-order marks: iOS Mail leaves them inside quoted text.
func dropBOM(s string) string {
	return strings.ReplaceAll(s, "\uFEFF", "")
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// unflow joins the soft line breaks of RFC 3676 format=flowed text (a line
// ending in a space continues on the next line of the same quote depth), so
// quote and signature detection see whole lines.
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	var cur strings.Builder
	curDepth, open := 0, false
	flush := func() {
		if open {
			out = append(out, strings.Repeat(">", curDepth)+prefixSpace(curDepth)+cur.String())
			cur.Reset()
			open = false
		}
	}
	for _, l := range lines {
		depth := 0
		for depth < len(l) && l[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(l[depth:], " ") // space-stuffing
		if open && depth != curDepth {
			flush()
		}
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		curDepth, open = depth, true
		if !soft {
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}

func prefixSpace(depth int) string {
	if depth > 0 {
		return " "
	}
	return ""
}

// readHeaderBlock reads the header section of an embedded message or
// header part, tolerating damage.
func readHeaderBlock(b []byte) textproto.MIMEHeader {
	h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(b)), discard{})
	if err != nil && h == nil {
		return textproto.MIMEHeader{}
	}
	return h
}

type discard struct{}

func (discard) AddError(string, string, ...any)   {}
func (discard) AddWarning(string, string, ...any) {}

var extByType = map[string]string{
	"text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics", "text/csv": ".csv",
	"text/rfc822-headers": ".txt", "message/delivery-status": ".txt", "message/disposition-notification": ".txt",
	"message/rfc822": ".eml", "message/global": ".eml",
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
	"application/pdf": ".pdf", "application/zip": ".zip",
}

// attachmentName returns a safe file name: no directories, no control
// characters, at most 200 bytes; a part without a name gets one from its
// position and type (a forwarded message from its subject).
func attachmentName(p *enmime.Part, contentType string) string {
	name := validUTF8(p.FileName)
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimRight(name, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." || name == "/" {
		name = ""
	}
	if name == "" && (contentType == "message/rfc822" || contentType == "message/global") {
		if subj := decodeHeader(readHeaderBlock(p.Content).Get("Subject")); subj != "" {
			name = strings.Map(func(r rune) rune {
				if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
					return '_'
				}
				return r
			}, subj) + ".eml"
		}
	}
	if name == "" {
		name = "part-" + strings.TrimSuffix(p.PartID, ".0") + extByType[contentType]
	}
	return boundFileName(name, 200)
}

// boundFileName cuts a file name to at most n bytes, keeping its extension.
func boundFileName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	ext := path.Ext(s)
	if len(ext) > 16 {
		ext = ""
	}
	return helpdesk.TruncateBytes(strings.TrimSuffix(s, ext), n-len(ext), "") + ext
}
