package memstore

import (
	"context"
	"strconv"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// slaOutcomeKey is an outcome's table key, as the DynamoDB store forms it
// (SLAOUT#<ticket> / <kind>#<started ms>).
func slaOutcomeKey(o helpdesk.SLAOutcome) string {
	return "SLAOUT#" + o.TicketID + "/" + string(o.Kind) + "#" + strconv.FormatInt(o.StartedAt.UnixMilli(), 10)
}

// slaOutcomeListKey sorts outcomes as the DynamoDB store's GSI3 does.
func slaOutcomeListKey(o helpdesk.SLAOutcome) string {
	return sortTime(o.RecordedAt) + "#" + o.TicketID + "#" + string(o.Kind)
}

// outcomeRecorded: an outcome of c exists already (the DynamoDB store's
// put fails its condition; Commit reports ErrVersionChanged).
func (s *Store) outcomeRecorded(c ticket.Change) bool {
	for _, o := range c.SLAOutcomes {
		if _, ok := s.slaOutcomes[slaOutcomeKey(o)]; ok {
			return true
		}
	}
	return false
}

func (s *Store) applySLAOutcomes(c ticket.Change) {
	for _, o := range c.SLAOutcomes {
		if s.slaOutcomes == nil {
			s.slaOutcomes = map[string]helpdesk.SLAOutcome{}
		}
		s.slaOutcomes[slaOutcomeKey(o)] = o
	}
}

// SLAOutcomes returns the SLA outcomes recorded in [from, to), oldest
// first (then by ticket and kind, as the table's index sorts them).
func (s *Store) SLAOutcomes(ctx context.Context, from, to time.Time) ([]helpdesk.SLAOutcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return inPeriod(s.slaOutcomes, from, to, slaOutcomeListKey)
}

// DeleteSLAOutcomes removes a ticket's SLA outcomes (the purge).
func (s *Store) DeleteSLAOutcomes(ctx context.Context, ticketID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, o := range s.slaOutcomes {
		if o.TicketID == ticketID {
			delete(s.slaOutcomes, k)
		}
	}
	return nil
}
