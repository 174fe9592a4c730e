package localrun_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var (
	listUnsubscribe = regexp.MustCompile(`List-Unsubscribe: <([^>]+)>`)
	confirmForm     = regexp.MustCompile(`<form method="([^"]*)" action="([^"]*)"`)
)

// Issue 14: a form customer whose ticket an agent answers and closes gets
// the answer and a closing notice in moto's SES; the notice's unsubscribe
// link asks first and its page's button unsubscribes them, and a later
// close tells them nothing.
func TestFormCustomerIsToldOfTheCloseAndCanUnsubscribe(t *testing.T) {
	s := startWithSender(t, "notify-"+testbed.Name(t)+"@acme.example")
	s.r.Outbound.CustomerLinks.Unsubscribe = s.srv.URL + "/unsubscribe"
	customer := strings.ToLower("cus-" + testbed.Name(t) + "@example.com")
	if code, out := s.post(t, "/forms/"+s.demo.FormChannelID, `{"email":"`+customer+`","subject":"Broken kettle","description":"It leaks."}`, nil); code != 202 {
		t.Fatalf("form: %d %v", code, out)
	}
	s.drain(t)
	ts := s.tickets(t)
	if len(ts) != 1 {
		t.Fatalf("%d tickets", len(ts))
	}
	id := ts[0].ID
	token, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	if code, out := s.call(t, "POST", "/api/tickets/"+id+"/replies", token, `{"text":"A new one is on its way.","close":true}`); code != 200 && code != 201 {
		t.Fatalf("reply and close: %d %v", code, out)
	}
	s.drainOutbound(t)
	// Counted as the customer's server keeps them: one per Message-ID (a
	// job redelivered on a loaded machine is sent again under the same one).
	closing := func() []string {
		return testbed.DistinctMail(testbed.SentMail(t, func(m testbed.SESMessage) bool {
			return strings.Contains(m.RawData, "<"+customer+">") && strings.Contains(m.RawData, "Your request was closed")
		}))
	}
	mails := closing()
	if len(mails) != 1 {
		t.Fatalf("moto's SES holds %d closing notices to %s, want 1", len(mails), customer)
	}
	answers := testbed.DistinctMail(testbed.SentMail(t, func(m testbed.SESMessage) bool {
		return strings.Contains(m.RawData, "<"+customer+">") && strings.Contains(m.RawData, "A new one is on its way.")
	}))
	if len(answers) != 1 {
		t.Errorf("the answer itself: %d mails, want 1", len(answers))
	}
	m := listUnsubscribe.FindStringSubmatch(mails[0])
	if m == nil || !strings.HasPrefix(m[1], s.srv.URL+"/unsubscribe?token=") {
		t.Fatalf("the notice has no unsubscribe link:\n%s", mails[0])
	}
	// The link asks first (a scanner fetching it unsubscribes no one); the
	// page's button POSTs back to it.
	res, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	form := confirmForm.FindStringSubmatch(string(page))
	if res.StatusCode != 200 || form == nil || !strings.EqualFold(form[1], "post") {
		t.Fatalf("the link: %d %s", res.StatusCode, page)
	}
	if got, err := s.r.Store.OptOuts(context.Background(), ts[0].ContactID); err != nil || len(got) != 0 {
		t.Fatalf("opening the link unsubscribed: %v %v", got, err)
	}
	link, _ := url.Parse(m[1])
	action, err := url.Parse(html.UnescapeString(form[2]))
	if err != nil {
		t.Fatal(err)
	}
	res, err = http.Post(link.ResolveReference(action).String(), "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "You are unsubscribed") {
		t.Fatalf("the page's button: %d %s", res.StatusCode, page)
	}
	got, err := s.r.Store.OptOuts(context.Background(), ts[0].ContactID)
	if err != nil || len(got) != 1 || got[0] != helpdesk.CustomerClosed {
		t.Fatalf("opt-outs %v %v, want closed", got, err)
	}

	// Reopened (told: another kind) and closed again (not told).
	for _, status := range []string{"new", "closed"} {
		body, _ := json.Marshal(map[string]string{"status": status})
		if code, out := s.call(t, "PATCH", "/api/tickets/"+id, token, string(body)); code != 200 {
			t.Fatalf("PATCH status %s: %d %v", status, code, out)
		}
	}
	s.drainOutbound(t)
	if n := len(closing()); n != 1 {
		t.Fatalf("after unsubscribing, %d closing notices, want still 1", n)
	}
	reopened := testbed.DistinctMail(testbed.SentMail(t, func(m testbed.SESMessage) bool {
		return strings.Contains(m.RawData, "<"+customer+">") && strings.Contains(m.RawData, "Your request was reopened")
	}))
	if len(reopened) != 1 {
		t.Errorf("%d reopened notices, want 1 (only closed was unsubscribed)", len(reopened))
	}
}
