package ticket_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var (
	customer = helpdesk.Contact{ID: "c1", Name: "Cus", Email: "cus@example.com"}
	reach    = ticket.CustomerReach{Contact: customer, Email: &mail}
)

// moved is the change of an agent moving ticket tk to status.
func moved(t *testing.T, tk helpdesk.Ticket, status string, set helpdesk.Settings) ticket.Change {
	t.Helper()
	c, err := ticket.SetStatus(tk, status, "ann", nil, set, t0)
	if err != nil {
		t.Fatalf("set status %s: %v", status, err)
	}
	return c
}

// customerJobs decodes the change's customer.email jobs.
func customerJobs(t *testing.T, c ticket.Change) []jobs.CustomerEmail {
	t.Helper()
	var out []jobs.CustomerEmail
	for id, body := range c.Jobs {
		env, err := jobs.DecodeEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		if env.Kind != jobs.KindCustomerEmail {
			continue
		}
		var j jobs.CustomerEmail
		if err := env.Decode(&j); err != nil {
			t.Fatal(err)
		}
		if c.Ticket().Outbox[id] != body {
			t.Errorf("job %s is not in the ticket's outbox", id)
		}
		out = append(out, j)
	}
	return out
}

func TestTellCustomerEmailsEachStatusKind(t *testing.T) {
	closed := owned(t)
	closed.Status, closed.State = "closed", helpdesk.StateClosed
	for _, tc := range []struct {
		name   string
		from   helpdesk.Ticket
		status string
		kind   helpdesk.CustomerNotifyKind
	}{
		{"closed", owned(t), "closed", helpdesk.CustomerClosed},
		{"reopened", closed, "waiting_on_us", helpdesk.CustomerReopened},
		{"waiting", owned(t), "waiting_on_contact", helpdesk.CustomerWaiting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := moved(t, tc.from, tc.status, pipes)
			got := c.TellCustomer(reach, pipes, t0)
			if len(got) != 1 || got[0] != (ticket.CustomerNotice{Kind: tc.kind, Via: ticket.ViaEmail}) {
				t.Fatalf("notices %+v, want one %s by email", got, tc.kind)
			}
			js := customerJobs(t, c)
			if len(js) != 1 {
				t.Fatalf("customer jobs %+v, want one", js)
			}
			j := js[0]
			if j.Kind != tc.kind || j.ToEmail != "cus@example.com" || j.ContactID != "c1" || j.FromChannelID != mail.ID || j.TicketID != "7" || j.Subject == "" || j.NotificationID == "" {
				t.Errorf("job %+v", j)
			}
		})
	}
}

func TestTellCustomerSkipsAStatusMoveThatIsNotOneOfTheKinds(t *testing.T) {
	c := moved(t, owned(t), "waiting_on_us", pipes)
	if got := c.TellCustomer(reach, pipes, t0); len(got) != 0 || len(c.Jobs) != 0 {
		t.Fatalf("new → waiting on us: notices %+v, jobs %v; want none", got, c.Jobs)
	}
}

