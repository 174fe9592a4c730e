package ingest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/routing"
)

// fakeUploads is the bucket's HeadObject: the objects it holds, by key.
type fakeUploads map[string]helpdesk.Attachment

func (f fakeUploads) Stat(_ context.Context, key string) (int64, string, map[string]string, error) {
	a, ok := f[key]
	if !ok {
		return 0, "", nil, helpdesk.ErrNotFound
	}
	return a.Size, a.ContentType, map[string]string{"name": a.Name}, nil
}

// portalDesk is a mail desk where ann@example.com (a contact, by her
// first mail) has ticket first, owned by bob.
type portalDesk struct {
	*mailDesk
	out     *memOutbox
	first   string // ann's ticket
	contact string // ann's contact id
	seq     int
}

func newPortalDesk(t *testing.T, backend testbed.Backend) *portalDesk {
	d := &portalDesk{mailDesk: newMailDesk(t, backend, helpdesk.EmailSettings{}), out: &memOutbox{}}
	d.svc.Outbound = d.out
	ctx := context.Background()
	if err := d.st.PutAgent(ctx, helpdesk.Agent{ID: "bob", Name: "Bob", Email: "bob@acme.example", Seat: true, Active: true,
		Role: helpdesk.RoleAgent, Notify: helpdesk.NotifyPrefs{EmailOnCustomerMessage: true}}); err != nil {
		t.Fatal(err)
	}
	r := d.mail(t, "first@mail.example", "Printer on fire")
	d.first = r.TicketID
	if _, err := d.tickets.Assign(ctx, d.first, "bob", "", "bob"); err != nil {
		t.Fatal(err)
	}
	tk, err := d.st.GetTicketHeader(ctx, d.first)
	if err != nil {
		t.Fatal(err)
	}
	d.contact = tk.ContactID
	return d
}

// action is a portal action of contact as the portal API queues it.
func (d *portalDesk) action(contact, email string, a helpdesk.PortalAction, text string) *helpdesk.InboundMessage {
	d.seq++
	a.ContactID = contact
	return &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelPortal, ChannelID: helpdesk.PortalChannelID,
		ProviderMessageID: "portal-" + strings.Repeat("0", 30) + string(rune('a'+d.seq/10)) + string(rune('0'+d.seq%10)),
		ReceivedAt:        d.clk.Add(time.Duration(100+d.seq) * time.Second), Sender: helpdesk.Sender{Email: email, Name: "Ann"},
		Text: text, Portal: &a}
}

