package ingest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// watchedMessenger is a chat desk whose Messenger conversation (the
// fixture's first message) is owned by bob, who wants edits by email,
// followed by kim, and read: the state an agent leaves a ticket in after
// answering it. The clock is just after the message, inside the reply
// window.
func watchedMessenger(t *testing.T, backend testbed.Backend) (*chatDesk, *desk.Service, ingest.Result) {
	t.Helper()
	d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
	ctx := context.Background()
	for _, a := range []helpdesk.Agent{
		{ID: "bob", Email: "bob@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAgent,
			Notify: helpdesk.NotifyPrefs{EmailOnCustomerEdit: true}},
		{ID: "kim", Email: "kim@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAgent, Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeAll}},
		{ID: "ann", Email: "ann@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAdmin},
	} {
		if err := d.st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	first := fixtureBatch(t, "messenger_text.json").Messages[0]
	*d.clk = first.ReceivedAt.Add(500 * time.Millisecond) // before the edit (fixture times)
	r := d.apply(t, &first)
	tickets := &desk.Service{Store: d.st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: func() time.Time { return *d.clk }}
	if _, err := tickets.Assign(ctx, r.TicketID, "bob", "", "ann"); err != nil {
		t.Fatal(err)
	}
	if _, err := tickets.Follow(ctx, r.TicketID, "kim"); err != nil {
		t.Fatal(err)
	}
	if _, err := tickets.SetUnread(ctx, r.TicketID, false); err != nil {
		t.Fatal(err)
	}
	return d, tickets, r
}

func (d *chatDesk) notes(t *testing.T, agentID string) []helpdesk.Notification {
	t.Helper()
	ns, err := d.st.Notifications(context.Background(), helpdesk.AgentRecipient(agentID), 20)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func (d *chatDesk) header(t *testing.T, id string) helpdesk.Ticket {
	t.Helper()
	tk, err := d.st.GetTicketHeader(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// A customer's edit of a message an agent has read makes the ticket
// unread and tells its watchers (owner and follower, not ann who only
// assigned it) that the customer edited it, once however often Meta
// delivers the edit, by email for bob who asked; the ticket stays where it
// was otherwise (no new message, no status change).
func TestMessengerEditMarksTicketUnreadAndTellsWatchers(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d, _, r := watchedMessenger(t, backend)
		before := d.header(t, r.TicketID)
		if before.Unread || before.OwnerID != "bob" {
			t.Fatalf("set-up: %+v", before)
		}
		told := map[string]int{"bob": len(d.notes(t, "bob")), "kim": len(d.notes(t, "kim")), "ann": len(d.notes(t, "ann"))}

		edit := fixtureBatch(t, "messenger_edit.json").Messages[0]
		res := d.apply(t, &edit)
		if res.TicketID != r.TicketID || res.MessageID != r.MessageID || res.Duplicate || res.Reason != ingest.ReasonEdit {
			t.Fatalf("edit: %+v", res)
		}
		after := d.header(t, r.TicketID)
		if !after.Unread || after.Version != before.Version+1 || !after.UpdatedAt.Equal(edit.ReceivedAt) ||
			after.MessageCount != before.MessageCount || after.Status != before.Status || !after.LastCustomerMessageAt.Equal(before.LastCustomerMessageAt) {
			t.Fatalf("ticket after the edit: %+v (before %+v)", after, before)
		}
		contact := ticket.ContactActor(before.ContactID)
		for who, want := range map[string]int{"bob": 1, "kim": 1, "ann": 0} {
			ns := d.notes(t, who)
			if len(ns)-told[who] != want {
				t.Fatalf("%s told %d times of the edit: %+v", who, len(ns)-told[who], ns)
			}
			if want > 0 && (ns[0].Kind != helpdesk.NotifyCustomerEdit || ns[0].MessageID != r.MessageID || ns[0].ActorID != contact || ns[0].TicketID != r.TicketID) {
				t.Fatalf("%s's notification: %+v", who, ns[0])
			}
		}
		emails := jobsOf[jobs.NotificationEmail](t, d.outbox, jobs.KindNotificationEmail)
		if len(emails) != 1 || emails[0].ToAgentID != "bob" || emails[0].Kind != helpdesk.NotifyCustomerEdit {
			t.Fatalf("emails published: %+v, want bob's about the edit", emails)
		}
		if tk := d.header(t, r.TicketID); len(tk.Outbox) != 0 {
			t.Fatalf("the email job was left in the outbox: %v", tk.Outbox)
		}

		// Redelivered: nothing changes, nobody is told again.
		if res := d.apply(t, &edit); !res.Duplicate {
			t.Fatalf("a redelivered edit: %+v", res)
		}
		if again := d.header(t, r.TicketID); again.Version != after.Version {
			t.Fatalf("a redelivered edit wrote the ticket: version %d, want %d", again.Version, after.Version)
		}
		if n := len(d.notes(t, "bob")) - told["bob"]; n != 1 {
			t.Fatalf("bob told %d times of one edit", n)
		}
	})
}

// A reaction is an acknowledgement: the customer's 👍 to our reply (or a
// reaction to their own message, or its withdrawal) shows on the message
// and leaves the ticket as it was: still read, same version and
// updatedAt, nobody told.
func TestMessengerReactionLeavesTheTicketAlone(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d, _, r := watchedMessenger(t, backend)
		out := d.outbound(t, r.TicketID, d.clk.Add(time.Second), helpdesk.StatusSent)
		before := d.header(t, r.TicketID)
		told := len(d.notes(t, "bob")) + len(d.notes(t, "kim"))

		reactions := fixtureBatch(t, "messenger_reactions.json").Messages
		like := reactions[1]
		u := *like.Update
		u.Target = out.ProviderMessageID
		like.Update, like.ProviderMessageID = &u, out.ProviderMessageID+"#react#1"
		if res := d.apply(t, &like); res.MessageID != out.ID || res.Reason != ingest.ReasonReaction || res.Duplicate {
			t.Fatalf("reaction to our reply: %+v", res)
		}
		for _, m := range []*helpdesk.InboundMessage{&reactions[0], &reactions[2]} { // to their own message, then withdrawn
			if res := d.apply(t, m); res.MessageID != r.MessageID || res.Duplicate {
				t.Fatalf("reaction to their message: %+v", res)
			}
		}
		conv := d.conv(t, r.TicketID)
		for _, m := range conv.Messages {
			if m.ID == out.ID && (len(m.Reactions) != 1 || m.Reactions[0].Emoji != "👍") {
				t.Fatalf("our reply's reactions: %+v", m.Reactions)
			}
		}
		after := conv.Ticket
		if after.Unread || after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatalf("a reaction touched the ticket: %+v (before %+v)", after, before)
		}
		if n := len(d.notes(t, "bob")) + len(d.notes(t, "kim")); n != told {
			t.Fatalf("a reaction told the watchers: %d notifications, want %d", n, told)
		}
		if emails := jobsOf[jobs.NotificationEmail](t, d.outbox, jobs.KindNotificationEmail); len(emails) != 0 {
			t.Fatalf("a reaction emailed: %+v", emails)
		}
	})
}

// An edit of a message of a ticket merged into another is applied to the
// message (it stays in the merged ticket's conversation, which the
// primary shows) and makes the primary unread and tells its watchers:
// the merged ticket itself is not written.
func TestMessengerEditOfAMergedTicketsMessage(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d, tickets, r := watchedMessenger(t, backend)
		ctx := context.Background()
		// The same customer wrote on WhatsApp too; kim owns that ticket,
		// and the Messenger one is merged into it.
		wa := fixtureBatch(t, "whatsapp_text.json").Messages[0]
		primary := d.apply(t, &wa)
		if _, err := tickets.Assign(ctx, primary.TicketID, "kim", "", "ann"); err != nil {
			t.Fatal(err)
		}
		if _, err := tickets.Merge(ctx, primary.TicketID, r.TicketID, "ann"); err != nil {
			t.Fatal(err)
		}
		if _, err := tickets.SetUnread(ctx, primary.TicketID, false); err != nil {
			t.Fatal(err)
		}
		merged, before := d.header(t, r.TicketID), d.header(t, primary.TicketID)
		kimTold := len(d.notes(t, "kim"))

		edit := fixtureBatch(t, "messenger_edit.json").Messages[0]
		res := d.apply(t, &edit)
		if res.TicketID != primary.TicketID || res.MessageID != r.MessageID || res.Duplicate {
			t.Fatalf("edit: %+v", res)
		}
		var edited bool
		for _, m := range d.conv(t, primary.TicketID).Messages {
			edited = edited || m.ID == r.MessageID && m.Text == "hello, world! (order #4412)" && m.TicketID == r.TicketID
		}
		if !edited {
			t.Fatal("the primary does not show the edited message")
		}
		if after := d.header(t, primary.TicketID); !after.Unread || after.Version != before.Version+1 {
			t.Fatalf("primary after the edit: %+v", after)
		}
		if again := d.header(t, r.TicketID); again.Version != merged.Version || again.State != helpdesk.StateMerged {
			t.Fatalf("the merged ticket was written: %+v", again)
		}
		ns := d.notes(t, "kim")
		if len(ns) != kimTold+1 || ns[0].Kind != helpdesk.NotifyCustomerEdit || ns[0].TicketID != primary.TicketID {
			t.Fatalf("kim (the primary's owner) told: %+v", ns)
		}
	})
}

