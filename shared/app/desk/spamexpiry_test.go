package desk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Marking a ticket spam through the desk gives every item of it the TTL
// of its purge (90 days after it went to spam): the ticket, its messages
// and activities, its thread keys; a mail that arrives while it is spam
// gets the same. "Not spam" takes the TTL off every one of them, so a
// restored ticket never loses an item to TTL. On DynamoDB Local, item by
// item.
func TestSpamGivesEveryItemItsTTLAndNotSpamTakesItOff(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	now := t0.Add(time.Hour)
	st := testbed.DynamoDB.Open(t, func() time.Time { return now }).(*testbed.DynamoDBStore)
	ctx := context.Background()
	ann := helpdesk.Agent{ID: "ann", Email: "ann@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAdmin}
	if err := st.PutAgent(ctx, ann); err != nil {
		t.Fatal(err)
	}
	ch := helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail}
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: ch.ID,
		ProviderMessageID: "s1@spam.example", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "s@spam.example"}, Subject: "Pills", Text: "Buy"}
	msg := helpdesk.Message{ID: "m-1", Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: ch.Kind, Text: m.Text, CreatedAt: t0}
	c, _ := ticket.Open(ticket.Arrival{ID: "1", Inbound: m, Message: msg, Channel: ch, ContactID: "c1",
		SenderKey: m.Sender.Key(m.Channel), ThreadKeys: []string{"s1@spam.example"}}, helpdesk.DefaultSettings(), t0)
	if err := st.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	svc := &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: func() time.Time { return now }}
	p := helpdesk.Principal{Agent: ann}
	hidden := func(id string) error { return fmt.Errorf("ticket %s not visible", id) }
	res, err := svc.Spam(ctx, "1", desk.SpamRequest{}, p, hidden)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint(now.Add(helpdesk.SpamKeepDays * 24 * time.Hour).Unix())
	if res.Ticket.State != helpdesk.StateSpam {
		t.Fatalf("state %s", res.Ticket.State)
	}
	// A mail while it is spam (the router's decision, as ingest commits it).
	later := now.Add(time.Hour)
	h, err := st.GetTicketHeader(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ticket.Append(h, helpdesk.Message{ID: "m-2", Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: ch.Kind,
		Text: "Buy more", CreatedAt: later}, "", []string{"s2@spam.example"}, nil, helpdesk.DefaultSettings(), later)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, a); err != nil {
		t.Fatal(err)
	}
	items := func() map[string]string {
		out := map[string]string{}
		for _, q := range []struct{ pk, sk string }{{"TICKET#1", ""}, {"THREAD#s1@spam.example", ""}, {"THREAD#s2@spam.example", ""}} {
			page, err := st.DB.Query(ctx, &dynamodb.QueryInput{TableName: &st.Table, KeyConditionExpression: aws.String("PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: q.pk}}, ConsistentRead: aws.Bool(true)})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) == 0 {
				t.Fatalf("no item under %s", q.pk)
			}
			for _, it := range page.Items {
				k := q.pk + "/" + it["SK"].(*types.AttributeValueMemberS).Value
				out[k] = ""
				if v, ok := it["expiresAt"].(*types.AttributeValueMemberN); ok {
					out[k] = v.Value
				}
			}
		}
		return out
	}
	got := items()
	if len(got) < 6 { // ticket, 2 messages, 2 activities at least, 2 keys
		t.Fatalf("items %v", got)
	}
	for k, v := range got {
		if v != want {
			t.Errorf("spam: %s expires at %q, want %s", k, v, want)
		}
	}
	if _, err := svc.NotSpam(ctx, "1", p, hidden); err != nil {
		t.Fatal(err)
	}
	for k, v := range items() {
		if v != "" {
			t.Errorf("restored: %s still expires at %s", k, v)
		}
	}
}
