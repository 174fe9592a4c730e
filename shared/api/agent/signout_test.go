package agent_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// Signing out is real at the API, which checks tokens without the user
// pool: once bob signs out, his token (issued before) is refused with
// signed_out on every route, a token issued after works, and nobody
// else is signed out.
func TestSignOutRefusesTokensIssuedBefore(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		f.api.Now = func() time.Time { return t0.Add(time.Hour) } // bob's token was issued at t0
		if r := f.do(t, "GET", "/api/me", "bob", ""); r.status != http.StatusOK {
			t.Fatalf("before: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/me/sign-out", "bob", ""); r.status != http.StatusNoContent {
			t.Fatalf("sign out: %d %s", r.status, r.raw)
		}
		for _, path := range []string{"/api/me", "/api/views", "/api/changes"} {
			if r := f.do(t, "GET", path, "bob", ""); r.status != http.StatusUnauthorized || reason(r) != "signed_out" {
				t.Errorf("GET %s with the old token: %d %s, want 401 signed_out", path, r.status, r.raw)
			}
		}
		// A token from a new sign-in (issued after the sign-out).
		fresh := fmt.Sprintf("sub-bob#iat=%d", t0.Add(2*3600e9).Unix())
		if r := f.do(t, "GET", "/api/me", "", "", "Authorization", "Bearer token-"+fresh); r.status != http.StatusOK {
			t.Fatalf("a token issued after: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/me", "cat", ""); r.status != http.StatusOK {
			t.Fatalf("another user: %d %s", r.status, r.raw)
		}
	})
}