// lateStore runs hook once, just before the first commit match picks:
// what another writer does between a decision and its commit.
type lateStore struct {
	testbed.Store
	match func(ticket.Change) bool
	hook  func()
	once  sync.Once
}

func (s *lateStore) Commit(ctx context.Context, c ticket.Change) error {
	if s.match(c) {
		s.once.Do(s.hook)
	}
	return s.Store.Commit(ctx, c)
}

// An edit and an agent's reply racing on one ticket both land, whichever
// commits first: the loser reads again and decides again. The ticket ends
// read if the reply came last, unread if the edit did.
func TestMessengerEditAndReplyRaceBothLand(t *testing.T) {
	revises := func(c ticket.Change) bool { return len(c.Revisions) > 0 }
	replies := func(c ticket.Change) bool {
		return len(c.Messages) == 1 && c.Messages[0].Direction == helpdesk.Outbound
	}
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		for _, tc := range []struct {
			name       string
			editLast   bool
			wantUnread bool
		}{{"the reply commits while the edit is decided", true, true}, {"the edit commits while the reply is decided", false, false}} {
			t.Run(tc.name, func(t *testing.T) {
				d, tickets, r := watchedMessenger(t, backend)
				ctx := context.Background()
				before := d.header(t, r.TicketID)
				edit := fixtureBatch(t, "messenger_edit.json").Messages[0]
				var res ingest.Result
				var reply helpdesk.Message
				var editErr, replyErr error
				doEdit := func() { res, editErr = d.svc.Apply(ctx, &edit) }
				doReply := func() {
					reply, _, replyErr = tickets.Reply(ctx, r.TicketID, "bob", "Thanks, noted.", "")
				}
				if tc.editLast {
					svc := *d.svc
					svc.Store = &lateStore{Store: d.st, match: revises, hook: doReply}
					res, editErr = svc.Apply(ctx, &edit)
				} else {
					racing := *tickets
					racing.Store = &lateStore{Store: d.st, match: replies, hook: doEdit}
					reply, _, replyErr = racing.Reply(ctx, r.TicketID, "bob", "Thanks, noted.", "")
				}
				if editErr != nil || replyErr != nil {
					t.Fatalf("edit: %v; reply: %v", editErr, replyErr)
				}
				if tc.editLast && res.Attempts != 2 {
					t.Fatalf("the edit took %d attempts; it should have lost the race once", res.Attempts)
				}
				conv := d.conv(t, r.TicketID)
				var edited, replied bool
				for _, m := range conv.Messages {
					edited = edited || m.ID == r.MessageID && m.Text == "hello, world! (order #4412)" && len(m.Edits) == 1
					replied = replied || m.ID == reply.ID && m.Direction == helpdesk.Outbound
				}
				if !edited || !replied {
					t.Fatalf("edited %v, replied %v: %+v", edited, replied, conv.Messages)
				}
				if tk := conv.Ticket; tk.Version != before.Version+2 || tk.Unread != tc.wantUnread || tk.MessageCount != before.MessageCount+1 {
					t.Fatalf("ticket: version %d (want %d), unread %v (want %v), %d messages", tk.Version, before.Version+2, tk.Unread, tc.wantUnread, tk.MessageCount)
				}
				if ns := d.notes(t, "bob"); ns[0].Kind != helpdesk.NotifyCustomerEdit && ns[1].Kind != helpdesk.NotifyCustomerEdit {
					t.Fatalf("bob not told of the edit: %+v", ns)
				}
			})
		}
	})
}
