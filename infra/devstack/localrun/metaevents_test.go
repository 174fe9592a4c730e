package localrun_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A Messenger read receipt as Meta sends it (a watermark, no mids) through
// the real webhook, ingest queue and router marks every earlier reply of
// the conversation read: the greeting, the instant reply and an agent's
// reply, all sent through the real outbound sender to the fake Send API.
// The customer's edit and reaction show on their message; the edit makes
// the answered ticket unread and tells its owner, the reactions do
// nothing more; and the new contact is named from the User Profile API.
func TestMessengerReadWatermarkEndToEnd(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	if code := s.deliver(t, "/messenger", fresh(fixture(t, "messenger_text.json"))); code != 200 {
		t.Fatalf("message: %d", code)
	}
	s.drain(t)
	c := s.conversationOf(t, helpdesk.ChannelMessenger)
	s.drainOutbound(t)
	// The new contact was named from the (fake) User Profile API with the page's token.
	if contact, err := s.r.Store.GetContact(ctx, c.Ticket.ContactID); err != nil || contact.Name != localrun.DemoFirstName+" "+localrun.DemoLastName {
		t.Fatalf("contact %+v, %v; want it named from the profile", contact, err)
	}

	svc := &desk.Service{Store: s.r.Store, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: time.Now}
	reply, jobs, err := svc.Reply(ctx, c.Ticket.ID, "alice", "Your order ships today.", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range jobs {
		if err := s.r.Router.Outbound.Publish(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	s.drainOutbound(t)
	outbound := func() []helpdesk.Message {
		conv, err := s.r.Store.GetTicket(ctx, c.Ticket.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []helpdesk.Message
		for _, m := range conv.Messages {
			if m.Direction == helpdesk.Outbound {
				out = append(out, m)
			}
		}
		return out
	}
	sent := outbound()
	if len(sent) != 3 {
		t.Fatalf("%d replies, want greeting, instant reply and the agent's", len(sent))
	}
	for _, m := range sent {
		if m.Status != helpdesk.StatusSent {
			t.Fatalf("reply %q is %s before the receipt, want sent", m.Text, m.Status)
		}
	}

	// Meta's documented read event: a watermark just after our reply.
	watermark := reply.CreatedAt.Add(time.Second).UnixMilli()
	read := strings.Replace(fresh(fixture(t, "messenger_read.json")), `"watermark": 1583173699953`, fmt.Sprintf(`"watermark": %d`, watermark), 1)
	if !strings.Contains(read, fmt.Sprint(watermark)) {
		t.Fatal("the fixture's watermark was not replaced")
	}
	if code := s.deliver(t, "/messenger", read); code != 200 {
		t.Fatalf("read receipt: %d", code)
	}
	s.drain(t)
	for _, m := range outbound() {
		if m.Status != helpdesk.StatusRead || !m.StatusAt.Equal(time.UnixMilli(watermark).UTC()) {
			t.Fatalf("reply %q: %s at %v, want read at the watermark", m.Text, m.Status, m.StatusAt)
		}
	}

	// The agent's reply left the ticket read; the customer's edit makes it
	// unread again and tells its owner, and their reactions (an
	// acknowledgement) leave it as the edit left it.
	answered, err := s.r.Store.GetTicketHeader(ctx, c.Ticket.ID)
	if err != nil || answered.Unread || answered.OwnerID == "" {
		t.Fatalf("after the reply: %+v, %v; want read and owned", answered, err)
	}
	for _, name := range []string{"messenger_edit.json", "messenger_reactions.json"} {
		if code := s.deliver(t, "/messenger", fresh(fixture(t, name))); code != 200 {
			t.Fatalf("%s: %d", name, code)
		}
	}
	s.drain(t)
	conv, err := s.r.Store.GetTicket(ctx, c.Ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !conv.Ticket.Unread || conv.Ticket.Version != answered.Version+1 {
		t.Fatalf("after the edit and reactions: unread %v, version %d; want unread, written once (version %d)", conv.Ticket.Unread, conv.Ticket.Version, answered.Version+1)
	}
	told, err := s.r.Store.Notifications(ctx, helpdesk.AgentRecipient(answered.OwnerID), 10)
	if err != nil || !slices.ContainsFunc(told, func(n helpdesk.Notification) bool {
		return n.Kind == helpdesk.NotifyCustomerEdit && n.TicketID == c.Ticket.ID
	}) {
		t.Fatalf("the owner's notifications: %+v, %v; want one of the edit", told, err)
	}
	for _, m := range conv.Messages {
		if m.Direction != helpdesk.Inbound {
			continue
		}
		if m.Text != "hello, world! (order #4412)" || len(m.Edits) != 1 || m.Edits[0].Text != "hello, world!" {
			t.Fatalf("edit not applied: %+v", m)
		}
		if len(m.Reactions) != 1 || !m.Reactions[0].Removed { // reacted twice, then withdrew
			t.Fatalf("reactions: %+v", m.Reactions)
		}
	}
}
