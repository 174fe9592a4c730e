package portal_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/portal"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// waCustomer is a contact known only by WhatsApp (no email).
const waNumber = "15551234567"

func addWhatsAppCustomer(t *testing.T, f *fixture) {
	t.Helper()
	c := helpdesk.Contact{ID: "c9", Name: "Wa Customer", WhatsAppID: waNumber, CreatedAt: t0}
	if err := f.st.CreateContact(context.Background(), c, helpdesk.Sender{WhatsAppID: waNumber}.Key(helpdesk.ChannelWhatsApp)); err != nil {
		t.Fatal(err)
	}
}

// A known and an unknown WhatsApp number get the same 202 and the same
// bytes (as an address does); the known number's job names its WhatsApp
// number and contact, the unknown one's is a decoy for no contact; the
// code opens a session with the number it was sent to, the decoy's none.
func TestAccessByPhoneAnswersAlikeForKnownAndUnknownNumbers(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		addWhatsAppCustomer(t, f)
		byMail := f.do(t, "POST", "/portal/api/access", "", `{"email":"cus1@example.com"}`)
		known := f.do(t, "POST", "/portal/api/access", "", `{"phone":"+1 (555) 123-4567"}`)
		unknown := f.do(t, "POST", "/portal/api/access", "", `{"phone":"+1 555 000 0000"}`)
		if known.status != 202 || unknown.status != 202 || known.raw != unknown.raw || known.raw != byMail.raw {
			t.Fatalf("email %d %q, known number %d %q, unknown %d %q: want one 202", byMail.status, byMail.raw, known.status, known.raw, unknown.status, unknown.raw)
		}
		if len(f.out.jobs) != 3 {
			t.Fatalf("%d jobs, want 3", len(f.out.jobs))
		}
		kj, uj := f.out.jobs[1], f.out.jobs[2]
		if kj.ContactID != "c9" || kj.ToWhatsApp != waNumber || kj.ToEmail != "" || kj.TicketID != "" || len(kj.Code) != 6 {
			t.Fatalf("known number's job %+v", kj)
		}
		if uj.ContactID != "" || uj.ToWhatsApp != "15550000000" || uj.ToEmail != "" {
			t.Fatalf("unknown number's job %+v, want a decoy for no contact", uj)
		}
		// The decoy's link and code open nothing.
		tok, _ := url.QueryUnescape(strings.TrimPrefix(uj.Link, f.api.LinkBase))
		for _, body := range []string{`{"token":"` + tok + `"}`, `{"phone":"15550000000","code":"` + uj.Code + `"}`} {
			if r := f.do(t, "POST", "/portal/api/session", "", body); r.status != 401 || reason(r) != "link_invalid" {
				t.Fatalf("the decoy's %s: %d %s", body, r.status, r.raw)
			}
		}
		// The known number's code does not open with an address, only with
		// the number (in any form), and once.
		if r := f.do(t, "POST", "/portal/api/session", "", `{"email":"cus1@example.com","code":"`+kj.Code+`"}`); r.status != 401 {
			t.Fatalf("a WhatsApp code with an address: %d %s", r.status, r.raw)
		}
		r := f.do(t, "POST", "/portal/api/session", "", `{"phone":"+15551234567","code":"`+kj.Code+`"}`)
		if r.status != 201 {
			t.Fatalf("phone and code: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/portal/api/session", "", `{"phone":"15551234567","code":"`+kj.Code+`"}`); r.status != 401 {
			t.Fatalf("the code again: %d %s", r.status, r.raw)
		}
	})
}

// Neither or both of email and phone, or a number that is not one: 400.
func TestAccessNeedsExactlyOneOfEmailAndPhone(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	for _, c := range []struct{ body, reason string }{
		{`{}`, "email_or_phone"},
		{`{"email":"","phone":""}`, "email_or_phone"},
		{`{"email":"cus1@example.com","phone":"+15551234567"}`, "email_or_phone"},
		{`{"phone":"call me"}`, "invalid_phone"},
		{`{"phone":"+1555"}`, "invalid_phone"},
		{`{"phone":"+1234567890123456"}`, "invalid_phone"},
		{`{"phone":"0015551234567"}`, "invalid_phone"},
	} {
		if r := f.do(t, "POST", "/portal/api/access", "", c.body); r.status != 400 || reason(r) != c.reason {
			t.Errorf("%s: %d %s, want 400 %s", c.body, r.status, r.raw, c.reason)
		}
	}
	if len(f.out.jobs) != 0 {
		t.Fatalf("refused requests queued %d jobs", len(f.out.jobs))
	}
}

