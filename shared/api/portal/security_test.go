package portal_test

import (
	"strconv"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/portal"
)

// A code sent in a WhatsApp conversation is refused like an emailed one
// when it is expired (injected clock) or another tenant's (another stack's
// key and table), and once used (TestAccessByPhoneAnswersAlike... checks
// the first use).
func TestPhoneCodesExpiredOrForeignAreRefused(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		addWhatsAppCustomer(t, f)
		other := newPortal(t, testbed.Mem)
		other.api.Key = []byte("another-tenants-key-0123456789ab")
		addWhatsAppCustomer(t, other)
		exchange := func(f *fixture, code string) response {
			return f.do(t, "POST", "/portal/api/session", "", `{"phone":"+`+waNumber+`","code":"`+code+`"}`)
		}
		other.do(t, "POST", "/portal/api/access", "", `{"phone":"+`+waNumber+`"}`)
		foreign := other.out.last(t).Code
		if r := exchange(f, foreign); r.status != 401 || reason(r) != "link_invalid" {
			t.Errorf("another tenant's WhatsApp code: %d %s", r.status, r.raw)
		}
		f.do(t, "POST", "/portal/api/access", "", `{"phone":"+`+waNumber+`"}`)
		code := f.out.last(t).Code
		f.clk.Add(portal.GrantTTL)
		if r := exchange(f, code); r.status != 401 || reason(r) != "link_invalid" {
			t.Errorf("an expired WhatsApp code: %d %s", r.status, r.raw)
		}
		f.do(t, "POST", "/portal/api/access", "", `{"phone":"+`+waNumber+`"}`)
		code = f.out.last(t).Code
		if r := exchange(f, code); r.status != 201 {
			t.Fatalf("a fresh WhatsApp code: %d %s", r.status, r.raw)
		}
		if r := exchange(f, code); r.status != 401 || reason(r) != "link_invalid" {
			t.Errorf("a used WhatsApp code: %d %s", r.status, r.raw)
		}
		if r := exchange(other, foreign); r.status != 201 {
			t.Errorf("the code at its own tenant: %d %s", r.status, r.raw)
		}
	})
}

// One source's tries at links and codes are limited across addresses
// (TestRateLimitsHold holds the per-address code limit): past
// SessionPerSource, even a good link from that source is a 429 with
// Retry-After, and the link is not used up; from another source it opens.
func TestSessionTriesPerSourceAreLimited(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		l := portal.DefaultLimits
		tok, _ := f.access(t, "cus1@example.com")
		f.from("203.0.113.50")
		for i := range l.SessionPerSource {
			body := `{"email":"guess` + strconv.FormatInt(i, 10) + `@example.com","code":"123456"}`
			if i%2 == 0 {
				body = `{"token":"v1.9999999999.AAAA.` + strconv.FormatInt(i, 10) + `"}`
			}
			if r := f.do(t, "POST", "/portal/api/session", "", body); r.status != 401 {
				t.Fatalf("try %d: %d %s", i+1, r.status, r.raw)
			}
		}
		r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`)
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("a good link past the source's limit: %d %s", r.status, r.raw)
		}
		f.from("203.0.113.51")
		if r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`); r.status != 201 {
			t.Fatalf("the link from another source: %d %s", r.status, r.raw)
		}
	})
}
