package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
)

// SearchStore is the search index and the contact directory's list and
// edit (shared/store/search.go).
type SearchStore interface {
	IndexTicket(ctx context.Context, id string, terms []search.Term) (int, error)
	IndexContact(ctx context.Context, contactID string, add, remove []search.Term) error
	FindTickets(ctx context.Context, term string, limit int32) ([]store.TicketHit, error)
	FindContacts(ctx context.Context, term string, limit int32) ([]store.ContactHit, error)
	GetTicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error)
	GetContacts(ctx context.Context, ids []string) (map[string]helpdesk.Contact, error)
	ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error)
	ListContacts(ctx context.Context, after string, limit int32) ([]helpdesk.Contact, string, error)
	UpdateContact(ctx context.Context, before, after helpdesk.Contact) error
}

// The term index: each term once per ticket and field (a second pass
// writes nothing), newest ticket first, contacts' terms added and removed.
func testSearchIndex(t *testing.T, f *fixture) {
	terms := []search.Term{{Text: "invoice", Field: search.FieldSubject}, {Text: "invoice", Field: search.FieldMessage}, {Text: "late", Field: search.FieldMessage}}
	for _, id := range []string{"9", "10", "1000"} {
		n, err := f.st.IndexTicket(f.ctx, id, terms)
		if err != nil || n != 3 {
			t.Fatalf("index ticket %s: %d, %v; want 3 terms written", id, n, err)
		}
	}
	if n, err := f.st.IndexTicket(f.ctx, "10", append(terms, search.Term{Text: "refund", Field: search.FieldMessage})); err != nil || n != 1 {
		t.Fatalf("indexing again: %d written, %v; want only the new term", n, err)
	}
	hits, err := f.st.FindTickets(f.ctx, "invoice", 10)
	want := []store.TicketHit{th("1000", "m"), th("1000", "s"), th("10", "m"), th("10", "s"), th("9", "m"), th("9", "s")}
	if err != nil || !slices.Equal(hits, want) {
		t.Fatalf("invoice: %v, %v; want %v", hits, err, want)
	}
	if hits, _ := f.st.FindTickets(f.ctx, "invoice", 2); len(hits) != 2 || hits[0].TicketID != "1000" {
		t.Fatalf("limit 2: %v", hits)
	}
	if hits, _ := f.st.FindTickets(f.ctx, "nothing", 10); len(hits) != 0 {
		t.Fatalf("an unknown term found %v", hits)
	}
	name := []search.Term{{Text: "lima", Field: search.FieldName}, {Text: "lim", Field: search.FieldPrefix}}
	if err := f.st.IndexContact(f.ctx, "c1", name, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.st.IndexContact(f.ctx, "c2", name[:1], nil); err != nil {
		t.Fatal(err)
	}
	if hits, err := f.st.FindContacts(f.ctx, "lima", 10); err != nil || !slices.Equal(hits, []store.ContactHit{ch("c1", "n"), ch("c2", "n")}) {
		t.Fatalf("lima: %v, %v", hits, err)
	}
	if err := f.st.IndexContact(f.ctx, "c1", nil, name); err != nil {
		t.Fatal(err)
	}
	if hits, _ := f.st.FindContacts(f.ctx, "lima", 10); !slices.Equal(hits, []store.ContactHit{ch("c2", "n")}) {
		t.Fatalf("after removing c1's terms: %v", hits)
	}
}

// Contacts are listed newest first, page by page; an edit keeps email and
// phone lookups unique and is conditioned on the version read.
func testContactDirectory(t *testing.T, f *fixture) {
	var all []helpdesk.Contact
	for i, id := range []string{"c1", "c2", "c3"} {
		c := helpdesk.Contact{ID: id, Name: "Name " + id, Email: id + "@example.com", CreatedAt: T0.Add(time.Duration(i) * time.Minute)}
		if err := f.st.CreateContact(f.ctx, c, helpdesk.Sender{Email: c.Email}.Key(helpdesk.ChannelEmail)); err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	page, next, err := f.st.ListContacts(f.ctx, "", 2)
	if err != nil || len(page) != 2 || page[0].ID != "c3" || page[1].ID != "c2" || next == "" {
		t.Fatalf("page 1: %v %q %v", page, next, err)
	}
	page, next, err = f.st.ListContacts(f.ctx, next, 2)
	if err != nil || len(page) != 1 || page[0].ID != "c1" || next != "" {
		t.Fatalf("page 2: %v %q %v", page, next, err)
	}
	if _, _, err := f.st.ListContacts(f.ctx, "not-a-position", 2); !errors.Is(err, store.ErrInvalidCursor) {
		t.Fatalf("a made-up position: %v", err)
	}

	c1 := all[0]
	moved := c1
	moved.Email, moved.Phone, moved.Version = "new@example.com", "+44 20 7946 0958", 1
	if err := f.st.UpdateContact(f.ctx, c1, moved); err != nil {
		t.Fatal(err)
	}
	if id, err := f.st.FindContactID(f.ctx, "email#new@example.com"); err != nil || id != "c1" {
		t.Fatalf("the new email finds %q, %v", id, err)
	}
	if _, err := f.st.FindContactID(f.ctx, "email#c1@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the old email still finds c1: %v", err)
	}
	if err := f.st.UpdateContact(f.ctx, c1, moved); !errors.Is(err, store.ErrVersionChanged) {
		t.Fatalf("an edit of a stale read: %v", err)
	}
	c2 := all[1]
	taken := c2
	taken.Email, taken.Version = "new@example.com", 1
	if err := f.st.UpdateContact(f.ctx, c2, taken); !errors.Is(err, store.ErrContactKeyTaken) {
		t.Fatalf("c2 taking c1's email: %v", err)
	}
	taken.Email, taken.Phone = c2.Email, "0044 20 7946 0958 "
	taken.Phone = "+44 (20) 7946-0958"
	if err := f.st.UpdateContact(f.ctx, c2, taken); !errors.Is(err, store.ErrContactKeyTaken) {
		t.Fatalf("c2 taking c1's phone: %v", err)
	}
	if got, _ := f.st.GetContact(f.ctx, "c2"); got.Email != "c2@example.com" || got.Version != 0 {
		t.Fatalf("a refused edit changed c2: %+v", got)
	}
	if got, _ := f.st.GetContacts(f.ctx, []string{"c1", "c2", "zz"}); len(got) != 2 || got["c1"].Email != "new@example.com" {
		t.Fatalf("GetContacts: %v", got)
	}
}

func th(id, f string) store.TicketHit { return store.TicketHit{TicketID: id, Field: search.Field(f)} }
func ch(id, f string) store.ContactHit {
	return store.ContactHit{ContactID: id, Field: search.Field(f)}
}
