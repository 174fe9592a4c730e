package ticket_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var (
	waChan     = helpdesk.Channel{ID: "whatsapp:pn1", Kind: helpdesk.ChannelWhatsApp, WhatsApp: &helpdesk.WhatsAppSettings{PhoneNumberID: "pn1"}}
	waCustomer = helpdesk.Contact{ID: "c1", Name: "Wa", WhatsAppID: "15551230000"}
)

// portalTicket is ticket 7, opened in the portal, owned by ann.
func portalTicket(t *testing.T) helpdesk.Ticket {
	t.Helper()
	tk := owned(t)
	tk.ChannelID, tk.ChannelKind = helpdesk.PortalChannelID, helpdesk.ChannelPortal
	return tk
}

// portalReply is an agent's reply to a portal ticket of contact, on the
// channel ReplyVia decides.
func portalReply(t *testing.T, contact helpdesk.Contact, status string) (ticket.Change, helpdesk.Message) {
	t.Helper()
	tk := portalTicket(t)
	ch, err := ticket.ReplyVia(tk, nil, &mail, contact)
	if err != nil {
		t.Fatalf("reply via: %v", err)
	}
	c, msg, err := ticket.ReplyAndSetStatus(tk, ch, ticket.ReplyInput{AgentID: "ann", Text: "Here is how", Contact: &contact}, status, nil, pipes, t0)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	return c, msg
}