func (d *portalDesk) apply(t *testing.T, m *helpdesk.InboundMessage) ingest.Result {
	t.Helper()
	r, err := d.svc.Apply(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (d *portalDesk) filtered(t *testing.T) []helpdesk.FilteredMail {
	t.Helper()
	fs, _, err := d.st.ListFiltered(context.Background(), helpdesk.FilteredPortal, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func (d *portalDesk) customerEmails() int {
	n := 0
	for _, j := range d.out.jobs {
		if strings.Contains(j, `"kind":"customer.email"`) {
			n++
		}
	}
	return n
}

// A portal reply lands in its ticket as an email reply would: it reopens
// the closed ticket and tells its owner; delivered twice, it lands once.
func TestPortalReplyLandsReopensAndTellsTheOwner(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newPortalDesk(t, backend)
		ctx := context.Background()
		if _, err := d.tickets.SetStatus(ctx, d.first, "closed", "bob"); err != nil {
			t.Fatal(err)
		}
		m := d.action(d.contact, "ann@example.com", helpdesk.PortalAction{TicketID: d.first}, "It is still on fire.")
		r := d.apply(t, m)
		if r.TicketID != d.first || r.Created || r.Duplicate || r.MessageID == "" || r.Reason != ingest.ReasonPortal {
			t.Fatalf("result %+v", r)
		}
		conv := d.conv(t, d.first)
		last := conv.Messages[len(conv.Messages)-1]
		if last.ID != r.MessageID || last.Text != "It is still on fire." || last.ChannelKind != helpdesk.ChannelPortal ||
			last.AuthorContactID != d.contact || last.Direction != helpdesk.Inbound {
			t.Fatalf("the reply: %+v", last)
		}
		if conv.Ticket.State != helpdesk.StateOpen || !conv.Ticket.Unread {
			t.Fatalf("the ticket was not reopened: %+v", conv.Ticket)
		}
		ns, err := d.st.Notifications(ctx, helpdesk.AgentRecipient("bob"), 10)
		if err != nil || len(ns) == 0 || ns[0].Kind != helpdesk.NotifyCustomerMessage || ns[0].MessageID != r.MessageID {
			t.Fatalf("bob's notifications %+v, %v", ns, err)
		}
		var told int
		for _, j := range d.out.jobs {
			if strings.Contains(j, `"kind":"notification.email"`) && strings.Contains(j, "bob@acme.example") {
				told++
			}
		}
		if told != 1 {
			t.Fatalf("bob emailed %d times of the reply, want once", told)
		}

		// Redelivered, as the queue carries it: nothing new.
		body, err := jobs.EncodeInbound(m)
		if err != nil {
			t.Fatal(err)
		}
		wire, err := jobs.DecodeInbound(string(body))
		if err != nil || wire.Portal == nil || *wire.Portal != *m.Portal {
			t.Fatalf("the queued form lost the portal action: %+v, %v", wire, err)
		}
		again := d.apply(t, wire)
		if !again.Duplicate || again.TicketID != d.first || again.MessageID != r.MessageID {
			t.Fatalf("redelivery %+v", again)
		}
		if n := len(d.conv(t, d.first).Messages); n != len(conv.Messages) {
			t.Fatalf("%d messages after the redelivery, want %d", n, len(conv.Messages))
		}
		if ns2, _ := d.st.Notifications(ctx, helpdesk.AgentRecipient("bob"), 10); len(ns2) != len(ns) {
			t.Fatalf("bob told again on a redelivery: %d, then %d", len(ns), len(ns2))
		}
	})
}

// The customer closes and reopens through the model: status activities
// by the contact, the owner told, the customer not (their own move); a
// reply with close closes in the same change.
func TestPortalCloseAndReopen(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newPortalDesk(t, backend)
		ctx := context.Background()
		before, _ := d.st.Notifications(ctx, helpdesk.AgentRecipient("bob"), 20)
		r := d.apply(t, d.action(d.contact, "ann@example.com", helpdesk.PortalAction{TicketID: d.first, Close: true}, ""))
		if r.TicketID != d.first || r.MessageID != "" {
			t.Fatalf("close: %+v", r)
		}
		conv := d.conv(t, d.first)
		if conv.Ticket.State != helpdesk.StateClosed || conv.Ticket.Status != "closed" {
			t.Fatalf("not closed: %+v", conv.Ticket)
		}
		var moves []string
		for _, a := range conv.Activities {
			if a.Kind == helpdesk.ActivityStatus {
				moves = append(moves, a.To+" by "+a.ActorID)
			}
		}
		if len(moves) != 1 || moves[0] != "closed by contact:"+d.contact {
			t.Fatalf("status activities %v", moves)
		}
		ns, _ := d.st.Notifications(ctx, helpdesk.AgentRecipient("bob"), 20)
		if len(ns) != len(before)+1 || ns[0].Kind != helpdesk.NotifyStatus {
			t.Fatalf("bob's notifications %+v", ns)
		}
		if n := d.customerEmails(); n != 0 {
			t.Fatalf("%d customer emails for the customer's own close", n)
		}

		d.apply(t, d.action(d.contact, "ann@example.com", helpdesk.PortalAction{TicketID: d.first, Reopen: true}, ""))
		if tk := d.conv(t, d.first).Ticket; tk.State != helpdesk.StateOpen || tk.Status != "new" {
			t.Fatalf("not reopened: %+v", tk)
		}
		// Reopen an open ticket (it raced an agent's reopen): filtered, with why.
		d.apply(t, d.action(d.contact, "ann@example.com", helpdesk.PortalAction{TicketID: d.first, Reopen: true}, ""))
		if fs := d.filtered(t); len(fs) != 1 || fs[0].Reason != "not_closed:"+d.first {
			t.Fatalf("filtered %+v", fs)
		}

		r = d.apply(t, d.action(d.contact, "ann@example.com", helpdesk.PortalAction{TicketID: d.first, Close: true}, "Thanks, all good."))
		conv = d.conv(t, d.first)
		if conv.Ticket.State != helpdesk.StateClosed || conv.Messages[len(conv.Messages)-1].ID != r.MessageID {
			t.Fatalf("reply and close: %+v", conv.Ticket)
		}
	})
}

