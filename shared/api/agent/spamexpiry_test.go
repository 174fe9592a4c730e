package agent_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A spam ticket past its expiry is gone for every read before DynamoDB's
// TTL (days late) or the sweep removes it: its page and timeline answer
// 404, the Spam view and search leave it out. Before its expiry it reads.
func TestSpamPastItsExpiryIsHiddenFromReads(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ctx := context.Background()
		now := t0.Add(time.Hour)
		f.api.Now = func() time.Time { return now }
		cur, err := f.st.GetTicketHeader(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		c, err := ticket.MarkSpam(cur, "ann", now)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		at := now.Add(90 * 24 * time.Hour)
		if err := f.st.SetSpamExpiry(ctx, "1", &at); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.IndexTicket(ctx, "1", search.TextTerms("Question 1", search.FieldSubject)); err != nil {
			t.Fatal(err)
		}
		reads := func() (page, timeline int, inView, found bool) {
			page = f.do(t, "GET", "/api/tickets/1", "ann", "").status
			timeline = f.do(t, "GET", "/api/tickets/1/timeline", "ann", "").status
			for _, tk := range f.do(t, "GET", "/api/views/spam/tickets", "ann", "").body["tickets"].([]any) {
				inView = inView || tk.(map[string]any)["id"] == "1"
			}
			for _, r := range f.do(t, "GET", "/api/search?q=question", "ann", "").body["results"].([]any) {
				found = found || r.(map[string]any)["ticket"].(map[string]any)["id"] == "1"
			}
			return
		}
		now = at.Add(-time.Minute)
		if p, tl, v, s := reads(); p != http.StatusOK || tl != http.StatusOK || !v || !s {
			t.Fatalf("before its expiry: page %d, timeline %d, in the Spam view %v, found %v", p, tl, v, s)
		}
		now = at
		if p, tl, v, s := reads(); p != http.StatusNotFound || tl != http.StatusNotFound || v || s {
			t.Fatalf("at its expiry: page %d, timeline %d, in the Spam view %v, found %v", p, tl, v, s)
		}
		if h, _ := f.st.GetTicketHeader(ctx, "1"); h.State != helpdesk.StateSpam {
			t.Fatal("the ticket itself is the purge's to remove")
		}
	})
}
