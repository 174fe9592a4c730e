package csat_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The cost of a rating (read the ticket, one conditional put of the rating
// item, in GSI3) and of a report over 1,000 ratings (one query of the
// ratings' GSI3 partition), measured on DynamoDB Local with
// testbed.CapacityMeter. Each rating has a 100-character comment.
// Run: STACKDESK_REQUIRE_EMULATORS=1 go test -run '^$' -bench CSATCost ./shared/app/csat/
func BenchmarkCSATCost(b *testing.B) {
	db, table := testbed.Table(b)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	st := store.New(meter, table)
	ctx := b.Context()
	// One closed email ticket, as the model opens it.
	ch := helpdesk.Channel{ID: "email:help@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "help@acme.example"}}
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: ch.ID,
		ProviderMessageID: "m1@example.com", ReceivedAt: closedAt, Sender: helpdesk.Sender{Email: "cus@example.com"},
		Subject: "Where is my order?", Text: "It has not arrived."}
	msg := helpdesk.Message{ID: "msg-1", Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: helpdesk.ChannelEmail, Text: m.Text, CreatedAt: closedAt}
	c, err := ticket.Open(ticket.Arrival{ID: "1", Inbound: m, Message: msg, Channel: ch, ContactID: "c1", SenderKey: m.Sender.Key(m.Channel)}, helpdesk.DefaultSettings(), closedAt)
	if err != nil {
		b.Fatal(err)
	}
	c.Ticket().State, c.Ticket().ClosedAt, c.Ticket().OwnerID = helpdesk.StateClosed, closedAt, "ann"
	if err := st.Commit(ctx, c); err != nil {
		b.Fatal(err)
	}
	svc := &appcsat.Service{Store: st, Tenant: "acme", Secret: []byte("k"), Now: func() time.Time { return closedAt.Add(time.Hour) }}
	comment := strings.Repeat("Quick and kind. ", 7)[:100]

	b.Run("rating", func(b *testing.B) {
		var rcu, wcu float64
		for range b.N {
			// One ticket, rated once: each iteration removes the rating first.
			if _, err := db.DeleteItem(ctx, deleteRating(table)); err != nil {
				b.Fatal(err)
			}
			meter.Reset()
			if _, err := svc.Rate(ctx, "1", "c1", 4, comment); err != nil {
				b.Fatal(err)
			}
			rcu, wcu = rcu+meter.Read, wcu+meter.Write
		}
		b.ReportMetric(rcu/float64(b.N), "RCU/rating")
		b.ReportMetric(wcu/float64(b.N), "WCU/rating")
	})

	seeded := 0
	b.Run("report-1000", func(b *testing.B) {
		owners := []string{"ann", "bob", "cat", ""}
		for i := range 1000 * (1 - seeded) {
			r := helpdesk.Rating{TicketID: fmt.Sprintf("t%04d", i), ContactID: "c1", Score: i%5 + 1, Comment: comment,
				RatedAt: closedAt.Add(time.Duration(i) * time.Minute), ClosedAt: closedAt, OwnerID: owners[i%4], TeamID: "A",
				ChannelID: ch.ID, ChannelKind: helpdesk.ChannelEmail}
			if err := st.PutRating(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		seeded = 1 // the benchmark runs this function more than once
		b.ResetTimer()
		var rcu float64
		for range b.N {
			meter.Reset()
			rep, err := svc.Report(ctx, closedAt, closedAt.Add(30*24*time.Hour), "agent")
			if err != nil || rep.Responses < 1000 {
				b.Fatalf("report: %d responses, %v", rep.Responses, err)
			}
			rcu += meter.Read
		}
		b.ReportMetric(rcu/float64(b.N), "RCU/report")
	})
}

func deleteRating(table string) *dynamodb.DeleteItemInput {
	return &dynamodb.DeleteItemInput{TableName: &table, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "CSAT#1"}, "SK": &types.AttributeValueMemberS{Value: "CSAT"},
	}}
}
