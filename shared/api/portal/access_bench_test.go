package portal_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/portal"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// drop is an outbound queue that keeps nothing (a benchmark's millions of
// jobs).
type drop struct{}

func (drop) Publish(context.Context, string) error { return nil }

// BenchmarkAccessKnownVsUnknown times POST /portal/api/access for a known
// and an unknown address, on each store, through the handler (no network):
// the "roughly in time". TestKnownAndUnknownAddressesDoTheSameWork
// is the assertion (the same store calls and job); this is the figure.
//
//	STACKDESK_REQUIRE_EMULATORS=1 go test -run '^$' -bench AccessKnownVsUnknown -benchtime 500x -count 6 ./shared/api/portal/ | tee /tmp/b.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /who /tmp/b.txt   # known vs unknown, per store
func BenchmarkAccessKnownVsUnknown(b *testing.B) {
	for _, be := range testbed.Stores() {
		b.Run("store="+be.Name, func(b *testing.B) {
			st := be.Open(b, nil)
			ctx := context.Background()
			c := helpdesk.Contact{ID: "c1", Name: "Cus One", Email: "cus1@example.com", CreatedAt: t0}
			if err := st.CreateContact(ctx, c, helpdesk.Sender{Email: c.Email}.Key(helpdesk.ChannelEmail)); err != nil {
				b.Fatal(err)
			}
			api := &portal.API{Store: st, Outbound: drop{}, Key: []byte("test-portal-key-0123456789abcdef"),
				LinkBase: "https://help.acme.example/portal/#/signin?token=", Log: quiet,
				Limits: portal.Limits{Window: time.Hour, AccessPerAddress: 1 << 40, AccessPerSource: 1 << 40, SessionPerAddress: 1, SessionPerSource: 1}}
			mux := http.NewServeMux()
			api.Register(mux)
			access := func(b *testing.B, body string) {
				req := httptest.NewRequest("POST", "/portal/api/access", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, req)
				if w.Code != http.StatusAccepted {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
			// Warm both paths (DynamoDB Local's first requests are slow).
			for range 50 {
				access(b, `{"email":"cus1@example.com"}`)
				access(b, `{"email":"nobody@example.com"}`)
			}
			for _, who := range []struct{ name, addr string }{{"who=known", "cus1@example.com"}, {"who=unknown", "nobody@example.com"}} {
				body := `{"email":"` + who.addr + `"}`
				b.Run(who.name, func(b *testing.B) {
					for b.Loop() {
						access(b, body)
					}
				})
			}
		})
	}
}
