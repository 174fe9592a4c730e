package compose

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var update = flag.Bool("update", false, "rewrite testdata/*.eml golden files")

var paris = time.FixedZone("CET", 3600)

// sample is a full reply: non-ASCII names and subject, both bodies, a
// thread, two attachments.
func sample() Reply {
	return Reply{
		Tenant:        "acme-prod",
		TeamAddress:   "support@acme.example",
		CompanyName:   "Acme Support",
		FromMode:      FromAgentAndCompany,
		AgentFullName: "Chloé Dubois",
		Signature:     "Cordialement,\n{{first_name}} {{last_name}} ({{full_name}})\n{{unknown}} & <Acme>",
		ReplyTo:       "support+t1042.k3jq7x2m4r5t6y7a@acme.example",
		To:            []Address{{Name: "Jean Dupont", Address: "jean@client.example"}},
		Cc:            []Address{{Name: "Zoë Martin", Address: "zoe@client.example"}, {Address: "boss@client.example"}},
		Subject:       "Réponse : commande n°42",
		TicketID:      "1042",
		MessageID:     NewMessageID("acme.example", "5b0e7a52-2f0c-4d8e-9a43-0c7f3b1d2e11"),
		InReplyTo:     "<cust-2@client.example>",
		References:    []string{"<cust-1@client.example>", "ours-1@acme.example"},
		Text:          "Bonjour Jean,\n\nVotre commande est partie.\n",
		HTML:          "<html><body><p>Bonjour Jean,</p><p>Votre commande est partie.</p></body></html>",
		Attachments: []Attachment{
			{Name: "facture n°42.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 fake")},
			{Name: `C:\tmp\notes.txt`, ContentType: "text/plain; charset=iso-8859-1", Data: []byte("caf\xe9")},
		},
		Date: time.Date(2026, time.November, 21, 14, 5, 9, 0, paris),
	}
}

func build(t *testing.T, r Reply) ([]byte, *enmime.Envelope) {
	t.Helper()
	raw, err := Build(r)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return raw, parse(t, raw)
}

// parse reads raw back with enmime after checking the wire format (see
// checkWireFormat).
func parse(t *testing.T, raw []byte) *enmime.Envelope {
	t.Helper()
	checkWireFormat(t, raw)
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadEnvelope: %v", err)
	}
	for _, e := range env.Errors {
		t.Errorf("enmime: %v", e)
	}
	return env
}

func checkWireFormat(t *testing.T, raw []byte) {
	t.Helper()
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) ||
		bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\r")) {
		t.Fatal("a line ending is not CRLF")
	}
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("message does not end with CRLF")
	}
	if _, _, ok := bytes.Cut(raw, []byte("\r\n\r\n")); !ok {
		t.Fatal("no blank line after the header")
	}
	// Content lines (quoted-printable, base64) are within 76 characters by
	// construction; longer lines must be header lines (of the message or of
	// a part) that could not be folded: one word after the name, or a
	// continuation of one word, as with a long RFC 2231 file name.
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line over 998: %.80q", line)
		}
		if line != "" && strings.TrimSpace(line) == "" {
			t.Errorf("whitespace-only line")
		}
		if words := wordsOutsideQuotes(line); len(line) > 76 {
			continuation := line[0] == ' '
			if continuation && len(words) > 1 || !continuation && (len(words) > 2 || len(words) == 2 && len(words[1]) <= 75) {
				t.Errorf("line of %d chars not folded: %q", len(line), line)
			}
		}
	}
}

// wordsOutsideQuotes splits a header line at spaces outside quoted strings.
func wordsOutsideQuotes(line string) []string {
	var words []string
	inQuote, start := false, 0
	for i := 0; i <= len(line); i++ {
		if i < len(line) && (line[i] != ' ' || inQuote) {
			if line[i] == '"' && (i == 0 || line[i-1] != '\\') {
				inQuote = !inQuote
			}
			continue
		}
		if i > start {
			words = append(words, line[start:i])
		}
		start = i + 1
	}
	return words
}

