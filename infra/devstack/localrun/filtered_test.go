package localrun_test

import (
	"context"
	"net"
	"net/smtp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// End to end on the emulators: an auto-reply sent over SMTP to the local
// stack (SES's path: the bucket, then email-inbound) makes no ticket but is
// listed by the agent API with its reason, sender and subject; the admin
// promotes it, the router makes a ticket of it (with its attachment), and
// a second promotion is refused. A team-scoped agent sees none of it.
func TestFilteredMailIsListedThenPromotedEndToEnd(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.r.ServeSMTP(ln)
	defer srv.Close()
	raw := rawMail("ooo-1@example.com", "Automatic reply: Where is my order?", "Auto-Submitted: auto-replied")
	if err := smtp.SendMail(ln.Addr().String(), nil, "ann@example.com", []string{s.demo.EmailAddress}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	s.drain(t)
	if n := len(s.tickets(t)); n != 0 {
		t.Fatalf("%d tickets from an auto-reply, want 0", n)
	}

	admin, _ := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	code, page := s.get(t, "/api/filtered?kind=auto_reply", admin)
	items, _ := page["filtered"].([]any)
	if code != 200 || len(items) != 1 {
		t.Fatalf("GET /api/filtered: %d %v", code, page)
	}
	it := items[0].(map[string]any)
	sender, _ := it["sender"].(map[string]any)
	if it["kind"] != "auto_reply" || it["reason"] != "auto-submitted: auto-replied" || sender["email"] != "ann@example.com" ||
		sender["name"] != "Ann Lee" || it["subject"] != "Automatic reply: Where is my order?" || it["message_id"] != "ooo-1@example.com" ||
		it["channel_id"] != "email:"+s.demo.EmailAddress || !strings.HasPrefix(it["raw_key"].(string), "inbound/") {
		t.Fatalf("listed %v", it)
	}
	// The raw mail is in the bucket where the record says.
	bucket, key := s.r.Stack.Buckets["MailBucket"], it["raw_key"].(string)
	if _, err := s.r.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key}); err != nil {
		t.Fatalf("raw mail not in the bucket: %v", err)
	}
	bob, _ := s.signIn(t, s.demo.AgentEmails[1], s.demo.Password)
	if code, _ := s.get(t, "/api/filtered", bob); code != 403 {
		t.Fatalf("a team-scoped agent lists filtered mail: %d", code)
	}

	path := "/api/filtered/" + it["id"].(string) + "/promote"
	auth := map[string]string{"Authorization": "Bearer " + admin}
	if code, out := s.post(t, path, "", map[string]string{"Authorization": "Bearer " + bob}); code != 403 {
		t.Fatalf("a team-scoped agent promotes: %d %v", code, out)
	}
	code, out := s.post(t, path, "", auth)
	if code != 202 || out["promoted_by"] != "alice" || out["promoted_message_id"] != "ooo-1@example.com" {
		t.Fatalf("promote: %d %v", code, out)
	}
	s.drain(t)
	ts := s.tickets(t)
	if len(ts) != 1 || ts[0].Subject != "Automatic reply: Where is my order?" {
		t.Fatalf("tickets after the promotion: %+v", ts)
	}
	conv, err := s.r.Store.GetTicket(ctx, ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	m := conv.Messages[0]
	if m.Text != "My order 1042 has not arrived." || len(m.Attachments) != 1 || m.Attachments[0].Name != "invoice.pdf" ||
		!strings.HasPrefix(m.Attachments[0].Key, "attachments/promoted/") {
		t.Fatalf("the promoted message: %+v", m)
	}
	if _, err := s.r.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &m.Attachments[0].Key}); err != nil {
		t.Fatalf("attachment not in the bucket: %v", err)
	}
	if c, err := s.r.Store.GetContact(ctx, conv.Ticket.ContactID); err != nil || c.Email != "ann@example.com" {
		t.Fatalf("contact %+v %v", c, err)
	}

	if code, out := s.post(t, path, "", auth); code != 409 || out["error"].(map[string]any)["reason"] != "already_promoted" {
		t.Fatalf("promote twice: %d %v", code, out)
	}
	s.drain(t)
	if n := len(s.tickets(t)); n != 1 {
		t.Fatalf("%d tickets after promoting twice, want 1", n)
	}
	_, page = s.get(t, "/api/filtered", admin)
	if it := page["filtered"].([]any)[0].(map[string]any); it["promoted_by"] != "alice" || it["promoted_at"] == nil {
		t.Fatalf("listed after the promotion: %v", it)
	}
}
