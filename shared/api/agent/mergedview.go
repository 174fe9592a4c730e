package agent

import (
	"context"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// mergedTickets reads the tickets merged into t (one BatchGet) that the
// caller may see, in the order they were merged: a ticket's page lists
// them (TicketView.Merged), since their own pages redirect to it.
func (a *API) mergedTickets(ctx context.Context, p helpdesk.Principal, t helpdesk.Ticket) ([]helpdesk.Ticket, error) {
	if len(t.MergedFrom) == 0 {
		return nil, nil
	}
	hs, err := a.Store.GetTicketHeaders(ctx, t.MergedFrom)
	if err != nil {
		return nil, fmt.Errorf("read the tickets merged into %s: %w", t.ID, err)
	}
	var out []helpdesk.Ticket
	for _, id := range t.MergedFrom {
		if h, ok := hs[id]; ok && p.CanSee(h) {
			out = append(out, h)
		}
	}
	return out, nil
}