// rawHeader returns the unfolded raw value of a top-level header.
func rawHeader(t *testing.T, raw []byte, name string) string {
	t.Helper()
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	var vals []string
	for _, f := range strings.Split(strings.ReplaceAll(string(head), "\r\n ", " "), "\r\n") {
		if k, v, ok := strings.Cut(f, ":"); ok && strings.EqualFold(k, name) {
			vals = append(vals, strings.TrimSpace(v))
		}
	}
	if len(vals) > 1 {
		t.Fatalf("%s appears %d times", name, len(vals))
	}
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

func addresses(t *testing.T, env *enmime.Envelope, key string) string {
	t.Helper()
	list, err := env.AddressList(key)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	var s []string
	for _, a := range list {
		s = append(s, fmt.Sprintf("%s <%s>", a.Name, a.Address))
	}
	return strings.Join(s, ", ")
}

func TestBuildReply(t *testing.T) {
	raw, env := build(t, sample())

	headers := []struct{ name, want string }{
		{"Subject", "Re: Réponse : commande n°42 [#1042]"},
		{"Date", "Sat, 21 Nov 2026 14:05:09 +0100"},
		{"Message-ID", "<5b0e7a52-2f0c-4d8e-9a43-0c7f3b1d2e11@acme.example>"},
		{"In-Reply-To", "<cust-2@client.example>"},
		{"References", "<cust-1@client.example> <ours-1@acme.example> <cust-2@client.example>"},
		{"MIME-Version", "1.0"},
		{"X-Stackdesk-Loop", "acme-prod"},
		{"X-Stackdesk-Ticket", "1042"},
		{"Auto-Submitted", ""},
		{"X-Auto-Response-Suppress", ""},
		{"Bcc", ""},
	}
	for _, h := range headers {
		if got := env.GetHeader(h.name); got != h.want {
			t.Errorf("%s = %q, want %q", h.name, got, h.want)
		}
	}
	addrs := []struct{ key, want string }{
		{"From", "Chloé Dubois at Acme Support <support@acme.example>"},
		{"Reply-To", "Acme Support <support+t1042.k3jq7x2m4r5t6y7a@acme.example>"},
		{"To", "Jean Dupont <jean@client.example>"},
		{"Cc", "Zoë Martin <zoe@client.example>,  <boss@client.example>"},
	}
	for _, a := range addrs {
		if got := addresses(t, env, a.key); got != a.want {
			t.Errorf("%s = %q, want %q", a.key, got, a.want)
		}
	}
	// Non-ASCII travels RFC 2047-encoded, never raw.
	if got := rawHeader(t, raw, "Subject"); !strings.HasPrefix(got, "=?utf-8?q?") {
		t.Errorf("raw Subject = %q, want Q-encoded", got)
	}
	if got := rawHeader(t, raw, "From"); !strings.HasPrefix(got, "=?utf-8?q?Chlo=C3=A9_Dubois") {
		t.Errorf("raw From = %q", got)
	}

	wantText := "Bonjour Jean,\n\nVotre commande est partie.\n\nCordialement,\nChloé Dubois (Chloé Dubois)\n{{unknown}} & <Acme>\n"
	if got := lf(env.Text); got != wantText {
		t.Errorf("text =\n%q\nwant\n%q", got, wantText)
	}
	wantHTML := "<html><body><p>Bonjour Jean,</p><p>Votre commande est partie.</p>\n" +
		"<div class=\"stackdesk-signature\"><br>Cordialement,<br>\nChloé Dubois (Chloé Dubois)<br>\n{{unknown}} &amp; &lt;Acme&gt;</div>\n</body></html>"
	if got := lf(env.HTML); got != wantHTML {
		t.Errorf("html =\n%q\nwant\n%q", got, wantHTML)
	}

	root := env.Root
	if root.ContentType != "multipart/mixed" || root.FirstChild == nil || root.FirstChild.ContentType != "multipart/alternative" {
		t.Fatalf("structure: root %s, first child %+v", root.ContentType, root.FirstChild)
	}
	alt := root.FirstChild
	if alt.FirstChild.ContentType != "text/plain" || alt.FirstChild.NextSibling.ContentType != "text/html" {
		t.Errorf("alternative parts: %s, %s", alt.FirstChild.ContentType, alt.FirstChild.NextSibling.ContentType)
	}
	if len(env.Attachments) != 2 {
		t.Fatalf("%d attachments, want 2", len(env.Attachments))
	}
	atts := []struct{ name, ctype, charset, data string }{
		{"facture n°42.pdf", "application/pdf", "", "%PDF-1.4 fake"},
		{"notes.txt", "text/plain", "iso-8859-1", "café"}, // enmime decodes text/* to UTF-8
	}
	for i, want := range atts {
		got := env.Attachments[i]
		if got.FileName != want.name || got.ContentType != want.ctype || got.Disposition != "attachment" ||
			string(got.Content) != want.data || got.Charset != want.charset && want.charset != "" {
			t.Errorf("attachment %d = %q %q %q %q charset %q, want %+v", i, got.FileName, got.ContentType, got.Disposition, got.Content, got.Charset, want)
		}
		if cte := got.Header.Get("Content-Transfer-Encoding"); cte != "base64" {
			t.Errorf("attachment %d transfer encoding %q", i, cte)
		}
	}
}

func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func TestBodyShapes(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Reply)
		wantRoot  string
		wantHTML  bool
		wantAttch int
	}{
		{"text only", func(r *Reply) { r.HTML, r.Attachments = "", nil }, "text/plain", false, 0},
		{"text and html", func(r *Reply) { r.Attachments = nil }, "multipart/alternative", true, 0},
		{"text and attachment", func(r *Reply) { r.HTML = "" }, "multipart/mixed", false, 2},
		{"everything", func(r *Reply) {}, "multipart/mixed", true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample()
			tt.edit(&r)
			_, env := build(t, r)
			if env.Root.ContentType != tt.wantRoot {
				t.Errorf("root = %s, want %s", env.Root.ContentType, tt.wantRoot)
			}
			if (env.HTML != "") != tt.wantHTML || len(env.Attachments) != tt.wantAttch {
				t.Errorf("html %v, %d attachments", env.HTML != "", len(env.Attachments))
			}
			if !strings.Contains(env.Text, "Votre commande est partie.") {
				t.Errorf("text = %q", env.Text)
			}
		})
	}
}

