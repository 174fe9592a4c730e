package ingest_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket/tickettest"
)

const (
	fixturePage  = "106907411778215" // the page of shared/channel/meta/testdata/messenger_*.json
	fixturePSID  = "3163874143641178"
	fixturePhone = "106540352242922" // the number of shared/channel/meta/testdata/whatsapp_*.json
)

type chatDesk struct {
	svc    *ingest.Service
	st     testbed.Store
	outbox *memOutbox
	clk    *time.Time
}

// newChatDesk is a tenant with a Messenger page (configured as page), a
// second page and a WhatsApp number, on a new store of backend.
func newChatDesk(t *testing.T, backend testbed.Backend, page helpdesk.MessengerSettings) *chatDesk {
	clk := t0
	d := &chatDesk{clk: &clk, outbox: &memOutbox{}}
	now := func() time.Time { return *d.clk }
	d.st = backend.Open(t, now)
	page.PageID = fixturePage
	chans := []helpdesk.Channel{
		{ID: "messenger:" + fixturePage, Kind: helpdesk.ChannelMessenger, Name: "Acme page",
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Messenger: &page},
		{ID: "messenger:204907411778216", Kind: helpdesk.ChannelMessenger, Name: "Acme FR",
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Messenger: &helpdesk.MessengerSettings{PageID: "204907411778216"}},
		{ID: "whatsapp:" + fixturePhone, Kind: helpdesk.ChannelWhatsApp, Name: "Acme WhatsApp",
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, WhatsApp: &helpdesk.WhatsAppSettings{PhoneNumberID: fixturePhone}},
	}
	for _, ch := range chans {
		if err := d.st.PutChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
	}
	d.svc = &ingest.Service{Store: d.st, Threader: threading.ByChannel(tokenSecret), Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: now, Log: quiet, MaxAttempts: 20, Outbound: d.outbox}
	return d
}

