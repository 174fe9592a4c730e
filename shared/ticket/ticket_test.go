package ticket_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var (
	t0    = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	pipes = helpdesk.DefaultSettings()
	form  = helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new", Priority: helpdesk.PriorityMedium}}
	mail  = helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}
	page  = helpdesk.Channel{ID: "messenger:p1", Kind: helpdesk.ChannelMessenger, Messenger: &helpdesk.MessengerSettings{PageID: "p1",
		Greeting: "Hi!", InstantReply: "We will answer soon.", Consent: helpdesk.ConsentImplicit, ConsentText: "We keep this chat."}}
	ann = helpdesk.Agent{ID: "ann", Email: "ann@acme.example", Active: true, Seat: true, Notify: helpdesk.NotifyPrefs{EmailOnAssignment: true}}
	bob = helpdesk.Agent{ID: "bob", Active: true, Seat: true}
)

func inbound(ch helpdesk.Channel, id string, at time.Time) *helpdesk.InboundMessage {
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: ch.Kind, ChannelID: ch.ID, ProviderMessageID: id,
		ReceivedAt: at, Sender: helpdesk.Sender{Email: "cus@example.com"}, Subject: "Refund", Text: "Please refund " + id}
	if ch.Kind == helpdesk.ChannelMessenger {
		m.Sender = helpdesk.Sender{PageID: "p1", PSID: "u1"}
	}
	return m
}

func open(t *testing.T, ch helpdesk.Channel, m *helpdesk.InboundMessage, newContact bool) ticket.Change {
	t.Helper()
	msg := helpdesk.Message{ID: "m-" + m.ProviderMessageID, Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: ch.Kind,
		Text: m.Text, CreatedAt: m.ReceivedAt}
	c, warnings := ticket.Open(ticket.Arrival{ID: "7", Inbound: m, Message: msg, Channel: ch, ContactID: "c1",
		SenderKey: m.Sender.Key(ch.Kind), ThreadKeys: []string{"k1", "k1", "k2"}, NewContact: newContact}, pipes, t0)
	if len(warnings) > 0 {
		t.Logf("warnings: %v", warnings)
	}
	return c
}

// owned is ticket 7 as Open made it, owned by ann since t0.
func owned(t *testing.T) helpdesk.Ticket {
	t.Helper()
	c := open(t, form, inbound(form, "s1", t0), true)
	tk := *c.Ticket()
	tk.OwnerID, tk.AssignedAt = "ann", t0
	return tk
}

func TestOpenDecidesANewTicketAndItsEffects(t *testing.T) {
	c := open(t, form, inbound(form, "s1", t0), true)
	tk := c.Ticket()
	if len(c.Tickets) != 1 || c.Tickets[0].Before != nil {
		t.Fatalf("open writes %+v, want one new ticket", c.Tickets)
	}
	if tk.ID != "7" || tk.Pipeline != "support" || tk.Status != "new" || tk.State != helpdesk.StateOpen ||
		tk.Priority != helpdesk.PriorityMedium || tk.Version != 1 || !tk.Unread || tk.MessageCount != 1 ||
		!tk.LastCustomerMessageAt.Equal(t0) || tk.Type != helpdesk.TypeEmailOther {
		t.Fatalf("ticket = %+v", tk)
	}
	if !slices.Equal(tk.ThreadKeys, []string{"k1", "k2"}) || len(c.ThreadKeys) != 2 {
		t.Fatalf("thread keys: ticket %v, change %v; want k1 and k2 once", tk.ThreadKeys, c.ThreadKeys)
	}
	if len(c.Messages) != 1 || c.Messages[0].TicketID != "7" || c.Messages[0].ThreadReason != ticket.ReasonNewTicket {
		t.Fatalf("messages = %+v", c.Messages)
	}
	if len(c.Loads) != 0 || len(c.Jobs) != 0 || len(c.Activities) != 0 {
		t.Fatalf("an unrouted form ticket has no loads, jobs or activities: %+v", c)
	}
}

