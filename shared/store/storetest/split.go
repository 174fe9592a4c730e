package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// mailThread writes email ticket id with the customer's mails a1, a2, a3
// (an hour apart) and a reply r1 the provider took (sent, provider id
// ses-<id>), each Message-ID a thread key of the ticket.
func (f *fixture) mailThread(id string) {
	f.t.Helper()
	tk, _ := newTicket(id, "c-"+id)
	tk.ChannelID, tk.ChannelKind, tk.MessageCount = mailChannel.ID, helpdesk.ChannelEmail, 4
	var msgs []helpdesk.Message
	var keys []string
	for i, n := range []string{"a1", "a2", "a3"} {
		pid := n + "." + id + "@example.com"
		msgs = append(msgs, helpdesk.Message{ID: "m-" + n + "-" + id, TicketID: id, Direction: helpdesk.Inbound, ChannelID: mailChannel.ID,
			ChannelKind: helpdesk.ChannelEmail, ProviderMessageID: pid, AuthorContactID: "c-" + id, Text: "mail " + n,
			ThreadReason: "in_reply_to", CreatedAt: T0.Add(time.Duration(i) * time.Hour)})
		keys = append(keys, "msgid#"+pid)
	}
	reply := helpdesk.Message{ID: "m-r1-" + id, TicketID: id, Direction: helpdesk.Outbound, ChannelID: mailChannel.ID,
		ChannelKind: helpdesk.ChannelEmail, EmailMessageID: "r1." + id + "@acme.example", Status: helpdesk.StatusQueued,
		Text: "On it", ThreadReason: ticket.ReasonAgentReply, CreatedAt: T0.Add(90 * time.Minute)}
	keys = append(keys, "msgid#"+reply.EmailMessageID, "ticket#"+id)
	c := create(tk, msgs[0], nil, "", keys, "d-"+id)
	c.Messages = append(msgs, reply)
	f.commit(c)
	if err := f.st.SetMessageStatus(f.ctx, reply, helpdesk.StatusQueued, helpdesk.StatusSent, "ses-"+id, ""); err != nil {
		f.t.Fatal(err)
	}
}

// A split moves the chosen messages into the new ticket's partition with
// their Message-IDs' thread keys and the provider's pointer at a moved
// reply, in one transaction conditioned on each message as it was read.
func testSplitMovesMessagesAndTheirKeys(t *testing.T, f *fixture) {
	f.mailThread("7")
	conv, err := f.st.GetTicket(f.ctx, "7")
	if err != nil {
		t.Fatal(err)
	}
	now := T0.Add(5 * time.Hour)
	c, err := ticket.Split(conv, ticket.SplitInput{ID: "8", MessageIDs: []string{"m-a2-7", "m-r1-7"}, Subject: "Second question",
		AgentID: "ann", Channel: mailChannel}, f.set, now)
	if err != nil {
		t.Fatal(err)
	}
	// A delivery report between the read and the commit: the split lost.
	if _, _, err := f.st.ApplyStatusReport(f.ctx, helpdesk.StatusReport{ChannelID: mailChannel.ID, ProviderMessageID: "ses-7",
		Status: helpdesk.StatusDelivered, At: T0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a split of a message changed since it was read", f.st.Commit(f.ctx, c), store.ErrVersionChanged)
	if _, err := f.st.GetTicketHeader(f.ctx, "8"); err == nil || f.owner("msgid#a2.7@example.com") != "7" || len(f.conv("7").Messages) != 4 {
		t.Fatal("a refused split wrote")
	}

	conv = f.conv("7")
	if c, err = ticket.Split(conv, ticket.SplitInput{ID: "8", MessageIDs: []string{"m-a2-7", "m-r1-7"}, Subject: "Second question",
		AgentID: "ann", Channel: mailChannel}, f.set, now); err != nil {
		t.Fatal(err)
	}
	f.commit(c)
	old, nt := f.conv("7"), f.conv("8")
	if got := ids(old.Messages); !slices.Equal(got, []string{"m-a1-7", "m-a3-7"}) {
		t.Fatalf("old ticket's messages %v", got)
	}
	if got := ids(nt.Messages); !slices.Equal(got, []string{"m-a2-7", "m-r1-7"}) {
		t.Fatalf("new ticket's messages %v", got)
	}
	for _, m := range nt.Messages {
		if m.TicketID != "8" {
			t.Fatalf("moved message %s says ticket %s", m.ID, m.TicketID)
		}
	}
	if r := nt.Messages[1]; r.Status != helpdesk.StatusDelivered || r.ProviderMessageID != "ses-7" || r.EmailMessageID != "r1.7@acme.example" {
		t.Fatalf("the moved reply %+v", r)
	}
	if old.Ticket.MessageCount != 2 || nt.Ticket.MessageCount != 2 || old.Ticket.Version != 2 || nt.Ticket.Version != 1 {
		t.Fatalf("counts: old %d v%d, new %d v%d", old.Ticket.MessageCount, old.Ticket.Version, nt.Ticket.MessageCount, nt.Ticket.Version)
	}
	for key, want := range map[string]string{"msgid#a1.7@example.com": "7", "msgid#a2.7@example.com": "8", "msgid#a3.7@example.com": "7",
		"msgid#r1.7@acme.example": "8", "ticket#7": "7", "ticket#8": "8"} {
		if got := f.owner(key); got != want {
			t.Errorf("%s leads to %q, want %q", key, got, want)
		}
	}
	if len(old.Activities) != 1 || len(nt.Activities) != 1 || old.Activities[0].Kind != helpdesk.ActivitySplit || nt.Activities[0].To != "8" {
		t.Fatalf("activities: old %+v new %+v", old.Activities, nt.Activities)
	}
	// The provider's reports find the reply where it now is.
	m, changed, err := f.st.ApplyStatusReport(f.ctx, helpdesk.StatusReport{ChannelID: mailChannel.ID, ProviderMessageID: "ses-7",
		Status: helpdesk.StatusRead, At: now})
	if err != nil || !changed || m.TicketID != "8" || m.Status != helpdesk.StatusRead {
		t.Fatalf("a report after the split: %+v %v %v", m, changed, err)
	}
	// The same split again: its keys and messages are gone from where it
	// read them (the keys' condition is reported first).
	wantErr(t, "a split committed twice", f.st.Commit(f.ctx, c), store.ErrThreadTaken)
}
