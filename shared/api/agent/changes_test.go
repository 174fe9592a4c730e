package agent_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The desk clock over the API, on both stores: a console polls it with
// the ETag of its last answer and gets 304 while nothing changed; a ticket
// change, once the stream has indexed it (index.Service, as search-indexer
// runs it), moves it, and the next poll answers 200 with a new ETag.
func TestChangesAnswerNotModifiedUntilATicketChanges(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		first := f.do(t, "GET", "/api/changes", "bob", "")
		tag := first.header.Get("ETag")
		if first.status != http.StatusOK || tag == "" {
			t.Fatalf("first poll: %d %s (ETag %q)", first.status, first.raw, tag)
		}
		if r := f.do(t, "GET", "/api/changes", "bob", "", "If-None-Match", tag); r.status != http.StatusNotModified || r.raw != "" {
			t.Fatalf("a poll with nothing changed: %d %q", r.status, r.raw)
		}
		// A ticket changes (a status here), and the stream indexes it.
		ctx := context.Background()
		h, err := f.st.GetTicketHeader(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		c, err := ticket.SetStatus(h, "closed", "ann", nil, helpdesk.DefaultSettings(), h.UpdatedAt.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := (&index.Service{Store: f.st}).ApplyAll(ctx, []index.Change{{TicketBefore: &h, Ticket: c.Ticket()}}); err != nil {
			t.Fatal(err)
		}
		r := f.do(t, "GET", "/api/changes", "bob", "", "If-None-Match", tag)
		if r.status != http.StatusOK || r.header.Get("ETag") == tag || r.body["version"].(float64) < 1 {
			t.Fatalf("a poll after a change: %d %s (ETag %q, was %q)", r.status, r.raw, r.header.Get("ETag"), tag)
		}
		if r := f.do(t, "GET", "/api/changes", "", ""); r.status != http.StatusUnauthorized {
			t.Fatalf("without a token: %d", r.status)
		}
	})
}
