package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/channel/email/replytoken"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/threading"
)

var tokenSecret = []byte("0123456789abcdef0123456789abcdef")

type mailDesk struct {
	svc     *ingest.Service
	st      testbed.Store
	tickets *desk.Service
	clk     *time.Time
	seq     int
}

// newMailDesk is a tenant with two addresses (configured as mail) on a new
// store of backend.
func newMailDesk(t *testing.T, backend testbed.Backend, mail helpdesk.EmailSettings) *mailDesk {
	clk := t0
	d := &mailDesk{clk: &clk}
	now := func() time.Time { return *d.clk }
	d.st = backend.Open(t, now)
	for _, addr := range []string{"support@acme.example", "sales@acme.example"} {
		s := mail
		s.Address = addr
		ch := helpdesk.Channel{ID: "email:" + addr, Kind: helpdesk.ChannelEmail, Name: addr,
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Email: &s}
		if err := d.st.PutChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
	}
	d.svc = &ingest.Service{Store: d.st, Threader: threading.Email{TokenSecret: tokenSecret},
		Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now, Log: quiet, MaxAttempts: 30}
	d.tickets = &desk.Service{Store: d.st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now}
	return d
}

type mailOpt func(m *helpdesk.InboundMessage)

func from(addr string) mailOpt { return func(m *helpdesk.InboundMessage) { m.Sender.Email = addr } }
func to(addr string) mailOpt {
	return func(m *helpdesk.InboundMessage) {
		m.ChannelID = "email:" + addr
		m.Email.Recipients = []string{addr}
	}
}
func inReplyTo(id string) mailOpt {
	return func(m *helpdesk.InboundMessage) { m.Email.InReplyTo = []string{id} }
}
func references(ids ...string) mailOpt {
	return func(m *helpdesk.InboundMessage) { m.Email.References = ids }
}
func recipient(addr string) mailOpt {
	return func(m *helpdesk.InboundMessage) { m.Email.Recipients = append(m.Email.Recipients, addr) }
}

