package storetest

import (
	"context"

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
