package email

import "testing"

// TestClassicBounceNeedsSignsTogether: without DSN structure a mail is a
// bounce only when a null or daemon sender, a bounce subject and a returned
// message or diagnostic come together.
func TestClassicBounceNeedsSignsTogether(t *testing.T) {
	diag := "I'm afraid I wasn't able to deliver your message.\n<gone@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)\n"
	cases := []struct {
		name    string
		headers []string
		body    string
		kind    Kind
		reason  string
	}{
		{"all three", []string{"Return-Path: <>", "From: MAILER-DAEMON@mx.example.org", "Subject: failure notice"}, diag, KindBounce, "return-path: <>, bounce subject, diagnostic"},
		{"return-path with spaces", []string{"Return-Path: < >", "From: a@mx.example.org", "Subject: Undeliverable: hello"}, diag, KindBounce, "return-path: <>, bounce subject, diagnostic"},
		{"daemon sender and copy", []string{"From: postmaster@mx.example.org", "Subject: Returned mail: see transcript"}, "--- Below this line is a copy of the message.\n\nMessage-ID: <x@acme.example>\n", KindBounce, "from: postmaster, bounce subject, returned message"},
		{"spam with null return-path", []string{"Return-Path: <>", "From: Deals <deals@shop.example>", "Subject: You won!"}, "Click here.", KindNormal, ""},
		{"null sender and bounce subject, no evidence", []string{"Return-Path: <>", "From: MAILER-DAEMON@mx.example.org", "Subject: Undelivered Mail"}, "Hello.", KindNormal, ""},
		{"bounce subject and diagnostic from a person", []string{"From: Jane <jane@example.com>", "Subject: Undeliverable mail?"}, "Your mail said 550 5.1.1 user unknown, why?", KindNormal, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(msg(tc.headers, tc.body), Options{Tenant: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != tc.kind || p.KindReason != tc.reason {
				t.Errorf("kind = %s (%q), want %s (%q)", p.Kind, p.KindReason, tc.kind, tc.reason)
			}
		})
	}
}
