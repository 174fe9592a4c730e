package localrun_test

import (
	"context"
	"net"
	"net/smtp"
	"strings"
	"testing"
)

// End to end on the emulators: mail to an old alias the desk never
// configured makes no ticket and is listed as no_channel; promoting it
// without naming a channel is refused (400 channel_required), and into
// the demo email channel it becomes a ticket there.
func TestNoChannelMailIsPromotedIntoAChosenChannelEndToEnd(t *testing.T) {
	s := start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.r.ServeSMTP(ln)
	defer srv.Close()
	raw := strings.Replace(rawMail("old-alias-1@example.com", "Where is my order?"), "To: support@acme.example", "To: help-old@acme.example", 1)
	if err := smtp.SendMail(ln.Addr().String(), nil, "ann@example.com", []string{"help-old@acme.example"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	s.drain(t)
	if n := len(s.tickets(t)); n != 0 {
		t.Fatalf("%d tickets from mail to no channel, want 0", n)
	}
	admin, _ := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	code, page := s.get(t, "/api/filtered?kind=no_channel", admin)
	items, _ := page["filtered"].([]any)
	if code != 200 || len(items) != 1 {
		t.Fatalf("GET /api/filtered: %d %v", code, page)
	}
	it := items[0].(map[string]any)
	if it["channel_id"] != nil || it["subject"] != "Where is my order?" {
		t.Fatalf("listed %v", it)
	}
	path := "/api/filtered/" + it["id"].(string) + "/promote"
	auth := map[string]string{"Authorization": "Bearer " + admin}
	if code, out := s.post(t, path, "", auth); code != 400 || out["error"].(map[string]any)["reason"] != "channel_required" {
		t.Fatalf("promote without a channel: %d %v", code, out)
	}
	demo := "email:" + s.demo.EmailAddress
	code, out := s.post(t, path, `{"channel_id":"`+demo+`"}`, auth)
	if code != 202 || out["channel_id"] != demo || out["promoted_message_id"] != "old-alias-1@example.com" {
		t.Fatalf("promote into %s: %d %v", demo, code, out)
	}
	s.drain(t)
	ts := s.tickets(t)
	if len(ts) != 1 || ts[0].ChannelID != demo || ts[0].Subject != "Where is my order?" {
		t.Fatalf("tickets after the promotion: %+v", ts)
	}
	conv, err := s.r.Store.GetTicket(context.Background(), ts[0].ID)
	if err != nil || conv.Messages[0].Text != "My order 1042 has not arrived." {
		t.Fatalf("the promoted message: %+v %v", conv.Messages, err)
	}
}
