package store

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type slaOutcomeItem struct {
	keyAttrs
	helpdesk.SLAOutcome
}

// addSLAOutcomes puts the change's SLA outcomes, each only if absent: the
// model decides a target's outcome once (the ticket's version guards a
// retry); the condition keeps it once even so.
func addSLAOutcomes(b *txBuilder, os []helpdesk.SLAOutcome) {
	for _, o := range os {
		b.putNew(slaOutcomeItem{keyAttrs: keyAttrs{PK: slaOutcomePK(o.TicketID), SK: slaOutcomeSK(o.Kind, o.StartedAt),
			GSI3PK: listSLAOutcomes, GSI3SK: slaOutcomeListSK(o)}, SLAOutcome: o})
	}
}

// SLAOutcomes returns the SLA outcomes recorded in [from, to), oldest
// first: one query of the outcomes' GSI3 partition (eventually consistent,
// like every index).
func (s *Store) SLAOutcomes(ctx context.Context, from, to time.Time) ([]helpdesk.SLAOutcome, error) {
	out, err := periodQuery(ctx, s, listSLAOutcomes, from, to, func(it slaOutcomeItem) helpdesk.SLAOutcome { return it.SLAOutcome })
	if err != nil {
		return nil, fmt.Errorf("sla outcomes from %s: %w", from, err)
	}
	return out, nil
}

// DeleteSLAOutcomes removes a ticket's SLA outcomes (the purge of a
// deleted ticket): its outcome partition, queried and deleted.
func (s *Store) DeleteSLAOutcomes(ctx context.Context, ticketID string) error {
	if err := s.deletePartition(ctx, slaOutcomePK(ticketID)); err != nil {
		return fmt.Errorf("delete sla outcomes of ticket %s: %w", ticketID, err)
	}
	return nil
}
