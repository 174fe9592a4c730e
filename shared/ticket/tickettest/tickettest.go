// Package tickettest helps tests put tickets in states no single action
// produces (a ticket moved to another channel, closed long ago), through
// any store that commits ticket.Change values.
package tickettest

import (
	"context"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Store reads and commits tickets.
type Store interface {
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	Commit(ctx context.Context, c ticket.Change) error
}

// Edit rewrites ticket id as edit leaves it and adds msgs to its
// conversation, in one commit that bypasses the ticket model.
func Edit(t testing.TB, st Store, id string, edit func(*helpdesk.Ticket), msgs ...helpdesk.Message) helpdesk.Ticket {
	t.Helper()
	ctx := context.Background()
	before, err := st.GetTicketHeader(ctx, id)
	if err != nil {
		t.Fatalf("edit ticket %s: %v", id, err)
	}
	after := before
	after.Version++
	if edit != nil {
		edit(&after)
	}
	c := ticket.Change{Tickets: []ticket.Write{{Before: &before, After: &after}}, Messages: msgs}
	if err := st.Commit(ctx, c); err != nil {
		t.Fatalf("edit ticket %s: %v", id, err)
	}
	return after
}
