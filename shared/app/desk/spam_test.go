package desk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// An email ticket with more thread keys than one transaction takes (one per
// Message-ID: 250 here) is still deleted whole: the ticket in the
// transaction, every key after it; nothing of it threads any more.
func TestDeleteOfATicketLargerThanATransaction(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		st := b.Open(t, func() time.Time { return t0 })
		ctx := context.Background()
		ch := helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail}
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: ch.ID,
			ProviderMessageID: "big@example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "big@example.com"}, Subject: "Long thread", Text: "Hello"}
		msg := helpdesk.Message{ID: "m-big", Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: ch.Kind, Text: m.Text, CreatedAt: t0}
		c, _ := ticket.Open(ticket.Arrival{ID: "1", Inbound: m, Message: msg, Channel: ch, ContactID: "c1",
			SenderKey: m.Sender.Key(m.Channel), ThreadKeys: []string{"msg#0"}}, helpdesk.DefaultSettings(), t0)
		if err := st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		const keys = 250
		for i := 1; i < keys; i += 50 {
			tk, err := st.GetTicketHeader(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			var ks []string
			for j := i; j < min(i+50, keys); j++ {
				ks = append(ks, fmt.Sprintf("msg#%d", j))
			}
			at := t0.Add(time.Duration(i) * time.Minute)
			a, err := ticket.Append(tk, helpdesk.Message{ID: fmt.Sprintf("m-%d", i), Direction: helpdesk.Inbound, ChannelID: ch.ID,
				ChannelKind: ch.Kind, Text: "more", CreatedAt: at}, "", ks, nil, helpdesk.DefaultSettings(), at)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Commit(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		svc := &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: func() time.Time { return t0.Add(time.Hour) }}
		if _, err := svc.Delete(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetTicketHeader(ctx, "1"); err == nil {
			t.Fatal("the ticket survived")
		}
		for i := range keys {
			if id, _, err := st.FindThread(ctx, []string{fmt.Sprintf("msg#%d", i)}); err == nil {
				t.Fatalf("key msg#%d still leads to ticket %s", i, id)
			}
		}
	})
}
