package journeys_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The time from navigation to a ticket page showing all of its 50
// messages, in Chromium against the local stack (make bench):
//
//	go test -run '^$' -bench TicketPageOf50 -benchtime 10x ./infra/devstack/journeys/
func BenchmarkTicketPageOf50Messages(b *testing.B) {
	s, br := start(b)
	ctx := context.Background()
	const messages = 50
	for i := range messages {
		thread := ""
		if i > 0 {
			thread = "In-Reply-To: <long-0@example.com>\r\nReferences: <long-0@example.com>\r\n"
		}
		mail := fmt.Sprintf("From: Ben Ode <ben@example.com>\r\nTo: %s\r\nSubject: Re: A long thread\r\nMessage-ID: <long-%d@example.com>\r\n%s"+
			"Date: Mon, 30 Nov 2026 09:%02d:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMessage %d of a long thread, with a line or two of text.\r\n",
			s.demo.EmailAddress, i, thread, i, i)
		if err := s.r.DeliverMail(ctx, "ben@example.com", []string{s.demo.EmailAddress}, []byte(mail)); err != nil {
			b.Fatal(err)
		}
	}
	var id string
	for deadline := time.Now().Add(time.Minute); id == ""; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the 50 mails did not become one ticket of 50 messages in a minute")
		}
		ts, err := s.r.Store.ListTickets(ctx, helpdesk.StateOpen, 10)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range ts {
			if t.MessageCount == messages {
				id = t.ID
			}
		}
	}
	p := br.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	shown := fmt.Sprintf(`document.querySelectorAll("article[data-message-id]").length >= %d`, messages)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		p.Goto(s.url + "/views/all_open")
		p.Wait(browser.Role("navigation", "Views"))
		began := time.Now()
		p.Goto(s.url + "/tickets/" + id)
		for !browser.Eval[bool](p, shown) {
			time.Sleep(5 * time.Millisecond)
		}
		total += time.Since(began)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-50-messages")
}