func TestOpenFallsBackToDefaultsRatherThanRefuse(t *testing.T) {
	m := inbound(form, "s1", t0)
	m.Ticket = helpdesk.TicketDefaults{Pipeline: "nope", Status: "x"}
	if tk := open(t, form, m, true).Ticket(); tk.Pipeline != "support" || tk.Status != "new" {
		t.Fatalf("unknown pipeline: ticket in %s/%s, want the channel's defaults", tk.Pipeline, tk.Status)
	}
	broken := form
	broken.Defaults = helpdesk.TicketDefaults{Pipeline: "gone", Status: "gone"}
	if tk := open(t, broken, m, true).Ticket(); tk.Pipeline != "support" || tk.Status != "new" || tk.State != helpdesk.StateOpen {
		t.Fatalf("broken defaults: ticket in %s/%s, want the default pipeline's first stage", tk.Pipeline, tk.Status)
	}
}

// A message never creates a closed ticket, whether it asked for a closing
// status (an unsigned form's hidden field) or the channel's defaults name
// one: the ticket opens at the pipeline's first open stage, with a warning.
func TestOpenNeverCreatesAClosedTicket(t *testing.T) {
	m := inbound(form, "s1", t0)
	m.Ticket = helpdesk.TicketDefaults{Status: "closed"}
	closing := form
	closing.Defaults.Status = "closed"
	for name, tc := range map[string]struct {
		ch helpdesk.Channel
		m  *helpdesk.InboundMessage
	}{"asked by the message": {form, m}, "the channel's default": {closing, inbound(closing, "s2", t0)}} {
		c, warnings := ticket.Open(ticket.Arrival{ID: "7", Inbound: tc.m, Message: helpdesk.Message{ID: "m1"}, Channel: tc.ch, ContactID: "c1",
			SenderKey: "email#cus@example.com"}, pipes, t0)
		tk := c.Ticket()
		if tk.State != helpdesk.StateOpen || tk.Status != "new" || !tk.ClosedAt.IsZero() {
			t.Errorf("%s: ticket %s in %s (closed at %v), want open at the first open stage", name, tk.State, tk.Status, tk.ClosedAt)
		}
		if len(warnings) == 0 {
			t.Errorf("%s: no warning for the refused closing status", name)
		}
	}
}

func TestOpenSendsSpamToTheSpamViewUnanswered(t *testing.T) {
	m := inbound(page, "mid.1", t0)
	m.Verdicts.Spam = helpdesk.VerdictFail
	c := open(t, page, m, true)
	if c.Ticket().State != helpdesk.StateSpam || len(c.Jobs) != 0 || len(c.Messages) != 1 {
		t.Fatalf("spam: state %s, %d jobs, %d messages; want spam, no answer", c.Ticket().State, len(c.Jobs), len(c.Messages))
	}
}

func TestOpenGreetsANewVisitorThenAnswersInstantly(t *testing.T) {
	c := open(t, page, inbound(page, "mid.1", t0), true)
	if len(c.Messages) != 3 || c.Ticket().MessageCount != 3 {
		t.Fatalf("%d messages (count %d), want the visitor's, the greeting and the instant reply", len(c.Messages), c.Ticket().MessageCount)
	}
	g, r := c.Messages[1], c.Messages[2]
	if g.ThreadReason != ticket.ReasonGreeting || g.Text != "Hi!\n\nWe keep this chat." || r.ThreadReason != ticket.ReasonInstantReply ||
		!g.CreatedAt.After(t0) || !r.CreatedAt.After(g.CreatedAt) || g.Status != helpdesk.StatusQueued {
		t.Fatalf("automatic replies = %+v", c.Messages[1:])
	}
	var job jobs.ReplyChat
	if len(c.Jobs) != 1 || decode(t, c.Jobs[g.ID], jobs.KindReplyChat, &job) != nil || !slices.Equal(job.MessageIDs, []string{g.ID, r.ID}) {
		t.Fatalf("jobs = %v, want one reply.chat sending greeting then instant reply", c.Jobs)
	}
	if c.Ticket().Outbox[g.ID] == "" {
		t.Fatal("the job is not in the ticket's outbox")
	}
	// A known visitor only gets the instant reply.
	if c := open(t, page, inbound(page, "mid.2", t0), false); len(c.Messages) != 2 || c.Messages[1].ThreadReason != ticket.ReasonInstantReply {
		t.Fatalf("known visitor: %+v", c.Messages)
	}
}