func fixtureBatch(t *testing.T, name string) meta.Batch {
	t.Helper()
	body, err := os.ReadFile("../../channel/meta/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	decode := meta.DecodeMessenger
	if strings.HasPrefix(name, "whatsapp") {
		decode = meta.DecodeWhatsApp
	}
	b, err := decode(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func chatText(id, text string, at time.Time) *helpdesk.InboundMessage {
	return &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelMessenger,
		ChannelID: "messenger:" + fixturePage, ProviderMessageID: id, ReceivedAt: at,
		Sender: helpdesk.Sender{PageID: fixturePage, PSID: fixturePSID}, Text: text}
}

func (d *chatDesk) apply(t *testing.T, m *helpdesk.InboundMessage) ingest.Result {
	t.Helper()
	r, err := d.svc.Apply(context.Background(), m)
	if err != nil {
		t.Fatalf("apply %s: %v", m.ProviderMessageID, err)
	}
	return r
}

func (d *chatDesk) conv(t *testing.T, id string) helpdesk.Conversation {
	t.Helper()
	c, err := d.st.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// queued decodes the published jobs of one kind.
func jobsOf[T any](t *testing.T, o *memOutbox, kind string) []T {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []T
	for _, body := range o.jobs {
		var env jobs.Envelope
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatal(err)
		}
		if env.Kind != kind {
			continue
		}
		var v T
		if err := json.Unmarshal(env.Payload, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// Batched Messenger deliveries: one customer's messages on one page make
// one conversation ticket; the same person on another page is another
// contact and another ticket. A new visitor gets the greeting, every new
// conversation the instant reply, queued in that order.
func TestMessengerConversationGreetingAndInstantReply(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{Greeting: "Hi! Welcome to Acme.", InstantReply: "Thanks, an agent will answer shortly."})
		b := fixtureBatch(t, "messenger_batched.json")
		var res []ingest.Result
		for i := range b.Messages {
			if b.Messages[i].Update == nil { // the reaction (to a reply not ours) is not a message
				res = append(res, d.apply(t, &b.Messages[i]))
			}
		}
		if len(res) != 4 {
			t.Fatalf("fixture has %d messages, want 4", len(res))
		}
		first := res[0].TicketID
		for i, r := range res[:3] {
			if r.TicketID != first {
				t.Fatalf("message %d of the same visitor on the same page went to ticket %s, want %s", i, r.TicketID, first)
			}
		}
		if !res[0].Created || res[1].Created || res[1].Reason != threading.ReasonConversation {
			t.Fatalf("results = %+v", res[:2])
		}
		if res[3].TicketID == first || !res[3].Created {
			t.Fatalf("the other page's message joined %s, want a new ticket", res[3].TicketID)
		}

		c := d.conv(t, first)
		if c.Ticket.Type != helpdesk.TypeMessage || c.Ticket.ChannelKind != helpdesk.ChannelMessenger {
			t.Fatalf("ticket = %+v", c.Ticket)
		}
		var inbound, auto []helpdesk.Message
		for _, m := range c.Messages {
			if m.Direction == helpdesk.Inbound {
				inbound = append(inbound, m)
			} else {
				auto = append(auto, m)
			}
		}
		if len(inbound) != 3 || len(auto) != 2 || c.Ticket.MessageCount != 5 {
			t.Fatalf("ticket has %d inbound, %d outbound, count %d; want 3, 2, 5", len(inbound), len(auto), c.Ticket.MessageCount)
		}
		if auto[0].Text != "Hi! Welcome to Acme." || auto[0].ThreadReason != ingest.ReasonGreeting ||
			auto[1].Text != "Thanks, an agent will answer shortly." || auto[1].ThreadReason != ingest.ReasonInstantReply {
			t.Fatalf("automatic replies = %q (%s), %q (%s)", auto[0].Text, auto[0].ThreadReason, auto[1].Text, auto[1].ThreadReason)
		}
		for _, m := range auto {
			if m.Status != helpdesk.StatusQueued {
				t.Fatalf("automatic reply %s is %s, want queued", m.ID, m.Status)
			}
		}
		queued := jobsOf[jobs.ReplyChat](t, d.outbox, jobs.KindReplyChat)
		if len(queued) != 1 || queued[0].TicketID != first || len(queued[0].MessageIDs) != 2 ||
			queued[0].MessageIDs[0] != auto[0].ID || queued[0].MessageIDs[1] != auto[1].ID {
			t.Fatalf("reply jobs = %+v; want one job sending greeting then instant reply of %s", queued, first)
		}
		if pending, _ := d.st.PendingOutbox(context.Background(), first); len(pending) != 0 {
			t.Fatalf("outbox not cleared after publishing: %v", pending)
		}

		// The contact is keyed by page + PSID: the other page made another one.
		other := d.conv(t, res[3].TicketID)
		if other.Ticket.ContactID == c.Ticket.ContactID {
			t.Fatal("a visitor on two pages must be two contacts")
		}
		// That page has no greeting or instant reply configured: nothing queued.
		if n := len(other.Messages); n != 1 {
			t.Fatalf("other page's ticket has %d messages, want 1", n)
		}

		// A closed conversation reopens when the customer writes again.
		tickettest.Edit(t, d.st, first, func(tk *helpdesk.Ticket) {
			tk.Status, tk.State, tk.ClosedAt = "closed", helpdesk.StateClosed, t0
		})
		r := d.apply(t, chatText("m_after_close", "one more thing", t0.Add(time.Hour)))
		if r.TicketID != first || r.Created {
			t.Fatalf("after close: %+v, want appended to %s", r, first)
		}
		if c := d.conv(t, first); c.Ticket.State != helpdesk.StateOpen {
			t.Fatalf("ticket state %s after the customer wrote again, want open", c.Ticket.State)
		}
		// The conversation went on: no second greeting nor instant reply.
		if n := len(jobsOf[jobs.ReplyChat](t, d.outbox, jobs.KindReplyChat)); n != 1 {
			t.Fatalf("%d reply jobs, want 1 (one per new conversation)", n)
		}
	})
}

// Implicit consent: the consent text goes with the greeting and the consent
// is recorded on the new contact.
func TestMessengerImplicitConsent(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{Greeting: "Hello!", Consent: helpdesk.ConsentImplicit,
			ConsentText: "We store your messages to answer you."})
		r := d.apply(t, chatText("m_1", "Is my order shipped?", t0))
		c := d.conv(t, r.TicketID)
		contact, err := d.st.GetContact(context.Background(), c.Ticket.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		want := helpdesk.Consent{Mode: helpdesk.ConsentImplicit, ChannelID: "messenger:" + fixturePage,
			Text: "We store your messages to answer you.", At: t0, MessageID: "m_1"}
		if contact.Consent == nil || *contact.Consent != want {
			t.Fatalf("consent = %+v, want %+v", contact.Consent, want)
		}
		greeting := c.Messages[len(c.Messages)-1]
		if greeting.Text != "Hello!\n\nWe store your messages to answer you." {
			t.Fatalf("greeting = %q", greeting.Text)
		}
	})
}