func TestTellCustomerRefusals(t *testing.T) {
	off := pipes
	off.CustomerNotify.Off = []helpdesk.CustomerNotifyKind{helpdesk.CustomerClosed}
	spam := owned(t)
	spam.State = helpdesk.StateSpam
	blocked, opted, noMail, noChannel := reach, reach, reach, reach
	blocked.Blocked = true
	opted.OptedOut = []helpdesk.CustomerNotifyKind{helpdesk.CustomerWaiting, helpdesk.CustomerClosed}
	noMail.Contact.Email = " "
	noChannel.Email = nil
	for _, tc := range []struct {
		name string
		tk   helpdesk.Ticket
		r    ticket.CustomerReach
		set  helpdesk.Settings
		want string
	}{
		{"spam ticket", spam, reach, pipes, ticket.SkipSpam},
		{"blocked sender", owned(t), blocked, pipes, ticket.SkipBlocked},
		{"kind turned off", owned(t), reach, off, ticket.SkipKindOff},
		{"opted out", owned(t), opted, pipes, ticket.SkipOptedOut},
		{"no address", owned(t), noMail, pipes, ticket.SkipNoAddress},
		{"no email channel", owned(t), noChannel, pipes, ticket.SkipNoEmailChannel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := moved(t, tc.tk, "closed", tc.set)
			jobsBefore := len(c.Jobs)
			got := c.TellCustomer(tc.r, tc.set, t0)
			if len(got) != 1 || got[0].Skipped != tc.want || got[0].Via != "" {
				t.Fatalf("notices %+v, want closed skipped for %s", got, tc.want)
			}
			if len(c.Jobs) != jobsBefore || len(customerJobs(t, c)) != 0 {
				t.Errorf("a refused notice committed jobs: %v", c.Jobs)
			}
		})
	}
	t.Run("another kind still goes when one is off", func(t *testing.T) {
		c := moved(t, owned(t), "waiting_on_contact", off)
		if got := c.TellCustomer(reach, off, t0); len(got) != 1 || got[0].Via != ticket.ViaEmail {
			t.Fatalf("waiting with closed off: %+v", got)
		}
	})
}

// chatTicket is ticket 7 of a Messenger customer who last wrote at last.
func chatTicket(t *testing.T, last time.Time) helpdesk.Ticket {
	t.Helper()
	tk := owned(t)
	tk.ChannelID, tk.ChannelKind, tk.LastCustomerMessageAt = page.ID, helpdesk.ChannelMessenger, last
	return tk
}

func TestTellCustomerInTheConversationOnlyInsideTheWindow(t *testing.T) {
	chat := ticket.CustomerReach{Contact: helpdesk.Contact{ID: "c1", PSID: "u1", PageID: "p1"}}
	t.Run("inside", func(t *testing.T) {
		c := moved(t, chatTicket(t, t0.Add(-23*time.Hour)), "closed", pipes)
		got := c.TellCustomer(chat, pipes, t0)
		if len(got) != 1 || got[0].Via != ticket.ViaConversation {
			t.Fatalf("notices %+v, want closed in the conversation", got)
		}
		if len(c.Messages) != 1 {
			t.Fatalf("messages %+v, want the notice", c.Messages)
		}
		m := c.Messages[0]
		if m.Direction != helpdesk.Outbound || m.Status != helpdesk.StatusQueued || m.ThreadReason != ticket.ReasonCustomerNotice || m.Text == "" || m.AuthorAgentID != "" {
			t.Errorf("notice message %+v", m)
		}
		env, _ := jobs.DecodeEnvelope(c.Ticket().Outbox[m.ID])
		var rc jobs.ReplyChat
		if env.Kind != jobs.KindReplyChat || json.Unmarshal(env.Payload, &rc) != nil || len(rc.MessageIDs) != 1 || rc.MessageIDs[0] != m.ID {
			t.Errorf("outbox %v, want a reply.chat job for %s", c.Ticket().Outbox, m.ID)
		}
		if c.Ticket().MessageCount != owned(t).MessageCount+1 {
			t.Errorf("message count %d", c.Ticket().MessageCount)
		}
	})
	for name, last := range map[string]time.Time{"past 24 h (no HUMAN_AGENT tag for a notice)": t0.Add(-24 * time.Hour), "never wrote": {}} {
		t.Run(name, func(t *testing.T) {
			c := moved(t, chatTicket(t, last), "closed", pipes)
			got := c.TellCustomer(chat, pipes, t0)
			if len(got) != 1 || got[0].Skipped != ticket.SkipWindowClosed || len(c.Messages) != 0 || len(c.Jobs) != 0 {
				t.Fatalf("notices %+v, messages %d, jobs %d; want window_closed and nothing", got, len(c.Messages), len(c.Jobs))
			}
		})
	}
	t.Run("after a reply: one job, reply first", func(t *testing.T) {
		chatCh := page
		c, msg, err := ticket.ReplyAndSetStatus(chatTicket(t, t0.Add(-time.Hour)), chatCh, ticket.ReplyInput{AgentID: "ann", Text: "Done"}, "closed", nil, pipes, t0)
		if err != nil {
			t.Fatal(err)
		}
		c.TellCustomer(chat, pipes, t0)
		if len(c.Jobs) != 1 {
			t.Fatalf("jobs %v, want one reply.chat", c.Jobs)
		}
		for _, body := range c.Jobs {
			env, _ := jobs.DecodeEnvelope(body)
			var rc jobs.ReplyChat
			_ = env.Decode(&rc)
			if len(rc.MessageIDs) != 2 || rc.MessageIDs[0] != msg.ID {
				t.Errorf("reply.chat ids %v, want the reply then the notice", rc.MessageIDs)
			}
		}
	})
}