// chatJobs decodes the change's customer.chat jobs.
func chatJobs(t *testing.T, c ticket.Change) []jobs.CustomerChat {
	t.Helper()
	var out []jobs.CustomerChat
	for id, body := range c.Jobs {
		env, err := jobs.DecodeEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		if env.Kind != jobs.KindCustomerChat {
			continue
		}
		var j jobs.CustomerChat
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

func TestAPortalCustomerWithoutEmailIsAnsweredInThePortal(t *testing.T) {
	c, msg := portalReply(t, waCustomer, "")
	if len(c.Jobs) != 0 || len(c.Ticket().Outbox) != 0 {
		t.Fatalf("jobs %v, want none: the reply is sent on no channel", c.Jobs)
	}
	if len(c.Messages) != 1 || c.Messages[0].ID != msg.ID {
		t.Fatalf("messages %+v, want the reply", c.Messages)
	}
	if msg.Status != helpdesk.StatusInPortal || msg.Direction != helpdesk.Outbound || msg.AuthorAgentID != "ann" ||
		msg.ChannelKind != helpdesk.ChannelPortal || msg.ChannelID != helpdesk.PortalChannelID || msg.Text != "Here is how" ||
		msg.EmailMessageID != "" || len(msg.To) != 0 {
		t.Errorf("reply %+v, want an outbound in_portal message on the portal channel", msg)
	}
	if n := c.Ticket(); n.MessageCount != portalTicket(t).MessageCount+1 {
		t.Errorf("message count %d", n.MessageCount)
	}
	// Without any email channel at all, too: the portal needs none.
	if ch, err := ticket.ReplyVia(portalTicket(t), nil, nil, waCustomer); err != nil || ch.Kind != helpdesk.ChannelPortal {
		t.Errorf("no email channel: %+v, %v; want the portal", ch, err)
	}
}

func TestAPortalCustomerWithEmailIsStillEmailed(t *testing.T) {
	c, msg := portalReply(t, customer, "")
	if msg.ChannelID != mail.ID || msg.Status != helpdesk.StatusQueued || msg.EmailMessageID == "" {
		t.Fatalf("reply %+v, want a queued email", msg)
	}
	env, err := jobs.DecodeEnvelope(c.Jobs[msg.ID])
	if err != nil || env.Kind != jobs.KindReplyEmail {
		t.Fatalf("jobs %v, want a reply.email", c.Jobs)
	}
	if got := c.TellCustomer(ticket.CustomerReach{Contact: customer, Email: &mail}, pipes, t0); len(got) != 0 || len(chatJobs(t, c)) != 0 {
		t.Fatalf("emailed reply: notices %+v, want none", got)
	}
}

func TestAPortalOnlyReplyIsToldInTheCustomersChat(t *testing.T) {
	in := func(last time.Time) ticket.CustomerReach {
		return ticket.CustomerReach{Contact: waCustomer, Chat: &ticket.ChatReach{Channel: waChan, LastCustomerMessageAt: last}}
	}
	t.Run("inside the window", func(t *testing.T) {
		c, msg := portalReply(t, waCustomer, "")
		got := c.TellCustomer(in(t0.Add(-23*time.Hour)), pipes, t0)
		if len(got) != 1 || got[0] != (ticket.CustomerNotice{Kind: helpdesk.CustomerReply, Via: ticket.ViaConversation}) {
			t.Fatalf("notices %+v, want one reply in the conversation", got)
		}
		js := chatJobs(t, c)
		if len(js) != 1 || len(c.Jobs) != 1 {
			t.Fatalf("jobs %v, want one customer.chat", c.Jobs)
		}
		j := js[0]
		if j.Kind != helpdesk.CustomerReply || j.ChannelID != waChan.ID || j.ContactID != "c1" || j.TicketID != "7" ||
			j.MessageID != msg.ID || j.NotificationID == "" || !j.At.Equal(t0) {
			t.Errorf("job %+v", j)
		}
		if len(c.Messages) != 1 {
			t.Errorf("messages %+v: the notice is not recorded on the portal ticket", c.Messages)
		}
	})
	t.Run("reply and close: both told", func(t *testing.T) {
		c, _ := portalReply(t, waCustomer, "closed")
		got := c.TellCustomer(in(t0.Add(-time.Hour)), pipes, t0)
		if len(got) != 2 || got[0].Via != ticket.ViaConversation || got[1] != (ticket.CustomerNotice{Kind: helpdesk.CustomerClosed, Via: ticket.ViaConversation}) {
			t.Fatalf("notices %+v, want the reply and the close in the conversation", got)
		}
	})
	replyOff := pipes
	replyOff.CustomerNotify.Off = []helpdesk.CustomerNotifyKind{helpdesk.CustomerReply}
	opted, blocked, noChat := in(t0.Add(-time.Hour)), in(t0.Add(-time.Hour)), in(t0.Add(-time.Hour))
	opted.OptedOut = []helpdesk.CustomerNotifyKind{helpdesk.CustomerReply}
	blocked.Blocked = true
	noChat.Chat = nil
	for _, tc := range []struct {
		name string
		r    ticket.CustomerReach
		set  helpdesk.Settings
		want string
	}{
		{"past 24 h", in(t0.Add(-24 * time.Hour)), pipes, ticket.SkipWindowClosed},
		{"never wrote", in(time.Time{}), pipes, ticket.SkipWindowClosed},
		{"opted out", opted, pipes, ticket.SkipOptedOut},
		{"kind off", in(t0.Add(-time.Hour)), replyOff, ticket.SkipKindOff},
		{"blocked", blocked, pipes, ticket.SkipBlocked},
		{"no conversation", noChat, pipes, ticket.SkipNoAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := portalReply(t, waCustomer, "")
			got := c.TellCustomer(tc.r, tc.set, t0)
			if len(got) != 1 || got[0].Kind != helpdesk.CustomerReply || got[0].Skipped != tc.want || len(c.Jobs) != 0 {
				t.Fatalf("notices %+v, jobs %v; want the reply skipped for %s and no job", got, c.Jobs, tc.want)
			}
		})
	}
	t.Run("spam", func(t *testing.T) {
		tk := portalTicket(t)
		tk.State = helpdesk.StateSpam
		c, _, err := ticket.Reply(tk, ticket.PortalChannel(tk), ticket.ReplyInput{AgentID: "ann", Text: "x"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.TellCustomer(in(t0.Add(-time.Hour)), pipes, t0); len(got) != 1 || got[0].Skipped != ticket.SkipSpam || len(c.Jobs) != 0 {
			t.Fatalf("spam: %+v", got)
		}
	})
}

func TestOnlyAPortalTicketIsAnsweredInThePortal(t *testing.T) {
	// A form ticket's contact without email is still refused, and a portal
	// channel cannot answer any other ticket.
	if _, err := ticket.ReplyVia(owned(t), nil, &mail, waCustomer); helpdesk.ErrorReason(err) != "contact_has_no_email" {
		t.Errorf("form ticket, no email: %v, want contact_has_no_email", err)
	}
	if _, _, err := ticket.Reply(owned(t), ticket.PortalChannel(portalTicket(t)), ticket.ReplyInput{AgentID: "ann", Text: "x"}, t0); helpdesk.ErrorReason(err) != "channel_cannot_reply" {
		t.Errorf("form ticket on the portal channel: %v, want channel_cannot_reply", err)
	}
}
