package localrun_test

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// rawMail is a small multipart mail with an attachment, CRLF line endings.
func rawMail(msgID, subject string, extra ...string) string {
	h := []string{
		"From: Ann Lee <ann@example.com>",
		"To: support@acme.example",
		"Subject: " + subject,
		"Message-ID: <" + msgID + ">",
		"Date: Sat, 21 Nov 2026 09:00:00 +0100",
		"MIME-Version: 1.0",
	}
	h = append(h, extra...)
	h = append(h, `Content-Type: multipart/mixed; boundary="b1"`)
	body := []string{
		"", "--b1", "Content-Type: text/plain; charset=utf-8", "",
		"My order 1042 has not arrived.", "", "On Fri, Nov 20, 2026 at 9:00 AM Acme <support@acme.example> wrote:", "> Thanks for your order",
		"--b1", `Content-Type: application/pdf; name="invoice.pdf"`, `Content-Disposition: attachment; filename="invoice.pdf"`,
		"Content-Transfer-Encoding: base64", "", "JVBERi0xLjQKJcOkw7zDtsOf", "--b1--", "",
	}
	return strings.Join(append(h, body...), "\r\n")
}

func TestMailOverSMTPBecomesATicket(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.r.ServeSMTP(ln)
	defer srv.Close()
	send := func(to []string, raw string) {
		t.Helper()
		if err := smtp.SendMail(ln.Addr().String(), nil, "ann@example.com", to, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	team := []string{s.demo.EmailAddress}
	send(team, rawMail("m1@example.com", "Where is my order?"))
	s.drain(t)
	ts := s.tickets(t)
	if len(ts) != 1 {
		t.Fatalf("%d tickets after the first mail, want 1", len(ts))
	}
	conv, err := s.r.Store.GetTicket(ctx, ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	m := conv.Messages[0]
	if conv.Ticket.Subject != "Where is my order?" || m.Text != "My order 1042 has not arrived." || len(m.Attachments) != 1 ||
		m.Attachments[0].Name != "invoice.pdf" || m.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("ticket %+v, message %+v", conv.Ticket, m)
	}
	bucket := s.r.Stack.Buckets["MailBucket"]
	if _, err := s.r.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &m.Attachments[0].Key}); err != nil {
		t.Fatalf("attachment not in the bucket: %v", err)
	}
	c, err := s.r.Store.GetContact(ctx, conv.Ticket.ContactID)
	if err != nil || c.Email != "ann@example.com" || c.Name != "Ann Lee" {
		t.Fatalf("contact %+v %v", c, err)
	}

	// A reply joins; the same mail delivered again to another team address
	// (another channel) is still one message;
	// auto-replies and our own mail looping back never become tickets; a FAIL
	// verdict goes to the spam view.
	send(team, rawMail("m2@example.com", "Re: Where is my order?", "In-Reply-To: <m1@example.com>"))
	send([]string{s.demo.SalesAddress}, rawMail("m2@example.com", "Re: Where is my order?", "In-Reply-To: <m1@example.com>"))
	send(team, rawMail("ooo@example.com", "Out of office", "Auto-Submitted: auto-replied"))
	send(team, rawMail("loop@example.com", "Re: [#1] hello", "X-Stackdesk-Loop: demo"))
	send(team, rawMail("spam@example.com", "Cheap pills", "X-Test-Spam: FAIL"))
	s.drain(t)

	if conv, _ = s.r.Store.GetTicket(ctx, ts[0].ID); len(conv.Messages) != 2 || conv.Messages[1].ThreadReason != "in_reply_to" {
		t.Fatalf("after the reply the ticket has %d messages: %+v", len(conv.Messages), conv.Messages)
	}
	if n := len(s.tickets(t)); n != 1 {
		t.Fatalf("%d open tickets, want 1 (auto-reply and loop are not ticketed)", n)
	}
	spam, err := s.r.Store.ListTickets(ctx, helpdesk.StateSpam, 10)
	if err != nil || len(spam) != 1 || spam[0].Subject != "Cheap pills" || spam[0].OwnerID != "" {
		t.Fatalf("spam view = %+v %v", spam, err)
	}
}

func TestMailForAnotherDomainIsDropped(t *testing.T) {
	s := start(t)
	err := s.r.DeliverMail(context.Background(), "x@example.com", []string{"someone@" + testbed.Name(t) + ".example"}, []byte(rawMail("other@x", "hi")))
	if err != nil {
		t.Fatal(err)
	}
	s.drain(t)
	if n := len(s.tickets(t)); n != 0 {
		t.Fatal(fmt.Sprint(n, " tickets for mail to no channel"))
	}
}