// The limits hold per number, whatever form it is written in, and per
// source; code tries are limited per number.
func TestPhoneRateLimitsHold(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		addWhatsAppCustomer(t, f)
		l := portal.DefaultLimits
		forms := []string{"+15551234567", "15551234567", "+1 555 123 4567", "+1-555-123-4567", "(1) 555.123.4567"}
		for i := range l.AccessPerAddress {
			f.from("198.51.100." + string(rune('1'+i)))
			if r := f.do(t, "POST", "/portal/api/access", "", `{"phone":"`+forms[int(i)%len(forms)]+`"}`); r.status != 202 {
				t.Fatalf("request %d: %d %s", i+1, r.status, r.raw)
			}
		}
		f.from("203.0.113.9")
		if r := f.do(t, "POST", "/portal/api/access", "", `{"phone":"+15551234567"}`); r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("number over its limit: %d %s", r.status, r.raw)
		}
		// An unknown number is limited alike.
		for range l.AccessPerAddress {
			f.do(t, "POST", "/portal/api/access", "", `{"phone":"+15550000000"}`)
		}
		f.from("203.0.113.10")
		if r := f.do(t, "POST", "/portal/api/access", "", `{"phone":"+15550000000"}`); r.status != 429 {
			t.Fatalf("unknown number over its limit: %d %s", r.status, r.raw)
		}
		// Per source: many numbers from one IP.
		f.clk.Add(l.Window)
		f.from("192.0.2.77")
		var last response
		for i := range l.AccessPerSource + 1 {
			last = f.do(t, "POST", "/portal/api/access", "", `{"phone":"+4915100000`+string(rune('0'+i/10))+string(rune('0'+i%10))+`"}`)
		}
		if last.status != 429 {
			t.Fatalf("source over its limit: %d %s", last.status, last.raw)
		}
		// Code guesses per number: after the limit even the right code is refused.
		f.clk.Add(l.Window)
		f.from("192.0.2.5")
		f.do(t, "POST", "/portal/api/access", "", `{"phone":"+15551234567"}`)
		code := f.out.last(t).Code
		for i := range l.SessionPerAddress {
			f.from("198.18.0." + string(rune('1'+i%9)))
			if r := f.do(t, "POST", "/portal/api/session", "", `{"phone":"`+forms[int(i)%len(forms)]+`","code":"`+wrongCode(code)+`"}`); r.status != 401 {
				t.Fatalf("guess %d: %d %s", i+1, r.status, r.raw)
			}
		}
		if r := f.do(t, "POST", "/portal/api/session", "", `{"phone":"+15551234567","code":"`+code+`"}`); r.status != 429 {
			t.Fatalf("the right code after the guesses: %d %s", r.status, r.raw)
		}
	})
}

// An unknown number costs the same reads, writes and job as a known one.
func TestKnownAndUnknownNumbersDoTheSameWork(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	addWhatsAppCustomer(t, f)
	ts := &tracingStore{Store: f.st}
	f.api.Store = ts
	trace := func(phone string) ([]string, int) {
		ts.mu.Lock()
		ts.calls = nil
		ts.mu.Unlock()
		before := len(f.out.jobs)
		if r := f.do(t, "POST", "/portal/api/access", "", `{"phone":"`+phone+`"}`); r.status != 202 {
			t.Fatalf("%s: %d %s", phone, r.status, r.raw)
		}
		return slices.Clone(ts.calls), len(f.out.jobs) - before
	}
	known, kj := trace("+15551234567")
	unknown, uj := trace("+15550000000")
	if !slices.Equal(known, unknown) || kj != uj || kj != 1 {
		t.Fatalf("known: %v and %d jobs; unknown: %v and %d jobs", known, kj, unknown, uj)
	}
	if !slices.Contains(known, "PutPortalGrant:code") {
		t.Fatalf("no code grant: %v", known)
	}
}

// An agent's link for a chat ticket: a link grant for the contact, no
// code, and a job that names the ticket.
func TestSendConversationLink(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	ts := &tracingStore{Store: f.st}
	f.api.Store = ts
	if err := f.api.SendConversationLink(context.Background(), "c1", "1"); err != nil {
		t.Fatal(err)
	}
	job := f.out.last(t)
	if job.ContactID != "c1" || job.TicketID != "1" || job.Code != "" || job.ToEmail != "" || job.ToWhatsApp != "" {
		t.Fatalf("job %+v", job)
	}
	if slices.Contains(ts.calls, "PutPortalGrant:code") || !slices.Contains(ts.calls, "PutPortalGrant:link") {
		t.Fatalf("grants %v, want a link only", ts.calls)
	}
	tok, _ := url.QueryUnescape(strings.TrimPrefix(job.Link, f.api.LinkBase))
	if r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`); r.status != 201 {
		t.Fatalf("the link: %d %s", r.status, r.raw)
	}
	if err := f.api.SendConversationLink(context.Background(), "", "1"); !helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Fatalf("no contact: %v", err)
	}
}
