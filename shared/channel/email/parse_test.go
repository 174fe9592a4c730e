package email

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// msg builds a small mail from header lines and a body.
func msg(headers []string, body string) []byte {
	return []byte(strings.Join(headers, "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

var baseHeaders = []string{
	"From: Jane Doe <jane@example.com>",
	"To: support@acme.example",
	"Subject: Help",
	"Date: Mon, 4 Mar 2024 10:00:00 +0100",
	"Message-ID: <m1@example.com>",
}

func with(extra ...string) []string {
	return append(append([]string{}, baseHeaders...), extra...)
}

func TestParseRejectsTooLargeAndEmpty(t *testing.T) {
	big := bytes.Repeat([]byte("a"), MaxRawBytes+1)
	if _, err := Parse(big, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: err = %v, want ErrTooLarge", err)
	}
	for _, in := range []string{"", " \r\n\t"} {
		if _, err := Parse([]byte(in), Options{}); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q): err = %v, want ErrMalformed", in, err)
		}
	}
}

func TestClassification(t *testing.T) {
	cases := []struct {
		name    string
		headers []string
		tenant  string
		kind    Kind
		reason  string
	}{
		{"plain", with(), "acme", KindNormal, ""},
		{"auto-submitted no", with("Auto-Submitted: no"), "acme", KindNormal, ""},
		{"auto-submitted with parameters", with("Auto-Submitted: Auto-Replied; owner-email=jane@example.com"), "acme", KindAutoReply, "auto-submitted: auto-replied"},
		{"x-auto-response-suppress without OOF tokens", with("X-Auto-Response-Suppress: DR, RN, NRN"), "acme", KindNormal, ""},
		{"x-auto-response-suppress autoreply", with("X-Auto-Response-Suppress: AutoReply"), "acme", KindAutoReply, "x-auto-response-suppress: AutoReply"},
		{"x-autoreply no", with("X-Autoreply: no"), "acme", KindNormal, ""},
		{"precedence junk", with("Precedence: junk"), "acme", KindBulk, "precedence: junk"},
		{"precedence list with list-id", with("Precedence: list", "List-Id: <devs.example.org>"), "acme", KindBulk, "precedence: list"},
		{"list-unsubscribe alone", with("List-Unsubscribe: <https://x.example/u>"), "acme", KindBulk, "list-unsubscribe"},
		{"list-id alone", with("List-Id: <devs.example.org>"), "acme", KindNormal, ""},
		{"loop beats everything", with("X-Stackdesk-Loop: ACME", "Auto-Submitted: auto-generated", "Precedence: bulk"), "acme", KindLoop, "loop header"},
		{"any loop header without a tenant", with("X-Stackdesk-Loop: globex"), "", KindLoop, "loop header"},
		{"another tenant's loop header", with("X-Stackdesk-Loop: globex"), "acme", KindNormal, ""},
		// A null Return-Path or a daemon sender alone is no bounce (spam
		// carries them): see TestClassicBounceNeedsSignsTogether.
		{"null return-path alone", with("Return-Path: <>", "Auto-Submitted: auto-replied"), "acme", KindAutoReply, "auto-submitted: auto-replied"},
		{"return-path with spaces alone", with("Return-Path: < >"), "acme", KindNormal, ""},
		{"postmaster sender alone", []string{"From: postmaster@example.net", "Subject: x"}, "acme", KindNormal, ""},
		{"dsn structure beats auto-reply", with("Content-Type: multipart/report; report-type=delivery-status; boundary=b", "Auto-Submitted: auto-replied"), "acme", KindBounce, "multipart/report delivery-status"},
		{"auto-reply beats bulk", with("Auto-Submitted: auto-generated", "Precedence: bulk"), "acme", KindAutoReply, "auto-submitted: auto-generated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(msg(tc.headers, "Hello"), Options{Tenant: tc.tenant})
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != tc.kind || p.KindReason != tc.reason {
				t.Errorf("kind = %s (%q), want %s (%q)", p.Kind, p.KindReason, tc.kind, tc.reason)
			}
		})
	}
}

