package purge_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A purged ticket's SLA outcomes (SLAOUT#<id>) go with it, on both stores
// (on DynamoDB Local nothing naming the ticket is left in the table); the
// neighbour keeps its own.
func TestPurgeRemovesTheTicketsSLAOutcomes(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		doomed := s.openMailTicket("4242", "spammer@spam.example", "ann", 2)
		s.openMailTicket("77", "ana@example.com", "ann", 2)
		filesBefore := s.files.keys(t)
		for _, id := range []string{"4242", "77"} {
			s.change(id, func(tk helpdesk.Ticket) (ticket.Change, error) {
				c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "timed"}, nil, t0.Add(time.Hour))
				for _, k := range []helpdesk.SLATargetKind{helpdesk.SLAFirstResponse, helpdesk.SLAClose} {
					c.SLAOutcomes = append(c.SLAOutcomes, helpdesk.SLAOutcome{TicketID: id, Kind: k, PolicyID: "p", StartedAt: t0,
						Outcome: helpdesk.SLAOutcomeMet, ElapsedMs: 1000, BudgetMs: 2000, RecordedAt: t0.Add(time.Hour)})
				}
				return c, err
			})
		}
		if err := s.service().PurgeTicket(s.ctx, "4242"); err != nil {
			t.Fatal(err)
		}
		s.assertGone(doomed, filesBefore)
		os, err := s.st.SLAOutcomes(s.ctx, t0, t0.Add(2*time.Hour))
		if err != nil || len(os) != 2 || os[0].TicketID != "77" || os[1].TicketID != "77" {
			t.Fatalf("the period's outcomes: %+v, %v; want 77's two only", os, err)
		}
	})
}