func TestFromModes(t *testing.T) {
	tests := []struct {
		mode           FromMode
		agent, company string
		want           string
	}{
		{FromAgentAndCompany, "Alice Martin", "Acme Support", `"Alice Martin at Acme Support" <support@acme.example>`},
		{FromCompanyOnly, "Alice Martin", "Acme Support", `"Acme Support" <support@acme.example>`},
		{"", "Alice Martin", "Acme Support", `"Acme Support" <support@acme.example>`},
		{FromAgentAndCompany, "", "Acme Support", `"Acme Support" <support@acme.example>`},
		{FromAgentAndCompany, "Alice Martin", "", `"Alice Martin" <support@acme.example>`},
		{FromCompanyOnly, "", "", `<support@acme.example>`},
		{FromAgentAndCompany, " Alice \t Martin\r\n", "Acme  Support", `"Alice Martin at Acme Support" <support@acme.example>`},
		{FromAgentAndCompany, `Al "Ace" Martin`, "Acme", `"Al \"Ace\" Martin at Acme" <support@acme.example>`},
	}
	for _, tt := range tests {
		r := sample()
		r.FromMode, r.AgentFullName, r.CompanyName = tt.mode, tt.agent, tt.company
		raw, _ := build(t, r)
		if got := rawHeader(t, raw, "From"); got != tt.want {
			t.Errorf("%s %q %q: From = %s, want %s", tt.mode, tt.agent, tt.company, got, tt.want)
		}
	}
}

func TestSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Order late", "Re: Order late [#1042]"},
		{"Re: Order late", "Re: Order late [#1042]"},
		{"RE: Order late", "RE: Order late [#1042]"},
		{"re:Order late", "re:Order late [#1042]"},
		{"Aw: Bestellung", "Aw: Bestellung [#1042]"},
		{"AW: Bestellung", "AW: Bestellung [#1042]"},
		{"Réf. : commande", "Réf. : commande [#1042]"},
		{"RÉF : commande", "RÉF : commande [#1042]"},
		{"RE : commande", "RE : commande [#1042]"},
		{"Sv: Beställning", "Sv: Beställning [#1042]"},
		{"Antw: Bestelling", "Antw: Bestelling [#1042]"},
		{"Order late [#1042]", "Re: Order late [#1042]"},
		{"Re: Order late [#1042]", "Re: Order late [#1042]"},
		{"Re: [#1042] Order late", "Re: [#1042] Order late"},
		{"Re: Order late [#104]", "Re: Order late [#104] [#1042]"},
		{"Reply needed", "Re: Reply needed [#1042]"},
		{"Referral", "Re: Referral [#1042]"},
		{"", "Re: [#1042]"},
		{"  Order\r\n\tlate  ", "Re: Order late [#1042]"},
		{"Hi\r\nBcc: victim@example.com", "Re: Hi Bcc: victim@example.com [#1042]"},
		{"Réponse : commande n°42", "Re: Réponse : commande n°42 [#1042]"},
		{"注文について", "Re: 注文について [#1042]"},
		{strings.Repeat("long subject ", 30), "Re: " + strings.TrimSpace(strings.Repeat("long subject ", 30)) + " [#1042]"},
	}
	for _, tt := range tests {
		r := sample()
		r.Subject = tt.in
		raw, env := build(t, r)
		if got := env.GetHeader("Subject"); got != tt.want {
			t.Errorf("Subject(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := rawHeader(t, raw, "Bcc"); got != "" {
			t.Errorf("Subject(%q) injected a Bcc header", tt.in)
		}
	}
}

func TestSignature(t *testing.T) {
	tests := []struct {
		name, agent, sig, wantText, wantHTML string
	}{
		{"all tokens", "Alice Martin", "{{full_name}}|{{first_name}}|{{last_name}}", "Alice Martin|Alice|Martin", "Alice Martin|Alice|Martin"},
		{"one name", "Alice", "{{first_name}}/{{last_name}}", "Alice/", "Alice/"},
		{"three names", "Jean Pierre Dupont", "{{first_name}}/{{last_name}}", "Jean/Pierre Dupont", "Jean/Pierre Dupont"},
		{"unknown and broken tokens", "Alice", "{{title}} {{ full_name }} {full_name}", "{{title}} {{ full_name }} {full_name}", "{{title}} {{ full_name }} {full_name}"},
		{"escaped in html only", `Bob <script>`, "-- \n{{full_name}} & co", "-- \nBob <script> & co", "-- <br>\nBob &lt;script&gt; &amp; co"},
		{"CRLF template", "Alice", "Thanks,\r\n{{first_name}}\r\n", "Thanks,\nAlice", "Thanks,<br>\nAlice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample()
			r.AgentFullName, r.Signature = tt.agent, tt.sig
			r.Text, r.HTML = "Body.\n\n\n", "<p>Body.</p>"
			_, env := build(t, r)
			if got, want := lf(env.Text), "Body.\n\n"+tt.wantText+"\n"; got != want {
				t.Errorf("text = %q, want %q", got, want)
			}
			if got, want := lf(env.HTML), "<p>Body.</p>\n<div class=\"stackdesk-signature\"><br>"+tt.wantHTML+"</div>\n"; got != want {
				t.Errorf("html = %q, want %q", got, want)
			}
		})
	}
	t.Run("no signature", func(t *testing.T) {
		r := sample()
		r.Signature, r.Text, r.HTML = "", "Body.", "<p>Body.</p>"
		_, env := build(t, r)
		if lf(env.Text) != "Body.\n" || env.HTML != "<p>Body.</p>" {
			t.Errorf("text %q html %q", env.Text, env.HTML)
		}
	})
}

