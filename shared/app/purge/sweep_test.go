package purge_test

import (
	"context"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/purge"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// staleSpam lists a ticket as expired spam however often it is asked (an
// index a second behind a restore).
type staleSpam struct{ ids []string }

func (s staleSpam) ExpiredSpam(context.Context, time.Time, int32) ([]string, error) {
	return s.ids, nil
}

// The sweep purges what is past its expiry with the injected clock, keeps
// what is not, reads each listed ticket again (one restored meanwhile is
// kept), and ends even when the list keeps naming a ticket it skipped.
func TestSweepPurgesOnlyExpiredSpamAndEnds(t *testing.T) {
	s := newScenario(t, testbed.Mem)
	for _, id := range []string{"1", "2", "3"} {
		s.openMailTicket(id, "s"+id+"@spam.example", "", 2)
	}
	for id, days := range map[string]int{"1": 90, "2": 100} {
		s.change(id, func(t helpdesk.Ticket) (ticket.Change, error) { return ticket.MarkSpam(t, "ann", s.now) })
		at := s.now.Add(time.Duration(days) * 24 * time.Hour)
		if err := s.st.SetSpamExpiry(s.ctx, id, &at); err != nil {
			t.Fatal(err)
		}
	}
	c := &purge.Cleanup{Service: s.service(), Spam: s.st}
	if n, err := c.Sweep(s.ctx); err != nil || n != 0 {
		t.Fatalf("sweep before any expiry: %d, %v", n, err)
	}
	s.now = s.now.Add(95 * 24 * time.Hour)
	if n, err := c.Sweep(s.ctx); err != nil || n != 1 {
		t.Fatalf("sweep at day 95: %d, %v; want ticket 1", n, err)
	}
	if _, err := s.st.GetTicketHeader(s.ctx, "1"); err == nil {
		t.Fatal("ticket 1 survived its sweep")
	}
	for _, id := range []string{"2", "3"} {
		if _, err := s.st.GetTicketHeader(s.ctx, id); err != nil {
			t.Fatalf("ticket %s went: %v", id, err)
		}
	}
	stale := &purge.Cleanup{Service: s.service(), Spam: staleSpam{ids: []string{"2", "3"}}}
	if n, err := stale.Sweep(s.ctx); err != nil || n != 0 {
		t.Fatalf("a stale list: %d, %v; want nothing purged and the sweep ended", n, err)
	}
}
