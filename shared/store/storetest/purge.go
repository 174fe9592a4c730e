package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// PurgeStore is what the purge cascade (shared/app/purge) removes a
// ticket's items with (store/purge.go).
type PurgeStore interface {
	TicketRemains(ctx context.Context, id, after string, limit int32) (store.RemainsPage, error)
	DeleteTicketRemains(ctx context.Context, id string, sks []string) error
	RemoveThreadKeys(ctx context.Context, id string, keys []string) error
	UnindexTicket(ctx context.Context, id string, terms []search.Term) (int, error)
	DeleteTermsRecord(ctx context.Context, id string) error
	RemoveNotifications(ctx context.Context, recipient, id string, since time.Time) (int, error)
	ExpiredSpam(ctx context.Context, now time.Time, limit int32) ([]string, error)
	SetSpamExpiry(ctx context.Context, id string, at *time.Time) error
}

// The purge's store methods page through one ticket's partition without
// its ticket item, delete by sort key only there, remove only the thread
// keys still leading to that ticket, and unindex only its terms (those its
// record holds, while it has one).
func testPurgeRemovesOnlyTheTicketsOwnItems(t *testing.T, f *fixture) {
	f.open("1", "cust@example.com", T0, "key-1", "key-1b")
	f.open("2", "other@example.com", T0, "key-2")
	for i := range 3 {
		f.change("1", func(tk helpdesk.Ticket) (ticket.Change, error) {
			c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "note words"}, nil, T0.Add(time.Duration(i+1)*time.Minute))
			return c, err
		})
	}
	words := []search.Term{{Text: "printer", Field: search.FieldSubject}, {Text: "fire", Field: search.FieldMessage}}
	for _, id := range []string{"1", "2"} {
		if _, err := f.st.IndexTicket(f.ctx, id, words); err != nil {
			t.Fatal(err)
		}
	}

	// Pages of two, in sort-key order, never the ticket item; messages
	// decoded with their ticket.
	var sks []string
	var msgs int
	after := ""
	for round := 0; ; round++ {
		p, err := f.st.TicketRemains(f.ctx, "1", after, 2)
		if err != nil || round > 10 || len(p.SKs) > 2 {
			t.Fatalf("page %d: %+v, %v", round, p, err)
		}
		sks = append(sks, p.SKs...)
		for _, m := range p.Messages {
			if m.TicketID != "1" {
				t.Fatalf("a message of ticket %s in ticket 1's remains", m.TicketID)
			}
		}
		msgs += len(p.Messages)
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	if msgs != 4 || !slices.IsSorted(sks) || slices.Contains(sks, "TICKET") {
		t.Fatalf("remains of ticket 1: %d messages, sort keys %v", msgs, sks)
	}
	if err := f.st.DeleteTicketRemains(f.ctx, "1", []string{"TICKET"}); err == nil {
		t.Fatal("DeleteTicketRemains deleted a ticket item")
	}
	if err := f.st.DeleteTicketRemains(f.ctx, "1", sks); err != nil {
		t.Fatal(err)
	}
	if err := f.st.DeleteTicketRemains(f.ctx, "1", sks); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	if p, err := f.st.TicketRemains(f.ctx, "1", "", 10); err != nil || len(p.SKs) != 0 {
		t.Fatalf("after the delete: %+v, %v", p, err)
	}
	if h := f.header("1"); h.ID != "1" || len(f.conv("2").Messages) != 1 {
		t.Fatal("the ticket item or another ticket's partition went")
	}

	// Thread keys: ticket 1's go, ticket 2's stays even when named.
	if err := f.st.RemoveThreadKeys(f.ctx, "1", []string{"key-1", "key-2", "key-gone"}); err != nil {
		t.Fatal(err)
	}
	if f.owner("key-1") != "" || f.owner("key-1b") != "1" || f.owner("key-2") != "2" {
		t.Fatalf("thread keys after removal: key-1 %q, key-1b %q, key-2 %q", f.owner("key-1"), f.owner("key-1b"), f.owner("key-2"))
	}

	// Terms: with the record, only recorded terms are deleted; ticket 2
	// keeps its own.
	n, err := f.st.UnindexTicket(f.ctx, "1", append(words, search.Term{Text: "never", Field: search.FieldMessage}))
	if err != nil || n != 2 {
		t.Fatalf("unindex with a record: %d deletes, %v; want the 2 recorded", n, err)
	}
	if err := f.st.DeleteTermsRecord(f.ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.st.UnindexTicket(f.ctx, "1", words); err != nil || n != 2 {
		t.Fatalf("unindex without a record: %d deletes, %v; want every given term", n, err)
	}
	for _, w := range []string{"printer", "fire"} {
		hits, err := f.st.FindTickets(f.ctx, w, 10)
		if err != nil || len(hits) != 1 || hits[0].TicketID != "2" {
			t.Fatalf("%s after unindexing ticket 1: %v, %v; want ticket 2 only", w, hits, err)
		}
	}
	// Notifications: only the recipient's about this ticket go.
	for _, n := range []helpdesk.Notification{
		{ID: "n1", Recipient: "agent:ann", Kind: helpdesk.NotifyMentioned, TicketID: "1", At: T0.Add(time.Minute)},
		{ID: "n2", Recipient: "agent:ann", Kind: helpdesk.NotifyMentioned, TicketID: "2", At: T0.Add(2 * time.Minute)},
		{ID: "n3", Recipient: "agent:bob", Kind: helpdesk.NotifyMentioned, TicketID: "1", At: T0.Add(3 * time.Minute)},
		{ID: "n4", Recipient: "agent:ann", Kind: helpdesk.NotifyMentioned, TicketID: "1", At: T0.Add(4 * time.Minute)},
	} {
		if err := f.st.Commit(f.ctx, ticket.Change{Notifications: []helpdesk.Notification{n}}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.st.RemoveNotifications(f.ctx, "agent:ann", "1", T0); err != nil || n != 2 {
		t.Fatalf("remove ann's notifications about 1: %d, %v; want 2", n, err)
	}
	ann, _ := f.st.Notifications(f.ctx, "agent:ann", 10)
	bob, _ := f.st.Notifications(f.ctx, "agent:bob", 10)
	if len(ann) != 1 || ann[0].TicketID != "2" || len(bob) != 1 {
		t.Fatalf("after removal: ann %v, bob %v", ann, bob)
	}

	// Indexing ticket 1 again starts from nothing: its record is gone.
	if n, err := f.st.IndexTicket(f.ctx, "1", words[:1]); err != nil || n != 1 {
		t.Fatalf("index after the record's delete: %d, %v", n, err)
	}
}

// A spam ticket's expiry: set only on a spam ticket, read back on it,
// listed by ExpiredSpam from that time on (oldest first, up to the limit),
// and taken off again.
func testSpamExpiry(t *testing.T, f *fixture) {
	for _, id := range []string{"1", "2", "3"} {
		f.open(id, "s"+id+"@spam.example", T0.Add(time.Duration(len(id))*time.Minute), "key-"+id)
	}
	at := T0.Add(time.Hour).Add(90 * 24 * time.Hour) // marked at T0+1h: the model's expiry
	if err := f.st.SetSpamExpiry(f.ctx, "1", &at); !helpdesk.IsCode(err, helpdesk.EConflict) {
		t.Fatalf("expiry of an open ticket: %v, want a conflict", err)
	}
	for _, id := range []string{"1", "2"} {
		f.change(id, func(tk helpdesk.Ticket) (ticket.Change, error) { return ticket.MarkSpam(tk, "ann", T0.Add(time.Hour)) })
		if err := f.st.SetSpamExpiry(f.ctx, id, &at); err != nil {
			t.Fatal(err)
		}
	}
	if h := f.header("1"); h.ExpiresAt != at.Unix() || !h.Expired(at) || h.Expired(at.Add(-time.Second)) {
		t.Fatalf("ticket 1 expires at %d, want %d", h.ExpiresAt, at.Unix())
	}
	if ids, err := f.st.ExpiredSpam(f.ctx, at.Add(-time.Second), 10); err != nil || len(ids) != 0 {
		t.Fatalf("expired before their time: %v, %v", ids, err)
	}
	if ids, err := f.st.ExpiredSpam(f.ctx, at, 10); err != nil || !slices.Equal(ids, []string{"1", "2"}) {
		t.Fatalf("expired at their time: %v, %v", ids, err)
	}
	if ids, err := f.st.ExpiredSpam(f.ctx, at, 1); err != nil || !slices.Equal(ids, []string{"1"}) {
		t.Fatalf("limit 1: %v, %v", ids, err)
	}
	// A later change of the ticket keeps its expiry.
	f.change("2", func(tk helpdesk.Ticket) (ticket.Change, error) {
		c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "still spam"}, nil, T0.Add(2*time.Hour))
		return c, err
	})
	if h := f.header("2"); h.ExpiresAt != at.Unix() {
		t.Fatalf("a note dropped ticket 2's expiry: %d", h.ExpiresAt)
	}
	if err := f.st.SetSpamExpiry(f.ctx, "1", nil); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetSpamExpiry(f.ctx, "1", nil); err != nil {
		t.Fatalf("removing again: %v", err)
	}
	if ids, _ := f.st.ExpiredSpam(f.ctx, at, 10); !slices.Equal(ids, []string{"2"}) || f.header("1").ExpiresAt != 0 || f.header("3").ExpiresAt != 0 {
		t.Fatalf("after removal: %v", ids)
	}
}
