package journeys_test

// Issue 14's unsubscribe link in a real browser: opening it (as a mail
// scanner or the customer does) records nothing and shows a page asking to
// confirm; its button posts under the page's own CSP and unsubscribes.

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

func TestTheUnsubscribeLinkAsksBeforeItUnsubscribes(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	contact := "contact-" + url.PathEscape(t.Name())
	tok, err := unsubscribe.Token(unsubscribe.Key([]byte("journeys-test-reply-token-secret")), contact, helpdesk.CustomerClosed)
	if err != nil {
		t.Fatal(err)
	}
	p := b.NewPage()
	p.Goto(s.url + "/unsubscribe?token=" + url.QueryEscape(tok))
	p.Wait(browser.Role("heading", "Unsubscribe?"))
	p.Check("unsubscribe-confirm")
	if got, err := s.r.Store.OptOuts(ctx, contact); err != nil || len(got) != 0 {
		t.Fatalf("opening the link recorded %v %v", got, err)
	}
	p.Click(browser.Role("button", "Unsubscribe"))
	p.Wait(browser.Role("heading", "You are unsubscribed"))
	p.Check("unsubscribe-done")
	if got, err := s.r.Store.OptOuts(ctx, contact); err != nil || !slices.Equal(got, []helpdesk.CustomerNotifyKind{helpdesk.CustomerClosed}) {
		t.Fatalf("after the button: opt-outs %v %v, want closed", got, err)
	}
	if errs := p.ConsoleErrors(); len(errs) != 0 {
		t.Fatalf("the page logged errors (a CSP refusal?): %v", errs)
	}
}
