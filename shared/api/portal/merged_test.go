package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A merged conversation holds the messages of every ticket merged into
// it: the customer sees their own tickets' messages, never another
// customer's (ticket 2, cus2's, merged into cus1's ticket 1).
func TestMergedConversationShowsTheirMessagesOnly(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		at := t0.Add(10 * time.Minute)
		openTicket(t, f.st, "4", "c1", "cus1@example.com", at) // cus1's second open ticket
		for i, id := range []string{"2", "4"} {
			c, err := ticket.Merge(header(t, f.st, "1"), header(t, f.st, id), "ann", at.Add(time.Duration(i+1)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.st.Commit(t.Context(), c); err != nil {
				t.Fatal(err)
			}
		}
		s1 := f.signIn(t, "cus1@example.com")
		r := f.do(t, "GET", "/portal/api/tickets/1", s1, "")
		if r.status != 200 {
			t.Fatalf("ticket 1: %d %s", r.status, r.raw)
		}
		if !strings.Contains(r.raw, "Help with 1") || !strings.Contains(r.raw, "Help with 4") || strings.Contains(r.raw, "Help with 2") {
			t.Errorf("ticket 1 merged with cus2's 2 and cus1's 4 shows: %s", r.raw)
		}
		// cus2 does not see ticket 1 at all, their merged messages included.
		if r := f.do(t, "GET", "/portal/api/tickets/1", f.signIn(t, "cus2@example.com"), ""); r.status != 404 {
			t.Errorf("cus2 reads ticket 1: %d %s", r.status, r.raw)
		}
	})
}
