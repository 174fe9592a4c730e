package purge_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A purged ticket's rating (CSAT#<id>) goes with it, on both stores (on
// DynamoDB Local nothing naming the ticket is left in the table); the
// neighbour keeps its own.
func TestPurgeRemovesTheTicketsRating(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		doomed := s.openMailTicket("4242", "spammer@spam.example", "ann", 2)
		s.openMailTicket("77", "ana@example.com", "ann", 2)
		filesBefore := s.files.keys(t)
		for _, id := range []string{"4242", "77"} {
			if err := s.st.PutRating(s.ctx, helpdesk.Rating{TicketID: id, ContactID: "c", Score: 2, RatedAt: t0.Add(time.Hour), ClosedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.service().PurgeTicket(s.ctx, "4242"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.st.GetRating(s.ctx, "4242"); !errors.Is(err, helpdesk.ErrNotFound) {
			t.Fatalf("the purged ticket's rating: %v, want ErrNotFound", err)
		}
		s.assertGone(doomed, filesBefore)
		if r, err := s.st.GetRating(s.ctx, "77"); err != nil || r.Score != 2 {
			t.Fatalf("the neighbour's rating: %+v, %v", r, err)
		}
		rs, err := s.st.Ratings(s.ctx, t0, t0.Add(2*time.Hour))
		if err != nil || len(rs) != 1 || rs[0].TicketID != "77" {
			t.Fatalf("the period's ratings: %+v, %v; want 77's only", rs, err)
		}
	})
}
