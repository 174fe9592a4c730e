// Package mail builds the raw MIME of the mail Stackdesk sends: an agent's
// reply to a customer (Build) and an agent notification (BuildNotification).
// It is pure: no I/O, no clock, no randomness; the caller passes the date and
// the ids, so the same input always gives the same bytes (the MIME boundaries
// are derived from the Message-ID).
//
// The output is ready for SES SendRawEmail / SendEmail (Raw): CRLF line
// endings, header lines folded under 78 characters where they can be, bodies
// quoted-printable (text, HTML) or base64 (attachments), so no line exceeds
// 76 characters whatever the input. Non-ASCII display names and subjects are
// RFC 2047 encoded, non-ASCII file names RFC 2231 encoded. Addresses must be
// ASCII (SES does not send SMTPUTF8).
//
// Loop protection: every message carries X-Stackdesk-Loop: <tenant>, so the
// inbound side recognises its own mail coming back. Replies carry
// X-Stackdesk-Ticket and no Auto-Submitted (a human wrote them, and the
// customer's auto-responder may answer them). Notifications carry
// Auto-Submitted: auto-generated (RFC 3834) and X-Auto-Response-Suppress: All
// (Exchange), and no Reply-To token.
package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"mime"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Headers Stackdesk sets on every message it sends.
const (
	HeaderLoop   = "X-Stackdesk-Loop"   // the tenant; mail carrying it is our own
	HeaderTicket = "X-Stackdesk-Ticket" // the ticket a reply belongs to
)

// Limits on what Build accepts or keeps.
const (
	// KeepLastReferences: a long References list keeps its first id and this
	// many of the last (RFC 5322 §3.6.4 allows trimming; the root and the
	// recent ancestors are what clients thread on).
	KeepLastReferences = 20
	maxMessageID       = 250 // bytes inside the angle brackets
	maxName            = 200 // display names are truncated to this many bytes
	maxFileName        = 255
	maxContentType     = 255
	maxSubject         = 900
	maxHeaderToken     = 128 // tenant and ticket id
)

// Address is net/mail's Address, so callers need not import both packages.
type Address = netmail.Address

// FromMode is how the From display name is made (the channel's setting).
type FromMode string

// From modes. The zero value is FromCompanyOnly.
const (
	FromAgentAndCompany FromMode = "agent_and_company" // "Alice Martin at Acme Support" <support@acme.example>
	FromCompanyOnly     FromMode = "company_only"      // "Acme Support" <support@acme.example>
)

// Attachment is a file sent with a reply.
type Attachment struct {
	Name        string // file name; path components are dropped
	ContentType string // media type, parameters allowed; default application/octet-stream
	Data        []byte
}

// Reply is an agent's reply to a customer.
type Reply struct {
	Tenant        string   // X-Stackdesk-Loop value
	TeamAddress   string   // support@acme.example: the From address
	CompanyName   string   // "Acme Support"
	FromMode      FromMode // zero value: company only
	AgentFullName string   // "Alice Martin"; first/last name split on the first space
	// Signature is appended to both bodies after a blank line. Tokens
	// {{full_name}}, {{first_name}} and {{last_name}} are replaced with the
	// agent's names; other text, unknown tokens included, is kept as is.
	Signature string
	ReplyTo   string // signed reply address (replytoken.Address); shown with CompanyName
	To, Cc    []Address
	// Subject gets "Re: " unless it already starts with a reply prefix (Re:,
	// RE:, Aw:, Réf:, Ref:, Antw:, Sv:), and " [#<TicketID>]" unless it
	// already contains that reference.
	Subject  string
	TicketID string
	// MessageID is this reply's Message-ID (NewMessageID); it must contain "@".
	MessageID string
	// InReplyTo is the Message-ID of the message answered; optional.
	InReplyTo string
	// References are the thread's Message-IDs, oldest first. InReplyTo is
	// moved (or appended) to the end, duplicates and malformed ids are
	// dropped, and a list longer than 1+KeepLastReferences keeps its first id
	// and its last KeepLastReferences. Ids may be given with or without <>.
	References  []string
	Text        string // required
	HTML        string // optional; without it the reply is text/plain only
	Attachments []Attachment
	Date        time.Time // required; written in its own location
}

// Notification is an automatic email to an agent (new assignment, new
// unassigned ticket): plain text, From the company, no reply token.
type Notification struct {
	To          Address
	Subject     string
	Text        string
	TeamAddress string
	CompanyName string
	MessageID   string
	Date        time.Time
	Tenant      string
	// ListUnsubscribe, when set, is the URL that unsubscribes the recipient
	// (a customer notification): List-Unsubscribe (RFC 2369) with one-click
	// List-Unsubscribe-Post (RFC 8058).
	ListUnsubscribe string
}

