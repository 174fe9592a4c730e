package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A message is found by the id its provider gave it: ours by the
// provider-message item, the customer's by its dedupe record (which keeps
// the message's time); a found message is advanced, read and revised
// through Commit, each revision conditioned on the one read (with the
// ticket it touches, in one transaction), rewriting only what it revises.
func testMessagesFoundByProviderIDAndRevised(t *testing.T, f *fixture) {
	ms := f.outbound("o1", "o2")
	if err := f.st.SetMessageStatus(f.ctx, ms[0], helpdesk.StatusQueued, helpdesk.StatusSent, "wamid.o1", ""); err != nil {
		t.Fatal(err)
	}
	ref, err := f.st.FindMessage(f.ctx, "wa", "wa", "wamid.o1")
	if err != nil || ref.TicketID != "1" || ref.MessageID != "o1" || !ref.CreatedAt.Equal(ms[0].CreatedAt) {
		t.Fatalf("our message by its provider id: %+v %v", ref, err)
	}
	in, err := f.st.FindMessage(f.ctx, formChannel.ID, formChannel.ID, "pm-1")
	if err != nil || in.TicketID != "1" || in.MessageID != "m-1" || !in.CreatedAt.Equal(T0) {
		t.Fatalf("the customer's message by its provider id: %+v %v", in, err)
	}
	if _, err := f.st.FindMessage(f.ctx, "wa", "wa", "wamid.nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown provider id: %v, want ErrNotFound", err)
	}

	read := helpdesk.StatusReport{Status: helpdesk.StatusRead, At: T0.Add(time.Hour)}
	if m, changed, err := f.st.AdvanceMessageStatus(f.ctx, ref, read); err != nil || !changed || m.Status != helpdesk.StatusRead {
		t.Fatalf("sent → read: %+v %v %v", m, changed, err)
	}
	if m, changed, err := f.st.AdvanceMessageStatus(f.ctx, ref, helpdesk.StatusReport{Status: helpdesk.StatusDelivered, At: T0}); err != nil || changed || m.Status != helpdesk.StatusRead {
		t.Fatalf("read → delivered moved back: %+v %v %v", m, changed, err)
	}
	if f.message("o1").Status != helpdesk.StatusRead {
		t.Fatal("read not stored")
	}

	before, err := f.st.GetMessage(f.ctx, in)
	if err != nil || before.Text != "Question 1?" || before.Revision != 0 {
		t.Fatalf("get message: %+v %v", before, err)
	}
	after := before
	after.Text = "Question 1, edited?"
	after.EditedAt = T0.Add(time.Minute)
	after.Edits = []helpdesk.MessageEdit{{Text: before.Text, At: after.EditedAt}}
	after.Reactions = []helpdesk.Reaction{{By: "cust", Emoji: "❤", Reaction: "love", At: after.EditedAt}}
	revise := ticket.Change{Revisions: []ticket.Revision{{Before: before, After: after}}}
	f.commit(revise)
	wantErr(t, "a revision of a stale read", f.st.Commit(f.ctx, revise), store.ErrVersionChanged)
	got, err := f.st.GetMessage(f.ctx, in)
	if err != nil || got.Text != after.Text || got.Revision != 1 || !got.EditedAt.Equal(after.EditedAt) ||
		len(got.Edits) != 1 || got.Edits[0].Text != "Question 1?" || len(got.Reactions) != 1 || got.Reactions[0].Emoji != "❤" ||
		len(got.Attachments) != 1 || got.Subject != before.Subject {
		t.Fatalf("revised message: %+v %v", got, err)
	}

	// A revision with the ticket it touches, in one transaction: a stale
	// revision refuses the ticket's write too, and a stale ticket the
	// revision.
	tk := f.header("1")
	bumped := tk
	bumped.Version++
	bumped.Unread = true
	again := got
	again.Reactions = nil
	both := ticket.Change{Tickets: []ticket.Write{{Before: &tk, After: &bumped}}, Revisions: []ticket.Revision{{Before: before, After: again}}}
	wantErr(t, "a stale revision with a fresh ticket", f.st.Commit(f.ctx, both), store.ErrVersionChanged)
	if h := f.header("1"); h.Version != tk.Version {
		t.Fatalf("the ticket was written with a refused revision: version %d, want %d", h.Version, tk.Version)
	}
	staleTicket := tk
	staleTicket.Version--
	both.Revisions[0].Before = got
	both.Tickets[0].Before = &staleTicket
	wantErr(t, "a fresh revision with a stale ticket", f.st.Commit(f.ctx, both), store.ErrVersionChanged)
	if m, _ := f.st.GetMessage(f.ctx, in); m.Revision != 1 || len(m.Reactions) != 1 {
		t.Fatalf("the message was revised with a refused ticket write: %+v", m)
	}
	both.Tickets[0].Before = &tk
	f.commit(both)
	if got, _ := f.st.GetMessage(f.ctx, in); len(got.Reactions) != 0 || got.Revision != 2 || len(got.Edits) != 1 || got.Text != after.Text {
		t.Fatalf("reaction removed: %+v", got)
	}
	if h := f.header("1"); h.Version != bumped.Version || !h.Unread {
		t.Fatalf("ticket with the revision: %+v", h)
	}

	// A revision rewrites what it revises and nothing else: a delivery
	// status that moved since the read stays.
	ours, err := f.st.GetMessage(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	ours.Status = helpdesk.StatusSent // as read before the read receipt above
	liked := ours
	liked.Reactions = []helpdesk.Reaction{{By: "cust", Emoji: "👍", Reaction: "like", At: T0.Add(2 * time.Hour)}}
	f.commit(ticket.Change{Revisions: []ticket.Revision{{Before: ours, After: liked}}})
	if m := f.message("o1"); m.Status != helpdesk.StatusRead || len(m.Reactions) != 1 || m.Revision != 1 || m.ProviderMessageID != "wamid.o1" {
		t.Fatalf("our reply after a reaction: %+v", m)
	}

	// A message that is gone cannot be revised.
	gone := ours
	gone.ID, gone.Revision = "o-gone", 0
	wantErr(t, "a revision of a message not stored", f.st.Commit(f.ctx, ticket.Change{Revisions: []ticket.Revision{{Before: gone, After: gone}}}), store.ErrVersionChanged)
	if _, err := f.st.GetMessage(f.ctx, helpdesk.MessageRef{TicketID: "1", MessageID: "o-gone", CreatedAt: gone.CreatedAt}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused revision created a message: %v", err)
	}
}