// TestNoSenderIsNotAnError: a mail without any address is kept, with an
// empty From.Email (the caller files it under an "unknown sender" contact).
func TestNoSenderIsNotAnError(t *testing.T) {
	if p, err := Parse(msg([]string{"Subject: hi"}, "x"), Options{}); err != nil || p.From.Email != "" || p.Kind != KindNormal {
		t.Errorf("no sender: %+v, %v; want a normal mail with an empty From.Email", p, err)
	}
	p, err := Parse(msg([]string{"Subject: hi", "Auto-Submitted: auto-replied"}, "x"), Options{})
	if err != nil || p.Kind != KindAutoReply {
		t.Errorf("auto-reply without sender: %v, %v", p, err)
	}
	p, err = Parse(msg([]string{"Sender: Relay <relay@example.com>", "Subject: hi"}, "x"), Options{})
	if err != nil || p.From.Email != "relay@example.com" {
		t.Errorf("Sender fallback: %+v, %v", p, err)
	}
}

func TestForwardWithoutAddressKeepsForwarder(t *testing.T) {
	body := "Please handle.\n\n-----Original Message-----\nFrom: Ole Nordmann\nSent: Monday\nTo: James\nSubject: Address\n\nShip to Oslo.\n"
	p, err := Parse(msg([]string{"From: James <james@acme.example>", "Subject: FW: Address"}, body), Options{UseOriginalSender: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Forwarded == nil || p.Forwarded.OriginalFrom.Name != "Ole Nordmann" || p.Forwarded.OriginalFrom.Email != "" {
		t.Fatalf("forwarded = %+v", p.Forwarded)
	}
	if p.From.Email != "james@acme.example" {
		t.Errorf("From = %+v, want the forwarder (the original sender has no address)", p.From)
	}
	if !strings.Contains(p.Text, "Ship to Oslo.") {
		t.Errorf("forwarded body missing from Text: %q", p.Text)
	}
}

func TestOutlookBlockIsNotAForwardWithoutForwardSubject(t *testing.T) {
	body := "Thanks.\n\n-----Original Message-----\nFrom: Acme <support@acme.example>\nSent: Monday\n\nold\n"
	p, err := Parse(msg([]string{"From: Jane <jane@example.com>", "Subject: RE: FW: Address"}, body), Options{UseOriginalSender: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Forwarded != nil || p.Text != "Thanks." || p.From.Email != "jane@example.com" {
		t.Errorf("reply taken as forward: forwarded=%+v text=%q from=%+v", p.Forwarded, p.Text, p.From)
	}
}

func TestAttachedMailWithoutForwardSubjectIsNoForward(t *testing.T) {
	raw := msg([]string{
		"From: Jane <jane@example.com>", "Subject: Phishing mail I received",
		"MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="b"`,
	}, "--b\nContent-Type: text/plain\n\nSee the attached mail.\n--b\nContent-Type: message/rfc822\n\nFrom: Bank <noreply@bank.example>\nSubject: Verify\n\nclick\n--b--\n")
	p, err := Parse(raw, Options{UseOriginalSender: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Forwarded != nil || p.From.Email != "jane@example.com" {
		t.Errorf("forwarded = %+v, from = %+v", p.Forwarded, p.From)
	}
	if len(p.Attachments) != 1 || p.Attachments[0].Name != "Verify.eml" {
		t.Errorf("attachments = %+v", p.Attachments)
	}
}

func TestAttachmentNames(t *testing.T) {
	long := strings.Repeat("é", 150) + ".pdf"
	raw := msg(with("MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="b"`),
		"--b\nContent-Type: text/plain\n\nx\n"+
			"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\""+long+"\"\n\n%PDF\n"+
			"--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\me\\\\evil.exe\"\n\nMZ\n"+
			"--b\nContent-Type: image/png\n\nPNG\n--b--\n")
	p, err := Parse(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attachments) != 3 {
		t.Fatalf("attachments = %+v", p.Attachments)
	}
	if n := p.Attachments[0].Name; len(n) > 200 || !strings.HasSuffix(n, ".pdf") || !strings.HasPrefix(n, "éé") {
		t.Errorf("long name = %q (%d bytes)", n, len(n))
	}
	if n := p.Attachments[1].Name; n != "evil.exe" {
		t.Errorf("windows path name = %q, want evil.exe", n)
	}
	if n := p.Attachments[2].Name; n != "part-4.png" {
		t.Errorf("unnamed part = %q, want part-4.png", n)
	}
}

func TestOptionDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.MaxAttachmentBytes != 10<<20 || o.MaxAttachments != 20 {
		t.Errorf("defaults = %+v", o)
	}
	o = Options{MaxAttachmentBytes: -1, MaxAttachments: -5}.withDefaults()
	if o.MaxAttachmentBytes != 10<<20 || o.MaxAttachments != 20 {
		t.Errorf("negative values not defaulted: %+v", o)
	}
}

func TestHeaderParsing(t *testing.T) {
	raw := msg([]string{
		`From: "=?utf-8?Q?Jos=C3=A9?=" <JOSE@Example.COM>`,
		"To: a@example.com, b@example.com, A@example.com",
		"Message-ID: <x@y>",
		"In-Reply-To: <a@b> (comment) <c@d>",
		"References: <1@x>\r\n <2@x>\r\n\t<1@x>",
		"Date: Tue, 5 Mar 2024 08:41:07 +0100 (CET)",
	}, "hi")
	p, err := Parse(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.From.Email != "jose@example.com" || p.From.Name != "José" {
		t.Errorf("from = %+v", p.From)
	}
	if strings.Join(p.To, ",") != "a@example.com,b@example.com" {
		t.Errorf("to = %v", p.To)
	}
	if strings.Join(p.InReplyTo, ",") != "a@b,c@d" || strings.Join(p.References, ",") != "1@x,2@x" {
		t.Errorf("in-reply-to = %v, references = %v", p.InReplyTo, p.References)
	}
	if p.Date.IsZero() || p.Date.UTC().Hour() != 7 {
		t.Errorf("date = %v", p.Date)
	}
}

// nestedMail nests n multipart/mixed parts, closed or left open (truncated).
func nestedMail(n int, closed bool) []byte {
	var b strings.Builder
	b.WriteString("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 1; i < n; i++ {
		b.WriteString("--b" + strconv.Itoa(i-1) + "\r\nContent-Type: multipart/mixed; boundary=\"b" + strconv.Itoa(i) + "\"\r\n\r\n")
	}
	b.WriteString("--b" + strconv.Itoa(n-1) + "\r\nContent-Type: text/plain\r\n\r\nhi\r\n")
	if closed {
		for i := n - 1; i >= 0; i-- {
			b.WriteString("--b" + strconv.Itoa(i) + "--\r\n")
		}
	}
	return []byte(b.String())
}

func TestMimeDepth(t *testing.T) {
	for _, n := range []int{1, 5, 12, 13, 40} {
		for _, closed := range []bool{true, false} {
			raw := nestedMail(n, closed)
			if got := scanDepth(raw); got != min(n, maxNesting+1) {
				t.Errorf("scanDepth(%d levels, closed=%v) = %d", n, closed, got)
			}
			if tooDeep := mimeDepth(raw) > maxNesting; tooDeep != (n > maxNesting) {
				t.Errorf("mimeDepth(%d levels, closed=%v) too deep = %v", n, closed, tooDeep)
			}
		}
	}
	cases := []struct {
		name, raw string
		want      int
	}{
		{"siblings do not add depth; a close line pops its boundary",
			"Content-Type: multipart/mixed; boundary=a\r\n\r\n" +
				"--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n" +
				"--a\r\nContent-Type: multipart/related;\r\n boundary=\"c\"\r\n\r\n--c\r\n\r\ny\r\n--c--\r\n--a--\r\n", 2},
		{"a colon-less continuation line and a space before the colon, as enmime reads them",
			"Content-Type : multipart/mixed;\r\nboundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n", 2},
		{"the same boundary reused at every level",
			"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a\n\nx\n", 3},
		{"content-type lines in a body are not headers",
			"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain\n\nContent-Type: multipart/mixed; boundary=z\n--a--\n", 1},
	}
	for _, tc := range cases {
		if got := scanDepth([]byte(tc.raw)); got != tc.want {
			t.Errorf("%s: depth %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestDeepNestingIsRejectedFast: enmime's time grows exponentially with the
// depth of unterminated nested parts; Parse refuses them before it starts.
// Handed to enmime, 200 levels would run for ages, so a watchdog fails the
// test if Parse has not returned within hangGuard; how fast the refusal is
// is measured by BenchmarkDeepNestingRejected, not asserted here.
func TestDeepNestingIsRejectedFast(t *testing.T) {
	for _, closed := range []bool{true, false} {
		p, err := Parse(nestedMail(maxNesting, closed), Options{})
		if err != nil || p.Text != "hi" {
			t.Errorf("%d levels (closed=%v): %v, %v", maxNesting, closed, p, err)
		}
		raw, guard := nestedMail(200, closed), hangGuard(t)
		done := make(chan error, 1)
		go func() {
			_, err := Parse(raw, Options{})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("200 levels (closed=%v): err = %v, want ErrMalformed", closed, err)
			}
		case <-time.After(guard):
			t.Fatalf("200 levels (closed=%v): Parse did not return within %v", closed, guard)
		}
	}
}

// BenchmarkDeepNestingRejected measures the refusal of a 200-level nesting,
// which must stay cheap: a sender can mail it at will.
func BenchmarkDeepNestingRejected(b *testing.B) {
	for _, closed := range []bool{true, false} {
		raw := nestedMail(200, closed)
		b.Run("closed="+strconv.FormatBool(closed), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Parse(raw, Options{}); !errors.Is(err, ErrMalformed) {
					b.Fatalf("err = %v, want ErrMalformed", err)
				}
			}
		})
	}
}

// hangGuard is how long a call may run before a test calls it hung: a
// minute, far beyond a busy -race runner, or less when go test's -timeout
// would stop the binary first, so the test fails with its own message.
func hangGuard(t *testing.T) time.Duration {
	d := time.Minute
	if deadline, ok := t.Deadline(); ok {
		d = min(d, time.Until(deadline)*9/10)
	}
	return d
}

func TestHTMLOnlyForward(t *testing.T) {
	html := `<div dir="ltr">Can you help?<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">Rosa Alvarez</strong> <span dir="auto">&lt;<a href="mailto:rosa.alvarez@example.mx">rosa.alvarez@example.mx</a>&gt;</span><br>Date: Mon, 25 Mar 2024 at 18:03<br>Subject: Receipts<br>To: Paul &lt;<a href="mailto:paul@acme.example">paul@acme.example</a>&gt;<br></div><br><br><div dir="ltr">Hello Paul, the button does nothing.</div></div></div>`
	raw := msg([]string{"From: Paul <paul@acme.example>", "Subject: Fwd: Receipts", "MIME-Version: 1.0", "Content-Type: text/html; charset=UTF-8"}, html)
	p, err := Parse(raw, Options{UseOriginalSender: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Forwarded == nil || p.From.Email != "rosa.alvarez@example.mx" || p.From.Name != "Rosa Alvarez" {
		t.Fatalf("from = %+v, forwarded = %+v\ntext: %q", p.From, p.Forwarded, p.FullText)
	}
	if !strings.Contains(p.Text, "the button does nothing") {
		t.Errorf("text = %q", p.Text)
	}
}