// NewMessageID returns "<id@domain>", e.g. NewMessageID("acme.example",
// uuid.NewString()). The domain should be the team address's domain.
func NewMessageID(domain, id string) string {
	return "<" + id + "@" + domain + ">"
}

func invalid(reason, format string, args ...any) error {
	return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
}

// Build returns the raw MIME of r, or an invalid error naming what is wrong.
func Build(r Reply) ([]byte, error) {
	from, err := bareAddress("team address", "team_address_invalid", r.TeamAddress)
	if err != nil {
		return nil, err
	}
	if err := checkToken("tenant", "tenant_invalid", r.Tenant); err != nil {
		return nil, err
	}
	if err := checkToken("ticket id", "ticket_id_invalid", r.TicketID); err != nil {
		return nil, err
	}
	fromName, err := displayName(r)
	if err != nil {
		return nil, err
	}
	replyTo, err := bareAddress("reply-to address", "reply_to_invalid", r.ReplyTo)
	if err != nil {
		return nil, err
	}
	if len(r.To)+len(r.Cc) == 0 {
		return nil, invalid("recipient_required", "a reply needs at least one To or Cc recipient")
	}
	to, err := addressList("To", r.To)
	if err != nil {
		return nil, err
	}
	cc, err := addressList("Cc", r.Cc)
	if err != nil {
		return nil, err
	}
	msgID, err := ourMessageID(r.MessageID)
	if err != nil {
		return nil, err
	}
	inReplyTo := ""
	if strings.TrimSpace(r.InReplyTo) != "" {
		var ok bool
		if inReplyTo, ok = normalizeID(r.InReplyTo); !ok {
			return nil, invalid("in_reply_to_invalid", "In-Reply-To %q is not a Message-ID", r.InReplyTo)
		}
	}
	if r.Date.IsZero() {
		return nil, invalid("date_required", "date is required")
	}
	if strings.TrimSpace(r.Text) == "" {
		return nil, invalid("text_required", "a reply needs a text body")
	}
	if len(r.Subject) > maxSubject {
		return nil, invalid("subject_too_long", "subject is over %d bytes", maxSubject)
	}
	atts, err := attachmentParts(r.Attachments)
	if err != nil {
		return nil, err
	}

	sig := fillSignature(r.Signature, r.AgentFullName)
	text := withTextSignature(r.Text, sig)
	htmlBody := ""
	if r.HTML != "" {
		htmlBody = withHTMLSignature(r.HTML, sig)
	}

	w := newWriter(len(text)*2 + len(htmlBody)*2 + attachmentsSize(r.Attachments) + 2048)
	w.header("From", formatAddress(fromName, from))
	w.header("Reply-To", formatAddress(cleanName(r.CompanyName), replyTo))
	if to != "" {
		w.header("To", to)
	}
	if cc != "" {
		w.header("Cc", cc)
	}
	w.header("Subject", encodeText(replySubject(r.Subject, r.TicketID)))
	w.header("Date", r.Date.Format(time.RFC1123Z))
	w.header("Message-ID", msgID)
	if inReplyTo != "" {
		w.header("In-Reply-To", inReplyTo)
	}
	if refs := references(r.References, inReplyTo); len(refs) > 0 {
		w.header("References", strings.Join(refs, " "))
	}
	w.header("MIME-Version", "1.0")
	w.header(HeaderLoop, r.Tenant)
	w.header(HeaderTicket, r.TicketID)
	w.body(msgID, text, htmlBody, atts)
	return w.b, nil
}