func TestReferences(t *testing.T) {
	ids := func(from, to int) []string {
		var s []string
		for i := from; i <= to; i++ {
			s = append(s, fmt.Sprintf("<m%d.a-rather-long-message-id-to-force-folding@mail.client.example>", i))
		}
		return s
	}
	tests := []struct {
		name      string
		refs      []string
		inReplyTo string
		want      []string
	}{
		{"in-reply-to appended", []string{"<a@x>"}, "<b@x>", []string{"<a@x>", "<b@x>"}},
		{"in-reply-to already last", []string{"<a@x>", "<b@x>"}, "<b@x>", []string{"<a@x>", "<b@x>"}},
		{"in-reply-to moved last", []string{"<a@x>", "<b@x>", "<c@x>"}, "<b@x>", []string{"<a@x>", "<c@x>", "<b@x>"}},
		{"no in-reply-to", []string{"<a@x>"}, "", []string{"<a@x>"}},
		{"none at all", nil, "", nil},
		{"only in-reply-to", nil, "b@x", []string{"<b@x>"}},
		{"brackets added, duplicates and garbage dropped", []string{"a@x", " <a@x> ", "", "<>", "has space@x", "<ü@x>", "<c@x>"}, "", []string{"<a@x>", "<c@x>"}},
		{"exactly 21 kept", ids(1, 20), "<m21@x>", append(ids(1, 20), "<m21@x>")},
		{"long list trimmed to first and last 20", ids(1, 100), "<m101@x>", append(append(ids(1, 1), ids(82, 100)...), "<m101@x>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample()
			r.References, r.InReplyTo = tt.refs, tt.inReplyTo
			raw, env := build(t, r) // build checks the folding of every header line
			got := strings.Fields(env.GetHeader("References"))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("References =\n%q\nwant\n%q", got, tt.want)
			}
			if len(tt.want) > 3 && !strings.Contains(string(raw), "\r\n <m") {
				t.Error("long References not folded")
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name, reason string
		edit         func(*Reply)
	}{
		{"missing team address", "team_address_invalid", func(r *Reply) { r.TeamAddress = "" }},
		{"team address with name", "team_address_invalid", func(r *Reply) { r.TeamAddress = "Acme <support@acme.example>" }},
		{"team address garbage", "team_address_invalid", func(r *Reply) { r.TeamAddress = "support" }},
		{"missing tenant", "tenant_invalid", func(r *Reply) { r.Tenant = "" }},
		{"tenant with newline", "tenant_invalid", func(r *Reply) { r.Tenant = "a\r\nBcc: x@y" }},
		{"missing ticket id", "ticket_id_invalid", func(r *Reply) { r.TicketID = "" }},
		{"ticket id with bracket", "ticket_id_invalid", func(r *Reply) { r.TicketID = "1]" }},
		{"unknown from mode", "from_mode_invalid", func(r *Reply) { r.FromMode = "agent_only" }},
		{"missing reply-to", "reply_to_invalid", func(r *Reply) { r.ReplyTo = "" }},
		{"no recipients", "recipient_required", func(r *Reply) { r.To, r.Cc = nil, nil }},
		{"bad To address", "recipient_invalid", func(r *Reply) { r.To = []Address{{Address: "jean at client"}} }},
		{"To address with name inside", "recipient_invalid", func(r *Reply) { r.To = []Address{{Address: "Jean <jean@client.example>"}} }},
		{"empty Cc address", "recipient_invalid", func(r *Reply) { r.Cc = []Address{{Name: "Nobody"}} }},
		{"non-ASCII address", "recipient_invalid", func(r *Reply) { r.To = []Address{{Address: "chloé@client.example"}} }},
		{"missing message id", "message_id_invalid", func(r *Reply) { r.MessageID = "" }},
		{"message id without domain", "message_id_invalid", func(r *Reply) { r.MessageID = "<abc>" }},
		{"bad in-reply-to", "in_reply_to_invalid", func(r *Reply) { r.InReplyTo = "<a b@x>" }},
		{"missing date", "date_required", func(r *Reply) { r.Date = time.Time{} }},
		{"missing text", "text_required", func(r *Reply) { r.Text = " \n" }},
		{"subject too long", "subject_too_long", func(r *Reply) { r.Subject = strings.Repeat("x", 1000) }},
		{"bad attachment type", "attachment_type_invalid", func(r *Reply) { r.Attachments[0].ContentType = "pdf" }},
		{"multipart attachment", "attachment_type_invalid", func(r *Reply) { r.Attachments[0].ContentType = "multipart/mixed" }},
		{"attachment type too long", "attachment_type_invalid", func(r *Reply) { r.Attachments[0].ContentType = "text/plain; x=" + strings.Repeat("y", 250) }},
		{"attachment name too long", "attachment_name_too_long", func(r *Reply) { r.Attachments[0].Name = strings.Repeat("x", 300) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample()
			tt.edit(&r)
			raw, err := Build(r)
			if err == nil {
				t.Fatalf("Build succeeded:\n%s", raw)
			}
			if !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != tt.reason {
				t.Errorf("err = %v, want invalid (%s)", err, tt.reason)
			}
		})
	}
}

func TestLongAndAwkwardBodies(t *testing.T) {
	r := sample()
	oneLineHTML := "<p>" + strings.Repeat("word ", 2000) + "</p>"
	r.HTML = oneLineHTML
	r.Text = "line with trailing space \nold\rmac\r\nwindows\n" + strings.Repeat("x", 5000) + "\n.\nFrom me\n"
	r.Signature = ""
	r.Attachments = []Attachment{{Name: "", Data: bytes.Repeat([]byte{0, 0xff, '\n', '\r'}, 1000)}, {Name: "empty.txt", ContentType: "text/plain"}}
	_, env := build(t, r) // checks every body line is within 76 (+CRLF)
	if env.HTML != oneLineHTML {
		t.Error("one-line HTML did not round-trip")
	}
	if want := "line with trailing space \nold\nmac\nwindows\n" + strings.Repeat("x", 5000) + "\n.\nFrom me\n"; lf(env.Text) != want {
		t.Errorf("text did not round-trip: %.120q", env.Text)
	}
	if len(env.Attachments) != 2 {
		t.Fatalf("%d attachments", len(env.Attachments))
	}
	if a := env.Attachments[0]; a.FileName != "attachment" || a.ContentType != "application/octet-stream" || !bytes.Equal(a.Content, r.Attachments[0].Data) {
		t.Errorf("binary attachment: %q %q %d bytes", a.FileName, a.ContentType, len(a.Content))
	}
	if a := env.Attachments[1]; a.FileName != "empty.txt" || len(a.Content) != 0 {
		t.Errorf("empty attachment: %q %d bytes", a.FileName, len(a.Content))
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := Build(sample())
	b, _ := Build(sample())
	if !bytes.Equal(a, b) {
		t.Error("same reply built twice differs")
	}
	r := sample()
	r.MessageID = NewMessageID("acme.example", "other")
	c, _ := Build(r)
	if boundary(sample().MessageID, "mixed") == boundary(r.MessageID, "mixed") || !bytes.Contains(c, []byte(boundary(r.MessageID, "alt"))) {
		t.Error("boundaries are not derived from the Message-ID")
	}
}

// TestGolden pins the whole wire format of one reply. Regenerate with
// go test ./shared/outbound/mail -run TestGolden -update, and review the diff.
func TestGolden(t *testing.T) {
	for name, build := range map[string]func() ([]byte, error){
		"reply.eml":        func() ([]byte, error) { return Build(sample()) },
		"notification.eml": func() ([]byte, error) { return BuildNotification(sampleNotification()) },
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := build()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("%s differs from the golden file; got:\n%s", name, raw)
			}
		})
	}
}

