package ingest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
)

// spamDesk is a mail desk whose support address routes to bob (round
// robin), with an admin (ann) who may mark spam, bob following his
// tickets and asking for every email, and a published outbox.
func spamDesk(t *testing.T, backend testbed.Backend) (*mailDesk, *memOutbox, helpdesk.Principal) {
	d := newMailDesk(t, backend, helpdesk.EmailSettings{})
	out := &memOutbox{}
	d.svc.Outbound = out
	ctx := context.Background()
	ann := helpdesk.Agent{ID: "ann", Email: "ann@acme.example", Active: true, Role: helpdesk.RoleAdmin}
	bob := helpdesk.Agent{ID: "bob", Email: "bob@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAgent,
		Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeAll},
		Notify:      helpdesk.NotifyPrefs{EmailOnAssignment: true, EmailOnCustomerMessage: true}}
	for _, a := range []helpdesk.Agent{ann, bob} {
		if err := d.st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	ch, err := d.st.GetChannel(ctx, "email:support@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	ch.Routing = helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"bob"}, AnyAvailability: true}
	if err := d.st.PutChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	d.svc.Router = &routing.Router{Store: d.st, Now: d.svc.Now, Rand: func(int) int { return 0 }}
	return d, out, helpdesk.Principal{Agent: ann}
}

func notVisible(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "ticket_not_found", "no ticket %s", id)
}

// told counts bob's notifications and the jobs published since mark.
func told(t *testing.T, d *mailDesk, out *memOutbox, mark int) (notes, jobs int) {
	t.Helper()
	ns, err := d.st.Notifications(context.Background(), helpdesk.AgentRecipient("bob"), 100)
	if err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	return len(ns), len(out.jobs) - mark
}

// A spam ticket's later mail joins it and makes no auto-reply, no
// notification (in the app or by email) and no job of any kind; it stays
// in the Spam view, unrouted and unreopened.
func TestSpamTicketsLaterMailTellsNobody(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d, out, ann := spamDesk(t, backend)
		ctx := context.Background()
		first := d.mail(t, "s1@spam.example", "Cheap watches", from("seller@spam.example"))
		if first.OwnerID != "bob" {
			t.Fatalf("the first mail was routed to %q, want bob", first.OwnerID)
		}
		if _, err := d.tickets.Spam(ctx, first.TicketID, desk.SpamRequest{}, ann, notVisible); err != nil {
			t.Fatal(err)
		}
		notesBefore, _ := told(t, d, out, 0)
		out.mu.Lock()
		mark := len(out.jobs)
		out.mu.Unlock()

		r := d.mail(t, "s2@spam.example", "Re: Cheap watches", from("seller@spam.example"), inReplyTo("s1@spam.example"))
		if r.TicketID != first.TicketID || r.Created {
			t.Fatalf("the later mail did not join the spam ticket: %+v", r)
		}
		notes, jobs := told(t, d, out, mark)
		if notes != notesBefore || jobs != 0 {
			t.Errorf("the spam ticket's later mail told bob %d times and published %d jobs; want nothing", notes-notesBefore, jobs)
		}
		c := d.conv(t, first.TicketID)
		if c.Ticket.State != helpdesk.StateSpam || len(c.Ticket.Outbox) != 0 || len(c.Messages) != 2 {
			t.Errorf("spam ticket after its later mail: state %s, outbox %v, %d messages", c.Ticket.State, c.Ticket.Outbox, len(c.Messages))
		}
	})
}

