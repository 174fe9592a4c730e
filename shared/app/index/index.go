// Package index keeps the search index (shared/store/search.go) in step
// with the table: a written message adds its words to its ticket's terms, a
// new or changed subject its words, a new or edited contact its name, email
// and phone. It is fed the items as they were written (Apply), so it never
// sits in a ticket's transaction; Ticket re-indexes one ticket from what is
// stored (a backfill, and the tests' way in). Every write is idempotent:
// applying the same change twice writes nothing the second time.
package index

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
)

// Store is what indexing reads and writes.
type Store interface {
	GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error)
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	IndexTicket(ctx context.Context, id string, terms []search.Term) (int, error)
	IndexContact(ctx context.Context, contactID string, add, remove []search.Term) error
	// Tick moves the desk clock (helpdesk.DeskClock) the consoles poll.
	Tick(ctx context.Context, at time.Time) error
}

// Service indexes what was written.
type Service struct {
	Store Store
}

// Change is one item as written: a message, a ticket (before and after;
// Before nil when created) or a contact (likewise).
type Change struct {
	Message                *helpdesk.Message
	TicketBefore, Ticket   *helpdesk.Ticket
	ContactBefore, Contact *helpdesk.Contact
	// TicketGone is a ticket as it was when removed (a delete, a purge):
	// nothing to index, but the desk changed.
	TicketGone *helpdesk.Ticket
}

// Apply indexes one written item.
func (s *Service) Apply(ctx context.Context, c Change) error {
	return s.ApplyAll(ctx, []Change{c})
}

// ApplyAll indexes written items, one index write per ticket: a new
// ticket's subject and first message (two stream records of one batch)
// read and write the ticket's record of indexed terms once. A batch that
// changed a ticket moves the desk clock once, after its indexing, so a
// console that sees the clock move finds the change in search too.
func (s *Service) ApplyAll(ctx context.Context, cs []Change) error {
	if err := s.index(ctx, cs); err != nil {
		return err
	}
	var at time.Time
	changed := false
	for _, c := range cs {
		for _, t := range []*helpdesk.Ticket{c.Ticket, c.TicketGone} {
			if t != nil {
				changed = true
				if t.UpdatedAt.After(at) {
					at = t.UpdatedAt
				}
			}
		}
	}
	if !changed {
		return nil
	}
	if err := s.Store.Tick(ctx, at); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

func (s *Service) index(ctx context.Context, cs []Change) error {
	var order []string
	terms := map[string][]search.Term{}
	for _, c := range cs {
		id, ts := ticketTerms(c)
		if id == "" || len(ts) == 0 {
			continue
		}
		if _, ok := terms[id]; !ok {
			order = append(order, id)
		}
		terms[id] = append(terms[id], ts...)
	}
	for _, id := range order {
		if _, err := s.Store.IndexTicket(ctx, id, terms[id]); err != nil {
			return fmt.Errorf("index ticket %s: %w", id, err)
		}
	}
	for _, c := range cs {
		if c.Contact == nil {
			continue
		}
		add, remove := ContactDiff(c.ContactBefore, c.Contact)
		if len(add)+len(remove) == 0 {
			continue
		}
		if err := s.Store.IndexContact(ctx, c.Contact.ID, add, remove); err != nil {
			return fmt.Errorf("index contact %s: %w", c.Contact.ID, err)
		}
	}
	return nil
}

// ticketTerms are the terms a written message or ticket adds to its ticket.
func ticketTerms(c Change) (string, []search.Term) {
	switch {
	case c.Message != nil:
		return c.Message.TicketID, MessageTerms(*c.Message)
	case c.Ticket != nil:
		if c.TicketBefore != nil && c.TicketBefore.Subject == c.Ticket.Subject {
			return "", nil // a subject's old words stay findable; nothing new
		}
		return c.Ticket.ID, search.TextTerms(c.Ticket.Subject, search.FieldSubject)
	}
	return "", nil
}

// Ticket indexes ticket id as stored: its subject, its messages and its
// contact.
func (s *Service) Ticket(ctx context.Context, id string) error {
	conv, err := s.Store.GetTicket(ctx, id)
	if err != nil {
		return fmt.Errorf("index ticket %s: %w", id, err)
	}
	if err := s.Apply(ctx, Change{Ticket: &conv.Ticket}); err != nil {
		return err
	}
	for _, m := range conv.Messages {
		if m.TicketID != id {
			continue // a merged ticket's, indexed under its own ticket
		}
		if err := s.Apply(ctx, Change{Message: &m}); err != nil {
			return err
		}
	}
	if conv.Ticket.ContactID == "" {
		return nil
	}
	c, err := s.Store.GetContact(ctx, conv.Ticket.ContactID)
	if err != nil {
		return fmt.Errorf("index contact of ticket %s: %w", id, err)
	}
	return s.Apply(ctx, Change{Contact: &c})
}

// MessageTerms are the terms a message adds: its words (customers',
// replies and internal notes alike: agents search their notes too).
func MessageTerms(m helpdesk.Message) []search.Term {
	return search.TextTerms(m.Text, search.FieldMessage)
}

// ContactTerms are the terms a contact is found by.
func ContactTerms(c helpdesk.Contact) []search.Term {
	return search.ContactTerms(c.Name, c.Email, c.Phone, c.WhatsAppID)
}

// ContactDiff returns the terms to add and to remove when a contact goes
// from before (nil: new) to after.
func ContactDiff(before, after *helpdesk.Contact) (add, remove []search.Term) {
	var old []search.Term
	if before != nil {
		old = ContactTerms(*before)
	}
	cur := ContactTerms(*after)
	for _, t := range cur {
		if !slices.Contains(old, t) {
			add = append(add, t)
		}
	}
	for _, t := range old {
		if !slices.Contains(cur, t) {
			remove = append(remove, t)
		}
	}
	return add, remove
}
