package agent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A message's quoted HTML is shown apart from its new HTML, with its cid:
// images pointing at their files like the new HTML's.
func TestMessageShowsQuotedHTMLApart(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		contact(t, f, "c7", "Carla")
		openTicket(t, f, "7", "", "A", "c7", helpdesk.Message{ID: "msg-7", CreatedAt: t0.Add(time.Minute),
			Text: "Thanks", Quoted: "> On Monday you wrote:\n> see the logo",
			HTML:       `<p>Thanks</p>`,
			QuotedHTML: `<div>On Monday you wrote:</div><blockquote>See <img src="cid:logo@acme"></blockquote>`,
			Attachments: []helpdesk.Attachment{
				{Name: "logo.png", ContentType: "image/png", Size: 10, Key: "attachments/s1/00-logo.png", ContentID: "logo@acme", Inline: true},
			}})
		openTicket(t, f, "8", "", "A", "c7", helpdesk.Message{ID: "msg-8", CreatedAt: t0.Add(2 * time.Minute), Text: "Hi", HTML: "<p>Hi</p>"})

		for _, c := range []struct{ id, html, quoted string }{
			{"7", `<p>Thanks</p>`, `<div>On Monday you wrote:</div><blockquote>See <img src="https://files.test/attachments/s1/00-logo.png?name=logo.png&amp;inline=true&amp;ttl=5m0s"></blockquote>`},
			{"8", `<p>Hi</p>`, ""},
		} {
			r := f.do(t, "GET", "/api/tickets/"+c.id, "bob", "")
			if r.status != 200 {
				t.Fatalf("GET %s: %d %s", c.id, r.status, r.raw)
			}
			var v struct {
				Timeline struct {
					Entries []struct {
						Message *struct {
							HTML       string
							QuotedHTML *string `json:"quoted_html"`
						}
					}
				}
			}
			decode(t, r, &v)
			e := v.Timeline.Entries
			if len(e) == 0 || e[len(e)-1].Message == nil {
				t.Fatalf("no message: %s", r.raw)
			}
			m := e[len(e)-1].Message
			if m.HTML != c.html {
				t.Errorf("ticket %s: html %q, want %q", c.id, m.HTML, c.html)
			}
			switch {
			case c.quoted == "" && m.QuotedHTML != nil:
				t.Errorf("ticket %s: quoted_html %q shown for a message without one", c.id, *m.QuotedHTML)
			case c.quoted != "" && (m.QuotedHTML == nil || *m.QuotedHTML != c.quoted):
				t.Errorf("ticket %s: quoted_html %v, want %q", c.id, m.QuotedHTML, c.quoted)
			}
			if strings.Contains(m.HTML, "Monday") {
				t.Errorf("ticket %s: the history is in the new html: %s", c.id, m.HTML)
			}
		}
	})
}
