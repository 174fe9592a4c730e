package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// A message is found by the id its provider gave it: ours by the
// provider-message item, the customer's by its dedupe record (which keeps
// the message's time); a found message is advanced, read and revised,
// each revision conditioned on the one read.
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
	if err := f.st.ReviseMessage(f.ctx, before, after); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a revision of a stale read", f.st.ReviseMessage(f.ctx, before, after), store.ErrVersionChanged)
	got, err := f.st.GetMessage(f.ctx, in)
	if err != nil || got.Text != after.Text || got.Revision != 1 || !got.EditedAt.Equal(after.EditedAt) ||
		len(got.Edits) != 1 || got.Edits[0].Text != "Question 1?" || len(got.Reactions) != 1 || got.Reactions[0].Emoji != "❤" ||
		len(got.Attachments) != 1 || got.Subject != before.Subject {
		t.Fatalf("revised message: %+v %v", got, err)
	}
	again := got
	again.Reactions = nil
	if err := f.st.ReviseMessage(f.ctx, got, again); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.GetMessage(f.ctx, in); len(got.Reactions) != 0 || got.Revision != 2 || len(got.Edits) != 1 {
		t.Fatalf("reaction removed: %+v", got)
	}
}
