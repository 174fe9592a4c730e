package portal_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/portal"
)

// The keys the portal stores grants and rate counters under are HMACs of
// fixed inputs; a deployed table holds live codes and counters under them,
// so the inputs are pinned here, spelled out apart from the code: the code
// grant of an address is HMAC("code" 0 address 0 code), of a WhatsApp
// number HMAC("code-wa" 0 number 0 code); the per-address counters are
// access-addr#/session-addr# + HMAC("addr" 0 address) or ("phone" 0 number).
func TestStoredKeysKeepTheirHMACInputs(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		addWhatsAppCustomer(t, f)
		ctx := context.Background()
		h := func(parts ...string) string {
			m := hmac.New(sha256.New, f.api.Key)
			for i, p := range parts {
				if i > 0 {
					m.Write([]byte{0})
				}
				m.Write([]byte(p))
			}
			return hex.EncodeToString(m.Sum(nil))
		}
		// count adds one to a counter and says whether the portal had
		// counted want requests under it.
		count := func(scope string, want int64) {
			t.Helper()
			window := f.clk.Now().Truncate(portal.DefaultLimits.Window)
			n, err := f.st.CountRate(ctx, scope, window, window.Add(2*portal.DefaultLimits.Window))
			if err != nil {
				t.Fatal(err)
			}
			if n != want+1 {
				t.Errorf("counter %s: the portal counted %d, want %d", scope, n-1, want)
			}
		}
		for _, c := range []struct{ body, codeKind, limitKind, id, contact string }{
			{`{"email":"Cus1@Example.com "}`, "code", "addr", "cus1@example.com", "c1"},
			{`{"phone":"+1 (555) 123-4567"}`, "code-wa", "phone", waNumber, "c9"},
		} {
			// The first code is found where its inputs say it is stored.
			if r := f.do(t, "POST", "/portal/api/access", "", c.body); r.status != 202 {
				t.Fatalf("access %s: %d %s", c.body, r.status, r.raw)
			}
			g, err := f.st.ConsumePortalGrant(ctx, h(c.codeKind, c.id, f.out.last(t).Code), f.clk.Now())
			if err != nil || g.ContactID != c.contact {
				t.Fatalf("%s: the code's grant under HMAC(%s, %s, code): %+v %v", c.body, c.codeKind, c.id, g, err)
			}
			// The second opens a session: the exchange reads the key the
			// request wrote.
			if r := f.do(t, "POST", "/portal/api/access", "", c.body); r.status != 202 {
				t.Fatalf("access %s: %d %s", c.body, r.status, r.raw)
			}
			login := `{"` + map[string]string{"code": "email", "code-wa": "phone"}[c.codeKind] + `":"` + c.id + `","code":" ` + f.out.last(t).Code + ` "}`
			if r := f.do(t, "POST", "/portal/api/session", "", login); r.status != 201 {
				t.Fatalf("session %s: %d %s", login, r.status, r.raw)
			}
			count("access-addr#"+h(c.limitKind, c.id), 2)
			count("session-addr#"+h(c.limitKind, c.id), 1)
		}
	})
}