func sampleNotification() Notification {
	return Notification{
		To:          Address{Name: "Chloé Dubois", Address: "chloe@acme.example"},
		Subject:     "Ticket n°1042 vous est attribué",
		Text:        "Ticket #1042 « Réponse : commande n°42 » vous est attribué.\nhttps://acme.stackdesk.example/tickets/1042\n",
		TeamAddress: "support@acme.example",
		CompanyName: "Acme Support",
		MessageID:   NewMessageID("acme.example", "notif-7f3c"),
		Date:        time.Date(2026, time.November, 21, 13, 5, 9, 0, time.UTC),
		Tenant:      "acme-prod",
	}
}

func TestBuildNotification(t *testing.T) {
	raw, err := BuildNotification(sampleNotification())
	if err != nil {
		t.Fatal(err)
	}
	env := parse(t, raw)
	headers := []struct{ name, want string }{
		{"Subject", "Ticket n°1042 vous est attribué"},
		{"Date", "Sat, 21 Nov 2026 13:05:09 +0000"},
		{"Message-ID", "<notif-7f3c@acme.example>"},
		{"MIME-Version", "1.0"},
		{"Auto-Submitted", "auto-generated"},
		{"X-Auto-Response-Suppress", "All"},
		{"X-Stackdesk-Loop", "acme-prod"},
		{"X-Stackdesk-Ticket", ""},
		{"Reply-To", ""},
		{"In-Reply-To", ""},
		{"References", ""},
	}
	for _, h := range headers {
		if got := env.GetHeader(h.name); got != h.want {
			t.Errorf("%s = %q, want %q", h.name, got, h.want)
		}
	}
	if got := addresses(t, env, "From"); got != "Acme Support <support@acme.example>" {
		t.Errorf("From = %q", got)
	}
	if got := addresses(t, env, "To"); got != "Chloé Dubois <chloe@acme.example>" {
		t.Errorf("To = %q", got)
	}
	if env.Root.ContentType != "text/plain" || env.HTML != "" || len(env.Attachments) != 0 {
		t.Errorf("structure: %s, html %q, %d attachments", env.Root.ContentType, env.HTML, len(env.Attachments))
	}
	if got := lf(env.Text); got != sampleNotification().Text {
		t.Errorf("text = %q", got)
	}
}