// Explicit consent: nothing is ticketed (nor a contact kept) before "I
// agree"; the visitor is asked once; on agreeing, what they sent becomes
// their ticket in order and the consent is on the contact. A redelivered
// "I agree" changes nothing.
func TestMessengerExplicitConsentHoldsUntilAgreed(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{Greeting: "Hello!", InstantReply: "We'll be right with you.",
			Consent: helpdesk.ConsentExplicit, ConsentText: "May we store your messages?"})
		for i, text := range []string{"first question", "second question"} {
			*d.clk = t0.Add(time.Duration(i) * time.Minute)
			r := d.apply(t, chatText("m_held"+string(rune('1'+i)), text, *d.clk))
			if r.Reason != ingest.ReasonHeldForConsent || r.TicketID != "" {
				t.Fatalf("message %d: %+v, want held", i, r)
			}
		}
		// Redelivery of a held message holds it once.
		d.apply(t, chatText("m_held1", "first question", t0))

		key := helpdesk.Sender{PageID: fixturePage, PSID: fixturePSID}.Key(helpdesk.ChannelMessenger)
		if _, err := d.st.FindContactID(context.Background(), key); err == nil {
			t.Fatal("a contact exists before consent")
		}
		held, err := d.st.HeldMessages(context.Background(), "messenger:"+fixturePage, key, *d.clk)
		if err != nil || len(held) != 2 || held[0].Text != "first question" {
			t.Fatalf("held = %v, %v", held, err)
		}
		prompts := jobsOf[jobs.ConsentPrompt](t, d.outbox, jobs.KindConsentPrompt)
		want := jobs.ConsentPrompt{ChannelID: "messenger:" + fixturePage, PSID: fixturePSID, Greeting: "Hello!",
			Text: "May we store your messages?", AgreeLabel: "I agree", Payload: helpdesk.ConsentAcceptPayload}
		if len(prompts) != 1 || prompts[0] != want {
			t.Fatalf("prompts = %+v, want exactly one %+v", prompts, want)
		}

		*d.clk = t0.Add(10 * time.Minute)
		agree := chatText("m_agree", "I agree", *d.clk)
		agree.Submission = map[string]string{"quick_reply": helpdesk.ConsentAcceptPayload}
		r := d.apply(t, agree)
		if r.Reason != ingest.ReasonConsentGiven || r.TicketID == "" || !r.Created {
			t.Fatalf("agree: %+v", r)
		}
		c := d.conv(t, r.TicketID)
		var texts []string
		for _, m := range c.Messages {
			texts = append(texts, string(m.Direction)+":"+m.Text)
		}
		wantTexts := []string{"in:first question", "in:second question", "out:We'll be right with you."}
		if strings.Join(texts, "|") != strings.Join(wantTexts, "|") {
			t.Fatalf("conversation = %q, want %q (no greeting: it went with the question)", texts, wantTexts)
		}
		contact, err := d.st.GetContact(context.Background(), c.Ticket.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if cs := contact.Consent; cs == nil || cs.Mode != helpdesk.ConsentExplicit || cs.MessageID != "m_agree" || !cs.At.Equal(*d.clk) || cs.Text != "May we store your messages?" {
			t.Fatalf("consent = %+v", contact.Consent)
		}
		if held, _ := d.st.HeldMessages(context.Background(), "messenger:"+fixturePage, key, *d.clk); len(held) != 0 {
			t.Fatalf("%d messages still held after release", len(held))
		}
		r2 := d.apply(t, agree)
		if r2.TicketID != "" || d.conv(t, r.TicketID).Ticket.MessageCount != 3 {
			t.Fatalf("redelivered agree: %+v", r2)
		}
		// Consent given: the next message is ticketed at once.
		if r := d.apply(t, chatText("m_next", "thanks", d.clk.Add(time.Minute))); r.TicketID != c.Ticket.ID {
			t.Fatalf("after consent: %+v", r)
		}
	})
}

