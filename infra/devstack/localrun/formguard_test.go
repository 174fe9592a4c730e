package localrun_test

import (
	"testing"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Issue 11, end to end on the emulators: a public (unsigned) form that
// asks for status=closed makes an open ticket, and a client that resends
// the same submission without an idempotency key (its first POST timed
// out) gets the first submission id back and one ticket. A signed form
// asking for a closing status still opens the ticket.
func TestPublicFormsCannotCloseOrDuplicateTheirTickets(t *testing.T) {
	s := start(t)
	body := `{"email":"eve@example.com","subject":"Close me","description":"please","status":"closed"}`
	ids := map[any]bool{}
	for range 3 {
		code, out := s.post(t, "/forms/"+s.demo.FormChannelID, body, nil)
		if code != 202 {
			t.Fatalf("POST answered %d %v", code, out)
		}
		ids[out["submission_id"]] = true
	}
	signedBody := `{"email":"sam@example.com","subject":"Signed close","status":"closed"}`
	if code, out := s.post(t, "/forms/"+s.demo.SignedChannelID, signedBody,
		map[string]string{webhook.HeaderFormSignature: webhook.SignSHA256(s.demo.SignedSecret, []byte(signedBody))}); code != 202 {
		t.Fatalf("signed POST answered %d %v", code, out)
	}
	s.drain(t)
	if len(ids) != 1 {
		t.Errorf("three identical unkeyed POSTs got %d submission ids, want 1", len(ids))
	}
	open := s.tickets(t)
	bySubject := map[string]int{}
	for _, tk := range open {
		bySubject[tk.Subject]++
		if tk.State != helpdesk.StateOpen || tk.Status != "new" {
			t.Errorf("ticket %q is %s/%s, want open/new", tk.Subject, tk.State, tk.Status)
		}
	}
	if bySubject["Close me"] != 1 || bySubject["Signed close"] != 1 {
		t.Errorf("open tickets %v, want one of each", bySubject)
	}
}
