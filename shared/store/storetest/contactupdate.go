package storetest

import (
	"errors"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A change that edits the author's contact (a changed WhatsApp number):
// the contact conditioned on its version, its new lookup keys on being
// free or its own, all in the transaction of the note; a change without a
// ticket edits the contact alone.
func testContactUpdateWithTheChange(t *testing.T, f *fixture) {
	tk := f.open("1", "ann@example.com", T0)
	before, err := f.st.GetContact(f.ctx, tk.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	const newKey = "whatsapp#12195555358"
	edit := func(b helpdesk.Contact, keys ...string) *ticket.ContactUpdate {
		a := b
		a.WhatsAppID, a.Version = "12195555358", b.Version+1
		return &ticket.ContactUpdate{Before: b, After: a, Keys: keys}
	}
	note := func(id string) ticket.Change {
		c, err := ticket.SystemNote(f.header("1"), helpdesk.Message{ID: id, Text: "User Ann changed from A to B",
			ProviderMessageID: "wamid." + id, CreatedAt: T0.Add(1)}, []string{"chat:" + id}, T0.Add(1))
		if err != nil {
			t.Fatal(err)
		}
		c.Dedupe = &ticket.Dedupe{Key: "DEDUPE-" + id, TicketID: "1", MessageID: id}
		return c
	}

	// Another contact holds a key: refused, nothing written.
	if err := f.st.CreateContact(f.ctx, helpdesk.Contact{ID: "c-other", CreatedAt: T0}, "whatsapp#999"); err != nil {
		t.Fatal(err)
	}
	c := note("n0")
	c.ContactUpdate = edit(before, newKey, "whatsapp#999")
	wantErr(t, "a key of another contact", f.st.Commit(f.ctx, c), ticket.ErrContactTaken)
	if got := f.conv("1"); len(got.Messages) != 1 || f.owner("chat:n0") != "" {
		t.Fatalf("the refused change wrote: %d messages", len(got.Messages))
	}
	if _, err := f.st.FindContactID(f.ctx, newKey); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused key exists: %v", err)
	}

	// The note, the contact and its new key, together.
	c = note("n1")
	c.ContactUpdate = edit(before, newKey)
	f.commit(c)
	after, err := f.st.GetContact(f.ctx, tk.ContactID)
	if err != nil || after.WhatsAppID != "12195555358" || after.Version != before.Version+1 || after.Email != "ann@example.com" {
		t.Fatalf("contact = %+v, %v", after, err)
	}
	if id, err := f.st.FindContactID(f.ctx, newKey); err != nil || id != tk.ContactID {
		t.Fatalf("new key leads to %q, %v", id, err)
	}
	if id, err := f.st.FindContactID(f.ctx, "email#ann@example.com"); err != nil || id != tk.ContactID {
		t.Fatalf("old key leads to %q, %v", id, err)
	}
	conv := f.conv("1")
	if n := len(conv.Messages); n != 2 || conv.Messages[1].Direction != helpdesk.Note || conv.Messages[1].ThreadReason != ticket.ReasonSystem ||
		f.owner("chat:n1") != "1" || conv.Ticket.Unread != tk.Unread {
		t.Fatalf("conversation %+v", conv)
	}

	// A stale contact: refused as a changed version, nothing written.
	c = note("n2")
	c.ContactUpdate = edit(before)
	wantErr(t, "a stale contact", f.st.Commit(f.ctx, c), ticket.ErrVersionChanged)
	if got := f.conv("1"); len(got.Messages) != 2 {
		t.Fatalf("the refused change wrote a message")
	}

	// No ticket: the contact alone, with the dedupe record.
	c = ticket.Change{ContactUpdate: edit(after, "whatsapp#user:US.1"), Dedupe: &ticket.Dedupe{Key: "DEDUPE-n3", MessageID: "n3"}}
	f.commit(c)
	if got, _ := f.st.GetContact(f.ctx, tk.ContactID); got.Version != after.Version+1 {
		t.Fatalf("contact-only change: %+v", got)
	}
	if d, err := f.st.FindDedupe(f.ctx, "DEDUPE-n3"); err != nil || d.MessageID != "n3" {
		t.Fatalf("dedupe %+v, %v", d, err)
	}
	if id, _ := f.st.FindContactID(f.ctx, "whatsapp#user:US.1"); id != tk.ContactID {
		t.Fatalf("BSUID key leads to %q", id)
	}
}
