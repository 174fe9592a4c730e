package desk_test

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// supportMail is an email channel that routes new tickets to bob.
var supportMail = helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
	Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
	Routing:  helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"bob"}},
	Email:    &helpdesk.EmailSettings{Address: "support@acme.example"}}

// mailFixture is newFixture with the email channel, mail threaded by its
// headers (threading.ByChannel) and a desk that routes split tickets.
func mailFixture(t *testing.T, backend testbed.Backend) *fixture {
	f := newFixture(t, backend)
	if err := f.st.PutChannel(f.ctx, supportMail); err != nil {
		t.Fatal(err)
	}
	pipes := settings.Fixed(helpdesk.DefaultSettings())
	router := &routing.Router{Store: f.st, Now: f.clk.now}
	f.svc = &desk.Service{Store: f.st, Settings: pipes, Now: f.clk.now, Router: router}
	f.apply = &ingest.Service{Store: f.st, Threader: threading.ByChannel([]byte("secret")), Settings: pipes, Now: f.clk.now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Router: router, Outbound: nopOutbox{}}
	return f
}

// mail applies a customer's mail id, a reply to inReplyTo ("" for none),
// an hour after the last, and returns where it landed.
func (f *fixture) mail(t *testing.T, id, inReplyTo string) ingest.Result {
	t.Helper()
	f.clk.t = f.clk.t.Add(time.Hour)
	res, err := f.applyMail(id, inReplyTo)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// applyMail applies mail id at the clock's time (safe to run beside others).
func (f *fixture) applyMail(id, inReplyTo string) (ingest.Result, error) {
	h := &helpdesk.EmailHeaders{MessageID: id}
	if inReplyTo != "" {
		h.InReplyTo, h.References = []string{inReplyTo}, []string{"a1@example.com", inReplyTo}
	}
	return f.apply.Apply(f.ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail,
		ChannelID: supportMail.ID, ProviderMessageID: id, ReceivedAt: f.clk.t, Email: h,
		Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: "Re: Order 1", Text: "mail " + id})
}

// A split through the application: the new ticket is numbered, routed by
// the channel's rule and counted; then a customer's reply to the mail split
// off lands in the new ticket and a reply to one that stayed in the old.
func TestSplitRoutesTheNewTicketAndRepliesFollowTheirMail(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := mailFixture(t, backend)
		first := f.mail(t, "a1@example.com", "")
		f.mail(t, "a2@example.com", "a1@example.com")
		third := f.mail(t, "a3@example.com", "a2@example.com")
		old := first.TicketID
		if third.TicketID != old || first.OwnerID != "bob" {
			t.Fatalf("the thread: %+v %+v", first, third)
		}
		conv := f.ticket(t, old)
		a2 := conv.Messages[1].ID
		f.wantLoads(t, 0, 1)

		res, err := f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{a2}, Subject: "Second order",
			AgentID: "ann", Version: conv.Ticket.Version})
		if err != nil {
			t.Fatal(err)
		}
		nt := res.Ticket
		if nt.ID == old || nt.OwnerID != "bob" || nt.MessageCount != 1 || res.Source.MessageCount != 2 || nt.Subject != "Second order" {
			t.Fatalf("split: new %+v, old %+v", nt, res.Source)
		}
		f.wantLoads(t, 0, 2)
		acts := f.ticket(t, nt.ID).Activities
		if len(acts) != 2 || acts[0].Kind != helpdesk.ActivitySplit || acts[1].Kind != helpdesk.ActivityRouted {
			t.Fatalf("the new ticket's timeline %+v", acts)
		}

		// The customer answers the mail that moved, then one that stayed.
		if r := f.mail(t, "b2@example.com", "a2@example.com"); r.TicketID != nt.ID || r.Reason != threading.ReasonInReplyTo {
			t.Fatalf("a reply to the split-off mail landed in %s (%s), want %s", r.TicketID, r.Reason, nt.ID)
		}
		if r := f.mail(t, "b3@example.com", "a3@example.com"); r.TicketID != old {
			t.Fatalf("a reply to a mail that stayed landed in %s, want %s", r.TicketID, old)
		}
		if n, o := f.ticket(t, nt.ID), f.ticket(t, old); len(n.Messages) != 2 || n.Ticket.MessageCount != 2 ||
			len(o.Messages) != 3 || o.Ticket.MessageCount != 3 {
			t.Fatalf("after the replies: new %d/%d, old %d/%d", len(n.Messages), n.Ticket.MessageCount, len(o.Messages), o.Ticket.MessageCount)
		}

		// A caller who saw an older version is refused; nothing changes.
		_, err = f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{conv.Messages[0].ID}, Subject: "x",
			AgentID: "ann", Version: conv.Ticket.Version})
		if !errors.Is(err, ticket.ErrStale) {
			t.Fatalf("a stale split: %v", err)
		}
	})
}

// An owner given takes the new ticket; a team alone leaves it unassigned
// in that team; neither goes through the router.
func TestSplitWithAnOwnerOrATeamIsNotRouted(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := mailFixture(t, backend)
		if err := f.st.PutTeam(f.ctx, helpdesk.Team{ID: "T", Name: "T", MemberIDs: []string{"ann"}}); err != nil {
			t.Fatal(err)
		}
		old := f.mail(t, "a1@example.com", "").TicketID
		f.mail(t, "a2@example.com", "a1@example.com")
		f.mail(t, "a3@example.com", "a2@example.com")
		msgs := f.ticket(t, old).Messages
		res, err := f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{msgs[1].ID}, Subject: "Ann's", OwnerID: "ann", AgentID: "bob"})
		if err != nil || res.Ticket.OwnerID != "ann" {
			t.Fatalf("split with an owner: %+v %v", res.Ticket, err)
		}
		f.wantLoads(t, 1, 1)
		res, err = f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{msgs[2].ID}, Subject: "Team's", TeamID: "T", AgentID: "bob"})
		if err != nil || res.Ticket.OwnerID != "" || res.Ticket.TeamID != "T" {
			t.Fatalf("split with a team: %+v %v", res.Ticket, err)
		}
		f.wantLoads(t, 1, 1)
		_, err = f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{msgs[0].ID}, Subject: "All", AgentID: "bob"})
		var he *helpdesk.Error
		if !errors.As(err, &he) || he.Reason != "split_all_messages" {
			t.Fatalf("splitting off the last message: %v", err)
		}
		_, err = f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{msgs[0].ID}, Subject: "x", OwnerID: "nobody", AgentID: "bob"})
		if !errors.As(err, &he) || he.Reason != "owner_unknown" {
			t.Fatalf("an unknown owner: %v", err)
		}
		form := f.newTicket(t, "printer")
		_, err = f.svc.Split(f.ctx, desk.SplitRequest{TicketID: form, MessageIDs: []string{"x"}, Subject: "x", AgentID: "bob"})
		if !errors.As(err, &he) || he.Reason != "split_email_only" {
			t.Fatalf("a form ticket: %v", err)
		}
	})
}
