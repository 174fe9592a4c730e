package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var t0 = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

func newStore(t *testing.T) (*store.Store, *dynamodb.Client, string) {
	db, table := testbed.Table(t)
	return store.New(db, table, store.WithClock(func() time.Time { return t0 })), db, table
}

// create is the change that creates ticket tk with msg, like ticket.Open.
func create(tk helpdesk.Ticket, msg helpdesk.Message, c *helpdesk.Contact, contactKey string, keys []string, dedupe string) ticket.Change {
	tk.ThreadKeys = keys
	ch := ticket.Change{Tickets: []ticket.Write{{After: &tk}}, Messages: []helpdesk.Message{msg},
		Dedupe: &ticket.Dedupe{Key: dedupe, TicketID: tk.ID, MessageID: msg.ID}}
	if c != nil {
		ch.Contact = &ticket.NewContact{Contact: *c, Key: contactKey}
	}
	for _, k := range keys {
		ch.ThreadKeys = append(ch.ThreadKeys, ticket.ThreadKey{Key: k, TicketID: tk.ID})
	}
	return ch
}

func newTicket(id, contactID string) (helpdesk.Ticket, helpdesk.Message) {
	tk := helpdesk.Ticket{
		ID: id, Subject: "Printer on fire", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
		Type: helpdesk.TypeEmailOther, ChannelID: "web", ChannelKind: helpdesk.ChannelForm,
		ContactID: contactID, Unread: true, MessageCount: 1, CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}
	msg := helpdesk.Message{ID: "m-" + id, TicketID: id, Direction: helpdesk.Inbound, ChannelID: "web",
		ChannelKind: helpdesk.ChannelForm, Text: "It is on fire.", ThreadReason: "new_ticket", CreatedAt: t0,
		Submission: map[string]string{"utm_source": "ad"}}
	return tk, msg
}

func TestCreateTicketWritesEverythingAndReadsBack(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	id, err := s.NextTicketNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id != "1" {
		t.Fatalf("first ticket number = %s, want 1", id)
	}
	tk, msg := newTicket(id, "c1")
	c := helpdesk.Contact{ID: "c1", Email: "Ann@Example.com", CreatedAt: t0}
	err = s.Commit(ctx, create(tk, msg, &c, "email#ann@example.com", []string{"form#web#s1"}, "web#s1"))
	if err != nil {
		t.Fatal(err)
	}

	conv, err := s.GetTicket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Ticket.Subject != tk.Subject || conv.Ticket.State != helpdesk.StateOpen || conv.Ticket.ContactID != "c1" {
		t.Errorf("ticket = %+v", conv.Ticket)
	}
	if len(conv.Messages) != 1 || conv.Messages[0].Text != msg.Text || conv.Messages[0].Submission["utm_source"] != "ad" {
		t.Errorf("messages = %+v", conv.Messages)
	}
	if got, err := s.FindContactID(ctx, "email#ann@example.com"); err != nil || got != "c1" {
		t.Errorf("FindContactID = %q, %v", got, err)
	}
	if got, err := s.GetContact(ctx, "c1"); err != nil || got.Email != "Ann@Example.com" {
		t.Errorf("GetContact = %+v, %v", got, err)
	}
	if got, key, err := s.FindThread(ctx, []string{"nope", "form#web#s1"}); err != nil || got != id || key != "form#web#s1" {
		t.Errorf("FindThread = %q %q %v", got, key, err)
	}
	rec, err := s.FindDedupe(ctx, "web#s1")
	if err != nil || rec.TicketID != id || rec.MessageID != msg.ID {
		t.Errorf("FindDedupe = %+v, %v", rec, err)
	}
	open, err := s.ListTickets(ctx, helpdesk.StateOpen, 10)
	if err != nil || len(open) != 1 || open[0].ID != id {
		t.Errorf("ListTickets(open) = %+v, %v", open, err)
	}
}