// Blocking the sender: their next mail, a new thread, opens a ticket
// straight in the Spam view: not routed, nobody told, no job; their reply
// to a working ticket they wrote on does not reach it either. Unblocked,
// they are a customer again.
func TestBlockedSendersMailGoesStraightToSpam(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d, out, ann := spamDesk(t, backend)
		ctx := context.Background()
		working := d.mail(t, "w1@spam.example", "A real question", from("seller@spam.example"))
		spam := d.mail(t, "s1@spam.example", "Cheap watches", from("seller@spam.example"))
		res, err := d.tickets.Spam(ctx, spam.TicketID, desk.SpamRequest{BlockSender: true}, ann, notVisible)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Blocked) != 1 || res.Blocked[0].Key != "email#seller@spam.example" || res.Ticket.State != helpdesk.StateSpam {
			t.Fatalf("spam with block_sender: %+v", res)
		}
		notesBefore, _ := told(t, d, out, 0)
		out.mu.Lock()
		mark := len(out.jobs)
		out.mu.Unlock()

		next := d.mail(t, "s3@spam.example", "Rolex for you", from("Seller@Spam.example"))
		if !next.Created || next.OwnerID != "" {
			t.Fatalf("a blocked sender's new mail: %+v, want a new unrouted ticket", next)
		}
		c := d.conv(t, next.TicketID)
		if c.Ticket.State != helpdesk.StateSpam || c.Ticket.OwnerID != "" || c.Messages[0].ThreadNote != ingest.ReasonSenderBlocked {
			t.Errorf("the blocked sender's ticket: state %s, owner %q, note %q", c.Ticket.State, c.Ticket.OwnerID, c.Messages[0].ThreadNote)
		}
		reply := d.mail(t, "w2@spam.example", "Re: A real question", from("seller@spam.example"), inReplyTo("w1@spam.example"))
		if reply.TicketID == working.TicketID {
			t.Error("a blocked sender's reply joined a working ticket")
		}
		if h, _ := d.st.GetTicketHeader(ctx, reply.TicketID); h.State != helpdesk.StateSpam {
			t.Errorf("the blocked sender's reply is in %s, want spam", h.State)
		}
		notes, jobs := told(t, d, out, mark)
		if notes != notesBefore || jobs != 0 {
			t.Errorf("a blocked sender's mail told bob %d times and published %d jobs; want nothing", notes-notesBefore, jobs)
		}
		for _, st := range []helpdesk.State{helpdesk.StateOpen, helpdesk.StateClosed} {
			ts, _ := d.st.ListTickets(ctx, st, 100)
			for _, tk := range ts {
				if tk.ID == next.TicketID || tk.ID == reply.TicketID {
					t.Errorf("a blocked sender's ticket %s is in the %s view", tk.ID, st)
				}
			}
		}

		if err := d.tickets.Unblock(ctx, "email#seller@spam.example", ann); err != nil {
			t.Fatal(err)
		}
		again := d.mail(t, "s4@spam.example", "Sorry, a real order", from("seller@spam.example"))
		if h, _ := d.st.GetTicketHeader(ctx, again.TicketID); h.State != helpdesk.StateOpen || again.OwnerID != "bob" {
			t.Errorf("after unblocking: state %s, owner %q; want open, bob", h.State, again.OwnerID)
		}
	})
}

// A blocked visitor on a page that asks for explicit consent is neither
// held nor asked, and gets no greeting or instant reply: their message
// opens a spam ticket and nothing is published.
func TestBlockedMessengerVisitorIsNeverAnswered(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{Greeting: "Hello!", InstantReply: "We answer within the hour.",
			Consent: helpdesk.ConsentExplicit, ConsentText: "We keep your messages."})
		m := chatText("mid.blocked.1", "buy followers", t0)
		if err := d.st.BlockSender(context.Background(), helpdesk.BlockedSender{Key: m.Sender.Key(m.Channel), BlockedBy: "ann", BlockedAt: t0}); err != nil {
			t.Fatal(err)
		}
		r := d.apply(t, m)
		if !r.Created || r.Reason == ingest.ReasonHeldForConsent {
			t.Fatalf("a blocked visitor's message: %+v", r)
		}
		c := d.conv(t, r.TicketID)
		if c.Ticket.State != helpdesk.StateSpam || len(c.Messages) != 1 || len(c.Ticket.Outbox) != 0 {
			t.Errorf("blocked visitor's ticket: state %s, %d messages, outbox %v", c.Ticket.State, len(c.Messages), c.Ticket.Outbox)
		}
		d.outbox.mu.Lock()
		defer d.outbox.mu.Unlock()
		for _, j := range d.outbox.jobs {
			t.Errorf("published to a blocked visitor: %s", strings.SplitN(j, ",", 2)[0])
		}
	})
}
