package testbed_test

import (
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// DistinctMail keeps one mail per Message-ID, and every mail without one.
func TestDistinctMail(t *testing.T) {
	a := "From: x\r\nMessage-ID: <1@acme.example>\r\n\r\nfirst"
	again := "From: x\r\nmessage-id:  <1@acme.example>\r\n\r\nredelivered"
	b := "Message-ID: <2@acme.example>\r\n\r\nsecond"
	none := "Subject: no id\r\n\r\nbody"
	got := testbed.DistinctMail([]string{a, again, b, none, none})
	if len(got) != 4 || got[0] != a || got[1] != b || got[2] != none || got[3] != none {
		t.Fatalf("DistinctMail = %q", got)
	}
}
