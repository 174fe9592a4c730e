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
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// What marking spam, restoring and deleting a ticket cost on DynamoDB
// Local: reads as it reports them, writes by DynamoDB's sizing rules
// (testbed.CapacityMeter; a transactional delete is counted as 2 units, a
// batch delete as 1, whatever the item's size). The ticket is an email
// ticket owned by an agent, with its first message and `messages`−1
// customer replies (about 0.5 KB each) and a routed activity.
//
//	go test -run '^$' -bench SpamAndDelete -benchtime 20x ./shared/app/desk/
func BenchmarkSpamAndDelete(b *testing.B) {
	for _, messages := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("messages=%d", messages), func(b *testing.B) {
			db, table := testbed.Table(b)
			meter := &testbed.CapacityMeter{DB: db, Table: table}
			st := store.New(meter, table)
			ctx := context.Background()
			t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
			ann := helpdesk.Agent{ID: "ann", Email: "ann@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAdmin}
			if err := st.PutAgent(ctx, ann); err != nil {
				b.Fatal(err)
			}
			svc := &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: func() time.Time { return t0.Add(time.Hour) }}
			p := helpdesk.Principal{Agent: ann}
			none := func(id string) error { return fmt.Errorf("ticket %s not visible", id) }
			ch := helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail}
			seed := func(id string) {
				m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: ch.ID,
					ProviderMessageID: id + "@example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "cus" + id + "@example.com"},
					Subject: "Order " + id, Text: "Where is my order? " + fmt.Sprintf("%0400d", 0)}
				msg := helpdesk.Message{ID: "m-" + id, Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: ch.Kind, Text: m.Text, CreatedAt: t0}
				c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: ch, ContactID: "c" + id,
					SenderKey: m.Sender.Key(m.Channel), ThreadKeys: []string{"msg#" + id}}, helpdesk.DefaultSettings(), t0)
				c.Ticket().OwnerID, c.Ticket().AssignedAt = "ann", t0
				c.Activities = append(c.Activities, helpdesk.Activity{ID: "a-" + id, TicketID: id, Kind: helpdesk.ActivityRouted, ActorID: helpdesk.ActorRouter, At: t0, To: "ann"})
				c.Loads = ticket.Loads(nil, c.Ticket(), t0)
				if err := st.Commit(ctx, c); err != nil {
					b.Fatal(err)
				}
				for j := 1; j < messages; j++ {
					t, err := st.GetTicketHeader(ctx, id)
					if err != nil {
						b.Fatal(err)
					}
					at := t0.Add(time.Duration(j) * time.Minute)
					rm := helpdesk.Message{ID: fmt.Sprintf("m-%s-%d", id, j), Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: ch.Kind,
						Text: msg.Text, CreatedAt: at}
					a, err := ticket.Append(t, rm, "", nil, nil, helpdesk.DefaultSettings(), at)
					if err != nil {
						b.Fatal(err)
					}
					if err := st.Commit(ctx, a); err != nil {
						b.Fatal(err)
					}
				}
			}
			var spamW, spamR, backW, backR, delW, delR float64
			measure := func(w, r *float64, op func() error) {
				meter.Reset()
				if err := op(); err != nil {
					b.Fatal(err)
				}
				*w += meter.Write
				*r += meter.Read
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				id := fmt.Sprint(1000 + i)
				b.StopTimer()
				seed(id)
				b.StartTimer()
				measure(&spamW, &spamR, func() error {
					_, err := svc.Spam(ctx, id, desk.SpamRequest{}, p, none)
					return err
				})
				measure(&backW, &backR, func() error { _, err := svc.NotSpam(ctx, id, p, none); return err })
				measure(&delW, &delR, func() error { _, err := svc.DeleteTicket(ctx, id, p, none); return err })
			}
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(spamW/n, "spam-WCU/op")
			b.ReportMetric(spamR/n, "spam-RCU/op")
			b.ReportMetric(backW/n, "notspam-WCU/op")
			b.ReportMetric(backR/n, "notspam-RCU/op")
			b.ReportMetric(delW/n, "delete-WCU/op")
			b.ReportMetric(delR/n, "delete-RCU/op")
		})
	}
}
