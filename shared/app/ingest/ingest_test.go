package ingest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/threading"
)

var t0 = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func nowT0() time.Time { return t0 }

var formChannel = helpdesk.Channel{
	ID: "web", Kind: helpdesk.ChannelForm, Name: "Contact form",
	Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
	Form:     &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone},
}

type env struct {
	svc *ingest.Service
	st  testbed.Store
}

// newEnv is a tenant with the form channel "web" on a new store of backend.
func newEnv(t *testing.T, backend testbed.Backend, th threading.Threader) env {
	st := backend.Open(t, nil)
	if err := st.PutChannel(context.Background(), formChannel); err != nil {
		t.Fatal(err)
	}
	if th == nil {
		th = threading.Submission
	}
	svc := &ingest.Service{Store: st, Threader: th, Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: nowT0, Log: quiet, MaxAttempts: 20}
	return env{svc: svc, st: st}
}

func submission(id, email string) *helpdesk.InboundMessage {
	return &helpdesk.InboundMessage{
		Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
		ProviderMessageID: id, ReceivedAt: t0, Sender: helpdesk.Sender{Email: email, Name: "Ann"},
		Subject: "Refund", Text: "Please refund order " + id, Submission: map[string]string{"order": id},
	}
}

// dynamo returns the DynamoDB store of a test that runs on DynamoDB only.
func dynamo(t *testing.T, st testbed.Store) *testbed.DynamoDBStore {
	t.Helper()
	d, ok := st.(*testbed.DynamoDBStore)
	if !ok {
		t.Fatalf("store %T, want the DynamoDB store", st)
	}
	return d
}

// countItems counts the table's items whose PK starts with prefix.
func countItems(t *testing.T, d *testbed.DynamoDBStore, prefix string) int {
	t.Helper()
	n := 0
	p := dynamodb.NewScanPaginator(d.DB, &dynamodb.ScanInput{
		TableName:                 &d.Table,
		FilterExpression:          aws.String("begins_with(PK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: prefix}},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += int(page.Count)
	}
	return n
}

// ticketItems counts the items of the tenant's ticket partitions: on
// DynamoDB by scanning the table (orphans included); on another store
// through its methods: every ticket of every view, with its own messages
// and timeline entries.
func ticketItems(t *testing.T, st testbed.Store) int {
	t.Helper()
	if d, ok := st.(*testbed.DynamoDBStore); ok {
		return countItems(t, d, "TICKET#")
	}
	ctx := context.Background()
	n := 0
	for _, state := range []helpdesk.State{helpdesk.StateOpen, helpdesk.StateClosed, helpdesk.StateSpam, helpdesk.StateMerged} {
		ts, err := st.ListTickets(ctx, state, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ts {
			conv, err := st.GetTicket(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			n++
			for _, m := range conv.Messages {
				if m.TicketID == tk.ID {
					n++
				}
			}
			for _, a := range conv.Activities {
				if a.TicketID == tk.ID {
					n++
				}
			}
		}
	}
	return n
}

func TestApplyCreatesTicketContactAndMessage(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		e := newEnv(t, backend, nil)
		ctx := context.Background()
		res, err := e.svc.Apply(ctx, submission("s1", "Ann@Example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.Duplicate || res.TicketID == "" {
			t.Fatalf("result = %+v", res)
		}
		conv, err := e.st.GetTicket(ctx, res.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		tk := conv.Ticket
		if tk.Subject != "Refund" || tk.Pipeline != "support" || tk.Status != "new" || tk.State != helpdesk.StateOpen ||
			tk.Type != helpdesk.TypeEmailOther || tk.OwnerID != "" || !tk.Unread {
			t.Errorf("ticket = %+v", tk)
		}
		if len(conv.Messages) != 1 || conv.Messages[0].ThreadReason != ingest.ReasonNewTicket ||
			conv.Messages[0].Submission["order"] != "s1" || conv.Messages[0].AuthorContactID != tk.ContactID {
			t.Errorf("messages = %+v", conv.Messages)
		}
		c, err := e.st.GetContact(ctx, tk.ContactID)
		if err != nil || c.Email != "Ann@Example.com" || c.Name != "Ann" {
			t.Errorf("contact = %+v, %v", c, err)
		}

		// A second submission from the same address (any case) reuses the contact.
		res2, err := e.svc.Apply(ctx, submission("s2", "ann@example.COM"))
		if err != nil {
			t.Fatal(err)
		}
		conv2, _ := e.st.GetTicket(ctx, res2.TicketID)
		if res2.TicketID == res.TicketID || conv2.Ticket.ContactID != tk.ContactID {
			t.Errorf("second submission: ticket %s contact %s, want a new ticket for contact %s", res2.TicketID, conv2.Ticket.ContactID, tk.ContactID)
		}
	})
}

func TestApplyTwiceWritesOnce(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		e := newEnv(t, backend, nil)
		ctx := context.Background()
		m := submission("s1", "ann@example.com")
		first, err := e.svc.Apply(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.svc.Apply(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Duplicate || again.TicketID != first.TicketID || again.MessageID != first.MessageID {
			t.Fatalf("redelivery = %+v, want duplicate of %+v", again, first)
		}
		if n := ticketItems(t, e.st); n != 2 { // ticket + message
			t.Fatalf("%d ticket-partition items, want 2", n)
		}
	})
}

func TestApplyFallsBackToChannelDefaultsForUnknownStatus(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		e := newEnv(t, backend, nil)
		m := submission("s1", "ann@example.com")
		m.Ticket = helpdesk.TicketDefaults{Pipeline: "support", Status: "no-such-stage"}
		res, err := e.svc.Apply(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		conv, _ := e.st.GetTicket(context.Background(), res.TicketID)
		if conv.Ticket.Status != "new" {
			t.Fatalf("status = %q, want the channel default", conv.Ticket.Status)
		}
	})
}

func TestApplyRejectsInvalidMessages(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		e := newEnv(t, backend, nil)
		m := submission("s1", "")
		if _, err := e.svc.Apply(context.Background(), m); !helpdesk.IsCode(err, helpdesk.EInvalid) {
			t.Fatalf("err = %v, want invalid", err)
		}
		m = submission("s1", "ann@example.com")
		m.ChannelID = "unknown"
		if _, err := e.svc.Apply(context.Background(), m); !helpdesk.IsCode(err, helpdesk.ENotFound) {
			t.Fatalf("err = %v, want not found", err)
		}
	})
}

// race runs n appliers at once, released together, and returns their results.
func race(t *testing.T, e env, n int, msg func(i int) *helpdesk.InboundMessage) []ingest.Result {
	t.Helper()
	results := make([]ingest.Result, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := msg(i)
			<-start
			results[i], errs[i] = e.svc.Apply(context.Background(), m)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("applier %d: %v", i, err)
		}
	}
	return results
}