// Held messages last 7 days: a visitor agreeing later gets none of them
// ticketed (DynamoDB's TTL deletes them; reads ignore the expired ones
// until it does).
func TestMessengerHeldMessagesExpireAfterSevenDays(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{Consent: helpdesk.ConsentExplicit, ConsentText: "OK?"})
		d.apply(t, chatText("m_old", "old question", t0))
		*d.clk = t0.Add(6*24*time.Hour + 23*time.Hour)
		d.apply(t, chatText("m_recent", "recent question", *d.clk))

		*d.clk = t0.Add(ingest.HoldFor + time.Minute)
		agree := chatText("m_agree", "I agree", *d.clk)
		agree.Submission = map[string]string{"quick_reply": helpdesk.ConsentAcceptPayload}
		r := d.apply(t, agree)
		c := d.conv(t, r.TicketID)
		if len(c.Messages) != 1 || c.Messages[0].Text != "recent question" {
			t.Fatalf("released %d messages (%v), want only the one younger than 7 days", len(c.Messages), c.Messages)
		}
		// The prompt was asked once, within the first message's 7 days.
		if n := len(jobsOf[jobs.ConsentPrompt](t, d.outbox, jobs.KindConsentPrompt)); n != 1 {
			t.Fatalf("%d prompts, want 1", n)
		}
	})
}

// WhatsApp messages join one conversation per wa_id, the contact named from
// the profile; media keep their id and type (downloaded by the router's
// media step).
func TestWhatsAppMessagesMakeOneConversation(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		var ticket string
		for _, name := range []string{"whatsapp_text.json", "whatsapp_media.json", "whatsapp_location_contacts.json"} {
			b := fixtureBatch(t, name)
			for i := range b.Messages {
				r := d.apply(t, &b.Messages[i])
				if ticket == "" {
					ticket = r.TicketID
				}
				if r.TicketID != ticket {
					t.Fatalf("%s message %d went to %s, want %s", name, i, r.TicketID, ticket)
				}
			}
		}
		c := d.conv(t, ticket)
		contact, err := d.st.GetContact(context.Background(), c.Ticket.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if contact.Name != "Sheena Nelson" || contact.WhatsAppID != "16505551234" {
			t.Fatalf("contact = %+v", contact)
		}
		var media int
		for _, m := range c.Messages {
			for _, a := range m.Attachments {
				if a.ContentType == "" || a.Key == "" {
					t.Fatalf("attachment lost its type or media id: %+v", a)
				}
				media++
			}
		}
		if media != 4 || c.Ticket.Type != helpdesk.TypeMessage {
			t.Fatalf("%d media attachments, type %s", media, c.Ticket.Type)
		}
	})
}

