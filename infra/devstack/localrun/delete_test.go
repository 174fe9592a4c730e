package localrun_test

import (
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Issue 12, "deleted is deleted", through the stack as it is wired for
// AWS: two customers' mails with attachments arrive over SMTP, an agent
// notes one ticket, and an admin deletes it through the agent API. A full
// scan of the table and a full listing of the bucket then hold nothing of
// it (its messages, note, activity, thread keys, search terms, raw mail
// and attachments), while the other ticket keeps all of its own. The
// dedupe and number-reservation records stay on purpose (ids only, 30-day
// TTL), so a late redelivery of a deleted mail does not bring it back.
func TestDeleteLeavesNothingInTableOrBucket(t *testing.T) {
	s := start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.r.ServeSMTP(ln)
	defer srv.Close()
	send := func(id, subject string, extra ...string) {
		t.Helper()
		if err := smtp.SendMail(ln.Addr().String(), nil, "ann@example.com", []string{s.demo.EmailAddress}, []byte(rawMail(id, subject, extra...))); err != nil {
			t.Fatal(err)
		}
		s.drain(t)
	}
	send("gone-1@example.com", "Quokka invoice")
	send("gone-2@example.com", "Re: Quokka invoice", "In-Reply-To: <gone-1@example.com>")
	send("kept-1@example.com", "Wombat delivery")
	ts := s.tickets(t)
	if len(ts) != 2 {
		t.Fatalf("%d tickets, want 2", len(ts))
	}
	var gone, kept helpdesk.Ticket
	for _, tk := range ts {
		if strings.Contains(tk.Subject, "Quokka") {
			gone = tk
		} else {
			kept = tk
		}
	}
	token, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	if code, out := s.postAuth(t, "/api/tickets/"+gone.ID+"/notes", token, []byte(`{"text":"Quokka refund approved"}`)); code != 201 {
		t.Fatalf("note: %d %v", code, out)
	}
	conv := s.conv(t, gone.ID)
	var names []string // what only the deleted ticket's items hold
	var files []string
	for _, m := range conv.Messages {
		names = append(names, m.ID)
		if m.ProviderMessageID != "" {
			names = append(names, m.ProviderMessageID)
		}
		for _, a := range m.Attachments {
			files = append(files, a.Key)
		}
		if m.RawKey != "" {
			files = append(files, m.RawKey)
		}
	}
	for _, a := range conv.Activities {
		names = append(names, a.ID)
	}
	if len(files) != 4 || len(conv.Messages) != 3 {
		t.Fatalf("the ticket to delete: %d messages naming %v, want 3 messages and 2 attachments + 2 raw mails", len(conv.Messages), files)
	}
	bucket := s.r.Stack.Buckets["MailBucket"]
	s3c := s3.NewFromConfig(testbed.AWS(t, "S3"), func(o *s3.Options) { o.UsePathStyle = true })
	before := testbed.ListBucket(t, s3c, bucket)
	for _, f := range files {
		if !slices.Contains(before, f) {
			t.Fatalf("%s is not in the bucket before the delete: %v", f, before)
		}
	}

	if code := s.deleteAuth(t, "/api/tickets/"+gone.ID, token); code != http.StatusOK && code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}

	db := dynamodb.NewFromConfig(testbed.AWS(t, "DYNAMODB"))
	for _, it := range testbed.ScanTable(t, db, s.r.Stack.TableName) {
		pk := fmt.Sprint(it["PK"])
		if strings.HasPrefix(pk, "DEDUPE#") || strings.HasPrefix(pk, "NUMBER#") {
			continue // ids only, expiring: a redelivery must not make it again
		}
		text := fmt.Sprint(it)
		if pk == "TICKET#"+gone.ID || pk == "TERMS#"+gone.ID || it["ticketId"] == gone.ID || it["id"] == gone.ID ||
			strings.Contains(text, "Quokka") || strings.Contains(strings.ToLower(text), "quokka") {
			t.Errorf("left of ticket %s: %s / %v: %.300s", gone.ID, pk, it["SK"], text)
			continue
		}
		for _, n := range names {
			if strings.Contains(text, n) {
				t.Errorf("left of ticket %s (%s): %s / %v", gone.ID, n, pk, it["SK"])
			}
		}
	}
	after := testbed.ListBucket(t, s3c, bucket)
	for _, f := range files {
		if slices.Contains(after, f) {
			t.Errorf("file %s of the deleted ticket is still in the bucket", f)
		}
	}
	// The other ticket is whole: its conversation and its files.
	k := s.conv(t, kept.ID)
	if len(k.Messages) != 1 || len(k.Messages[0].Attachments) != 1 || !slices.Contains(after, k.Messages[0].Attachments[0].Key) ||
		!slices.Contains(after, k.Messages[0].RawKey) {
		t.Fatalf("the other ticket after the delete: %+v; bucket %v", k.Messages, after)
	}
	// Deleted is deleted: the API finds nothing, and a retried delete is a 404.
	if code := s.deleteAuth(t, "/api/tickets/"+gone.ID, token); code != http.StatusNotFound {
		t.Fatalf("a second delete: %d, want 404", code)
	}
}

func (s stack) deleteAuth(t *testing.T, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, s.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
