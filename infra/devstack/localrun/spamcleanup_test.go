package localrun_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// clockedStack is a local stack whose clock (Config.Now) a test moves.
type clockedStack struct {
	stack
	db     *dynamodb.Client
	ahead  *atomic.Int64 // how far the stack's clock runs ahead of time.Now
	mailTo string
	smtp   string
}

func startClocked(t *testing.T, sweepEvery time.Duration) clockedStack {
	return startClockedWith(t, sweepEvery, "")
}

// startClockedWith is startClocked whose notification emails go from
// sender to moto's SES ("" sends none).
func startClockedWith(t *testing.T, sweepEvery time.Duration, sender string) clockedStack {
	t.Helper()
	ahead := &atomic.Int64{}
	st := startStack(t, testbed.Name(t), sender, func(c *localrun.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
		c.SpamSweepEvery = sweepEvery
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mail := st.r.ServeSMTP(ln)
	t.Cleanup(func() { mail.Close() })
	return clockedStack{stack: st, db: dynamodb.NewFromConfig(st.cfg), ahead: ahead, mailTo: st.demo.EmailAddress, smtp: ln.Addr().String()}
}

// mailIn sends a mail with a PDF attachment from address sender over SMTP and runs
// the router; it answers the new ticket's id.
func (s clockedStack) mailIn(t *testing.T, sender, msgID, subject string) string {
	t.Helper()
	raw := strings.Replace(rawMail(msgID, subject), "From: Ann Lee <ann@example.com>", "From: <"+sender+">", 1)
	if err := smtp.SendMail(s.smtp, nil, sender, []string{s.mailTo}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	s.drain(t)
	for _, tk := range s.tickets(t) {
		if tk.Subject == subject {
			return tk.ID
		}
	}
	t.Fatalf("no ticket %q", subject)
	return ""
}

// markSpam marks ticket id spam through the agent API, which gives it its
// 90 days (SpamAt + 90 days, decided by the ticket model).
func (s clockedStack) markSpam(t *testing.T, token, id string) {
	t.Helper()
	if code, out := s.postAuth(t, "/api/tickets/"+id+"/spam", token, []byte(`{}`)); code != 200 {
		t.Fatalf("mark spam: %d %v", code, out)
	}
	ctx := context.Background()
	tk, err := s.r.Store.GetTicketHeader(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := tk.SpamAt.Add(helpdesk.SpamKeepDays * 24 * time.Hour).Unix(); tk.State != helpdesk.StateSpam || tk.ExpiresAt != want {
		t.Fatalf("ticket %s marked spam: state %s, expires at %d, want %d", id, tk.State, tk.ExpiresAt, want)
	}
}

// items is a full listing of the table (a Scan: tests only), each item as
// "PK | SK" with its attributes.
func (s clockedStack) items(t *testing.T) []map[string]any {
	t.Helper()
	return testbed.ScanTable(t, s.db, s.r.Stack.TableName)
}

// of keeps the items that belong to ticket id, by the keys the store
// gives them: its partition, its terms record, the term items naming it
// (sort key T<999999999999 - id>#field), and whatever else names it in
// ticketId (thread keys, provider lookups, notifications) or number. The
// dedupe records and number reservations of its inbound messages are kept
// on purpose, as the purge keeps them: ids only, expiring in 30 days, so a
// late redelivery of a purged message does not bring it back.
func of(items []map[string]any, id string) []string {
	var n int64
	fmt.Sscan(id, &n)
	termSK := fmt.Sprintf("T%012d#", 999_999_999_999-n)
	var out []string
	for _, it := range items {
		pk, sk := fmt.Sprint(it["PK"]), fmt.Sprint(it["SK"])
		switch {
		case strings.HasPrefix(pk, "DEDUPE#"), strings.HasPrefix(pk, "NUMBER#") && it["expiresAt"] != nil:
		case pk == "TICKET#"+id, pk == "TERMS#"+id, it["ticketId"] == id, fmt.Sprint(it["number"]) == id,
			strings.HasPrefix(pk, "TERM#") && strings.HasPrefix(sk, termSK):
			out = append(out, pk+" | "+sk)
		}
	}
	slices.Sort(out)
	return out
}

func (s clockedStack) bucket(t *testing.T) []string {
	t.Helper()
	return testbed.ListBucket(t, s.r.S3(), s.r.Stack.Buckets["MailBucket"])
}

// Issue 12's purge on `make run`'s stack: a spammer's mail (with an
// attachment) and a customer's arrive over SMTP; an agent marks the first
// spam through the agent API. The local stack's own sweep leaves it while
// its 90 days run; with the stack's clock moved past them, the sweep
// endpoint (make spam-sweep) purges it: a full listing of the table and the
// bucket shows nothing of it left, and the customer's ticket whole.
func TestLocalStackSweepsSpamPastItsNinetyDays(t *testing.T) {
	s := startClocked(t, 0)
	ctx := context.Background()
	spam := s.mailIn(t, "deals@spam.example", "w1@spam.example", "Cheap watches")
	keep := s.mailIn(t, "ann@example.com", "o1@example.com", "Where is my order?")
	files := func(id string) []string {
		var keys []string
		for _, m := range s.conv(t, id).Messages {
			for _, a := range m.Attachments {
				keys = append(keys, a.Key)
			}
			if m.BodyKey != "" {
				keys = append(keys, m.BodyKey)
			}
		}
		if len(keys) == 0 {
			t.Fatalf("ticket %s has no files in the bucket", id)
		}
		return keys
	}
	spamFiles, keepFiles := files(spam), files(keep)

	token, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	s.markSpam(t, token, spam)
	before := s.items(t)
	doomed, kept := of(before, spam), of(before, keep)
	for _, want := range []string{"TICKET#" + spam + " | TICKET", "TICKET#" + spam + " | MSG#", "THREAD#", "TERMS#" + spam, "TERM#"} {
		if !slices.ContainsFunc(doomed, func(k string) bool { return strings.HasPrefix(k, want) }) {
			t.Fatalf("no %s… among the spam ticket's items %v", want, doomed)
		}
	}

	// Within its 90 days the sweep leaves it.
	if n, err := s.r.SweepSpam(ctx); err != nil || n != 0 {
		t.Fatalf("sweep on day 0: %d purged, %v", n, err)
	}
	if got := of(s.items(t), spam); !slices.Equal(got, doomed) {
		t.Fatalf("the sweep on day 0 changed the spam ticket: %v, was %v", got, doomed)
	}

	s.ahead.Store(int64(91 * 24 * time.Hour))
	code, out := s.post(t, "/local/spam-cleanup/sweep", "", nil)
	if code != http.StatusOK || out["purged"] != 1.0 {
		t.Fatalf("POST /local/spam-cleanup/sweep: %d %v", code, out)
	}

	after := s.items(t)
	if left := of(after, spam); len(left) != 0 {
		t.Errorf("left of spam ticket %s: %v", spam, left)
	}
	if got := of(after, keep); !slices.Equal(got, kept) {
		t.Errorf("the customer's ticket changed:\n got %v\nwant %v", got, kept)
	}
	listing := s.bucket(t)
	for _, k := range spamFiles {
		if slices.Contains(listing, k) {
			t.Errorf("file %s of the spam ticket is left", k)
		}
	}
	for _, k := range keepFiles {
		if !slices.Contains(listing, k) {
			t.Errorf("file %s of the customer's ticket is gone", k)
		}
	}
	// Anything else named by the spam mail's SES id (its attachments
	// live under attachments/<ses id>/).
	sesID := strings.Split(strings.TrimPrefix(spamFiles[0], "attachments/"), "/")[0]
	for _, k := range listing {
		if strings.Contains(k, sesID) { // its raw mail (inbound/) too
			t.Errorf("bucket key %s of the spam mail is left", k)
		}
	}
	if code, _ := s.get(t, "/api/tickets/"+spam, token); code != http.StatusNotFound {
		t.Errorf("GET the purged ticket: %d, want 404", code)
	}
}

// The local stream mapping lets through what template.yaml's FilterCriteria
// does: a REMOVE without DynamoDB's TTL identity (an agent's delete) does
// not invoke spam-cleanup; the recorded TTL removal does, and purges the
// ticket it names.
func TestLocalStreamFeedsSpamCleanupOnlyTTLRemovals(t *testing.T) {
	s := startClocked(t, 0)
	id := s.mailIn(t, "deals@spam.example", "w2@spam.example", "Cheap watches")
	token, _ := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	s.markSpam(t, token, id)
	raw, err := os.ReadFile("../../../events/spam-cleanup/ttl-remove.json")
	if err != nil {
		t.Fatal(err)
	}
	record := func(ttl bool) json.RawMessage {
		var ev struct{ Records []map[string]any }
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		rec := ev.Records[0]
		ddb := rec["dynamodb"].(map[string]any)
		ddb["Keys"].(map[string]any)["PK"] = map[string]any{"S": "TICKET#" + id}
		old := ddb["OldImage"].(map[string]any)
		old["PK"], old["id"] = map[string]any{"S": "TICKET#" + id}, map[string]any{"S": id}
		if !ttl {
			delete(rec, "userIdentity")
		}
		b, _ := json.Marshal(ev)
		return b
	}
	ctx := context.Background()
	if resp, err := s.r.SpamCleanupStream(ctx, record(false)); err != nil || resp != nil {
		t.Fatalf("an agent's REMOVE reached spam-cleanup: %+v, %v", resp, err)
	}
	if left := of(s.items(t), id); !slices.Contains(left, "TICKET#"+id+" | TICKET") {
		t.Fatalf("an agent's REMOVE record purged ticket %s: %v", id, left)
	}
	resp, err := s.r.SpamCleanupStream(ctx, record(true))
	if err != nil || resp == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("the TTL removal: %+v, %v", resp, err)
	}
	if left := of(s.items(t), id); len(left) != 0 {
		t.Errorf("left of ticket %s after its TTL removal: %v", id, left)
	}
}

// make run's schedule: Poll sweeps on its ticker, on the stack's clock.
// The stack starts (and sweeps once); a ticket then goes to spam and the
// clock past its 90 days; a later tick purges it.
func TestPollSweepsSpamOnItsSchedule(t *testing.T) {
	s := startClocked(t, 100*time.Millisecond)
	id := s.mailIn(t, "deals@spam.example", "w3@spam.example", "Cheap watches")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.r.Poll(ctx)
	token, _ := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	s.markSpam(t, token, id)
	s.ahead.Store(int64(91 * 24 * time.Hour))
	for deadline := time.Now().Add(30 * time.Second); len(of(s.items(t), id)) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the scheduled sweep did not purge ticket %s in 30 s: %v", id, of(s.items(t), id))
		}
	}
}