// BuildNotification returns the raw MIME of n.
func BuildNotification(n Notification) ([]byte, error) {
	from, err := bareAddress("team address", "team_address_invalid", n.TeamAddress)
	if err != nil {
		return nil, err
	}
	if err := checkToken("tenant", "tenant_invalid", n.Tenant); err != nil {
		return nil, err
	}
	to, err := addressList("To", []Address{n.To})
	if err != nil {
		return nil, err
	}
	msgID, err := ourMessageID(n.MessageID)
	if err != nil {
		return nil, err
	}
	if n.Date.IsZero() {
		return nil, invalid("date_required", "date is required")
	}
	subject := cleanLine(n.Subject)
	if subject == "" {
		return nil, invalid("subject_required", "a notification needs a subject")
	}
	if len(subject) > maxSubject {
		return nil, invalid("subject_too_long", "subject is over %d bytes", maxSubject)
	}
	if strings.TrimSpace(n.Text) == "" {
		return nil, invalid("text_required", "a notification needs a text body")
	}
	w := newWriter(len(n.Text)*2 + 1024)
	w.header("From", formatAddress(cleanName(n.CompanyName), from))
	w.header("To", to)
	w.header("Subject", encodeText(subject))
	w.header("Date", n.Date.Format(time.RFC1123Z))
	w.header("Message-ID", msgID)
	w.header("MIME-Version", "1.0")
	w.header("Auto-Submitted", "auto-generated")
	w.header("X-Auto-Response-Suppress", "All")
	w.header(HeaderLoop, n.Tenant)
	if u := n.ListUnsubscribe; u != "" {
		if strings.ContainsAny(u, "\r\n<> ") || !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return nil, invalid("unsubscribe_url_invalid", "the unsubscribe URL must be one http(s) URL")
		}
		w.header("List-Unsubscribe", "<"+u+">")
		w.header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	w.body(msgID, normalizeNewlines(n.Text), "", nil)
	return w.b, nil
}

// displayName is the From display name for r's mode.
func displayName(r Reply) (string, error) {
	company := cleanName(r.CompanyName)
	switch r.FromMode {
	case "", FromCompanyOnly:
		return company, nil
	case FromAgentAndCompany:
		agent := cleanName(r.AgentFullName)
		switch {
		case agent == "":
			return company, nil
		case company == "":
			return agent, nil
		}
		return helpdesk.TruncateBytes(agent+" at "+company, maxName, ""), nil
	}
	return "", invalid("from_mode_invalid", "unknown From mode %q (want %q or %q)", r.FromMode, FromAgentAndCompany, FromCompanyOnly)
}

func formatAddress(name, addr string) string {
	a := Address{Name: name, Address: addr}
	return a.String()
}

// bareAddress checks that s is a plain ASCII addr-spec (no display name).
func bareAddress(what, reason, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid(reason, "%s is required", what)
	}
	if a, err := netmail.ParseAddress(s); err != nil || a.Name != "" || a.Address != s || !isPrintableASCII(s) {
		return "", invalid(reason, "%s %q is not a plain ASCII email address", what, s)
	}
	return s, nil
}

// addressList validates addrs and formats them for a To or Cc header.
func addressList(field string, addrs []Address) (string, error) {
	parts := make([]string, 0, len(addrs))
	for _, a := range addrs {
		addr, err := bareAddress(field+" address", "recipient_invalid", a.Address)
		if err != nil {
			return "", err
		}
		parts = append(parts, formatAddress(cleanName(a.Name), addr))
	}
	return strings.Join(parts, ", "), nil
}

// checkToken checks a header value that must be one printable ASCII word.
func checkToken(what, reason, s string) error {
	if s == "" || len(s) > maxHeaderToken || !isPrintableASCII(s) || strings.ContainsAny(s, "[]") {
		return invalid(reason, "%s %q must be 1 to %d printable ASCII characters without spaces or brackets", what, s, maxHeaderToken)
	}
	return nil
}

func ourMessageID(s string) (string, error) {
	id, ok := normalizeID(s)
	if at := strings.IndexByte(id, '@'); !ok || at <= 1 || at >= len(id)-2 {
		return "", invalid("message_id_invalid", "Message-ID %q must look like <id@domain> (see NewMessageID)", s)
	}
	return id, nil
}

// normalizeID returns a Message-ID as "<...>": printable ASCII, no spaces or
// angle brackets inside, at most maxMessageID bytes.
func normalizeID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if s == "" || len(s) > maxMessageID || !isPrintableASCII(s) || strings.ContainsAny(s, "<>") {
		return "", false
	}
	return "<" + s + ">", true
}

