package ingest_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/store"
)

// The router's sample batch (also for `sam local invoke RouterFunction -e`):
// two form submissions from two senders and, between them, one poison record
// whose body is not JSON. It goes through the router function's handler
// (lambdax) to this service, as in Lambda.
const sqsBatchEvent = "../../../events/router/sqs-inbound-batch.json"

func TestRouterSampleBatch(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		e := newEnv(t, backend, nil)
		ctx := context.Background()
		contactForm := formChannel
		contactForm.ID, contactForm.Name = "contact-form", "Website contact form"
		if err := e.st.PutChannel(ctx, contactForm); err != nil {
			t.Fatal(err)
		}

		raw, err := os.ReadFile(sqsBatchEvent)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if len(ev.Records) != 3 {
			t.Fatalf("sample has %d records, want 3", len(ev.Records))
		}
		var poison []events.SQSBatchItemFailure
		for _, r := range ev.Records {
			if !json.Valid([]byte(r.Body)) {
				poison = append(poison, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		if len(poison) != 1 {
			t.Fatalf("sample has %d poison records, want 1", len(poison))
		}

		want := []struct {
			providerID, email, subject string
			submission                 map[string]string
		}{
			{"3f6c1d2a-8b47-4e0f-9c1d-5a2e7b9f4c01", "ann.lee@example.com", "Charged twice for order 1042", map[string]string{"plan": "pro"}},
			{"9a0e4b7c-2d13-4f6a-b8e5-0c7d1f3a6b02", "bob.martin@example.org", "Cannot log in", map[string]string{"topic": "login, billing", "utm_source": "newsletter"}},
		}

		handle := lambdax.RouterHandler(e.svc, e.svc.Log)
		var firstTickets []string
		for run := 1; run <= 2; run++ { // the second run is SQS redelivering the whole batch
			resp, err := handle(ctx, ev)
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			if !reflect.DeepEqual(resp.BatchItemFailures, poison) {
				t.Fatalf("run %d: failures = %+v, want exactly the poison record %+v", run, resp.BatchItemFailures, poison)
			}

			var tickets []string
			for _, w := range want {
				rec, err := e.st.FindDedupe(ctx, store.DedupeKey("contact-form", w.providerID))
				if err != nil {
					t.Fatalf("run %d: %s was not applied: %v", run, w.providerID, err)
				}
				conv, err := e.st.GetTicket(ctx, rec.TicketID)
				if err != nil {
					t.Fatal(err)
				}
				tk := conv.Ticket
				if tk.Subject != w.subject || tk.ChannelID != "contact-form" || tk.ChannelKind != helpdesk.ChannelForm ||
					tk.Pipeline != "support" || tk.Status != "new" || tk.State != helpdesk.StateOpen || tk.MessageCount != 1 {
					t.Errorf("run %d: ticket = %+v", run, tk)
				}
				if len(conv.Messages) != 1 || conv.Messages[0].ProviderMessageID != w.providerID ||
					!reflect.DeepEqual(conv.Messages[0].Submission, w.submission) {
					t.Errorf("run %d: messages = %+v", run, conv.Messages)
				}
				c, err := e.st.GetContact(ctx, tk.ContactID)
				if err != nil || c.Email != w.email {
					t.Errorf("run %d: contact = %+v, %v; want %s", run, c, err, w.email)
				}
				tickets = append(tickets, rec.TicketID)
			}
			if tickets[0] == tickets[1] {
				t.Fatalf("run %d: both submissions landed in ticket %s", run, tickets[0])
			}
			if run == 1 {
				firstTickets = tickets
			} else if !reflect.DeepEqual(tickets, firstTickets) {
				t.Fatalf("redelivery moved messages: tickets %v, first run %v", tickets, firstTickets)
			}

			// Two tickets with one message each, two contacts, nothing else.
			if n := ticketItems(t, e.st); n != 4 {
				t.Errorf("run %d: %d ticket-partition items, want 4", run, n)
			}
			if d, ok := e.st.(*testbed.DynamoDBStore); ok {
				if n := countItems(t, d, "CONTACT#"); n != 2 {
					t.Errorf("run %d: %d contacts, want 2", run, n)
				}
			}
			if contacts := contactsOf(t, e.st, tickets); len(contacts) != 2 {
				t.Errorf("run %d: the tickets have %d contacts, want 2", run, len(contacts))
			}
			open, err := e.st.ListTickets(ctx, helpdesk.StateOpen, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(open) != 2 {
				t.Errorf("run %d: %d open tickets, want 2", run, len(open))
			}
		}
	})
}

// contactsOf returns the distinct contacts of tickets.
func contactsOf(t *testing.T, st testbed.Store, tickets []string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, id := range tickets {
		tk, err := st.GetTicketHeader(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetContact(context.Background(), tk.ContactID); err != nil {
			t.Fatal(err)
		}
		out[tk.ContactID] = true
	}
	return out
}
