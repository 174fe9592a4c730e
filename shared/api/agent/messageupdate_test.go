package agent_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A message the customer edited shows its text, when it was edited and its
// previous texts; reactions show on it, a withdrawn one not.
func TestMessageShowsEditsAndReactions(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		contact(t, f, "c7", "Carla")
		edited := t0.Add(2 * time.Minute)
		openTicket(t, f, "7", "", "A", "c7", helpdesk.Message{ID: "msg-7", CreatedAt: t0.Add(time.Minute),
			Text: "hello, world! (order #4412)", EditedAt: edited,
			Edits: []helpdesk.MessageEdit{{Text: "hello, world!", At: edited}},
			Reactions: []helpdesk.Reaction{
				{By: "messenger#1#2", Emoji: "👍", Reaction: "like", At: edited},
				{By: "messenger#1#3", At: edited, Removed: true},
			}})
		r := f.do(t, "GET", "/api/tickets/7", "bob", "")
		if r.status != 200 {
			t.Fatalf("GET: %d %s", r.status, r.raw)
		}
		var v struct {
			Timeline struct {
				Entries []struct {
					Message *struct {
						Text      string
						EditedAt  time.Time `json:"edited_at"`
						Edits     []helpdesk.MessageEdit
						Reactions []map[string]any
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
		if m.Text != "hello, world! (order #4412)" || !m.EditedAt.Equal(edited) || len(m.Edits) != 1 || m.Edits[0].Text != "hello, world!" {
			t.Fatalf("edit not shown: %s", r.raw)
		}
		if len(m.Reactions) != 1 || m.Reactions[0]["emoji"] != "👍" || m.Reactions[0]["by"] != "messenger#1#2" || m.Reactions[0]["removed"] != nil {
			t.Fatalf("reactions: %v", m.Reactions)
		}
	})
}
