package localrun_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket/tickettest"
)

// These tests kill a committer between its commit and its publish: the
// jobs it committed must still be sent, exactly once, by the outbox relay.

// sweep runs the relay as its schedule would once the grace period passed.
func (s stack) sweep(t *testing.T) int {
	t.Helper()
	s.r.Relay.Grace = 0
	n, err := s.r.Relay.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sentTexts counts what the fake Graph API accepted, by text.
func (s stack) sentTexts() map[string]int {
	out := map[string]int{}
	for _, m := range s.r.Graph.Sent() {
		out[m.Text]++
	}
	return out
}

// An agent's reply committed by a process that stops before publishing
// (desk.Reply commits; its caller never publishes the job) is sent once.
func TestReplyCommittedByADeadProcessIsSentOnceByTheRelay(t *testing.T) {
	s := start(t)
	if code := s.deliver(t, "/whatsapp", fixture(t, "whatsapp_text.json")); code != 200 {
		t.Fatalf("delivery: %d", code)
	}
	s.drain(t)
	c := s.conversationOf(t, helpdesk.ChannelWhatsApp)
	tickettest.Edit(t, s.r.Store, c.Ticket.ID, func(tk *helpdesk.Ticket) { tk.LastCustomerMessageAt = time.Now().UTC() })

	svc := &desk.Service{Store: s.r.Store, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: time.Now}
	const text = "Committed, then the process died."
	msg, jobs, err := svc.Reply(context.Background(), c.Ticket.ID, "alice", text, "")
	if err != nil || len(jobs) != 1 {
		t.Fatalf("reply: %v, %d jobs", err, len(jobs))
	}
	// The process dies here: nothing is published.
	s.drainOutbound(t)
	if n := s.sentTexts()[text]; n != 0 {
		t.Fatalf("sent %d times before the relay ran", n)
	}

	if n := s.sweep(t); n != 1 {
		t.Fatalf("relay flushed %d tickets, want 1", n)
	}
	s.drainOutbound(t)
	if n := s.sentTexts()[text]; n != 1 {
		t.Fatalf("sent %d times after the relay, want 1", n)
	}
	if n := s.sweep(t); n != 0 {
		t.Fatalf("a second sweep flushed %d tickets: the outbox was not cleared", n)
	}
	// Published twice after all (a relay and a late committer racing): the
	// sender sends once.
	for _, body := range jobs {
		if err := s.r.Router.Outbound.Publish(context.Background(), body); err != nil {
			t.Fatal(err)
		}
	}
	s.drainOutbound(t)
	if n := s.sentTexts()[text]; n != 1 {
		t.Fatalf("sent %d times after a duplicate job, want 1", n)
	}
	conv, err := s.r.Store.GetTicket(context.Background(), c.Ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range conv.Messages {
		if m.ID == msg.ID && m.Status != helpdesk.StatusSent {
			t.Fatalf("reply status %s, want sent", m.Status)
		}
	}
}

// dying is an outbound queue the process dies on: the commit happened, the
// publish never does.
type dying struct{}

func (dying) Publish(context.Context, string) error { return errors.New("killed before publishing") }

// The router commits a new Messenger ticket with its greeting and instant
// reply, then dies before publishing them, and its SQS record is never
// redelivered: the relay still sends both, once.
func TestRouterCommitWithoutPublishIsSentOnceByTheRelay(t *testing.T) {
	s := start(t)
	if code := s.deliver(t, "/messenger", fresh(fixture(t, "messenger_text.json"))); code != 200 {
		t.Fatalf("delivery: %d", code)
	}
	live := s.r.Router.Outbound
	s.r.Router.Outbound = dying{}
	if _, err := s.r.PollOnce(context.Background(), 2*time.Second); err != nil {
		t.Fatal(err)
	}
	s.r.Router.Outbound = live
	url := s.r.Stack.QueueURLs["IngestQueue"]
	if _, err := s.sqs.PurgeQueue(context.Background(), &sqs.PurgeQueueInput{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	c := s.conversationOf(t, helpdesk.ChannelMessenger)
	if len(c.Messages) != 3 {
		t.Fatalf("the router's commit holds %d messages, want the visitor's, the greeting and the instant reply", len(c.Messages))
	}
	s.drainOutbound(t)
	if n := len(s.r.Graph.Sent()); n != 0 {
		t.Fatalf("%d messages sent before the relay ran", n)
	}

	if n := s.sweep(t); n != 1 {
		t.Fatalf("relay flushed %d tickets, want 1", n)
	}
	s.drainOutbound(t)
	sent := s.r.Graph.Sent()
	if len(sent) != 2 || sent[0].Kind != graphfake.KindMessenger {
		t.Fatalf("after the relay the Send API got %+v, want the greeting and the instant reply", sent)
	}
	for text, n := range s.sentTexts() {
		if n != 1 {
			t.Fatalf("%q sent %d times", text, n)
		}
	}
	if n := s.sweep(t); n != 0 {
		t.Fatalf("a second sweep flushed %d tickets", n)
	}
}
