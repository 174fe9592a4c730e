package receive

import (
	"context"
	"testing"
)

// A forward a mailbox rule sent (Auto-Submitted, so filtered as an
// auto-reply) is promoted as the customer's mail, like a forward anyone
// sends: the original sender writes in, the colleague is who forwarded it.
func TestPromotedForwardIsTheCustomersMail(t *testing.T) {
	raw := "From: Paul Smith <paul.smith@acme.example>\r\nTo: support@acme.example\r\nSubject: FW: Cannot download my receipts\r\n" +
		"Message-ID: <rule-fwd-2@acme.example>\r\nAuto-Submitted: auto-generated\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"---------- Forwarded message ---------\r\nFrom: Rosa Alvarez <rosa.alvarez@example.mx>\r\nDate: Mon, 25 Mar 2024 at 18:03\r\n" +
		"Subject: Cannot download my receipts\r\nTo: Paul Smith <paul.smith@acme.example>\r\n\r\nThe receipts button does nothing.\r\n"
	files := newFiles(map[string][]byte{"inbound/s2": []byte(raw)})
	q, rec := &fakeQueue{}, &fakeFiltered{}
	h := &Handler{Files: files, Queue: q, Filtered: rec, Tenant: "acme", Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	if err := h.Receive(context.Background(), Delivery{ID: "s2", Recipients: []string{"support@acme.example"}, Timestamp: received}); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 1 || len(q.sent) != 0 {
		t.Fatalf("filtered %d, queued %d", len(rec.got), len(q.sent))
	}
	m, err := h.Promote(context.Background(), rec.got[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.Sender.Email != "rosa.alvarez@example.mx" || m.Email.ForwardedBy == nil || m.Email.ForwardedBy.Email != "paul.smith@acme.example" {
		t.Fatalf("promoted from %+v, forwarded by %+v", m.Sender, m.Email.ForwardedBy)
	}
}