// references is the References list of a reply (see Reply.References).
func references(ids []string, inReplyTo string) []string {
	out := make([]string, 0, len(ids)+1)
	seen := make(map[string]bool, len(ids)+1)
	if inReplyTo != "" {
		seen[inReplyTo] = true // placed last below
	}
	for _, s := range ids {
		if id, ok := normalizeID(s); ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if inReplyTo != "" {
		out = append(out, inReplyTo)
	}
	if len(out) > 1+KeepLastReferences {
		out = append(out[:1], out[len(out)-KeepLastReferences:]...)
	}
	return out
}

// replyPrefixes are the reply markers (lower case, before the colon) that
// stop Build adding another "Re: ".
var replyPrefixes = []string{"re", "aw", "réf", "ref", "antw", "sv"}

// replySubject adds "Re: " and the "[#id]" reference where missing.
func replySubject(subject, ticketID string) string {
	s := cleanLine(subject)
	if !hasReplyPrefix(s) {
		s = strings.TrimSpace("Re: " + s)
	}
	if ref := "[#" + ticketID + "]"; !strings.Contains(s, ref) {
		s += " " + ref
	}
	return s
}

func hasReplyPrefix(s string) bool {
	lower := strings.ToLower(s)
	for _, p := range replyPrefixes {
		if !strings.HasPrefix(lower, p) {
			continue
		}
		rest := strings.TrimLeft(lower[len(p):], ". \u00a0") // "Réf. :", "RE :" (French spacing)
		if strings.HasPrefix(rest, ":") {
			return true
		}
	}
	return false
}

// fillSignature replaces the name tokens of a signature template.
func fillSignature(tpl, fullName string) string {
	if tpl == "" {
		return ""
	}
	full := cleanName(fullName)
	first, last, _ := strings.Cut(full, " ")
	return strings.NewReplacer(
		"{{full_name}}", full,
		"{{first_name}}", first,
		"{{last_name}}", last,
	).Replace(tpl)
}

func withTextSignature(text, sig string) string {
	text = strings.TrimRight(normalizeNewlines(text), "\n")
	if sig = strings.Trim(normalizeNewlines(sig), "\n"); sig != "" {
		text += "\n\n" + sig
	}
	return text + "\n"
}

// withHTMLSignature appends the escaped signature in a div, before </body>
// when the HTML has one.
func withHTMLSignature(body, sig string) string {
	sig = strings.Trim(normalizeNewlines(sig), "\n")
	if sig == "" {
		return body
	}
	block := "\n<div class=\"stackdesk-signature\"><br>" +
		strings.ReplaceAll(html.EscapeString(sig), "\n", "<br>\n") + "</div>\n"
	if i := strings.LastIndex(strings.ToLower(body), "</body>"); i >= 0 {
		return body[:i] + block + body[i:]
	}
	return body + block
}

// attachmentPart is an attachment with validated headers.
type attachmentPart struct {
	contentType, disposition string
	data                     []byte
}

func attachmentParts(atts []Attachment) ([]attachmentPart, error) {
	out := make([]attachmentPart, 0, len(atts))
	for i, a := range atts {
		name := a.Name
		if j := strings.LastIndexAny(name, `/\`); j >= 0 {
			name = name[j+1:]
		}
		name = cleanLine(name)
		if name == "" {
			name = "attachment"
		}
		if len(name) > maxFileName {
			return nil, invalid("attachment_name_too_long", "attachment %d: name is over %d bytes", i+1, maxFileName)
		}
		ct := strings.TrimSpace(a.ContentType)
		if ct == "" {
			ct = "application/octet-stream"
		}
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || len(ct) > maxContentType || !strings.Contains(mt, "/") || strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
			return nil, invalid("attachment_type_invalid", "attachment %d (%s): content type %q is not a single-part media type", i+1, name, a.ContentType)
		}
		params["name"] = name
		out = append(out, attachmentPart{
			contentType: mime.FormatMediaType(mt, params),
			disposition: mime.FormatMediaType("attachment", map[string]string{"filename": name}),
			data:        a.Data,
		})
	}
	return out, nil
}

func attachmentsSize(atts []Attachment) int {
	n := 0
	for _, a := range atts {
		n += len(a.Data)*4/3 + len(a.Data)/38 + 256 // base64 + CRLFs + headers
	}
	return n
}

// encodeText returns s (one clean line) as header text: as is when it is
// ASCII, else as RFC 2047 encoded words (Q for mostly Latin text, B
// otherwise).
func encodeText(s string) string {
	plain := true
	for i := 0; plain && i < len(s); i++ {
		plain = ' ' <= s[i] && s[i] <= '~'
	}
	if plain {
		return s
	}
	nonASCII := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			nonASCII++
		}
	}
	if nonASCII*3 > len(s) {
		return mime.BEncoding.Encode("utf-8", s)
	}
	return mime.QEncoding.Encode("utf-8", s)
}

// cleanLine makes one header-safe line: invalid UTF-8 replaced, control
// characters and runs of white space turned into single spaces.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func cleanName(s string) string { return helpdesk.TruncateBytes(cleanLine(s), maxName, "") }

func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// isPrintableASCII: non-empty, every byte in '!'..'~'.
func isPrintableASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// boundary derives a part boundary from the Message-ID. It starts with "=_",
// which neither quoted-printable nor base64 output can contain, so it can
// never collide with content.
func boundary(msgID, kind string) string {
	sum := sha256.Sum256([]byte(msgID))
	return "=_" + kind + "_" + hex.EncodeToString(sum[:8])
}
