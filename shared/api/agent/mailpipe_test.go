package agent_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A customer mail's Reply-To and a message's note show on the timeline
// (as the OpenAPI document says), the agent's reply goes to the Reply-To
// (its `to`), and a ticket from a mail that gave no address refuses a
// reply with a reason.
func TestReplyToNoteAndUnknownSenderOnTheAgentAPI(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		contact(t, f, "c7", "Carla")
		openTicket(t, f, "7", "", "A", "c7", helpdesk.Message{ID: "msg-7", CreatedAt: t0.Add(time.Minute), Text: "Answer me at home",
			ReplyTo: []string{"carla.home@example.org"}, Note: "This mail reuses the Message-ID <1@localhost> of a different mail received before (ticket #5); it is kept as its own message."})
		var v struct {
			Timeline struct {
				Entries []struct {
					Message *struct {
						ReplyTo []string `json:"reply_to"`
						To      []string
						Note    string
					}
				}
			}
		}
		decode(t, f.do(t, "GET", "/api/tickets/7", "bob", ""), &v)
		if len(v.Timeline.Entries) != 1 || v.Timeline.Entries[0].Message == nil {
			t.Fatalf("timeline %+v", v.Timeline)
		}
		if m := v.Timeline.Entries[0].Message; !slices.Equal(m.ReplyTo, []string{"carla.home@example.org"}) || m.Note == "" {
			t.Fatalf("message %+v", m)
		}
		r := f.do(t, "POST", "/api/tickets/7/replies", "bob", `{"text":"On its way."}`)
		if r.status != 201 {
			t.Fatalf("reply: %d %s", r.status, r.raw)
		}
		if to, _ := r.body["to"].([]any); len(to) != 1 || to[0] != "carla.home@example.org" {
			t.Fatalf("reply addressed to %v: %s", r.body["to"], r.raw)
		}

		unknown := helpdesk.Contact{ID: "c8", Name: helpdesk.UnknownSenderName, CreatedAt: t0}
		if err := f.st.CreateContact(context.Background(), unknown, "email#unknown#scan-1@mx3070.local#0123456789abcdef"); err != nil {
			t.Fatal(err)
		}
		openTicket(t, f, "8", "", "A", "c8", helpdesk.Message{ID: "msg-8", CreatedAt: t0.Add(time.Minute), Text: "Scanned pages: 1"})
		r = f.do(t, "POST", "/api/tickets/8/replies", "bob", `{"text":"Who is this?"}`)
		if r.status != 400 || reason(r) != "no_reply_address" {
			t.Fatalf("reply to an unknown sender: %d %s", r.status, r.raw)
		}
	})
}