func TestBuildNotificationErrors(t *testing.T) {
	tests := []struct {
		name, reason string
		edit         func(*Notification)
	}{
		{"missing team address", "team_address_invalid", func(n *Notification) { n.TeamAddress = "" }},
		{"missing tenant", "tenant_invalid", func(n *Notification) { n.Tenant = "" }},
		{"missing recipient", "recipient_invalid", func(n *Notification) { n.To = Address{} }},
		{"bad recipient", "recipient_invalid", func(n *Notification) { n.To.Address = "chloe" }},
		{"bad message id", "message_id_invalid", func(n *Notification) { n.MessageID = "x" }},
		{"missing date", "date_required", func(n *Notification) { n.Date = time.Time{} }},
		{"missing subject", "subject_required", func(n *Notification) { n.Subject = "\r\n" }},
		{"missing text", "text_required", func(n *Notification) { n.Text = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := sampleNotification()
			tt.edit(&n)
			_, err := BuildNotification(n)
			if !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != tt.reason {
				t.Errorf("err = %v, want invalid (%s)", err, tt.reason)
			}
		})
	}
}

func TestNewMessageID(t *testing.T) {
	if got := NewMessageID("acme.example", "5b0e7a52"); got != "<5b0e7a52@acme.example>" {
		t.Errorf("NewMessageID = %q", got)
	}
}

// BenchmarkBuild builds the sample reply (text, HTML, 2 small attachments,
// a 3-id thread) and a typical text+HTML reply of ~4 KB in a 30-message thread.
func BenchmarkBuild(b *testing.B) {
	typical := sample()
	typical.Attachments = nil
	typical.Text = strings.Repeat("Bonjour, votre commande n°42 est partie hier soir. ", 80)
	typical.HTML = "<p>" + typical.Text + "</p>"
	for i := range 30 {
		typical.References = append(typical.References, fmt.Sprintf("<m%d@client.example>", i))
	}
	for _, bc := range []struct {
		name string
		r    Reply
	}{{"sample", sample()}, {"4KB_30refs", typical}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				raw, err := Build(bc.r)
				if err != nil {
					b.Fatal(err)
				}
				n = len(raw)
			}
			b.ReportMetric(float64(n), "bytes/msg")
		})
	}
}
