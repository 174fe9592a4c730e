package localrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Issue 12, split, through the real email path: a customer's thread of
// three mails arrives over SMTP (receive, the ingest queue, the router), an
// agent splits the second mail off through the agent API (signed in to the
// local user pool), then the customer answers the second mail, which lands
// in the new ticket, and the third, which lands in the old one.
func TestSplitThenRepliesLandWhereTheirMailWent(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.r.ServeSMTP(ln)
	defer srv.Close()
	send := func(id string, refs ...string) {
		t.Helper()
		var extra []string
		if len(refs) > 0 {
			extra = append(extra, "In-Reply-To: <"+refs[len(refs)-1]+">", "References: "+angle(refs))
		}
		raw := rawMail(id, "Re: Where is my order?", extra...)
		if err := smtp.SendMail(ln.Addr().String(), nil, "ann@example.com", []string{s.demo.EmailAddress}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
		s.drain(t)
	}
	send("t1@example.com")
	send("t2@example.com", "t1@example.com")
	send("t3@example.com", "t1@example.com", "t2@example.com")
	ts := s.tickets(t)
	if len(ts) != 1 {
		t.Fatalf("%d tickets for one thread, want 1", len(ts))
	}
	old := ts[0].ID
	conv, err := s.r.Store.GetTicket(ctx, old)
	if err != nil || len(conv.Messages) != 3 {
		t.Fatalf("the thread: %d messages, %v", len(conv.Messages), err)
	}
	second := conv.Messages[1]
	if second.ProviderMessageID != "t2@example.com" {
		t.Fatalf("the second message is %s", second.ProviderMessageID)
	}

	token, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	body, _ := json.Marshal(map[string]any{"message_ids": []string{second.ID}, "subject": "A second order"})
	code, out := s.postAuth(t, "/api/tickets/"+old+"/split", token, body)
	if code != 201 {
		t.Fatalf("split: %d %v", code, out)
	}
	nt := out["ticket"].(map[string]any)
	newID := nt["id"].(string)
	if newID == old || nt["message_count"] != 1.0 || out["source"].(map[string]any)["message_count"] != 2.0 {
		t.Fatalf("split answered %v", out)
	}
	// The demo email channel routes to its team: the new ticket was routed.
	split, err := s.r.Store.GetTicket(ctx, newID)
	if err != nil {
		t.Fatal(err)
	}
	routed := false
	for _, a := range split.Activities {
		routed = routed || a.Kind == helpdesk.ActivityRouted
	}
	if !routed || len(split.Messages) != 1 || split.Messages[0].ID != second.ID {
		t.Fatalf("the new ticket: %+v", split)
	}

	// The customer answers the second mail (their client quotes the whole
	// thread in References), then the third.
	send("t4@example.com", "t1@example.com", "t2@example.com")
	send("t5@example.com", "t1@example.com", "t2@example.com", "t3@example.com")
	n, o := s.conv(t, newID), s.conv(t, old)
	if len(n.Messages) != 2 || n.Messages[1].ProviderMessageID != "t4@example.com" || n.Messages[1].ThreadReason != "in_reply_to" {
		t.Fatalf("the new ticket holds %+v, want t2 and the reply to it", ids(n.Messages))
	}
	if len(o.Messages) != 3 || o.Messages[2].ProviderMessageID != "t5@example.com" {
		t.Fatalf("the old ticket holds %v, want t1, t3 and the reply to t3", ids(o.Messages))
	}
	if n.Ticket.MessageCount != 2 || o.Ticket.MessageCount != 3 {
		t.Fatalf("counts: new %d, old %d", n.Ticket.MessageCount, o.Ticket.MessageCount)
	}
}

func angle(ids []string) string {
	var b bytes.Buffer
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("<" + id + ">")
	}
	return b.String()
}

func ids(ms []helpdesk.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ProviderMessageID)
	}
	return out
}

func (s stack) conv(t *testing.T, id string) helpdesk.Conversation {
	t.Helper()
	c, err := s.r.Store.GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s stack) postAuth(t *testing.T, path, token string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}