// mail applies one email with the given Message-ID and subject.
func (d *mailDesk) mail(t *testing.T, msgID, subject string, opts ...mailOpt) ingest.Result {
	t.Helper()
	m := d.message(msgID, subject, opts...)
	r, err := d.svc.Apply(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (d *mailDesk) message(msgID, subject string, opts ...mailOpt) *helpdesk.InboundMessage {
	d.seq++
	m := &helpdesk.InboundMessage{
		Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: "email:support@acme.example",
		ProviderMessageID: msgID, ReceivedAt: d.clk.Add(time.Duration(d.seq) * time.Second),
		Sender: helpdesk.Sender{Email: "ann@example.com", Name: "Ann"}, Subject: subject, Text: "text of " + msgID,
		Email: &helpdesk.EmailHeaders{MessageID: msgID, Recipients: []string{"support@acme.example"}},
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func (d *mailDesk) conv(t *testing.T, id string) helpdesk.Conversation {
	t.Helper()
	c, err := d.st.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmailThreadingScenarios(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		first := d.mail(t, "m1@mail.example", "Printer on fire")
		if !first.Created {
			t.Fatalf("first mail: %+v", first)
		}
		id := first.TicketID

		check := func(name string, r ingest.Result, wantReason string) {
			t.Helper()
			if r.TicketID != id || r.Created || r.Reason != wantReason {
				t.Errorf("%s: ticket %s created=%v reason %q, want ticket %s reason %q", name, r.TicketID, r.Created, r.Reason, id, wantReason)
			}
		}
		check("gmail reply", d.mail(t, "m2@mail.example", "Re: Printer on fire", inReplyTo("m1@mail.example"), references("m1@mail.example")), threading.ReasonInReplyTo)
		check("outlook reply, references only", d.mail(t, "m3@outlook.example", "RE: Printer on fire", references("m1@mail.example", "m2@mail.example")), threading.ReasonReferences)

		token, err := replytoken.Address(tokenSecret, "support@acme.example", id)
		if err != nil {
			t.Fatal(err)
		}
		check("reply to our mail via the reply token", d.mail(t, "m4@mail.example", "Re: your ticket", recipient(token), inReplyTo("unknown@ours")), threading.ReasonReplyToken)
		check("subject reference from a participant", d.mail(t, "m5@mail.example", fmt.Sprintf("Update [#%s]", id)), threading.ReasonSubjectReference)

		stranger := d.mail(t, "m6@evil.example", fmt.Sprintf("Re: [#%s] give me their data", id), from("mallory@evil.example"))
		if stranger.TicketID == id || !stranger.Created {
			t.Fatalf("a stranger quoting the ticket number joined it: %+v", stranger)
		}
		sc := d.conv(t, stranger.TicketID)
		if !strings.HasPrefix(sc.Messages[0].ThreadNote, "subject_reference_from_non_participant:") {
			t.Errorf("stranger's message note = %q", sc.Messages[0].ThreadNote)
		}

		// A forward "from" a participant, sent by a stranger, does not join either:
		// the original sender of a forward is text the forwarder wrote.
		forged := d.mail(t, "m7@evil.example", fmt.Sprintf("Fwd: [#%s]", id), func(m *helpdesk.InboundMessage) {
			m.Email.ForwardedBy = &helpdesk.Sender{Email: "mallory@evil.example"}
		})
		if forged.TicketID == id || !forged.Created {
			t.Fatalf("a forged forward joined the ticket: %+v", forged)
		}

		// The same mail delivered to two of the tenant's addresses is one message.
		again := d.mail(t, "m2@mail.example", "Re: Printer on fire", to("sales@acme.example"), inReplyTo("m1@mail.example"))
		if !again.Duplicate || again.TicketID != id {
			t.Fatalf("second delivery: %+v", again)
		}
		c := d.conv(t, id)
		if len(c.Messages) != 5 || c.Ticket.MessageCount != 5 {
			t.Fatalf("ticket %s has %d messages (count %d), want 5", id, len(c.Messages), c.Ticket.MessageCount)
		}
		reasons := []string{}
		for _, m := range c.Messages {
			reasons = append(reasons, m.ThreadReason)
		}
		if got := strings.Join(reasons, ","); got != "new_ticket,in_reply_to,references,reply_token,subject_reference" {
			t.Errorf("reasons in order = %s", got)
		}
	})
}

func TestReplyToAClosedTicketReopensIt(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		id := d.mail(t, "c1@x", "Question").TicketID
		if _, err := d.tickets.SetStatus(context.Background(), id, "closed", "agent"); err != nil {
			t.Fatal(err)
		}
		r := d.mail(t, "c2@x", "Re: Question", inReplyTo("c1@x"))
		c := d.conv(t, id)
		if r.TicketID != id || c.Ticket.State != helpdesk.StateOpen || c.Ticket.Status != "new" {
			t.Fatalf("after the reply: %+v, ticket %+v", r, c.Ticket)
		}
		last := c.Activities[len(c.Activities)-1]
		if last.Kind != helpdesk.ActivityStatus || last.From != "closed" || !strings.HasPrefix(last.ActorID, "contact:") {
			t.Fatalf("reopen activity = %+v", last)
		}
	})
}

func TestReplyLongAfterClosingStartsANewTicket(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{NewTicketAfterDays: 3})
		id := d.mail(t, "o1@x", "Old question").TicketID
		if _, err := d.tickets.SetStatus(context.Background(), id, "closed", "agent"); err != nil {
			t.Fatal(err)
		}
		*d.clk = d.clk.Add(2 * 24 * time.Hour)
		if r := d.mail(t, "o2@x", "Re: Old question", inReplyTo("o1@x")); r.TicketID != id {
			t.Fatalf("reply within 3 days went to %s, want %s", r.TicketID, id)
		}
		if _, err := d.tickets.SetStatus(context.Background(), id, "closed", "agent"); err != nil {
			t.Fatal(err)
		}
		*d.clk = d.clk.Add(4 * 24 * time.Hour)
		r := d.mail(t, "o3@x", "Re: Old question", inReplyTo("o2@x"))
		if r.TicketID == id || !r.Created {
			t.Fatalf("reply 4 days after closing: %+v, want a new ticket", r)
		}
		if note := d.conv(t, r.TicketID).Messages[0].ThreadNote; note != "closed_too_long_ago:"+id {
			t.Fatalf("note = %q", note)
		}
	})
}

func TestSpamVerdictGoesToTheSpamViewUnrouted(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		id := d.mail(t, "s1@x", "Hello").TicketID
		m := d.message("s2@x", "Re: Hello", inReplyTo("s1@x"))
		m.Verdicts = helpdesk.Verdicts{Spam: "FAIL", Virus: "PASS"}
		r, err := d.svc.Apply(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		c := d.conv(t, r.TicketID)
		if r.TicketID == id || c.Ticket.State != helpdesk.StateSpam || c.Ticket.OwnerID != "" || len(c.Activities) != 0 {
			t.Fatalf("spam mail: %+v, ticket %+v", r, c.Ticket)
		}
	})
}

// Sixteen people reply at once to a thread we never saw (they all reference
// its root): one ticket, sixteen messages.
func TestConcurrentFirstMailsOfOneThread(t *testing.T) {
	d := newMailDesk(t, testbed.DynamoDB, helpdesk.EmailSettings{})
	e := env{svc: d.svc, st: d.st}
	const n = 16
	msgs := make([]*helpdesk.InboundMessage, n)
	for i := range msgs {
		msgs[i] = d.message(fmt.Sprintf("r%d@x", i), "Re: Team offsite", references("root@elsewhere"), from(fmt.Sprintf("p%d@example.com", i)))
	}
	res := race(t, e, n, func(i int) *helpdesk.InboundMessage { return msgs[i] })
	ids := map[string]bool{}
	for _, r := range res {
		ids[r.TicketID] = true
	}
	if len(ids) != 1 {
		t.Fatalf("replies landed in %d tickets", len(ids))
	}
	for id := range ids {
		if c := d.conv(t, id); len(c.Messages) != n || len(c.Ticket.Participants) != n {
			t.Fatalf("ticket has %d messages and %d participants, want %d", len(c.Messages), len(c.Ticket.Participants), n)
		}
	}
}
