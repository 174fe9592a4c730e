package receive

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakeFiltered records what the handler filtered.
type fakeFiltered struct {
	got []helpdesk.FilteredMail
	err error
}

func (f *fakeFiltered) RecordFiltered(_ context.Context, m helpdesk.FilteredMail) error {
	if f.err != nil {
		return f.err
	}
	f.got = append(f.got, m)
	return nil
}

// mailWith is a plain mail from Ann with extra header lines.
func mailWith(subject string, extra ...string) string {
	h := append([]string{"From: Ann Lee <ann@example.com>", "To: support@acme.example", "Subject: " + subject,
		"Message-ID: <f1@example.com>", "Date: Sat, 21 Nov 2026 09:00:00 +0100"}, extra...)
	return strings.Join(h, "\r\n") + "\r\n\r\nI am out of the office until Monday.\r\n"
}

// A delay warning for a message of ours: not a failure yet, so not recorded
// on any ticket, and filtered.
const delayDSN = "From: Mail Delivery System <mailer-daemon@mx.example.net>\r\nTo: support@acme.example\r\n" +
	"Subject: Delivery delayed: Your order\r\nMessage-ID: <dsn1@mx.example.net>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n" +
	"--r\r\nContent-Type: text/plain\r\n\r\nDelivery to bob@example.org is delayed; we keep trying.\r\n" +
	"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n" +
	"Final-Recipient: rfc822; bob@example.org\r\nAction: delayed\r\nStatus: 4.4.7\r\n" +
	"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out1@acme.example>\r\nSubject: Your order\r\n--r--\r\n"

var received = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// Every kind of mail that stops in email-inbound is recorded, with its
// reason, sender, subject, channel and where the raw mail is, and nothing
// is queued for it.
func TestFilteredMailIsRecorded(t *testing.T) {
	cases := []struct {
		name, raw, rcpt  string
		kind, reasonPart string
		sender, subject  string
		channel          string
	}{
		{"auto-reply", mailWith("Out of office", "Auto-Submitted: auto-replied"), "support@acme.example",
			helpdesk.FilteredAutoReply, "auto-submitted: auto-replied", "ann@example.com", "Out of office", "email:support@acme.example"},
		{"bulk", mailWith("Our November deals", "Precedence: bulk"), "support@acme.example",
			helpdesk.FilteredBulk, "precedence: bulk", "ann@example.com", "Our November deals", "email:support@acme.example"},
		{"list", mailWith("Newsletter", "List-Unsubscribe: <mailto:leave@lists.example.com>"), "support@acme.example",
			helpdesk.FilteredBulk, "list-unsubscribe", "ann@example.com", "Newsletter", "email:support@acme.example"},
		{"loop", mailWith("Re: [#1] hello", "X-Stackdesk-Loop: acme"), "support@acme.example",
			helpdesk.FilteredLoop, "loop header", "ann@example.com", "Re: [#1] hello", "email:support@acme.example"},
		{"bounce not recorded", delayDSN, "support@acme.example",
			helpdesk.FilteredBounce, "delivery-status", "mailer-daemon@mx.example.net", "Delivery delayed: Your order", "email:support@acme.example"},
		{"unparseable", " \r\n \r\n", "support@acme.example",
			helpdesk.FilteredUnparseable, "empty input", "", "", "email:support@acme.example"},
		{"no channel", mailWith("Hello sales"), "sales@acme.example",
			helpdesk.FilteredNoChannel, "no email channel", "ann@example.com", "Hello sales", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, rec := &fakeQueue{}, &fakeFiltered{}
			h := &Handler{Files: newFiles(map[string][]byte{"inbound/s1": []byte(c.raw)}), Queue: q, Filtered: rec, Tenant: "acme",
				Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
			d := Delivery{ID: "s1", Recipients: []string{strings.ToUpper(c.rcpt)}, Timestamp: received.In(time.FixedZone("CET", 3600))}
			for range 2 { // a redelivery records the same mail again, under the same key
				if err := h.Receive(context.Background(), d); err != nil {
					t.Fatal(err)
				}
			}
			if len(q.sent) != 0 || len(rec.got) != 2 {
				t.Fatalf("%d queued, %d recorded; want 0 and 2", len(q.sent), len(rec.got))
			}
			f := rec.got[0]
			if f.Kind != c.kind || !strings.Contains(strings.ToLower(f.Reason), c.reasonPart) || f.Sender.Email != c.sender ||
				f.Subject != c.subject || f.ChannelID != c.channel || f.SESMessageID != "s1" || !f.ReceivedAt.Equal(received) ||
				f.ReceivedAt.Location() != time.UTC || f.RawKey != "inbound/s1" || f.RawLocation != "s3://mail/inbound/s1" ||
				!f.ExpiresAt.Equal(received.Add(90*24*time.Hour)) || len(f.Recipients) != 1 || f.Recipients[0] != c.rcpt {
				t.Fatalf("recorded %+v", f)
			}
			if rec.got[1].SESMessageID != f.SESMessageID || !rec.got[1].ReceivedAt.Equal(f.ReceivedAt) {
				t.Fatalf("a redelivery is another record: %+v", rec.got[1])
			}
		})
	}
}

