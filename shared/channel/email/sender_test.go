package email

import (
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// TestFindSender covers the sender rules beside the hdr-sender-* and
// hdr-group-* fixtures, including the cases that must keep From.
func TestFindSender(t *testing.T) {
	cases := []struct {
		name    string
		headers []string
		want    helpdesk.Sender
	}{
		{"secretary sending on behalf keeps From", []string{"From: Anna Berg <anna.berg@example.se>", "Sender: Lars Ek <lars.ek@example.se>"}, helpdesk.Sender{Email: "anna.berg@example.se", Name: "Anna Berg"}},
		{"list mail keeps the poster in From", []string{"From: Bruno Rossi <bruno@example.it>", "Sender: users-bounces@lists.example.org", "List-Id: <users.lists.example.org>", "List-Post: <mailto:users@lists.example.org>"}, helpdesk.Sender{Email: "bruno@example.it", Name: "Bruno Rossi"}},
		{"X-Original-Sender equal to From", []string{"From: Jane <jane@example.com>", "X-Original-Sender: jane@example.com", "List-Id: <support.acme.example>"}, helpdesk.Sender{Email: "jane@example.com", Name: "Jane"}},
		{"googlegroups.com From with the person in Sender", []string{"From: support@googlegroups.com", "Sender: Mia Wong <mia@example.hk>"}, helpdesk.Sender{Email: "mia@example.hk", Name: "Mia Wong"}},
		{"googlegroups.com Sender is not the person", []string{"From: \"'Tom' via Help\" <help@googlegroups.com>", "Sender: help@googlegroups.com", "X-Original-Sender: tom@example.net"}, helpdesk.Sender{Email: "tom@example.net", Name: "Tom"}},
		{"group without any person keeps the group", []string{"From: help@googlegroups.com", "Sender: help+bncABC@googlegroups.com"}, helpdesk.Sender{Email: "help@googlegroups.com"}},
		{"Mailman DMARC rewrite with the poster in Reply-To", []string{"From: Ana Silva via Users <users@lists.example.org>", "Reply-To: Ana Silva <ana@example.pt>", "List-Id: <users.lists.example.org>"}, helpdesk.Sender{Email: "ana@example.pt", Name: "Ana Silva"}},
		{"via without a list is a name", []string{"From: Sent via Phone <sales@example.com>"}, helpdesk.Sender{Email: "sales@example.com", Name: "Sent via Phone"}},
		{"no From: Sender first", []string{"Sender: Ops <ops@example.com>", "Reply-To: r@example.com", "Return-Path: <b@example.com>"}, helpdesk.Sender{Email: "ops@example.com", Name: "Ops"}},
		{"no From: Reply-To before Return-Path", []string{"Reply-To: r@example.com", "Return-Path: <b@example.com>"}, helpdesk.Sender{Email: "r@example.com"}},
		{"no From: Return-Path last", []string{"Return-Path: <b@example.com>"}, helpdesk.Sender{Email: "b@example.com"}},
		{"name-only From lends its name", []string{"From: Jane Doe", "Reply-To: jane@example.com"}, helpdesk.Sender{Email: "jane@example.com", Name: "Jane Doe"}},
		{"unquoted name", []string{"From: John Q Public john@example.com"}, helpdesk.Sender{Email: "john@example.com", Name: "John Q Public"}},
		{"quoted name, no brackets", []string{`From: "Doe, Jane" jane@example.com`}, helpdesk.Sender{Email: "jane@example.com", Name: "Doe, Jane"}},
		{"stray brackets", []string{"From: <Jane Doe> <<jane@example.com>>"}, helpdesk.Sender{Email: "jane@example.com", Name: "Jane Doe"}},
		{"unquoted comma", []string{"From: Doe, Jane <jane@example.com"}, helpdesk.Sender{Email: "jane@example.com", Name: "Doe, Jane"}},
		{"trailing comment", []string{"From: jane@example.com (Jane Doe) >"}, helpdesk.Sender{Email: "jane@example.com", Name: "Jane Doe"}},
		{"mailto", []string{"From: Jane Doe [mailto:Jane@Example.com]"}, helpdesk.Sender{Email: "jane@example.com", Name: "Jane Doe"}},
		{"empty encoded name", []string{"From: =?utf-8?b??= <jane@example.com>"}, helpdesk.Sender{Email: "jane@example.com"}},
		{"address as name", []string{`From: "jane@example.com" <jane@example.com>`}, helpdesk.Sender{Email: "jane@example.com"}},
		{"null Return-Path only", []string{"From: Kiosk", "Return-Path: <>"}, helpdesk.Sender{Name: "Kiosk"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(msg(append(tc.headers, "To: support@acme.example", "Subject: x"), "hello"), Options{Tenant: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			if p.From != tc.want {
				t.Errorf("From = %+v, want %+v", p.From, tc.want)
			}
		})
	}
}

// TestAddressListsLoose: Reply-To, To and Cc keep every address of a
// malformed list.
func TestAddressListsLoose(t *testing.T) {
	cases := map[string][]string{
		"Jane Doe jane@example.com, Bob <BOB@example.com>>":  {"jane@example.com", "bob@example.com"},
		"a@example.com b@example.com":                        {"a@example.com", "b@example.com"},
		`"Billing" billing@example.com; <ops@example.com>`:   {"billing@example.com", "ops@example.com"},
		"=?utf-8?q?J=C3=B6rg?= <j@example.de>, Jörg j2@x.de": {"j@example.de", "j2@x.de"},
		"undisclosed-recipients:;":                           nil,
	}
	for v, want := range cases {
		p, err := Parse(msg([]string{"From: a@example.com", "Reply-To: " + v}, "x"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.ReplyTo) != len(want) {
			t.Errorf("%q: Reply-To %q, want %q", v, p.ReplyTo, want)
			continue
		}
		for i := range want {
			if p.ReplyTo[i] != want[i] {
				t.Errorf("%q: Reply-To %q, want %q", v, p.ReplyTo, want)
			}
		}
	}
}

// TestCleanText: what no stored header value may keep.
func TestCleanText(t *testing.T) {
	cases := map[string]string{
		"\r\nHello":             "Hello",
		"Hello\r\n world":       "Hello world",
		"a\tb\x00c\x7fd\u0085e": "a bcd e",
		"\ufeffSubject\u009b":   "Subject",
		"  spaced   out  ":      "spaced out",
		"【通知】\u3000件名\u00a0x":   "【通知】\u3000件名\u00a0x",
	}
	for in, want := range cases {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}
