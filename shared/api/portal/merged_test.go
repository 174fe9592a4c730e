package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A merged conversation holds the messages of every ticket merged into
// it: the customer sees their own tickets' messages, never another
// customer's (ticket 2, cus2's, merged into cus1's ticket 1), nor those
// of a merged ticket gone missing.
func TestMergedConversationShowsTheirMessagesOnly(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		ctx := context.Background()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		head := func(id string) helpdesk.Ticket {
			tk, err := f.st.GetTicketHeader(ctx, id)
			must(err)
			return tk
		}
		// Ticket 4: cus1's second open ticket.
		at := t0.Add(10 * time.Minute)
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
			ProviderMessageID: "m4@example.com", ReceivedAt: at, Sender: helpdesk.Sender{Email: "cus1@example.com"},
			Subject: "Question 4", Text: "Help with 4"}
		msg := helpdesk.Message{ID: "msg-4", Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
			AuthorContactID: "c1", Text: m.Text, CreatedAt: at}
		c, _ := ticket.Open(ticket.Arrival{ID: "4", Inbound: m, Message: msg, Channel: mail, ContactID: "c1",
			SenderKey: m.Sender.Key(m.Channel)}, helpdesk.DefaultSettings(), at)
		must(f.st.Commit(ctx, c))
		for i, id := range []string{"2", "4"} {
			c, err := ticket.Merge(head("1"), head(id), "ann", at.Add(time.Duration(i+1)*time.Minute))
			must(err)
			must(f.st.Commit(ctx, c))
		}
		s1 := f.signIn(t, "cus1@example.com")
		r := f.do(t, "GET", "/portal/api/tickets/1", s1, "")
		if r.status != 200 {
			t.Fatalf("ticket 1: %d %s", r.status, r.raw)
		}
		if !strings.Contains(r.raw, "Help with 1") || !strings.Contains(r.raw, "Help with 4") || strings.Contains(r.raw, "Help with 2") {
			t.Errorf("ticket 1 merged with cus2's 2 and cus1's 4 shows: %s", r.raw)
		}
		// cus2 does not see ticket 1 at all, their merged messages included.
		if r := f.do(t, "GET", "/portal/api/tickets/1", f.signIn(t, "cus2@example.com"), ""); r.status != 404 {
			t.Errorf("cus2 reads ticket 1: %d %s", r.status, r.raw)
		}
	})
}
