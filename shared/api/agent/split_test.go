package agent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// twoMore appends the customer's mails m2 and m3 to ticket 1 (its first is
// msg-1), an hour apart, each with its Message-ID as a thread key.
func (f *fixture) twoMore(t *testing.T) {
	t.Helper()
	for i, id := range []string{"m2", "m3"} {
		tk, err := f.st.GetTicketHeader(t.Context(), "1")
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(i+1) * time.Hour)
		msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
			ProviderMessageID: id + "@example.com", AuthorContactID: "c1", Text: "and " + id, CreatedAt: at}
		c, err := ticket.Append(tk, msg, "email#cus1@example.com", []string{threading.MessageKey(msg.ProviderMessageID)}, nil, helpdesk.DefaultSettings(), at)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.Commit(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSplitThroughTheAPI(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		f.twoMore(t)
		path := "/api/tickets/1/split"
		body := `{"message_ids":["msg-m2"],"subject":"Second question","priority":"high","owner_id":"bob"}`
		if r := f.do(t, "POST", path, "vic", body); r.status != 403 || reason(r) != "viewer_read_only" {
			t.Fatalf("a viewer: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", path, "cat", body); r.status != 404 || reason(r) != "ticket_not_found" {
			t.Fatalf("someone who cannot see it: %d %s", r.status, r.raw)
		}
		for _, c := range []struct{ body, reason string }{
			{`{"message_ids":["msg-m2"]}`, "subject_required"},
			{`{"message_ids":[],"subject":"S"}`, "messages_required"},
			{`{"message_ids":["msg-m2"],"subject":"S","owner_id":null}`, "null_value"},
			{`{"message_ids":["msg-m2","nope"],"subject":"S"}`, "unknown_messages"},
			{`{"message_ids":["msg-1","msg-m2","msg-m3"],"subject":"S"}`, "split_all_messages"},
			{`{"message_ids":["msg-m2"],"subject":"S","priority":"huge"}`, "unknown_priority"},
			{`{"message_ids":["msg-m2"],"subject":"S","owner_id":"nobody"}`, "owner_unknown"},
			{`{"message_ids":[` + strings.TrimSuffix(strings.Repeat(`"x",`, ticket.MaxSplitMessages+1), ",") + `],"subject":"S"}`, "split_too_large"},
		} {
			if r := f.do(t, "POST", path, "bob", c.body); r.status != 400 || reason(r) != c.reason {
				t.Errorf("%s: %d %s, want 400 %s", c.body, r.status, r.raw, c.reason)
			}
		}
		if r := f.do(t, "POST", path, "bob", body, "If-Match", `"1"`); r.status != 412 || r.header.Get("ETag") != `"3"` {
			t.Fatalf("a stale If-Match: %d %s", r.status, r.raw)
		}

		r := f.do(t, "POST", path, "bob", body, "If-Match", `"3"`)
		if r.status != 201 {
			t.Fatalf("split: %d %s", r.status, r.raw)
		}
		nt, src := r.body["ticket"].(map[string]any), r.body["source"].(map[string]any)
		id, _ := nt["id"].(string)
		if r.header.Get("Location") != "/api/tickets/"+id || nt["owner_id"] != "bob" || nt["priority"] != "high" ||
			nt["subject"] != "Second question" || nt["message_count"] != 1.0 || src["message_count"] != 2.0 || src["id"] != "1" {
			t.Fatalf("split answered %s", r.raw)
		}
		if len(f.out.jobs) != 0 {
			t.Fatalf("bob assigned it to himself: nobody to email, yet %d jobs", len(f.out.jobs))
		}
		tl := f.do(t, "GET", "/api/tickets/"+id+"/timeline?order=oldest", "bob", "")
		if tl.status != 200 || !strings.Contains(tl.raw, `"msg-m2"`) || !strings.Contains(tl.raw, `"split"`) {
			t.Fatalf("the new ticket's timeline: %d %s", tl.status, tl.raw)
		}
		if old := f.do(t, "GET", "/api/tickets/1/timeline", "bob", ""); strings.Contains(old.raw, `"msg-m2"`) || !strings.Contains(old.raw, `"msg-m3"`) {
			t.Fatalf("the old ticket's timeline: %s", old.raw)
		}
		// The moved mail's Message-ID leads to the new ticket.
		if got, _, err := f.st.FindThread(t.Context(), []string{threading.MessageKey("m2@example.com")}); err != nil || got != id {
			t.Fatalf("m2's thread key leads to %q (%v), want %s", got, err, id)
		}
		// A message that moved already is not the old ticket's any more (the
		// same request again is a retry: retry_test.go).
		if r := f.do(t, "POST", path, "bob", strings.Replace(body, "Second", "Other", 1)); r.status != 400 || reason(r) != "unknown_messages" {
			t.Fatalf("splitting a moved message again: %d %s", r.status, r.raw)
		}
	})
}