func decode(t *testing.T, body, kind string, v any) error {
	t.Helper()
	env, err := jobs.DecodeEnvelope(body)
	if err != nil {
		return err
	}
	if env.Kind != kind {
		t.Fatalf("job kind %s, want %s", env.Kind, kind)
	}
	return env.Decode(v)
}

func TestRouteAssignsExplainsNotifiesAndConditionsTheLoad(t *testing.T) {
	c := open(t, form, inbound(form, "s1", t0), true)
	read := &routing.Load{Count: 2, Version: 9, Expired: []string{"d1"}}
	ticket.Route(&c, routing.Plan{
		Decision:   routing.Decision{OwnerID: "ann", TeamID: "support", Record: helpdesk.RoutingRecord{Reason: routing.ReasonFewestOpen}},
		Recipients: map[string]helpdesk.Agent{"ann": ann}, Expect: read,
	}, t0)
	tk := c.Ticket()
	if tk.OwnerID != "ann" || tk.TeamID != "support" || !tk.AssignedAt.Equal(t0) {
		t.Fatalf("ticket = %+v", tk)
	}
	if len(c.Activities) != 1 || c.Activities[0].Kind != helpdesk.ActivityRouted || c.Activities[0].Routing.Reason != routing.ReasonFewestOpen {
		t.Fatalf("activities = %+v", c.Activities)
	}
	if len(c.Notifications) != 1 || c.Notifications[0].Recipient != "agent:ann" || len(c.Jobs) != 1 {
		t.Fatalf("notifications %+v, jobs %v: want ann told in the app and by email", c.Notifications, c.Jobs)
	}
	if len(c.Loads) != 1 || c.Loads[0].AgentID != "ann" || c.Loads[0].Delta != 1 || c.Loads[0].Expect != read ||
		c.Loads[0].Day != helpdesk.DayNumber(t0) {
		t.Fatalf("loads = %+v, want ann +1 conditioned on the load read", c.Loads)
	}

	team := open(t, form, inbound(form, "s2", t0), true)
	members := map[string]helpdesk.Agent{"bob": {ID: "bob", Email: "bob@acme.example", Active: true, Notify: helpdesk.NotifyPrefs{EmailOnTeamUnassigned: true}}}
	ticket.Route(&team, routing.Plan{Decision: routing.Decision{TeamID: "support"}, Recipients: members}, t0)
	if team.Ticket().OwnerID != "" || len(team.Loads) != 0 || len(team.Notifications) != 1 ||
		team.Notifications[0].Recipient != "team:support" || len(team.Jobs) != 1 {
		t.Fatalf("team only: %+v", team)
	}
}