// A new portal ticket is numbered and routed by the portal channel's
// rule; without a portal channel it is filtered (no_portal_channel). Its
// uploads are kept when under the contact's prefix and in the bucket,
// else noted.
func TestPortalNewTicketIsRoutedByThePortalChannel(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newPortalDesk(t, backend)
		ctx := context.Background()
		own := helpdesk.PortalUploadPrefix(d.contact) + "0123456789abcdef0123456789abcdef"
		other := helpdesk.PortalUploadPrefix("someone-else") + "fedcba9876543210fedcba9876543210"
		d.svc.Uploads = fakeUploads{
			own:   {Name: "photo.png", ContentType: "image/png", Size: 1234},
			other: {Name: "theirs.pdf", ContentType: "application/pdf", Size: 99},
		}
		m := d.action(d.contact, "ann@example.com", helpdesk.PortalAction{}, "My scanner is broken too.")
		m.Subject = "Scanner"
		m.Attachments = []helpdesk.Attachment{{Key: own}, {Key: other}, {Key: helpdesk.PortalUploadPrefix(d.contact) + "ffffffffffffffffffffffffffffffff"}}

		r := d.apply(t, m)
		if r.TicketID != "" || r.Reason != ingest.ReasonPortalFiltered+":"+ingest.FilteredNoPortalChannel {
			t.Fatalf("without a portal channel: %+v", r)
		}
		if fs := d.filtered(t); len(fs) != 1 || fs[0].Reason != ingest.FilteredNoPortalChannel || fs[0].SESMessageID != m.ProviderMessageID {
			t.Fatalf("filtered %+v", fs)
		}

		portal := helpdesk.Channel{ID: helpdesk.PortalChannelID, Kind: helpdesk.ChannelPortal, Name: "Portal",
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new", Priority: helpdesk.PriorityHigh},
			Routing:  helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"bob"}, AnyAvailability: true}}
		if err := d.st.PutChannel(ctx, portal); err != nil {
			t.Fatal(err)
		}
		d.svc.Router = &routing.Router{Store: d.st, Now: d.svc.Now, Rand: func(int) int { return 0 }}
		m2 := d.action(d.contact, "ann@example.com", helpdesk.PortalAction{}, "My scanner is broken too.")
		m2.Subject, m2.Attachments = "Scanner", m.Attachments
		r = d.apply(t, m2)
		if !r.Created || r.OwnerID != "bob" || r.TicketID == "" || r.TicketID == d.first {
			t.Fatalf("new ticket: %+v", r)
		}
		conv := d.conv(t, r.TicketID)
		tk := conv.Ticket
		if tk.ChannelKind != helpdesk.ChannelPortal || tk.ChannelID != helpdesk.PortalChannelID || tk.ContactID != d.contact ||
			tk.Subject != "Scanner" || tk.Priority != helpdesk.PriorityHigh || tk.OwnerID != "bob" {
			t.Fatalf("ticket %+v", tk)
		}
		atts := conv.Messages[0].Attachments
		if len(atts) != 3 || atts[0].Key != own || atts[0].Name != "photo.png" || atts[0].Size != 1234 ||
			atts[1].Key != "" || atts[1].Note == "" || atts[2].Key != "" || atts[2].Note == "" {
			t.Fatalf("attachments %+v", atts)
		}
		if again := d.apply(t, m2); !again.Duplicate || again.TicketID != r.TicketID {
			t.Fatalf("redelivery %+v", again)
		}
	})
}

// An action naming someone else's ticket is filtered with why, changes
// nothing, and is recorded once however often it is delivered.
func TestPortalActionOnAnothersTicketIsFiltered(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newPortalDesk(t, backend)
		other := d.mail(t, "other@mail.example", "Mine", from("zed@example.com"))
		otherTk := d.conv(t, other.TicketID).Ticket
		before := d.conv(t, d.first)
		for _, a := range []helpdesk.PortalAction{{TicketID: d.first}, {TicketID: d.first, Close: true}} {
			m := d.action(otherTk.ContactID, "zed@example.com", a, "")
			if !a.Close {
				m.Text = "Let me in."
			}
			for range 2 {
				if r := d.apply(t, m); r.TicketID != "" || !strings.HasPrefix(r.Reason, ingest.ReasonPortalFiltered+":not_the_contacts_ticket") {
					t.Fatalf("%+v: %+v", a, r)
				}
			}
		}
		after := d.conv(t, d.first)
		if after.Ticket.Version != before.Ticket.Version || len(after.Messages) != len(before.Messages) {
			t.Fatalf("ticket changed: %+v", after.Ticket)
		}
		if fs := d.filtered(t); len(fs) != 2 || fs[0].Reason != "not_the_contacts_ticket:"+d.first {
			t.Fatalf("filtered %+v, want the two actions once each", fs)
		}
		// A ticket that does not exist is filtered alike.
		d.apply(t, d.action(d.contact, "ann@example.com", helpdesk.PortalAction{TicketID: "999"}, "hello"))
		if fs := d.filtered(t); len(fs) != 3 {
			t.Fatalf("filtered %+v", fs)
		}
	})
}