// Too-large mail is recorded without reading it; a failure to record fails
// the event, so Lambda delivers it again.
func TestTooLargeMailIsRecordedAndRecordingIsRetried(t *testing.T) {
	rec := &fakeFiltered{}
	h := &Handler{Files: newFiles(map[string][]byte{"inbound/big": make([]byte, maxRawSize+1)}), Queue: &fakeQueue{}, Filtered: rec,
		Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	d := Delivery{ID: "big", Recipients: []string{"support@acme.example"}, Timestamp: received}
	if err := h.Receive(context.Background(), d); err != nil || len(rec.got) != 1 {
		t.Fatalf("too large: %v, %d recorded", err, len(rec.got))
	}
	if f := rec.got[0]; f.Kind != helpdesk.FilteredTooLarge || f.RawKey != "inbound/big" || f.ChannelID != "email:support@acme.example" {
		t.Fatalf("recorded %+v", f)
	}
	rec.err = errors.New("table unavailable")
	if err := h.Receive(context.Background(), d); err == nil {
		t.Fatal("a failed record must fail the event, so it is retried")
	}
}

// Normal mail is not recorded as filtered.
func TestNormalMailIsNotFiltered(t *testing.T) {
	q, rec := &fakeQueue{}, &fakeFiltered{}
	h := &Handler{Files: newFiles(map[string][]byte{"inbound/s1": []byte(mailWith("Where is my order?"))}), Queue: q, Filtered: rec,
		Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	if err := h.Receive(context.Background(), Delivery{ID: "s1", Recipients: []string{"support@acme.example"}, Timestamp: received}); err != nil {
		t.Fatal(err)
	}
	if len(q.sent) != 1 || len(rec.got) != 0 {
		t.Fatalf("%d queued, %d filtered", len(q.sent), len(rec.got))
	}
}

// Promoting builds the message as normal mail, with its attachments under
// attachments/promoted/, and queues it; what cannot become a ticket is a
// conflict with its reason, and nothing is queued.
func TestPromoteQueuesTheMailAsNormal(t *testing.T) {
	raw := "From: Ann Lee <ann@example.com>\r\nTo: support@acme.example\r\nSubject: Re: order\r\nMessage-ID: <p1@example.com>\r\n" +
		"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nActually, my order never came.\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"\r\n\r\n%PDF-1.4\r\n--b--\r\n"
	files := newFiles(map[string][]byte{"inbound/s1": []byte(raw), "inbound/empty": []byte(" \r\n")})
	q, rec := &fakeQueue{}, &fakeFiltered{}
	h := &Handler{Files: files, Queue: q, Filtered: rec, Tenant: "acme", Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	if err := h.Receive(context.Background(), Delivery{ID: "s1", Recipients: []string{"support@acme.example"}, Timestamp: received}); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 1 || len(q.sent) != 0 || len(files.objects) != 2 {
		t.Fatalf("filtered %d, queued %d, %d objects", len(rec.got), len(q.sent), len(files.objects))
	}
	m, err := h.Promote(context.Background(), rec.got[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(q.sent) != 1 || q.sent[0] != m || m.Email.Kind != helpdesk.EmailNormal || !strings.Contains(m.Email.KindReason, "auto_reply") ||
		m.ProviderMessageID != "p1@example.com" || m.Sender.Email != "ann@example.com" || m.Subject != "Re: order" ||
		m.Text != "Actually, my order never came." || !m.ReceivedAt.Equal(received) || m.RawLocation != "s3://mail/inbound/s1" ||
		m.ChannelID != "email:support@acme.example" || len(m.Attachments) != 1 || m.Attachments[0].Key != "attachments/promoted/s1/00-receipt.pdf" ||
		string(files.objects[m.Attachments[0].Key]) != "%PDF-1.4" {
		t.Fatalf("promoted %+v (email %+v)", m, m.Email)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}

	f := rec.got[0]
	noChannel, gone, unreadable, other := f, f, f, f
	noChannel.ChannelID = ""
	gone.RawKey = "inbound/missing"
	unreadable.RawKey = "inbound/empty"
	other.RawKey = "attachments/s1/00-x"
	for reason, f := range map[string]helpdesk.FilteredMail{"filtered_no_channel": noChannel, "raw_mail_missing": gone,
		"mail_unparseable": unreadable} {
		if _, err := h.Promote(context.Background(), f); !helpdesk.IsCode(err, helpdesk.EConflict) || helpdesk.ErrorReason(err) != reason {
			t.Errorf("promoting %s: %v, want conflict %s", reason, err, reason)
		}
	}
	if _, err := h.Promote(context.Background(), other); err == nil {
		t.Error("a record naming a key outside the raw mail's prefix was read")
	}
	if len(q.sent) != 1 {
		t.Fatalf("%d queued after refusals, want 1", len(q.sent))
	}
}