func TestTellCustomerOfAReplyOnlyWhenItIsNotSent(t *testing.T) {
	// A form customer's reply goes by email (ReplyVia): they see it, so
	// only the status it moves to may be told, and "waiting" not at all.
	c, _, err := ticket.ReplyAndSetStatus(owned(t), mail, ticket.ReplyInput{AgentID: "ann", Text: "Try again", Contact: &customer}, "waiting_on_contact", nil, pipes, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TellCustomer(reach, pipes, t0); len(got) != 1 || got[0].Kind != helpdesk.CustomerWaiting || got[0].Skipped != ticket.SkipReplySent {
		t.Fatalf("reply + waiting: %+v, want waiting skipped (reply_sent)", got)
	}
	c, _, err = ticket.ReplyAndSetStatus(owned(t), mail, ticket.ReplyInput{AgentID: "ann", Text: "Done", Contact: &customer}, "closed", nil, pipes, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TellCustomer(reach, pipes, t0); len(got) != 1 || got[0] != (ticket.CustomerNotice{Kind: helpdesk.CustomerClosed, Via: ticket.ViaEmail}) {
		t.Fatalf("reply + close: %+v, want the closing notice", got)
	}

	// A reply recorded but not sent (a channel that only shows it, as the
	// portal will): the customer is told, with its text.
	tk := owned(t)
	c = ticket.Change{Tickets: []ticket.Write{{Before: &tk, After: &tk}}, Messages: []helpdesk.Message{{ID: "r1", TicketID: "7",
		Direction: helpdesk.Outbound, AuthorAgentID: "ann", Text: "Here is how"}}}
	got := c.TellCustomer(reach, pipes, t0)
	js := customerJobs(t, c)
	if len(got) != 1 || got[0].Via != ticket.ViaEmail || len(js) != 1 || js[0].Kind != helpdesk.CustomerReply || js[0].MessageID != "r1" {
		t.Fatalf("unsent reply: notices %+v, jobs %+v", got, js)
	}
}

func TestTellCustomerNotOfTheirOwnMove(t *testing.T) {
	c := moved(t, owned(t), "closed", pipes)
	c.Activities[0].ActorID = ticket.ContactActor("c1")
	if got := c.TellCustomer(reach, pipes, t0); len(got) != 0 {
		t.Fatalf("the customer closed it: %+v, want nothing", got)
	}
}

func TestSettingsValidateCustomerNotify(t *testing.T) {
	s := helpdesk.DefaultSettings()
	s.CustomerNotify.Off = []helpdesk.CustomerNotifyKind{"closed", "bogus"}
	if err := s.Validate(); helpdesk.ErrorReason(err) != "unknown_customer_notify_kind" {
		t.Errorf("unknown kind: %v", err)
	}
	s.CustomerNotify.Off = []helpdesk.CustomerNotifyKind{"closed", "closed"}
	if err := s.Validate(); helpdesk.ErrorReason(err) != "duplicate_customer_notify_kind" {
		t.Errorf("twice: %v", err)
	}
	s = helpdesk.DefaultSettings()
	p := s.Pipelines["support"]
	p.Stages = append([]helpdesk.Stage(nil), p.Stages...)
	p.Stages[3].WaitingOnCustomer = true
	s.Pipelines = helpdesk.Pipelines{"support": p}
	if err := s.Validate(); helpdesk.ErrorReason(err) != "closed_stage_waiting" {
		t.Errorf("closing stage waiting: %v", err)
	}
}