func TestAppendReopensAClosedTicketTheOneWay(t *testing.T) {
	tk := owned(t)
	tk.Status, tk.State, tk.ClosedAt, tk.Unread = "closed", helpdesk.StateClosed, t0, false
	later := t0.Add(time.Hour)
	msg := helpdesk.Message{ID: "m2", Direction: helpdesk.Inbound, CreatedAt: later}
	c, err := ticket.Append(tk, msg, "email#other@example.com", []string{"k2", "k3"}, nil, pipes, later)
	if err != nil {
		t.Fatal(err)
	}
	n := c.Ticket()
	if n.State != helpdesk.StateOpen || n.Status != "new" || !n.Unread || n.MessageCount != 2 || n.Version != tk.Version+1 ||
		!n.LastCustomerMessageAt.Equal(later) || !slices.Contains(n.Participants, "email#other@example.com") {
		t.Fatalf("after append: %+v", n)
	}
	if len(c.ThreadKeys) != 1 || c.ThreadKeys[0].Key != "k3" {
		t.Fatalf("thread keys %+v, want only the new k3", c.ThreadKeys)
	}
	if len(c.Activities) != 1 || c.Activities[0].Kind != helpdesk.ActivityStatus || c.Activities[0].ActorID != "contact:c1" ||
		c.Activities[0].From != "closed" || c.Activities[0].To != "new" {
		t.Fatalf("activities %+v, want the reopen recorded", c.Activities)
	}
	// Reopened, it counts for its owner again.
	if len(c.Loads) != 1 || c.Loads[0].Delta != 1 || c.Loads[0].AgentID != "ann" {
		t.Fatalf("loads %+v, want ann +1", c.Loads)
	}
}

func TestAgentChanges(t *testing.T) {
	tk := owned(t)
	later := t0.Add(time.Hour)
	tests := []struct {
		name   string
		decide func() (ticket.Change, error)
		check  func(t *testing.T, c ticket.Change)
		err    string // reason, or "no change"
	}{
		{"reassign tells the new owner and moves the load", func() (ticket.Change, error) {
			return ticket.Assign(tk, &bob, "", "ann", later)
		}, func(t *testing.T, c ticket.Change) {
			if c.Ticket().OwnerID != "bob" || len(c.Notifications) != 1 || len(c.Loads) != 2 || c.Loads[0].Delta != -1 || c.Loads[1].AgentID != "bob" {
				t.Fatalf("%+v", c)
			}
		}, ""},
		{"assigning oneself tells nobody", func() (ticket.Change, error) {
			return ticket.Assign(tk, &bob, "", "bob", later)
		}, func(t *testing.T, c ticket.Change) {
			if len(c.Notifications) != 0 || c.Activities[0].Kind != helpdesk.ActivityAssigned {
				t.Fatalf("%+v", c)
			}
		}, ""},
		{"same owner is no change", func() (ticket.Change, error) { return ticket.Assign(tk, &ann, "", "ann", later) }, nil, "no change"},
		{"a deactivated owner is refused", func() (ticket.Change, error) {
			return ticket.Assign(tk, &helpdesk.Agent{ID: "gone"}, "", "ann", later)
		}, nil, "inactive_user"},
		{"unassign", func() (ticket.Change, error) { return ticket.Assign(tk, nil, "", "ann", later) }, func(t *testing.T, c ticket.Change) {
			if c.Ticket().OwnerID != "" || !c.Ticket().AssignedAt.IsZero() || c.Activities[0].Kind != helpdesk.ActivityUnassigned || c.Loads[0].Delta != -1 {
				t.Fatalf("%+v", c)
			}
		}, ""},
		{"close", func() (ticket.Change, error) { return ticket.SetStatus(tk, "closed", "ann", nil, pipes, later) }, func(t *testing.T, c ticket.Change) {
			if c.Ticket().State != helpdesk.StateClosed || !c.Ticket().ClosedAt.Equal(later) || c.Loads[0].Delta != -1 {
				t.Fatalf("%+v", c)
			}
		}, ""},
		{"unknown status", func() (ticket.Change, error) { return ticket.SetStatus(tk, "done", "ann", nil, pipes, later) }, nil, "unknown_status"},
		{"same status", func() (ticket.Change, error) { return ticket.SetStatus(tk, "new", "ann", nil, pipes, later) }, nil, "no change"},
		{"spam leaves every count", func() (ticket.Change, error) { return ticket.MarkSpam(tk, "ann", later) }, func(t *testing.T, c ticket.Change) {
			if c.Ticket().State != helpdesk.StateSpam || len(c.Loads) != 1 || c.Loads[0].Delta != -1 {
				t.Fatalf("%+v", c)
			}
		}, ""},
		{"properties, one entry per field", func() (ticket.Change, error) {
			p, cat := helpdesk.PriorityHigh, "billing"
			return ticket.SetProperties(tk, ticket.Properties{Priority: &p, Category: &cat}, "ann", pipes, later)
		}, func(t *testing.T, c ticket.Change) {
			if c.Ticket().Priority != helpdesk.PriorityHigh || c.Ticket().Category != "billing" || len(c.Activities) != 2 ||
				c.Activities[0].Field != "priority" || c.Activities[1].Field != "category" {
				t.Fatalf("%+v", c)
			}
		}, ""},
		{"unknown priority", func() (ticket.Change, error) {
			p := helpdesk.Priority("asap")
			return ticket.SetProperties(tk, ticket.Properties{Priority: &p}, "ann", pipes, later)
		}, nil, "unknown_priority"},
		{"a category the tenant does not have", func() (ticket.Change, error) {
			set := helpdesk.DefaultSettings()
			set.Categories = []helpdesk.Category{{ID: "billing", Name: "Billing"}}
			cat := "shipping"
			return ticket.SetProperties(tk, ticket.Properties{Category: &cat}, "ann", set, later)
		}, nil, "unknown_category"},
		{"note", func() (ticket.Change, error) {
			c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "called them"}, nil, later)
			return c, err
		}, func(t *testing.T, c ticket.Change) {
			if len(c.Messages) != 1 || c.Messages[0].Direction != helpdesk.Note || len(c.Jobs) != 0 {
				t.Fatalf("%+v", c)
			}
		}, ""},
		{"delete", func() (ticket.Change, error) { return ticket.Delete(tk, later) }, func(t *testing.T, c ticket.Change) {
			if c.Tickets[0].After != nil || len(c.ThreadKeys) != 2 || !c.ThreadKeys[0].Remove || c.Loads[0].Delta != -1 {
				t.Fatalf("%+v", c)
			}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.decide()
			switch {
			case tt.err == "no change":
				if !errors.Is(err, ticket.ErrNoChange) {
					t.Fatalf("err = %v, want no change", err)
				}
				return
			case tt.err != "":
				if helpdesk.ErrorReason(err) != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if w := c.Tickets[0]; w.After != nil && w.After.Version != tk.Version+1 {
				t.Fatalf("version %d, want %d", w.After.Version, tk.Version+1)
			}
			tt.check(t, c)
		})
	}
}

