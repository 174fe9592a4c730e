package ingest_test

import (
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The quoted history cut from a mail's HTML is stored on its message apart
// from the new HTML, as the quoted text is.
func TestQuotedHTMLIsStoredApart(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		id := d.mail(t, "q1@x", "Question", func(m *helpdesk.InboundMessage) {
			m.Text, m.Quoted = "Thanks", "> old"
			m.HTML, m.QuotedHTML = "<p>Thanks</p>", "<blockquote>old</blockquote>"
		}).TicketID
		c := d.conv(t, id)
		if len(c.Messages) != 1 {
			t.Fatalf("%d messages", len(c.Messages))
		}
		m := c.Messages[0]
		if m.HTML != "<p>Thanks</p>" || m.QuotedHTML != "<blockquote>old</blockquote>" || m.Quoted != "> old" {
			t.Fatalf("stored html %q, quoted html %q, quoted %q", m.HTML, m.QuotedHTML, m.Quoted)
		}
	})
}
