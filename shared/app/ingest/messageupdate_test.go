package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket/tickettest"
)

// outbound adds a reply to ticket id, created at, and moves it to status
// as the sender would (sent with a provider id; failed after that).
func (d *chatDesk) outbound(t *testing.T, ticketID string, at time.Time, st helpdesk.MessageStatus) helpdesk.Message {
	t.Helper()
	ctx := context.Background()
	m := helpdesk.Message{ID: helpdesk.NewID(), TicketID: ticketID, Direction: helpdesk.Outbound,
		ChannelID: "messenger:" + fixturePage, ChannelKind: helpdesk.ChannelMessenger, Text: "reply at " + at.Format(time.TimeOnly),
		Status: helpdesk.StatusQueued, CreatedAt: at}
	tickettest.Edit(t, d.st, ticketID, nil, m)
	if st != helpdesk.StatusQueued {
		d.send(t, m)
		m.Status, m.ProviderMessageID = helpdesk.StatusSent, "m_out_"+m.ID
	}
	if st == helpdesk.StatusFailed {
		if err := d.st.SetMessageStatus(ctx, m, helpdesk.StatusSent, helpdesk.StatusFailed, m.ProviderMessageID, "refused"); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func (d *chatDesk) send(t *testing.T, m helpdesk.Message) {
	t.Helper()
	if err := d.st.SetMessageStatus(context.Background(), m, helpdesk.StatusQueued, helpdesk.StatusSent, "m_out_"+m.ID, ""); err != nil {
		t.Fatal(err)
	}
}

func (d *chatDesk) statuses(t *testing.T, ticketID string, ms ...helpdesk.Message) []helpdesk.MessageStatus {
	t.Helper()
	byID := map[string]helpdesk.MessageStatus{}
	for _, m := range d.conv(t, ticketID).Messages {
		byID[m.ID] = m.Status
	}
	out := make([]helpdesk.MessageStatus, len(ms))
	for i, m := range ms {
		out[i] = byID[m.ID]
	}
	return out
}

func watermark(st helpdesk.MessageStatus, at time.Time) *jobs.StatusUpdate {
	return &jobs.StatusUpdate{Channel: helpdesk.ChannelMessenger, ChannelID: "messenger:" + fixturePage,
		Recipient: fixturePSID, Status: st, At: at}
}

// Messenger receipts carry a watermark and no mids (as Meta documents): a
// delivery watermark marks every earlier reply Meta has delivered, a read
// watermark read; never back (read stays read, failed stays failed),
// never a reply not yet sent or written after the watermark; a
// redelivered receipt changes nothing.
func TestMessengerWatermarksMarkEarlierReplies(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		ctx := context.Background()
		b := fixtureBatch(t, "messenger_text.json")
		r := d.apply(t, &b.Messages[0])
		o1 := d.outbound(t, r.TicketID, t0.Add(1*time.Minute), helpdesk.StatusSent)
		o2 := d.outbound(t, r.TicketID, t0.Add(2*time.Minute), helpdesk.StatusSent)
		o3 := d.outbound(t, r.TicketID, t0.Add(3*time.Minute), helpdesk.StatusQueued) // not sent yet
		o4 := d.outbound(t, r.TicketID, t0.Add(4*time.Minute), helpdesk.StatusFailed)
		o5 := d.outbound(t, r.TicketID, t0.Add(10*time.Minute), helpdesk.StatusSent) // after the watermarks
		all := []helpdesk.Message{o1, o2, o3, o4, o5}
		S, D, R, Q, F := helpdesk.StatusSent, helpdesk.StatusDelivered, helpdesk.StatusRead, helpdesk.StatusQueued, helpdesk.StatusFailed
		steps := []struct {
			name string
			u    *jobs.StatusUpdate
			want []helpdesk.MessageStatus
		}{
			{"delivered up to 5 min", watermark(D, t0.Add(5*time.Minute)), []helpdesk.MessageStatus{D, D, Q, F, S}},
			{"read up to 2.5 min", watermark(R, t0.Add(150*time.Second)), []helpdesk.MessageStatus{R, R, Q, F, S}},
			{"the read redelivered", watermark(R, t0.Add(150*time.Second)), []helpdesk.MessageStatus{R, R, Q, F, S}},
			{"an older delivery", watermark(D, t0.Add(2*time.Minute)), []helpdesk.MessageStatus{R, R, Q, F, S}},
		}
		for _, s := range steps {
			if err := d.svc.ApplyStatus(ctx, s.u, 1); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got := d.statuses(t, r.TicketID, all...); !equalStatuses(got, s.want) {
				t.Fatalf("%s: %v, want %v", s.name, got, s.want)
			}
		}
		// o3 goes out late; the next read covers it and o5, and stops at o2.
		d.send(t, o3)
		if err := d.svc.ApplyStatus(ctx, watermark(R, t0.Add(11*time.Minute)), 1); err != nil {
			t.Fatal(err)
		}
		if got, want := d.statuses(t, r.TicketID, all...), []helpdesk.MessageStatus{R, R, R, F, R}; !equalStatuses(got, want) {
			t.Fatalf("after the late send: %v, want %v", got, want)
		}
		for _, m := range d.conv(t, r.TicketID).Messages {
			if m.ID == o5.ID && !m.StatusAt.Equal(t0.Add(11*time.Minute)) {
				t.Fatalf("read at %v, want the watermark", m.StatusAt)
			}
		}
		// Another customer's receipt, or one with no conversation, marks nothing.
		other := watermark(R, t0.Add(time.Hour))
		other.Recipient = "999"
		if err := d.svc.ApplyStatus(ctx, other, 1); err != nil {
			t.Fatal(err)
		}
	})
}

