package email

import (
	"bytes"
	"errors"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Parse reads one raw mail. Input over MaxRawBytes gives ErrTooLarge; input
// that is not mail (empty, no header) gives an error wrapping ErrMalformed.
// A mail without any sender address is not an error: see Parsed.From. Damaged MIME (a missing
// boundary, broken base64, an unknown charset, a truncated body) is parsed as
// far as it goes and noted in Warnings. Parse never panics.
func Parse(raw []byte, opts Options) (parsed *Parsed, err error) {
	if len(raw) > MaxRawBytes {
		return nil, fmt.Errorf("parse email: %d bytes, over the %d-byte limit: %w", len(raw), MaxRawBytes, ErrTooLarge)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("parse email: empty input: %w", ErrMalformed)
	}
	defer func() {
		if r := recover(); r != nil {
			parsed = nil
			err = fmt.Errorf("parse email: %w: %w: %s", ErrMalformed, errPanic, quoteDetail(fmt.Sprint(r)))
		}
	}()
	opts = opts.withDefaults()

	root, warnings, err := readParts(raw)
	if errors.Is(err, errTooDeep) {
		return nil, fmt.Errorf("parse email: %w: %w", ErrMalformed, err)
	}
	if err != nil {
		return nil, fmt.Errorf("parse email: read MIME: %w: %s", ErrMalformed, quoteDetail(err.Error()))
	}
	h := root.Header
	if len(h) == 0 {
		return nil, fmt.Errorf("parse email: no header fields: %w", ErrMalformed)
	}

	hd := newHeaderDecoder(root) // raw 8-bit header text by the mail's charsets
	hd.fixParts(root)
	p := &Parsed{
		MessageID:  messageID(h.Get("Message-Id")),
		InReplyTo:  messageIDs(h.Values("In-Reply-To")...),
		References: messageIDs(h.Values("References")...),
		ReplyTo:    hd.addresses(h, "Reply-To"),
		To:         hd.addresses(h, "To"),
		Cc:         hd.addresses(h, "Cc"),
		Subject:    hd.text(h.Get("Subject")),
		Date:       parseDate(h.Get("Date")),
	}
	from, group := findSender(h, hd) // no address anywhere: From.Email "", still a mail
	p.ReplyTo = withoutGroup(p.ReplyTo, h, group)

	c := &collector{}
	c.walk(root, walkCtx{}, 0)
	p.FullText = strings.TrimSpace(strings.Join(nonEmpty(c.texts), "\n\n"))
	rawHTML := strings.Join(c.htmls, "\n")
	p.HTML = sanitizeHTML(rawHTML)
	if p.FullText == "" && p.HTML != "" {
		// From the sanitised HTML, so the text holds what an agent would see
		// (no script, no javascript: link targets).
		p.FullText = strings.TrimSpace(htmlToText(p.HTML))
	}

	p.Kind, p.KindReason = classify(h, root, c, from.Email, opts.Tenant)
	p.From = from
	if p.Kind == KindBounce {
		p.BouncedMessageIDs, p.BounceRecipients = bounceDetails(c, p.FullText, p.InReplyTo)
	}

	lines := strings.Split(p.FullText, "\n")
	keep, at, brk := scanQuoted(lines, -1)
	if p.Kind == KindNormal || opts.AsNormal {
		if fwd, outlookAt := detectForward(lines, at, brk, p.Subject, c); fwd != nil {
			fwd.By = from
			if fwd.Subject == "" {
				fwd.Subject = trimForwardPrefix(p.Subject)
			}
			p.Forwarded = fwd
			if opts.UseOriginalSender && fwd.OriginalFrom.Email != "" {
				p.From = fwd.OriginalFrom
			}
			if outlookAt >= 0 {
				keep, _, _ = scanQuoted(lines, outlookAt) // keep the forwarded block
			}
		}
	}
	// The HTML is split like the text: an inline forward keeps everything
	// after its marker as new content, so its HTML is not split.
	if p.HTML != "" && (p.Forwarded == nil || p.Forwarded.Attached) {
		p.HTML, p.QuotedHTML = SplitHTML(rawHTML)
	}
	if p.Text = tidy(keep); p.Text == "" {
		p.Text = p.FullText // stripping left nothing: keep the whole text
	} else {
		p.Quoted = tidy(left(lines, keep))
	}

	p.Attachments, p.Rejected = keepAttachments(c.leaves, opts)
	if n := len(p.Rejected) - maxRejected; n > 0 {
		// Thousands of tiny parts must not become thousands of log lines.
		p.Rejected = p.Rejected[:maxRejected]
		warnings = append(warnings, fmt.Sprintf("%d more attachments dropped, not listed", n))
	}

	for _, e := range root.DepthMatchAll(func(*enmime.Part) bool { return true }) {
		for _, pe := range e.Errors {
			warnings = append(warnings, validUTF8(pe.Error()))
		}
	}
	if len(warnings) > maxWarnings {
		warnings = warnings[:maxWarnings]
	}
	p.Warnings = warnings
	return p, nil
}

// quoteDetail makes a library's error detail safe to log: it may quote the
// input, which can be binary.
func quoteDetail(s string) string {
	return strconv.QuoteToGraphic(helpdesk.TruncateBytes(validUTF8(s), 200, "..."))
}

// maxRejected bounds the Rejected list.
const maxRejected = 50

// firstSender returns the first header of keys holding a usable address.
func firstSender(h textproto.MIMEHeader, keys ...string) (helpdesk.Sender, bool) {
	for _, k := range keys {
		for _, v := range h.Values(k) {
			if s, ok := sender(v); ok {
				return s, true
			}
		}
	}
	return helpdesk.Sender{}, false
}

func nonEmpty(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// detectForward finds a forward: an inline marker in the new text (Gmail,
// Apple Mail, Thunderbird), an Outlook reply-style block when the subject is
// a forward's, or an attached message/rfc822 when the subject is a
// forward's. at and brk are the first break scanQuoted found. It returns the
// forward and, for the Outlook case, the line the forwarded block starts on
// (for scanQuoted to keep it), else -1.
func detectForward(lines []string, at int, brk breakKind, subject string, c *collector) (*Forward, int) {
	isFwdSubject := isForwardSubject(subject)
	switch {
	case brk == breakForward:
		return inlineForward(forwardBlockAt(lines, at, false)), -1
	case brk == breakOutlook && isFwdSubject:
		// In a forward the forwarded part is the message: keep it, even
		// when its header block names nobody.
		return inlineForward(forwardBlockAt(lines, at, true)), at
	}
	if isFwdSubject {
		for _, m := range c.messages {
			mh := readHeaderBlock(m.Content)
			s, ok := firstSender(mh, "From", "Sender")
			if !ok {
				continue
			}
			return &Forward{OriginalFrom: s, Subject: decodeHeader(mh.Get("Subject")), Attached: true, Text: innerText(m.Content)}, -1
		}
	}
	return nil, -1
}

// innerText is the new text of an attached message: its text/plain body (or
// its HTML's text) without quoted history. Attachments of the attached
// message are not looked at.
func innerText(raw []byte) string {
	root, _, err := readParts(raw)
	if err != nil {
		return ""
	}
	c := &collector{}
	c.walk(root, walkCtx{}, 0)
	text := strings.Join(nonEmpty(c.texts), "\n\n")
	if text == "" && len(c.htmls) > 0 {
		text = htmlToText(strings.Join(c.htmls, "\n"))
	}
	if strings.TrimSpace(text) == "" {
		return ""
	}
	return StripQuoted(text)
}

func inlineForward(block []string) *Forward {
	from, subject := forwardHeaders(block)
	f := &Forward{Subject: strings.TrimSpace(subject)}
	if from != "" {
		f.OriginalFrom = looseSender(from)
	}
	return f
}

// keepAttachments applies the per-attachment size limit and the count limit,
// in document order: a dropped attachment is listed, the mail is kept.
func keepAttachments(leaves []leaf, opts Options) ([]Attachment, []Rejected) {
	var kept []Attachment
	var rejected []Rejected
	for _, l := range leaves {
		p := l.part
		ct := strings.ToLower(p.ContentType)
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := attachmentName(p, ct)
		size := int64(len(p.Content))
		switch {
		case size > opts.MaxAttachmentBytes:
			rejected = append(rejected, Rejected{Name: name, Reason: RejectTooLarge, Size: size})
		case len(kept) >= opts.MaxAttachments:
			rejected = append(rejected, Rejected{Name: name, Reason: RejectTooMany, Size: size})
		default:
			kept = append(kept, Attachment{
				Name: name, ContentType: ct, Size: size,
				ContentID: validUTF8(p.ContentID), Inline: l.inline, Data: p.Content, Note: partNote(p),
			})
		}
	}
	return kept, rejected
}

// left returns the lines scanQuoted did not keep (keep is a subsequence of
// lines): the quoted history and signature, in order.
func left(lines, keep []string) []string {
	var out []string
	k := 0
	for _, l := range lines {
		if k < len(keep) && l == keep[k] {
			k++
			continue
		}
		out = append(out, l)
	}
	return out
}
