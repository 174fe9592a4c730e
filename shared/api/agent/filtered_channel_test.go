package agent_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Mail that came for no channel (an old alias never configured) is made a
// ticket in the email channel the agent names; a body may also move mail
// that had a channel to another. The channel must be an enabled email
// channel, and a bad body is a 400 with its reason; nothing is promoted on
// a refusal.
func TestPromoteFilteredMailIntoAChosenChannel(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ctx := context.Background()
		p := &fakePromoter{channels: f.st}
		f.api.Promoter = p
		sales := helpdesk.Channel{ID: "email:sales@acme.example", Kind: helpdesk.ChannelEmail, Name: "Sales",
			Email: &helpdesk.EmailSettings{Address: "sales@acme.example"}}
		off := helpdesk.Channel{ID: "email:old@acme.example", Kind: helpdesk.ChannelEmail, Name: "Old", Disabled: true,
			Email: &helpdesk.EmailSettings{Address: "old@acme.example"}}
		page := helpdesk.Channel{ID: "messenger:1234", Kind: helpdesk.ChannelMessenger, Name: "Page",
			Messenger: &helpdesk.MessengerSettings{PageID: "1234"}}
		for _, c := range []helpdesk.Channel{sales, off, page} {
			if err := f.st.PutChannel(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		lost := filteredAt(t, f, 1, helpdesk.FilteredNoChannel, "")
		moved := filteredAt(t, f, 2, helpdesk.FilteredAutoReply, mail.ID)
		ids, _ := filteredIDs(f.do(t, "GET", "/api/filtered", "ann", ""))
		movedPath, lostPath := "/api/filtered/"+ids[0]+"/promote", "/api/filtered/"+ids[1]+"/promote"

		for _, c := range []struct {
			body   string
			status int
			reason string
		}{
			{``, 400, "channel_required"},
			{`{}`, 400, "channel_required"},
			{` `, 400, "channel_required"},
			{`{"channel_id":null}`, 400, "null_value"},
			{`{"channel_id":42}`, 400, "invalid_field"},
			{`{"channel":"email:sales@acme.example"}`, 400, "invalid_json"},
			{`[]`, 400, "invalid_field"},
			{`{"channel_id":"email:sales@acme.example"} {}`, 400, "invalid_json"},
			{`{"channel_id":"` + strings.Repeat("x", 201) + `"}`, 400, "field_too_long"},
			{`{"channel_id":""}`, 400, "unknown_channel"},
			{`{"channel_id":"email:nobody@acme.example"}`, 400, "unknown_channel"},
			{`{"channel_id":"messenger:1234"}`, 400, "unknown_channel"},
			{`{"channel_id":"email:old@acme.example"}`, 409, "channel_unavailable"},
		} {
			r := f.do(t, "POST", lostPath, "ann", c.body)
			if r.status != c.status || reason(r) != c.reason {
				t.Errorf("body %.60q: %d %s, want %d %s", c.body, r.status, r.raw, c.status, c.reason)
			}
		}
		if got, _ := f.st.GetFiltered(ctx, lost.ReceivedAt, lost.SESMessageID); got.PromotedAt != nil || len(p.promoted) != 0 {
			t.Fatalf("a refused promotion promoted: %+v, queued %d", got, len(p.promoted))
		}

		r := f.do(t, "POST", lostPath, "ann", `{"channel_id":"email:sales@acme.example"}`)
		if r.status != 202 || r.body["channel_id"] != sales.ID || r.body["kind"] != "no_channel" || r.body["promoted_by"] != "ann" {
			t.Fatalf("promote into sales: %d %s", r.status, r.raw)
		}
		if len(p.promoted) != 1 || p.promoted[0].ChannelID != sales.ID || p.promoted[0].SESMessageID != lost.SESMessageID {
			t.Fatalf("queued %+v", p.promoted)
		}
		if got, _ := f.st.GetFiltered(ctx, lost.ReceivedAt, lost.SESMessageID); got.ChannelID != sales.ID || got.PromotedAt == nil {
			t.Fatalf("the record after: %+v", got)
		}
		e := f.do(t, "GET", "/api/audit", "ann", "").body["entries"].([]any)[0].(map[string]any)
		if _, had := e["before"].(map[string]any)["channel_id"]; had || e["after"].(map[string]any)["channel_id"] != sales.ID {
			t.Fatalf("audit entry %v", e)
		}

		// Mail that came to a channel may be moved to another.
		r = f.do(t, "POST", movedPath, "ann", `{"channel_id":"email:sales@acme.example"}`)
		if r.status != 202 || r.body["channel_id"] != sales.ID || len(p.promoted) != 2 || p.promoted[1].ChannelID != sales.ID ||
			p.promoted[1].SESMessageID != moved.SESMessageID {
			t.Fatalf("move to sales: %d %s (queued %+v)", r.status, r.raw, p.promoted)
		}
		if r := f.do(t, "POST", movedPath, "ann", `{"channel_id":"email:sales@acme.example"}`); r.status != 409 || reason(r) != "already_promoted" {
			t.Fatalf("promote twice: %d %s", r.status, r.raw)
		}
	})
}