func TestReply(t *testing.T) {
	tk := open(t, mail, inbound(mail, "<a@x>", t0), true).Ticket()
	c, msg, err := ticket.Reply(*tk, mail, ticket.ReplyInput{AgentID: "bob", Text: "On it."}, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Ticket()
	if msg.EmailMessageID == "" || msg.Status != helpdesk.StatusQueued || n.OwnerID != "bob" || n.Unread || n.MessageCount != 2 {
		t.Fatalf("reply %+v on %+v", msg, n)
	}
	if len(c.ThreadKeys) != 1 || c.ThreadKeys[0].Key != "msgid#"+msg.EmailMessageID {
		t.Fatalf("thread keys %+v, want the reply's Message-ID", c.ThreadKeys)
	}
	var job jobs.ReplyEmail
	if decode(t, c.Jobs[msg.ID], jobs.KindReplyEmail, &job) != nil || job.MessageID != msg.ID {
		t.Fatalf("jobs %v", c.Jobs)
	}
	if len(c.Notifications) != 0 || c.Activities[0].Kind != helpdesk.ActivityAssigned {
		t.Fatalf("claiming on reply tells nobody: %+v %+v", c.Notifications, c.Activities)
	}

	chat := open(t, page, inbound(page, "mid.1", t0), false).Ticket()
	if _, _, err := ticket.Reply(*chat, page, ticket.ReplyInput{AgentID: "bob", Text: "Hi"}, t0.Add(7*24*time.Hour+time.Minute)); helpdesk.ErrorReason(err) != ticket.ReasonWindowClosed {
		t.Fatalf("reply after 7 days: %v", err)
	}
	if _, _, err := ticket.Reply(*chat, page, ticket.ReplyInput{AgentID: "bob", Text: "Hi",
		Attachments: []helpdesk.Attachment{{Key: "k", Name: "a.pdf"}}}, t0); helpdesk.ErrorReason(err) != "chat_attachments_unsupported" {
		t.Fatalf("chat attachment: %v", err)
	}
	if _, _, err := ticket.Reply(*tk, mail, ticket.ReplyInput{AgentID: "bob", Text: "  "}, t0); helpdesk.ErrorReason(err) != "text_required" {
		t.Fatalf("empty reply: %v", err)
	}
	if _, _, err := ticket.Reply(*tk, form, ticket.ReplyInput{AgentID: "bob", Text: "x"}, t0); helpdesk.ErrorReason(err) != "channel_cannot_reply" {
		t.Fatalf("reply on a form channel: %v", err)
	}
}

func TestMerge(t *testing.T) {
	p := owned(t)
	s := owned(t)
	s.ID, s.OwnerID, s.ThreadKeys, s.Participants = "8", "bob", []string{"k9"}, []string{"email#cc@example.com"}
	c, err := ticket.Merge(p, s, "ann", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	np, ns := c.Tickets[0].After, c.Tickets[1].After
	if np.MessageCount != 2 || !slices.Equal(np.MergedFrom, []string{"8"}) || !slices.Contains(np.Participants, "email#cc@example.com") ||
		!slices.Contains(np.ThreadKeys, "k9") {
		t.Fatalf("primary %+v", np)
	}
	if ns.State != helpdesk.StateMerged || ns.MergedInto != "7" {
		t.Fatalf("secondary %+v", ns)
	}
	if len(c.ThreadKeys) != 1 || c.ThreadKeys[0] != (ticket.ThreadKey{Key: "k9", TicketID: "7", Repoint: "8"}) {
		t.Fatalf("thread keys %+v, want k9 moved from 8 to 7", c.ThreadKeys)
	}
	if len(c.Loads) != 1 || c.Loads[0].AgentID != "bob" || c.Loads[0].Delta != -1 || len(c.Activities) != 2 {
		t.Fatalf("loads %+v activities %+v", c.Loads, c.Activities)
	}
	if _, err := ticket.Merge(p, p, "ann", t0); helpdesk.ErrorReason(err) != "merge_self" {
		t.Fatalf("self: %v", err)
	}
	other := p
	other.ID = "9"
	if _, err := ticket.Merge(other, *ns, "ann", t0); helpdesk.ErrorReason(err) != "already_merged" {
		t.Fatalf("merged: %v", err)
	}
	if _, err := ticket.SetStatus(*ns, "closed", "ann", nil, pipes, t0); helpdesk.ErrorReason(err) != "ticket_merged" {
		t.Fatalf("changing a merged ticket: %v", err)
	}
}

func TestLoadsCountOpenOwnedTicketsInTheWindow(t *testing.T) {
	base := owned(t)
	now := t0.Add(time.Hour)
	closed := base
	closed.State = helpdesk.StateClosed
	old := base
	old.AssignedAt = t0.AddDate(0, 0, -helpdesk.LoadWindowDays)
	moved := base
	moved.OwnerID = "bob"
	tests := []struct {
		name          string
		before, after *helpdesk.Ticket
		want          []int // deltas
	}{
		{"new owned ticket", nil, &base, []int{1}},
		{"unchanged", &base, &base, nil},
		{"closed", &base, &closed, []int{-1}},
		{"reopened", &closed, &base, []int{1}},
		{"out of the window counts nowhere", &old, nil, nil},
		{"reassigned", &base, &moved, []int{-1, 1}},
		{"deleted", &base, nil, []int{-1}},
	}
	for _, tt := range tests {
		var got []int
		for _, l := range ticket.Loads(tt.before, tt.after, now) {
			got = append(got, l.Delta)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: deltas %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A ticket counted again for its owner on another day (assigned again)
// moves −1 from the old day and +1 to today on one load item, which a
// store may write only once in a transaction: LoadItems groups them.
func TestLoadItemsGroupOneAgentsChanges(t *testing.T) {
	tk := owned(t)
	next := t0.Add(24 * time.Hour)
	again := tk
	again.AssignedAt = next
	c := ticket.Change{Loads: ticket.Loads(&tk, &again, next)}
	if len(c.Loads) != 2 {
		t.Fatalf("loads %+v, want −1 on the old day and +1 today", c.Loads)
	}
	items := c.LoadItems()
	old, today := helpdesk.DayNumber(t0), helpdesk.DayNumber(next)
	if len(items) != 1 || items[0].AgentID != "ann" || items[0].Days[old] != -1 || items[0].Days[today] != 1 {
		t.Fatalf("load items %+v, want ann's one item with both days", items)
	}
}

// A merged ticket is changed through its primary only: deleting it would
// leave the primary counting messages it no longer shows.
func TestAMergedTicketCannotBeDeleted(t *testing.T) {
	p, s := owned(t), owned(t)
	s.ID = "8"
	c, err := ticket.Merge(p, s, "ann", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ticket.Delete(*c.Tickets[1].After, t0); helpdesk.ErrorReason(err) != "ticket_merged" {
		t.Fatalf("deleting a merged ticket: %v, want ticket_merged", err)
	}
}

// A decision never changes the ticket it read: jobs go into the new
// state's outbox, not into the outbox map the caller still holds.
func TestDecisionsLeaveTheTicketTheyReadAlone(t *testing.T) {
	tk := owned(t)
	tk.Outbox = map[string]string{"old": "job"}
	tk.ThreadKeys = make([]string, 1, 8) // room to append in place
	tk.ThreadKeys[0] = "k1"
	tk.Participants = make([]string, 1, 8)
	tk.Participants[0] = "email#cus@example.com"
	cat := helpdesk.Agent{ID: "cat", Email: "cat@acme.example", Active: true, Seat: true, Notify: helpdesk.NotifyPrefs{EmailOnAssignment: true}}
	c, err := ticket.Assign(tk, &cat, "", "ann", t0.Add(time.Hour)) // cat is emailed: a job
	if err != nil || len(c.Jobs) == 0 {
		t.Fatalf("assign: %v, %d jobs", err, len(c.Jobs))
	}
	if len(tk.Outbox) != 1 || len(c.Tickets[0].Before.Outbox) != 1 || len(c.Ticket().Outbox) != 1+len(c.Jobs) {
		t.Fatalf("outboxes: read %v, before %v, after %v", tk.Outbox, c.Tickets[0].Before.Outbox, c.Ticket().Outbox)
	}
	msg := helpdesk.Message{ID: "m2", Direction: helpdesk.Inbound, CreatedAt: t0.Add(time.Hour)}
	if _, err := ticket.Append(tk, msg, "email#new@example.com", []string{"k2"}, nil, pipes, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := tk.ThreadKeys[:cap(tk.ThreadKeys)][1]; got != "" {
		t.Fatalf("append wrote %q into the read ticket's thread keys", got)
	}
	if got := tk.Participants[:cap(tk.Participants)][1]; got != "" {
		t.Fatalf("append wrote %q into the read ticket's participants", got)
	}
}

// An edit of several fields is one change (version +1), refused whole if
// the caller saw another version or names an owner it cannot have.
func TestApplyEditsSeveralFieldsAtOnce(t *testing.T) {
	tk := owned(t)
	later := t0.Add(time.Hour)
	status, prio, owner := "waiting_on_contact", helpdesk.PriorityUrgent, "bob"
	e := ticket.Edit{Owner: &owner, Status: &status, Properties: ticket.Properties{Priority: &prio}}
	c, err := ticket.Apply(tk, tk.Version, e, &bob, "ann", nil, pipes, later)
	if err != nil {
		t.Fatal(err)
	}
	n := c.Ticket()
	if n.Version != tk.Version+1 || n.OwnerID != "bob" || n.Status != status || n.Priority != prio || len(c.Activities) != 3 {
		t.Fatalf("after the edit: %+v, %d activities", n, len(c.Activities))
	}
	if len(c.Loads) != 2 || c.Loads[0].AgentID != "ann" || c.Loads[1].AgentID != "bob" {
		t.Fatalf("loads %+v, want ann −1, bob +1", c.Loads)
	}
	if _, err := ticket.Apply(tk, tk.Version+1, e, &bob, "ann", nil, pipes, later); !errors.Is(err, ticket.ErrStale) {
		t.Fatalf("stale version: %v, want ErrStale", err)
	}
	if _, err := ticket.Apply(tk, 0, ticket.Edit{Owner: &owner}, nil, "ann", nil, pipes, later); helpdesk.ErrorReason(err) != "owner_unknown" {
		t.Fatalf("unknown owner: %v", err)
	}
	bad := "done"
	if _, err := ticket.Apply(tk, 0, ticket.Edit{Status: &bad, Properties: ticket.Properties{Priority: &prio}}, nil, "ann", nil, pipes, later); helpdesk.ErrorReason(err) != "unknown_status" {
		t.Fatalf("unknown status: %v", err)
	}
	same := "new"
	if _, err := ticket.Apply(tk, 0, ticket.Edit{Status: &same}, nil, "ann", nil, pipes, later); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("nothing to change: %v", err)
	}
	none := ""
	c, err = ticket.Apply(tk, 0, ticket.Edit{Owner: &none}, nil, "ann", nil, pipes, later)
	if err != nil || c.Ticket().OwnerID != "" || c.Activities[0].Kind != helpdesk.ActivityUnassigned {
		t.Fatalf("unassign: %v, %+v", err, c.Activities)
	}
}

// Moving an owned ticket to another team keeps its owner, their count and
// the assignment time: only the team changes, on the record.
func TestApplyMovesOnlyTheTeam(t *testing.T) {
	tk := owned(t)
	team := "billing"
	c, err := ticket.Apply(tk, 0, ticket.Edit{Team: &team}, nil, "bob", nil, pipes, t0.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Assigning by hand follows the same rule.
	if byHand, err := ticket.Assign(tk, &ann, team, "bob", t0.Add(48*time.Hour)); err != nil || !byHand.Ticket().AssignedAt.Equal(t0) ||
		byHand.Ticket().TeamID != team || len(byHand.Loads) != 0 {
		t.Fatalf("Assign to the same owner in another team: %v, %+v", err, byHand)
	}
	n := c.Ticket()
	if n.OwnerID != "ann" || n.TeamID != "billing" || !n.AssignedAt.Equal(t0) || len(c.Loads) != 0 || len(c.Notifications) != 0 {
		t.Fatalf("after the move: %+v, loads %+v, notifications %+v", n, c.Loads, c.Notifications)
	}
	if len(c.Activities) != 1 || c.Activities[0].Field != "team" || c.Activities[0].To != "billing" {
		t.Fatalf("activities %+v, want the team change", c.Activities)
	}
}

func TestSetUnread(t *testing.T) {
	tk := owned(t) // new tickets are unread
	c, err := ticket.SetUnread(tk, false, t0.Add(time.Minute))
	if err != nil || c.Ticket().Unread || c.Ticket().Version != tk.Version+1 || len(c.Activities) != 0 || len(c.Loads) != 0 {
		t.Fatalf("mark read: %v, %+v", err, c)
	}
	if _, err := ticket.SetUnread(tk, true, t0); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("marking an unread ticket unread: %v, want no change", err)
	}
}