func equalStatuses(a, b []helpdesk.MessageStatus) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A customer's edit replaces the text and keeps the previous one; their
// reactions show on the message they react to (theirs or our reply), one
// per reactor, removed by unreact; redeliveries change nothing; an update
// of a message we do not know is dropped, not failed.
func TestMessengerEditsAndReactions(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		first := fixtureBatch(t, "messenger_text.json").Messages[0]
		r := d.apply(t, &first)
		find := func(id string) helpdesk.Message {
			t.Helper()
			for _, m := range d.conv(t, r.TicketID).Messages {
				if m.ID == id {
					return m
				}
			}
			t.Fatalf("message %s gone", id)
			return helpdesk.Message{}
		}

		edit := fixtureBatch(t, "messenger_edit.json").Messages[0]
		res := d.apply(t, &edit)
		if res.TicketID != r.TicketID || res.MessageID != r.MessageID || res.Duplicate || res.Reason != ingest.ReasonEdit {
			t.Fatalf("edit: %+v", res)
		}
		m := find(r.MessageID)
		if m.Text != "hello, world! (order #4412)" || len(m.Edits) != 1 || m.Edits[0].Text != "hello, world!" ||
			!m.EditedAt.Equal(edit.ReceivedAt) || !m.Edits[0].At.Equal(edit.ReceivedAt) {
			t.Fatalf("edited message: %+v", m)
		}
		if res := d.apply(t, &edit); !res.Duplicate {
			t.Fatalf("a redelivered edit: %+v", res)
		}
		if n := len(d.conv(t, r.TicketID).Messages); n != 1 {
			t.Fatalf("%d messages; an edit is not a message", n)
		}

		reactions := fixtureBatch(t, "messenger_reactions.json").Messages
		d.apply(t, &reactions[0])
		d.apply(t, &reactions[1]) // the same person's second reaction replaces the first
		if m := find(r.MessageID); len(m.Reactions) != 1 || m.Reactions[0].Emoji != "👍" || m.Reactions[0].Reaction != "like" ||
			m.Reactions[0].By != first.Sender.Key(helpdesk.ChannelMessenger) {
			t.Fatalf("reactions: %+v", m.Reactions)
		}
		d.apply(t, &reactions[2]) // unreact
		if m := find(r.MessageID); len(m.Reactions) != 1 || !m.Reactions[0].Removed || m.Reactions[0].Emoji != "" || m.Text != "hello, world! (order #4412)" {
			t.Fatalf("after unreact: %+v", m)
		}
		if res := d.apply(t, &reactions[0]); !res.Duplicate {
			t.Fatalf("an older reaction redelivered after the unreact: %+v", res)
		}

		// A reaction to our reply, found by the id Meta gave it.
		out := d.outbound(t, r.TicketID, t0.Add(time.Minute), helpdesk.StatusSent)
		love := reactions[0]
		love.ProviderMessageID = out.ProviderMessageID + "#react#1"
		u := *love.Update
		u.Target = out.ProviderMessageID
		love.Update = &u
		if res := d.apply(t, &love); res.MessageID != out.ID || res.Reason != ingest.ReasonReaction {
			t.Fatalf("reaction to our reply: %+v", res)
		}
		if m := find(out.ID); len(m.Reactions) != 1 || m.Reactions[0].Emoji != "\u2764\ufe0f" || m.Status != helpdesk.StatusSent {
			t.Fatalf("our reply: %+v", m)
		}

		unknown := reactions[0]
		u2 := *unknown.Update
		u2.Target = "m_not_ours"
		unknown.Update, unknown.ProviderMessageID = &u2, "m_not_ours#react#1"
		if res := d.apply(t, &unknown); !res.Duplicate || res.Reason != ingest.ReasonUpdateUnknown {
			t.Fatalf("update of an unknown message: %+v", res)
		}
	})
}