func TestCreateTicketReportsWhichRaceWasLost(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	tk, msg := newTicket("1", "c1")
	c := helpdesk.Contact{ID: "c1", Email: "ann@example.com", CreatedAt: t0}
	if err := s.Commit(ctx, create(tk, msg, &c, "email#ann@example.com", []string{"thread-a"}, "web#s1")); err != nil {
		t.Fatal(err)
	}
	tk2, msg2 := newTicket("2", "c2")
	c2 := helpdesk.Contact{ID: "c2", Email: "ann@example.com", CreatedAt: t0}
	cases := []struct {
		name string
		nt   ticket.Change
		want error
	}{
		{"same dedupe key", create(tk2, msg2, nil, "", []string{"thread-b"}, "web#s1"), store.ErrDuplicate},
		{"same thread key", create(tk2, msg2, nil, "", []string{"thread-a"}, "web#s2"), store.ErrThreadTaken},
		{"same contact key, new contact", create(tk2, msg2, &c2, "email#ann@example.com", []string{"thread-b"}, "web#s2"), store.ErrContactTaken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Commit(ctx, tc.nt)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := s.GetTicket(ctx, "2"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("ticket 2 exists after a failed create: %v", err)
			}
		})
	}
}

func TestAppendIsIdempotentAndConditionedOnTheVersion(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	tk, msg := newTicket("1", "c1")
	c := helpdesk.Contact{ID: "c1", Email: "ann@example.com", CreatedAt: t0}
	if err := s.Commit(ctx, create(tk, msg, &c, "email#ann@example.com", []string{"thread-a"}, "d1")); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	reply := helpdesk.Message{ID: "m-2", Direction: helpdesk.Inbound, Text: "Still burning", CreatedAt: later}
	cur, err := s.GetTicketHeader(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	app, err := ticket.Append(cur, reply, "email#ann@example.com", []string{"thread-c", "thread-a", "thread-c"}, helpdesk.DefaultSettings(), later)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(app.ThreadKeys); n != 1 {
		t.Fatalf("append registers %d thread keys, want 1 (thread-a is the ticket's, thread-c named twice)", n)
	}
	app.Dedupe = &ticket.Dedupe{Key: "d2", TicketID: "1", MessageID: reply.ID}
	if err := s.Commit(ctx, app); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, app); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second append: err = %v, want ErrDuplicate", err)
	}
	app.Dedupe.Key, app.Messages[0].ID = "d3", "m-3"
	if err := s.Commit(ctx, app); !errors.Is(err, store.ErrVersionChanged) {
		t.Fatalf("append decided on a stale version: err = %v, want ErrVersionChanged", err)
	}
	conv, err := s.GetTicket(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(conv.Messages) != 2 || conv.Ticket.MessageCount != 2 || conv.Ticket.Version != 2 ||
		!conv.Ticket.LastCustomerMessageAt.Equal(later) || !conv.Ticket.UpdatedAt.Equal(later) {
		t.Fatalf("after append: ticket %+v, %d messages", conv.Ticket, len(conv.Messages))
	}
	if id, _, err := s.FindThread(ctx, []string{"thread-c"}); err != nil || id != "1" {
		t.Fatalf("new thread key: %q %v", id, err)
	}
	if _, err := s.GetTicketHeader(ctx, "404"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a missing ticket: err = %v, want ErrNotFound", err)
	}
}

// Sixteen writers race to create a ticket for the same thread key: DynamoDB's
// conditions must let exactly one win and tell every other one why it lost.
func TestConcurrentCreatesWithOneThreadKeyYieldOneTicket(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint(i + 1)
			tk, msg := newTicket(id, "c"+id)
			c := helpdesk.Contact{ID: "c" + id, Email: fmt.Sprintf("u%d@example.com", i), CreatedAt: t0}
			<-start
			errs[i] = s.Commit(ctx, create(tk, msg, &c, "email#"+c.Email, []string{"same-thread"}, "d"+id))
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, store.ErrThreadTaken), errors.Is(err, store.ErrContention):
		default:
			t.Errorf("writer %d: unexpected error %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers created a ticket, want exactly 1", won)
	}
	open, err := s.ListTickets(ctx, helpdesk.StateOpen, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 {
		t.Fatalf("%d tickets in the table, want 1", len(open))
	}
}
