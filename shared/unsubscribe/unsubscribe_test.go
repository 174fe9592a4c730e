package unsubscribe_test

import (
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

var key = unsubscribe.Key([]byte("reply-token-secret-of-tenant-a"))

func TestTokenRoundTrips(t *testing.T) {
	tok, err := unsubscribe.Token(key, "c-42", helpdesk.CustomerClosed)
	if err != nil {
		t.Fatal(err)
	}
	id, kind, err := unsubscribe.Verify(key, tok)
	if err != nil || id != "c-42" || kind != helpdesk.CustomerClosed {
		t.Fatalf("verify: %q %q %v", id, kind, err)
	}
}

func TestVerifyRefusesWhatWasNotSignedByTheKey(t *testing.T) {
	tok, _ := unsubscribe.Token(key, "c-42", helpdesk.CustomerClosed)
	other, _ := unsubscribe.Token(unsubscribe.Key([]byte("reply-token-secret-of-tenant-b")), "c-42", helpdesk.CustomerClosed)
	p64, s64, _ := strings.Cut(tok, ".")
	forged := strings.Replace(p64, p64[len(p64)-2:], "xx", 1) + "." + s64
	for name, tok := range map[string]string{
		"other tenant": other, "tampered": forged, "no signature": p64, "empty": "",
		"garbage": "!!.??", "too long": strings.Repeat("a", 600) + "." + s64,
	} {
		if _, _, err := unsubscribe.Verify(key, tok); helpdesk.ErrorReason(err) != unsubscribe.ReasonBadToken || !helpdesk.IsCode(err, helpdesk.EUnauthorised) {
			t.Errorf("%s: %v, want unauthorised %s", name, err, unsubscribe.ReasonBadToken)
		}
	}
}

func TestTokenRefusesWhatCannotBeSigned(t *testing.T) {
	for name, f := range map[string]func() error{
		"short key":    func() error { _, err := unsubscribe.Token([]byte("short"), "c1", helpdesk.CustomerClosed); return err },
		"unknown kind": func() error { _, err := unsubscribe.Token(key, "c1", "bogus"); return err },
		"bar in id":    func() error { _, err := unsubscribe.Token(key, "c|1", helpdesk.CustomerClosed); return err },
	} {
		if err := f(); !helpdesk.IsCode(err, helpdesk.EInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