// Delivery reports move our outbound message forward only: out-of-order
// reports do not move it back; failed records code and reason; a report
// for a message we do not know is retried, then dropped.
func TestDeliveryReportsMoveOutboundMessagesForward(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		ctx := context.Background()
		b := fixtureBatch(t, "whatsapp_text.json")
		r := d.apply(t, &b.Messages[0])
		msg := helpdesk.Message{ID: helpdesk.NewID(), TicketID: r.TicketID, Direction: helpdesk.Outbound,
			ChannelID: "whatsapp:" + fixturePhone, ChannelKind: helpdesk.ChannelWhatsApp, Text: "hello", Status: helpdesk.StatusQueued,
			CreatedAt: t0.Add(time.Minute)}
		tickettest.Edit(t, d.st, r.TicketID, nil, msg)
		if err := d.st.SetMessageStatus(ctx, msg, helpdesk.StatusQueued, helpdesk.StatusSent, "wamid.OUT1", ""); err != nil {
			t.Fatal(err)
		}
		find := func(id string) helpdesk.Message {
			for _, m := range d.conv(t, r.TicketID).Messages {
				if m.ID == id {
					return m
				}
			}
			t.Fatalf("outbound message %s gone", id)
			return helpdesk.Message{}
		}
		status := func() helpdesk.Message { return find(msg.ID) }
		report := func(st helpdesk.MessageStatus, sec int) *jobs.StatusUpdate {
			return &jobs.StatusUpdate{Channel: helpdesk.ChannelWhatsApp, ChannelID: "whatsapp:" + fixturePhone,
				ProviderMessageID: "wamid.OUT1", Status: st, At: t0.Add(time.Duration(sec) * time.Second)}
		}
		steps := []struct {
			report *jobs.StatusUpdate
			want   helpdesk.MessageStatus
		}{
			{report(helpdesk.StatusRead, 90), helpdesk.StatusRead}, // read overtook delivered
			{report(helpdesk.StatusDelivered, 80), helpdesk.StatusRead},
			{report(helpdesk.StatusSent, 70), helpdesk.StatusRead},
			{report(helpdesk.StatusFailed, 95), helpdesk.StatusRead}, // nothing after read
		}
		for i, s := range steps {
			if err := d.svc.ApplyStatus(ctx, s.report, 1); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if got := status(); got.Status != s.want {
				t.Fatalf("step %d (%s): status %s, want %s", i, s.report.Status, got.Status, s.want)
			}
		}
		if got := status(); !got.StatusAt.Equal(t0.Add(90 * time.Second)) {
			t.Fatalf("statusAt = %v, want the read report's time", got.StatusAt)
		}

		// A failed report on a message that is only sent records why.
		msg2 := msg
		msg2.ID, msg2.CreatedAt, msg2.Status = helpdesk.NewID(), t0.Add(2*time.Minute), helpdesk.StatusQueued
		tickettest.Edit(t, d.st, r.TicketID, nil, msg2)
		if err := d.st.SetMessageStatus(ctx, msg2, helpdesk.StatusQueued, helpdesk.StatusSent, "wamid.OUT2", ""); err != nil {
			t.Fatal(err)
		}
		statuses := fixtureBatch(t, "whatsapp_statuses.json").Statuses
		failed := statuses[len(statuses)-1]
		u := &jobs.StatusUpdate{Channel: helpdesk.ChannelWhatsApp, ChannelID: failed.ChannelID, ProviderMessageID: failed.ProviderMessageID,
			Status: helpdesk.MessageStatus(failed.Status), At: failed.At, ErrorCode: failed.ErrorCode, ErrorTitle: failed.ErrorTitle, ErrorDetail: failed.ErrorDetail}
		if err := d.svc.ApplyStatus(ctx, u, 1); err != nil {
			t.Fatal(err)
		}
		want := "whatsapp error 131047: Re-engagement message (Message failed to send because more than 24 hours have passed since the customer last replied to this number.)"
		if m := find(msg2.ID); m.Status != helpdesk.StatusFailed || m.StatusReason != want {
			t.Fatalf("failed report: %s %q, want failed %q", m.Status, m.StatusReason, want)
		}

		unknown := report(helpdesk.StatusDelivered, 1)
		unknown.ProviderMessageID = "wamid.NOT_OURS"
		if err := d.svc.ApplyStatus(ctx, unknown, 1); err == nil {
			t.Fatal("an unknown message's report must be retried first (our send may not be recorded yet)")
		}
		if err := d.svc.ApplyStatus(ctx, unknown, ingest.UnknownStatusTries); err != nil {
			t.Fatalf("after %d tries the report must be dropped: %v", ingest.UnknownStatusTries, err)
		}
	})
}
