package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// BenchmarkSLABookkeeping reports the write units of a ticket's events on
// DynamoDB (testbed.CapacityMeter: writes computed from the items, 2 units
// per KB of each transactional put and 1 per KB of each index entry: the
// whole item in GSI1-4, the keys in GSI5-6), with no SLA policy ("none") and with one that
// sets all three targets and pauses ("policy"), and the ticket item's
// size: the SLA bookkeeping adds no item, only bytes to the ticket item.
// An email ticket with a 60-character subject and a full description.
//
//	go test -run '^$' -bench SLABookkeeping -benchtime 20x ./shared/store/
func BenchmarkSLABookkeeping(b *testing.B) {
	mail := helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}
	for _, withPolicy := range []bool{false, true} {
		name := map[bool]string{false: "none", true: "policy"}[withPolicy]
		b.Run(name, func(b *testing.B) {
			db, table := testbed.Table(b)
			meter := &testbed.CapacityMeter{DB: db, Table: table}
			st := store.New(meter, table, store.WithClock(func() time.Time { return t0 }))
			ctx := context.Background()
			set := helpdesk.DefaultSettings()
			if withPolicy {
				set.SLA.Policies = []helpdesk.SLAPolicy{{ID: "standard", Name: "Standard", FirstResponseMinutes: 120,
					NextResponseMinutes: 240, CloseMinutes: 1440, WarnMinutes: 30, PauseWhenWaiting: true}}
			}
			events := []string{"open", "customer", "reply", "waiting", "close"}
			units := map[string]float64{}
			var size float64
			for i := 0; i < b.N; i++ {
				id := fmt.Sprintf("%d", i+1)
				at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
				m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
					ProviderMessageID: "a" + id + "@mail.example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "customer" + id + "@example.com"},
					Subject: "My order " + id + " has not arrived and the tracking page is blank",
					Text:    strings.Repeat("The parcel was due on Monday and nothing came. ", 8)}
				msg := helpdesk.Message{ID: "m-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: mail.Kind,
					AuthorContactID: "c" + id, Text: m.Text, CreatedAt: t0}
				decide := map[string]func(helpdesk.Ticket) (ticket.Change, error){
					"open": func(helpdesk.Ticket) (ticket.Change, error) {
						c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: mail, ContactID: "c" + id,
							SenderKey: m.Sender.Key(m.Channel), ThreadKeys: []string{"msgid#" + m.ProviderMessageID}}, set, t0)
						c.Ticket().OwnerID, c.Ticket().AssignedAt = "ann", t0
						return c, nil
					},
					"customer": func(t helpdesk.Ticket) (ticket.Change, error) {
						more := msg
						more.ID, more.CreatedAt, more.Text = "m2-"+id, at(30), "Any news?"
						return ticket.Append(t, more, m.Sender.Key(m.Channel), []string{"msgid#b" + id + "@mail.example.com"}, nil, set, at(30))
					},
					"reply": func(t helpdesk.Ticket) (ticket.Change, error) {
						c, _, err := ticket.Reply(t, mail, ticket.ReplyInput{AgentID: "ann", Text: "It is on its way."}, at(60))
						return c, err
					},
					"waiting": func(t helpdesk.Ticket) (ticket.Change, error) {
						return ticket.SetStatus(t, "waiting_on_contact", "ann", nil, set, at(61))
					},
					"close": func(t helpdesk.Ticket) (ticket.Change, error) {
						return ticket.SetStatus(t, "closed", "ann", nil, set, at(90))
					},
				}
				for _, e := range events {
					var cur helpdesk.Ticket
					if e != "open" {
						var err error
						if cur, err = st.GetTicketHeader(ctx, id); err != nil {
							b.Fatal(err)
						}
					}
					c, err := decide[e](cur)
					if err != nil {
						b.Fatal(e, err)
					}
					meter.Reset()
					if err := st.Commit(ctx, c); err != nil {
						b.Fatal(e, err)
					}
					units[e] += meter.Write
					if e == "reply" {
						out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, ConsistentRead: aws.Bool(true),
							Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "TICKET#" + id}, "SK": &types.AttributeValueMemberS{Value: "TICKET"}}})
						if err != nil {
							b.Fatal(err)
						}
						size += float64(testbed.ItemSize(out.Item))
					}
				}
			}
			n := float64(b.N)
			var total float64
			for _, e := range events {
				b.ReportMetric(units[e]/n, e+"-WCU/op")
				total += units[e]
			}
			b.ReportMetric(total/n, "5events-WCU/op")
			b.ReportMetric(size/n, "ticket-item-bytes")
		})
	}
}