// Sixteen first messages from one new address, applied concurrently (as if
// FIFO ordering were bypassed), must create sixteen tickets and one contact.
func TestConcurrentFirstMessagesFromOneSenderCreateOneContact(t *testing.T) {
	e := newEnv(t, testbed.DynamoDB, nil)
	const n = 16
	res := race(t, e, n, func(i int) *helpdesk.InboundMessage {
		return submission(fmt.Sprintf("s%d", i), "new.customer@example.com")
	})
	contacts := map[string]bool{}
	tickets := map[string]bool{}
	for _, r := range res {
		conv, err := e.st.GetTicket(context.Background(), r.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		contacts[conv.Ticket.ContactID] = true
		tickets[r.TicketID] = true
	}
	if len(tickets) != n || len(contacts) != 1 {
		t.Fatalf("%d tickets for %d contacts, want %d tickets for 1", len(tickets), len(contacts), n)
	}
	if got := countItems(t, dynamo(t, e.st), "CONTACT#"); got != 1 {
		t.Fatalf("%d contact items in the table, want 1", got)
	}
	if got := countItems(t, dynamo(t, e.st), "CONTACTKEY#"); got != 1 {
		t.Fatalf("%d contact lookup items, want 1", got)
	}
}

// Sixteen messages of one conversation (the same thread key) arriving at once
// must create exactly one ticket that holds all sixteen messages.
func TestConcurrentMessagesOfOneThreadCreateOneTicket(t *testing.T) {
	sameThread := threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
		return threading.Thread{Lookup: []threading.Key{{Key: "conv-42", Reason: "same_conversation"}}, Own: []string{"conv-42"}}
	})
	e := newEnv(t, testbed.DynamoDB, sameThread)
	const n = 16
	res := race(t, e, n, func(i int) *helpdesk.InboundMessage {
		return submission(fmt.Sprintf("s%d", i), fmt.Sprintf("user%d@example.com", i%3))
	})
	ids := map[string]bool{}
	created := 0
	for _, r := range res {
		ids[r.TicketID] = true
		if r.Created {
			created++
		}
	}
	if len(ids) != 1 || created != 1 {
		t.Fatalf("messages landed in %d tickets (%d created), want 1", len(ids), created)
	}
	var id string
	for k := range ids {
		id = k
	}
	conv, err := e.st.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(conv.Messages) != n || conv.Ticket.MessageCount != n {
		t.Fatalf("ticket has %d messages (count %d), want %d", len(conv.Messages), conv.Ticket.MessageCount, n)
	}
	reasons := map[string]int{}
	for _, m := range conv.Messages {
		reasons[m.ThreadReason]++
	}
	if reasons[ingest.ReasonNewTicket] != 1 || reasons["same_conversation"] != n-1 {
		t.Fatalf("thread reasons = %v", reasons)
	}
	if got := countItems(t, dynamo(t, e.st), "TICKET#"); got != n+1 {
		t.Fatalf("%d items in ticket partitions, want %d (no orphan tickets)", got, n+1)
	}
	contacts := sortedKeys(t, e)
	if len(contacts) != 3 {
		t.Fatalf("contacts = %v, want 3", contacts)
	}
}

func sortedKeys(t *testing.T, e env) []string {
	var out []string
	for _, email := range []string{"user0@example.com", "user1@example.com", "user2@example.com"} {
		id, err := e.st.FindContactID(context.Background(), "email#"+email)
		if err != nil {
			continue
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
